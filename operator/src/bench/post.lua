-- wrk script: POST a ~1 KiB A2A JSON-RPC message/send to every path.
-- With WRK_RATE and WRK_CONNECTIONS set, each connection waits connections/rate ms before each request:
-- a paced (closed-loop, per-connection) fixed rate, since wrk2 is not packaged in Debian.
local text = string.rep("lorem ipsum dolor sit amet ", 34)
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"jsonrpc":"2.0","id":"1","method":"message/send","params":{"message":{"role":"user","messageId":"m-1",'
    .. '"parts":[{"kind":"text","text":"' .. text .. '"}]}}}'

local rate = tonumber(os.getenv("WRK_RATE") or "0")
local connections = tonumber(os.getenv("WRK_CONNECTIONS") or "1")

if rate > 0 then
    function delay()
        return connections * 1000 / rate
    end
end
