/*
 * adam.c - Adam (L2 weight decay, optional AMSGrad) and AdamW (decoupled weight decay)
 * as torch.optim.Adam and torch.optim.AdamW (PyTorch 1.13, _single_tensor_adam[w])
 * compute them.  At step t with gradient g:
 *
 *   x = x * (1 - lr * weight_decay)                         (AdamW only)
 *   g = maximize ? -g : g;   g = g + weight_decay * x        (Adam only, when != 0)
 *   m = beta1 m + (1 - beta1) g;   v = beta2 v + (1 - beta2) g^2
 *   vhat = amsgrad ? (vmax = max(vmax, v)) : v
 *   x = x - (lr / (1 - beta1^t)) * m / (sqrt(vhat) / sqrt(1 - beta2^t) + eps)
 *
 * The rule is compiled once; the loops, under GDI_LEVEL, once per instruction-set level and
 * precision (lib/kernels/levels.h).
 * SPDX-License-Identifier: MIT
 */
#include "../internal.h"

enum { AMSGRAD = GDI_OWN_FLAG };

struct adam_coefficients {
    gdi_real weight_decay;
    gdi_real shrink; /* AdamW: 1 - lr * weight_decay, the factor x is multiplied by first */
    gdi_real beta1, one_minus_beta1;
    gdi_real beta2, one_minus_beta2;
    gdi_real eps;
    gdi_real step_size;  /* per step: lr / (1 - beta1^t) */
    gdi_real bias2_sqrt; /* per step: sqrt(1 - beta2^t) */
};

#define LOOP_PARAMS_OF(real)                                                                       \
    size_t n, real *restrict x, const real *restrict g, real *restrict m, real *restrict v,        \
        real *restrict vmax, const void *cp
#define LOOP_ARGS n, x, g, m, v, vmax, cp
GDI_LOOP_TYPES(adam_loop);

struct adam_loops {
    gdi_loop l2[8];        /* Adam: MAXIMIZE | DECAY | AMSGRAD */
    gdi_loop decoupled[8]; /* AdamW: MAXIMIZE | DECAY | AMSGRAD */
};

#ifdef GDI_LEVEL
/* A square root and a division per element make these loops compute-bound in cache,
 * so at the AVX-512 level they are built with 512-bit vectors (about 1.8x faster than
 * 256-bit ones for Adam at n = 1e5 on the AMD EPYC measured).  Torch adds
 * (-step_size m) / d to x; these loops subtract (step_size m) / d, which gives the
 * same bits (negation is exact, and IEEE 754 defines x - y as x + (-y)) and lets GCC
 * keep the load of x out of the last instruction (bench/README.md). */

static ALWAYS_INLINE void adam(LOOP_PARAMS, unsigned flags, bool decoupled)
{
    GDI_TAKE_COEFFICIENTS(struct adam_coefficients, c, cp);
    unsigned gradient_flags = decoupled ? flags & ~(unsigned)GDI_DECAY : flags;
    for (size_t i = 0; i < n; i++) {
        gdi_real xi = decoupled && HAS(GDI_DECAY) ? x[i] * c.shrink : x[i];
        gdi_real gi = gdi_direction(g[i], xi, c.weight_decay, gradient_flags);
        gdi_real mi = c.beta1 * m[i] + c.one_minus_beta1 * gi;
        gdi_real vi = c.beta2 * v[i] + (c.one_minus_beta2 * gi) * gi;
        m[i] = mi;
        v[i] = vi;
        if (HAS(AMSGRAD)) {
            vi = vi > vmax[i] ? vi : vmax[i];
            vmax[i] = vi;
        }
        x[i] = xi - (c.step_size * mi) / (gdi_sqrt(vi) / c.bias2_sqrt + c.eps);
    }
}

static ALWAYS_INLINE void adam_l2(LOOP_PARAMS, unsigned flags)
{
    adam(LOOP_ARGS, flags, false);
}

static ALWAYS_INLINE void adam_decoupled(LOOP_PARAMS, unsigned flags)
{
    adam(LOOP_ARGS, flags, true);
}

INSTANCES8(adam_l2)
INSTANCES8(adam_decoupled)

const struct adam_loops GDI_LOOP_TABLE(adam_loops) = {
    .l2 = TABLE8(adam_l2),
    .decoupled = TABLE8(adam_decoupled),
};

#else /* the rule */

GDI_LOOPS_DECLARE(struct adam_loops, adam_loops);

struct adam_rule {
    struct adam_coefficients coef;
    double lr;
    gdi_loop loop;
};

static const struct gdi_param_default adam_params[] = {
    {GD_PARAM_LR, 1e-3},      {GD_PARAM_BETA1, 0.9},        {GD_PARAM_BETA2, 0.999},
    {GD_PARAM_EPS, 1e-8},     {GD_PARAM_WEIGHT_DECAY, 0.0}, {GD_PARAM_AMSGRAD, 0.0},
    {GD_PARAM_MAXIMIZE, 0.0},
};

static const struct gdi_param_default adamw_params[] = {
    {GD_PARAM_LR, 1e-3},      {GD_PARAM_BETA1, 0.9},         {GD_PARAM_BETA2, 0.999},
    {GD_PARAM_EPS, 1e-8},     {GD_PARAM_WEIGHT_DECAY, 1e-2}, {GD_PARAM_AMSGRAD, 0.0},
    {GD_PARAM_MAXIMIZE, 0.0},
};

/* The coefficients that do not depend on the step, and the loop's flags. */
static unsigned adam_coefficients(struct gdi_group *group)
{
    struct adam_rule *rule = group->rule;
    double lr = gdi_group_param(group, GD_PARAM_LR);
    double beta1 = gdi_group_param(group, GD_PARAM_BETA1);
    double beta2 = gdi_group_param(group, GD_PARAM_BETA2);
    double weight_decay = gdi_group_param(group, GD_PARAM_WEIGHT_DECAY);
    rule->lr = lr;
    rule->coef = (struct adam_coefficients){
        .weight_decay = weight_decay,
        .shrink = 1.0 - lr * weight_decay,
        .beta1 = beta1,
        .one_minus_beta1 = 1.0 - beta1,
        .beta2 = beta2,
        .one_minus_beta2 = 1.0 - beta2,
        .eps = gdi_group_param(group, GD_PARAM_EPS),
    };
    unsigned flags = gdi_direction_flags(group);
    return gdi_group_param(group, GD_PARAM_AMSGRAD) != 0.0 ? flags | AMSGRAD : flags;
}

static void adam_select(struct gdi_group *group)
{
    unsigned flags = adam_coefficients(group);
    struct adam_rule *rule = group->rule;
    rule->loop = GDI_GROUP_LOOPS(group, adam_loops)->l2[flags];
}

static void adamw_select(struct gdi_group *group)
{
    unsigned flags = adam_coefficients(group);
    struct adam_rule *rule = group->rule;
    rule->loop = GDI_GROUP_LOOPS(group, adam_loops)->decoupled[flags];
}

/* The bias corrections call pow() as torch does (Python's float power), so that the
 * step sizes agree to the last bit. */
static void adam_prepare(struct gdi_group *group, size_t step)
{
    struct adam_rule *rule = group->rule;
    struct adam_coefficients *c = &rule->coef;
    double t = (double)step;
    c->step_size = rule->lr / (1.0 - pow(c->beta1, t));
    c->bias2_sqrt = sqrt(1.0 - pow(c->beta2, t));
}

static void adam_apply(const struct gdi_group *group, size_t offset, size_t count, void *x,
                       const void *g)
{
    const struct adam_rule *rule = group->rule;
    GDI_CALL_LOOP(group, adam_loop, rule->loop,
                  (count, x, g, gdi_state_at(group, 0, offset), gdi_state_at(group, 1, offset),
                   gdi_state_at(group, 2, offset), &rule->coef));
}

/* Torch keeps max_exp_avg_sq only with AMSGrad. */
static bool adam_state_kept(const struct gdi_group *group, size_t v)
{
    return v < 2 || gdi_group_param(group, GD_PARAM_AMSGRAD) != 0.0;
}

static const char *const adam_state_names[] = {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"};

const struct gdi_method gdi_adam_method = {
    .name = "adam",
    .params = adam_params,
    .param_count = GDI_COUNT(adam_params),
    .state_names = adam_state_names,
    .state_vectors = GDI_COUNT(adam_state_names),
    .keeps_step = true,
    .state_kept = adam_state_kept,
    .rule_size = sizeof(struct adam_rule),
    .select = adam_select,
    .prepare = adam_prepare,
    .apply = adam_apply,
};

const struct gdi_method gdi_adamw_method = {
    .name = "adamw",
    .params = adamw_params,
    .param_count = GDI_COUNT(adamw_params),
    .state_names = adam_state_names,
    .state_vectors = GDI_COUNT(adam_state_names),
    .keeps_step = true,
    .state_kept = adam_state_kept,
    .rule_size = sizeof(struct adam_rule),
    .select = adamw_select,
    .prepare = adam_prepare,
    .apply = adam_apply,
};
#endif
