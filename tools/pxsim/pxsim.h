/*
 * pxsim.h — internals of tools/pxsim, the host runner of pxVM programs.
 */
#ifndef PXSIM_H
#define PXSIM_H

#include <stdint.h>

extern int pxsim_quiet;
void pxsim_clock_start(void);

#endif /* PXSIM_H */
