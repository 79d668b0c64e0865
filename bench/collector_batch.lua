-- wrk script: POST /v1/batch with 100 Segment track calls per request.
local calls = {}
for i = 1, 100 do
  calls[i] = string.format(
    '{"type":"track","userId":"user%d","event":"purchase_sword","properties":{"color":"red","sword_type":"katana","price":%d}}',
    i % 17, i)
end
wrk.method = "POST"
wrk.path = "/v1/batch"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"batch":[' .. table.concat(calls, ",") .. '],"context":{"library":{"name":"wrk"}}}'
