/*
 * ipc.h — message passing between pxVM processes (IPC_SEND / IPC_RECV).
 *
 * Every process has one bounded queue of IPC_QUEUE_LEN messages of at most
 * IPC_MSG_MAX bytes (kernel/param.h), kept in kernel memory by table entry. A
 * send never blocks: a full queue gives -PXE_EAGAIN, and so does a sender that
 * already holds half of the receiver's queue, so one flooding process cannot
 * shut everyone else out of a receiver. A receive blocks (BLOCK_IPC) until a
 * message comes, unless asked not to. docs/pxvm-abi.md is the prose.
 */
#ifndef PXVM_IPC_H
#define PXVM_IPC_H

#include <stdint.h>
#include <stdbool.h>

struct proc;

/* ipc_init: empty every queue; register ipc_proc_gone as a teardown hook. */
void ipc_init(void);

/* ipc_send: IPC_SEND for `from`: copy `len` bytes at guest address `buf` into
 * the queue of process `pid`, or straight into its buffer when it is blocked
 * in IPC_RECV (then it wakes). Returns 0 or -PXE_E*: INVAL (len > IPC_MSG_MAX),
 * FAULT (buffer outside the sender's memory), SRCH (no such live process),
 * AGAIN (queue full, or the sender holds half of it already). */
int ipc_send(struct proc *from, uint32_t pid, uint32_t buf, uint32_t len);

/* ipc_recv: IPC_RECV for `p` into guest buffer `buf` of `cap` bytes; flags bit
 * 0 (PXVM_IPC_NONBLOCK) = do not block. Returns 1 when `p` blocked, else 0 with
 * R0 = bytes copied (a longer message is truncated to cap), R1 = sender pid,
 * R2 = the message's full length; or R0 = -PXE_EFAULT / -PXE_EINVAL (unknown
 * flags) / -PXE_EWOULDBLOCK. */
int ipc_recv(struct proc *p, uint32_t buf, uint32_t cap, uint32_t flags);

/* ipc_pending: messages waiting in `p`'s queue. */
uint32_t ipc_pending(const struct proc *p);

struct snapw;
struct snapr;
/* ipc_snap_save / ipc_snap_load: the queued messages (by table entry) as section IPC v1
 * (pxvm/snap.h); load with `apply` false only checks, true loads into the
 * module just reset by its init. 0 or -PXE_EINVAL. */
void ipc_snap_save(struct snapw *w);
int ipc_snap_load(struct snapr *r, bool apply);

#endif /* PXVM_IPC_H */
