/*
 * pxrun.h — internals of tools/pxrun, the host runner of pxVM programs.
 */
#ifndef PXRUN_H
#define PXRUN_H

#include <stdint.h>

extern int pxrun_quiet;
void pxrun_clock_start(void);

#endif /* PXRUN_H */
