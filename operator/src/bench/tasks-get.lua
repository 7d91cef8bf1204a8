-- wrk script: post.lua's request (same size, same pacing) with method tasks/get, which takes no task slot:
-- CapacityBenchmark's run without admission, on the same forwarding path as message/send.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "post.lua")
wrk.body = wrk.body:gsub('"method":"message/send"', '"method":"tasks/get"   ')
