-- wrk script: send DEPTH requests per write (HTTP/1.1 pipelining).
-- usage: wrk -s pipeline.lua URL -- 16
local depth = 16

init = function(args)
  depth = tonumber(args[1]) or depth
  local reqs = {}
  for i = 1, depth do
    reqs[i] = wrk.format(nil, nil)
  end
  batch = table.concat(reqs)
end

request = function()
  return batch
end
