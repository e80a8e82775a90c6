-- sieve — the sieve of Eratosthenes up to 50000, run arg[1] times (default
-- 200); the same algorithm as sieve.pxs: clear, cross out the multiples of each
-- prime i from i*i on, count what is left of 2..LIMIT.
local limit = 50000
local runs = tonumber(arg[1]) or 200
local s = {}
local count = 0
for _ = 1, runs do
  for i = 1, limit do s[i] = 0 end
  local i = 2
  while i * i <= limit do
    if s[i] == 0 then
      for j = i * i, limit, i do s[j] = 1 end
    end
    i = i + 1
  end
  count = limit - 1
  for k = 2, limit do count = count - s[k] end
end
print("sieve: " .. count)
