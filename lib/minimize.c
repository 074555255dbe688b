/*
 * minimize.c - gd_step and gd_minimize: evaluation (full or mini-batch) with the run
 * summary, and the stop criteria.  The update itself is gdi_update (internal.h),
 * shared with gd_optimizer_update.  The sampler moves on by one batch per update:
 * a failed evaluation, and the last one of a run, which makes no update, give their
 * batch back, so that runs split over several calls chain.  A method with its own
 * loop (struct gdi_method's run: L-BFGS) replaces the update loop of both and
 * evaluates through gdi_evaluate, so that the run summary is kept here for it too.
 * SGD with GD_LINE_SEARCH_BACKTRACKING keeps this loop and its stop criteria, but moves
 * by Armijo backtracking along -g (backtrack) instead of gdi_update.
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

/* Whether gd_minimize and gd_step move by backtrack: a method with an update (SGD)
 * whose line search is on. */
static bool backtracks(const gd_optimizer *opt)
{
    return opt->method->apply && gdi_line_search_on(opt);
}

/* Whether the method cannot run on mini-batches: L-BFGS's and backtracking's steps
 * compare values of f, which batches of different terms do not give. */
static bool needs_full_objective(const gd_optimizer *opt)
{
    return opt->method->run || backtracks(opt);
}

/* One iteration of SGD's Armijo backtracking (GD_LINE_SEARCH_BACKTRACKING), from the
 * iterate in opt->x_prev, whose evaluation opt->grad and opt->last_f hold: x becomes
 * x_prev - t g for the first t of lr, lr/2, ... (GD_BACKTRACKING_SHRINK) with
 * f(x - t g) <= f(x) + c1 t g.(-g) (GD_BACKTRACKING_C1, L-BFGS's test with d = -g),
 * and its evaluation the run summary's.  A trial whose f or gradient is not finite
 * fails the test.  Every trial is one evaluation and the iteration one update (counted
 * whether or not a step is found, as L-BFGS's).  After GD_BACKTRACKING_MAX_HALVINGS
 * halvings without a step, or on an evaluation's error, x and the summary are the
 * iterate's again: GD_STOP_XTOL, or the error.  No allocation: a rejected trial's
 * gradient is swapped back out of opt->grad. */
static int backtrack(gd_optimizer *opt, gd_objective *obj, double *x)
{
    const struct gdi_group *group = &opt->groups[0]; /* one group (gd_optimizer_set) */
    if (gdi_group_param(group, GD_PARAM_MOMENTUM) != 0.0)
        return GD_EINVAL; /* a schedule that cycles momentum gave it one */
    size_t n = opt->n;
    const double *x0 = opt->x_prev;
    double f0 = opt->last_f, norm0 = opt->last_grad_norm, gtd = 0.0;
    gdi_sampler_position draw0 = opt->last_draw_from;
    for (size_t i = 0; i < n; i++)
        gtd -= opt->grad[i] * opt->grad[i];
    double t = gdi_group_param(group, GD_PARAM_LR); /* schedules change it */
    opt->step++;
    for (int halvings = 0;; halvings++) {
        const double *g = opt->grad;
        for (size_t i = 0; i < n; i++)
            x[i] = x0[i] - t * g[i]; /* the first trial is plain SGD's step, bit for bit */
        int rc = gdi_evaluate(opt, obj, x, true);
        if (rc == GD_OK && !(opt->last_f > f0 + GD_BACKTRACKING_C1 * t * gtd))
            return GD_OK;
        if (rc == GD_OK) { /* rejected: the iterate's gradient is in the spare buffer */
            double *rejected = opt->grad;
            opt->grad = opt->spare_grad;
            opt->spare_grad = rejected;
            opt->last_f = f0;
            opt->last_grad_norm = norm0;
            opt->last_draw_from = draw0;
        } else if (rc != GD_EDIVERGED) {
            memcpy(x, x0, n * sizeof *x);
            return rc;
        }
        if (halvings == GD_BACKTRACKING_MAX_HALVINGS) {
            memcpy(x, x0, n * sizeof *x);
            return GD_STOP_XTOL;
        }
        t *= GD_BACKTRACKING_SHRINK;
    }
}

/* gd_step with backtracking: *f is f at x before the step; GD_OK also when no step was
 * found (x stays), as L-BFGS's gd_step. */
static int step_searching(gd_optimizer *opt, gd_objective *obj, double *x, double *f)
{
    int rc = gdi_evaluate(opt, obj, x, true);
    if (rc != GD_OK)
        return rc;
    double f0 = opt->last_f;
    memcpy(opt->x_prev, x, opt->n * sizeof *x);
    rc = backtrack(opt, obj, x);
    if (rc < 0)
        return rc;
    if (f)
        *f = f0;
    return GD_OK;
}

static int step_once(gd_optimizer *opt, gd_objective *obj, double *x, double *f)
{
    if (backtracks(opt))
        return step_searching(opt, obj, x, f);
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
    if (!opt || !obj || !x || obj->n != opt->n || opt->single)
        return GD_EINVAL;
    /* A callback that ran this optimizer again would change the sampler, the gradient
     * and the state under the outer call (a new objective's m frees the batch the outer
     * callback is reading). */
    if (opt->running)
        return GD_EBUSY;
    if (needs_full_objective(opt) && draws_batches(opt, obj))
        return GD_EINVAL;
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

/* Iteration k >= 1: update from x_{k-1}, then evaluate at x_k (or backtrack, which
 * evaluates its trials: GD_STOP_XTOL when it finds no step).  On failure x goes back
 * to x_{k-1}, the last iterate whose evaluation succeeded. */
static int advance(struct run *r)
{
    gd_optimizer *opt = r->opt;
    memcpy(opt->x_prev, r->x, opt->n * sizeof *r->x);
    r->f_prev = opt->last_f;
    if (backtracks(opt))
        return backtrack(opt, r->obj, r->x);
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
        int stop = k > 0 ? advance(&r) : GD_OK; /* > 0: backtracking found no step */
        if (stop < 0) {
            rc = stop;
            break;
        }
        /* A refusal ends the run at x_k as a stop would, with its record. */
        if (stop == GD_OK && k > 0)
            stop = step_schedules(opt);
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
    if (!opt || !obj || !x || obj->n != opt->n || opt->single ||
        (traj && gd_trajectory_dim(traj) != opt->n))
        return GD_EINVAL;
    if (opt->running)
        return GD_EBUSY; /* as gd_step */
    if (needs_full_objective(opt) && draws_batches(opt, obj))
        return GD_EINVAL;
    opt->running = true;
    size_t max_iter = gdi_count_param(opt, GD_PARAM_MAX_ITER);
    double f_start;
    int rc = opt->method->run ? opt->method->run(opt, obj, x, traj, max_iter, &f_start)
                              : iterate(opt, obj, x, traj);
    opt->running = false;
    return rc;
}
