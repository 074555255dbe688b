/*
 * adadelta.c - Adadelta as torch.optim.Adadelta (PyTorch 1.13, _single_tensor_adadelta)
 * computes it.  With gradient g, operation by operation:
 *
 *   g = maximize ? -g : g
 *   g = g + weight_decay * x                  (grad.add(param, alpha=wd), when != 0)
 *   s = rho s + ((1 - rho) g) g               (square_avg.mul_(rho).addcmul_(g, g, value=))
 *   std = sqrt(s + eps)                       (square_avg.add(eps).sqrt_())
 *   d = (sqrt(a + eps) / std) g               (acc_delta.add(eps).sqrt_().div_(std).mul_(g))
 *   a = rho a + ((1 - rho) d) d               (acc_delta.mul_(rho).addcmul_(d, d, value=))
 *   x = x + (-lr) d                           (param.add_(delta, alpha=-lr))
 *
 * s ("square_avg") and a ("acc_delta") start at 0; torch counts "step" but no rule uses
 * it.  rho = 1 keeps s and a at 0 (x moves by lr sqrt(eps / eps) g = lr g); rho = 0
 * keeps only the last step's squares.  The rule is compiled once; the loops, under
 * GDI_LEVEL, once per instruction-set level and precision (lib/kernels/levels.h).
 * SPDX-License-Identifier: MIT
 */
#include "../internal.h"

struct adadelta_coefficients {
    gdi_real lr;
    gdi_real weight_decay;
    gdi_real rho, one_minus_rho;
    gdi_real eps;
};

#define LOOP_PARAMS_OF(real)                                                                       \
    size_t n, real *restrict x, const real *restrict g, real *restrict square_avg,                 \
        real *restrict acc_delta, const void *cp
#define LOOP_ARGS n, x, g, square_avg, acc_delta, cp
GDI_LOOP_TYPES(adadelta_loop);

struct adadelta_loops {
    gdi_loop loop[4]; /* MAXIMIZE | DECAY */
};

#ifdef GDI_LEVEL
/* Two square roots and a division per element make the loop compute-bound in cache:
 * 512-bit vectors at the AVX-512 level.  x -= lr d gives the bits of torch's
 * x += (-lr) d (negation is exact; see adam.c). */
static ALWAYS_INLINE void adadelta(LOOP_PARAMS, unsigned flags)
{
    GDI_TAKE_COEFFICIENTS(struct adadelta_coefficients, c, cp);
    for (size_t i = 0; i < n; i++) {
        gdi_real gi = gdi_direction(g[i], x[i], c.weight_decay, flags);
        gdi_real si = c.rho * square_avg[i] + (c.one_minus_rho * gi) * gi;
        gdi_real std = gdi_sqrt(si + c.eps);
        gdi_real di = (gdi_sqrt(acc_delta[i] + c.eps) / std) * gi;
        square_avg[i] = si;
        acc_delta[i] = c.rho * acc_delta[i] + (c.one_minus_rho * di) * di;
        x[i] -= c.lr * di;
    }
}

INSTANCES4(adadelta)

const struct adadelta_loops GDI_LOOP_TABLE(adadelta_loops) = {.loop = TABLE4(adadelta)};

#else /* the rule */

GDI_LOOPS_DECLARE(struct adadelta_loops, adadelta_loops);

struct adadelta_rule {
    struct adadelta_coefficients coef;
    gdi_loop loop;
};

static const struct gdi_param_default adadelta_params[] = {
    {GD_PARAM_LR, 1.0},           {GD_PARAM_RHO, 0.9},      {GD_PARAM_EPS, 1e-6},
    {GD_PARAM_WEIGHT_DECAY, 0.0}, {GD_PARAM_MAXIMIZE, 0.0},
};

static void adadelta_select(struct gdi_group *group)
{
    struct adadelta_rule *rule = group->rule;
    double rho = gdi_group_param(group, GD_PARAM_RHO);
    rule->coef = (struct adadelta_coefficients){
        .lr = gdi_group_param(group, GD_PARAM_LR),
        .weight_decay = gdi_group_param(group, GD_PARAM_WEIGHT_DECAY),
        .rho = rho,
        .one_minus_rho = 1.0 - rho,
        .eps = gdi_group_param(group, GD_PARAM_EPS),
    };
    rule->loop = GDI_GROUP_LOOPS(group, adadelta_loops)->loop[gdi_direction_flags(group)];
}

/* The state starts at zero (the library's), as torch's zeros_like at the first step. */
static void adadelta_prepare(struct gdi_group *group, size_t step)
{
    (void)step; /* the rule needs no step count */
    group->state_ready = true;
}

static void adadelta_apply(const struct gdi_group *group, size_t offset, size_t count, void *x,
                           const void *g)
{
    const struct adadelta_rule *rule = group->rule;
    GDI_CALL_LOOP(
        group, adadelta_loop, rule->loop,
        (count, x, g, gdi_state_at(group, 0, offset), gdi_state_at(group, 1, offset), &rule->coef));
}

static const char *const adadelta_state_names[] = {"square_avg", "acc_delta"};

const struct gdi_method gdi_adadelta_method = {
    .name = "adadelta",
    .params = adadelta_params,
    .param_count = GDI_COUNT(adadelta_params),
    .state_names = adadelta_state_names,
    .state_vectors = GDI_COUNT(adadelta_state_names),
    .keeps_step = true,
    .rule_size = sizeof(struct adadelta_rule),
    .select = adadelta_select,
    .prepare = adadelta_prepare,
    .apply = adadelta_apply,
};
#endif
