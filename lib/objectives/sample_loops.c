/*
 * sample_loops.c - the linear models' per-sample loops over a block of rows (rows.h):
 * from the rows' scores, each sample's loss and slope, with vmath.h's exp and log1p
 * so that the loop vectorizes.  Compiled only once per instruction-set level
 * (meson.build, lib/kernels/levels.h) into gdi_sample_loops_<level>; the operations
 * of a sample are the same IEEE ones at every level (no calls, no contraction), so
 * every level gives the same bits.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>

#include "../kernels/loops.h"
#include "rows.h"
#include "vmath.h"

/* logistic.c's log-loss of each sample, softplus(s) with s = z for y = 0 and s = -z
 * for y = 1, and its slope sigmoid(z) - y, both from e = exp(-|s|) in (0, 1] (never
 * overflows).  max(s, 0) is a selection on the sign test that sigmoid(s) needs (the
 * same value but at s = -0, where log1p(e) = log(2) is added to it).  Where e is
 * subnormal the loss and slope are e to rounding for s < 0, and s and 1 for s > 0;
 * where exp underflows to 0 (|s| > 745.13), exactly 0, or s and 1. */
static void logistic_terms(double *restrict z, double *restrict loss, const double *restrict y,
                           const size_t *restrict idx, size_t count)
{
    /* the labels gathered first, so that the loop below reads only contiguous arrays
     * (gathers vectorize badly or not at all) */
    double sign[GDI_BLOCK_ROWS]; /* 1 for y = 0, -1 for y = 1 */
    for (size_t k = 0; k < count; k++)
        sign[k] = 1.0 - 2.0 * y[idx[k]];
    /* exp, then log1p, in two loops: at the baseline, which takes one element at a
     * time, the out-of-order core overlaps the long dependency chains of more
     * elements when each iteration is shorter */
    double e[GDI_BLOCK_ROWS];
    for (size_t k = 0; k < count; k++)
        e[k] = gdi_exp_nonpositive(-fabs(sign[k] * z[k]));
    for (size_t k = 0; k < count; k++) {
        double s = sign[k] * z[k];
        uint64_t nonnegative = gdi_mask(s >= 0.0);
        z[k] = sign[k] * (gdi_select(nonnegative, 1.0, e[k]) / (1.0 + e[k])); /* sign sigmoid(s) */
        loss[k] = gdi_select(nonnegative, s, 0.0) + gdi_log1p_unit(e[k]);
    }
}

const struct gdi_sample_loops GDI_LOOP_TABLE(sample_loops) = {
    .logistic = logistic_terms,
};
