-- wrk script: POST a ~1 KiB A2A JSON-RPC message/send to every path.
-- Saturated without settings. Paced with WRK_DELAY_MS: each connection waits a random whole number of
-- milliseconds, uniform in [0, 2 x WRK_DELAY_MS] (mean WRK_DELAY_MS), before each request, and the benchmark
-- sizes the connection count to the rate (rate x (WRK_DELAY_MS + 0.5 ms) connections). wrk truncates delay()
-- to whole milliseconds, so a fixed sub-millisecond delay (few connections at a high rate) does not pace at
-- all, and equal delays keep the connections in phase, so that requests arrive in bursts; random whole-ms
-- delays over enough connections avoid both (wrk2 is not packaged in Debian). This pacing is closed loop per
-- connection: a slow answer delays that connection's next request (the p99 understates, if anything).
local text = string.rep("lorem ipsum dolor sit amet ", 34)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"jsonrpc":"2.0","id":"1","method":"message/send","params":{"message":{"role":"user","messageId":"m-1",'
    .. '"parts":[{"kind":"text","text":"' .. text .. '"}]}}}'

local delay_ms = tonumber(os.getenv("WRK_DELAY_MS") or "0")

if delay_ms > 0 then
    function init(args)
        -- per-thread seed: the address of a fresh table differs between the threads' Lua states
        math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 1000003)
    end
    function delay()
        return math.random(0, 2 * delay_ms)
    end
end
