/*
 * abi.h — what a pxVM program sees: its memory map, the executable format, the
 * system calls, their error codes, and the faults that stop a process.
 *
 * Shared by the kernel, the host tools (pxasm, pxsim) and the tests, so every
 * number here is defined once. docs/pxvm-isa.md and docs/pxvm-abi.md explain it.
 */
#ifndef PXVM_ABI_H
#define PXVM_ABI_H

#include <stdint.h>
#include "kernel/param.h"

/* ---- Process memory map (byte addresses inside one process) ------------------
 * 64 KiB per process, which is 16384 pixels: a 128 x 128 tile of VRAM.
 *
 *   0x0000-0x00FF  vectors      the null guard: PXVM_NULL_GUARD in every word at spawn, so
 *                               a jump or call through a null pointer faults (NULL_JUMP)
 *   0x0100-0x01FF  system area  written by the kernel at spawn (below)
 *   0x0200-...     program image, then data, heap; the stack grows down from 0xF000
 *   0xF000-0xFFFF  trap page    the hypervisor's trap interface (TRAP_FLAG...)
 */
#define PXVM_MEM_SIZE     0x10000u
#define PXVM_MEM_WORDS    (PXVM_MEM_SIZE / 4u)
#define PXVM_TILE_W       128u                 /* pixels per tile row */
#define PXVM_TILE_H       128u                 /* tile rows */
#define PXVM_ROW_BYTES    (PXVM_TILE_W * 4u)   /* 512 bytes of memory per tile row */
#define PXVM_VECTORS      0x0000u
#define PXVM_SYSAREA      0x0100u
#define PXVM_IMAGE_BASE   0x0200u
#define PXVM_STACK_TOP    0xF000u
#define PXVM_IMAGE_MAX    (PXVM_STACK_TOP - PXVM_IMAGE_BASE)

/* System area fields (32-bit little-endian words). */
#define PXVM_SYS_PID      0x0100u /* this process's pid */
#define PXVM_SYS_PPID     0x0104u /* parent's pid, 0 for none */
#define PXVM_SYS_ARGC     0x0108u /* number of arguments, argv[0] = program path */
#define PXVM_SYS_ARGV     0x010Cu /* address of the argv pointer array */
#define PXVM_SYS_ABI      0x0110u /* PXVM_ABI_VERSION */
#define PXVM_SYS_ARGV_ARR 0x0120u /* argv[0..PXVM_ARGV_MAX-1] pointers */
#define PXVM_SYS_ARGSTR   0x0140u /* argument strings, NUL-terminated, to 0x01FF */
#define PXVM_ARGV_MAX     8u
#define PXVM_ARGSTR_SIZE  (0x0200u - PXVM_SYS_ARGSTR)
#define PXVM_ABI_VERSION  1u

/* Trap interface (design notes 000): written by the guest, served by the
 * hypervisor. Offsets are byte addresses; each field is 32-bit little-endian
 * except the flag byte. */
#define PXVM_TRAP_FLAG    0xF000u
#define PXVM_TRAP_ARG0    0xF001u
#define PXVM_TRAP_ARG1    0xF005u
#define PXVM_TRAP_ARG2    0xF009u
#define PXVM_TRAP_RESULT  0xF00Du

/* Trap types (design notes 000), written to TRAP_FLAG; docs/hypervisor.md. */
#define PXVM_TRAP_RUN_PYTHON   0x01u /* run a guest module from PixelFS (no Python exists) */
#define PXVM_TRAP_CALL_LLM     0x02u
#define PXVM_TRAP_LOAD_FILE    0x03u
#define PXVM_TRAP_SAMPLE_NOISE 0x04u
#define PXVM_TRAP_ORACLE       0x05u
#define PXVM_TRAP_LLM_CHAT     0x06u /* a conversation with a system prompt; the reply streamed into a file */

/* ---- Executable format (.pxe) ------------------------------------------------
 * A 16-byte little-endian header, then image_size bytes that are loaded at
 * PXVM_IMAGE_BASE. The rest of memory starts zeroed. */
#define PXE_MAGIC   0x31455850u /* "PXE1" */
#define PXE_VERSION 1u
struct pxe_header {
	uint32_t magic;       /* PXE_MAGIC */
	uint16_t version;     /* PXE_VERSION */
	uint16_t flags;       /* 0 */
	uint32_t entry;       /* byte address of the first instruction, 4-aligned */
	uint32_t image_size;  /* bytes after the header, 4-aligned, <= PXVM_IMAGE_MAX */
};
#define PXE_HEADER_SIZE 16u

/* ---- Faults: what stops a process that broke a rule of the ISA --------------
 * X(name, code, text) */
#define PXVM_FAULTS(X)                                                        \
	X(NONE,       0, "no fault")                                          \
	X(OPCODE,     1, "unknown opcode")                                    \
	X(ENCODING,   2, "reserved bits set or register above R7")            \
	X(MEM_RANGE,  3, "memory access outside the process's 64 KiB")       \
	X(UNALIGNED,  4, "unaligned word access")                             \
	X(DIV_ZERO,   5, "division by zero")                                  \
	X(JUMP,       6, "jump target outside memory or not 4-aligned")       \
	X(PC_END,     7, "execution ran past the end of memory")              \
	X(BREAKPOINT, 8, "breakpoint (BRK)")                                   \
	X(NULL_JUMP,  9, "jump or call to a null pointer (the vector page, below 0x100)") \
	X(STACK_EMPTY, 10, "RET on an empty stack (SP at or above 0xF000)")

enum pxvm_fault {
#define PXVM_X_FAULT(name, code, text) PXVM_FAULT_##name = (code),
	PXVM_FAULTS(PXVM_X_FAULT)
#undef PXVM_X_FAULT
	PXVM_FAULT_COUNT
};

/* pxvm_fault_text: a short English description of fault `f`. */
const char *pxvm_fault_text(uint32_t f);

/* ---- System calls -------------------------------------------------------------
 * SYSCALL n; arguments in R1..R5; the result in R0. A negative R0 is -PXE_E*.
 * X(name, number, cost, args, summary)
 * cost: instructions charged against the caller's quantum for the call, the
 * SYSCALL instruction included (>= 1); calls whose work grows with their
 * arguments add a computed charge on top (pxvm/syscall.c, docs/pxvm-abi.md). */
#define PXVM_SYSCALLS(X)                                                                      \
	X(PRINT,     1,   32, "R1=str",                   "write NUL-terminated string + newline to stdout") \
	X(RECT,      2,   16, "R1=x R2=y R3=w R4=h R5=rgb", "fill a rectangle of the caller's canvas layer (clipped)") \
	X(TEXT,      3,   16, "R1=x R2=y R3=str R4=rgb",  "draw a string on the caller's canvas layer")      \
	X(LAYER_USE, 4,    8, "R1=layer R2=flags",        "draw on layer 0 (shown) or 1 (back); flags&1 shows the back layer; R0 = previous layer") \
	X(READ,      5,   16, "R1=fd R2=buf R3=len",      "read bytes from stdin (0) or an open file; R0 = count, 0 at end") \
	X(WRITE,     6,   32, "R1=fd R2=buf R3=len",      "write bytes to stdout (1), stderr (2) or an open file") \
	X(EXIT,      7,    1, "R1=status",                "end the process with status 0..255")               \
	X(GETPID,    8,    1, "",                         "R0 = this process's pid, R1 = its parent's")       \
	X(YIELD,     9,    1, "",                         "give up the rest of this quantum")                 \
	X(SLEEP,    10,    4, "R1=ms",                    "block for R1 milliseconds")                        \
	X(TIME,     11,    1, "",                         "R0 = ms since boot, R1 = us since boot (both mod 2^32)") \
	X(PIXEL,    12,    4, "R1=x R2=y R3=rgb",         "set one pixel of the caller's canvas layer")       \
	X(IPC_SEND, 14,   16, "R1=pid R2=buf R3=len",     "queue a message for pid; -EAGAIN when its queue is full") \
	X(IPC_RECV, 15,   16, "R1=buf R2=cap R3=flags",   "receive a message (blocks unless flags&1); R0 = len, R1 = sender") \
	X(FS_OPEN,  20,   64, "R1=path R2=flags",         "open a file (flags: 1 write, 2 create, 4 truncate, 8 append); R0 = fd") \
	X(FS_CLOSE, 21,    4, "R1=fd",                    "close a file descriptor")                           \
	X(FS_WRITE, 22,   16, "R1=fd R2=buf R3=len",      "write to an open file of /home or /tmp (RAM until power-off)") \
	X(FS_READ,  23,   16, "R1=fd R2=buf R3=len",      "read from an open file; R0 = count, 0 at end")     \
	X(FS_STAT,  24,   64, "R1=path R2=buf",           "buf = { size, type, flags } (3 words)")              \
	X(READDIR,  25,   64, "R1=dir R2=index R3=buf R4=len", "name of entry `index` of `dir` into buf; R0 = length, -ERANGE past the end") \
	X(FS_CREATE, 26,  64, "R1=path",                  "create an empty file in /home or /tmp, or truncate one") \
	X(FORK,     30, 4096, "",                         "copy this process; R0 = child pid in the parent, 0 in the child") \
	X(SPAWN,    31, 4096, "R1=path R2=args",          "start a program from PixelFS; R0 = pid")           \
	X(EXEC,     32, 4096, "R1=path R2=args",          "replace this process's image with a program")      \
	X(WAIT,     33,    8, "R1=pid",                   "wait for child pid (0 = any) to end; R0 = pid, R1 = status") \
	X(KILL,     34,   64, "R1=pid",                   "end process pid, or every process of group -R1 (WAIT status STATUS_KILLED); see docs for who may") \
	X(SETFG,    35,    8, "R1=pid",                   "make pid the console's foreground process (gets stdin)") \
	X(PROCINFO, 36,   16, "R1=index R2=buf",          "buf = process table entry `index` (PI_* layout, 88 bytes); -ERANGE past the end") \
	X(HVTRAP,   40,   64, "R1=type R2=a0 R3=a1 R4=a2", "the trap interface as a system call (docs/hypervisor.md)") \
	X(SETSID,   41,    8, "",                         "lead a new session and process group (only programs init started); R0 = its id") \
	X(SETPGID,  42,    8, "R1=pid R2=pgid",           "a session leader moves its child pid into group pgid (0: a new group led by pid)") \
	X(GETPGID,  43,    4, "R1=pid",                   "R0 = process group of pid (0: the caller), R1 = its session") \
	X(TTYMODE,  44,    4, "R1=mode",                  "console input for the caller: TTY_COOKED lines or TTY_RAW bytes; R0 = previous mode") \
	X(INTR,     45,    2, "R1=op",                    "Ctrl-C: INTR_DEFAULT ends the job, INTR_CATCH makes it -EINTR; INTR_TAKE: R0 = 1 if one was pending") \
	X(UNLINK,   50,   64, "R1=path",                  "remove a file of /home or /tmp")                    \
	X(RENAME,   51,   64, "R1=from R2=to",            "rename a file within /home or /tmp, replacing `to` in one step") \
	X(FS_USAGE, 52,   64, "R1=path R2=buf",           "buf = { files, files max, bytes, bytes max } of the tree (/home or /tmp) holding path") \
	X(KLOG_READ, 53,  32, "R1=buf R2=len R3=offset", "copy the kernel log's kept lines from byte offset R3 (older: from the oldest kept); R0 = bytes copied, R1 = the next offset; R1-R0 != R3: lines were lost") \
	X(IMPERFECT, 60,  16, "R1=pid R2=rate R3=lo R4=hi", "imperfect mode of pid (0: the caller) or a descendant: R2 bit flips per million instructions (0 off, IMPERFECT_KEEP: ask) in bytes [R3, R4) (0, 0: all); R0 = the previous rate, R1 = flips so far") \
	X(SNAPSHOT, 61,   64, "",                         "ask for a snapshot of the machine, sent to the host bridge (the console's foreground only, one per SNAP_GAP_MS)")

enum pxvm_syscall {
#define PXVM_X_SYS(name, num, cost, args, doc) PXVM_SYS_##name = (num),
	PXVM_SYSCALLS(PXVM_X_SYS)
#undef PXVM_X_SYS
};

/* Numbers that go with the system calls: flags, record layouts, states.
 * X(name, value, doc); gen-pxos-inc prints each as `.equ name, value`. */
#define PXVM_ABI_CONSTS(X)                                                                  \
	X(STDIN,          0,    "fd of the console input (READ)")                               \
	X(FD_FIRST,       3,    "first fd FS_OPEN hands out; NOFILE fds per process")           \
	X(NOFILE,         NOFILE, "open files per process")                                     \
	X(O_WRITE,        1,    "FS_OPEN flag: open for writing (and reading)")                 \
	X(O_CREATE,       2,    "FS_OPEN flag: create the file (in RAM) when missing")          \
	X(O_TRUNC,        4,    "FS_OPEN flag: truncate to 0 bytes (with O_WRITE)")             \
	X(O_APPEND,       8,    "FS_OPEN flag: every write goes to the end (with O_WRITE)")     \
	X(ST_SIZE,        0,    "FS_STAT record: size in bytes (0 for a directory)")            \
	X(ST_TYPE,        4,    "FS_STAT record: FT_* type")                                    \
	X(ST_FLAGS,       8,    "FS_STAT record: ST_F_* flags")                                 \
	X(STAT_SIZE,      12,   "bytes of the FS_STAT record")                                  \
	X(FT_DIR,         0,    "file type: directory")                                         \
	X(FT_PROGRAM,     1,    "file type: pxVM executable")                                   \
	X(FT_TEXT,        2,    "file type: text")                                              \
	X(FT_DATA,        3,    "file type: other data")                                        \
	X(ST_F_RAM,       1,    "FS_STAT flag: a file of /home or /tmp (RAM only)")             \
	X(ST_F_DIR,       2,    "FS_STAT flag: a directory")                                    \
	X(US_FILES,       0,    "FS_USAGE record: files in the tree")                           \
	X(US_FILES_MAX,   4,    "FS_USAGE record: files the tree's quota allows")               \
	X(US_BYTES,       8,    "FS_USAGE record: bytes of the tree's files")                   \
	X(US_BYTES_MAX,   12,   "FS_USAGE record: bytes the tree's quota allows")               \
	X(USAGE_SIZE,     16,   "bytes of the FS_USAGE record")                                 \
	X(IPC_NONBLOCK,   1,    "IPC_RECV flag: return -EWOULDBLOCK instead of blocking")       \
	X(IPC_MSG_MAX,    IPC_MSG_MAX, "largest IPC message payload, bytes")                    \
	X(IPC_QUEUE_LEN,  IPC_QUEUE_LEN, "messages a receiver's queue holds")                   \
	X(LAYER_FRONT,    0,    "LAYER_USE: draw on the visible canvas")                        \
	X(LAYER_BACK,     1,    "LAYER_USE: draw on the back layer (RAM)")                      \
	X(LAYER_SHOW,     1,    "LAYER_USE flag: copy the back layer onto the visible canvas")  \
	X(PS_FREE,        0,    "PROCINFO state: slot unused")                                  \
	X(PS_RUNNABLE,    1,    "PROCINFO state: ready to run")                                 \
	X(PS_RUNNING,     2,    "PROCINFO state: running now (the caller)")                     \
	X(PS_BLOCKED,     3,    "PROCINFO state: blocked, see PI_BLOCK")                        \
	X(PS_ZOMBIE,      4,    "PROCINFO state: ended, not yet waited for")                    \
	X(PB_NONE,        0,    "PROCINFO block reason: not blocked")                           \
	X(PB_WAIT,        1,    "PROCINFO block reason: in WAIT")                               \
	X(PB_SLEEP,       2,    "PROCINFO block reason: in SLEEP")                              \
	X(PB_IPC,         3,    "PROCINFO block reason: in IPC_RECV")                           \
	X(PB_READ,        4,    "PROCINFO block reason: in READ on stdin")                      \
	X(PB_TRAP,        5,    "PROCINFO block reason: waiting for the hypervisor")            \
	X(PB_DEBUG,       6,    "PROCINFO block reason: stopped at a monitor breakpoint")      \
	X(PB_OUTPUT,      7,    "PROCINFO block reason: in WRITE/PRINT, the console's output full") \
	X(PI_PID,         0,    "PROCINFO record: pid (0 for a free slot)")                     \
	X(PI_PPID,        4,    "PROCINFO record: parent's pid (0 = the kernel)")               \
	X(PI_STATE,       8,    "PROCINFO record: PS_* state")                                  \
	X(PI_BLOCK,       12,   "PROCINFO record: PB_* block reason")                           \
	X(PI_STEPS_LO,    16,   "PROCINFO record: instructions run, low word")                  \
	X(PI_STEPS_HI,    20,   "PROCINFO record: instructions run, high word")                 \
	X(PI_SYSCALLS,    24,   "PROCINFO record: system calls made (mod 2^32)")                \
	X(PI_FAULTS,      28,   "PROCINFO record: faults taken")                                \
	X(PI_STATUS,      32,   "PROCINFO record: exit status (zombie), else 0")                \
	X(PI_SLOT,        36,   "PROCINFO record: visible slot showing it, or SLOT_NONE")       \
	X(PI_ERRORS,      40,   "PROCINFO record: system calls that returned an error")         \
	X(PI_FLAGS,       44,   "PROCINFO record: PIF_* flags")                                 \
	X(PI_PGID,        48,   "PROCINFO record: process group (its job)")                    \
	X(PI_SID,         52,   "PROCINFO record: session (the pid of its leader)")             \
	X(PI_NAME,        56,   "PROCINFO record: program name, NUL-terminated (32 bytes)")     \
	X(PROCINFO_SIZE,  88,   "bytes of the PROCINFO record")                                 \
	X(PIF_FG,         1,    "PROCINFO flag: the console's foreground process")              \
	X(PIF_BACK,       2,    "PROCINFO flag: draws on its back layer")                       \
	X(PIF_CATCH,      4,    "PROCINFO flag: catches Ctrl-C (INTR_CATCH)")                   \
	X(PIF_RAW,        8,    "PROCINFO flag: reads the console raw (TTY_RAW)")              \
	X(TTY_COOKED,     0,    "TTYMODE: edited lines, echoed (the default)")                  \
	X(TTY_RAW,        1,    "TTYMODE: bytes as typed, no echo, escape sequences passed")   \
	X(INTR_DEFAULT,   0,    "INTR: Ctrl-C ends the foreground job (the default)")           \
	X(INTR_CATCH,     1,    "INTR: Ctrl-C is an interrupt the program takes (-EINTR, INTR_TAKE)") \
	X(INTR_TAKE,      2,    "INTR: R0 = 1 and clear when an interrupt is pending, else 0")  \
	X(JOB_PROCS_MAX,  JOB_PROCS_MAX, "processes one process group (job) may hold")          \
	X(INIT_PROG_MS,   INIT_PROG_MS, "ms /boot/init gives each /boot/initrc program")         \
	X(SLOT_NONE,      -1,   "PROCINFO PI_SLOT: no visible slot shows it (0xFFFFFFFF)")      \
	X(STATUS_KILLED,  0x200, "WAIT status of a process ended by KILL or Ctrl-C")            \
	X(IMPERFECT_KEEP, -1,   "IMPERFECT rate: change nothing, only answer (0xFFFFFFFF)")      \
	X(IMPERFECT_MAX,  IMPERFECT_RATE_MAX, "IMPERFECT: the highest rate, a flip per instruction") \
	X(STATUS_NOT_RESUMABLE, 0x400, "WAIT status of a process a snapshot held that this machine cannot resume")

enum pxvm_abi_const {
#define PXVM_X_CONST(name, value, doc) PXVM_##name = (value),
	PXVM_ABI_CONSTS(PXVM_X_CONST)
#undef PXVM_X_CONST
};

/* Exit status reported by WAIT for a process stopped by a fault:
 * PXVM_STATUS_FAULTED | fault code. Normal exits report 0..255. */
#define PXVM_STATUS_FAULTED 0x100u
/* ... and for a process ended by KILL (or Ctrl-C on the console):
 * PXVM_STATUS_KILLED, defined with the constants above. */

/* ---- Error codes (R0 = -code) ------------------------------------------------
 * X(name, code, text) */
#define PXVM_ERRORS(X)                                                        \
	X(NOSYS,       1, "no such system call")                              \
	X(NOENT,       2, "no such file or directory")                        \
	X(FAULT,       3, "address outside the caller's memory")              \
	X(INVAL,       4, "invalid argument")                                 \
	X(NOEXEC,      5, "not a valid pxVM executable")                      \
	X(AGAIN,       6, "process table or message queue full")              \
	X(CHILD,       7, "no such child process")                            \
	X(NAMETOOLONG, 8, "name too long")                                    \
	X(BADF,        9, "bad file descriptor")                              \
	X(NOMEM,      10, "out of memory")                                    \
	X(RANGE,      11, "index out of range")                              \
	X(SRCH,       12, "no such process")                                 \
	X(PERM,       13, "operation not permitted")                         \
	X(MFILE,      14, "too many open files")                             \
	X(EXIST,      15, "file exists")                                     \
	X(NOSPC,      16, "no space left (a file's size limit or a full table)") \
	X(ISDIR,      17, "is a directory")                                  \
	X(WOULDBLOCK, 18, "operation would block")                           \
	X(NOBRIDGE,   19, "no host bridge on the serial line")               \
	X(TIMEDOUT,   20, "timed out")                                       \
	X(IO,         21, "input/output error (bridge or device)")           \
	X(BUSY,       22, "too many requests in flight")                     \
	X(INTR,       23, "interrupted (Ctrl-C)")                            \
	X(2BIG,       24, "too many arguments")                              \
	X(PROCLIM,    25, "too many processes in this job") \
	X(ROFS,       26, "read-only file system (only /home and /tmp are writable)") \
	X(XDEV,       27, "rename between /home and /tmp (copy instead)")    \
	X(DQUOT,      28, "quota of /home or /tmp used up (remove files)")

enum pxvm_error {
#define PXVM_X_ERR(name, code, text) PXE_E##name = (code),
	PXVM_ERRORS(PXVM_X_ERR)
#undef PXVM_X_ERR
};

/* PXE_ERRNO_MAX: the largest error code. The codes are 1..PXE_ERRNO_MAX with
 * none left out (checked in pxvm/isa.c), so it is their count. */
enum {
#define PXVM_X_ERR_COUNT(name, code, text) +1
	PXE_ERRNO_MAX = 0 PXVM_ERRORS(PXVM_X_ERR_COUNT)
#undef PXVM_X_ERR_COUNT
};

/* pxvm_is_error: whether result word `r0` (R0 of a system call, RESULT of a
 * trap) is an error, -PXE_ERRNO_MAX..-1, rather than a value. */
static inline int pxvm_is_error(uint32_t r0)
{
	return (int32_t)r0 < 0 && (int32_t)r0 >= -(int32_t)PXE_ERRNO_MAX;
}

/* pxvm_error_text: description of error code `e` (positive, as in -R0). */
const char *pxvm_error_text(uint32_t e);

/* pxvm_syscall_name: the name of syscall `n`, or NULL when there is none. */
const char *pxvm_syscall_name(uint32_t n);

#endif /* PXVM_ABI_H */
