-- loop — the sum 1 + 2 + ... + N modulo 2^32, N = arg[1] (default 10^8);
-- the same algorithm as loop.pxs. Lua integers are 64-bit, so the sum is
-- reduced modulo 2^32 once at the end (the same result as wrapping each step).
local n = tonumber(arg[1]) or 100000000
local s = 0
for i = 1, n do
  s = s + i
end
print("loop: " .. (s & 0xFFFFFFFF))
