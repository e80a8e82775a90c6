/*
 * fbbench.h — the `fbbench` monitor command: how many bytes per second the
 * tile flush (kernel/vram.c vram_tile_flush, the path every process's memory
 * takes to the screen) moves into the framebuffer, with the framebuffer
 * write-combining and then uncached (Intel SDM vol. 3A §11.3 table 11-2: WC
 * merges writes into bursts, UC makes each one a bus transaction), beside a
 * RAM-to-RAM copy of the same size. On real PCs the WC figure is many times
 * the UC one; under QEMU's TCG the two are alike (no caches are emulated).
 */
#ifndef PXOS_FBBENCH_H
#define PXOS_FBBENCH_H

/* fbbench_monitor_cmd: run the measurement on slot 0's tile (its pixels are
 * read first and written back unchanged, so the screen does not change) and
 * print one line per memory type. Takes about 3 x FBBENCH_MS (kernel/param.h). */
void fbbench_monitor_cmd(int argc, char **argv);

#endif /* PXOS_FBBENCH_H */
