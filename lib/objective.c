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

int gdi_objective_eval_terms(gd_objective *obj, const double *x, const size_t *idx, size_t count,
                             double *f, double *grad)
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

int gd_objective_eval_terms(gd_objective *obj, const double *x, const size_t *idx, size_t count,
                            double *f, double *grad)
{
    if (!obj || !x || !idx || count == 0)
        return GD_EINVAL;
    for (size_t k = 0; k < count; k++)
        if (idx[k] >= obj->m)
            return GD_EINVAL;
    /* A plain objective has the single term 0: its evaluation is the full one. */
    return gdi_objective_eval_terms(obj, x, obj->batch ? idx : NULL, count, f, grad);
}

/* ---- reductions over vectors ----
 * A sum of n terms is kept in LANES independent partial sums: no addition waits for
 * the one before it, so the loop runs at memory speed instead of at one addition per
 * floating-point latency, and vectorizes without reassociating anything.  For n below
 * LANES the order is the plain left-to-right one. */

enum { LANES = 8 };

enum term { PROBE, SQUARE, SQUARED_DIFFERENCE };

static inline double term(double a, double b, enum term kind)
{
    switch (kind) {
    case PROBE:
        return a * 0.0; /* NaN exactly when a is NaN or infinite */
    case SQUARE:
        return a * a;
    default:
        return (a - b) * (a - b);
    }
}

/* The partial sums are separate variables, not an array: GCC 12 at -O2 kept an array
 * in memory, which chained every addition through a store and a load. */
static inline double sum_terms(const double *a, const double *b, size_t n, enum term kind)
{
/* b is read for the kind that has one: a test of b in the loop kept GCC 12 from
 * vectorizing the differences (5 instructions an element instead of 3). */
#define TERM(k) term(a[i + (k)], kind == SQUARED_DIFFERENCE ? b[i + (k)] : 0.0, kind)
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0, s5 = 0.0, s6 = 0.0, s7 = 0.0;
    size_t i = 0;
    for (; i + LANES <= n; i += LANES) {
        s0 += TERM(0);
        s1 += TERM(1);
        s2 += TERM(2);
        s3 += TERM(3);
        s4 += TERM(4);
        s5 += TERM(5);
        s6 += TERM(6);
        s7 += TERM(7);
    }
    for (; i < n; i++)
        s0 += TERM(0);
#undef TERM
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
}

bool gdi_all_finite(const double *v, size_t n)
{
    if (n < LANES) { /* the common small case, without the partial sums' set-up */
        for (size_t i = 0; i < n; i++)
            if (!isfinite(v[i]))
                return false;
        return true;
    }
    return sum_terms(v, NULL, n, PROBE) == 0.0;
}

/* The norm of a - b (of a when b is NULL), scaled by its largest element so that no
 * square overflows or underflows; an a[i] - b[i] beyond DBL_MAX makes it infinite, as
 * the distance is. */
static double scaled_norm2(const double *a, const double *b, size_t n)
{
    double scale = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = fabs(b ? a[i] - b[i] : a[i]);
        if (isnan(d))
            return d;
        if (d > scale)
            scale = d;
    }
    if (scale == 0.0 || isinf(scale))
        return scale;
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double t = (b ? a[i] - b[i] : a[i]) / scale;
        sum += t * t;
    }
    return scale * sqrt(sum);
}

/* The norm from the fast pass's sum of squares, or from the scaled pass when the
 * squares overflowed or underflowed.  The callers run sum_terms themselves: behind one
 * shared function GCC 12 did not inline it, and the fast pass took 2.4 times the
 * instructions. */
static double norm_from(double sum, const double *a, const double *b, size_t n)
{
    if (isfinite(sum) && sum >= DBL_MIN)
        return sqrt(sum);
    return scaled_norm2(a, b, n);
}

double gdi_norm2(const double *v, size_t n)
{
    return norm_from(sum_terms(v, NULL, n, SQUARE), v, NULL, n);
}

double gdi_distance2(const double *a, const double *b, size_t n)
{
    return norm_from(sum_terms(a, b, n, SQUARED_DIFFERENCE), a, b, n);
}

double gdi_norm2_if_finite(const double *v, size_t n)
{
    /* A NaN or infinite element makes the norm NaN or infinite, so a finite norm also
     * answers the check; a non-finite one may still come from finite elements whose
     * norm overflows, and only then are the elements checked. */
    double norm = gdi_norm2(v, n);
    return isfinite(norm) || gdi_all_finite(v, n) ? norm : -1.0;
}
