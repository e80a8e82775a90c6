/*
 * serial.h — the kernel's one writer on the serial line: a transmit ring
 * (kernel/txring.h, SERIAL_TX_RING bytes) between everything the kernel sends
 * (console text from klog.c, the bridge's frames from bridge.c) and the UART
 * (drivers/uart16550.h's uart_tx_room / uart_tx_put / uart_tx_irq).
 *
 * The ring drains by the UART's "transmitter holding register empty"
 * interrupt (16550 datasheet: IER bit 1, IIR 0x02), 16 bytes a FIFO load; on a
 * port without a known IRQ from the PIT tick; in polled mode (irq=poll) from
 * the main loop. Writers never wait per byte: they put whole units into the
 * ring and learn at once when one does not fit (serial_tx_unit). A writer that must get its bytes out (kernel log lines)
 * uses serial_tx_text_wait, which drains the ring itself, bounded by
 * SERIAL_STALL_US without progress; with interrupts off (early boot, panic,
 * CPU exceptions) everything is written out synchronously.
 *
 * Writers that can wait for room (a process blocked on output, a frame that
 * did not fit) register a wake-up with serial_tx_notify; serial_poll (between
 * quanta) calls it once the room is there.
 */
#ifndef PXOS_SERIAL_H
#define PXOS_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* serial_present: whether there is a UART to write to (uart_init found one);
 * without one every write succeeds and the bytes are discarded. */
bool serial_present(void);

/* serial_use_irq: kernel/irq.c: the UART's interrupt reaches the CPU (`on`),
 * so the THRE interrupt drains the ring; off in polled mode. */
void serial_use_irq(bool on);

/* serial_tx_service: move what the UART's transmitter takes now from the ring
 * to it, and stop the THRE interrupt when the ring is empty. Interrupt context
 * (the UART's IRQ; the tick, which also keeps the ring moving should a THRE
 * interrupt ever be lost) or main context with interrupts off. Cheap when the
 * ring is empty (no port access). */
void serial_tx_service(void);

/* serial_tx_free: bytes the ring can take now. */
size_t serial_tx_free(void);

/* serial_tx_unit: put `n` bytes at `p` as they are, as one unit that nothing
 * else can split, without waiting. Returns false, writing nothing, when the
 * ring has less than `n` bytes of room ("would block"). */
bool serial_tx_unit(const void *p, size_t n);

/* serial_tx_text: put console text (each LF sent as CR LF) as one unit
 * without waiting; false, nothing written, when it does not fit (the kernel
 * log's backlog, kernel/klog.c, keeps it for later). */
bool serial_tx_text(const char *s, size_t n);

/* serial_tx_text_wait: put console text, draining the ring into the UART
 * while there is no room. Gives up (the text is dropped and counted) after
 * SERIAL_STALL_US without progress (a reader that stopped reading), and then
 * waits only 1/100 of that until a byte goes through again. With interrupts
 * off the ring is drained completely before it returns. */
void serial_tx_text_wait(const char *s, size_t n);

/* serial_tx_pos: the ring position after the last unit put; serial_tx_sent:
 * whether everything before position `pos` has gone to the UART. */
uint64_t serial_tx_pos(void);
bool serial_tx_sent(uint64_t pos);

/* serial_tx_notify: call fn(arg) from serial_poll (main context) once the ring
 * has `need` bytes of room (at once if it has). Returns 0, or -1 when
 * SERIAL_TX_WAITERS wake-ups are already registered or `need` is larger
 * than the ring. */
int serial_tx_notify(size_t need, void (*fn)(void *arg), void *arg);

/* serial_poll: main context, between quanta: drain where no interrupt does
 * (interrupts on, so the THRE interrupt may run meanwhile) and call the
 * wake-ups whose room is there. Cheap when idle. */
void serial_poll(void);

/* serial_tx_flush_sync: write everything in the ring out now by polling the
 * UART (panic path), bounded as serial_tx_text_wait. */
void serial_tx_flush_sync(void);

/* serial_report: the ring's counters, with kprintf (monitor `irq`). */
void serial_report(void);

#endif /* PXOS_SERIAL_H */
