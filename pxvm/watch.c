/*
 * watch.c — the watched process's write log, its marks and its picture; see
 * watch.h.
 */
#include "watch.h"
#include "vm.h"
#include "disasm.h"
#include "port.h"

_Static_assert(WATCH_BYTES <= PXVM_MEM_ALLOC_WORDS * 4u, "the watch state fits one pxhost_mem_alloc block");
_Static_assert(PXVM_MEM_WORDS == PXVM_TILE_W * PXVM_TILE_H, "one word per tile pixel");

void watch_init(struct pxvm_watch *w, uint32_t flags)
{
	memset(w, 0, sizeof(*w));
	w->flags = flags;
}

void watch_reset(struct pxvm_watch *w)
{
	uint32_t flags = w->flags;
	uint64_t frames = w->frames;
	watch_init(w, flags);
	w->frames = frames;
}

void watch_write(struct pxvm_watch *w, const uint32_t *mem, uint32_t addr, uint32_t len, uint32_t pc,
                 uint32_t insn, uint64_t step, enum watch_by by)
{
	if (!len || addr >= PXVM_MEM_SIZE)
		return;
	if (len > PXVM_MEM_SIZE - addr)
		len = PXVM_MEM_SIZE - addr;
	struct watch_entry *e = &w->log[w->writes % WATCH_LOG_LEN];
	w->writes++;
	*e = (struct watch_entry){ step, w->now_us, addr, len, pc, insn, mem[addr >> 2], (uint32_t)by };
	for (uint32_t i = addr >> 2; i <= (addr + len - 1) >> 2; i++) {
		uint64_t bit = 1ull << (i & 63u);
		w->heat[i] = 255;
		w->written[i >> 6] |= bit;
		if ((w->ran[i >> 6] & bit) && !(w->rewritten[i >> 6] & bit)) {
			w->rewritten[i >> 6] |= bit; /* it ran, now it is stored to: self-modification */
			w->rewrites++;
		}
	}
}

/* secs: "S.uuuuuu" of a time in microseconds. */
static void secs(char *buf, size_t n, uint64_t us)
{
	snprintf(buf, n, "%llu.%06llu s", (unsigned long long)(us / 1000000u), (unsigned long long)(us % 1000000u));
}

unsigned watch_who(const struct pxvm_watch *w, uint32_t addr, unsigned max, char *buf, size_t cap)
{
	size_t n = 0;
	unsigned found = 0;
	uint32_t word = addr & ~3u;
	uint64_t kept = w->writes < WATCH_LOG_LEN ? w->writes : WATCH_LOG_LEN;
	if (cap)
		buf[0] = '\0';
#define OUT(...)                                                                \
	do {                                                                        \
		if (n < cap)                                                            \
			n += (size_t)snprintf(buf + n, cap - n, __VA_ARGS__);               \
	} while (0)
	for (uint64_t k = 0; k < kept && found < max; k++) {
		const struct watch_entry *e = &w->log[(w->writes - 1 - k) % WATCH_LOG_LEN];
		if (e->addr > word + 3 || e->addr + e->len <= word)
			continue;
		found++;
		char t[32], dis[PXVM_DISASM_MAX];
		secs(t, sizeof(t), e->us);
		OUT("  step %llu (run began at %s): ", (unsigned long long)e->step, t);
		switch (e->by) {
		case WATCH_BY_INSN:
			pxvm_disasm(e->insn, 0, e->pc, dis, sizeof(dis));
			OUT("0x%04x %s (word 0x%08x) stored %u byte%s at 0x%04x", e->pc, dis, e->insn, e->len,
			    e->len == 1 ? "" : "s", e->addr);
			break;
		case WATCH_BY_KERNEL:
			pxvm_disasm(e->insn, 0, e->pc, dis, sizeof(dis));
			OUT("the kernel, answering 0x%04x %s, wrote %u byte%s at 0x%04x", e->pc, dis, e->len,
			    e->len == 1 ? "" : "s", e->addr);
			break;
		default:
			OUT("imperfect mode flipped bit %u of byte 0x%04x (pc 0x%04x)", e->insn, e->addr, e->pc);
			break;
		}
		/* The value is the word the entry's write left; a later write to
		 * another byte of it may have changed it since. */
		if (e->addr >> 2 == word >> 2)
			OUT("; word 0x%04x became 0x%08x\n", word, e->value);
		else
			OUT("; covers word 0x%04x\n", word);
	}
	if (!found) {
		if (kept)
			OUT("  no write to word 0x%04x among the last %llu of %llu writes logged (since step %llu)\n", word,
			    (unsigned long long)kept, (unsigned long long)w->writes,
			    (unsigned long long)w->log[(w->writes - kept) % WATCH_LOG_LEN].step);
		else
			OUT("  no write to word 0x%04x: nothing written since watching began\n", word);
	}
#undef OUT
	return found;
}

/* scale: colour c (0x00BBGGRR) at num/8 brightness. */
static uint32_t scale(uint32_t c, uint32_t num)
{
	uint32_t r = (c & 0xFFu) * num / 8, g = ((c >> 8) & 0xFFu) * num / 8, b = ((c >> 16) & 0xFFu) * num / 8;
	return r | g << 8 | b << 16;
}

/* mix: c toward colour `to` by k/256 (k 0..256). */
static uint32_t mix(uint32_t c, uint32_t to, uint32_t k)
{
	uint32_t out = 0;
	for (int s = 0; s < 24; s += 8) {
		uint32_t a = (c >> s) & 0xFFu, b = (to >> s) & 0xFFu;
		out |= ((a * (256 - k) + b * k) >> 8) << s;
	}
	return out;
}

#define COL_PC       0xFFFFFFu /* white */
#define COL_PC_RING  0xFFFF00u /* cyan (0x00BBGGRR) */
#define COL_REWRITE  0xFF00FFu /* magenta */
#define COL_HEAT     0x50FFFFu /* yellow, a little white */

void watch_frame(struct pxvm_watch *w, const uint32_t *mem, uint32_t pc, uint32_t *out)
{
	const uint32_t f = w->flags;
	for (uint32_t i = 0; i < PXVM_MEM_WORDS; i++) {
		uint32_t c = mem[i] & 0xFFFFFFu;
		c = (f & WATCH_PC) && watch_bit(w->ran_frame, i) ? c : scale(c, 3);
		if ((f & WATCH_CODE) && watch_bit(w->rewritten, i))
			c = mix(c, COL_REWRITE, 128);
		if ((f & WATCH_WRITES) && w->heat[i])
			c = mix(c, COL_HEAT, (uint32_t)w->heat[i] + 1);
		out[i] = c;
		w->heat[i] = (uint8_t)(w->heat[i] * 5u / 8u);
	}
	if ((f & WATCH_PC) && pc < PXVM_MEM_SIZE) {
		int px = (int)((pc >> 2) % PXVM_TILE_W), py = (int)((pc >> 2) / PXVM_TILE_W);
		for (int dy = -2; dy <= 2; dy++)
			for (int dx = -2; dx <= 2; dx++) {
				int x = px + dx, y = py + dy;
				if ((dx == -2 || dx == 2 || dy == -2 || dy == 2) && x >= 0 && y >= 0 &&
				    x < (int)PXVM_TILE_W && y < (int)PXVM_TILE_H)
					out[y * (int)PXVM_TILE_W + x] = COL_PC_RING;
			}
		out[py * (int)PXVM_TILE_W + px] = COL_PC;
	}
	memset(w->ran_frame, 0, sizeof(w->ran_frame));
	w->frames++;
}
