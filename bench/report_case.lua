-- wrk script: POST /api/v1/cases with a different case each time (bench/cases.sh).
-- Environment: COOKIE (the session cookie, "name=value"), CSRF (the session's CSRF token),
-- CASE_POINTS (a Lua file from `gen_cases --points-out`: {lat, lng, category} inside the demo grids;
-- a file with one point puts every report at one spot, as bench/read_path.sh does).
local points = {}
local file = os.getenv("CASE_POINTS")
if file and file ~= "" then points = dofile(file) end
if #points == 0 then points = { { 39.95, 116.40, "0102" } } end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = os.getenv("COOKIE") or ""
wrk.headers["X-CSRF-Token"] = os.getenv("CSRF") or ""

local titles = { "路边", "小区门口", "公交站旁", "市场附近", "学校周边", "人行道上" }
local asks = { "请尽快处理。", "影响市容，请及时整改。", "市民反映多次，请核实。" }
local n = 0

function request()
  n = n + 1
  local p = points[(n % #points) + 1]
  -- A few metres around the point, so that the nearby-duplicate search sees real neighbours.
  local lat = p[1] + ((n * 7919) % 101 - 50) * 0.000002
  local lng = p[2] + ((n * 104729) % 101 - 50) * 0.000002
  local body = string.format(
    '{"category":"%s","title":"%s发现问题 %d","description":"压测上报：%s","address":"平城区测试路%d号","lat":%.6f,"lng":%.6f}',
    p[3], titles[(n % #titles) + 1], n, asks[(n % #asks) + 1], n % 300 + 1, lat, lng)
  return wrk.format(nil, nil, nil, body)
end
