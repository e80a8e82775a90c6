/*
 * uartsel.c — the console UART: the `serial=` option, SPCR, COM1/COM2, PCI
 * cards, DBG2; see uartsel.h.
 */
#include <stdarg.h>
#include "uartsel.h"
#include "console.h"
#include "klog.h"
#include "lib.h"
#include "param.h"
#include "vmm.h"
#include "boot/bootinfo.h"
#include "drivers/acpi.h"
#include "drivers/pci.h"
#include "drivers/spcr.h"
#include "drivers/uart16550.h"

#define DBG2_PORTS_MAX 4
#define PCI_CLASS_SERIAL 0x07
#define PCI_SUB_SERIAL   0x00   /* "serial controller"; prog-if 02..06: 16550, 16650, 16750, 16850, 16950 */
#define DEFAULT_ORDER "default order SPCR, COM1, COM2, PCI, DBG2: "

static struct uartsel_opt opt;
static char opt_text[96];                 /* the option as given, for messages */
static bool final;                        /* uartsel_early's choice stands */
static bool com_ok[2];                    /* COM1, COM2 answered the probe */
static bool coms_probed;
static struct uart_port early_port;       /* the port uartsel_early left in use */
static bool early_present;
static const struct pxos_bootinfo *boot;  /* for the memory map (uartsel_choose) */
static char name[48] = "none";
static char reason[200];                  /* why this port: fits one log line */
static char explicit_why[200];            /* why serial= could not be followed */
static char why_not[160];                 /* why the last candidate failed */
static char cand_spcr[128], cand_dbg2[160], cand_com[64], cand_pci[200];

static const uint16_t com_port[2] = { UART_COM1, UART_COM2 };

/* note: append to `buf` (`n` bytes) with ", " between items (none after
 * a ": " or "; "). */
static void note(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(char *buf, size_t n, const char *fmt, ...)
{
	size_t k = strlen(buf);
	if (k >= 2 && buf[k - 1] != ' ' && k + 2 < n) {
		buf[k++] = ',';
		buf[k++] = ' ';
		buf[k] = '\0';
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + k, n - k, fmt, ap);
	va_end(ap);
}

/* label_of: "COM1", "SPCR COM2", "io 0x3e8", "DBG2 mmio 0xfe032000". */
static void label_of(const char *prefix, const struct uart_port *p, char *buf, size_t n)
{
	if (p->space == UART_SPACE_IO && (p->base == UART_COM1 || p->base == UART_COM2))
		snprintf(buf, n, "%s%s", prefix, p->base == UART_COM1 ? "COM1" : "COM2");
	else
		snprintf(buf, n, "%s%s 0x%llx", prefix, p->space == UART_SPACE_IO ? "io" : "mmio",
		         (unsigned long long)p->base);
}

static uint32_t table_len(const void *t)
{
	uint32_t len;
	memcpy(&len, (const uint8_t *)t + 4, 4);
	return len;
}

/* same_port: whether `p` is the port in use now. */
static bool same_port(const struct uart_port *p)
{
	const struct uart_port *c = uart_port_get();
	return c && c->space == p->space && c->base == p->base;
}

/* use: make `p` (called `label`) the console: probe and program it. A move
 * away from another port is logged there first. False with why_not set,
 * the port in use unchanged. */
static bool use(const struct uart_port *p, const char *label)
{
	const char *bad = uart_port_check(p);
	if (bad) {
		snprintf(why_not, sizeof(why_not), "%s: %s", label, bad);
		return false;
	}
	if (!uart_probe(p)) {
		snprintf(why_not, sizeof(why_not), "%s: no 16550 answers there", label);
		return false;
	}
	if (uart_present() && !same_port(p))
		kinfo("serial", "console leaves %s for %s", name, label);
	if (!uart_init_port(p)) {
		snprintf(why_not, sizeof(why_not), "%s: no 16550 answers there", label);
		return false;
	}
	snprintf(name, sizeof(name), "%s", label);
	return true;
}

/* map_mmio: fill p->regs for physical p->base, refusing RAM. */
static bool map_mmio(struct uart_port *p, const char *label)
{
	uint64_t span = 7ull * p->stride + p->width;
	int t = boot ? uartsel_ram_type((const void *)(uintptr_t)boot->mmap, boot->mmap_size, boot->mmap_desc_size,
	                                p->base, span) : -1;
	if (t >= 0) {
		snprintf(why_not, sizeof(why_not), "%s: RAM there (UEFI memory type %d), not device registers", label, t);
		return false;
	}
	p->regs = vmm_map(p->base, span, VMM_UC);
	if (!p->regs) {
		snprintf(why_not, sizeof(why_not), "%s: cannot map 0x%llx uncached", label, (unsigned long long)p->base);
		return false;
	}
	return true;
}

/* port_shape: a port at `addr` (I/O or MMIO) with the option's width,
 * stride, baud and clock over the given defaults. */
static struct uart_port port_shape(bool mmio, uint64_t addr, unsigned width, unsigned stride, uint32_t baud,
                                   uint32_t clock, int irq)
{
	struct uart_port p = uart_port_io(0, 0);
	p.space = mmio ? UART_SPACE_MMIO : UART_SPACE_IO;
	p.base = addr;
	p.width = (uint8_t)(opt.width ? opt.width : width);
	p.stride = (uint8_t)(opt.stride ? opt.stride : opt.width ? opt.width : stride);
	p.baud = opt.baud ? opt.baud : baud;
	p.clock = opt.clock ? opt.clock : clock ? clock : UART_CLOCK_PC;
	p.irq = irq;
	return p;
}

/* try_port: an I/O or MMIO UART named `prefix` + its address. */
static bool try_port(bool mmio, uint64_t addr, const char *prefix, unsigned width, unsigned stride,
                     uint32_t baud, uint32_t clock, int irq)
{
	struct uart_port p = port_shape(mmio, addr, width, stride, baud, clock, irq);
	char label[48];
	label_of(prefix, &p, label, sizeof(label));
	if (mmio && !map_mmio(&p, label))
		return false;
	return use(&p, label);
}

static bool try_io(uint64_t port)
{
	int irq = port == UART_COM1 ? 4 : port == UART_COM2 ? 3 : -1;
	return try_port(false, port, "", 1, 1, SERIAL_BAUD, 0, irq);
}

static bool pci_16550(const struct pci_dev *d)
{
	return d->class_code == PCI_CLASS_SERIAL && d->subclass == PCI_SUB_SERIAL && d->prog_if >= 0x02 &&
	       d->prog_if <= 0x06;
}

/* try_pci: the UART of PCI function `d`: its first I/O BAR, else its first
 * memory BAR, register 0 at the BAR's start (the generic 16550 card layout);
 * no IRQ (INTx routing needs ACPI's _PRT, AML): polled. */
static bool try_pci(const struct pci_dev *d)
{
	char label[32];
	snprintf(label, sizeof(label), "pci %02x:%02x.%x", d->bus, d->dev, d->fn);
	const struct pci_bar *io = 0, *mem = 0;
	for (unsigned i = 0; i < 6; i++) {
		const struct pci_bar *b = &d->bar[i];
		if (!b->size || !b->base)
			continue;
		if (b->io && !io)
			io = b;
		else if (!b->io && !mem)
			mem = b;
	}
	if (!io && !mem) {
		snprintf(why_not, sizeof(why_not), "%s: no I/O or memory BAR assigned", label);
		return false;
	}
	pci_enable(d, !io, io != 0, false);
	struct uart_port p = port_shape(!io, io ? io->base : mem->base, 1, 1, SERIAL_BAUD, 0, -1);
	if (!io && !map_mmio(&p, label))
		return false;
	return use(&p, label);
}

/* try_table: the port SPCR or DBG2 describes. */
static bool try_table(const struct spcr_uart *u, const char *prefix, uint32_t baud)
{
	int irq = u->pci ? -1 : u->irq;  /* a PCI UART's INTx needs _PRT (AML): polled */
	if (u->pci) {
		const struct pci_dev *d = pci_find_bdf(u->pci_seg, u->pci_bus, u->pci_dev, u->pci_fn);
		if (d)
			pci_enable(d, u->mmio, !u->mmio, false);
	}
	return try_port(u->mmio, u->address, prefix, u->width, u->stride, baud, u->clock, irq);
}

static bool try_spcr(void)
{
	const void *t = acpi_find_table("SPCR", 0);
	struct spcr_uart u;
	const char *why;
	if (!t) {
		snprintf(why_not, sizeof(why_not), "no SPCR");
		return false;
	}
	if (spcr_parse(t, table_len(t), &u, &why)) {
		snprintf(why_not, sizeof(why_not), "SPCR unusable: %s", why);
		return false;
	}
	return try_table(&u, "SPCR ", u.baud_code_bad ? SERIAL_BAUD : u.baud);
}

static bool try_dbg2(void)
{
	const void *t = acpi_find_table("DBG2", 0);
	struct spcr_uart u[DBG2_PORTS_MAX];
	unsigned bad;
	if (!t) {
		snprintf(why_not, sizeof(why_not), "no DBG2");
		return false;
	}
	int n = dbg2_parse(t, table_len(t), u, DBG2_PORTS_MAX, &bad);
	for (int i = 0; i < n; i++)
		if (spcr_type_16550(u[i].type) && try_table(&u[i], "DBG2 ", SERIAL_BAUD))
			return true;
	snprintf(why_not, sizeof(why_not), "DBG2: no 16550-compatible port answers");
	return false;
}

/* survey: what each candidate of the default order offers, for the report. */
static void survey(void)
{
	char type[40];
	struct spcr_uart u[DBG2_PORTS_MAX];
	const char *why;
	const void *t = acpi_find_table("SPCR", 0);
	if (!t) {
		snprintf(cand_spcr, sizeof(cand_spcr), "none");
	} else if (spcr_parse(t, table_len(t), &u[0], &why) && table_len(t) < SPCR_MIN_LEN) {
		snprintf(cand_spcr, sizeof(cand_spcr), "unusable: %s", why);
	} else {
		bool bad = spcr_parse(t, table_len(t), &u[0], &why) != 0;
		snprintf(cand_spcr, sizeof(cand_spcr), "revision %u, %s at %s 0x%llx, IRQ %d, baud %u%s%s%s",
		         u[0].revision, spcr_type_name(u[0].type, type, sizeof(type)), u[0].mmio ? "MMIO" : "I/O",
		         (unsigned long long)u[0].address, u[0].irq, u[0].baud, u[0].baud ? "" : " (as set)",
		         bad ? "; unusable: " : "", bad ? why : "");
	}
	t = acpi_find_table("DBG2", 0);
	snprintf(cand_dbg2, sizeof(cand_dbg2), t ? "" : "none");
	if (t) {
		unsigned bad;
		int n = dbg2_parse(t, table_len(t), u, DBG2_PORTS_MAX, &bad);
		for (int i = 0; i < n; i++)
			note(cand_dbg2, sizeof(cand_dbg2), "%s at %s 0x%llx", spcr_type_name(u[i].type, type, sizeof(type)),
			     u[i].mmio ? "MMIO" : "I/O", (unsigned long long)u[i].address);
		if (n <= 0)
			note(cand_dbg2, sizeof(cand_dbg2), n < 0 ? "malformed" : "no serial port");
		if (bad)
			note(cand_dbg2, sizeof(cand_dbg2), "%u malformed or unusable entries", bad);
	}
	if (opt.kind == UARTSEL_OFF)
		snprintf(cand_com, sizeof(cand_com), "not probed (serial=off)");
	else
		snprintf(cand_com, sizeof(cand_com), "COM1 %s; COM2 %s", com_ok[0] ? "answers" : "no UART",
		         com_ok[1] ? "answers" : "no UART");
	cand_pci[0] = '\0';
	for (unsigned i = 0; i < pci_count(); i++) {
		const struct pci_dev *d = pci_get(i);
		if (d->class_code == PCI_CLASS_SERIAL && d->subclass == PCI_SUB_SERIAL)
			note(cand_pci, sizeof(cand_pci), "%02x:%02x.%x %04x:%04x prog-if %02x%s", d->bus, d->dev, d->fn,
			     d->vendor, d->device, d->prog_if, pci_16550(d) ? " (16550-compatible)" : " (not 16550)");
	}
	if (!cand_pci[0])
		snprintf(cand_pci, sizeof(cand_pci), "no serial controller (PCI access: %s)", pci_method());
}

/* default_order: SPCR, COM1, COM2, PCI, DBG2; `reason` gets the story. */
static void default_order(void)
{
	size_t k = strlen(reason);
	snprintf(reason + k, sizeof(reason) - k, "%s", DEFAULT_ORDER);
	if (try_spcr()) {
		note(reason, sizeof(reason), "SPCR names it");
		return;
	}
	note(reason, sizeof(reason), "%s", why_not);
	for (int i = 0; i < 2; i++) {
		if (com_ok[i] && try_io(com_port[i])) {
			note(reason, sizeof(reason), "COM%d answers", i + 1);
			return;
		}
		note(reason, sizeof(reason), "no COM%d", i + 1);
	}
	bool any = false;
	for (unsigned i = 0; i < pci_count(); i++) {
		const struct pci_dev *d = pci_get(i);
		if (!pci_16550(d))
			continue;
		any = true;
		if (try_pci(d)) {
			note(reason, sizeof(reason), "first PCI 16550");
			return;
		}
		note(reason, sizeof(reason), "%s", why_not);
	}
	if (!any)
		note(reason, sizeof(reason), "no PCI 16550");
	if (try_dbg2()) {
		note(reason, sizeof(reason), "DBG2 names it");
		return;
	}
	note(reason, sizeof(reason), "%s", why_not);
}

static void probe_coms(void)
{
	for (int i = 0; i < 2; i++) {
		struct uart_port p = uart_port_io(com_port[i], SERIAL_BAUD);
		com_ok[i] = same_port(&p) || uart_probe(&p);
	}
	coms_probed = true;
}

/* fall_back: an explicit choice failed (`why`): log it, and the default
 * order is tried with only the option's baud kept. */
static void fall_back(const char *why)
{
	snprintf(explicit_why, sizeof(explicit_why), "%s", why);
	snprintf(reason, sizeof(reason), "serial=%s unusable; ", opt_text);
	kwarn("serial", "%s; trying the default order instead", why);
	uint32_t baud = opt.baud;
	memset(&opt, 0, sizeof(opt));
	opt.kind = UARTSEL_AUTO;
	opt.baud = baud;
}

void uartsel_early(const char *text)
{
	char err[160];
	snprintf(opt_text, sizeof(opt_text), "%s", text ? text : "");
	bool bad = uartsel_parse(text, &opt, err, sizeof(err)) != 0;
	if (opt.kind == UARTSEL_OFF) {
		final = true;
		snprintf(reason, sizeof(reason), "serial=off");
		return;
	}
	if (opt.kind == UARTSEL_IO) {
		if (try_io(opt.addr)) {
			final = true;
			snprintf(reason, sizeof(reason), "serial=%s", opt_text);
			return;
		}
		snprintf(err, sizeof(err), "serial=%s: %s", opt_text, why_not);
		bad = true;
		opt.kind = UARTSEL_AUTO;
	}
	if (opt.kind != UARTSEL_AUTO)
		return;   /* mmio, pci, spcr, dbg2: once ACPI and PCI are known */
	/* Provisional: a legacy port for the messages before uartsel_choose. */
	probe_coms();
	for (int i = 0; i < 2 && !uart_present(); i++)
		if (com_ok[i])
			try_io(com_port[i]);
	if (bad)
		fall_back(err);
}

/* replay: the boot messages so far (kept by the screen console) on a port
 * that was not in use when they were written. */
static void replay(void)
{
	const struct uart_port *p = uart_port_get();
	if (!p || (early_present && same_port(&early_port)))
		return;
	size_t n;
	const char *text = console_early_text(&n);
	static const char head[] = "serial: the boot messages before this port was chosen:\n";
	uart_write(head, sizeof(head) - 1);
	uart_write(text, n);
}

void uartsel_choose(const struct pxos_bootinfo *bi)
{
	boot = bi;
	early_present = uart_present();
	if (early_present)
		early_port = *uart_port_get();
	if (!final) {
		bool ok = false;
		switch (opt.kind) {
		case UARTSEL_MMIO:
			ok = try_port(true, opt.addr, "", 1, 1, SERIAL_BAUD, 0, -1);
			break;
		case UARTSEL_PCI: {
			const struct pci_dev *d = pci_find_bdf(opt.seg, opt.bus, opt.dev, opt.fn);
			if (d)
				ok = try_pci(d);
			else
				snprintf(why_not, sizeof(why_not), "no PCI function %02x:%02x.%x (PCI access: %s)", opt.bus,
				         opt.dev, opt.fn, pci_method());
			break;
		}
		case UARTSEL_SPCR: ok = try_spcr(); break;
		case UARTSEL_DBG2: ok = try_dbg2(); break;
		default: break;
		}
		if (opt.kind != UARTSEL_AUTO && ok) {
			snprintf(reason, sizeof(reason), "serial=%s", opt_text);
		} else if (opt.kind != UARTSEL_AUTO) {
			char why[256];
			snprintf(why, sizeof(why), "serial=%s: %s", opt_text, why_not);
			fall_back(why);
		}
		if (opt.kind == UARTSEL_AUTO) {
			if (!coms_probed)
				probe_coms();
			default_order();
		}
		final = true;
	} else if (opt.kind != UARTSEL_OFF) {
		probe_coms();
	}
	survey();
	replay();
	const struct uart_port *p = uart_port_get();
	if (!p) {
		kwarn("serial", "no serial port (%s)", reason);
		kinfo("serial", "without one: no host bridge, no LLM calls; the screen and keyboard are the console");
		return;
	}
	char baud[32];
	if (uart_baud())
		snprintf(baud, sizeof(baud), "%u baud", uart_baud());
	else
		snprintf(baud, sizeof(baud), "baud as the firmware set it");
	kinfo("serial", "console on %s, %s; receive %s (%s)", name, baud,
	      p->irq >= 0 ? "by interrupt" : "polled", reason);
}

const char *uartsel_name(void) { return uart_present() ? name : "none"; }
const char *uartsel_reason(void) { return reason; }

void uartsel_report(void)
{
	const struct uart_port *p = uart_port_get();
	if (p) {
		char irq[32];
		if (p->irq >= 0)
			snprintf(irq, sizeof(irq), "IRQ %d", p->irq);
		else
			snprintf(irq, sizeof(irq), "no IRQ: polled each tick");
		kprintf("serial: %s: %s 0x%llx, %u-bit registers at stride %u, clock %u Hz, %u baud%s, %s\n", name,
		        p->space == UART_SPACE_IO ? "I/O" : "MMIO", (unsigned long long)p->base, p->width * 8u, p->stride,
		        p->clock, uart_baud(), uart_baud() ? "" : " (as the firmware set it)", irq);
	} else {
		kprintf("serial: none\n");
	}
	kprintf("serial: why: %s\n", reason);
	if (*explicit_why)
		kprintf("serial: %s\n", explicit_why);
	kprintf("serial: SPCR: %s\n", cand_spcr);
	kprintf("serial: DBG2: %s\n", cand_dbg2);
	kprintf("serial: legacy: %s\n", cand_com);
	kprintf("serial: PCI: %s\n", cand_pci);
}
