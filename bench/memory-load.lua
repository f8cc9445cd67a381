-- wrk script for bench/memory-load.sh: half the requests go to a hot set of 200 keys (fits the cache:
-- hits), half to any of 5,000 keys (misses and evictions). A key's size is fixed (16-256 KiB), so the
-- whole key space is ~660 MiB, about ten times a 64 MiB cache.
local hot, all = 200, 5000
local function size_of(k) return (16 + (k * 7919) % 241) * 1024 end
request = function()
  local k
  if math.random() < 0.5 then k = math.random(1, hot) else k = math.random(1, all) end
  return wrk.format("GET", "/obj/m" .. k .. "?size=" .. size_of(k))
end
