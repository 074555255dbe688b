/*
 * schedule.c - learning-rate schedules with the semantics of torch 1.13's
 * torch.optim.lr_scheduler, bit for bit.  A gd_schedule is first a description (kind,
 * options, milestones, lambda, children); gd_optimizer_add_schedule copies it into the
 * optimizer, where the copy also holds its position (torch's last_epoch and the
 * kind's counters) and runs torch's constructor: it records each group's initial_lr
 * (shared by every schedule of the optimizer, as torch's setdefault) and makes the
 * initial step.  Each later step is torch's step() without an epoch, which computes
 * the chainable get_lr() from the lr now in force; SequentialLR's step(0) at a
 * milestone uses _get_closed_form_lr() where the kind has one, as torch does.
 * The floating operations below are torch's, in torch's order (Python floats are C
 * doubles; int / int is a correctly rounded division, as in double).
 * Steps never allocate: what a schedule needs per group is allocated when it is added.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "internal.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846 /* the double nearest pi, as math.pi */
#endif

enum { PARAM_COUNT = GD_SCHEDULE_PARAM_MAX_MOMENTUM + 1, KIND_COUNT = GD_SCHEDULE_SEQUENTIAL + 1 };

struct gd_schedule {
    gd_schedule_kind kind;
    double value[PARAM_COUNT]; /* by key; NaN for keys of other kinds and unset ones */
    size_t *milestones;
    size_t milestone_count;
    gd_lr_lambda_fn lambda;
    void *lambda_user;
    /* The lambda's value at lambda_epoch (-1: none yet): called once per epoch and
     * checked before anything changes (lambda_ready). */
    double lambda_value;
    int64_t lambda_epoch;
    gd_schedule **children; /* SEQUENTIAL */
    size_t child_count;
    /* The position, in a copy added to an optimizer. */
    int64_t last_epoch;
    size_t base_slot;   /* where each group keeps this schedule's base_lr (torch's
                           base_lrs): gdi_group's schedule_base[base_slot] */
    int64_t t_cur, t_i; /* COSINE_RESTARTS: epochs since the restart, and the period */
    double best;        /* PLATEAU: best metric so far, and its counters */
    size_t bad_epochs, cooldown_left;
};

/* torch's base_lrs[i] of s for group g. */
static double base_lr(const gd_schedule *s, const struct gdi_group *g)
{
    return g->schedule_base[s->base_slot];
}

/* ---- options: the keys of each kind, with their defaults and ranges ---- */

enum range {
    RANGE_NON_NEGATIVE,   /* finite, >= 0 */
    RANGE_POSITIVE,       /* finite, > 0 */
    RANGE_UNIT_CLOSED,    /* [0, 1] */
    RANGE_UNIT_OPEN,      /* [0, 1): momenta, and a plateau's factor (torch: < 1) */
    RANGE_FACTOR,         /* (0, 1]: a factor torch divides by */
    RANGE_BOOLEAN,        /* 0 or 1 */
    RANGE_COUNT,          /* a whole number in [0, 2^53] */
    RANGE_POSITIVE_COUNT, /* a COUNT >= 1 */
    RANGE_CYCLIC_MODE,    /* 0, 1 or 2 */
    RANGE_OPTIONAL_SIZE   /* NaN (torch's None) or finite >= 0 */
};

/* A key of a kind.  A key without a torch default is required: its default is NaN,
 * which its range refuses, so that gd_optimizer_add_schedule refuses it until set. */
struct key_rule {
    gd_schedule_param key;
    double value;
    enum range range;
};

#define REQUIRED NAN

static const struct key_rule step_keys[] = {
    {GD_SCHEDULE_PARAM_STEP_SIZE, REQUIRED, RANGE_POSITIVE_COUNT},
    {GD_SCHEDULE_PARAM_GAMMA, 0.1, RANGE_NON_NEGATIVE},
};
static const struct key_rule multistep_keys[] = {
    {GD_SCHEDULE_PARAM_GAMMA, 0.1, RANGE_NON_NEGATIVE},
};
static const struct key_rule exponential_keys[] = {
    {GD_SCHEDULE_PARAM_GAMMA, REQUIRED, RANGE_NON_NEGATIVE},
};
static const struct key_rule cosine_keys[] = {
    {GD_SCHEDULE_PARAM_T_MAX, REQUIRED, RANGE_POSITIVE_COUNT},
    {GD_SCHEDULE_PARAM_ETA_MIN, 0.0, RANGE_NON_NEGATIVE},
};
static const struct key_rule restarts_keys[] = {
    {GD_SCHEDULE_PARAM_T_0, REQUIRED, RANGE_POSITIVE_COUNT},
    {GD_SCHEDULE_PARAM_T_MULT, 1.0, RANGE_POSITIVE_COUNT},
    {GD_SCHEDULE_PARAM_ETA_MIN, 0.0, RANGE_NON_NEGATIVE},
};
static const struct key_rule linear_keys[] = {
    {GD_SCHEDULE_PARAM_START_FACTOR, 1.0 / 3, RANGE_FACTOR},
    {GD_SCHEDULE_PARAM_END_FACTOR, 1.0, RANGE_UNIT_CLOSED},
    {GD_SCHEDULE_PARAM_TOTAL_ITERS, 5.0, RANGE_POSITIVE_COUNT},
};
static const struct key_rule constant_keys[] = {
    {GD_SCHEDULE_PARAM_FACTOR, 1.0 / 3, RANGE_FACTOR},
    {GD_SCHEDULE_PARAM_TOTAL_ITERS, 5.0, RANGE_COUNT},
};
static const struct key_rule polynomial_keys[] = {
    {GD_SCHEDULE_PARAM_TOTAL_ITERS, 5.0, RANGE_POSITIVE_COUNT},
    {GD_SCHEDULE_PARAM_POWER, 1.0, RANGE_NON_NEGATIVE},
};
static const struct key_rule one_cycle_keys[] = {
    {GD_SCHEDULE_PARAM_MAX_LR, REQUIRED, RANGE_NON_NEGATIVE},
    {GD_SCHEDULE_PARAM_TOTAL_STEPS, REQUIRED, RANGE_POSITIVE_COUNT},
    {GD_SCHEDULE_PARAM_PCT_START, 0.3, RANGE_UNIT_CLOSED},
    {GD_SCHEDULE_PARAM_ANNEAL_LINEAR, 0.0, RANGE_BOOLEAN},
    {GD_SCHEDULE_PARAM_CYCLE_MOMENTUM, 1.0, RANGE_BOOLEAN},
    {GD_SCHEDULE_PARAM_BASE_MOMENTUM, 0.85, RANGE_UNIT_OPEN},
    {GD_SCHEDULE_PARAM_MAX_MOMENTUM, 0.95, RANGE_UNIT_OPEN},
    {GD_SCHEDULE_PARAM_DIV_FACTOR, 25.0, RANGE_POSITIVE},
    {GD_SCHEDULE_PARAM_FINAL_DIV_FACTOR, 1e4, RANGE_POSITIVE},
    {GD_SCHEDULE_PARAM_THREE_PHASE, 0.0, RANGE_BOOLEAN},
};
static const struct key_rule cyclic_keys[] = {
    {GD_SCHEDULE_PARAM_BASE_LR, REQUIRED, RANGE_NON_NEGATIVE},
    {GD_SCHEDULE_PARAM_MAX_LR, REQUIRED, RANGE_NON_NEGATIVE},
    {GD_SCHEDULE_PARAM_STEP_SIZE_UP, 2000.0, RANGE_POSITIVE},
    {GD_SCHEDULE_PARAM_STEP_SIZE_DOWN, NAN, RANGE_OPTIONAL_SIZE},
    {GD_SCHEDULE_PARAM_MODE, 0.0, RANGE_CYCLIC_MODE},
    {GD_SCHEDULE_PARAM_GAMMA, 1.0, RANGE_NON_NEGATIVE},
    {GD_SCHEDULE_PARAM_CYCLE_MOMENTUM, 1.0, RANGE_BOOLEAN},
    {GD_SCHEDULE_PARAM_BASE_MOMENTUM, 0.8, RANGE_UNIT_OPEN},
    {GD_SCHEDULE_PARAM_MAX_MOMENTUM, 0.9, RANGE_UNIT_OPEN},
};
static const struct key_rule plateau_keys[] = {
    {GD_SCHEDULE_PARAM_MODE, 0.0, RANGE_BOOLEAN},
    {GD_SCHEDULE_PARAM_FACTOR, 0.1, RANGE_UNIT_OPEN},
    {GD_SCHEDULE_PARAM_PATIENCE, 10.0, RANGE_COUNT},
    {GD_SCHEDULE_PARAM_THRESHOLD, 1e-4, RANGE_NON_NEGATIVE},
    {GD_SCHEDULE_PARAM_THRESHOLD_ABS, 0.0, RANGE_BOOLEAN},
    {GD_SCHEDULE_PARAM_COOLDOWN, 0.0, RANGE_COUNT},
    {GD_SCHEDULE_PARAM_MIN_LR, 0.0, RANGE_NON_NEGATIVE},
    {GD_SCHEDULE_PARAM_EPS, 1e-8, RANGE_NON_NEGATIVE},
};

static bool is_count(double value)
{
    return value >= 0.0 && value <= 9007199254740992.0 && value == floor(value);
}

static bool in_range(enum range range, double v)
{
    switch (range) {
    case RANGE_NON_NEGATIVE:
        return isfinite(v) && v >= 0.0;
    case RANGE_POSITIVE:
        return isfinite(v) && v > 0.0;
    case RANGE_UNIT_CLOSED:
        return v >= 0.0 && v <= 1.0;
    case RANGE_UNIT_OPEN:
        return v >= 0.0 && v < 1.0;
    case RANGE_FACTOR:
        return v > 0.0 && v <= 1.0;
    case RANGE_BOOLEAN:
        return v == 0.0 || v == 1.0;
    case RANGE_COUNT:
        return is_count(v);
    case RANGE_POSITIVE_COUNT:
        return is_count(v) && v >= 1.0;
    case RANGE_CYCLIC_MODE:
        return v == 0.0 || v == 1.0 || v == 2.0;
    case RANGE_OPTIONAL_SIZE:
        return isnan(v) || (isfinite(v) && v >= 0.0);
    }
    return false;
}

/* ---- the kinds: one row each ---- */

struct kind_rule {
    const struct key_rule *keys;
    size_t key_count;
    /* torch's chainable get_lr() for group g, at s->last_epoch (NULL: PLATEAU and
     * SEQUENTIAL, which step in their own way). */
    double (*next_lr)(const gd_schedule *s, const struct gdi_group *g);
    /* _get_closed_form_lr() at s->last_epoch, for SequentialLR's step(0); NULL where
     * torch has none (then step(0) calls get_lr()). */
    double (*closed_lr)(const gd_schedule *s, const struct gdi_group *g);
    /* The momentum (or beta1) the kind cycles, at s->last_epoch; NULL: none. */
    double (*momentum)(const gd_schedule *s, const struct gdi_group *g);
};

static double get(const gd_schedule *s, gd_schedule_param key)
{
    return s->value[key];
}

static int64_t get_count(const gd_schedule *s, gd_schedule_param key)
{
    return (int64_t)s->value[key];
}

static int lr_slot(void)
{
    return gdi_param_slot(GD_PARAM_LR);
}

static double lr_of(const struct gdi_group *g)
{
    return g->param[lr_slot()];
}

/* StepLR */
static double step_next(const gd_schedule *s, const struct gdi_group *g)
{
    int64_t epoch = s->last_epoch;
    if (epoch == 0 || epoch % get_count(s, GD_SCHEDULE_PARAM_STEP_SIZE) != 0)
        return lr_of(g);
    return lr_of(g) * get(s, GD_SCHEDULE_PARAM_GAMMA);
}

static double step_closed(const gd_schedule *s, const struct gdi_group *g)
{
    int64_t decays = s->last_epoch / get_count(s, GD_SCHEDULE_PARAM_STEP_SIZE);
    return base_lr(s, g) * pow(get(s, GD_SCHEDULE_PARAM_GAMMA), (double)decays);
}

/* MultiStepLR: its milestones are a multiset (torch's Counter). */
static size_t milestones_at(const gd_schedule *s, int64_t epoch)
{
    size_t hits = 0;
    for (size_t k = 0; k < s->milestone_count; k++)
        hits += epoch >= 0 && s->milestones[k] == (size_t)epoch;
    return hits;
}

/* bisect_right: how many milestones are <= epoch. */
static size_t milestones_passed(const gd_schedule *s, int64_t epoch)
{
    size_t passed = 0;
    for (size_t k = 0; k < s->milestone_count; k++)
        passed += epoch >= 0 && s->milestones[k] <= (size_t)epoch;
    return passed;
}

static double multistep_next(const gd_schedule *s, const struct gdi_group *g)
{
    size_t hits = milestones_at(s, s->last_epoch);
    if (hits == 0)
        return lr_of(g);
    return lr_of(g) * pow(get(s, GD_SCHEDULE_PARAM_GAMMA), (double)hits);
}

static double multistep_closed(const gd_schedule *s, const struct gdi_group *g)
{
    double decays = (double)milestones_passed(s, s->last_epoch);
    return base_lr(s, g) * pow(get(s, GD_SCHEDULE_PARAM_GAMMA), decays);
}

/* ExponentialLR */
static double exponential_next(const gd_schedule *s, const struct gdi_group *g)
{
    return s->last_epoch == 0 ? lr_of(g) : lr_of(g) * get(s, GD_SCHEDULE_PARAM_GAMMA);
}

static double exponential_closed(const gd_schedule *s, const struct gdi_group *g)
{
    return base_lr(s, g) * pow(get(s, GD_SCHEDULE_PARAM_GAMMA), (double)s->last_epoch);
}

/* CosineAnnealingLR: the recursive form, and at an odd multiple of T_max past it
 * (where the ratio's denominator is 0) the step up torch adds instead. */
static double cosine_next(const gd_schedule *s, const struct gdi_group *g)
{
    int64_t epoch = s->last_epoch, t_max = get_count(s, GD_SCHEDULE_PARAM_T_MAX);
    double eta_min = get(s, GD_SCHEDULE_PARAM_ETA_MIN), lr = lr_of(g);
    if (epoch == 0)
        return lr;
    if ((epoch - 1 - t_max) % (2 * t_max) == 0)
        return lr + (base_lr(s, g) - eta_min) * (1 - cos(M_PI / (double)t_max)) / 2;
    double now = 1 + cos(M_PI * (double)epoch / (double)t_max);
    double before = 1 + cos(M_PI * (double)(epoch - 1) / (double)t_max);
    return now / before * (lr - eta_min) + eta_min;
}

static double cosine_closed(const gd_schedule *s, const struct gdi_group *g)
{
    double eta_min = get(s, GD_SCHEDULE_PARAM_ETA_MIN);
    double t_max = get(s, GD_SCHEDULE_PARAM_T_MAX);
    return eta_min +
           (base_lr(s, g) - eta_min) * (1 + cos(M_PI * (double)s->last_epoch / t_max)) / 2;
}

/* CosineAnnealingWarmRestarts: not chainable; t_cur and t_i move in restarts_move. */
static double restarts_next(const gd_schedule *s, const struct gdi_group *g)
{
    double eta_min = get(s, GD_SCHEDULE_PARAM_ETA_MIN);
    return eta_min +
           (base_lr(s, g) - eta_min) * (1 + cos(M_PI * (double)s->t_cur / (double)s->t_i)) / 2;
}

/* Its step(): a step from last_epoch -1, or step(0), starts the first period. */
static void restarts_move(gd_schedule *s, bool restart)
{
    if (restart || s->last_epoch < 0) {
        s->t_i = get_count(s, GD_SCHEDULE_PARAM_T_0);
        s->t_cur = 0;
        s->last_epoch = 0;
        return;
    }
    s->last_epoch++;
    if (++s->t_cur >= s->t_i) {
        s->t_cur -= s->t_i;
        s->t_i *= get_count(s, GD_SCHEDULE_PARAM_T_MULT);
    }
}

/* LinearLR: the ratio of successive factors. */
static double linear_next(const gd_schedule *s, const struct gdi_group *g)
{
    double start = get(s, GD_SCHEDULE_PARAM_START_FACTOR);
    double end = get(s, GD_SCHEDULE_PARAM_END_FACTOR);
    int64_t epoch = s->last_epoch, total = get_count(s, GD_SCHEDULE_PARAM_TOTAL_ITERS);
    if (epoch == 0)
        return lr_of(g) * start;
    if (epoch > total)
        return lr_of(g);
    double factor_before = (double)total * start + (double)(epoch - 1) * (end - start);
    return lr_of(g) * (1. + (end - start) / factor_before);
}

static double linear_closed(const gd_schedule *s, const struct gdi_group *g)
{
    double start = get(s, GD_SCHEDULE_PARAM_START_FACTOR);
    double end = get(s, GD_SCHEDULE_PARAM_END_FACTOR);
    int64_t total = get_count(s, GD_SCHEDULE_PARAM_TOTAL_ITERS);
    int64_t done = s->last_epoch < total ? s->last_epoch : total;
    return base_lr(s, g) * (start + (end - start) * (double)done / (double)total);
}

/* ConstantLR */
static double constant_next(const gd_schedule *s, const struct gdi_group *g)
{
    double factor = get(s, GD_SCHEDULE_PARAM_FACTOR);
    if (s->last_epoch == 0)
        return lr_of(g) * factor;
    if (s->last_epoch != get_count(s, GD_SCHEDULE_PARAM_TOTAL_ITERS))
        return lr_of(g);
    return lr_of(g) * (1.0 / factor);
}

static double constant_closed(const gd_schedule *s, const struct gdi_group *g)
{
    double factor = get(s, GD_SCHEDULE_PARAM_FACTOR);
    double ended = s->last_epoch >= get_count(s, GD_SCHEDULE_PARAM_TOTAL_ITERS);
    return base_lr(s, g) * (factor + ended * (1 - factor));
}

/* PolynomialLR: the ratio of successive factors, raised to the power. */
static double polynomial_next(const gd_schedule *s, const struct gdi_group *g)
{
    int64_t epoch = s->last_epoch, total = get_count(s, GD_SCHEDULE_PARAM_TOTAL_ITERS);
    if (epoch == 0 || epoch > total)
        return lr_of(g);
    double left = 1.0 - (double)epoch / (double)total;
    double left_before = 1.0 - (double)(epoch - 1) / (double)total;
    return lr_of(g) * pow(left / left_before, get(s, GD_SCHEDULE_PARAM_POWER));
}

static double polynomial_closed(const gd_schedule *s, const struct gdi_group *g)
{
    int64_t total = get_count(s, GD_SCHEDULE_PARAM_TOTAL_ITERS);
    int64_t done = s->last_epoch < total ? s->last_epoch : total;
    double left = 1.0 - (double)done / (double)total;
    return base_lr(s, g) * pow(left, get(s, GD_SCHEDULE_PARAM_POWER));
}

/* LambdaLR and MultiplicativeLR */
static bool is_lambda(const gd_schedule *s)
{
    return s->kind == GD_SCHEDULE_LAMBDA || s->kind == GD_SCHEDULE_MULTIPLICATIVE;
}

/* Whether the step to epoch can take the lambda's value there: calls it (once per
 * epoch: torch calls it for each group, which for a function of the epoch is the same
 * value) and refuses a value that is not finite, before any rate changes. */
static bool lambda_ready(gd_schedule *s, int64_t epoch)
{
    if (!is_lambda(s) || (s->kind == GD_SCHEDULE_MULTIPLICATIVE && epoch <= 0))
        return true;
    if (s->lambda_epoch != epoch) {
        s->lambda_value = s->lambda((size_t)epoch, s->lambda_user);
        s->lambda_epoch = epoch;
    }
    if (isfinite(s->lambda_value))
        return true;
    s->lambda_epoch = -1; /* a step tried again calls the lambda again */
    return false;
}

static double lambda_next(const gd_schedule *s, const struct gdi_group *g)
{
    return base_lr(s, g) * s->lambda_value;
}

static double multiplicative_next(const gd_schedule *s, const struct gdi_group *g)
{
    if (s->last_epoch <= 0)
        return lr_of(g);
    return lr_of(g) * s->lambda_value;
}

/* OneCycleLR: two or three phases, each annealing from one value to another. */
enum cycle_point { AT_INITIAL, AT_MAX, AT_MIN };

struct phase {
    double end_step;
    enum cycle_point lr_from, lr_to, momentum_from, momentum_to;
};

static size_t one_cycle_phases(const gd_schedule *s, struct phase phases[3])
{
    double total = get(s, GD_SCHEDULE_PARAM_TOTAL_STEPS);
    double pct = get(s, GD_SCHEDULE_PARAM_PCT_START);
    /* momentum points: AT_MAX is max_momentum, AT_MIN base_momentum */
    phases[0] = (struct phase){pct * total - 1, AT_INITIAL, AT_MAX, AT_MAX, AT_MIN};
    if (get(s, GD_SCHEDULE_PARAM_THREE_PHASE) == 0.0) {
        phases[1] = (struct phase){total - 1, AT_MAX, AT_MIN, AT_MIN, AT_MAX};
        return 2;
    }
    phases[1] = (struct phase){2 * pct * total - 2, AT_MAX, AT_INITIAL, AT_MIN, AT_MAX};
    phases[2] = (struct phase){total - 1, AT_INITIAL, AT_MIN, AT_MAX, AT_MAX};
    return 3;
}

/* The phase of step and how far into it step is. */
static struct phase one_cycle_where(const gd_schedule *s, int64_t step, double *pct)
{
    struct phase phases[3];
    size_t count = one_cycle_phases(s, phases);
    double start = 0.0;
    for (size_t k = 0;; k++) {
        if ((double)step <= phases[k].end_step || k == count - 1) {
            *pct = ((double)step - start) / (phases[k].end_step - start);
            return phases[k];
        }
        start = phases[k].end_step;
    }
}

/* Whether some phase has no width: torch would divide by zero in it. */
static bool one_cycle_degenerate(const gd_schedule *s)
{
    struct phase phases[3];
    size_t count = one_cycle_phases(s, phases);
    double start = 0.0;
    for (size_t k = 0; k < count; k++) {
        if (phases[k].end_step == start)
            return true;
        start = phases[k].end_step;
    }
    return false;
}

static double anneal(const gd_schedule *s, double from, double to, double pct)
{
    if (get(s, GD_SCHEDULE_PARAM_ANNEAL_LINEAR) != 0.0)
        return (to - from) * pct + from;
    double cos_out = cos(M_PI * pct) + 1;
    return to + (from - to) / 2.0 * cos_out;
}

/* torch keeps max_lr and min_lr in the group; here they follow from the options (two
 * one-cycle schedules on one optimizer would share torch's, not these). */
static double one_cycle_lr_at(const gd_schedule *s, const struct gdi_group *g,
                              enum cycle_point point)
{
    double max_lr = get(s, GD_SCHEDULE_PARAM_MAX_LR);
    double initial_lr = max_lr / get(s, GD_SCHEDULE_PARAM_DIV_FACTOR);
    switch (point) {
    case AT_INITIAL:
        return g->initial_lr;
    case AT_MAX:
        return max_lr;
    case AT_MIN:
        break;
    }
    return initial_lr / get(s, GD_SCHEDULE_PARAM_FINAL_DIV_FACTOR);
}

static double one_cycle_next(const gd_schedule *s, const struct gdi_group *g)
{
    double pct;
    struct phase phase = one_cycle_where(s, s->last_epoch, &pct);
    return anneal(s, one_cycle_lr_at(s, g, phase.lr_from), one_cycle_lr_at(s, g, phase.lr_to), pct);
}

static double one_cycle_momentum_at(const gd_schedule *s, enum cycle_point point)
{
    return get(s,
               point == AT_MAX ? GD_SCHEDULE_PARAM_MAX_MOMENTUM : GD_SCHEDULE_PARAM_BASE_MOMENTUM);
}

static double one_cycle_momentum(const gd_schedule *s, const struct gdi_group *g)
{
    (void)g;
    double pct;
    struct phase phase = one_cycle_where(s, s->last_epoch, &pct);
    return anneal(s, one_cycle_momentum_at(s, phase.momentum_from),
                  one_cycle_momentum_at(s, phase.momentum_to), pct);
}

/* CyclicLR: where in its cycle the epoch is, as torch's scale_factor times its
 * scale_fn (of the cycle for triangular modes, of the epoch for exp_range). */
static double cyclic_scale_factor(const gd_schedule *s)
{
    double up = get(s, GD_SCHEDULE_PARAM_STEP_SIZE_UP);
    double down = get(s, GD_SCHEDULE_PARAM_STEP_SIZE_DOWN);
    double total_size = up + (isnan(down) ? up : down);
    double step_ratio = up / total_size;
    double epoch = (double)s->last_epoch;
    double cycle = floor(1 + epoch / total_size);
    double x = 1. + epoch / total_size - cycle;
    return x <= step_ratio ? x / step_ratio : (x - 1) / (step_ratio - 1);
}

static double cyclic_scale_fn(const gd_schedule *s)
{
    double total_size = get(s, GD_SCHEDULE_PARAM_STEP_SIZE_UP);
    double down = get(s, GD_SCHEDULE_PARAM_STEP_SIZE_DOWN);
    total_size += isnan(down) ? total_size : down;
    double cycle = floor(1 + (double)s->last_epoch / total_size);
    switch ((int)get(s, GD_SCHEDULE_PARAM_MODE)) {
    case 1: /* triangular2 */
        return 1 / pow(2., cycle - 1);
    case 2: /* exp_range */
        return pow(get(s, GD_SCHEDULE_PARAM_GAMMA), (double)s->last_epoch);
    default:
        return 1.;
    }
}

static double cyclic_next(const gd_schedule *s, const struct gdi_group *g)
{
    double base = base_lr(s, g);
    double base_height = (get(s, GD_SCHEDULE_PARAM_MAX_LR) - base) * cyclic_scale_factor(s);
    return base + base_height * cyclic_scale_fn(s);
}

static double cyclic_momentum(const gd_schedule *s, const struct gdi_group *g)
{
    (void)g;
    double max_momentum = get(s, GD_SCHEDULE_PARAM_MAX_MOMENTUM);
    double base_height =
        (max_momentum - get(s, GD_SCHEDULE_PARAM_BASE_MOMENTUM)) * cyclic_scale_factor(s);
    return max_momentum - base_height * cyclic_scale_fn(s);
}

#define KEYS(array) array, GDI_COUNT(array)

static const struct kind_rule kinds[KIND_COUNT] = {
    [GD_SCHEDULE_STEP] = {KEYS(step_keys), step_next, step_closed, NULL},
    [GD_SCHEDULE_MULTISTEP] = {KEYS(multistep_keys), multistep_next, multistep_closed, NULL},
    [GD_SCHEDULE_EXPONENTIAL] = {KEYS(exponential_keys), exponential_next, exponential_closed,
                                 NULL},
    [GD_SCHEDULE_COSINE] = {KEYS(cosine_keys), cosine_next, cosine_closed, NULL},
    [GD_SCHEDULE_COSINE_RESTARTS] = {KEYS(restarts_keys), restarts_next, NULL, NULL},
    [GD_SCHEDULE_LINEAR] = {KEYS(linear_keys), linear_next, linear_closed, NULL},
    [GD_SCHEDULE_CONSTANT] = {KEYS(constant_keys), constant_next, constant_closed, NULL},
    [GD_SCHEDULE_POLYNOMIAL] = {KEYS(polynomial_keys), polynomial_next, polynomial_closed, NULL},
    [GD_SCHEDULE_ONE_CYCLE] = {KEYS(one_cycle_keys), one_cycle_next, NULL, one_cycle_momentum},
    [GD_SCHEDULE_CYCLIC] = {KEYS(cyclic_keys), cyclic_next, NULL, cyclic_momentum},
    [GD_SCHEDULE_PLATEAU] = {KEYS(plateau_keys), NULL, NULL, NULL},
    [GD_SCHEDULE_LAMBDA] = {NULL, 0, lambda_next, NULL, NULL},
    [GD_SCHEDULE_MULTIPLICATIVE] = {NULL, 0, multiplicative_next, NULL, NULL},
    [GD_SCHEDULE_SEQUENTIAL] = {NULL, 0, NULL, NULL, NULL},
};

static const struct key_rule *key_rule_of(gd_schedule_kind kind, gd_schedule_param key)
{
    const struct kind_rule *rule = &kinds[kind];
    for (size_t k = 0; k < rule->key_count; k++)
        if (rule->keys[k].key == key)
            return &rule->keys[k];
    return NULL;
}

/* ---- descriptions: creating, copying, freeing, options ---- */

static bool kind_ok(gd_schedule_kind kind)
{
    return (unsigned)kind < KIND_COUNT;
}

gd_schedule *gd_schedule_new(gd_schedule_kind kind)
{
    if (!kind_ok(kind))
        return NULL;
    gd_schedule *s = gdi_calloc_array(1, sizeof *s);
    if (!s)
        return NULL;
    s->kind = kind;
    for (size_t k = 0; k < PARAM_COUNT; k++)
        s->value[k] = NAN;
    for (size_t k = 0; k < kinds[kind].key_count; k++)
        s->value[kinds[kind].keys[k].key] = kinds[kind].keys[k].value;
    return s;
}

void gd_schedule_free(gd_schedule *s)
{
    if (!s)
        return;
    for (size_t c = 0; c < s->child_count; c++)
        gd_schedule_free(s->children[c]);
    gdi_free(s->children);
    gdi_free(s->milestones);
    gdi_free(s);
}

/* A copy of the description (options, milestones, lambda, children), without a
 * position; NULL when an allocation fails. */
static gd_schedule *schedule_copy(const gd_schedule *s)
{
    gd_schedule *copy = gd_schedule_new(s->kind);
    if (!copy)
        return NULL;
    memcpy(copy->value, s->value, sizeof copy->value);
    copy->lambda = s->lambda;
    copy->lambda_user = s->lambda_user;
    copy->lambda_epoch = -1;
    bool ok = true;
    if (s->milestone_count > 0) {
        copy->milestones = gdi_alloc_array(s->milestone_count, sizeof *s->milestones);
        ok = copy->milestones != NULL;
        if (ok) {
            memcpy(copy->milestones, s->milestones, s->milestone_count * sizeof *s->milestones);
            copy->milestone_count = s->milestone_count;
        }
    }
    if (ok && s->child_count > 0) {
        copy->children = gdi_calloc_array(s->child_count, sizeof *copy->children);
        ok = copy->children != NULL;
        for (size_t c = 0; ok && c < s->child_count; c++) {
            ok = (copy->children[c] = schedule_copy(s->children[c])) != NULL;
            copy->child_count = c + 1;
        }
    }
    if (!ok) {
        gd_schedule_free(copy);
        return NULL;
    }
    return copy;
}

int gd_schedule_set(gd_schedule *s, gd_schedule_param key, double value)
{
    const struct key_rule *rule =
        s && (unsigned)key < PARAM_COUNT ? key_rule_of(s->kind, key) : NULL;
    if (!rule || !in_range(rule->range, value))
        return GD_EINVAL;
    s->value[key] = value;
    return GD_OK;
}

int gd_schedule_get(const gd_schedule *s, gd_schedule_param key, double *value)
{
    if (!s || !value || (unsigned)key >= PARAM_COUNT || !key_rule_of(s->kind, key))
        return GD_EINVAL;
    *value = s->value[key];
    return GD_OK;
}

static bool sorted(const size_t *v, size_t count)
{
    for (size_t k = 1; k < count; k++)
        if (v[k] < v[k - 1])
            return false;
    return true;
}

int gd_schedule_set_milestones(gd_schedule *s, const size_t *milestones, size_t count)
{
    if (!s || (count > 0 && !milestones))
        return GD_EINVAL;
    if (s->kind != GD_SCHEDULE_MULTISTEP && s->kind != GD_SCHEDULE_SEQUENTIAL)
        return GD_EINVAL;
    for (size_t k = 0; k < count; k++)
        if (milestones[k] > (size_t)INT64_MAX)
            return GD_EINVAL;
    /* SequentialLR bisects its milestones: they must be in order. */
    if (s->kind == GD_SCHEDULE_SEQUENTIAL && !sorted(milestones, count))
        return GD_EINVAL;
    size_t *copy = NULL;
    if (count > 0) {
        copy = gdi_alloc_array(count, sizeof *copy);
        if (!copy)
            return GD_ENOMEM;
        memcpy(copy, milestones, count * sizeof *copy);
    }
    gdi_free(s->milestones);
    s->milestones = copy;
    s->milestone_count = count;
    return GD_OK;
}

int gd_schedule_set_lambda(gd_schedule *s, gd_lr_lambda_fn fn, void *user)
{
    if (!s || !fn || (s->kind != GD_SCHEDULE_LAMBDA && s->kind != GD_SCHEDULE_MULTIPLICATIVE))
        return GD_EINVAL;
    s->lambda = fn;
    s->lambda_user = user;
    return GD_OK;
}

int gd_schedule_append(gd_schedule *sequential, const gd_schedule *child)
{
    if (!sequential || !child || sequential->kind != GD_SCHEDULE_SEQUENTIAL)
        return GD_EINVAL;
    /* torch's SequentialLR steps its children with step(0), which neither a plateau
     * schedule nor another SequentialLR takes. */
    if (child->kind == GD_SCHEDULE_SEQUENTIAL || child->kind == GD_SCHEDULE_PLATEAU)
        return GD_EINVAL;
    gd_schedule *copy = schedule_copy(child);
    gd_schedule **grown =
        copy ? gdi_realloc_array(sequential->children, sequential->child_count + 1, sizeof *grown)
             : NULL;
    if (!grown) {
        gd_schedule_free(copy);
        return GD_ENOMEM;
    }
    grown[sequential->child_count++] = copy;
    sequential->children = grown;
    return GD_OK;
}

/* ---- on an optimizer ---- */

static bool cycles_momentum(const gd_schedule *s)
{
    return kinds[s->kind].momentum && get(s, GD_SCHEDULE_PARAM_CYCLE_MOMENTUM) != 0.0;
}

/* Whether s can be added to opt: its required options set, its lambda, its children
 * and milestones, and a momentum to cycle if it cycles one. */
static bool schedule_ready(const gd_optimizer *opt, const gd_schedule *s)
{
    const struct kind_rule *rule = &kinds[s->kind];
    for (size_t k = 0; k < rule->key_count; k++)
        if (!in_range(rule->keys[k].range, s->value[rule->keys[k].key]))
            return false;
    if ((s->kind == GD_SCHEDULE_LAMBDA || s->kind == GD_SCHEDULE_MULTIPLICATIVE) && !s->lambda)
        return false;
    if (cycles_momentum(s) && gdi_momentum_key(opt) < 0)
        return false; /* torch: "optimizer must support momentum" */
    if (s->kind == GD_SCHEDULE_ONE_CYCLE && one_cycle_degenerate(s))
        return false;
    if (s->kind != GD_SCHEDULE_SEQUENTIAL)
        return true;
    if (s->child_count == 0 || s->milestone_count != s->child_count - 1)
        return false;
    for (size_t c = 0; c < s->child_count; c++)
        if (!schedule_ready(opt, s->children[c]))
            return false;
    return true;
}

/* Whether s has base rates: then each group keeps one for it in its schedule_base, at
 * the slot the schedule is given when added (the groups carry their slots through
 * splits and merges, lib/groups.c). */
static bool has_base(const gd_schedule *s)
{
    return s->kind != GD_SCHEDULE_PLATEAU && s->kind != GD_SCHEDULE_SEQUENTIAL;
}

static size_t base_slots_needed(const gd_schedule *s)
{
    size_t slots = has_base(s);
    for (size_t c = 0; c < s->child_count; c++)
        slots += base_slots_needed(s->children[c]);
    return slots;
}

static void assign_base_slots(gd_schedule *s, size_t *next)
{
    if (has_base(s))
        s->base_slot = (*next)++;
    for (size_t c = 0; c < s->child_count; c++)
        assign_base_slots(s->children[c], next);
}

/* torch's step() of an _LRScheduler, or step(0) when restart. */
static void lr_step(gd_optimizer *opt, gd_schedule *s, bool restart)
{
    const struct kind_rule *rule = &kinds[s->kind];
    if (s->kind == GD_SCHEDULE_COSINE_RESTARTS)
        restarts_move(s, restart);
    else
        s->last_epoch = restart ? 0 : s->last_epoch + 1;
    int momentum_key = cycles_momentum(s) ? gdi_momentum_key(opt) : -1;
    for (size_t i = 0; i < gdi_group_count(opt); i++) {
        struct gdi_group *g = gdi_group_at(opt, i);
        double lr = restart && rule->closed_lr ? rule->closed_lr(s, g) : rule->next_lr(s, g);
        if (momentum_key >= 0)
            g->param[gdi_param_slot((gd_param)momentum_key)] = rule->momentum(s, g);
        g->param[lr_slot()] = lr;
        gdi_group_changed(opt, g);
    }
}

/* What the constructors of CyclicLR and OneCycleLR set before the common part. */
static void prepare_cycle(gd_optimizer *opt, gd_schedule *s)
{
    int momentum_key = cycles_momentum(s) ? gdi_momentum_key(opt) : -1;
    for (size_t i = 0; i < gdi_group_count(opt); i++) {
        struct gdi_group *g = gdi_group_at(opt, i);
        if (s->kind == GD_SCHEDULE_CYCLIC) {
            g->param[lr_slot()] = get(s, GD_SCHEDULE_PARAM_BASE_LR);
            if (momentum_key >= 0)
                g->param[gdi_param_slot((gd_param)momentum_key)] =
                    get(s, GD_SCHEDULE_PARAM_BASE_MOMENTUM);
        } else {
            g->initial_lr = get(s, GD_SCHEDULE_PARAM_MAX_LR) / get(s, GD_SCHEDULE_PARAM_DIV_FACTOR);
            if (momentum_key >= 0)
                g->param[gdi_param_slot((gd_param)momentum_key)] =
                    get(s, GD_SCHEDULE_PARAM_MAX_MOMENTUM);
        }
        gdi_group_changed(opt, g);
    }
}

/* torch's constructor of an _LRScheduler: base_lrs from initial_lr (set where no
 * schedule has set it yet), then the initial step. */
static void lr_construct(gd_optimizer *opt, gd_schedule *s)
{
    if (s->kind == GD_SCHEDULE_CYCLIC || s->kind == GD_SCHEDULE_ONE_CYCLE)
        prepare_cycle(opt, s);
    for (size_t i = 0; i < gdi_group_count(opt); i++) {
        struct gdi_group *g = gdi_group_at(opt, i);
        if (isnan(g->initial_lr))
            g->initial_lr = lr_of(g);
        g->schedule_base[s->base_slot] = g->initial_lr;
    }
    s->last_epoch = -1;
    lr_step(opt, s, false);
    /* CyclicLR replaces base_lrs after its initial step, which used initial_lr. */
    if (s->kind == GD_SCHEDULE_CYCLIC)
        for (size_t i = 0; i < gdi_group_count(opt); i++)
            gdi_group_at(opt, i)->schedule_base[s->base_slot] = get(s, GD_SCHEDULE_PARAM_BASE_LR);
}

/* SequentialLR's constructor, after its children's: back to initial_lr, the children
 * one epoch back, and the first child's initial step again. */
static void sequential_construct(gd_optimizer *opt, gd_schedule *s)
{
    for (size_t c = 0; c < s->child_count; c++)
        lr_construct(opt, s->children[c]);
    s->last_epoch = 0;
    for (size_t i = 0; i < gdi_group_count(opt); i++) {
        struct gdi_group *g = gdi_group_at(opt, i);
        g->param[lr_slot()] = g->initial_lr;
        gdi_group_changed(opt, g);
    }
    for (size_t c = 0; c < s->child_count; c++)
        s->children[c]->last_epoch--;
    lr_step(opt, s->children[0], false);
}

static void plateau_construct(gd_schedule *s)
{
    s->best = get(s, GD_SCHEDULE_PARAM_MODE) == 0.0 ? INFINITY : -INFINITY;
    s->bad_epochs = 0;
    s->cooldown_left = 0;
    s->last_epoch = 0;
}

/* Whether the construction of s can take its lambdas' values at epoch 0 (its own, or
 * its children's). */
static bool lambdas_ready_at_start(gd_schedule *s)
{
    for (size_t c = 0; c < s->child_count; c++)
        if (!lambda_ready(s->children[c], 0))
            return false;
    return lambda_ready(s, 0);
}

int gd_optimizer_add_schedule(gd_optimizer *opt, const gd_schedule *s)
{
    if (!opt || !s || !schedule_ready(opt, s))
        return GD_EINVAL;
    if (opt->schedule_slots + base_slots_needed(s) > GDI_MAX_SCHEDULES)
        return GD_EINVAL;
    gd_schedule *copy = schedule_copy(s);
    gd_schedule **grown = NULL;
    if (copy)
        grown = gdi_realloc_array(opt->schedules, opt->schedule_count + 1, sizeof *grown);
    if (!grown) {
        gd_schedule_free(copy);
        return GD_ENOMEM;
    }
    opt->schedules = grown; /* the array may have moved; its count is unchanged */
    if (!lambdas_ready_at_start(copy)) {
        gd_schedule_free(copy);
        return GD_ECALLBACK;
    }
    opt->schedules[opt->schedule_count++] = copy;
    assign_base_slots(copy, &opt->schedule_slots);
    if (copy->kind == GD_SCHEDULE_PLATEAU)
        plateau_construct(copy);
    else if (copy->kind == GD_SCHEDULE_SEQUENTIAL)
        sequential_construct(opt, copy);
    else
        lr_construct(opt, copy);
    return GD_OK;
}

void gdi_schedules_free(gd_optimizer *opt)
{
    for (size_t k = 0; k < opt->schedule_count; k++)
        gd_schedule_free(opt->schedules[k]);
    gdi_free(opt->schedules);
    opt->schedules = NULL;
    opt->schedule_count = 0;
    opt->schedule_slots = 0;
}

int gd_optimizer_clear_schedules(gd_optimizer *opt)
{
    if (!opt)
        return GD_EINVAL;
    gdi_schedules_free(opt);
    return GD_OK;
}

/* ---- stepping ---- */

static bool plateau_better(const gd_schedule *s, double a, double best)
{
    double threshold = get(s, GD_SCHEDULE_PARAM_THRESHOLD);
    bool relative = get(s, GD_SCHEDULE_PARAM_THRESHOLD_ABS) == 0.0;
    if (get(s, GD_SCHEDULE_PARAM_MODE) == 0.0)
        return relative ? a < best * (1. - threshold) : a < best - threshold;
    return relative ? a > best * (threshold + 1.) : a > best + threshold;
}

static void plateau_reduce(gd_optimizer *opt, const gd_schedule *s)
{
    for (size_t i = 0; i < gdi_group_count(opt); i++) {
        struct gdi_group *g = gdi_group_at(opt, i);
        double old_lr = lr_of(g), new_lr = old_lr * get(s, GD_SCHEDULE_PARAM_FACTOR);
        double min_lr = get(s, GD_SCHEDULE_PARAM_MIN_LR);
        if (min_lr > new_lr) /* Python's max(new_lr, min_lr) */
            new_lr = min_lr;
        if (old_lr - new_lr > get(s, GD_SCHEDULE_PARAM_EPS)) {
            g->param[lr_slot()] = new_lr;
            gdi_group_changed(opt, g);
        }
    }
}

static void plateau_step(gd_optimizer *opt, gd_schedule *s, double metric)
{
    s->last_epoch++;
    if (plateau_better(s, metric, s->best)) {
        s->best = metric;
        s->bad_epochs = 0;
    } else {
        s->bad_epochs++;
    }
    if (s->cooldown_left > 0) {
        s->cooldown_left--;
        s->bad_epochs = 0; /* bad epochs in cooldown do not count */
    }
    if (s->bad_epochs > (size_t)get(s, GD_SCHEDULE_PARAM_PATIENCE)) {
        plateau_reduce(opt, s);
        s->cooldown_left = (size_t)get(s, GD_SCHEDULE_PARAM_COOLDOWN);
        s->bad_epochs = 0;
    }
}

/* SequentialLR's next child, and whether the step is that child's step(0). */
static gd_schedule *sequential_next(const gd_schedule *s, bool *restart)
{
    int64_t epoch = s->last_epoch + 1;
    size_t idx = milestones_passed(s, epoch);
    *restart = idx > 0 && s->milestones[idx - 1] == (size_t)epoch;
    return s->children[idx];
}

/* Whether the next step of s is one torch refuses (GD_EINVAL: a one-cycle schedule
 * past its total_steps) or one whose lambda fails (GD_ECALLBACK); GD_OK otherwise. */
static int step_refused(gd_schedule *s, bool restart)
{
    if (s->kind == GD_SCHEDULE_SEQUENTIAL) {
        bool child_restart;
        gd_schedule *child = sequential_next(s, &child_restart);
        return step_refused(child, child_restart);
    }
    int64_t next = restart ? 0 : s->last_epoch + 1;
    if (s->kind == GD_SCHEDULE_ONE_CYCLE && next > get_count(s, GD_SCHEDULE_PARAM_TOTAL_STEPS))
        return GD_EINVAL;
    return lambda_ready(s, next) ? GD_OK : GD_ECALLBACK;
}

static void schedule_step(gd_optimizer *opt, gd_schedule *s, double metric)
{
    if (s->kind == GD_SCHEDULE_PLATEAU) {
        plateau_step(opt, s, metric);
    } else if (s->kind == GD_SCHEDULE_SEQUENTIAL) {
        bool restart;
        gd_schedule *child = sequential_next(s, &restart);
        s->last_epoch++;
        lr_step(opt, child, restart);
    } else {
        lr_step(opt, s, false);
    }
}

int gd_optimizer_schedule_step(gd_optimizer *opt, double metric)
{
    if (!opt)
        return GD_EINVAL;
    for (size_t k = 0; k < opt->schedule_count; k++) {
        int rc = step_refused(opt->schedules[k], false);
        if (rc != GD_OK)
            return rc;
    }
    for (size_t k = 0; k < opt->schedule_count; k++)
        schedule_step(opt, opt->schedules[k], metric);
    return GD_OK;
}

/* ---- saved states (lib/state.c): each schedule, its children after it ---- */

static void save_schedule(const gd_schedule *s, struct gdi_writer *w)
{
    gdi_put_u32(w, (uint32_t)s->kind);
    gdi_put_u32(w, s->lambda != NULL);
    gdi_put_u32(w, PARAM_COUNT);
    for (size_t k = 0; k < PARAM_COUNT; k++)
        gdi_put_f64(w, s->value[k]);
    gdi_put_u64(w, s->milestone_count);
    for (size_t k = 0; k < s->milestone_count; k++)
        gdi_put_u64(w, s->milestones[k]);
    gdi_put_u64(w, (uint64_t)s->last_epoch);
    gdi_put_u64(w, s->base_slot);
    gdi_put_u64(w, (uint64_t)s->t_cur);
    gdi_put_u64(w, (uint64_t)s->t_i);
    gdi_put_f64(w, s->best);
    gdi_put_u64(w, s->bad_epochs);
    gdi_put_u64(w, s->cooldown_left);
    gdi_put_f64(w, s->lambda_value);
    gdi_put_u64(w, (uint64_t)s->lambda_epoch);
    gdi_put_u64(w, s->child_count);
    for (size_t c = 0; c < s->child_count; c++)
        save_schedule(s->children[c], w);
}

void gdi_schedules_save(const gd_optimizer *opt, struct gdi_writer *w)
{
    gdi_put_u32(w, (uint32_t)opt->schedule_slots);
    gdi_put_u32(w, (uint32_t)opt->schedule_count);
    for (size_t k = 0; k < opt->schedule_count; k++)
        save_schedule(opt->schedules[k], w);
}

/* The options: each key the kind takes in its range, NaN for the others. */
static bool read_options(struct gdi_reader *r, gd_schedule *s)
{
    if (gdi_get_u32(r) != PARAM_COUNT)
        return false;
    for (size_t k = 0; k < PARAM_COUNT && !r->failed; k++) {
        double v = gdi_get_f64(r);
        const struct key_rule *rule = key_rule_of(s->kind, (gd_schedule_param)k);
        if (rule ? !in_range(rule->range, v) && !isnan(v) : !isnan(v))
            return false;
        s->value[k] = v;
    }
    return !r->failed;
}

/* The milestones, as gd_schedule_set_milestones takes them. */
static bool read_milestones(struct gdi_reader *r, gd_schedule *s, bool *no_memory)
{
    size_t count = gdi_get_count(r, (r->size - r->used) / 8);
    if (r->failed || count == 0)
        return !r->failed;
    size_t *milestones = gdi_alloc_array(count, sizeof *milestones);
    if (!milestones) {
        *no_memory = true;
        return false;
    }
    for (size_t k = 0; k < count; k++)
        milestones[k] = gdi_get_count(r, (size_t)INT64_MAX);
    int rc = r->failed ? GD_EINVAL : gd_schedule_set_milestones(s, milestones, count);
    gdi_free(milestones);
    *no_memory = rc == GD_ENOMEM;
    return rc == GD_OK;
}

static bool read_position(struct gdi_reader *r, gd_schedule *s, size_t slots)
{
    s->last_epoch = (int64_t)gdi_get_u64(r);
    s->base_slot = gdi_get_count(r, GDI_MAX_SCHEDULES);
    s->t_cur = (int64_t)gdi_get_u64(r);
    s->t_i = (int64_t)gdi_get_u64(r);
    s->best = gdi_get_f64(r);
    s->bad_epochs = gdi_get_count(r, SIZE_MAX);
    s->cooldown_left = gdi_get_count(r, SIZE_MAX);
    s->lambda_value = gdi_get_f64(r);
    s->lambda_epoch = (int64_t)gdi_get_u64(r);
    bool slot_ok = !has_base(s) || s->base_slot < slots;
    return !r->failed && slot_ok && s->last_epoch >= -1 && s->t_cur >= -1 && s->t_i >= 0 &&
           s->lambda_epoch >= -1 && !isnan(s->best);
}

/* The function of a lambda schedule: the one of `like`, opt's schedule at the same
 * place, which must be of the same kind. */
static gd_schedule *read_schedule(struct gdi_reader *r, const gd_schedule *like, size_t slots,
                                  int *rc);

static bool read_children(struct gdi_reader *r, gd_schedule *s, const gd_schedule *like,
                          size_t slots, int *rc)
{
    size_t count = gdi_get_count(r, GDI_MAX_SCHEDULES);
    if (r->failed || (count > 0 && s->kind != GD_SCHEDULE_SEQUENTIAL))
        return false;
    if (count == 0)
        return true;
    s->children = gdi_calloc_array(count, sizeof *s->children);
    if (!s->children) {
        *rc = GD_ENOMEM;
        return false;
    }
    for (size_t c = 0; c < count; c++) {
        const gd_schedule *child_like = like && c < like->child_count ? like->children[c] : NULL;
        if (!(s->children[c] = read_schedule(r, child_like, slots, rc)))
            return false;
        s->child_count = c + 1;
    }
    return true;
}

static gd_schedule *read_schedule(struct gdi_reader *r, const gd_schedule *like, size_t slots,
                                  int *rc)
{
    uint32_t kind = gdi_get_u32(r), has_lambda = gdi_get_u32(r);
    *rc = GD_EFORMAT;
    if (r->failed || kind >= KIND_COUNT || has_lambda > 1)
        return NULL;
    gd_schedule *s = gd_schedule_new((gd_schedule_kind)kind);
    if (!s) {
        *rc = GD_ENOMEM;
        return NULL;
    }
    bool no_memory = false;
    bool ok = read_options(r, s) && read_milestones(r, s, &no_memory) &&
              read_position(r, s, slots) && read_children(r, s, like, slots, rc);
    if (no_memory)
        *rc = GD_ENOMEM;
    if (ok && has_lambda != is_lambda(s))
        ok = false;
    if (ok && has_lambda) { /* callbacks are code: opt must hold the same schedule */
        ok = like && like->kind == s->kind && like->lambda;
        if (ok) {
            s->lambda = like->lambda;
            s->lambda_user = like->lambda_user;
        } else {
            *rc = GD_EINVAL;
        }
    }
    if (!ok) {
        if (*rc == GD_OK) /* a child was whole, its parent is not */
            *rc = GD_EFORMAT;
        gd_schedule_free(s);
        return NULL;
    }
    *rc = GD_OK;
    return s;
}

void gdi_schedule_set_free(struct gdi_schedule_set *set)
{
    for (size_t k = 0; k < set->count; k++)
        gd_schedule_free(set->schedules[k]);
    gdi_free(set->schedules);
    set->schedules = NULL;
    set->count = set->slots = 0;
}

int gdi_schedules_read(const gd_optimizer *opt, struct gdi_reader *r, struct gdi_schedule_set *set)
{
    set->slots = gdi_get_u32(r);
    size_t count = gdi_get_u32(r); /* plateau schedules take no slot: bounded by the bytes */
    if (r->failed || set->slots > GDI_MAX_SCHEDULES || count > (r->size - r->used) / 8)
        return GD_EFORMAT;
    set->schedules = count ? gdi_calloc_array(count, sizeof *set->schedules) : NULL;
    if (count && !set->schedules)
        return GD_ENOMEM;
    int rc = GD_OK;
    for (size_t k = 0; k < count && rc == GD_OK; k++) {
        const gd_schedule *like = k < opt->schedule_count ? opt->schedules[k] : NULL;
        set->schedules[k] = read_schedule(r, like, set->slots, &rc);
        if (rc == GD_OK) {
            set->count = k + 1;
            if (!schedule_ready(opt, set->schedules[k]) ||
                base_slots_needed(set->schedules[k]) > set->slots)
                rc = GD_EFORMAT;
        }
    }
    if (rc != GD_OK)
        gdi_schedule_set_free(set);
    return rc;
}

void gdi_schedules_replace(gd_optimizer *opt, struct gdi_schedule_set *set)
{
    gdi_schedules_free(opt);
    opt->schedules = set->schedules;
    opt->schedule_count = set->count;
    opt->schedule_slots = set->slots;
    set->schedules = NULL;
    set->count = set->slots = 0;
}
