/*
 * asgd.c - averaged SGD as torch.optim.ASGD (PyTorch 1.13, _single_tensor_asgd)
 * computes it.  The state holds the scalars eta (lr at the first update) and mu (1),
 * and the average ax (0).  At step t with gradient g:
 *
 *   g = maximize ? -g : g;   g = g + weight_decay * x        (when != 0)
 *   x = x * (1 - lambd * eta)                                 (param.mul_)
 *   x = x + (-eta) * g                                        (param.add_(alpha=-eta))
 *   ax = mu != 1 ? ax + (x - ax) * mu : x                     (ax.add_(x.sub(ax).mul(mu)))
 *   eta = lr / pow(1 + lambd * lr * t, alpha)                 (Python floats, math.pow)
 *   mu = 1 / max(1, t - t0)
 *
 * so a step uses the eta and mu of the step before.  The rule is compiled once; the
 * loops, under GDI_LEVEL, once per instruction-set level and precision (lib/kernels/levels.h).
 * SPDX-License-Identifier: MIT
 */
#include "../internal.h"

enum { AVERAGING = GDI_OWN_FLAG }; /* mu != 1: ax moves towards x instead of copying it */

struct asgd_coefficients {
    gdi_real weight_decay;
    gdi_real shrink;    /* per step: 1 - lambd * eta, the factor x is multiplied by first */
    gdi_real minus_eta; /* per step: -eta */
    gdi_real mu;        /* per step: the averaging weight */
};

#define LOOP_PARAMS_OF(real)                                                                       \
    size_t n, real *restrict x, const real *restrict g, real *restrict ax, const void *cp
#define LOOP_ARGS n, x, g, ax, cp
GDI_LOOP_TYPES(asgd_loop);

struct asgd_loops {
    gdi_loop loop[8]; /* MAXIMIZE | DECAY | AVERAGING */
};

#ifdef GDI_LEVEL
static ALWAYS_INLINE void asgd(LOOP_PARAMS, unsigned flags)
{
    GDI_TAKE_COEFFICIENTS(struct asgd_coefficients, c, cp);
    for (size_t i = 0; i < n; i++) {
        /* The L2 term takes x before the decay, as torch adds it to the gradient first. */
        gdi_real gi = gdi_direction(g[i], x[i], c.weight_decay, flags);
        gdi_real xi = x[i] * c.shrink;
        xi = xi + c.minus_eta * gi;
        x[i] = xi;
        ax[i] = HAS(AVERAGING) ? ax[i] + (xi - ax[i]) * c.mu : xi;
    }
}

INSTANCES8(asgd)

const struct asgd_loops GDI_LOOP_TABLE(asgd_loops) = {.loop = TABLE8(asgd)};

#else /* the rule */

GDI_LOOPS_DECLARE(struct asgd_loops, asgd_loops);

struct asgd_rule {
    struct asgd_coefficients coef;
    double lr, lambd, alpha, t0;
    /* torch's state scalars: set at the first update, never by select */
    double eta, mu;
    unsigned flags;   /* MAXIMIZE | DECAY; AVERAGING is chosen per step */
    gdi_loop current; /* the loop of this update (prepare) */
};

static const struct gdi_param_default asgd_params[] = {
    {GD_PARAM_LR, 1e-2}, {GD_PARAM_LAMBD, 1e-4},       {GD_PARAM_ALPHA, 0.75},
    {GD_PARAM_T0, 1e6},  {GD_PARAM_WEIGHT_DECAY, 0.0}, {GD_PARAM_MAXIMIZE, 0.0},
};

static void asgd_select(struct gdi_group *group)
{
    struct asgd_rule *rule = group->rule;
    rule->lr = gdi_group_param(group, GD_PARAM_LR);
    rule->lambd = gdi_group_param(group, GD_PARAM_LAMBD);
    rule->alpha = gdi_group_param(group, GD_PARAM_ALPHA);
    rule->t0 = gdi_group_param(group, GD_PARAM_T0);
    rule->coef.weight_decay = gdi_group_param(group, GD_PARAM_WEIGHT_DECAY);
    rule->flags = gdi_direction_flags(group);
}

/* eta and mu for the next step, as Python computes them from the float step t, then
 * stored in torch's tensors of the default dtype. */
static void asgd_next_scalars(const struct gdi_group *group, struct asgd_rule *rule, double t)
{
    rule->eta =
        gdi_scalar_state(group, rule->lr / pow(1.0 + rule->lambd * rule->lr * t, rule->alpha));
    double since_t0 = t - rule->t0;
    /* Python's max(1, t - t0) */
    rule->mu = gdi_scalar_state(group, 1.0 / (since_t0 > 1.0 ? since_t0 : 1.0));
}

static void asgd_prepare(struct gdi_group *group, size_t step)
{
    struct asgd_rule *rule = group->rule;
    if (!group->state_ready) {
        rule->eta = gdi_scalar_state(group, rule->lr); /* torch.tensor(group['lr']) */
        rule->mu = 1.0;
        group->state_ready = true;
    }
    struct asgd_coefficients *c = &rule->coef;
    c->shrink = 1.0 - rule->lambd * rule->eta;
    c->minus_eta = -rule->eta;
    c->mu = rule->mu;
    unsigned flags = rule->mu != 1.0 ? rule->flags | AVERAGING : rule->flags;
    rule->current = GDI_GROUP_LOOPS(group, asgd_loops)->loop[flags];
    asgd_next_scalars(group, rule, (double)step); /* the loop's coefficients are taken already */
}

static void asgd_apply(const struct gdi_group *group, size_t offset, size_t count, void *x,
                       const void *g)
{
    const struct asgd_rule *rule = group->rule;
    GDI_CALL_LOOP(group, asgd_loop, rule->current,
                  (count, x, g, gdi_state_at(group, 0, offset), &rule->coef));
}

static const char *const asgd_state_names[] = {"ax"};
static const char *const asgd_scalar_names[] = {"eta", "mu"};

/* Before the first update, the values torch starts from. */
static double asgd_scalar(const struct gdi_group *group, size_t i)
{
    const struct asgd_rule *rule = group->rule;
    if (!group->state_ready)
        return i == 0 ? gdi_scalar_state(group, gdi_group_param(group, GD_PARAM_LR)) : 1.0;
    return i == 0 ? rule->eta : rule->mu;
}

static void asgd_set_scalar(struct gdi_group *group, size_t i, double value)
{
    struct asgd_rule *rule = group->rule;
    *(i == 0 ? &rule->eta : &rule->mu) = value;
}

static bool asgd_scalars_ok(const struct gdi_group *group, const double *scalars, size_t step,
                            size_t evaluations)
{
    (void)step;
    (void)evaluations;
    return group->state_ready || (scalars[0] == asgd_scalar(group, 0) && scalars[1] == 1.0);
}

const struct gdi_method gdi_asgd_method = {
    .name = "asgd",
    .params = asgd_params,
    .param_count = GDI_COUNT(asgd_params),
    .state_names = asgd_state_names,
    .state_vectors = GDI_COUNT(asgd_state_names),
    .keeps_step = true,
    .scalar_names = asgd_scalar_names,
    .scalars = GDI_COUNT(asgd_scalar_names),
    .scalar = asgd_scalar,
    .set_scalar = asgd_set_scalar,
    .scalars_ok = asgd_scalars_ok,
    .rule_size = sizeof(struct asgd_rule),
    .select = asgd_select,
    .prepare = asgd_prepare,
    .apply = asgd_apply,
};
#endif
