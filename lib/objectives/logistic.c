/*
 * logistic.c - binary logistic regression as a finite sum, one term per sample:
 *   f_i(w) = log(1 + exp(z_i)) - y_i z_i + (l2/2) ||w[0..p)||^2,
 *   z_i = X_i . w[0..p) + b, b = w[p] with GD_INTERCEPT (not penalized), else 0.
 * The penalty is part of every term, so the mean over a batch is the batch's mean
 * log-loss plus the whole penalty, and the mean over all m terms is f.  Gradient of
 * that mean over a batch B: (1/|B|) sum_{i in B} (sigmoid(z_i) - y_i) (X_i, 1) + l2 w.
 *
 * With y in {0, 1}, log(1 + exp(z)) - y z = softplus(s) where s = z for y = 0 and
 * s = -z for y = 1, and sigmoid(z) - y = sigmoid(s) for y = 0 and -sigmoid(s) for
 * y = 1.  softplus(s) = max(s, 0) + log1p(exp(-|s|)) and sigmoid(s) from the same
 * exp(-|s|) neither overflow nor cancel: the value and the gradient are exact to
 * rounding at any finite z (|z| = 1e4 included), with one exp per sample.
 * The rows go by blocks (rows.h): their scores, their losses and slopes (a vectorized
 * loop with its own exp and log1p, sample_loops.c), then their accumulation into the
 * gradient.
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <string.h>

#include "../internal.h"
#include "rows.h"

struct logistic {
    size_t p;
    bool intercept;
    double l2;
    double *X; /* m*p, row-major */
    double *y; /* m labels, each 0 or 1 */
    /* the row and per-sample loops of the level chosen at creation */
    const struct gdi_row_loops *loops;
    const struct gdi_sample_loops *samples;
    bool prefetch; /* gdi_rows_prefetched(m, p) */
};

static void logistic_free(void *data)
{
    struct logistic *lg = data;
    gdi_free(lg->X);
    gdi_free(lg->y);
    gdi_free(lg);
}

/* (l2/2) ||w[0..p)||^2, and l2 w[0..p) added to the gradient. */
static double add_penalty(const struct logistic *lg, const double *w, double *grad)
{
    if (lg->l2 == 0.0)
        return 0.0;
    if (grad)
        gdi_row_add_scaled(grad, lg->l2, w, lg->p);
    return 0.5 * lg->l2 * gdi_row_dot(0.0, w, w, lg->p);
}

static int logistic_batch(const double *w, size_t n, const size_t *idx, size_t count, double *f,
                          double *grad, void *data)
{
    const struct logistic *lg = data;
    const size_t p = lg->p;
    const double b = lg->intercept ? w[p] : 0.0;
    /* grad[p]'s sum in a local, as in least_squares.c */
    double z[GDI_BLOCK_ROWS], loss[GDI_BLOCK_ROWS], loss_sum = 0.0, intercept_sum = 0.0;
    if (grad)
        memset(grad, 0, n * sizeof *grad);
    const size_t block = gdi_block_rows(p);
    for (size_t first = 0; first < count; first += block) {
        size_t rows = count - first < block ? count - first : block;
        struct gdi_ahead ahead =
            gdi_next_block(lg->prefetch, idx, first, rows, block, p, count, grad != NULL);
        lg->loops->scores(z, lg->X, p, idx + first, rows, b, w, ahead.scores_rows,
                          ahead.scores_count);
        /* the score's slot takes the slope, the row's scale in the gradient */
        lg->samples->logistic(z, loss, lg->y, idx + first, rows);
        for (size_t k = 0; k < rows; k++) {
            loss_sum += loss[k];
            intercept_sum += z[k];
        }
        if (grad)
            lg->loops->accumulate(grad, lg->X, p, idx + first, rows, z, ahead.accumulate_rows,
                                  ahead.accumulate_count);
    }
    if (grad && lg->intercept)
        grad[p] = intercept_sum;
    if (grad)
        for (size_t j = 0; j < n; j++)
            grad[j] /= (double)count;
    *f = loss_sum / (double)count + add_penalty(lg, w, grad);
    return 0;
}

static bool labels_binary(const double *y, size_t m)
{
    for (size_t i = 0; i < m; i++)
        if (y[i] != 0.0 && y[i] != 1.0)
            return false;
    return true;
}

gd_objective *gd_logistic_new(size_t m, size_t p, const double *X, const double *y, double l2,
                              unsigned flags)
{
    bool intercept = (flags & GD_INTERCEPT) != 0;
    if (m == 0 || p == 0 || !X || !y || (flags & ~GD_INTERCEPT) != 0 || p > SIZE_MAX / m ||
        (intercept && p == SIZE_MAX))
        return NULL;
    if (!(l2 >= 0.0) || !gdi_all_finite(&l2, 1) || !gdi_all_finite(X, m * p) ||
        !labels_binary(y, m))
        return NULL;
    struct logistic *lg = gdi_calloc_array(1, sizeof *lg);
    if (!lg)
        return NULL;
    lg->p = p;
    lg->intercept = intercept;
    lg->l2 = l2;
    enum gdi_level level = gdi_level_select();
    lg->loops = GDI_LOOPS_AT(level, row_loops);
    lg->samples = GDI_LOOPS_AT(level, sample_loops);
    lg->prefetch = gdi_rows_prefetched(m, p);
    lg->X = gdi_dup_matrix(X, m * p);
    lg->y = gdi_dup_doubles(y, m);
    if (!lg->X || !lg->y) {
        logistic_free(lg);
        return NULL;
    }
    return gdi_objective_new_owned(intercept ? p + 1 : p, m, NULL, logistic_batch, lg,
                                   logistic_free);
}
