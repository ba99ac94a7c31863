-- wrk script for the emulator memory benchmark (benches/emulator_memory.py):
-- POST /session without an id (the emulator generates one) until each
-- thread has had LIMIT answers (the first script argument), then stops the
-- thread. The sessions stay running; the benchmark counts them through the
-- control endpoint afterwards, so in-flight extras do not matter.
local limit, answered = 0, 0
local req = nil
local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer gameye-emulator-token",
}

function init(args)
    limit = tonumber(args[1])
end

function request()
    if not req then
        req = wrk.format("POST", "/session", headers, '{"location":"europe","image":"bench"}')
    end
    return req
end

function response(status, headers, body)
    answered = answered + 1
    if answered >= limit or status ~= 201 then
        wrk.thread:stop()
    end
end
