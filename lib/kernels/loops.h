/*
 * loops.h - what the loop files share: forced inlining, the flag test, the direction
 * of descent, and the macros that instantiate one function per (loop, flags) pair.
 * Included only by sgd_loops.c and adaptive_loops.c.
 * SPDX-License-Identifier: MIT
 */
#ifndef GD_LOOPS_H
#define GD_LOOPS_H

#include <math.h>
#include <stdbool.h>

#include "kernels.h"

/* The build compiles each loop file once per level, naming its table with the level:
 * TABLE_NAME(gdi_sgd_kernels) is gdi_sgd_kernels_avx2 in the avx2 build. */
#ifndef GDI_LEVEL
#define GDI_LEVEL baseline
#endif
#define GDI_PASTE(a, b) a##_##b
#define GDI_NAME(a, b) GDI_PASTE(a, b)
#define TABLE_NAME(table) GDI_NAME(table, GDI_LEVEL)

#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

#define HAS(flag) ((flags & (flag)) != 0)

/* Torch negates the gradient for maximize and adds the decay term only when the decay
 * is non-zero (which matters for infinite x). */
static ALWAYS_INLINE double direction(double g, double x, double decay, unsigned flags)
{
    double d = HAS(GDI_K_MAXIMIZE) ? -g : g;
    return HAS(GDI_K_DECAY) ? d + decay * x : d;
}

/* The signature of every loop.  Each loop copies *cp into a local before it starts:
 * read through the pointer the coefficients could alias x, and would be reloaded at
 * every element. */
#define KERNEL_PARAMS                                                                     \
    size_t n, double *restrict x, const double *restrict g, double *restrict s0,         \
        double *restrict s1, double *restrict s2, const struct gdi_coefficients *cp

/* One out-of-line function per (loop, flags) pair, named loop_flags. */
#define INSTANCE(loop, f)                                                                 \
    static void loop##_##f(KERNEL_PARAMS) { loop(n, x, g, s0, s1, s2, cp, f##u); }
#define INSTANCES4(loop) INSTANCE(loop, 0) INSTANCE(loop, 1) INSTANCE(loop, 2) INSTANCE(loop, 3)
#define INSTANCES8(loop)                                                                  \
    INSTANCES4(loop) INSTANCE(loop, 4) INSTANCE(loop, 5) INSTANCE(loop, 6) INSTANCE(loop, 7)
#define INSTANCES16(loop)                                                                 \
    INSTANCES8(loop) INSTANCE(loop, 8) INSTANCE(loop, 9) INSTANCE(loop, 10)              \
    INSTANCE(loop, 11) INSTANCE(loop, 12) INSTANCE(loop, 13) INSTANCE(loop, 14)           \
    INSTANCE(loop, 15)
#define TABLE4(loop) {loop##_0, loop##_1, loop##_2, loop##_3}
#define TABLE8(loop) {loop##_0, loop##_1, loop##_2, loop##_3, loop##_4, loop##_5, loop##_6, loop##_7}
#define TABLE16(loop)                                                                     \
    {loop##_0, loop##_1, loop##_2, loop##_3, loop##_4, loop##_5, loop##_6, loop##_7,      \
     loop##_8, loop##_9, loop##_10, loop##_11, loop##_12, loop##_13, loop##_14, loop##_15}

#endif /* GD_LOOPS_H */
