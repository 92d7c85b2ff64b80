-- wrk script: single-event appends, each a distinct (person, year) appraisal, for
-- cross-checking `benches/http.rs` with a load generator that costs the machine less.
--
--   cadre --data D serve --demo --listen 127.0.0.1:18080 &
--   curl -s '127.0.0.1:18080/people?limit=500[&cursor=…]' → one person id per line in ids.txt
--   IDS=ids.txt START=0 STOP=2800 wrk -t1 -c1 -d5s -s benches/wrk/appraise.lua http://127.0.0.1:18080
--   IDS=ids.txt START=5804 STOP=23000 wrk -t1 -c64 -d5s -s benches/wrk/appraise.lua http://127.0.0.1:18080
--
-- Request i appraises person i mod n for the year 2018 + i div n; STOP ends the run (wrk
-- still divides by the whole -d, so read the rate from the latency: connections ÷ mean).
local ids = {}
for line in io.lines(os.getenv("IDS") or "ids.txt") do ids[#ids + 1] = line end
local i = tonumber(os.getenv("START") or "0")
local stop_at = tonumber(os.getenv("STOP") or "1000000000")
local shown = 0

request = function()
  local n = #ids
  local person = ids[(i % n) + 1]
  local year = 2018 + math.floor(i / n)
  i = i + 1
  local body = string.format(
    '{"year":%d,"classification":"good","effective_date":"%d-12-26"}', year, year)
  return wrk.format("POST", "/people/" .. person .. "/appraisals",
    { ["Content-Type"] = "application/json" }, body)
end

response = function(status, headers, body)
  if status ~= 201 and shown < 3 then
    shown = shown + 1
    print(status, body)
  end
  if i >= stop_at then wrk.thread:stop() end
end
