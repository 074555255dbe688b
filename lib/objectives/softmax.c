/*
 * softmax.c - multinomial (softmax) regression over k classes as a finite sum, one
 * term per sample:
 *   f_i(W, b) = log(sum_c exp(z_ic)) - z_i,y_i + (l2/2) ||W||^2,
 *   z_ic = W_c . X_i + b_c, W k x p row-major, b the k intercepts after W with
 *   GD_INTERCEPT (not penalized), else 0.
 * As in logistic.c the penalty is part of every term: the mean over a batch is its
 * mean cross-entropy plus the whole penalty.  Gradient of that mean over a batch B:
 * (1/|B|) sum_{i in B} (softmax(z_i)_c - [c = y_i]) (X_i, 1) for class c, + l2 W.
 *
 * The log-sum-exp is shifted by the row's largest score, so that no exp overflows
 * and the largest term is exactly 1.
 * With k <= SCORE_CHUNK (the common case) the rows go by blocks (rows.h), as in
 * logistic.c: the block's scores, class by class (the row loops' scores with each
 * class's weights), its losses and slopes (a vectorized loop with vmath.h's exp,
 * sample_loops.c), then each class's accumulation into the gradient.  Each grad
 * element takes its rows' products in row order, as one row after the other would.
 * Beyond SCORE_CHUNK classes, one row at a time with libm's exp and log: the scores
 * of a row are kept on the stack in chunks of SCORE_CHUNK classes, combined as they
 * come (a running maximum rescales the running sum) and recomputed for the gradient,
 * from the row that is still in cache.  No allocation, so that evaluations of a
 * shared handle may run at once.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "../internal.h"
#include "rows.h"

enum { SCORE_CHUNK = 64 };

struct softmax {
    size_t p, k;
    bool intercept;
    double l2;
    double *X;      /* m*p, row-major */
    size_t *labels; /* m classes, each below k */
    /* the row and per-sample loops of the level chosen at creation */
    const struct gdi_row_loops *loops;
    const struct gdi_sample_loops *samples;
    bool prefetch; /* gdi_rows_prefetched(m, p) */
};

static void softmax_free(void *data)
{
    struct softmax *sm = data;
    gdi_free(sm->X);
    gdi_free(sm->labels);
    gdi_free(sm);
}

/* The scores of classes first..first+count-1 for row into z. */
static void chunk_scores(const struct softmax *sm, const double *w, const double *row, size_t first,
                         size_t count, double *z)
{
    const double *bias = w + sm->k * sm->p;
    for (size_t c = 0; c < count; c++) {
        size_t cls = first + c;
        z[c] = gdi_row_dot(sm->intercept ? bias[cls] : 0.0, row, w + cls * sm->p, sm->p);
    }
}

/* log(sum_c exp(z_c - top)) over every class for row, top the largest score (in
 * *top), with the label's score in *z_label; z is left with the scores of the first
 * chunk (all of them when k <= SCORE_CHUNK). */
static double log_sum_exp(const struct softmax *sm, const double *w, const double *row,
                          size_t label, double *z, double *top_out, double *z_label)
{
    double top = -INFINITY, sum = 0.0;
    for (size_t first = sm->k; first-- > 0;) {
        /* backwards by chunks, so that the first chunk's scores stay in z */
        size_t start = first - first % SCORE_CHUNK, count = first - start + 1;
        first = start;
        chunk_scores(sm, w, row, start, count, z);
        double chunk_top = z[0];
        for (size_t c = 1; c < count; c++)
            chunk_top = fmax(chunk_top, z[c]);
        if (chunk_top > top) {
            sum *= exp(top - chunk_top);
            top = chunk_top;
        }
        for (size_t c = 0; c < count; c++)
            sum += exp(z[c] - top);
        if (label >= start && label < start + count)
            *z_label = z[label - start];
    }
    *top_out = top;
    return log(sum);
}

/* Adds (softmax_c - [c = label]) (row, 1) to the gradient for every class c, where
 * softmax_c = exp((z_c - top) - log_sum) from log_sum_exp. */
static void add_row_gradient(const struct softmax *sm, const double *w, const double *row,
                             size_t label, double top, double log_sum, double *z, double *grad)
{
    double *grad_bias = grad + sm->k * sm->p;
    for (size_t start = 0; start < sm->k; start += SCORE_CHUNK) {
        size_t count = sm->k - start < SCORE_CHUNK ? sm->k - start : SCORE_CHUNK;
        if (start > 0)
            chunk_scores(sm, w, row, start, count, z);
        for (size_t c = 0; c < count; c++) {
            size_t cls = start + c;
            double slope = exp((z[c] - top) - log_sum) - (cls == label ? 1.0 : 0.0);
            gdi_row_add_scaled(grad + cls * sm->p, slope, row, sm->p);
            if (sm->intercept)
                grad_bias[cls] += slope;
        }
    }
}

/* (l2/2) ||W||^2, and l2 W added to the gradient. */
static double add_penalty(const struct softmax *sm, const double *w, double *grad)
{
    if (sm->l2 == 0.0)
        return 0.0;
    if (grad)
        gdi_row_add_scaled(grad, sm->l2, w, sm->k * sm->p);
    return 0.5 * sm->l2 * gdi_row_dot(0.0, w, w, sm->k * sm->p);
}

/* The sum of the losses of the rows idx[0..count), k <= SCORE_CHUNK, by blocks, with
 * their gradient added to grad (when not NULL). */
static double block_losses(const struct softmax *sm, const double *w, const size_t *idx,
                           size_t count, double *grad)
{
    const size_t p = sm->p, k = sm->k;
    const double *bias = w + k * p;
    double *grad_bias = grad ? grad + k * p : NULL;
    /* the scores, then the slopes, class-major: z[c rows + r] for row r of a block */
    double z[GDI_BLOCK_DOUBLES], loss[GDI_BLOCK_ROWS], loss_sum = 0.0;
    size_t block = gdi_block_rows(p);
    if (block > GDI_BLOCK_DOUBLES / k)
        block = GDI_BLOCK_DOUBLES / k;
    for (size_t first = 0; first < count; first += block) {
        size_t rows = count - first < block ? count - first : block;
        const size_t *rows_idx = idx + first;
        struct gdi_ahead ahead =
            gdi_next_block(sm->prefetch, idx, first, rows, block, p, count, grad != NULL);
        /* the rows ahead asked for once, with the first class's scores and accumulation */
        for (size_t c = 0; c < k; c++)
            sm->loops->scores(z + c * rows, sm->X, p, rows_idx, rows, sm->intercept ? bias[c] : 0.0,
                              w + c * p, c == 0 ? ahead.scores_rows : NULL,
                              c == 0 ? ahead.scores_count : 0);
        sm->samples->softmax(z, loss, sm->labels, rows_idx, rows, k);
        for (size_t r = 0; r < rows; r++)
            loss_sum += loss[r];
        if (!grad)
            continue;
        for (size_t c = 0; c < k; c++) {
            sm->loops->accumulate(grad + c * p, sm->X, p, rows_idx, rows, z + c * rows,
                                  c == 0 ? ahead.accumulate_rows : NULL,
                                  c == 0 ? ahead.accumulate_count : 0);
            if (sm->intercept)
                for (size_t r = 0; r < rows; r++)
                    grad_bias[c] += z[c * rows + r];
        }
    }
    return loss_sum;
}

static int softmax_batch(const double *w, size_t n, const size_t *idx, size_t count, double *f,
                         double *grad, void *data)
{
    const struct softmax *sm = data;
    double z[SCORE_CHUNK], loss_sum = 0.0;
    if (grad)
        memset(grad, 0, n * sizeof *grad);
    if (sm->k <= SCORE_CHUNK)
        loss_sum = block_losses(sm, w, idx, count, grad);
    else
        for (size_t i = 0; i < count; i++) {
            const double *row = sm->X + idx[i] * sm->p;
            size_t label = sm->labels[idx[i]];
            double top, z_label = 0.0;
            double log_sum = log_sum_exp(sm, w, row, label, z, &top, &z_label);
            /* top - z_label first: exact when the label has the top score, where adding
             * top to log_sum first would lose log_sum's low bits at |top| = 1e4 */
            loss_sum += log_sum + (top - z_label);
            if (grad)
                add_row_gradient(sm, w, row, label, top, log_sum, z, grad);
        }
    if (grad)
        for (size_t j = 0; j < n; j++)
            grad[j] /= (double)count;
    *f = loss_sum / (double)count + add_penalty(sm, w, grad);
    return 0;
}

static bool labels_below(const size_t *labels, size_t m, size_t k)
{
    for (size_t i = 0; i < m; i++)
        if (labels[i] >= k)
            return false;
    return true;
}

/* n = k*p (+ k), or 0 when it overflows. */
static size_t softmax_dim(size_t p, size_t k, bool intercept)
{
    size_t columns = intercept ? p + 1 : p;
    if (columns < p || columns > SIZE_MAX / k)
        return 0;
    return k * columns;
}

gd_objective *gd_softmax_new(size_t m, size_t p, size_t k, const double *X, const size_t *labels,
                             double l2, unsigned flags)
{
    bool intercept = (flags & GD_INTERCEPT) != 0;
    if (m == 0 || p == 0 || k < 2 || !X || !labels || (flags & ~GD_INTERCEPT) != 0 ||
        p > SIZE_MAX / m)
        return NULL;
    size_t n = softmax_dim(p, k, intercept);
    if (n == 0 || !(l2 >= 0.0) || !gdi_all_finite(&l2, 1) || !gdi_all_finite(X, m * p) ||
        !labels_below(labels, m, k))
        return NULL;
    struct softmax *sm = gdi_calloc_array(1, sizeof *sm);
    if (!sm)
        return NULL;
    sm->p = p;
    sm->k = k;
    sm->intercept = intercept;
    sm->l2 = l2;
    enum gdi_level level = gdi_level_select();
    sm->loops = GDI_LOOPS_AT(level, row_loops);
    sm->samples = GDI_LOOPS_AT(level, sample_loops);
    sm->prefetch = gdi_rows_prefetched(m, p);
    sm->X = gdi_dup_matrix(X, m * p);
    sm->labels = gdi_alloc_array(m, sizeof *sm->labels);
    if (!sm->X || !sm->labels) {
        softmax_free(sm);
        return NULL;
    }
    memcpy(sm->labels, labels, m * sizeof *labels);
    return gdi_objective_new_owned(n, m, NULL, softmax_batch, sm, softmax_free);
}
