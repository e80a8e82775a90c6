/*
 * uart16550.h — driver for a PC 16550-compatible UART (COM port): polled
 * output, input polled or by the receive interrupt (uart_rx_irq).
 *
 * Follows the TI/National PC16550D datasheet register map: RBR/THR (+0),
 * IER (+1), IIR/FCR (+2), LCR (+3), MCR (+4), LSR (+5), MSR (+6), SCR (+7);
 * DLL/DLM at +0/+1 while LCR.DLAB = 1; clock 1.8432 MHz / 16 = 115200 baud max.
 *
 * Used by both the UEFI loader and the kernel (each has its own copy of the
 * state). Many PCs have no legacy serial port: uart_init probes for one, and
 * every wait is bounded, so an absent, unplugged or stuck port never hangs the
 * caller: output it cannot take is dropped and counted (uart_dropped).
 */
#ifndef PXOS_UART16550_H
#define PXOS_UART16550_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define UART_COM1 0x3F8
#define UART_COM2 0x2F8

/* uart_init: probe the UART at I/O port `base` (scratch-register and loopback
 * tests), then program `baud` (50..115200; rounded to the nearest divisor), 8N1,
 * FIFOs on, interrupts off. Returns true when a working UART answered; otherwise
 * leaves the port untouched and all output is dropped. */
bool uart_init(uint16_t base, uint32_t baud);

/* uart_present: whether uart_init found a UART. */
bool uart_present(void);

/* uart_base: the I/O port in use, or 0. */
uint16_t uart_base(void);

/* uart_write: send `n` bytes, turning "\n" into "\r\n". Each byte waits at most
 * 5e8 TSC cycles (0.1..0.5 s) for the transmitter (THR empty, LSR bit 5); a
 * byte that times out is dropped, and until a byte goes through again the
 * wait is 100 times shorter, so a reader that stopped reading (an emulator's
 * backpressure) slows the kernel little and a slow one loses little. */
void uart_write(const char *s, size_t n);

/* uart_dropped: bytes dropped because the transmitter did not drain in time. */
uint64_t uart_dropped(void);

/* uart_putc_raw: send one byte as is (no newline translation), bounded wait. */
void uart_putc_raw(uint8_t c);

/* uart_getc: the next received byte, or -1 when none is waiting (never blocks). */
int uart_getc(void);

/* uart_irq_line: the legacy IRQ of the port in use (COM1 0x3F8: 4, COM2 0x2F8:
 * 3, PC/AT convention), or -1 when unknown (another port, or none). */
int uart_irq_line(void);

/* uart_rx_irq: turn the "received data available" interrupt (IER bit 0) on or
 * off; MCR OUT2, which gates the UART's interrupt line on PCs, is already set
 * by uart_init. No effect without a UART. */
void uart_rx_irq(bool on);

/* The transmit side without waiting, for a transmit ring above the driver
 * (kernel/serial.c); the caller keeps interrupts off around these when an
 * interrupt handler uses them too. */

/* uart_tx_room: how many bytes uart_tx_put may write now without waiting: the
 * transmit FIFO's depth (16 on a 16550A with FIFOs on, else 1) when the
 * transmitter holding register is empty (LSR bit 5, THRE), else 0. */
unsigned uart_tx_room(void);

/* uart_tx_put: write one byte to THR as is. Only after uart_tx_room said so. */
void uart_tx_put(uint8_t c);

/* uart_irq_rearm: end of the UART's interrupt handler: write IER 0, then its
 * setting again. The 8259 takes interrupts on an edge (PC/AT convention), and
 * the UART's INTR line stays high while any enabled condition is pending
 * (data arrived or THR emptied again during the handler): without a low
 * pulse no new edge would come and the port's interrupts would stop for good.
 * With the pulse, a condition still pending raises a new edge at once. */
void uart_irq_rearm(void);

/* uart_tx_irq: turn the "transmitter holding register empty" interrupt (IER
 * bit 1, ETBEI) on or off. While on, the UART interrupts (IIR 0x02) whenever
 * THR empties; writing THR or turning it off clears that. IER is written only
 * when the setting changes. No effect without a UART. */
void uart_tx_irq(bool on);

#endif /* PXOS_UART16550_H */
