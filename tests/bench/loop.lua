-- loop — the sum 1 + 2 + ... + N modulo 2^32, N = arg[1] (default 10^8);
-- the same algorithm as loop.pxs. Lua integers are 64-bit, so the sum is
-- reduced modulo 2^32 once at the end (the same result as wrapping each step).
-- Runs in Lua 5.4 and LuaJIT 2.1 alike (`%`, not `&`): the sum up to 10^8 is
-- about 5 * 10^15 < 2^53, exact in LuaJIT's doubles too.
local n = tonumber(arg[1]) or 100000000
local s = 0
for i = 1, n do
  s = s + i
end
print("loop: " .. string.format("%d", s % 4294967296))
