/*
 * loops.h - what the methods' update loops share: their element type, the flags every
 * method's loops take, the direction of descent, and the macros that compile one
 * function per (loop, flags) pair and name a level's table.
 *
 * The loops are one text for both precisions: a level build with GDI_SINGLE defined
 * compiles them for float (gdi_real), the others for double.  A method file defines,
 * before using the macros, LOOP_PARAMS_OF(real) (its loops' parameter list for the
 * element type real, whose last parameter is `const void *cp`, its coefficients) and
 * LOOP_ARGS (the same names as arguments).  Each loop takes a copy of its
 * coefficients with GDI_TAKE_COEFFICIENTS before it starts: read through the pointer
 * they could alias x, and would be reloaded at every element.
 * SPDX-License-Identifier: MIT
 */
#ifndef GDI_LOOPS_H
#define GDI_LOOPS_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "levels.h"

/* The element type of the loops being compiled (the rules are compiled for double). */
#ifdef GDI_SINGLE
typedef float gdi_real;
#else
typedef double gdi_real;
#endif
#define LOOP_PARAMS LOOP_PARAMS_OF(gdi_real)
/* A method's loop types, `name` for double and `name_f32` for float. */
#define GDI_LOOP_TYPES(name)                                                                       \
    typedef void name(LOOP_PARAMS_OF(double));                                                     \
    typedef void name##_f32(LOOP_PARAMS_OF(float))
/* The tables hold the loops of both precisions in one type; GDI_CALL_LOOP converts a
 * loop back to its own type, named by the group's precision, to call it with args (a
 * parenthesized list whose vectors may be void pointers). */
typedef void (*gdi_loop)(void);
#define GDI_CALL_LOOP(group, type, loop, args)                                                     \
    ((group)->single ? ((type##_f32 *)(loop))args : ((type *)(loop))args)

/* The flags every method's loops take; a method numbers its own from GDI_OWN_FLAG. */
enum { GDI_MAXIMIZE = 1, GDI_DECAY = 2, GDI_OWN_FLAG = 4 };

#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

#define HAS(flag) ((flags & (flag)) != 0)

/* A rule's coefficients are a struct whose members are all gdi_real: double in the
 * rule, which computes them, and float in the float loops, which take them rounded to
 * float member by member, as torch converts a Python float to a float32 tensor's
 * dtype before its elementwise arithmetic. */
#ifdef GDI_SINGLE
#define GDI_TAKE_COEFFICIENTS(type, c, cp)                                                         \
    type c;                                                                                        \
    gdi_round_coefficients(&c, sizeof c, cp)
#else
#define GDI_TAKE_COEFFICIENTS(type, c, cp) const type c = *(const type *)(cp)
#endif

/* The doubles at from, rounded, into the floats at to (bytes of them). */
static inline void gdi_round_coefficients(void *to, size_t bytes, const void *from)
{
    for (size_t i = 0; i < bytes / sizeof(float); i++) {
        double wide;
        memcpy(&wide, (const char *)from + i * sizeof wide, sizeof wide);
        float narrow = (float)wide;
        memcpy((char *)to + i * sizeof narrow, &narrow, sizeof narrow);
    }
}

/* The square root and absolute value of the loops' element type. */
#ifdef GDI_SINGLE
#define gdi_sqrt sqrtf
#define gdi_fabs fabsf
#else
#define gdi_sqrt sqrt
#define gdi_fabs fabs
#endif

/* Torch negates the gradient for maximize and adds the decay term only when the decay
 * is non-zero (which matters for infinite x). */
static ALWAYS_INLINE gdi_real gdi_direction(gdi_real g, gdi_real x, gdi_real decay, unsigned flags)
{
    gdi_real d = HAS(GDI_MAXIMIZE) ? -g : g;
    return HAS(GDI_DECAY) ? d + decay * x : d;
}

/* torch.sign: +1, -1, or +0 for zeros and NaN (ATen's (0 < a) - (a < 0)). */
static ALWAYS_INLINE gdi_real gdi_torch_sign(gdi_real a)
{
#ifdef __AVX512F__
    return a > 0 ? 1 : a < 0 ? -1 : 0; /* with AVX-512's masks the faster form */
#else
    return (gdi_real)((0 < a) - (a < 0)); /* without branches: vectorizes at avx2 */
#endif
}

/* In a level's build, the name of a table at that level: GDI_LOOP_TABLE(adam_loops)
 * is gdi_adam_loops_avx2 in the avx2 build, gdi_adam_loops_f32_avx2 in its float
 * build. */
#define GDI_PASTE(a, b) a##_##b
#define GDI_NAME(a, b) GDI_PASTE(a, b)
#ifdef GDI_SINGLE
#define GDI_LOOP_TABLE(table) GDI_NAME(gdi_##table##_f32, GDI_LEVEL)
#else
#define GDI_LOOP_TABLE(table) GDI_NAME(gdi_##table, GDI_LEVEL)
#endif

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
#define AS_LOOP(f) (gdi_loop)f
#define TABLE4(loop) \
    {AS_LOOP(loop##_0), AS_LOOP(loop##_1), AS_LOOP(loop##_2), AS_LOOP(loop##_3)}
#define TABLE8(loop) \
    {AS_LOOP(loop##_0), AS_LOOP(loop##_1), AS_LOOP(loop##_2), AS_LOOP(loop##_3), \
     AS_LOOP(loop##_4), AS_LOOP(loop##_5), AS_LOOP(loop##_6), AS_LOOP(loop##_7)}
#define TABLE16(loop) \
    {AS_LOOP(loop##_0), AS_LOOP(loop##_1), AS_LOOP(loop##_2), AS_LOOP(loop##_3), \
     AS_LOOP(loop##_4), AS_LOOP(loop##_5), AS_LOOP(loop##_6), AS_LOOP(loop##_7), \
     AS_LOOP(loop##_8), AS_LOOP(loop##_9), AS_LOOP(loop##_10), AS_LOOP(loop##_11), \
     AS_LOOP(loop##_12), AS_LOOP(loop##_13), AS_LOOP(loop##_14), AS_LOOP(loop##_15)}
/* clang-format on */

#endif /* GDI_LOOPS_H */
