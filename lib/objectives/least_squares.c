/*
 * least_squares.c - f(w) = (scale/m) sum_i (X_i . w + b - y_i)^2 as a finite sum, one
 * term per sample; b = w[p] with GD_LS_INTERCEPT, else 0.
 * Gradient of the mean over a batch B: (2 scale/|B|) sum_{i in B} r_i (X_i, 1), from
 * one read of each row of the batch (rows.h).
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
};

static void least_squares_free(void *data)
{
    struct least_squares *ls = data;
    gdi_free(ls->X);
    gdi_free(ls->y);
    gdi_free(ls);
}

static int least_squares_batch(const double *w, size_t n, const size_t *idx, size_t count,
                               double *f, double *grad, void *data)
{
    const struct least_squares *ls = data;
    double sum = 0.0;
    if (grad)
        memset(grad, 0, n * sizeof *grad);
    const double b = ls->intercept ? w[ls->p] : 0.0;
    for (size_t k = 0; k < count; k++) {
        const double *row = ls->X + idx[k] * ls->p;
        double r = gdi_row_dot(b, row, w, ls->p) - ls->y[idx[k]];
        sum += r * r;
        if (grad) {
            gdi_row_add_scaled(grad, r, row, ls->p);
            if (ls->intercept)
                grad[ls->p] += r;
        }
    }
    *f = ls->scale * sum / (double)count;
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
    ls->X = gdi_dup_doubles(X, m * p);
    ls->y = gdi_dup_doubles(y, m);
    if (!ls->X || !ls->y) {
        least_squares_free(ls);
        return NULL;
    }
    return gdi_objective_new_owned(intercept ? p + 1 : p, m, NULL, least_squares_batch, ls,
                                   least_squares_free);
}
