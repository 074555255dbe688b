/*
 * objective.c - the objective handle: plain functions and finite sums, evaluation of
 * the whole objective or of a subset of its terms.  SPDX-License-Identifier: MIT
 */
#include <float.h>
#include <math.h>

#include "internal.h"

static gd_objective *objective_alloc(size_t n, size_t m, gd_fdf_fn fdf, gd_batch_fn batch,
                                     void *user)
{
    if (n == 0 || m == 0 || (n > SIZE_MAX / sizeof(double)))
        return NULL;
    gd_objective *obj = gdi_calloc_array(1, sizeof *obj);
    if (!obj)
        return NULL;
    if (batch) {
        obj->all_terms = gdi_alloc_array(m, sizeof *obj->all_terms);
        if (!obj->all_terms) {
            gdi_free(obj);
            return NULL;
        }
        for (size_t i = 0; i < m; i++)
            obj->all_terms[i] = i;
    }
    obj->n = n;
    obj->m = m;
    obj->fdf = fdf;
    obj->batch = batch;
    obj->user = user;
    return obj;
}

gd_objective *gd_objective_new(size_t n, gd_fdf_fn fdf, void *user)
{
    return fdf ? objective_alloc(n, 1, fdf, NULL, user) : NULL;
}

gd_objective *gd_objective_new_sum(size_t n, size_t m, gd_batch_fn fdf, void *user)
{
    return fdf ? objective_alloc(n, m, NULL, fdf, user) : NULL;
}

gd_objective *gdi_objective_new_owned(size_t n, size_t m, gd_fdf_fn fdf, gd_batch_fn batch,
                                      void *data, void (*free_data)(void *))
{
    if (!data)
        return NULL;
    gd_objective *obj = objective_alloc(n, m, fdf, batch, data);
    if (!obj) {
        free_data(data);
        return NULL;
    }
    obj->free_user = free_data;
    return obj;
}

void gd_objective_free(gd_objective *obj)
{
    if (!obj)
        return;
    if (obj->free_user)
        obj->free_user(obj->user);
    gdi_free(obj->all_terms);
    gdi_free(obj);
}

size_t gd_objective_dim(const gd_objective *obj)
{
    return obj ? obj->n : 0;
}

size_t gd_objective_terms(const gd_objective *obj)
{
    return obj ? obj->m : 0;
}

int gdi_objective_eval_terms(gd_objective *obj, const double *x, const size_t *idx,
                             size_t count, double *f, double *grad)
{
    double value;
    int rc;
    if (obj->batch) {
        if (!idx) {
            idx = obj->all_terms;
            count = obj->m;
        }
        rc = obj->batch(x, obj->n, idx, count, &value, grad, obj->user);
    } else {
        rc = obj->fdf(x, obj->n, &value, grad, obj->user);
    }
    if (rc != 0)
        return GD_ECALLBACK;
    if (f)
        *f = value;
    return GD_OK;
}

int gd_objective_eval(gd_objective *obj, const double *x, double *f, double *grad)
{
    if (!obj || !x)
        return GD_EINVAL;
    return gdi_objective_eval_terms(obj, x, NULL, 0, f, grad);
}

int gd_objective_eval_terms(gd_objective *obj, const double *x, const size_t *idx,
                            size_t count, double *f, double *grad)
{
    if (!obj || !x || !idx || count == 0)
        return GD_EINVAL;
    for (size_t k = 0; k < count; k++)
        if (idx[k] >= obj->m)
            return GD_EINVAL;
    /* A plain objective has the single term 0: its evaluation is the full one. */
    return gdi_objective_eval_terms(obj, x, obj->batch ? idx : NULL, count, f, grad);
}

bool gdi_all_finite(const double *v, size_t n)
{
    /* Summing v[i] * 0 is NaN exactly when some v[i] is NaN or infinite, and lets the
     * loop vectorize without a branch per element. */
    double probe = 0.0;
    for (size_t i = 0; i < n; i++)
        probe += v[i] * 0.0;
    return probe == 0.0;
}

static double scaled_norm2(const double *v, size_t n)
{
    double scale = 0.0;
    for (size_t i = 0; i < n; i++) {
        double a = fabs(v[i]);
        if (isnan(a))
            return a;
        if (a > scale)
            scale = a;
    }
    if (scale == 0.0 || isinf(scale))
        return scale;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double t = v[i] / scale;
        sum += t * t;
    }
    return scale * sqrt(sum);
}

double gdi_norm2(const double *v, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += v[i] * v[i];
    /* One pass suffices unless the squares overflowed or underflowed. */
    if (isfinite(sum) && sum >= DBL_MIN)
        return sqrt(sum);
    return scaled_norm2(v, n);
}
