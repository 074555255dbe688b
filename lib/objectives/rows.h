/*
 * rows.h - the two loops over one sample's features that the linear models share: the
 * score of a row and the accumulation of a scaled row into a gradient.  A model calls
 * both for a row in turn, so that each row is read from memory once per evaluation
 * and is still in cache for the second loop.
 * SPDX-License-Identifier: MIT
 */
#ifndef GDI_OBJECTIVE_ROWS_H
#define GDI_OBJECTIVE_ROWS_H

#include <stddef.h>

/* start + x . w over p values.  Four partial sums, so that no addition waits for the
 * one before it (the build forbids reassociation, so a single sum runs at one
 * addition per latency); for p < 4 the order is the plain left-to-right one from
 * start, as least_squares.c summed before. */
static inline double gdi_row_dot(double start, const double *restrict x, const double *restrict w,
                                 size_t p)
{
    double s0 = start, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    size_t j = 0;
    for (; j + 4 <= p; j += 4) {
        s0 += x[j] * w[j];
        s1 += x[j + 1] * w[j + 1];
        s2 += x[j + 2] * w[j + 2];
        s3 += x[j + 3] * w[j + 3];
    }
    for (; j < p; j++)
        s0 += x[j] * w[j];
    return p < 4 ? s0 : (s0 + s1) + (s2 + s3);
}

/* acc[0..p) += a * x[0..p). */
static inline void gdi_row_add_scaled(double *restrict acc, double a, const double *restrict x,
                                      size_t p)
{
    for (size_t j = 0; j < p; j++)
        acc[j] += a * x[j];
}

#endif /* GDI_OBJECTIVE_ROWS_H */
