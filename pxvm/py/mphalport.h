/*
 * mphalport.h — MicroPython's hardware abstraction for pxOS (the few calls
 * the core makes of it; the rest is pxvm/py/pyport.c).
 */
#ifndef PXVM_PY_MPHALPORT_H
#define PXVM_PY_MPHALPORT_H

/* There is no interrupt character to arm: Ctrl-C reaches a Python process
 * through the console (pxvm/tty.c), which raises KeyboardInterrupt in it. */
static inline void mp_hal_set_interrupt_char(int c) { (void)c; }

#endif /* PXVM_PY_MPHALPORT_H */
