/*
 * minimize.c - gd_step and gd_minimize: evaluation (full or mini-batch) with the run
 * summary, the evaluation kept from one run to the next, and the stop criteria.  The
 * update itself is gdi_update (internal.h), shared with gd_optimizer_update.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "internal.h"

static size_t count_param(const gd_optimizer *opt, gd_param key)
{
    double v = gdi_opt_param(opt, key); /* a whole number in [0, 2^53] */
    return v >= (double)SIZE_MAX ? SIZE_MAX : (size_t)v;
}

static bool draws_batches(const gd_optimizer *opt, const gd_objective *obj)
{
    return obj->batch && gdi_opt_param(opt, GD_PARAM_BATCH_SIZE) != 0.0;
}

/* The next batch's value and gradient, or the full objective's. */
static int eval_terms(gd_optimizer *opt, gd_objective *obj, const double *x, double *f)
{
    if (!draws_batches(opt, obj))
        return gdi_objective_eval_terms(obj, x, NULL, 0, f, opt->grad);
    bool shuffle = gdi_opt_param(opt, GD_PARAM_SHUFFLE) != 0.0;
    size_t count;
    const size_t *idx =
        gdi_sampler_next(&opt->sampler, count_param(opt, GD_PARAM_BATCH_SIZE), shuffle, &count);
    return gdi_objective_eval_terms(obj, x, idx, count, f, opt->grad);
}

/* Evaluates obj at x into opt->grad; a non-finite f or gradient is GD_EDIVERGED.  On
 * success the run summary holds the value and the gradient's norm; on failure the
 * sampler is back where it was, so that a failed evaluation does not consume its
 * batch (the position is taken after the sampler is prepared for obj's terms, which
 * may start it afresh). */
static int evaluate(gd_optimizer *opt, gd_objective *obj, const double *x)
{
    if (draws_batches(opt, obj)) {
        int rc = gdi_sampler_prepare(&opt->sampler, obj->m);
        if (rc != GD_OK)
            return rc;
    }
    gdi_sampler_position before = gdi_sampler_tell(&opt->sampler);
    opt->evaluations++;
    double f, norm = 0.0;
    int rc = eval_terms(opt, obj, x, &f);
    if (rc == GD_OK && !(isfinite(f) && (norm = gdi_norm2_if_finite(opt->grad, opt->n)) >= 0.0))
        rc = GD_EDIVERGED;
    if (rc != GD_OK) {
        gdi_sampler_seek(&opt->sampler, before);
        return rc;
    }
    opt->last_f = f;
    opt->last_grad_norm = norm;
    opt->pending_from = before;
    return GD_OK;
}

/* ---- the evaluation a run ends with, kept for the next call ---- */

static void keep_pending(gd_optimizer *opt, const gd_objective *obj, const double *x)
{
    memcpy(opt->x_prev, x, opt->n * sizeof *x);
    opt->pending_obj = obj;
}

void gdi_drop_pending(gd_optimizer *opt)
{
    if (opt->pending_obj)
        gdi_sampler_seek(&opt->sampler, opt->pending_from);
    opt->pending_obj = NULL;
}

/* Whether the kept evaluation is of obj at x (bit for bit); if so it is taken, and
 * otherwise dropped. */
static bool take_pending(gd_optimizer *opt, const gd_objective *obj, const double *x)
{
    bool same = opt->pending_obj == obj && memcmp(x, opt->x_prev, opt->n * sizeof *x) == 0;
    if (same)
        opt->pending_obj = NULL;
    else
        gdi_drop_pending(opt);
    return same;
}

static int evaluate_at_start(gd_optimizer *opt, gd_objective *obj, const double *x)
{
    return take_pending(opt, obj, x) ? GD_OK : evaluate(opt, obj, x);
}

int gd_step(gd_optimizer *opt, gd_objective *obj, double *x, double *f)
{
    if (!opt || !obj || !x || obj->n != opt->n)
        return GD_EINVAL;
    int rc = evaluate_at_start(opt, obj, x);
    if (rc != GD_OK)
        return rc;
    gdi_update(opt, x, opt->grad);
    if (f)
        *f = opt->last_f;
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

/* State of one gd_minimize call; f and the gradient norm of the current iterate are
 * the optimizer's last_f and last_grad_norm. */
struct run {
    gd_optimizer *opt;
    gd_objective *obj;
    gd_trajectory *traj;
    double *x;
    size_t max_iter;
    size_t stride;
    double f_prev;
};

static int stop_reason(const struct run *r, size_t k)
{
    const gd_optimizer *opt = r->opt;
    double f = opt->last_f;
    if (k > 0 && opt->monitor && opt->monitor(k, r->x, opt->n, f, opt->monitor_user) != 0)
        return GD_STOP_USER;
    if (gradient_small(opt->last_grad_norm, gdi_opt_param(opt, GD_PARAM_GTOL)))
        return GD_STOP_GTOL;
    if (k > 0 && value_settled(f, r->f_prev, gdi_opt_param(opt, GD_PARAM_FTOL)))
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
    const gd_optimizer *opt = r->opt;
    return gdi_trajectory_append(r->traj, opt->step, opt->last_f, opt->last_grad_norm, r->x);
}

/* Iteration k >= 1: update from x_{k-1}, then evaluate at x_k.  On failure x goes back
 * to x_{k-1}, the last iterate whose evaluation succeeded. */
static int advance(struct run *r)
{
    gd_optimizer *opt = r->opt;
    memcpy(opt->x_prev, r->x, opt->n * sizeof *r->x);
    r->f_prev = opt->last_f;
    gdi_update(opt, r->x, opt->grad);
    int rc = evaluate(opt, r->obj, r->x);
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
    int rc = evaluate_at_start(opt, obj, x);
    for (size_t k = 0; rc == GD_OK; k++) {
        if (k > 0 && (rc = advance(&r)) != GD_OK)
            break;
        int stop = stop_reason(&r, k);
        rc = record(&r, k, stop);
        if (rc != GD_OK || stop != GD_OK) {
            /* The evaluation at x succeeded: the next call starts from it. */
            keep_pending(opt, obj, x);
            return rc != GD_OK ? rc : stop;
        }
    }
    return rc;
}
