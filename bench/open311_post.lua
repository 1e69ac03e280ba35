-- wrk script: POST /open311/v2/requests.json, form-encoded, a different request each time
-- (bench/open311.sh). Environment: API_KEY (an application key), CASE_POINTS (a Lua file from
-- `gen_cases --points-out`: {lat, lng, category} inside the demo grids).
local points = {}
local file = os.getenv("CASE_POINTS")
if file and file ~= "" then points = dofile(file) end
if #points == 0 then points = { { 40.08, 113.28, "0102" } } end
local key = os.getenv("API_KEY") or ""

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
local n = 0

function request()
  n = n + 1
  local p = points[(n % #points) + 1]
  local lat = p[1] + ((n * 7919) % 101 - 50) * 0.000002
  local lng = p[2] + ((n * 104729) % 101 - 50) * 0.000002
  -- 0102 (暴露垃圾) has no required attributes, so every generated point's request is valid.
  local body = string.format(
    "api_key=%s&service_code=0102&lat=%.6f&long=%.6f&address_string=%%E6%%B5%%8B%%E8%%AF%%95%%E8%%B7%%AF%d&description=open311+bench+%d",
    key, lat, lng, n % 300 + 1, n)
  return wrk.format(nil, nil, nil, body)
end
