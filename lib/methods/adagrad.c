/*
 * adagrad.c - Adagrad as torch.optim.Adagrad (PyTorch 1.13, _single_tensor_adagrad)
 * computes it.  At step t with gradient g:
 *
 *   g = maximize ? -g : g;   g = g + weight_decay * x        (when != 0)
 *   clr = lr / (1 + (t - 1) lr_decay)
 *   s = s + g^2              (s starts at initial_accumulator)
 *   x = x - clr g / (sqrt(s) + eps)
 *
 * The rule is compiled once; the loops, under GDI_LEVEL, once per instruction-set level and
 * precision (lib/kernels/levels.h).  SPDX-License-Identifier: MIT
 */
#include "../internal.h"

struct adagrad_coefficients {
    gdi_real weight_decay;
    gdi_real eps;
    gdi_real clr; /* per step: lr / (1 + (t - 1) lr_decay) */
};

#define LOOP_PARAMS_OF(real)                                                                       \
    size_t n, real *restrict x, const real *restrict g, real *restrict sum, const void *cp
#define LOOP_ARGS n, x, g, sum, cp
GDI_LOOP_TYPES(adagrad_loop);

struct adagrad_loops {
    gdi_loop loop[4]; /* MAXIMIZE | DECAY */
};

#ifdef GDI_LEVEL
/* Compute-bound in cache: 512-bit vectors at the AVX-512 level; x -= (clr g) / d gives
 * the bits of torch's x += (-clr g) / d (see adam.c). */
static ALWAYS_INLINE void adagrad(LOOP_PARAMS, unsigned flags)
{
    GDI_TAKE_COEFFICIENTS(struct adagrad_coefficients, c, cp);
    for (size_t i = 0; i < n; i++) {
        gdi_real gi = gdi_direction(g[i], x[i], c.weight_decay, flags);
        gdi_real si = sum[i] + gi * gi;
        sum[i] = si;
        x[i] -= (c.clr * gi) / (gdi_sqrt(si) + c.eps);
    }
}

INSTANCES4(adagrad)

const struct adagrad_loops GDI_LOOP_TABLE(adagrad_loops) = {.loop = TABLE4(adagrad)};

#else /* the rule */

GDI_LOOPS_DECLARE(struct adagrad_loops, adagrad_loops);

struct adagrad_rule {
    struct adagrad_coefficients coef;
    double lr, lr_decay;
    gdi_loop loop;
};

static const struct gdi_param_default adagrad_params[] = {
    {GD_PARAM_LR, 1e-2},          {GD_PARAM_LR_DECAY, 0.0},
    {GD_PARAM_WEIGHT_DECAY, 0.0}, {GD_PARAM_INITIAL_ACCUMULATOR, 0.0},
    {GD_PARAM_EPS, 1e-10},        {GD_PARAM_MAXIMIZE, 0.0},
};

static void adagrad_select(struct gdi_group *group)
{
    struct adagrad_rule *rule = group->rule;
    rule->lr = gdi_group_param(group, GD_PARAM_LR);
    rule->lr_decay = gdi_group_param(group, GD_PARAM_LR_DECAY);
    rule->coef.weight_decay = gdi_group_param(group, GD_PARAM_WEIGHT_DECAY);
    rule->coef.eps = gdi_group_param(group, GD_PARAM_EPS);
    rule->loop = GDI_GROUP_LOOPS(group, adagrad_loops)->loop[gdi_direction_flags(group)];
    if (!group->state_ready) {
        /* Torch fills the accumulator at construction; here until the first update, so
         * that the value set before it counts. */
        gdi_state_fill(group, 0, gdi_group_param(group, GD_PARAM_INITIAL_ACCUMULATOR));
    }
}

static void adagrad_prepare(struct gdi_group *group, size_t step)
{
    struct adagrad_rule *rule = group->rule;
    group->state_ready = true;
    rule->coef.clr = rule->lr / (1.0 + (double)(step - 1) * rule->lr_decay);
}

static void adagrad_apply(const struct gdi_group *group, size_t offset, size_t count, void *x,
                          const void *g)
{
    const struct adagrad_rule *rule = group->rule;
    GDI_CALL_LOOP(group, adagrad_loop, rule->loop,
                  (count, x, g, gdi_state_at(group, 0, offset), &rule->coef));
}

static const char *const adagrad_state_names[] = {"sum"};

const struct gdi_method gdi_adagrad_method = {
    .name = "adagrad",
    .params = adagrad_params,
    .param_count = GDI_COUNT(adagrad_params),
    .state_names = adagrad_state_names,
    .state_vectors = GDI_COUNT(adagrad_state_names),
    .keeps_step = true,
    .rule_size = sizeof(struct adagrad_rule),
    .select = adagrad_select,
    .prepare = adagrad_prepare,
    .apply = adagrad_apply,
};
#endif
