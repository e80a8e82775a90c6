/*
 * ring.c — what the input rings (kernel/ring.h) share: the arrival time of
 * the oldest input byte not yet taken, which every interrupt that fills an
 * input ring may set (a devices-layer object, below every ring's producer).
 */
#include "ring.h"

volatile uint64_t ring_input_tsc;
