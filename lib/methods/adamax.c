/*
 * adamax.c - Adamax as torch.optim.Adamax (PyTorch 1.13, _single_tensor_adamax)
 * computes it.  At step t with gradient g, operation by operation:
 *
 *   g = maximize ? -g : g
 *   g = g + weight_decay * x                        (grad.add(param, alpha=wd), when != 0)
 *   m = beta1 m + (1 - beta1) g                     (exp_avg.mul_(beta1).add_(g, alpha=))
 *   u = max(beta2 u, |g| + eps)                     (torch.amax of the stacked pair)
 *   clr = lr / (1 - beta1^t)                        (Python floats: C pow())
 *   x = x + (-clr m) / u                            (param.addcdiv_(m, u, value=-clr))
 *
 * m ("exp_avg") and u ("exp_inf") start at 0.  For finite values u is the plain
 * maximum.  torch.amax propagates NaN: u is NaN when beta2 u or |g| + eps is, and so
 * it is here (a plain a > b ? a : b would drop a NaN |g| + eps), so that the state read
 * back ("exp_inf") is NaN where torch's is (sign and payload of the NaN aside).  The
 * iterates would not differ: a NaN gradient makes m, and so x, NaN from then on either
 * way.  The rule is compiled once; the loops, under GDI_LEVEL, once per instruction-set level and
 * precision (lib/kernels/levels.h).
 * SPDX-License-Identifier: MIT
 */
#include "../internal.h"

struct adamax_coefficients {
    gdi_real weight_decay;
    gdi_real beta1, one_minus_beta1;
    gdi_real beta2;
    gdi_real eps;
    gdi_real clr; /* per step: lr / (1 - beta1^t) */
};

#define LOOP_PARAMS_OF(real)                                                                       \
    size_t n, real *restrict x, const real *restrict g, real *restrict exp_avg,                    \
        real *restrict exp_inf, const void *cp
#define LOOP_ARGS n, x, g, exp_avg, exp_inf, cp
GDI_LOOP_TYPES(adamax_loop);

struct adamax_loops {
    gdi_loop loop[4]; /* MAXIMIZE | DECAY */
};

#ifdef GDI_LEVEL
/* The maximum of torch.amax's reduction, which propagates a NaN from either side. */
static ALWAYS_INLINE gdi_real max_propagating_nan(gdi_real a, gdi_real b)
{
    return ((a != a) | (a > b)) ? a : b; /* |, not ||: GCC vectorizes it at avx2 too */
}

/* A division per element makes the loop compute-bound in cache: 512-bit vectors at the
 * AVX-512 level.  x -= (clr m) / u gives the bits of torch's x += (-clr m) / u (see
 * adam.c). */
static ALWAYS_INLINE void adamax(LOOP_PARAMS, unsigned flags)
{
    GDI_TAKE_COEFFICIENTS(struct adamax_coefficients, c, cp);
    for (size_t i = 0; i < n; i++) {
        gdi_real gi = gdi_direction(g[i], x[i], c.weight_decay, flags);
        gdi_real mi = c.beta1 * exp_avg[i] + c.one_minus_beta1 * gi;
        gdi_real ui = max_propagating_nan(c.beta2 * exp_inf[i], gdi_fabs(gi) + c.eps);
        exp_avg[i] = mi;
        exp_inf[i] = ui;
        x[i] -= (c.clr * mi) / ui;
    }
}

INSTANCES4(adamax)

const struct adamax_loops GDI_LOOP_TABLE(adamax_loops) = {.loop = TABLE4(adamax)};

#else /* the rule */

GDI_LOOPS_DECLARE(struct adamax_loops, adamax_loops);

struct adamax_rule {
    struct adamax_coefficients coef;
    double lr;
    gdi_loop loop;
};

static const struct gdi_param_default adamax_params[] = {
    {GD_PARAM_LR, 2e-3},  {GD_PARAM_BETA1, 0.9},        {GD_PARAM_BETA2, 0.999},
    {GD_PARAM_EPS, 1e-8}, {GD_PARAM_WEIGHT_DECAY, 0.0}, {GD_PARAM_MAXIMIZE, 0.0},
};

static void adamax_select(struct gdi_group *group)
{
    struct adamax_rule *rule = group->rule;
    double beta1 = gdi_group_param(group, GD_PARAM_BETA1);
    rule->lr = gdi_group_param(group, GD_PARAM_LR);
    rule->coef = (struct adamax_coefficients){
        .weight_decay = gdi_group_param(group, GD_PARAM_WEIGHT_DECAY),
        .beta1 = beta1,
        .one_minus_beta1 = 1.0 - beta1,
        .beta2 = gdi_group_param(group, GD_PARAM_BETA2),
        .eps = gdi_group_param(group, GD_PARAM_EPS),
    };
    rule->loop = GDI_GROUP_LOOPS(group, adamax_loops)->loop[gdi_direction_flags(group)];
}

/* torch's step is a float tensor and the bias correction Python's float power, so
 * pow() of the step as a double gives its bits.  The state starts at zero (the
 * library's), as torch's zeros_like at the first step. */
static void adamax_prepare(struct gdi_group *group, size_t step)
{
    struct adamax_rule *rule = group->rule;
    group->state_ready = true;
    rule->coef.clr = rule->lr / (1.0 - pow(rule->coef.beta1, (double)step));
}

static void adamax_apply(const struct gdi_group *group, size_t offset, size_t count, void *x,
                         const void *g)
{
    const struct adamax_rule *rule = group->rule;
    GDI_CALL_LOOP(
        group, adamax_loop, rule->loop,
        (count, x, g, gdi_state_at(group, 0, offset), gdi_state_at(group, 1, offset), &rule->coef));
}

static const char *const adamax_state_names[] = {"exp_avg", "exp_inf"};

const struct gdi_method gdi_adamax_method = {
    .name = "adamax",
    .params = adamax_params,
    .param_count = GDI_COUNT(adamax_params),
    .state_names = adamax_state_names,
    .state_vectors = GDI_COUNT(adamax_state_names),
    .keeps_step = true,
    .rule_size = sizeof(struct adamax_rule),
    .select = adamax_select,
    .prepare = adamax_prepare,
    .apply = adamax_apply,
};
#endif
