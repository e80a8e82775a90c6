-- copy — copy a 16 KiB buffer (4096 32-bit words) arg[1] times (default
-- 10000), a word at a time; prints the sum of the copied words mod 2^32. The
-- same algorithm as copy.pxs (table.move is not used: it is C, not Lua).
-- Runs in Lua 5.4 and LuaJIT 2.1 alike: `%` instead of Lua 5.3's `&`, which
-- LuaJIT does not parse. Every value stays below 2^53, so LuaJIT's doubles
-- hold it exactly (x * 1664525 + 1013904223 < 2^32 * 2^21 + 2^30), and in Lua
-- 5.4 integer % integer stays an integer.
local M32 = 4294967296 -- 2^32
local words = 4096
local runs = tonumber(arg[1]) or 10000
local src, dst = {}, {}
local x = 1
for i = 1, words do
  x = (x * 1664525 + 1013904223) % M32
  src[i] = x
  dst[i] = 0
end
for _ = 1, runs do
  for i = 1, words do dst[i] = src[i] end
end
local sum = 0
for i = 1, words do sum = sum + dst[i] end
print("copy: " .. string.format("%d", sum % M32))
