/*
 * nadam.c - NAdam as torch.optim.NAdam computes it: the operations of PyTorch 1.13's
 * _single_tensor_nadam, with torch 2.x's mathematics where 2.x changed it (the product
 * mu_product_next, decoupled_weight_decay, maximize).  At step t with gradient g:
 *
 *   g = maximize ? -g : g
 *   x = x * (1 - lr * weight_decay)            (decoupled_weight_decay, when wd != 0)
 *   g = g + weight_decay * x                   (otherwise, when wd != 0)
 *   mu = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay))
 *   mu_next = beta1 * (1 - 0.5 * 0.96^((t + 1) * momentum_decay))
 *   mu_product = mu_product * mu               (torch's state, starts at 1)
 *   mu_product_next = mu_product * mu_next     (1.13: mu_product * mu * mu_next)
 *   m = beta1 * m + (1 - beta1) * g
 *   v = beta2 * v + ((1 - beta2) * g) * g
 *   d = sqrt(v / (1 - beta2^t)) + eps
 *   x = x + ((-lr * (1 - mu) / (1 - mu_product)) * g) / d
 *   x = x + ((-lr * mu_next / (1 - mu_product_next)) * m) / d
 *
 * (2.x computes m with lerp_ and adds eps to d later: the same mathematics, other
 * roundings; these are 1.13's.)  The rule is compiled once; the loops, under
 * GDI_LEVEL, once per instruction-set level and precision (lib/kernels/levels.h).
 * SPDX-License-Identifier: MIT
 */
#include "../internal.h"

/* Decoupled decay: x shrinks first and the gradient has no decay term (GDI_DECAY is
 * then clear). */
enum { DECOUPLED = GDI_OWN_FLAG };

struct nadam_coefficients {
    gdi_real weight_decay;
    gdi_real shrink; /* decoupled: 1 - lr * weight_decay, the factor x is multiplied by */
    gdi_real beta1, one_minus_beta1;
    gdi_real beta2, one_minus_beta2;
    gdi_real eps;
    gdi_real bias_correction2; /* per step: 1 - beta2^t */
    gdi_real gradient_step;    /* per step: lr (1 - mu) / (1 - mu_product) */
    gdi_real momentum_step;    /* per step: lr mu_next / (1 - mu_product_next) */
};

#define LOOP_PARAMS_OF(real)                                                                       \
    size_t n, real *restrict x, const real *restrict g, real *restrict m, real *restrict v,        \
        const void *cp
#define LOOP_ARGS n, x, g, m, v, cp
GDI_LOOP_TYPES(nadam_loop);

struct nadam_loops {
    gdi_loop loop[8]; /* MAXIMIZE | DECAY | DECOUPLED */
};

#ifdef GDI_LEVEL
/* Compute-bound in cache (a square root and two divisions per element): 512-bit
 * vectors at the AVX-512 level.  x -= (step g) / d gives the bits of torch's
 * x += (-step g) / d (see adam.c); the two additions to x round one after the other,
 * as torch's two addcdiv_. */
static ALWAYS_INLINE void nadam(LOOP_PARAMS, unsigned flags)
{
    GDI_TAKE_COEFFICIENTS(struct nadam_coefficients, c, cp);
    for (size_t i = 0; i < n; i++) {
        gdi_real xi = HAS(DECOUPLED) ? x[i] * c.shrink : x[i];
        gdi_real gi = gdi_direction(g[i], xi, c.weight_decay, flags);
        gdi_real mi = c.beta1 * m[i] + c.one_minus_beta1 * gi;
        gdi_real vi = c.beta2 * v[i] + (c.one_minus_beta2 * gi) * gi;
        m[i] = mi;
        v[i] = vi;
        gdi_real d = gdi_sqrt(vi / c.bias_correction2) + c.eps;
        xi -= (c.gradient_step * gi) / d;
        x[i] = xi - (c.momentum_step * mi) / d;
    }
}

INSTANCES8(nadam)

const struct nadam_loops GDI_LOOP_TABLE(nadam_loops) = {.loop = TABLE8(nadam)};

#else /* the rule */

GDI_LOOPS_DECLARE(struct nadam_loops, nadam_loops);

struct nadam_rule {
    struct nadam_coefficients coef;
    double lr, momentum_decay;
    double mu_product; /* torch's state "mu_product", set at the first update */
    gdi_loop loop;
};

static const struct gdi_param_default nadam_params[] = {
    {GD_PARAM_LR, 2e-3},
    {GD_PARAM_BETA1, 0.9},
    {GD_PARAM_BETA2, 0.999},
    {GD_PARAM_EPS, 1e-8},
    {GD_PARAM_WEIGHT_DECAY, 0.0},
    {GD_PARAM_MOMENTUM_DECAY, 4e-3},
    {GD_PARAM_DECOUPLED_WEIGHT_DECAY, 0.0},
    {GD_PARAM_MAXIMIZE, 0.0},
};

/* Leaves mu_product, which is state, alone. */
static void nadam_select(struct gdi_group *group)
{
    struct nadam_rule *rule = group->rule;
    double lr = gdi_group_param(group, GD_PARAM_LR);
    double beta1 = gdi_group_param(group, GD_PARAM_BETA1);
    double beta2 = gdi_group_param(group, GD_PARAM_BETA2);
    double weight_decay = gdi_group_param(group, GD_PARAM_WEIGHT_DECAY);
    rule->lr = lr;
    rule->momentum_decay = gdi_group_param(group, GD_PARAM_MOMENTUM_DECAY);
    rule->coef = (struct nadam_coefficients){
        .weight_decay = weight_decay,
        .shrink = 1.0 - lr * weight_decay,
        .beta1 = beta1,
        .one_minus_beta1 = 1.0 - beta1,
        .beta2 = beta2,
        .one_minus_beta2 = 1.0 - beta2,
        .eps = gdi_group_param(group, GD_PARAM_EPS),
    };
    unsigned flags = gdi_direction_flags(group);
    if ((flags & GDI_DECAY) && gdi_group_param(group, GD_PARAM_DECOUPLED_WEIGHT_DECAY) != 0.0)
        flags = (flags & ~(unsigned)GDI_DECAY) | DECOUPLED;
    rule->loop = GDI_GROUP_LOOPS(group, nadam_loops)->loop[flags];
}

/* The momentum cache mu at step t, in double as Python computes it (its ** is pow()). */
static double nadam_mu(double beta1, double momentum_decay, double t)
{
    return beta1 * (1.0 - 0.5 * pow(0.96, t * momentum_decay));
}

static void nadam_prepare(struct gdi_group *group, size_t step)
{
    struct nadam_rule *rule = group->rule;
    struct nadam_coefficients *c = &rule->coef;
    if (!group->state_ready) { /* torch creates mu_product = 1 at the first step */
        rule->mu_product = 1.0;
        group->state_ready = true;
    }
    double t = (double)step;
    double mu = nadam_mu(c->beta1, rule->momentum_decay, t);
    double mu_next = nadam_mu(c->beta1, rule->momentum_decay, t + 1.0);
    /* torch's mu_product *= mu: a float32 product for a float optimizer, whose mu
     * is converted to float first */
    rule->mu_product = gdi_scalar_state(group, rule->mu_product * gdi_scalar_state(group, mu));
    double mu_product_next = rule->mu_product * mu_next;
    c->bias_correction2 = 1.0 - pow(c->beta2, t);
    c->gradient_step = rule->lr * (1.0 - mu) / (1.0 - rule->mu_product);
    c->momentum_step = rule->lr * mu_next / (1.0 - mu_product_next);
}

static void nadam_apply(const struct gdi_group *group, size_t offset, size_t count, void *x,
                        const void *g)
{
    const struct nadam_rule *rule = group->rule;
    GDI_CALL_LOOP(
        group, nadam_loop, rule->loop,
        (count, x, g, gdi_state_at(group, 0, offset), gdi_state_at(group, 1, offset), &rule->coef));
}

static double nadam_scalar(const struct gdi_group *group, size_t i)
{
    (void)i; /* the only one: mu_product */
    const struct nadam_rule *rule = group->rule;
    return group->state_ready ? rule->mu_product : 1.0;
}

static void nadam_set_scalar(struct gdi_group *group, size_t i, double value)
{
    (void)i;
    struct nadam_rule *rule = group->rule;
    rule->mu_product = value;
}

static bool nadam_scalars_ok(const struct gdi_group *group, const double *scalars, size_t step,
                             size_t evaluations)
{
    (void)step;
    (void)evaluations;
    return group->state_ready || scalars[0] == 1.0;
}

static const char *const nadam_state_names[] = {"exp_avg", "exp_avg_sq"};
static const char *const nadam_scalar_names[] = {"mu_product"};

const struct gdi_method gdi_nadam_method = {
    .name = "nadam",
    .params = nadam_params,
    .param_count = GDI_COUNT(nadam_params),
    .state_names = nadam_state_names,
    .state_vectors = GDI_COUNT(nadam_state_names),
    .keeps_step = true,
    .scalar_names = nadam_scalar_names,
    .scalars = GDI_COUNT(nadam_scalar_names),
    .scalar = nadam_scalar,
    .set_scalar = nadam_set_scalar,
    .scalars_ok = nadam_scalars_ok,
    .rule_size = sizeof(struct nadam_rule),
    .select = nadam_select,
    .prepare = nadam_prepare,
    .apply = nadam_apply,
};
#endif
