-- wrk script for benchmark 6: POST /session with the bench image and the
-- emulator's token. No "id": the emulator generates one per session, so
-- every request succeeds (201) and sessions pile up (benches/emulator-bench.json
-- gives the image no ports and the location a capacity of 10,000,000).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer gameye-emulator-token"
wrk.body = '{"location":"europe","image":"bench"}'
