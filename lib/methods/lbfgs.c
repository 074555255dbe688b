/*
 * lbfgs.c - L-BFGS as torch.optim.LBFGS computes it (PyTorch 1.13,
 * torch/optim/lbfgs.py): one gd_minimize with max_iter = k is one LBFGS.step(closure)
 * with max_iter = k, and successive calls continue the same history, as successive
 * step() calls do.  Each iteration (step(), lines 336-465):
 *
 *   direction: d = -g at the first iteration since creation or reset; later the
 *     two-loop recursion over the kept pairs (y = g - g_prev, s = t d, kept only when
 *     y.s > 1e-10, at most history_size of them), scaled by H_diag = y.s / y.y;
 *   step: t = min(1, 1 / ||g||_1) lr at the first iteration, lr later; stop when
 *     g.d > -tolerance_change;
 *   move: x <- x + t d, then evaluate (not at the last iteration of the call); or
 *     with the strong Wolfe line search (_strong_wolfe, lines 35-181), the point it
 *     accepts; or (libgd's own, not torch's) Armijo backtracking from t;
 *   stop: max_iter iterations, max_eval evaluations in the call, max |g_i| <=
 *     tolerance_grad, max |t d_i| <= tolerance_change, |f - f_prev| < tolerance_change.
 *
 * The method has no loops per instruction-set level (its list entry says `none`): its
 * work is dot products and axpys, in the order torch does them; torch's summation order
 * of dot products is its BLAS's, so iterates agree to about 1e-12 relative, not bit for
 * bit.  Everything is allocated with the optimizer: the history (2 (history_size + 1) vectors
 * of n), the direction and the previous gradient (the state vectors "d" and
 * "prev_flat_grad"), the trial point and three gradients of the line search.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "../internal.h"

enum { D, PREV_GRAD };        /* the state vectors */
enum { TRIAL_GRADIENTS = 3 }; /* the line search holds at most 3 gradients at once */

/* State vector v: doubles, as L-BFGS has no float optimizer (gd_optimizer_new_f32). */
static double *state_of(const gd_optimizer *opt, size_t v)
{
    return opt->state[v];
}

struct lbfgs_rule {
    size_t capacity;             /* pairs kept at most: history_size */
    size_t slots;                /* capacity + 1: a new pair goes into the free slot */
    size_t count;                /* pairs kept */
    size_t oldest;               /* slot of the oldest pair */
    double *old_dirs;            /* slots vectors of n: the y of each pair */
    double *old_stps;            /* slots vectors of n: the s of each pair */
    double *ro;                  /* slots values: 1 / (y.s) */
    double *al;                  /* slots values: the first loop's alphas */
    double *trial;               /* n values: x + t d */
    double *gradients;           /* TRIAL_GRADIENTS vectors of n */
    double t, h_diag, prev_loss; /* torch's state["t"], ["H_diag"], ["prev_loss"] */
    const gd_optimizer *opt;     /* the owner, whose counters are torch's state's */
};

/* torch's LBFGS has one parameter group: the optimizer has one group (and a rule) */
static struct lbfgs_rule *rule_of(const gd_optimizer *opt)
{
    return opt->groups ? opt->groups[0].rule : NULL;
}

static const struct gdi_param_default lbfgs_params[] = {
    {GD_PARAM_LR, 1.0},
    {GD_PARAM_HISTORY_SIZE, 100.0},
    {GD_PARAM_LINE_SEARCH, GD_LINE_SEARCH_NONE},
    {GD_PARAM_TOLERANCE_GRAD, 1e-7},
    {GD_PARAM_TOLERANCE_CHANGE, 1e-9},
};

/* ---- vector operations, each one of torch's tensor operations ---- */

/* Dot products sum in four interleaved partial sums (element i into sum i % 4 for
 * the whole blocks of four, the rest into the first), added as (s0 + s1) + (s2 + s3):
 * four independent chains of additions instead of one, which bounded every dot
 * product by the latency of an addition.  torch leaves the order to its BLAS.  The
 * fused passes (axpy_dot, scale_dot, negate_dot, copy_dot, update_memory) sum in this
 * same order, so that fusing changes no bits. */
#define FOUR_SUMS(TERM)                                                                            \
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;                                                 \
    size_t i = 0;                                                                                  \
    for (; i + 4 <= n; i += 4) {                                                                   \
        s0 += TERM(i);                                                                             \
        s1 += TERM(i + 1);                                                                         \
        s2 += TERM(i + 2);                                                                         \
        s3 += TERM(i + 3);                                                                         \
    }                                                                                              \
    for (; i < n; i++)                                                                             \
        s0 += TERM(i);                                                                             \
    return (s0 + s1) + (s2 + s3)

static double dot(const double *a, const double *b, size_t n)
{
#define DOT_TERM(j) (a[j] * b[j])
    FOUR_SUMS(DOT_TERM);
#undef DOT_TERM
}

/* y <- y + alpha x, then w.y: torch's y.add_(x, alpha=alpha) and w.dot(y) in one pass */
static double axpy_dot(double *restrict y, const double *restrict x, double alpha,
                       const double *restrict w, size_t n)
{
#define AXPY_DOT_TERM(j) (y[j] += alpha * x[j], w[j] * y[j])
    FOUR_SUMS(AXPY_DOT_TERM);
#undef AXPY_DOT_TERM
}

/* y <- y * h, then w.y in one pass */
static double scale_dot(double *restrict y, double h, const double *restrict w, size_t n)
{
#define SCALE_DOT_TERM(j) (y[j] *= h, w[j] * y[j])
    FOUR_SUMS(SCALE_DOT_TERM);
#undef SCALE_DOT_TERM
}

/* q <- -g, then w.q in one pass */
static double negate_dot(double *restrict q, const double *restrict g, const double *restrict w,
                         size_t n)
{
#define NEGATE_DOT_TERM(j) (q[j] = -g[j], w[j] * q[j])
    FOUR_SUMS(NEGATE_DOT_TERM);
#undef NEGATE_DOT_TERM
}

/* dst <- src (a gradient into its slot), then src.d in one pass */
static double copy_dot(double *restrict dst, const double *restrict src, const double *restrict d,
                       size_t n)
{
#define COPY_DOT_TERM(j) (dst[j] = src[j], src[j] * d[j])
    FOUR_SUMS(COPY_DOT_TERM);
#undef COPY_DOT_TERM
}

/* y <- y + alpha x (torch's y.add_(x, alpha=alpha)) */
static void add_scaled(double *y, const double *x, double alpha, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] += alpha * x[i];
}

static double max_abs(const double *v, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        m = fabs(v[i]) > m ? fabs(v[i]) : m;
    return m;
}

static double *pair_y(const struct lbfgs_rule *r, size_t i, size_t n)
{
    return r->old_dirs + ((r->oldest + i) % r->slots) * n;
}

static double *pair_s(const struct lbfgs_rule *r, size_t i, size_t n)
{
    return r->old_stps + ((r->oldest + i) % r->slots) * n;
}

static size_t pair_slot(const struct lbfgs_rule *r, size_t i)
{
    return (r->oldest + i) % r->slots;
}

/* ---- the direction (lbfgs.py lines 344-390) ---- */

/* Keeps y = g - g_prev and s = t d when y.s > 1e-10, dropping the oldest pair when the
 * history is full (lines 352-369).  They are computed into the free slot, with y.s and
 * y.y in the same pass. */
static void update_memory(gd_optimizer *opt, const double *g)
{
    struct lbfgs_rule *r = rule_of(opt);
    size_t n = opt->n;
    double *y = pair_y(r, r->count, n), *s = pair_s(r, r->count, n);
    const double *prev = state_of(opt, PREV_GRAD), *d = state_of(opt, D);
    double t = r->t, ys0 = 0.0, ys1 = 0.0, ys2 = 0.0, ys3 = 0.0;
    double yy0 = 0.0, yy1 = 0.0, yy2 = 0.0, yy3 = 0.0;
#define PAIR_TERM(j, ys, yy)                                                                       \
    do {                                                                                           \
        y[j] = g[j] - prev[j];                                                                     \
        s[j] = d[j] * t;                                                                           \
        ys += y[j] * s[j];                                                                         \
        yy += y[j] * y[j];                                                                         \
    } while (0)
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        PAIR_TERM(i, ys0, yy0);
        PAIR_TERM(i + 1, ys1, yy1);
        PAIR_TERM(i + 2, ys2, yy2);
        PAIR_TERM(i + 3, ys3, yy3);
    }
    for (; i < n; i++)
        PAIR_TERM(i, ys0, yy0);
#undef PAIR_TERM
    double y_dot_s = (ys0 + ys1) + (ys2 + ys3);
    if (!(y_dot_s > 1e-10))
        return;
    r->ro[pair_slot(r, r->count)] = 1.0 / y_dot_s;
    size_t history = gdi_count_param(opt, GD_PARAM_HISTORY_SIZE);
    if (r->count == history)
        r->oldest = (r->oldest + 1) % r->slots;
    else
        r->count++;
    r->h_diag = y_dot_s / ((yy0 + yy1) + (yy2 + yy3));
}

/* The two-loop recursion, collapsed to one buffer as torch does (lines 379-390); returns
 * g.d (line 397), from the last pass. */
static double two_loop(gd_optimizer *opt, const double *g)
{
    struct lbfgs_rule *r = rule_of(opt);
    size_t n = opt->n;
    double *q = state_of(opt, D);
    size_t count = r->count;
    if (count == 0) {
        for (size_t i = 0; i < n; i++)
            q[i] = -g[i] * r->h_diag; /* (-g) * H_diag: the same bits as in two steps */
        return dot(g, q, n);
    }
    /* Each pass does one of torch's axpys and the dot product that follows it. */
    double sq = negate_dot(q, g, pair_s(r, count - 1, n), n);
    for (size_t i = count; i-- > 0;) {
        size_t slot = pair_slot(r, i);
        r->al[slot] = sq * r->ro[slot];
        if (i > 0)
            sq = axpy_dot(q, pair_y(r, i, n), -r->al[slot], pair_s(r, i - 1, n), n);
        else
            add_scaled(q, pair_y(r, i, n), -r->al[slot], n);
    }
    double yq = scale_dot(q, r->h_diag, pair_y(r, 0, n), n);
    for (size_t i = 0;; i++) {
        size_t slot = pair_slot(r, i);
        double be_i = yq * r->ro[slot];
        const double *w = i + 1 < count ? pair_y(r, i + 1, n) : g;
        yq = axpy_dot(q, pair_s(r, i, n), r->al[slot] - be_i, w, n);
        if (i + 1 == count)
            return yq;
    }
}

/* The direction into state "d"; returns g.d. */
static double direction(gd_optimizer *opt, const double *g)
{
    struct lbfgs_rule *r = rule_of(opt);
    if (opt->step == 1) { /* torch's state["n_iter"] == 1: a fresh history */
        for (size_t i = 0; i < opt->n; i++)
            state_of(opt, D)[i] = -g[i];
        r->count = r->oldest = 0;
        r->h_diag = 1.0;
        return dot(g, state_of(opt, D), opt->n);
    }
    update_memory(opt, g);
    return two_loop(opt, g);
}

/* ---- the strong Wolfe line search (_strong_wolfe, lines 35-181) ---- */

/* Python's max and min of two floats, NaN handling included. */
static double py_max(double a, double b)
{
    return b > a ? b : a;
}

static double py_min(double a, double b)
{
    return b < a ? b : a;
}

/* _cubic_interpolate (lines 7-32): the minimizer of the cubic through two points with
 * their values and slopes, clamped to [lo, hi]. */
static double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2,
                                double lo, double hi)
{
    double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
    double d2_square = d1 * d1 - g1 * g2;
    if (!(d2_square >= 0))
        return (lo + hi) / 2.;
    double d2 = sqrt(d2_square), min_pos;
    if (x1 <= x2)
        min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2));
    else
        min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return py_min(py_max(min_pos, lo), hi);
}

/* A point of the line search: step, value, slope and where its gradient is (an index
 * into rule->gradients, or START for the gradient at t = 0, state "prev_flat_grad"). */
enum { START = -1 };
struct point {
    double t, f, gtd, norm; /* norm: of the gradient, from its evaluation */
    int grad;
};

struct line {
    gd_optimizer *opt;
    gd_objective *obj;
    const double *x, *d;
    struct point start;
    size_t evals;
};

/* Evaluates at x + t d into a gradient slot that neither keep nor keep2 holds. */
static int probe(struct line *ls, double t, int keep, int keep2, struct point *out)
{
    gd_optimizer *opt = ls->opt;
    struct lbfgs_rule *r = rule_of(opt);
    size_t n = opt->n;
    for (size_t i = 0; i < n; i++)
        r->trial[i] = ls->x[i] + t * ls->d[i];
    ls->evals++;
    int rc = gdi_evaluate(opt, ls->obj, r->trial, true); /* the norm, finiteness's pass */
    if (rc != GD_OK)
        return rc;
    int slot = 0;
    while (slot == keep || slot == keep2)
        slot++;
    double *g = r->gradients + (size_t)slot * n;
    *out =
        (struct point){t, opt->last_f, copy_dot(g, opt->grad, ls->d, n), opt->last_grad_norm, slot};
    return GD_OK;
}

enum { MAX_LS = 25 };
static const double C1 = 1e-4, C2 = 0.9;
/* _strong_wolfe's own tolerance_change: step() does not pass the optimizer's. */
static const double LS_TOLERANCE_CHANGE = 1e-9;

static bool armijo_fails(const struct line *ls, const struct point *p)
{
    return p->f > (ls->start.f + C1 * p->t * ls->start.gtd);
}

static bool curvature_holds(const struct line *ls, const struct point *p)
{
    return fabs(p->gtd) <= -C2 * ls->start.gtd;
}

/* The bracketing phase (lines 54-108): a bracket b[0..1], or one point satisfying the
 * Wolfe conditions (returns 1 in *size). */
static int bracket_phase(struct line *ls, double t, struct point b[2], int *size, int *ls_iter)
{
    struct point prev = ls->start, cur = ls->start;
    int rc = probe(ls, t, START, START, &cur);
    for (*ls_iter = 0; rc == GD_OK && *ls_iter < MAX_LS;) {
        bool too_high = armijo_fails(ls, &cur) || (*ls_iter > 1 && cur.f >= prev.f);
        if (!too_high && curvature_holds(ls, &cur)) {
            b[0] = cur;
            *size = 1;
            return GD_OK;
        }
        if (too_high || cur.gtd >= 0) {
            b[0] = prev;
            b[1] = cur;
            *size = 2;
            return GD_OK;
        }
        double min_step = cur.t + 0.01 * (cur.t - prev.t), max_step = cur.t * 10;
        double next =
            cubic_interpolate(prev.t, prev.f, prev.gtd, cur.t, cur.f, cur.gtd, min_step, max_step);
        prev = cur;
        rc = probe(ls, next, prev.grad, START, &cur);
        ++*ls_iter;
    }
    b[0] = ls->start; /* max_ls trials: the bracket [0, t] (lines 105-108) */
    b[1] = cur;
    *size = 2;
    return rc;
}

/* Moves t 0.1 of the bracket away from its ends when it comes too close (lines
 * 125-145). */
static double keep_inside(double t, const struct point b[2], bool *insuf_progress)
{
    double hi = py_max(b[0].t, b[1].t), lo = py_min(b[0].t, b[1].t);
    double eps = 0.1 * (hi - lo);
    if (!(py_min(hi - t, t - lo) < eps)) {
        *insuf_progress = false;
        return t;
    }
    if (*insuf_progress || t >= hi || t <= lo) {
        *insuf_progress = false;
        return fabs(t - hi) < fabs(t - lo) ? hi - eps : lo + eps;
    }
    *insuf_progress = true;
    return t;
}

static int low_of(const struct point b[2])
{
    return b[0].f <= b[1].f ? 0 : 1;
}

/* The zoom phase (lines 113-175): refines the bracket; b[*low] is the point taken. */
static int zoom_phase(struct line *ls, struct point b[2], int ls_iter, int *low)
{
    bool insuf_progress = false, done = false;
    double d_norm = max_abs(ls->d, ls->opt->n);
    *low = low_of(b);
    while (!done && ls_iter < MAX_LS) {
        if (fabs(b[1].t - b[0].t) * d_norm < LS_TOLERANCE_CHANGE)
            break;
        double t = cubic_interpolate(b[0].t, b[0].f, b[0].gtd, b[1].t, b[1].f, b[1].gtd,
                                     py_min(b[0].t, b[1].t), py_max(b[0].t, b[1].t));
        t = keep_inside(t, b, &insuf_progress);
        struct point p;
        int rc = probe(ls, t, b[0].grad, b[1].grad, &p);
        if (rc != GD_OK)
            return rc;
        ls_iter++;
        int high = 1 - *low;
        if (armijo_fails(ls, &p) || p.f >= b[*low].f) {
            b[high] = p;
            *low = low_of(b);
            continue;
        }
        if (curvature_holds(ls, &p))
            done = true;
        else if (p.gtd * (b[high].t - b[*low].t) >= 0)
            b[high] = b[*low];
        b[*low] = p;
    }
    return GD_OK;
}

/* Runs the line search from x along d with first trial t; on success *taken is the
 * point it accepts. */
static int strong_wolfe(struct line *ls, double t, struct point *taken)
{
    struct point b[2];
    int size, ls_iter, low = 0;
    int rc = bracket_phase(ls, t, b, &size, &ls_iter);
    if (rc == GD_OK && size == 2)
        rc = zoom_phase(ls, b, ls_iter, &low);
    if (rc == GD_OK)
        *taken = b[low];
    return rc;
}

/* ---- Armijo backtracking (libgd's own; torch has no such line search) ---- */

enum { MAX_HALVINGS = GD_BACKTRACKING_MAX_HALVINGS };
static const double SHRINK = GD_BACKTRACKING_SHRINK;

/* Tries t, t/2, t/4, ... (at most MAX_HALVINGS halvings) and takes the first step with
 * f(x + t d) <= f(x) + C1 t g.d (C1 is GD_BACKTRACKING_C1, the strong Wolfe search's c1).  Returns
 * 1 (and no point) when none satisfies it. */
static int backtracking(struct line *ls, double t, struct point *taken)
{
    for (int halvings = 0;; halvings++) {
        int rc = probe(ls, t, START, START, taken);
        if (rc != GD_OK)
            return rc;
        if (!armijo_fails(ls, taken))
            return GD_OK;
        if (halvings == MAX_HALVINGS)
            return 1;
        t *= SHRINK;
    }
}

/* ---- one iteration and the run (step(), lines 284-476) ---- */

struct lbfgs_run {
    gd_optimizer *opt;
    gd_objective *obj;
    double *x;
    gd_trajectory *traj;
    size_t max_iter, max_eval, n_iter, current_evals, stride;
    double loss;
    bool evaluated; /* f and the gradient are those of the current x */
};

static double tolerance_change(const gd_optimizer *opt)
{
    return gdi_opt_param(opt, GD_PARAM_TOLERANCE_CHANGE);
}

static bool gradient_small(const gd_optimizer *opt)
{
    return max_abs(opt->grad, opt->n) <= gdi_opt_param(opt, GD_PARAM_TOLERANCE_GRAD);
}

/* The first trial step (lines 402-405). */
static double initial_step(const gd_optimizer *opt)
{
    double lr = gdi_group_param(&opt->groups[0], GD_PARAM_LR); /* schedules change it */
    if (opt->step != 1)
        return lr;
    double l1 = 0.0;
    for (size_t i = 0; i < opt->n; i++)
        l1 += fabs(opt->grad[i]);
    return py_min(1., 1. / l1) * lr;
}

/* The move with a line search: x goes to the accepted point, whose f and gradient
 * become the run summary's.  On failure x stays and the summary is x's again; when
 * backtracking finds no step, the run stops with GD_STOP_XTOL. */
static int move_searching(struct lbfgs_run *run, double gtd, bool wolfe)
{
    gd_optimizer *opt = run->opt;
    struct lbfgs_rule *r = rule_of(opt);
    struct line ls = {opt, run->obj, run->x, state_of(opt, D), {0, run->loss, gtd, NAN, START}, 0};
    struct point taken;
    int rc = wolfe ? strong_wolfe(&ls, r->t, &taken) : backtracking(&ls, r->t, &taken);
    run->current_evals += ls.evals;
    if (rc != GD_OK) {
        gdi_summary_set(opt, run->loss, state_of(opt, PREV_GRAD));
        if (rc > 0)
            r->t = 0.0; /* no step taken: x, and "t" for the next history pair, as they were */
        return rc > 0 ? GD_STOP_XTOL : rc;
    }
    r->t = taken.t;
    add_scaled(run->x, state_of(opt, D), r->t, opt->n);
    if (taken.grad == START) {
        gdi_summary_set(opt, taken.f, state_of(opt, PREV_GRAD));
    } else { /* gdi_summary_set with the norm known */
        memcpy(opt->grad, r->gradients + (size_t)taken.grad * opt->n, opt->n * sizeof *opt->grad);
        opt->last_f = taken.f;
        opt->last_grad_norm = taken.norm;
    }
    run->loss = taken.f;
    return GD_OK;
}

/* The fixed step (lines 430-441): evaluated unless it is the call's last iteration. */
static int move_fixed(struct lbfgs_run *run)
{
    gd_optimizer *opt = run->opt;
    struct lbfgs_rule *r = rule_of(opt);
    if (run->n_iter == run->max_iter) {
        add_scaled(run->x, state_of(opt, D), r->t, opt->n);
        run->evaluated = false;
        return GD_OK;
    }
    for (size_t i = 0; i < opt->n; i++)
        r->trial[i] = run->x[i] + r->t * state_of(opt, D)[i];
    run->current_evals++;
    int rc = gdi_evaluate(opt, run->obj, r->trial, true);
    if (rc != GD_OK)
        return rc;
    memcpy(run->x, r->trial, opt->n * sizeof *run->x);
    run->loss = opt->last_f;
    return GD_OK;
}

/* The checks after an iteration (lines 450-465), the monitor first as in gd_minimize. */
static int stop_reason(const struct lbfgs_run *run, double prev_loss)
{
    const gd_optimizer *opt = run->opt;
    const struct lbfgs_rule *r = rule_of(opt);
    double f = run->evaluated ? run->loss : NAN;
    if (opt->monitor && opt->monitor(run->n_iter, run->x, opt->n, f, opt->monitor_user) != 0)
        return GD_STOP_USER;
    if (run->n_iter == run->max_iter)
        return GD_STOP_MAXITER;
    if (run->current_evals >= run->max_eval)
        return GD_STOP_MAXEVAL;
    if (gradient_small(opt))
        return GD_STOP_GTOL;
    double step = 0.0;
    for (size_t i = 0; i < opt->n; i++)
        step = py_max(step, fabs(state_of(opt, D)[i] * r->t));
    if (step <= tolerance_change(opt))
        return GD_STOP_XTOL;
    if (fabs(run->loss - prev_loss) < tolerance_change(opt))
        return GD_STOP_FTOL;
    return GD_OK;
}

static int record(const struct lbfgs_run *run, int stop)
{
    if (!run->traj || (run->n_iter % run->stride != 0 && stop == GD_OK))
        return GD_OK;
    const gd_optimizer *opt = run->opt;
    double f = run->evaluated ? opt->last_f : NAN;
    double norm = run->evaluated ? gd_optimizer_last_grad_norm(opt) : NAN;
    return gdi_trajectory_append(run->traj, opt->step, f, norm, run->x);
}

/* One iteration: a positive stop reason, GD_OK to go on, or an error. */
static int iteration(struct lbfgs_run *run)
{
    gd_optimizer *opt = run->opt;
    struct lbfgs_rule *r = rule_of(opt);
    run->n_iter++;
    opt->step++; /* not through gdi_update: there is no update from a gradient alone */
    double gtd = direction(opt, opt->grad);
    memcpy(state_of(opt, PREV_GRAD), opt->grad, opt->n * sizeof *opt->grad);
    double prev_loss = r->prev_loss = run->loss;
    r->t = initial_step(opt);
    if (gtd > -tolerance_change(opt))
        return GD_STOP_FTOL; /* the first-order change of f is below the tolerance */
    double line_search = gdi_opt_param(opt, GD_PARAM_LINE_SEARCH);
    int rc = line_search == GD_LINE_SEARCH_NONE
                 ? move_fixed(run)
                 : move_searching(run, gtd, line_search == GD_LINE_SEARCH_STRONG_WOLFE);
    return rc != GD_OK ? rc : stop_reason(run, prev_loss);
}

static size_t max_evaluations(const gd_optimizer *opt, size_t max_iter)
{
    size_t max_eval = gdi_count_param(opt, GD_PARAM_MAX_EVAL);
    if (max_eval != 0)
        return max_eval;
    return max_iter > SIZE_MAX / 5 ? SIZE_MAX : max_iter * 5 / 4; /* torch's default */
}

static int lbfgs_run(gd_optimizer *opt, gd_objective *obj, double *x, gd_trajectory *traj,
                     size_t max_iter, double *f_start)
{
    struct lbfgs_run run = {
        .opt = opt,
        .obj = obj,
        .x = x,
        .traj = traj,
        .max_iter = max_iter,
        .max_eval = max_evaluations(opt, max_iter),
        .current_evals = 1,
        .stride = traj ? gdi_trajectory_stride(traj) : 1,
        .evaluated = true,
    };
    int rc = gdi_evaluate(opt, obj, x, true);
    if (rc != GD_OK)
        return rc;
    run.loss = opt->last_f;
    if (f_start)
        *f_start = run.loss;
    int stop = gradient_small(opt) ? GD_STOP_GTOL : max_iter == 0 ? GD_STOP_MAXITER : GD_OK;
    rc = record(&run, stop);
    while (rc == GD_OK && stop == GD_OK) {
        stop = iteration(&run);
        if (stop < 0)
            return stop;
        rc = record(&run, stop);
    }
    return rc != GD_OK ? rc : stop;
}

/* ---- the history: allocated with the optimizer and when history_size changes ---- */

static void free_history(struct lbfgs_rule *r)
{
    gdi_free(r->old_dirs);
    gdi_free(r->old_stps);
    gdi_free(r->ro);
    gdi_free(r->al);
}

/* Copies the newest pairs of old into the fresh history r (slot 0 the oldest). */
static void keep_newest(struct lbfgs_rule *r, const struct lbfgs_rule *old, size_t n)
{
    size_t kept = old->count < r->capacity ? old->count : r->capacity;
    for (size_t i = 0; i < kept; i++) {
        size_t from = old->count - kept + i;
        memcpy(r->old_dirs + i * n, pair_y(old, from, n), n * sizeof(double));
        memcpy(r->old_stps + i * n, pair_s(old, from, n), n * sizeof(double));
        r->ro[i] = old->ro[pair_slot(old, from)];
    }
    r->count = kept;
    r->oldest = 0;
}

static int lbfgs_allocate(gd_optimizer *opt)
{
    struct lbfgs_rule *r = rule_of(opt), old = *r;
    r->opt = opt;
    size_t n = opt->n, history = gdi_count_param(opt, GD_PARAM_HISTORY_SIZE);
    if (!r->trial) {
        r->trial = gdi_alloc_array(n, sizeof(double));
        r->gradients = r->trial ? gdi_alloc_array(n, TRIAL_GRADIENTS * sizeof(double)) : NULL;
        if (!r->gradients)
            return GD_ENOMEM;
    }
    if (history == r->capacity)
        return GD_OK;
    if (opt->running)
        return GD_EBUSY;        /* a monitor may not resize the history under the run */
    size_t slots = history + 1; /* history_size is at most 2^53 */
    bool fits = slots <= SIZE_MAX / n;
    r->old_dirs = fits ? gdi_alloc_array(slots * n, sizeof(double)) : NULL;
    r->old_stps = r->old_dirs ? gdi_alloc_array(slots * n, sizeof(double)) : NULL;
    r->ro = r->old_stps ? gdi_calloc_array(slots, sizeof(double)) : NULL;
    r->al = r->ro ? gdi_calloc_array(slots, sizeof(double)) : NULL;
    if (!r->al) {
        free_history(r);
        r->old_dirs = old.old_dirs, r->old_stps = old.old_stps, r->ro = old.ro, r->al = old.al;
        return GD_ENOMEM;
    }
    r->capacity = history;
    r->slots = slots;
    if (old.capacity > 0)
        keep_newest(r, &old, n);
    free_history(&old);
    return GD_OK;
}

static void lbfgs_release(gd_optimizer *opt)
{
    struct lbfgs_rule *r = rule_of(opt);
    if (!r)
        return;
    free_history(r);
    gdi_free(r->trial);
    gdi_free(r->gradients);
}

/* Nothing to choose: the parameters are read where they act. */
static void lbfgs_select(struct gdi_group *group)
{
    (void)group;
}

/* Clipping acts in the update path of the other methods, which L-BFGS's steps do not
 * take. */
static bool lbfgs_params_ok(const double *param)
{
    return param[gdi_param_slot(GD_PARAM_CLIP_NORM)] == 0.0 &&
           param[gdi_param_slot(GD_PARAM_CLIP_VALUE)] == 0.0;
}

/* torch keeps "d" and "prev_flat_grad" from the first iteration on. */
static bool lbfgs_state_kept(const struct gdi_group *group, size_t v)
{
    (void)v;
    const struct lbfgs_rule *r = group->rule;
    return r->opt->step > 0;
}

static const char *const lbfgs_state_names[] = {"d", "prev_flat_grad"};
static const char *const lbfgs_scalar_names[] = {"func_evals", "n_iter", "t", "H_diag"};

static double lbfgs_scalar(const struct gdi_group *group, size_t i)
{
    const struct lbfgs_rule *r = group->rule;
    const double values[] = {(double)r->opt->evaluations, (double)r->opt->step, r->t, r->h_diag};
    return values[i];
}

/* func_evals and n_iter are the optimizer's counters, which a state sets itself. */
static void lbfgs_set_scalar(struct gdi_group *group, size_t i, double value)
{
    struct lbfgs_rule *r = group->rule;
    if (i == 2)
        r->t = value;
    else if (i == 3)
        r->h_diag = value;
}

/* func_evals and n_iter are what the optimizer's counters make them: a state must
 * give them so, or it would not save back to itself. */
static bool lbfgs_scalars_ok(const struct gdi_group *group, const double *scalars, size_t step,
                             size_t evaluations)
{
    (void)group;
    return scalars[0] == (double)evaluations && scalars[1] == (double)step;
}

/* The history, oldest pair first (its y, s and 1 / (y.s)), then prev_loss. */
static void lbfgs_save_extra(const gd_optimizer *opt, struct gdi_writer *w)
{
    const struct lbfgs_rule *r = rule_of(opt);
    gdi_put_u64(w, r->count);
    for (size_t i = 0; i < r->count; i++) {
        gdi_put_f64s(w, pair_y(r, i, opt->n), opt->n);
        gdi_put_f64s(w, pair_s(r, i, opt->n), opt->n);
        gdi_put_f64(w, r->ro[pair_slot(r, i)]);
    }
    gdi_put_f64(w, r->prev_loss);
}

static bool lbfgs_load_extra(gd_optimizer *opt, const double *param, struct gdi_reader *rd,
                             bool apply)
{
    struct lbfgs_rule *r = rule_of(opt);
    size_t n = opt->n, count = gdi_get_count(rd, (size_t)param[GDI_SLOT_history_size]);
    for (size_t i = 0; i < count && !rd->failed; i++) {
        gdi_get_f64s(rd, apply ? r->old_dirs + i * n : NULL, n);
        gdi_get_f64s(rd, apply ? r->old_stps + i * n : NULL, n);
        double ro = gdi_get_f64(rd);
        if (apply)
            r->ro[i] = ro;
    }
    double prev_loss = gdi_get_f64(rd);
    if (apply) {
        r->count = count;
        r->oldest = 0;
        r->prev_loss = prev_loss;
    }
    return !rd->failed;
}

const struct gdi_method gdi_lbfgs_method = {
    .name = "lbfgs",
    .params = lbfgs_params,
    .param_count = GDI_COUNT(lbfgs_params),
    .state_names = lbfgs_state_names,
    .state_vectors = GDI_COUNT(lbfgs_state_names),
    .state_kept = lbfgs_state_kept,
    .scalar_names = lbfgs_scalar_names,
    .scalars = GDI_COUNT(lbfgs_scalar_names),
    .scalar = lbfgs_scalar,
    .set_scalar = lbfgs_set_scalar,
    .scalars_ok = lbfgs_scalars_ok,
    .rule_size = sizeof(struct lbfgs_rule),
    .params_ok = lbfgs_params_ok,
    .select = lbfgs_select,
    .run = lbfgs_run,
    .allocate = lbfgs_allocate,
    .release = lbfgs_release,
    .save_extra = lbfgs_save_extra,
    .load_extra = lbfgs_load_extra,
};
