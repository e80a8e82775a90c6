/*
 * host.h — what the scheduler and the system calls need from the platform they
 * run on. The kernel implements these in kernel/pxhost.c, the host runner in
 * tools/pxrun; nothing else in pxvm/ knows which one it is.
 */
#ifndef PXVM_HOST_H
#define PXVM_HOST_H

#include <stdint.h>
#include <stddef.h>

/* pxhost_output: bytes a process wrote to stdout (fd 1) or stderr (fd 2). */
void pxhost_output(uint32_t pid, int fd, const char *s, size_t n);

/* pxhost_time_us: microseconds since boot. */
uint64_t pxhost_time_us(void);

/* pxhost_mem_alloc / pxhost_mem_free: memory for one process's RAM shadow,
 * PXVM_MEM_ALLOC_WORDS 32-bit words, 8-byte aligned; NULL when out of memory. */
uint32_t *pxhost_mem_alloc(void);
void pxhost_mem_free(uint32_t *mem);

/* pxhost_log: a kernel log line from the scheduler (level as in kernel/klog.h:
 * 0 debug, 1 info, 2 warn, 3 error). */
void pxhost_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* PXVM_HOST_H */
