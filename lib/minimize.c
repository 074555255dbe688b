/*
 * minimize.c - gd_step and gd_minimize: evaluation (full or mini-batch), the update,
 * and the stop criteria.  SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "internal.h"

static size_t count_param(const gd_optimizer *opt, gd_param key)
{
    double v = gdi_opt_param(opt, key); /* a whole number in [0, 2^53] */
    return v >= (double)SIZE_MAX ? SIZE_MAX : (size_t)v;
}

static int eval_batch(gd_optimizer *opt, gd_objective *obj, const double *x, double *f,
                      double *grad)
{
    size_t batch_size = count_param(opt, GD_PARAM_BATCH_SIZE);
    if (!obj->batch || batch_size == 0)
        return gdi_objective_eval_terms(obj, x, NULL, 0, f, grad);
    int rc = gdi_sampler_prepare(&opt->sampler, obj->m);
    if (rc != GD_OK)
        return rc;
    bool shuffle = gdi_opt_param(opt, GD_PARAM_SHUFFLE) != 0.0;
    size_t count;
    const size_t *idx = gdi_sampler_next(&opt->sampler, batch_size, shuffle, &count);
    return gdi_objective_eval_terms(obj, x, idx, count, f, grad);
}

static bool gradient_finite(const double *grad, size_t n, double *grad_norm)
{
    if (!grad_norm)
        return gdi_all_finite(grad, n);
    *grad_norm = gdi_norm2_if_finite(grad, n);
    return *grad_norm >= 0.0;
}

int gdi_eval_iteration(gd_optimizer *opt, gd_objective *obj, const double *x, double *f,
                       double *grad, double *grad_norm)
{
    /* A failed evaluation must not consume its batch: keep where the sampler was. */
    size_t next = opt->sampler.next;
    gdi_rng rng = opt->sampler.rng;
    int rc = eval_batch(opt, obj, x, f, grad);
    if (rc == GD_OK && !(isfinite(*f) && gradient_finite(grad, obj->n, grad_norm)))
        rc = GD_EDIVERGED;
    if (rc != GD_OK && opt->sampler.m == obj->m) {
        opt->sampler.next = next;
        opt->sampler.rng = rng;
    }
    return rc;
}

static void apply_update(gd_optimizer *opt, double *x, const double *grad)
{
    opt->step++;
    opt->ops->update(opt, x, grad);
}

int gd_step(gd_optimizer *opt, gd_objective *obj, double *x, double *f)
{
    if (!opt || !obj || !x || obj->n != opt->n)
        return GD_EINVAL;
    double value;
    int rc = gdi_eval_iteration(opt, obj, x, &value, opt->grad, NULL);
    if (rc != GD_OK)
        return rc;
    apply_update(opt, x, opt->grad);
    if (f)
        *f = value;
    return GD_OK;
}

/* ---- stop criteria, each usable on its own ---- */

static bool gradient_small(double grad_norm, double gtol)
{
    return gtol > 0.0 && grad_norm <= gtol;
}

static bool value_settled(double f, double f_prev, double ftol)
{
    return ftol > 0.0 && fabs(f - f_prev) <= ftol * fmax(fabs(f), fabs(f_prev));
}

static bool step_small(const double *x, const double *x_prev, size_t n, double xtol)
{
    return xtol > 0.0 && gdi_distance2(x, x_prev, n) <= xtol * gdi_norm2(x, n);
}

/* State of one gd_minimize call. */
struct run {
    gd_optimizer *opt;
    gd_objective *obj;
    gd_trajectory *traj;
    double *x;
    size_t max_iter;
    size_t stride;
    double f, f_prev, grad_norm;
};

static int stop_reason(const struct run *r, size_t k)
{
    const gd_optimizer *opt = r->opt;
    if (k > 0 && opt->monitor && opt->monitor(k, r->x, opt->n, r->f, opt->monitor_user) != 0)
        return GD_STOP_USER;
    if (gradient_small(r->grad_norm, gdi_opt_param(opt, GD_PARAM_GTOL)))
        return GD_STOP_GTOL;
    if (k > 0 && value_settled(r->f, r->f_prev, gdi_opt_param(opt, GD_PARAM_FTOL)))
        return GD_STOP_FTOL;
    if (k > 0 && step_small(r->x, opt->x_prev, opt->n, gdi_opt_param(opt, GD_PARAM_XTOL)))
        return GD_STOP_XTOL;
    if (k >= r->max_iter)
        return GD_STOP_MAXITER;
    return GD_OK;
}

static int record(const struct run *r, size_t k, int stop)
{
    if (!r->traj || (k % r->stride != 0 && stop == GD_OK))
        return GD_OK;
    return gdi_trajectory_append(r->traj, r->opt->step, r->f, r->grad_norm, r->x);
}

/* Iteration k >= 1: update from x_{k-1}, then evaluate at x_k.  On failure x goes back
 * to x_{k-1}, the last iterate whose evaluation succeeded. */
static int advance(struct run *r)
{
    gd_optimizer *opt = r->opt;
    memcpy(opt->x_prev, r->x, opt->n * sizeof *r->x);
    r->f_prev = r->f;
    apply_update(opt, r->x, opt->grad);
    int rc = gdi_eval_iteration(opt, r->obj, r->x, &r->f, opt->grad, &r->grad_norm);
    if (rc != GD_OK)
        memcpy(r->x, opt->x_prev, opt->n * sizeof *r->x);
    return rc;
}

int gd_minimize(gd_optimizer *opt, gd_objective *obj, double *x, gd_trajectory *traj)
{
    if (!opt || !obj || !x || obj->n != opt->n || (traj && gd_trajectory_dim(traj) != opt->n))
        return GD_EINVAL;
    struct run r = {
        .opt = opt,
        .obj = obj,
        .traj = traj,
        .x = x,
        .max_iter = count_param(opt, GD_PARAM_MAX_ITER),
        .stride = traj ? gdi_trajectory_stride(traj) : 1,
    };
    int rc = gdi_eval_iteration(opt, obj, x, &r.f, opt->grad, &r.grad_norm);
    for (size_t k = 0; rc == GD_OK; k++) {
        if (k > 0)
            rc = advance(&r);
        if (rc != GD_OK)
            break;
        int stop = stop_reason(&r, k);
        rc = record(&r, k, stop);
        if (rc == GD_OK && stop != GD_OK)
            return stop;
    }
    return rc;
}
