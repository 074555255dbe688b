/*
 * rprop.c - Rprop as torch.optim.Rprop (PyTorch 1.13, _single_tensor_rprop) computes
 * it, element by element, with the per-element step size s (filled with lr at the
 * first update) and the previous gradient p (0 at the first update):
 *
 *   g = maximize ? -g : g
 *   f = sign(g * p) > 0 ? eta_plus : sign(g * p) < 0 ? eta_minus : 1
 *   s = clamp(s * f, step_min, step_max)       i.e. min(max(s * f, step_min), step_max)
 *   g = f == eta_minus ? 0 : g                 (the element does not move this step)
 *   x = x + (-1 * sign(g)) * s                 (param.addcmul_(g.sign(), s, value=-1))
 *   p = g
 *
 * torch's sign is (0 < a) - (a < 0): +0 for zeros and for NaN, so a NaN gradient
 * leaves the step size and x alone.  Torch 1.13's Rprop has no weight decay.
 * The rule is compiled once; the loops, under GDI_LEVEL, once per instruction-set level and
 * precision (lib/kernels/levels.h).
 * SPDX-License-Identifier: MIT
 */
#include "../internal.h"

struct rprop_coefficients {
    gdi_real eta_minus, eta_plus;
    gdi_real step_min, step_max;
};

#define LOOP_PARAMS_OF(real)                                                                       \
    size_t n, real *restrict x, const real *restrict g, real *restrict prev,                       \
        real *restrict step_size, const void *cp
#define LOOP_ARGS n, x, g, prev, step_size, cp
GDI_LOOP_TYPES(rprop_loop);

struct rprop_loops {
    gdi_loop loop[2]; /* MAXIMIZE */
};

#ifdef GDI_LEVEL
/* x + (-1 * sign) * s is written x - sign * s: the same bits, as negation is exact
 * and IEEE 754 defines x - y as x + (-y). */
static ALWAYS_INLINE void rprop(LOOP_PARAMS, unsigned flags)
{
    GDI_TAKE_COEFFICIENTS(struct rprop_coefficients, c, cp);
    for (size_t i = 0; i < n; i++) {
        gdi_real gi = HAS(GDI_MAXIMIZE) ? -g[i] : g[i];
        gdi_real product = gi * prev[i];
        /* A NaN product has torch sign 0, hence the factor 1. */
        gdi_real factor = product > 0 ? c.eta_plus : product < 0 ? c.eta_minus : 1;
        /* torch's clamp, min(max(s, step_min), step_max): NaN stays NaN, and
         * step_min > step_max gives step_max. */
        gdi_real si = step_size[i] * factor;
        si = si < c.step_min ? c.step_min : si;
        si = c.step_max < si ? c.step_max : si;
        step_size[i] = si;
        /* torch zeroes the gradient where the factor equals eta_minus, which lies in
         * (0, 1) while eta_plus > 1: exactly where the product is negative. */
        gi = product < 0 ? 0 : gi;
        x[i] -= gdi_torch_sign(gi) * si;
        prev[i] = gi;
    }
}

/* One flag, MAXIMIZE: two instances (loops.h has tables of 4, 8 and 16). */
#define INSTANCES2(loop) INSTANCE(loop, 0) INSTANCE(loop, 1)
INSTANCES2(rprop)

const struct rprop_loops GDI_LOOP_TABLE(rprop_loops) = {
    .loop = {AS_LOOP(rprop_0), AS_LOOP(rprop_1)}};

#else /* the rule */

GDI_LOOPS_DECLARE(struct rprop_loops, rprop_loops);

struct rprop_rule {
    struct rprop_coefficients coef;
    gdi_loop loop;
};

/* torch's etas = (eta_minus, eta_plus) and step_sizes = (step_min, step_max). */
static const struct gdi_param_default rprop_params[] = {
    {GD_PARAM_LR, 1e-2},       {GD_PARAM_ETA_MINUS, 0.5}, {GD_PARAM_ETA_PLUS, 1.2},
    {GD_PARAM_STEP_MIN, 1e-6}, {GD_PARAM_STEP_MAX, 50.0}, {GD_PARAM_MAXIMIZE, 0.0},
};

static void rprop_select(struct gdi_group *group)
{
    struct rprop_rule *rule = group->rule;
    rule->coef = (struct rprop_coefficients){
        .eta_minus = gdi_group_param(group, GD_PARAM_ETA_MINUS),
        .eta_plus = gdi_group_param(group, GD_PARAM_ETA_PLUS),
        .step_min = gdi_group_param(group, GD_PARAM_STEP_MIN),
        .step_max = gdi_group_param(group, GD_PARAM_STEP_MAX),
    };
    unsigned flags = gdi_group_param(group, GD_PARAM_MAXIMIZE) != 0.0 ? GDI_MAXIMIZE : 0u;
    rule->loop = GDI_GROUP_LOOPS(group, rprop_loops)->loop[flags];
}

static void rprop_prepare(struct gdi_group *group, size_t step)
{
    (void)step; /* the rule needs no step count */
    if (!group->state_ready) {
        /* torch fills the step sizes with the lr of its first step ("prev" is 0). */
        gdi_state_fill(group, 1, gdi_group_param(group, GD_PARAM_LR));
        group->state_ready = true;
    }
}

static void rprop_apply(const struct gdi_group *group, size_t offset, size_t count, void *x,
                        const void *g)
{
    const struct rprop_rule *rule = group->rule;
    GDI_CALL_LOOP(
        group, rprop_loop, rule->loop,
        (count, x, g, gdi_state_at(group, 0, offset), gdi_state_at(group, 1, offset), &rule->coef));
}

static const char *const rprop_state_names[] = {"prev", "step_size"};

const struct gdi_method gdi_rprop_method = {
    .name = "rprop",
    .params = rprop_params,
    .param_count = GDI_COUNT(rprop_params),
    .state_names = rprop_state_names,
    .state_vectors = GDI_COUNT(rprop_state_names),
    .keeps_step = true,
    .rule_size = sizeof(struct rprop_rule),
    .select = rprop_select,
    .prepare = rprop_prepare,
    .apply = rprop_apply,
};
#endif
