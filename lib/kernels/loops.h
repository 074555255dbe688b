/*
 * loops.h - what the methods' update loops share: the flags every method's loops take,
 * the direction of descent, and the macros that compile one function per (loop,
 * flags) pair and name a level's table.
 *
 * A method file defines, before using the macros, LOOP_PARAMS (its loops' parameter
 * list) and LOOP_ARGS (the same names as arguments).  Each loop copies its
 * coefficients into a local before it starts: read through the pointer they could
 * alias x, and would be reloaded at every element.
 * SPDX-License-Identifier: MIT
 */
#ifndef GDI_LOOPS_H
#define GDI_LOOPS_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#include "levels.h"

/* The flags every method's loops take; a method numbers its own from GDI_OWN_FLAG. */
enum { GDI_MAXIMIZE = 1, GDI_DECAY = 2, GDI_OWN_FLAG = 4 };

#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

#define HAS(flag) ((flags & (flag)) != 0)

/* Torch negates the gradient for maximize and adds the decay term only when the decay
 * is non-zero (which matters for infinite x). */
static ALWAYS_INLINE double gdi_direction(double g, double x, double decay, unsigned flags)
{
    double d = HAS(GDI_MAXIMIZE) ? -g : g;
    return HAS(GDI_DECAY) ? d + decay * x : d;
}

/* torch.sign: +1, -1, or +0 for zeros and NaN (ATen's (0 < a) - (a < 0)). */
static ALWAYS_INLINE double gdi_torch_sign(double a)
{
#ifdef __AVX512F__
    return a > 0.0 ? 1.0 : a < 0.0 ? -1.0 : 0.0; /* with AVX-512's masks the faster form */
#else
    return (double)((0.0 < a) - (a < 0.0)); /* without branches: vectorizes at avx2 */
#endif
}

/* In a level's build, the name of a table at that level: GDI_LOOP_TABLE(adam_loops)
 * is gdi_adam_loops_avx2 in the avx2 build. */
#define GDI_PASTE(a, b) a##_##b
#define GDI_NAME(a, b) GDI_PASTE(a, b)
#define GDI_LOOP_TABLE(table) GDI_NAME(gdi_##table, GDI_LEVEL)

/* One out-of-line function per (loop, flags) pair, named loop_flags, and their tables
 * (clang-format lays these lists out differently on each pass). */
/* clang-format off */
#define INSTANCE(loop, f) static void loop##_##f(LOOP_PARAMS) { loop(LOOP_ARGS, f##u); }
#define INSTANCES4(loop) INSTANCE(loop, 0) INSTANCE(loop, 1) INSTANCE(loop, 2) INSTANCE(loop, 3)
#define INSTANCES8(loop) \
    INSTANCES4(loop) INSTANCE(loop, 4) INSTANCE(loop, 5) INSTANCE(loop, 6) INSTANCE(loop, 7)
#define INSTANCES16(loop) \
    INSTANCES8(loop) INSTANCE(loop, 8) INSTANCE(loop, 9) INSTANCE(loop, 10) INSTANCE(loop, 11) \
    INSTANCE(loop, 12) INSTANCE(loop, 13) INSTANCE(loop, 14) INSTANCE(loop, 15)
#define TABLE4(loop) {loop##_0, loop##_1, loop##_2, loop##_3}
#define TABLE8(loop) {loop##_0, loop##_1, loop##_2, loop##_3, loop##_4, loop##_5, loop##_6, loop##_7}
#define TABLE16(loop) \
    {loop##_0, loop##_1, loop##_2, loop##_3, loop##_4, loop##_5, loop##_6, loop##_7, \
     loop##_8, loop##_9, loop##_10, loop##_11, loop##_12, loop##_13, loop##_14, loop##_15}
/* clang-format on */

#endif /* GDI_LOOPS_H */
