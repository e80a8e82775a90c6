/*
 * bridge.h — the kernel's end of the serial bridge (docs/bridge-protocol.md):
 * LLM requests leave as frames on the console UART, answers come back as
 * frames mixed with the typed console bytes, and the kernel implements
 * pxhost_llm_submit / pxhost_llm_cancel (pxvm/host.h) on top of it.
 *
 * Everything runs in the kernel's single thread of control, polled: received
 * bytes go through bridge_rx (from the serial input path), timers through
 * bridge_poll. A frame goes into the serial transmit ring (kernel/serial.h)
 * as one unit, so no other output can split it, and nothing waits for the
 * UART with interrupts off. Frames other than HELLO/HELLO_ACK carry the link
 * key (the XOR of both session numbers) in their CRC (pxvm/frame.h).
 */
#ifndef PXOS_BRIDGE_H
#define PXOS_BRIDGE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* Request ids with this bit set belong to the kernel itself (the monitor's
 * `llm` command); their answers are printed, not given to the hypervisor. */
#define BRIDGE_ID_KERNEL 0x80000000u

/* bridge_init: the boot handshake. `session` is this boot's session number
 * (hardware entropy, so two boots differ even with the same `seed=`);
 * `input_poll_fn` drains the serial ring through the input path
 * (kernel/input.c input_poll → input_serial → bridge_rx), which the bridge
 * calls while it waits. Sends HELLO and waits up to BRIDGE_HELLO_WAIT_MS for
 * HELLO_ACK; console bytes received meanwhile go to the console input path.
 * Call after uart_init, timer_init and irq_init. Without a UART the bridge stays absent
 * and every LLM call fails with -PXE_ENOBRIDGE. */
void bridge_init(uint32_t session, void (*input_poll_fn)(void));


/* bridge_busy: whether calls are in flight (the caller should keep polling). */
bool bridge_busy(void);

/* bridge_rx: demultiplex `n` received serial bytes: frames are handled, the
 * console bytes are copied to `console` (room for n + 1 bytes needed); returns
 * their count. */
size_t bridge_rx(const uint8_t *in, size_t n, uint8_t *console);

/* bridge_uart_poll: move every received serial byte through the kernel's
 * input path (the function given to bridge_init): input_serial hands it to
 * bridge_rx, which keeps the frames and passes the console text on to
 * input_console. */
void bridge_uart_poll(void);

/* bridge_poll: timers: resend unacknowledged frames, give up on a silent
 * bridge, expire calls (BRIDGE_IDLE_TIMEOUT_MS, BRIDGE_CALL_TIMEOUT_MS),
 * probe with HELLO while calls wait on a silent bridge. Cheap when idle. */
void bridge_poll(void);

/* bridge_monitor_cmd: the monitor's `llm` (ask the bridge and print the answer
 * as it streams; `llm -m MODEL PROMPT...`, `llm -o QUESTION` for the oracle)
 * and `bridge` (link status and counters) commands. */
void bridge_monitor_cmd(int argc, char **argv);

/* bridge_present: whether a host bridge answered (and the link is up). */
bool bridge_present(void);

/* bridge_snapshot_start: begin sending file `data` (n bytes, a snapshot PNG,
 * kept by the caller until `done`) to the host bridge as SNAPSHOT frames
 * (BEGIN, DATA pieces in order, END with the length and CRC-32;
 * docs/bridge-protocol.md). The pieces go out from bridge_poll, at most half
 * the queue at a time, so LLM calls still get through; `done` gets 0 once the
 * bridge acknowledged every piece, or -PXE_EIO when the link was lost, with
 * the size and the milliseconds taken. Returns 0, or -PXE_ENOBRIDGE (no
 * bridge), -PXE_EBUSY (one is being sent). */
int bridge_snapshot_start(const uint8_t *data, size_t n, void (*done)(int result, size_t n, uint64_t ms));

/* bridge_snapshot_active: a snapshot is being sent. */
bool bridge_snapshot_active(void);

/* bridge_snapshot_progress: bytes of it the bridge has acknowledged (about). */
size_t bridge_snapshot_progress(void);

#endif /* PXOS_BRIDGE_H */
