# /apps/hellopy.py — hello from a Python guest (docs/python.md): prints,
# draws on its canvas and reads its system area, in the pxos module's terms.
import sys
import pxos

print("hello from Python, pid", pxos.getpid(), "args", sys.argv[1:])
pxos.rect(0, 0, 128, 128, (16, 16, 48))
pxos.text(4, 4, "hello, py", (255, 255, 0))
for i in range(128):
    pxos.write_pixel(100 * 128 + i, (255, i * 2, 0))
print("sum of squares below 1000:", sum(i * i for i in range(1000)))
