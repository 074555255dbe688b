/*
 * hand_loops.c - see hand_loops.h.  Same arithmetic as the library's kernels, with the
 * constants folded in, as someone writing one optimizer for one problem would.  The
 * coefficients 1 - beta are written as differences: torch's (1 - 0.9 is
 * 0.09999999999999998 in double) are not the literals 0.1, 0.001 and 0.01, and
 * bench_update checks that every loop gives the library's bits.  The loops are one text,
 * hand_loops_real.h, compiled here for double and for float.
 */
#include <math.h>

#include "hand_loops.h"

#define LR 1e-9

/* NAdam's momentum cache mu at step t, in double as Python computes it. */
static double nadam_mu(double t)
{
    return 0.9 * (1.0 - 0.5 * pow(0.96, t * 4e-3));
}

#define real double
#define NAME(f) hand_##f
#define K(c) ((double)(c))
#define SQRT sqrt
#define FABS fabs
#define SCALAR(v) (v)
#include "hand_loops_real.h"
#undef real
#undef NAME
#undef K
#undef SQRT
#undef FABS
#undef SCALAR

#define real float
#define NAME(f) hand_##f##_f32
#define K(c) ((float)(c))
#define SQRT sqrtf
#define FABS fabsf
#define SCALAR(v) ((double)(float)(v))
#include "hand_loops_real.h"
