-- wrk script for the emulator memory benchmark (benches/emulator_memory.py):
-- each thread creates sessions with ids of its own and stops each one as
-- soon as its 201 arrives, until it has stopped LIMIT sessions (the first
-- script argument; the second, if any, prefixes the ids), then stops. Run
-- it with one connection per thread (-c equal to -t), so a thread's
-- requests alternate create, stop.
local counter = 0
function setup(thread)
    thread:set("tid", counter)
    counter = counter + 1
end

local limit, created, stopped, bad = 0, 0, 0, 0
local pending = nil
local prefix = "mem"
local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer gameye-emulator-token",
}

function init(args)
    limit = tonumber(args[1])
    prefix = args[2] or prefix
end

function request()
    if pending then
        local id = pending
        pending = nil
        return wrk.format("DELETE", "/session/" .. id, headers, nil)
    end
    created = created + 1
    local id = prefix .. "-" .. tid .. "-" .. created
    return wrk.format("POST", "/session", headers,
        '{"id":"' .. id .. '","location":"europe","image":"bench"}')
end

function response(status, headers, body)
    if status == 201 then
        pending = body:match('"id":"([^"]+)"')
    elseif status == 204 then
        stopped = stopped + 1
    else
        bad = bad + 1
    end
    if stopped >= limit or bad > 0 then
        wrk.thread:stop()
    end
end
