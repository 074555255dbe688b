/*
 * least_squares.c - f(w) = (scale/m) sum_i (X_i . w + b - y_i)^2 as a finite sum, one
 * term per sample; b = w[p] with GD_LS_INTERCEPT, else 0.
 * Gradient of the mean over a batch B: (2 scale/|B|) sum_{i in B} r_i (X_i, 1), from
 * one read of each row of the batch, by blocks of rows (rows.h).
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "../internal.h"
#include "rows.h"

struct least_squares {
    size_t p;
    bool intercept;
    double scale;
    double *X; /* m*p, row-major */
    double *y;
    /* the row loops of the level chosen at creation */
    const struct gdi_row_loops *loops;
    bool prefetch; /* gdi_rows_prefetched(m, p) */
};

static void least_squares_free(void *data)
{
    struct least_squares *ls = data;
    gdi_free(ls->X);
    gdi_free(ls->y);
    gdi_free(ls);
}

/* The rows by blocks (rows.h): sums[0] += r_i^2, sums[1] += r_i and grad += r_i X_i
 * over the rows idx[0..count), in row order. */
static void block_rows(const struct least_squares *ls, const double *w, double b, const size_t *idx,
                       size_t count, double sums[2], double *grad)
{
    /* the sums in locals: through sums or grad, each row's addition would wait for the
     * store of the one before (the compiler cannot tell that r is not grad) */
    double r[GDI_BLOCK_ROWS], squares = sums[0], residuals = sums[1];
    const size_t block = gdi_block_rows(ls->p);
    for (size_t first = 0; first < count; first += block) {
        size_t rows = count - first < block ? count - first : block;
        struct gdi_ahead ahead =
            gdi_next_block(ls->prefetch, idx, first, rows, block, ls->p, count, grad != NULL);
        ls->loops->scores(r, ls->X, ls->p, idx + first, rows, b, w, ahead.scores_rows,
                          ahead.scores_count);
        for (size_t k = 0; k < rows; k++) {
            r[k] -= ls->y[idx[first + k]];
            squares += r[k] * r[k];
            residuals += r[k];
        }
        if (grad)
            ls->loops->accumulate(grad, ls->X, ls->p, idx + first, rows, r, ahead.accumulate_rows,
                                  ahead.accumulate_count);
    }
    sums[0] = squares;
    sums[1] = residuals;
}

static int least_squares_batch(const double *w, size_t n, const size_t *idx, size_t count,
                               double *f, double *grad, void *data)
{
    const struct least_squares *ls = data;
    if (grad)
        memset(grad, 0, n * sizeof *grad);
    const double b = ls->intercept ? w[ls->p] : 0.0;
    double sums[2] = {0.0, 0.0}; /* of r_i^2 and of r_i */
    if (!ls->loops->least_squares(sums, grad, ls->X, ls->p, idx, count, b, w, ls->y, ls->prefetch))
        block_rows(ls, w, b, idx, count, sums, grad);
    if (grad && ls->intercept)
        grad[ls->p] = sums[1];
    *f = ls->scale * sums[0] / (double)count;
    if (grad) {
        /* Doubling last, as in quadratic.c: 2 scale may overflow where the gradient
         * does not. */
        double factor = ls->scale / (double)count;
        for (size_t j = 0; j < n; j++)
            grad[j] = 2.0 * (grad[j] * factor);
    }
    return 0;
}

gd_objective *gd_least_squares_new(size_t m, size_t p, const double *X, const double *y,
                                   double scale, unsigned flags)
{
    bool intercept = (flags & GD_LS_INTERCEPT) != 0;
    if (m == 0 || p == 0 || !X || !y || (flags & ~GD_LS_INTERCEPT) != 0 || p > SIZE_MAX / m ||
        (intercept && p == SIZE_MAX))
        return NULL;
    if (!gdi_all_finite(&scale, 1) || !gdi_all_finite(X, m * p) || !gdi_all_finite(y, m))
        return NULL;
    struct least_squares *ls = gdi_calloc_array(1, sizeof *ls);
    if (!ls)
        return NULL;
    ls->p = p;
    ls->intercept = intercept;
    ls->scale = scale;
    ls->loops = GDI_LOOPS_AT(gdi_level_select(), row_loops);
    ls->prefetch = gdi_rows_prefetched(m, p);
    ls->X = gdi_dup_matrix(X, m * p);
    ls->y = gdi_dup_doubles(y, m);
    if (!ls->X || !ls->y) {
        least_squares_free(ls);
        return NULL;
    }
    return gdi_objective_new_owned(intercept ? p + 1 : p, m, NULL, least_squares_batch, ls,
                                   least_squares_free);
}
