/*
 * ipc.c — bounded message queues per process; see ipc.h.
 */
#include "ipc.h"
#include "proc.h"
#include "snapio.h"
#include "port.h"

struct msg {
	uint32_t from, len;
	uint8_t data[IPC_MSG_MAX];
};

struct queue {
	uint32_t head, count;  /* ring of IPC_QUEUE_LEN messages */
	struct msg m[IPC_QUEUE_LEN];
};

static struct queue queues[NPROC]; /* by table index */

/* ipc_proc_gone: `p` ended: drop its queue. */
static void ipc_proc_gone(struct proc *p);

void ipc_init(void)
{
	memset(queues, 0, sizeof(queues));
	proc_on_gone(ipc_proc_gone);
}

uint32_t ipc_pending(const struct proc *p) { return queues[proc_index(p)].count; }

static void ipc_proc_gone(struct proc *p) { memset(&queues[proc_index(p)], 0, sizeof(queues[0])); }

/* deliver: copy a message into blocked receiver `p`'s buffer and set its
 * results (R0 copied, R1 sender, R2 full length). */
static void deliver(struct proc *p, uint32_t from, const uint8_t *data, uint32_t len)
{
	uint32_t n = len < p->io_len ? len : p->io_len;
	pxvm_write(&p->vm, p->io_buf, data, n); /* checked when it blocked */
	p->vm.r[0] = n;
	p->vm.r[1] = from;
	p->vm.r[2] = len;
}

int ipc_send(struct proc *from, uint32_t pid, uint32_t buf, uint32_t len)
{
	uint8_t data[IPC_MSG_MAX];
	if (len > IPC_MSG_MAX)
		return -PXE_EINVAL;
	int e = pxvm_read(&from->vm, buf, data, len);
	if (e)
		return e;
	struct proc *to = proc_find(pid);
	if (!to || to->state == PROC_ZOMBIE)
		return -PXE_ESRCH;
	if (to->state == PROC_BLOCKED && to->block == BLOCK_IPC) {
		deliver(to, from->pid, data, len);
		proc_wake(to);
		return 0;
	}
	struct queue *q = &queues[proc_index(to)];
	if (q->count == IPC_QUEUE_LEN)
		return -PXE_EAGAIN;
	uint32_t mine = 0;
	for (uint32_t k = 0; k < q->count; k++)
		mine += q->m[(q->head + k) % IPC_QUEUE_LEN].from == from->pid;
	if (to != from && mine >= IPC_QUEUE_LEN / 2)
		return -PXE_EAGAIN;
	struct msg *m = &q->m[(q->head + q->count) % IPC_QUEUE_LEN];
	m->from = from->pid;
	m->len = len;
	memcpy(m->data, data, len);
	q->count++;
	return 0;
}

int ipc_recv(struct proc *p, uint32_t buf, uint32_t cap, uint32_t flags)
{
	if (flags & ~(uint32_t)PXVM_IPC_NONBLOCK) {
		p->vm.r[0] = (uint32_t)-PXE_EINVAL;
		return 0;
	}
	if (cap > IPC_MSG_MAX)
		cap = IPC_MSG_MAX;
	if (!pxvm_range_ok(buf, cap)) {
		p->vm.r[0] = (uint32_t)-PXE_EFAULT;
		return 0;
	}
	p->io_buf = buf;
	p->io_len = cap;
	struct queue *q = &queues[proc_index(p)];
	if (q->count) {
		struct msg *m = &q->m[q->head];
		deliver(p, m->from, m->data, m->len);
		q->head = (q->head + 1) % IPC_QUEUE_LEN;
		q->count--;
		return 0;
	}
	if (flags & PXVM_IPC_NONBLOCK) {
		p->vm.r[0] = (uint32_t)-PXE_EWOULDBLOCK;
		return 0;
	}
	proc_block(p, BLOCK_IPC);
	return 1;
}

/* ---- snapshots (pxvm/snap.h, section IPC v1) ------------------------------ */

void ipc_snap_save(struct snapw *w)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < NPROC; i++)
		n += queues[i].count != 0;
	snapw_u32(w, n);
	for (uint32_t i = 0; i < NPROC; i++) {
		const struct queue *q = &queues[i];
		if (!q->count)
			continue;
		snapw_u32(w, i);
		snapw_u32(w, q->count);
		for (uint32_t k = 0; k < q->count; k++) {
			const struct msg *m = &q->m[(q->head + k) % IPC_QUEUE_LEN];
			snapw_u32(w, m->from);
			snapw_u32(w, m->len);
			snapw_bytes(w, m->data, m->len);
		}
	}
}

int ipc_snap_load(struct snapr *r, bool apply)
{
	uint32_t n = snapr_u32(r);
	if (n > NPROC)
		return -PXE_EINVAL;
	for (uint32_t j = 0; j < n; j++) {
		uint32_t i = snapr_u32(r), count = snapr_u32(r);
		if (r->bad || i >= NPROC || !count || count > IPC_QUEUE_LEN)
			return -PXE_EINVAL;
		struct queue *q = &queues[i];
		if (apply)
			q->head = q->count = 0;
		for (uint32_t k = 0; k < count; k++) {
			uint32_t from = snapr_u32(r), len = snapr_u32(r);
			if (len > IPC_MSG_MAX)
				return -PXE_EINVAL;
			const uint8_t *data = snapr_ptr(r, len);
			if (!data)
				return -PXE_EINVAL;
			if (!apply)
				continue;
			q->m[k].from = from;
			q->m[k].len = len;
			memcpy(q->m[k].data, data, len);
			q->count++;
		}
	}
	return 0;
}
