-- wrk script of HeartbeatIngestBenchmark: runtimes' heartbeats (POST /registry/heartbeat, the wire format of
-- ../shared/DESIGN.md, each with its workspace's bearer token) over N workspaces, round robin; each wrk thread takes
-- every HB_THREADS-th workspace of the token file, so the threads never beat for the same workspace.
-- Environment:
--   HB_TOKENS   a file of "<namespace>/<name> <token>" lines
--   HB_THREADS  wrk's -t
--   HB_PHASE    prime | steady   the same beat again and again (current_task "steady", idle window HB_IDLE): after
--                                the first beat of each workspace nothing material changes
--               material         every beat carries a new current_task: each is a material change the operator writes
--               churn            the runtime's declared idle window alternates (HB_IDLE + 60, HB_IDLE, ...) per lap
--                                over the workspaces: the operator writes status.runtime and its reconciler then writes
--                                the new status.dispatch, as when runtimes restart with new metadata
--   HB_IDLE     the idle window the beats declare, seconds
--   HB_RATE     beats/s over all threads (an open schedule per thread: each beat waits for its due time); 0 saturates
-- done() prints wrkCpuS=<the wrk process's CPU seconds>.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } hb_timespec;
int clock_gettime(int clk, hb_timespec *ts);
]]
local ts = ffi.new("hb_timespec")
local function now_ms()
    ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local next_id = 0
function setup(thread)
    thread:set("id", next_id)
    next_id = next_id + 1
end

local phase = os.getenv("HB_PHASE") or "steady"
local idle = tonumber(os.getenv("HB_IDLE") or "600")
local rate = tonumber(os.getenv("HB_RATE") or "0")
local threads = tonumber(os.getenv("HB_THREADS") or "1")

local function beat(workspace, task, idle_seconds)
    return '{"workspace_id":"' .. workspace .. '","error_rate":0.0,"sample_error":"","active_tasks":1,'
        .. '"uptime_seconds":3600,"current_task":"' .. task .. '","monthly_spend":1500,"runtime_state":"",'
        .. '"runtime_metadata":{"capabilities":{"heartbeat":false,"scheduler":false,"session":true,'
        .. '"status_mgmt":false,"retry":false,"activity_decoration":false,"channel_dispatch":false},'
        .. '"idle_timeout_seconds":' .. idle_seconds .. '}}'
end

local workspaces, tokens, fixed = {}, {}, {}
local n, i, lap, seq = 0, 0, 0, 0
local gap, start, due = 0, 0, 0

local function request_for(k, body)
    return wrk.format("POST", "/registry/heartbeat",
        { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[k] }, body)
end

function init(args)
    local line_no = 0
    for line in io.lines(os.getenv("HB_TOKENS")) do
        if line_no % threads == id then
            local ws, token = line:match("^(%S+) (%S+)$")
            n = n + 1
            workspaces[n] = ws
            tokens[n] = token
        end
        line_no = line_no + 1
    end
    if phase == "prime" or phase == "steady" then
        for k = 1, n do
            fixed[k] = request_for(k, beat(workspaces[k], "steady", idle))
        end
    end
    if rate > 0 then
        gap = 1000 * threads / rate
    end
end

if rate > 0 then
    function delay()
        local now = now_ms()
        if start == 0 then
            start = now
        end
        local wait = start + due * gap - now
        due = due + 1
        return wait > 0 and wait or 0
    end
end

function request()
    i = i + 1
    if i > n then
        i = 1
        lap = lap + 1
    end
    if phase == "material" then
        seq = seq + 1
        return request_for(i, beat(workspaces[i], "m-" .. id .. "-" .. seq, idle))
    elseif phase == "churn" then
        return request_for(i, beat(workspaces[i], "steady", lap % 2 == 0 and idle + 60 or idle))
    end
    return fixed[i]
end

function done(summary, latency, requests)
    io.write(string.format("wrkCpuS=%.3f\n", os.clock()))
end
