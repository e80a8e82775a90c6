/*
 * math.h — the maths declarations of the kernel's build of MicroPython
 * (pxvm/py/build.mk puts this folder before the system's headers for the
 * freestanding objects only). The functions are MicroPython's own
 * lib/libm_dbl (musl's, in double precision); the classification macros are
 * the compiler's builtins. The host build uses the C library's <math.h>.
 */
#ifndef PXVM_PY_KINC_MATH_H
#define PXVM_PY_KINC_MATH_H

typedef float float_t;   /* FLT_EVAL_METHOD 0 (SSE) */
typedef double double_t;

#define NAN       (__builtin_nan(""))
#define INFINITY  (__builtin_inff())
#define HUGE_VAL  (__builtin_huge_val())
#define M_PI      3.14159265358979323846
#define M_E       2.7182818284590452354

#define FP_NAN       0
#define FP_INFINITE  1
#define FP_ZERO      2
#define FP_SUBNORMAL 3
#define FP_NORMAL    4
#define fpclassify(x) __builtin_fpclassify(FP_NAN, FP_INFINITE, FP_NORMAL, FP_SUBNORMAL, FP_ZERO, x)
#define isnan(x)      __builtin_isnan(x)
#define isinf(x)      __builtin_isinf(x)
#define isfinite(x)   __builtin_isfinite(x)
#define signbit(x)    __builtin_signbit(x)

double acos(double), acosh(double), asin(double), asinh(double), atan(double), atan2(double, double);
double atanh(double), ceil(double), copysign(double, double), cos(double), cosh(double), erf(double);
double erfc(double), exp(double), expm1(double), floor(double), fmod(double, double), frexp(double, int *);
double ldexp(double, int), lgamma(double), log(double), log10(double), log1p(double), modf(double, double *);
double nearbyint(double), pow(double, double), rint(double), round(double), scalbn(double, int);
double sin(double), sinh(double), sqrt(double), tan(double), tanh(double), tgamma(double), trunc(double);
double fabs(double), log2(double), nan(const char *); /* pxvm/py/pylibc.c */

#endif /* PXVM_PY_KINC_MATH_H */
