-- fib — recursive Fibonacci, fib(n) with n = arg[1] (default 30); the same
-- algorithm as fib.pxs. Runs in Lua 5.4 and LuaJIT 2.1 alike (`%`, not `&`).
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end
local n = tonumber(arg[1]) or 30
print("fib: " .. string.format("%d", fib(n) % 4294967296))
