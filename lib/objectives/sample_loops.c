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

/* softmax.c's cross-entropy and slopes of each sample, class-major (z[c count + k]),
 * so that every loop below runs over a block's samples, contiguous, one class at a
 * time.  The exponentials are shifted by the sample's largest score, so that their
 * arguments are <= 0 (gdi_exp_nonpositive's domain), none overflows, the largest is
 * exactly 1 and their sum S is in [1, classes].  The largest score by a selection,
 * not fmax, which GCC does not vectorize: for NaN scores the result is NaN either way. */
static void softmax_terms(double *restrict z, double *restrict loss, const size_t *restrict labels,
                          const size_t *restrict idx, size_t count, size_t classes)
{
    /* the labels gathered first, as doubles, so that the one-hot test is a comparison
     * of doubles as the rest (exact: the labels are below classes <= 2^53) */
    double label[GDI_BLOCK_ROWS], top[GDI_BLOCK_ROWS], sum[GDI_BLOCK_ROWS];
    double label_score[GDI_BLOCK_ROWS];
    for (size_t k = 0; k < count; k++) {
        size_t y = labels[idx[k]];
        label[k] = (double)y;
        label_score[k] = z[y * count + k];
        top[k] = z[k];
        sum[k] = 0.0;
    }
    for (size_t c = 1; c < classes; c++) {
        const double *zc = z + c * count;
        for (size_t k = 0; k < count; k++)
            top[k] = gdi_select(gdi_mask(zc[k] > top[k]), zc[k], top[k]);
    }
    /* the sum in class order, as softmax.c's one-row loop adds */
    for (size_t c = 0; c < classes; c++) {
        double *zc = z + c * count;
        for (size_t k = 0; k < count; k++) {
            zc[k] = gdi_exp_nonpositive(zc[k] - top[k]);
            sum[k] += zc[k];
        }
    }
    /* libm's log, one call a sample (not k): the same function at every level, so the
     * same bits.  top - label_score first: exact when the label has the top score,
     * where adding top to log(S) first would lose log(S)'s low bits at |top| = 1e4 */
    for (size_t k = 0; k < count; k++)
        loss[k] = log(sum[k]) + (top[k] - label_score[k]);
    /* e_c / S rather than exp(z_c - top - log S): one rounding of e_c's */
    for (size_t c = 0; c < classes; c++) {
        double *zc = z + c * count;
        for (size_t k = 0; k < count; k++)
            zc[k] = zc[k] / sum[k] - gdi_select(gdi_mask(label[k] == (double)c), 1.0, 0.0);
    }
}

const struct gdi_sample_loops GDI_LOOP_TABLE(sample_loops) = {
    .logistic = logistic_terms,
    .softmax = softmax_terms,
};
