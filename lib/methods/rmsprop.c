/*
 * rmsprop.c - RMSprop as torch.optim.RMSprop (PyTorch 1.13, _single_tensor_rmsprop)
 * computes it.  With gradient g:
 *
 *   g = maximize ? -g : g;   g = g + weight_decay * x        (when != 0)
 *   s = alpha s + (1 - alpha) g^2
 *   centered: a = alpha a + (1 - alpha) g;   d = sqrt(s - a^2) + eps
 *   otherwise:                               d = sqrt(s) + eps
 *   momentum > 0: b = momentum b + g / d;  x = x - lr b
 *   otherwise:                             x = x - lr g / d
 *
 * The buffers s, a, b start at 0.  The rule is compiled once; the loops, under
 * GDI_LEVEL, once per instruction-set level and precision (lib/kernels/levels.h).
 * SPDX-License-Identifier: MIT
 */
#include "../internal.h"

enum { CENTERED = GDI_OWN_FLAG, MOMENTUM = GDI_OWN_FLAG << 1 };

struct rmsprop_coefficients {
    gdi_real lr;
    gdi_real weight_decay;
    gdi_real alpha, one_minus_alpha;
    gdi_real eps;
    gdi_real momentum;
};

#define LOOP_PARAMS_OF(real)                                                                       \
    size_t n, real *restrict x, const real *restrict g, real *restrict square_avg,                 \
        real *restrict grad_avg, real *restrict buf, const void *cp
#define LOOP_ARGS n, x, g, square_avg, grad_avg, buf, cp
GDI_LOOP_TYPES(rmsprop_loop);

struct rmsprop_loops {
    gdi_loop loop[16]; /* MAXIMIZE | DECAY | CENTERED | MOMENTUM */
};

#ifdef GDI_LEVEL
/* Compute-bound in cache (a square root and a division per element): 512-bit vectors
 * at the AVX-512 level.  x -= (lr g) / d gives the bits of torch's x += (-lr g) / d
 * (see adam.c). */
static ALWAYS_INLINE void rmsprop(LOOP_PARAMS, unsigned flags)
{
    GDI_TAKE_COEFFICIENTS(struct rmsprop_coefficients, c, cp);
    for (size_t i = 0; i < n; i++) {
        gdi_real gi = gdi_direction(g[i], x[i], c.weight_decay, flags);
        gdi_real si = c.alpha * square_avg[i] + (c.one_minus_alpha * gi) * gi;
        square_avg[i] = si;
        gdi_real d;
        if (HAS(CENTERED)) {
            gdi_real ai = c.alpha * grad_avg[i] + c.one_minus_alpha * gi;
            grad_avg[i] = ai;
            d = gdi_sqrt(si + (-ai) * ai) + c.eps;
        } else {
            d = gdi_sqrt(si) + c.eps;
        }
        if (HAS(MOMENTUM)) {
            gdi_real bi = c.momentum * buf[i] + gi / d;
            buf[i] = bi;
            x[i] -= c.lr * bi;
        } else {
            x[i] -= (c.lr * gi) / d;
        }
    }
}

INSTANCES16(rmsprop)

const struct rmsprop_loops GDI_LOOP_TABLE(rmsprop_loops) = {.loop = TABLE16(rmsprop)};

#else /* the rule */

GDI_LOOPS_DECLARE(struct rmsprop_loops, rmsprop_loops);

struct rmsprop_rule {
    struct rmsprop_coefficients coef;
    gdi_loop loop;
};

static const struct gdi_param_default rmsprop_params[] = {
    {GD_PARAM_LR, 1e-2},          {GD_PARAM_ALPHA, 0.99},   {GD_PARAM_EPS, 1e-8},
    {GD_PARAM_WEIGHT_DECAY, 0.0}, {GD_PARAM_MOMENTUM, 0.0}, {GD_PARAM_CENTERED, 0.0},
    {GD_PARAM_MAXIMIZE, 0.0},
};

static void rmsprop_select(struct gdi_group *group)
{
    struct rmsprop_rule *rule = group->rule;
    double alpha = gdi_group_param(group, GD_PARAM_ALPHA);
    double momentum = gdi_group_param(group, GD_PARAM_MOMENTUM);
    rule->coef = (struct rmsprop_coefficients){
        .lr = gdi_group_param(group, GD_PARAM_LR),
        .weight_decay = gdi_group_param(group, GD_PARAM_WEIGHT_DECAY),
        .alpha = alpha,
        .one_minus_alpha = 1.0 - alpha,
        .eps = gdi_group_param(group, GD_PARAM_EPS),
        .momentum = momentum,
    };
    unsigned flags = gdi_direction_flags(group);
    if (gdi_group_param(group, GD_PARAM_CENTERED) != 0.0)
        flags |= CENTERED;
    if (momentum > 0.0)
        flags |= MOMENTUM;
    rule->loop = GDI_GROUP_LOOPS(group, rmsprop_loops)->loop[flags];
}

static void rmsprop_apply(const struct gdi_group *group, size_t offset, size_t count, void *x,
                          const void *g)
{
    const struct rmsprop_rule *rule = group->rule;
    GDI_CALL_LOOP(group, rmsprop_loop, rule->loop,
                  (count, x, g, gdi_state_at(group, 0, offset), gdi_state_at(group, 1, offset),
                   gdi_state_at(group, 2, offset), &rule->coef));
}

/* Torch keeps grad_avg only when centered, momentum_buffer only with momentum. */
static bool rmsprop_state_kept(const struct gdi_group *group, size_t v)
{
    if (v == 1)
        return gdi_group_param(group, GD_PARAM_CENTERED) != 0.0;
    if (v == 2)
        return gdi_group_param(group, GD_PARAM_MOMENTUM) > 0.0;
    return true;
}

static const char *const rmsprop_state_names[] = {"square_avg", "grad_avg", "momentum_buffer"};

const struct gdi_method gdi_rmsprop_method = {
    .name = "rmsprop",
    .params = rmsprop_params,
    .param_count = GDI_COUNT(rmsprop_params),
    .state_names = rmsprop_state_names,
    .state_vectors = GDI_COUNT(rmsprop_state_names),
    .keeps_step = true,
    .state_kept = rmsprop_state_kept,
    .rule_size = sizeof(struct rmsprop_rule),
    .select = rmsprop_select,
    .apply = rmsprop_apply,
};
#endif
