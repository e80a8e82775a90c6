/*
 * param.h — every limit and tunable of pxOS in one place (xv6 style).
 * Portable code (pxvm/, kernel/vram.c, tools) includes it too.
 */
#ifndef PXOS_PARAM_H
#define PXOS_PARAM_H

#define PXOS_VERSION_STRING "0.1"

/* Processes */
#define NPROC            16      /* process table size; fewer if VRAM has fewer slots */
#define PROC_NAME_MAX    32      /* bytes of a process name, including the NUL */
#define SCHED_QUANTUM    20000   /* instructions a process runs before the next one */
#define PRINT_MAX        1024    /* longest string PRINT/TEXT accept, bytes */
#define WRITE_MAX        4096    /* longest single WRITE, bytes */

/* Kernel memory */
#define KSTACK_SIZE      (64 * 1024)   /* boot CPU kernel stack */
#define IST_STACK_SIZE   (16 * 1024)   /* double-fault / NMI stacks */
#define HEAP_GROW_MIN    (256 * 1024)  /* bytes the heap asks the page allocator for at once */
#define LOW_MEMORY_LIMIT 0x100000      /* physical pages below 1 MiB are never handed out */

/* Console */
#define KLOG_LINE_MAX    256     /* longest log line, bytes */
#define CONSOLE_COLS_MAX 320     /* on-screen console text buffer */
#define CONSOLE_ROWS_MAX 120

/* Serial */
#define SERIAL_BAUD      115200

/* QEMU isa-debug-exit (iobase 0xf4): QEMU exits with status (code << 1) | 1.
 * Used only when running under a hypervisor and the `debugexit` boot option is set. */
#define DEBUG_EXIT_PORT  0xF4
#define PXOS_EXIT_PANIC  0x7E    /* kernel panic or CPU exception */

#endif /* PXOS_PARAM_H */
