/*
 * port.h — what portable pxOS code (pxvm/, drivers/fb.c, kernel/vram.c) needs
 * from a C library: <string.h> when hosted, the kernel's lib.h when freestanding.
 */
#ifndef PXVM_PORT_H
#define PXVM_PORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#if __STDC_HOSTED__
#include <string.h>
#include <stdio.h>
#else
#include "kernel/lib.h"
#endif

#endif /* PXVM_PORT_H */
