/*
 * lion.c - Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"),
 * which torch.optim lacks, as the common PyTorch version computes it: decoupled weight
 * decay first, then the sign of an interpolation of the momentum m (0 at the start)
 * and the gradient g.  tests/golden/make_exact.py's Lion class is the reference, in
 * torch 1.13's tensor operations:
 *
 *   g = maximize ? -g : g
 *   x = x * (1 - lr * weight_decay)               (when != 0: p.mul_)
 *   c = m * beta1 + (1 - beta1) * g               (exp_avg.mul(beta1).add_(g, alpha=))
 *   x = x + (-lr) * sign(c)                       (p.add_(torch.sign(c), alpha=-lr))
 *   m = m * beta2 + (1 - beta2) * g               (exp_avg.mul_(beta2).add_(g, alpha=))
 *
 * torch.sign is (0 < a) - (a < 0): +0 for zeros and for NaN (ATen's sign never gives
 * NaN), so a NaN gradient leaves x alone.  The rule is compiled once; the loops, under
 * GDI_LEVEL, once per instruction-set level and precision (lib/kernels/levels.h).
 * SPDX-License-Identifier: MIT
 */
#include "../internal.h"

struct lion_coefficients {
    gdi_real shrink; /* 1 - lr * weight_decay, the factor x is multiplied by first */
    gdi_real minus_lr;
    gdi_real beta1, one_minus_beta1;
    gdi_real beta2, one_minus_beta2;
};

#define LOOP_PARAMS_OF(real)                                                                       \
    size_t n, real *restrict x, const real *restrict g, real *restrict m, const void *cp
#define LOOP_ARGS n, x, g, m, cp
GDI_LOOP_TYPES(lion_loop);

struct lion_loops {
    gdi_loop loop[4]; /* MAXIMIZE | DECAY */
};

#ifdef GDI_LEVEL
static ALWAYS_INLINE void lion(LOOP_PARAMS, unsigned flags)
{
    GDI_TAKE_COEFFICIENTS(struct lion_coefficients, c, cp);
    for (size_t i = 0; i < n; i++) {
        gdi_real gi = HAS(GDI_MAXIMIZE) ? -g[i] : g[i];
        gdi_real xi = HAS(GDI_DECAY) ? x[i] * c.shrink : x[i];
        gdi_real interpolated = m[i] * c.beta1 + c.one_minus_beta1 * gi;
        x[i] = xi + c.minus_lr * gdi_torch_sign(interpolated);
        m[i] = m[i] * c.beta2 + c.one_minus_beta2 * gi;
    }
}

INSTANCES4(lion)

const struct lion_loops GDI_LOOP_TABLE(lion_loops) = {.loop = TABLE4(lion)};

#else /* the rule */

GDI_LOOPS_DECLARE(struct lion_loops, lion_loops);

struct lion_rule {
    struct lion_coefficients coef;
    gdi_loop loop;
};

static const struct gdi_param_default lion_params[] = {
    {GD_PARAM_LR, 1e-4},          {GD_PARAM_BETA1, 0.9},    {GD_PARAM_BETA2, 0.99},
    {GD_PARAM_WEIGHT_DECAY, 0.0}, {GD_PARAM_MAXIMIZE, 0.0},
};

static void lion_select(struct gdi_group *group)
{
    struct lion_rule *rule = group->rule;
    double lr = gdi_group_param(group, GD_PARAM_LR);
    double beta1 = gdi_group_param(group, GD_PARAM_BETA1);
    double beta2 = gdi_group_param(group, GD_PARAM_BETA2);
    rule->coef = (struct lion_coefficients){
        .shrink = 1.0 - lr * gdi_group_param(group, GD_PARAM_WEIGHT_DECAY),
        .minus_lr = -lr,
        .beta1 = beta1,
        .one_minus_beta1 = 1.0 - beta1,
        .beta2 = beta2,
        .one_minus_beta2 = 1.0 - beta2,
    };
    rule->loop = GDI_GROUP_LOOPS(group, lion_loops)->loop[gdi_direction_flags(group)];
}

static void lion_prepare(struct gdi_group *group, size_t step)
{
    (void)step;                /* the rule needs no step count */
    group->state_ready = true; /* exp_avg starts at 0, as the library's vectors do */
}

static void lion_apply(const struct gdi_group *group, size_t offset, size_t count, void *x,
                       const void *g)
{
    const struct lion_rule *rule = group->rule;
    GDI_CALL_LOOP(group, lion_loop, rule->loop,
                  (count, x, g, gdi_state_at(group, 0, offset), &rule->coef));
}

static const char *const lion_state_names[] = {"exp_avg"};

const struct gdi_method gdi_lion_method = {
    .name = "lion",
    .params = lion_params,
    .param_count = GDI_COUNT(lion_params),
    .state_names = lion_state_names,
    .state_vectors = GDI_COUNT(lion_state_names),
    .keeps_step = false,
    .rule_size = sizeof(struct lion_rule),
    .select = lion_select,
    .prepare = lion_prepare,
    .apply = lion_apply,
};
#endif
