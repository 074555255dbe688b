/*
 * geometric_median.c - f(x) = (1/m) sum_i w_i ||x - p_i||_2 as a finite sum.
 *
 * Away from the data the gradient of term i is w_i u_i with u_i = (x - p_i)/||x - p_i||.
 * At points p_j equal to x the subdifferential of the batch sum is R + W * Ball, with R
 * the sum of w_i u_i over the other points and W the total weight at x; its element of
 * least norm is 0 when ||R|| <= W and R (1 - W/||R||) otherwise.
 * SPDX-License-Identifier: MIT
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "../internal.h"
#include "rows.h"

struct geometric_median {
    size_t dim;
    double *points;  /* m*dim, row-major */
    double *weights; /* m, or NULL for all 1 */
    bool prefetch;   /* gdi_rows_prefetched(m, dim) */
};

static void geometric_median_free(void *data)
{
    struct geometric_median *gm = data;
    gdi_free(gm->points);
    gdi_free(gm->weights);
    gdi_free(gm);
}

/* ||x - p||^2 in four partial sums (as gdi_row_dot): one sum would wait a floating-point
 * addition's latency at every coordinate. */
static double squared_distance(const double *restrict x, const double *restrict p, size_t dim)
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    size_t j = 0;
    for (; j + 4 <= dim; j += 4) {
        double d0 = x[j] - p[j], d1 = x[j + 1] - p[j + 1];
        double d2 = x[j + 2] - p[j + 2], d3 = x[j + 3] - p[j + 3];
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
        s3 += d3 * d3;
    }
    for (; j < dim; j++) {
        double d = x[j] - p[j];
        s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
}

/* ||x - p|| when the sum of its squares overflowed or fell below DBL_MIN (or is 0 or
 * NaN), as a careful hypot does it: the differences scaled by a power of two (exactly)
 * so that the squares that matter are normal, summed again and scaled back.  Below
 * DBL_MIN every difference is below 2^-511, and 2^600 brings even subnormal ones into
 * range; above DBL_MAX the largest is above about 2^512 / sqrt(dim), beside which those
 * that 2^-600 makes subnormal do not count.  Cold: the loops keep it out of their way. */
__attribute__((cold)) static double rescaled_distance(const double *x, const double *p, size_t dim,
                                                      double sum)
{
    double scale = sum < DBL_MIN ? 0x1p600 : 0x1p-600, scaled = 0.0;
    for (size_t j = 0; j < dim; j++) {
        double d = (x[j] - p[j]) * scale;
        scaled += d * d;
    }
    return sqrt(scaled) / scale;
}

/* Replaces R by the least-norm element of R + weight_at_x * Ball. */
static void least_norm_subgradient(double *r, size_t dim, double weight_at_x)
{
    if (weight_at_x <= 0.0)
        return;
    double norm = gdi_norm2(r, dim);
    double shrink = norm <= weight_at_x ? 0.0 : 1.0 - weight_at_x / norm;
    for (size_t j = 0; j < dim; j++)
        r[j] *= shrink;
}

/* The sums over a batch besides the gradient (which the summing functions add into
 * grad): f before dividing by the count, and the weight of the points at x. */
struct median_sums {
    double sum, weight_at_x;
};

/* Adds the point i to s and, when grad is not NULL, its term's gradient to grad. */
static void add_point(const struct geometric_median *gm, const double *restrict x, size_t i,
                      double *restrict grad, struct median_sums *s)
{
    size_t dim = gm->dim;
    const double *p = gm->points + i * dim;
    double w = gm->weights ? gm->weights[i] : 1.0;
    double sum = squared_distance(x, p, dim), d;
    if (sum >= DBL_MIN && sum <= DBL_MAX) { /* ordinary data: one pass suffices */
        d = sqrt(sum);
    } else {
        d = rescaled_distance(x, p, dim, sum);
        if (d == 0.0) { /* x is p: adds 0 to f, its weight to the ball */
            s->weight_at_x += w;
            return;
        }
    }
    s->sum += w * d;
    if (!grad)
        return;
    double scale = w / d; /* the point's one division */
    for (size_t j = 0; j < dim; j++)
        grad[j] += scale * (x[j] - p[j]);
}

/* Whether the four points idx[0..4) are ordinary (add_point's one pass suffices for
 * each) and, if so, their sums of squares into sums. */
static bool four_ordinary(const struct geometric_median *gm, const double *restrict x,
                          const size_t *idx, double sums[4])
{
    bool ordinary = true;
    for (size_t r = 0; r < 4; r++) {
        sums[r] = squared_distance(x, gm->points + idx[r] * gm->dim, gm->dim);
        ordinary &= sums[r] >= DBL_MIN && sums[r] <= DBL_MAX;
    }
    return ordinary;
}

/* add_point for the points idx[0..count) in turn, four at a time where all four are
 * ordinary: four independent chains of a sum of squares, a square root and a division,
 * where one point after another waited for each in turn.  Each point's operations, and
 * the order in which s and each element of grad take the points, are add_point's: the
 * same bits.  Over points beyond L2, each four ask for the four gdi_prefetch_distance
 * ahead (rows.h). */
static struct median_sums sum_distances(const struct geometric_median *gm, const double *restrict x,
                                        const size_t *idx, size_t count, double *restrict grad)
{
    struct median_sums s = {0.0, 0.0};
    const size_t dim = gm->dim;
    const size_t distance = gdi_prefetch_distance(dim);
    size_t k = 0;
    for (; k + 4 <= count; k += 4) {
        for (size_t r = k + distance; gm->prefetch && r < k + 4 + distance && r < count; r++)
            gdi_prefetch_row(gm->points, dim, idx[r]);
        double sums[4], scales[4];
        if (!four_ordinary(gm, x, idx + k, sums)) {
            for (size_t r = k; r < k + 4; r++)
                add_point(gm, x, idx[r], grad, &s);
            continue;
        }
        for (size_t r = 0; r < 4; r++) {
            double w = gm->weights ? gm->weights[idx[k + r]] : 1.0, d = sqrt(sums[r]);
            s.sum += w * d;
            scales[r] = w / d;
        }
        if (!grad)
            continue;
        const double *p0 = gm->points + idx[k] * dim, *p1 = gm->points + idx[k + 1] * dim;
        const double *p2 = gm->points + idx[k + 2] * dim, *p3 = gm->points + idx[k + 3] * dim;
        for (size_t j = 0; j < dim; j++)
            grad[j] = (((grad[j] + scales[0] * (x[j] - p0[j])) + scales[1] * (x[j] - p1[j])) +
                       scales[2] * (x[j] - p2[j])) +
                      scales[3] * (x[j] - p3[j]);
    }
    for (; k < count; k++)
        add_point(gm, x, idx[k], grad, &s);
    return s;
}

/* The 2-D case (the point clouds of the examples): the same operations in the same
 * order as sum_distances, so the same bits, with x and the gradient in registers. */
static struct median_sums sum_distances_2d(const struct geometric_median *gm, const double *x,
                                           const size_t *idx, size_t count, double *grad)
{
    struct median_sums s = {0.0, 0.0};
    const double x0 = x[0], x1 = x[1];
    double g0 = 0.0, g1 = 0.0;
    for (size_t k = 0; k < count; k++) {
        const double *p = gm->points + 2 * idx[k];
        double w = gm->weights ? gm->weights[idx[k]] : 1.0;
        double dx = x0 - p[0], dy = x1 - p[1];
        double sum = dx * dx + dy * dy, d;
        if (sum >= DBL_MIN && sum <= DBL_MAX) {
            d = sqrt(sum);
        } else {
            d = rescaled_distance(x, p, 2, sum);
            if (d == 0.0) {
                s.weight_at_x += w;
                continue;
            }
        }
        s.sum += w * d;
        if (grad) { /* not `continue` as above: GCC 12 then computed part of it for f alone */
            double scale = w / d;
            g0 += scale * dx;
            g1 += scale * dy;
        }
    }
    if (grad) {
        grad[0] = g0;
        grad[1] = g1;
    }
    return s;
}

static int geometric_median_batch(const double *x, size_t dim, const size_t *idx, size_t count,
                                  double *f, double *grad, void *data)
{
    const struct geometric_median *gm = data;
    if (grad)
        memset(grad, 0, dim * sizeof *grad);
    struct median_sums s = dim == 2 ? sum_distances_2d(gm, x, idx, count, grad)
                                    : sum_distances(gm, x, idx, count, grad);
    *f = s.sum / (double)count;
    if (grad) {
        least_norm_subgradient(grad, dim, s.weight_at_x);
        for (size_t j = 0; j < dim; j++)
            grad[j] /= (double)count;
    }
    return 0;
}

static bool weights_ok(const double *weights, size_t m)
{
    for (size_t i = 0; i < m; i++)
        if (!(weights[i] >= 0.0) || !gdi_all_finite(&weights[i], 1))
            return false;
    return true;
}

gd_objective *gd_geometric_median_new(size_t m, size_t dim, const double *points,
                                      const double *weights)
{
    if (m == 0 || dim == 0 || !points || dim > SIZE_MAX / m)
        return NULL;
    if (!gdi_all_finite(points, m * dim) || (weights && !weights_ok(weights, m)))
        return NULL;
    struct geometric_median *gm = gdi_calloc_array(1, sizeof *gm);
    if (!gm)
        return NULL;
    gm->dim = dim;
    gm->prefetch = gdi_rows_prefetched(m, dim);
    gm->points = gdi_dup_matrix(points, m * dim);
    gm->weights = weights ? gdi_dup_doubles(weights, m) : NULL;
    if (!gm->points || (weights && !gm->weights)) {
        geometric_median_free(gm);
        return NULL;
    }
    return gdi_objective_new_owned(dim, m, NULL, geometric_median_batch, gm, geometric_median_free);
}
