/*
 * param.h — every limit and tunable of pxOS in one place (xv6 style).
 * Portable code (pxvm/, kernel/vram.c, tools) includes it too.
 */
#ifndef PXOS_PARAM_H
#define PXOS_PARAM_H

#define PXOS_VERSION_STRING "0.1"

/* Processes */
#define NPROC            32      /* process table size, whatever the screen (pxvm/proc.h) */
#define PROC_NAME_MAX    32      /* bytes of a process name, including the NUL */
#define SCHED_QUANTUM    20000   /* instructions a process runs before the next one */
#define PRINT_MAX        1024    /* longest string PRINT/TEXT accept, bytes */
#define WRITE_MAX        4096    /* longest single WRITE/READ, bytes */
#define SLEEP_MAX_MS     3600000 /* longest SLEEP, ms */
#define JOB_PROCS_MAX    16      /* processes (zombies included) one process group may hold: FORK,
                                  * SPAWN or SETPGID past it is -EPROCLIM (pxvm/job.c) */
#define SCHED_QUANTUM_BUDGET_US 20000 /* a quantum that takes longer (wall clock) is logged with the
                                  * pid and its slowest system call (pxvm/sched.c) */
#define SCHED_LOG_GAP_US 1000000 /* at most one overrun or job-limit log line per this long, us */

/* What system calls cost against the quantum, in instructions, beyond the
 * cost column of PXVM_SYSCALLS (pxvm/abi.h): pxvm/syscall.c charges these per
 * unit of work an argument asks for. */
#define SYS_COST_CONSOLE_BYTE 8    /* each byte PRINT/WRITE put on the console */
#define SYS_COST_COPY_SHIFT   3    /* one per 8 bytes copied (files, IPC) */
#define SYS_COST_PIXELS_SHIFT 4    /* one per 16 pixels RECT fills */
#define SYS_COST_GLYPH        16   /* each glyph TEXT draws */
#define SYS_COST_LAYER_SHOW   2048 /* LAYER_USE copying the back layer to the canvas */

/* Visible slots (pxvm/view.c) and the screen's tables (kernel/vram.c) */
#define VIEW_SLOTS_MAX   64      /* visible slots the program area can have */
#define VIEW_PAGE_KEY    0x1E    /* Ctrl-^ (Ctrl-6) on the console: show the next page of processes */
#define VRAM_FRAME_US    50000   /* the process table and slot labels are redrawn at most this often */

/* Watching execution (pxvm/watch.c, kernel/vram_watch.c; docs/watching.md) */
#define WATCH_LOG_LEN    512     /* writes a watched process's log keeps (monitor `who`) */
#define WATCH_WHO_MAX    8       /* writes `who` lists for one word, newest first */
#define WATCH_KEY        0x1D    /* Ctrl-] on the console: watching on/off for the foreground process */

/* Imperfect computing (pxvm/vm.c: bit flips; docs/watching.md) */
#define IMPERFECT_RATE_MAX 1000000 /* flips per million instructions at most (one per instruction) */

/* IPC (pxvm/ipc.c) */
#define IPC_QUEUE_LEN    8       /* messages queued per receiving process */
#define IPC_MSG_MAX      256     /* payload bytes per message */

/* Files (pxvm/vfs.c): PixelFS from the ramdisk, read-only; the writable trees
 * /home and /tmp in RAM, each with a quota of files and bytes. The file
 * quotas share out the RAM file table (each RAM file holds one 64 KiB block
 * of kernel memory, 4 MiB for the table). /home's bytes are sized for issue
 * 11's mirror through pxbridge: 512 KiB come back in about 64 s at the
 * serial line's 8 KB/s, in the background. */
#define NOFILE           8       /* open files per process (fds 3..) */
#define VFS_FILE_MAX     (64 * 1024) /* largest file a process can write, bytes */
#define VFS_HOME_FILES   48      /* files in /home at once */
#define VFS_HOME_BYTES   (512 * 1024) /* bytes of all files in /home together */
#define VFS_TMP_FILES    16      /* files in /tmp at once */
#define VFS_TMP_BYTES    (512 * 1024) /* bytes of all files in /tmp together */
#define VFS_RAM_FILES    (VFS_HOME_FILES + VFS_TMP_FILES) /* the RAM file table */

/* Python guests (pxvm/py, docs/python.md) */
#define PY_HEAP_BLOCKS   4       /* 64 KiB memory blocks of a Python process's heap (MicroPython's split GC heap) */
#define PY_STACK_GUARD   1024    /* guard bytes below a Python process's C stack, checked at every switch */
#define PY_STACK_MARGIN  (12 * 1024) /* C stack kept below MicroPython's RecursionError limit (interrupt frames, calls without a check) */
#define PY_MIRROR_US     VRAM_FRAME_US /* the tile's heap window is copied at most this often */
#define PY_QUANTUM_US    2000    /* a Python process's quantum ends after this long, even with hooks left */
#define PY_ARENA_BLOCKS  64      /* 68 KiB blocks of Python memory reserved at boot (6 a process: kernel/pymem.c) */
#define PY_ARENA_PHYS    0x4000000 /* where that arena goes when free (64 MiB), so every boot has it at one address */
#define PY_CHECK_HOOKS   128     /* at most this many budget units (hooks) between two reads of the clock (fewer when hooks are slow) */

/* Console (pxvm/tty.c, docs/isolation.md "The console contract") */
#define TTY_INPUT_MAX    1024    /* bytes of typed input kept for stdin */
#define TTY_LINE_MAX     256     /* longest edited input line */
#define TTY_OUT_CHUNK    256     /* bytes of a console WRITE handed to the platform at a time */
#define TTY_INTR_KILL_US 1000000 /* a second Ctrl-C within this long of the first ends the job */
#define INPUT_LATENCY_MAX_US 100000 /* input taken later than this (typed -> READ returns, hot key ->
                                  * monitor prompt) is logged as a warning */
#define INIT_PROG_MS     10000   /* /boot/init gives each /boot/initrc program this long, then ends it */

/* Trap hypervisor (pxvm/hv.c) and the serial bridge (kernel/bridge.c) */
#define HV_INFLIGHT_MAX  8       /* LLM/oracle calls in flight at once */
#define HV_PROMPT_MAX    4096    /* longest prompt, bytes */
#define HV_REPLY_MAX     8192    /* longest reply kept by the kernel, bytes */
#define HV_LLM_TIMEOUT_MS 60000  /* an LLM call with no sign of life (part, keep-alive) for this long fails */
#define HV_LLM_MAX_MS    600000  /* no LLM call lasts longer, keep-alives or not */
#define HV_CHAT_MAX      (48 * 1024) /* LLM_CHAT: longest conversation (system id + turns, encoded), bytes */
#define HV_CHAT_REPLY_MAX (32 * 1024) /* LLM_CHAT: reply bytes kept (file and Python); the rest is counted, TRUNCATED */
#define HV_MAX_TOKENS    65535   /* largest max_tokens a call may ask for (the protocol's 16-bit field) */
#define HV_CHATS_MAX     4       /* LLM_CHAT calls in flight at once (each holds a 64 KiB block) */

#define SNAP_GAP_MS            10000  /* SNAPSHOT: one per this long, whoever asks (docs/snapshots.md) */
#define BRIDGE_PAYLOAD_MAX     4608   /* largest frame payload, bytes (a REQUEST: 8 + model + prompt) */
#define BRIDGE_TXQ             16     /* reliable frames the kernel queues for sending */
#define BRIDGE_HELLO_WAIT_MS   300    /* boot handshake: wait this long for HELLO_ACK */
#define BRIDGE_RETRY_MS        400    /* resend an unacknowledged frame after this long */
#define BRIDGE_RETRIES         8      /* sends of one frame before the link is declared down */
#define BRIDGE_PROBE_MS        3000   /* bridge silent this long with calls in flight: send HELLO */
#define BRIDGE_IDLE_TIMEOUT_MS 20000  /* no reply part or keep-alive this long: -ETIMEDOUT */
#define BRIDGE_CALL_TIMEOUT_MS 300000 /* no call lasts longer than this: -ETIMEDOUT */
#define BRIDGE_NAK_GAP_MS      100    /* send at most one NAK per this long (bad-frame storms) */
#define BRIDGE_HELLO_GAP_MS    200    /* answer at most one HELLO per this long (HELLO storms) */
#define BRIDGE_SESSION_GAP_MS  1000   /* accept at most one new peer session per this long */
#define BRIDGE_RESUBMITS       2      /* a call is re-sent to a restarted bridge at most this often */

/* Kernel memory */
#define KSTACK_SIZE      (64 * 1024)   /* boot CPU kernel stack */
#define IST_STACK_SIZE   (16 * 1024)   /* double-fault / NMI stacks */
#define HEAP_GROW_MIN    (256 * 1024)  /* bytes the heap asks the page allocator for at once */
#define LOW_MEMORY_LIMIT 0x100000      /* physical pages below 1 MiB are never handed out */

/* Console */
#define KLOG_LINE_MAX    256     /* longest log line, bytes */
#define KLOG_CHUNK       256     /* console output escaped at a time, bytes (4x that on the stack) */
#define CONSOLE_COLS_MAX 320     /* on-screen console text buffer */
#define CONSOLE_ROWS_MAX 120
#define VT_ROWS_MIN      24      /* rows of the screen console's grid however few it shows (kernel/vt.h):
                                  * full-screen programs (edit) draw an 80 x 24 screen */
#define CONSOLE_FRAME_US 40000   /* the screen console starts a drawing pass at most once per this, us (25/s) */
#define CONSOLE_DRAW_US  2000    /* ... and draws at most this long between two quanta, us */
#define KLOG_REDRAW_MAX  512     /* longest line a log line interrupts that is drawn again after it, bytes */
#define KLOG_BACKLOG     8192    /* console text waiting for room in the serial ring, bytes: what the
                                  * kernel writes while the scheduler runs never waits (kernel/klog.c) */
#define KLOG_HOLD        2048    /* log lines (INFO, WARN) held while a process writes a line, bytes */
#define KLOG_HOLD_US     250000  /* ... at most this long, us: then they cut the line (kernel/klog.c) */
#define KLOG_KEEP        16384   /* the newest log lines kept for readers (KLOG_READ, dmesg), bytes */
#define KLOG_READ_MAX    4096    /* bytes one pxos.klog() call returns at most */

/* Output escaper (pxvm/escape.c, docs/isolation.md) */
#define ESCAPE_CSI_MAX   16      /* parameter bytes (digits, ';') of an allowed CSI sequence */

/* Page mapping, memory types (kernel/vmm.c, kernel/mtrr.c) */
#define MTRR_VAR_MAX       32    /* variable MTRRs read (MTRRCAP.VCNT is 8..10 on real CPUs) */
#define VMM_MAPPINGS_MAX   64    /* vmm_map ranges remembered (for overlap checks and `mtrr`) */
#define VMM_WINDOW_BASE    0xFFFF800000000000ull /* where ranges above the lower half get mapped */
#define VMM_WINDOW_SIZE    (64ull << 30)         /* bytes of that window */
#define FBBENCH_MS         250   /* fbbench: time spent on each measurement */

/* PCI (drivers/pci.c) */
#define PCI_MAX_DEVICES    256   /* functions kept by the enumeration */
#define PCI_MAX_ECAM       16    /* MCFG entries (segment, bus range) used */
#define PCI_MAX_CAPS       48    /* capability-list entries walked (the 192 bytes hold at most 48) */
#define PCI_MAX_EXT_CAPS   960   /* extended capabilities walked ((4096 - 256) / 4) */

/* Serial */
#define SERIAL_BAUD      115200
#define SERIAL_TX_RING   16384   /* transmit ring (kernel/serial.c), bytes; a power of two */
#define SERIAL_TX_WAITERS 4      /* wake-ups registered for transmit-ring space at once */
#define SERIAL_STALL_US  200000  /* a synchronous write gives up after this long without progress, us */

/* QEMU isa-debug-exit (iobase 0xf4): QEMU exits with status (code << 1) | 1.
 * Used only when running under a hypervisor and the `debugexit` boot option is set. */
#define DEBUG_EXIT_PORT  0xF4
#define PXOS_EXIT_PANIC  0x7E    /* kernel panic or CPU exception */

/* Interrupts and input (kernel/irq.c, kernel/input.c) */
#define TICK_HZ          1000    /* the tick (PIT, LAPIC timer or HPET): wakes the idle CPU, bounds deadline lateness */
#define TICK_CHECK_MS    100     /* how long irq_init waits for a tick source's first tick */
#define VECTOR_LAPIC_TIMER 0x30  /* LAPIC timer tick (ISA IRQ n stays on 0x20 + n, 8259 or I/O APIC) */
#define VECTOR_APIC_SPURIOUS 0xFF /* LAPIC spurious-interrupt vector (no EOI) */
#define MADT_MAX_IOAPIC  8       /* I/O APICs kept from the MADT */
#define MADT_MAX_ISO     24      /* interrupt source overrides kept from the MADT */
#define HWINFO_MAX       24      /* hwinfo line providers (kernel/hwinfo.h) */

/* Timekeeping (drivers/timer.c, drivers/timer_pick.c) */
#define TIMER_MIN_HZ     100000000ull    /* a TSC slower than 100 MHz is a failed measurement */
#define TIMER_MAX_HZ     10000000000ull  /* ... and one faster than 10 GHz too */
#define TIMER_AGREE_PPM  20000   /* two sources agree within 2% (measurements differ by < 0.1% on a PC) */
#define TIMER_CAL_MS     50      /* window of one counter measurement (HPET, PM timer, PIT) */
#define TIMER_RTC_WAIT_MS 2500   /* longest wait for the RTC's second edges (needs two: 1..2 s) */
#define TIMER_RTC_TRIES   3      /* RTC measurements tried before it counts as failed */
#define INPUT_RING_SIZE  4096    /* bytes queued per input ring (keyboard scancodes, serial RX) */
#define MONITOR_HOTKEY   0x1C    /* Ctrl-\ on keyboard or serial: enter the debug monitor */

/* PS/2 keyboard (drivers/ps2kbd.c) */
#define PS2_WAIT_US        50000   /* one byte to or from the i8042 */
#define PS2_TRIES          3       /* a command the controller or keyboard misses is sent again */

/* USB (drivers/xhci*.c, drivers/usb*.c, drivers/hid_boot.c); times in ms */
#define USB_HC_MAX               4    /* xHCI controllers driven */
#define USB_DEVICES_MAX          32   /* USB devices on all controllers (xHCI slots in use) */
#define USB_ROOT_PORTS_MAX       32   /* root ports served per controller (more are left off) */
#define USB_HUB_PORTS_MAX        15   /* downstream ports served per hub (a route string nibble) */
#define USB_HUB_DEPTH_MAX        5    /* hubs in a chain (USB 2.0 §4.1.1) */
#define USB_DESC_IFACES_MAX      8    /* interfaces kept from a configuration descriptor */
#define USB_DESC_EPS_MAX         4    /* endpoints kept per interface */
#define USB_CONFIG_DESC_MAX      512  /* configuration descriptor bytes read */
#define USB_HANDOFF_TIMEOUT_MS   1000 /* BIOS releases the xHCI (USB Legacy Support) */
#define USB_HC_HALT_TIMEOUT_MS   100  /* xHCI halts after Run/Stop is cleared (spec: 16 ms) */
#define USB_HC_RESET_TIMEOUT_MS  1000 /* xHCI reset and Controller Not Ready clear */
#define USB_CMD_TIMEOUT_MS       500  /* an xHCI command completes */
#define USB_CTRL_TIMEOUT_MS      500  /* a control transfer completes (USB 2.0 §9.2.6.4: 500 ms) */
#define USB_PORT_RESET_TIMEOUT_MS 500 /* a port reset completes */
#define USB_DEBOUNCE_MS          100  /* connect to reset (USB 2.0 §7.1.7.3 TATTDB) */
#define USB_RESET_RECOVERY_MS    10   /* reset to first request (USB 2.0 §7.1.7.5 TRSTRCY) */
#define USB_POWER_ON_MS          20   /* root ports powered on to first look (xHCI 1.2 §4.19.4) */
#define USB_KBD_MAX              8    /* USB keyboards at once */
#define USB_HUB_MAX              8    /* USB hubs at once */
#define USB_KBD_REPORTS          4    /* interrupt transfers queued per keyboard or hub */
#define USB_ATTACH_TRIES         3    /* enumeration attempts per connection */
#define USB_RETRY_MS             500  /* between them */
#define USB_RESCAN_MS            1000 /* root ports are looked at this often even without events */
#define USB_SETTLE_MIN_MS        200  /* boot looks at the ports at least this long (connect detection) */
#define USB_BOOT_SETTLE_MS       3000 /* boot waits at most this long for devices and hubs to enumerate */
#define USB_KBD_REPEAT_DELAY_MS  500  /* a held key repeats after this long ... */
#define USB_KBD_REPEAT_MS        33   /* ... and then this often (~30 per second) */
#define USB_EP_ERRORS_MAX        8    /* transfer errors in a row before an endpoint is given up */

/* Host tools */
#define PXASM_FILE_MAX   (16 * 1024 * 1024) /* largest source or include file pxasm reads, bytes */
#define HOSTIO_IMAGE_FILE_MAX (256 * 1024 * 1024) /* largest image file the host tools read, bytes */
#define HOSTIO_DECODE_MAX (2048ull * 1024 * 1024) /* memory a host tool may spend decoding one PNG, bytes */

/* Debug monitor breakpoints (pxvm/debug.c) */
#define DEBUG_BP_MAX      32     /* breakpoints in all processes together */
#define DEBUG_BP_PER_PROC 8      /* breakpoints in one process */

#endif /* PXOS_PARAM_H */
