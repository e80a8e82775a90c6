# /apps/mandel.py — draws the Mandelbrot set on this process's canvas, a row
# at a time, in floating point (docs/python.md): a drawing program, and a
# busy one (the scheduler preempts it like any other).
#
#   mandel.py [ITERATIONS]     (default 48)
#
# Pixel (x, y) of the 128x128 canvas is the point -2.2 + 3.0*x/128,
# -1.5 + 3.0*y/128 of the plane; its colour says after how many iterations
# of z = z*z + c the point escaped |z| > 2 (black: it did not). Prints the
# number of points inside and the time taken. Exit status 0.
import sys
import pxos

N = int(sys.argv[1]) if len(sys.argv) > 1 else 48


def colour(k):
    if k >= N:
        return (0, 0, 0)
    t = k / N
    return (int(255 * t), int(255 * (1 - t) * t * 4) & 255, int(255 * (1 - t)))


t0 = pxos.time_ms()
inside = 0
for y in range(128):
    ci = -1.5 + 3.0 * y / 128
    for x in range(128):
        cr = -2.2 + 3.0 * x / 128
        zr = zi = 0.0
        k = 0
        while k < N and zr * zr + zi * zi <= 4.0:
            zr, zi = zr * zr - zi * zi + cr, 2 * zr * zi + ci
            k += 1
        if k >= N:
            inside += 1
        pxos.pixel(x, y, colour(k))
print("mandel.py: %d of 16384 points inside after %d iterations, %d ms" % (inside, N, pxos.time_ms() - t0))
