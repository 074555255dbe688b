/*
 * quadratic.c - f(x) = scale * ||x - center||^2, gradient 2 * scale * (x - center).
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "../internal.h"

struct quadratic {
    double scale;
    double *center;
};

static void quadratic_free(void *data)
{
    struct quadratic *q = data;
    gdi_free(q->center);
    gdi_free(q);
}

static int quadratic_fdf(const double *x, size_t n, double *f, double *grad, void *data)
{
    const struct quadratic *q = data;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = x[i] - q->center[i];
        sum += d * d;
        /* Doubling last, which is exact: the same as (2 scale) d unless 2 scale
         * overflows, where that would give inf or NaN (at d = 0) for a finite gradient. */
        if (grad)
            grad[i] = 2.0 * (q->scale * d);
    }
    *f = q->scale * sum;
    return 0;
}

gd_objective *gd_quadratic_new(size_t n, const double *center, double scale)
{
    if (n == 0 || !gdi_all_finite(&scale, 1) || (center && !gdi_all_finite(center, n)))
        return NULL;
    struct quadratic *q = gdi_alloc_array(1, sizeof *q);
    if (!q)
        return NULL;
    q->scale = scale;
    q->center = center ? gdi_dup_doubles(center, n) : gdi_calloc_array(n, sizeof(double));
    if (!q->center) {
        gdi_free(q);
        return NULL;
    }
    return gdi_objective_new_owned(n, 1, quadratic_fdf, NULL, q, quadratic_free);
}
