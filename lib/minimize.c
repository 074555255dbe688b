/*
 * minimize.c - gd_step and gd_minimize: evaluation (full or mini-batch) with the run
 * summary, and the stop criteria.  The update itself is gdi_update (internal.h),
 * shared with gd_optimizer_update.  The sampler moves on by one batch per update:
 * a failed evaluation, and the last one of a run, which makes no update, give their
 * batch back, so that runs split over several calls chain.  A method with its own
 * loop (struct gdi_method's run: L-BFGS) replaces the update loop of both and
 * evaluates through gdi_evaluate, so that the run summary is kept here for it too.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "internal.h"

size_t gdi_count_param(const gd_optimizer *opt, gd_param key)
{
    double v = gdi_opt_param(opt, key); /* a whole number in [0, 2^53] */
    return v >= (double)SIZE_MAX ? SIZE_MAX : (size_t)v;
}

static bool draws_batches(const gd_optimizer *opt, const gd_objective *obj)
{
    return obj->batch && gdi_opt_param(opt, GD_PARAM_BATCH_SIZE) != 0.0;
}

/* The next batch's value and gradient into grad, or the full objective's. */
static int eval_terms(gd_optimizer *opt, gd_objective *obj, const double *x, bool batches,
                      double *f, double *grad)
{
    if (!batches)
        return gdi_objective_eval_terms(obj, x, NULL, 0, f, grad);
    bool shuffle = gdi_opt_param(opt, GD_PARAM_SHUFFLE) != 0.0;
    size_t count;
    const size_t *idx =
        gdi_sampler_next(&opt->sampler, gdi_count_param(opt, GD_PARAM_BATCH_SIZE), shuffle, &count);
    return gdi_objective_eval_terms(obj, x, idx, count, f, grad);
}

/* Whether the gradient is finite; with norm non-NULL, it also receives its norm, from
 * the same pass when it can. */
static bool gradient_finite(const double *grad, size_t n, double *norm)
{
    if (!norm)
        return gdi_all_finite(grad, n);
    *norm = gdi_norm2_if_finite(grad, n);
    return *norm >= 0.0;
}

/* Evaluates obj at x; a non-finite f or gradient is GD_EDIVERGED.  The gradient goes to
 * the spare buffer, which becomes opt->grad on success, so that opt->grad always holds
 * the last successful evaluation's.  Its norm is computed here when with_norm, and
 * otherwise on demand (gd_optimizer_last_grad_norm).  On failure the sampler is back
 * where it was, so that a failed evaluation does not consume its batch (the position
 * is taken after the sampler is prepared for obj's terms, which may start it afresh). */
int gdi_evaluate(gd_optimizer *opt, gd_objective *obj, const double *x, bool with_norm)
{
    bool batches = draws_batches(opt, obj);
    if (batches) {
        int rc = gdi_sampler_prepare(&opt->sampler, obj->m);
        if (rc != GD_OK)
            return rc;
    }
    gdi_sampler_position before = gdi_sampler_tell(&opt->sampler);
    opt->evaluations++;
    double f, norm = NAN, *grad = opt->spare_grad;
    int rc = eval_terms(opt, obj, x, batches, &f, grad);
    if (rc == GD_OK && !(isfinite(f) && gradient_finite(grad, opt->n, with_norm ? &norm : NULL)))
        rc = GD_EDIVERGED;
    if (rc != GD_OK) {
        gdi_sampler_seek(&opt->sampler, before);
        return rc;
    }
    opt->spare_grad = opt->grad;
    opt->grad = grad;
    opt->last_f = f;
    opt->last_grad_norm = norm;
    opt->last_draw_from = before;
    return GD_OK;
}

void gdi_summary_set(gd_optimizer *opt, double f, const double *grad)
{
    if (grad != opt->grad)
        memcpy(opt->grad, grad, opt->n * sizeof *grad);
    opt->last_f = f;
    opt->last_grad_norm = gdi_norm2(grad, opt->n);
}

static int step_once(gd_optimizer *opt, gd_objective *obj, double *x, double *f)
{
    int rc = gdi_evaluate(opt, obj, x, false);
    if (rc != GD_OK)
        return rc;
    gdi_update(opt, x, opt->grad);
    if (f)
        *f = opt->last_f;
    return GD_OK;
}

int gd_step(gd_optimizer *opt, gd_objective *obj, double *x, double *f)
{
    if (!opt || !obj || !x || obj->n != opt->n)
        return GD_EINVAL;
    /* A callback that ran this optimizer again would change the sampler, the gradient
     * and the state under the outer call (a new objective's m frees the batch the outer
     * callback is reading). */
    if (opt->running)
        return GD_EBUSY;
    if (opt->method->run && draws_batches(opt, obj))
        return GD_EINVAL; /* L-BFGS needs the full objective */
    opt->running = true;
    int rc =
        opt->method->run ? opt->method->run(opt, obj, x, NULL, 1, f) : step_once(opt, obj, x, f);
    opt->running = false;
    return rc > 0 ? GD_OK : rc;
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
    size_t max_eval;         /* 0: no limit */
    size_t evaluations_then; /* opt->evaluations when the call began */
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
    if (r->max_eval > 0 && opt->evaluations - r->evaluations_then >= r->max_eval)
        return GD_STOP_MAXEVAL;
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
    int rc = gdi_evaluate(opt, r->obj, r->x, true);
    if (rc != GD_OK)
        memcpy(r->x, opt->x_prev, opt->n * sizeof *r->x);
    return rc;
}

/* GD_PARAM_SCHEDULE_EVERY = k: the schedules step after every k-th update, counted
 * since creation or reset so that runs chain, and a plateau schedule judges the f just
 * evaluated at the new iterate (torch's loop: optimizer.step(), then evaluate, then
 * scheduler.step(loss)).  Negative when a schedule refuses to step. */
static int step_schedules(gd_optimizer *opt)
{
    size_t every = gdi_count_param(opt, GD_PARAM_SCHEDULE_EVERY);
    if (every == 0 || opt->step % every != 0)
        return GD_OK;
    return gd_optimizer_schedule_step(opt, opt->last_f);
}

static int iterate(gd_optimizer *opt, gd_objective *obj, double *x, gd_trajectory *traj)
{
    struct run r = {
        .opt = opt,
        .obj = obj,
        .traj = traj,
        .x = x,
        .max_iter = gdi_count_param(opt, GD_PARAM_MAX_ITER),
        .max_eval = gdi_count_param(opt, GD_PARAM_MAX_EVAL),
        .evaluations_then = opt->evaluations,
        .stride = traj ? gdi_trajectory_stride(traj) : 1,
    };
    int rc = gdi_evaluate(opt, obj, x, true);
    for (size_t k = 0; rc == GD_OK; k++) {
        if (k > 0 && (rc = advance(&r)) != GD_OK)
            break;
        /* A refusal ends the run at x_k as a stop would, with its record. */
        int stop = k > 0 ? step_schedules(opt) : GD_OK;
        if (stop == GD_OK)
            stop = stop_reason(&r, k);
        rc = record(&r, k, stop);
        if (rc != GD_OK || stop != GD_OK) {
            /* The last evaluation made no update: its batch is drawn again next time. */
            gdi_sampler_seek(&opt->sampler, opt->last_draw_from);
            return rc != GD_OK ? rc : stop;
        }
    }
    return rc;
}

int gd_minimize(gd_optimizer *opt, gd_objective *obj, double *x, gd_trajectory *traj)
{
    if (!opt || !obj || !x || obj->n != opt->n || (traj && gd_trajectory_dim(traj) != opt->n))
        return GD_EINVAL;
    if (opt->running)
        return GD_EBUSY; /* as gd_step */
    if (opt->method->run && draws_batches(opt, obj))
        return GD_EINVAL; /* L-BFGS needs the full objective */
    opt->running = true;
    size_t max_iter = gdi_count_param(opt, GD_PARAM_MAX_ITER);
    double f_start;
    int rc = opt->method->run ? opt->method->run(opt, obj, x, traj, max_iter, &f_start)
                              : iterate(opt, obj, x, traj);
    opt->running = false;
    return rc;
}
