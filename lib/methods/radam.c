/*
 * radam.c - RAdam as torch.optim.RAdam computes it: PyTorch 1.13's
 * _single_tensor_radam, with torch 2.x's decoupled_weight_decay and maximize.  At step
 * t with gradient g:
 *
 *   g = maximize ? -g : g
 *   x = x * (1 - lr * weight_decay)            (decoupled_weight_decay, when wd != 0)
 *   g = g + weight_decay * x                   (otherwise, when wd != 0)
 *   m = beta1 * m + (1 - beta1) * g
 *   v = beta2 * v + ((1 - beta2) * g) * g
 *   bias_correction1 = 1 - beta1^t;   bias_correction2 = 1 - beta2^t
 *   rho_inf = 2 / (1 - beta2) - 1
 *   rho_t = rho_inf - 2 * t * beta2^t / bias_correction2
 *   rho_t > 5:
 *     rect = sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
 *                 / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
 *     adaptive_lr = (1 / (sqrt(v) + eps)) * sqrt(bias_correction2)
 *     x = x - (((m / bias_correction1) * lr) * adaptive_lr) * rect
 *   otherwise:
 *     x = x - (m / bias_correction1) * lr
 *
 * adaptive_lr is torch's math.sqrt(bias_correction2) / tensor, which Tensor.__rdiv__
 * computes as tensor.reciprocal() * scalar.  The scalars (rho_t, rect) are Python
 * floats, computed here in double in the same order.  The rule is compiled once; the
 * loops, under GDI_LEVEL, once per instruction-set level and precision (lib/kernels/levels.h).
 * SPDX-License-Identifier: MIT
 */
#include "../internal.h"

/* DECOUPLED: x shrinks first and the gradient has no decay term (GDI_DECAY is then
 * clear).  RECTIFIED: the step of rho_t > 5, chosen at every step. */
enum { DECOUPLED = GDI_OWN_FLAG, RECTIFIED = GDI_OWN_FLAG << 1 };

struct radam_coefficients {
    gdi_real weight_decay;
    gdi_real shrink; /* decoupled: 1 - lr * weight_decay, the factor x is multiplied by */
    gdi_real beta1, one_minus_beta1;
    gdi_real beta2, one_minus_beta2;
    gdi_real eps;
    gdi_real lr;
    gdi_real bias_correction1;      /* per step: 1 - beta1^t */
    gdi_real bias_correction2_sqrt; /* per step: sqrt(1 - beta2^t) */
    gdi_real rect;                  /* per step, rectified: the variance rectification term */
};

#define LOOP_PARAMS_OF(real)                                                                       \
    size_t n, real *restrict x, const real *restrict g, real *restrict m, real *restrict v,        \
        const void *cp
#define LOOP_ARGS n, x, g, m, v, cp
GDI_LOOP_TYPES(radam_loop);

struct radam_loops {
    gdi_loop loop[16]; /* MAXIMIZE | DECAY | DECOUPLED | RECTIFIED */
};

#ifdef GDI_LEVEL
/* Compute-bound in cache (a square root and two divisions per element when
 * rectified): 512-bit vectors at the AVX-512 level.  torch adds -1.0 times the step
 * to x, which is x minus the step to the bit. */
static ALWAYS_INLINE void radam(LOOP_PARAMS, unsigned flags)
{
    GDI_TAKE_COEFFICIENTS(struct radam_coefficients, c, cp);
    for (size_t i = 0; i < n; i++) {
        gdi_real xi = HAS(DECOUPLED) ? x[i] * c.shrink : x[i];
        gdi_real gi = gdi_direction(g[i], xi, c.weight_decay, flags);
        gdi_real mi = c.beta1 * m[i] + c.one_minus_beta1 * gi;
        gdi_real vi = c.beta2 * v[i] + (c.one_minus_beta2 * gi) * gi;
        m[i] = mi;
        v[i] = vi;
        gdi_real step = (mi / c.bias_correction1) * c.lr;
        if (HAS(RECTIFIED)) {
            gdi_real adaptive_lr = (1 / (gdi_sqrt(vi) + c.eps)) * c.bias_correction2_sqrt;
            step = (step * adaptive_lr) * c.rect;
        }
        x[i] = xi - step;
    }
}

INSTANCES16(radam)

const struct radam_loops GDI_LOOP_TABLE(radam_loops) = {.loop = TABLE16(radam)};

#else /* the rule */

GDI_LOOPS_DECLARE(struct radam_loops, radam_loops);

struct radam_rule {
    struct radam_coefficients coef;
    gdi_loop momentum_loop;  /* rho_t <= 5: the bias-corrected momentum alone */
    gdi_loop rectified_loop; /* rho_t > 5 */
    gdi_loop current;        /* the one of this update (prepare) */
};

static const struct gdi_param_default radam_params[] = {
    {GD_PARAM_LR, 1e-3},      {GD_PARAM_BETA1, 0.9},        {GD_PARAM_BETA2, 0.999},
    {GD_PARAM_EPS, 1e-8},     {GD_PARAM_WEIGHT_DECAY, 0.0}, {GD_PARAM_DECOUPLED_WEIGHT_DECAY, 0.0},
    {GD_PARAM_MAXIMIZE, 0.0},
};

static void radam_select(struct gdi_group *group)
{
    struct radam_rule *rule = group->rule;
    double lr = gdi_group_param(group, GD_PARAM_LR);
    double beta1 = gdi_group_param(group, GD_PARAM_BETA1);
    double beta2 = gdi_group_param(group, GD_PARAM_BETA2);
    double weight_decay = gdi_group_param(group, GD_PARAM_WEIGHT_DECAY);
    rule->coef = (struct radam_coefficients){
        .weight_decay = weight_decay,
        .shrink = 1.0 - lr * weight_decay,
        .beta1 = beta1,
        .one_minus_beta1 = 1.0 - beta1,
        .beta2 = beta2,
        .one_minus_beta2 = 1.0 - beta2,
        .eps = gdi_group_param(group, GD_PARAM_EPS),
        .lr = lr,
    };
    unsigned flags = gdi_direction_flags(group);
    if ((flags & GDI_DECAY) && gdi_group_param(group, GD_PARAM_DECOUPLED_WEIGHT_DECAY) != 0.0)
        flags = (flags & ~(unsigned)GDI_DECAY) | DECOUPLED;
    const struct radam_loops *loops = GDI_GROUP_LOOPS(group, radam_loops);
    rule->momentum_loop = loops->loop[flags];
    rule->rectified_loop = loops->loop[flags | RECTIFIED];
}

/* The bias corrections and rho_t as torch computes them in Python floats (its ** is
 * pow()); chooses the rectified step when rho_t > 5. */
static void radam_prepare(struct gdi_group *group, size_t step)
{
    struct radam_rule *rule = group->rule;
    struct radam_coefficients *c = &rule->coef;
    group->state_ready = true;
    double t = (double)step;
    double beta2_power = pow(c->beta2, t);
    double bias_correction2 = 1.0 - beta2_power;
    c->bias_correction1 = 1.0 - pow(c->beta1, t);
    double rho_inf = 2.0 / (1.0 - c->beta2) - 1.0;
    double rho_t = rho_inf - 2.0 * t * beta2_power / bias_correction2;
    rule->current = rule->momentum_loop;
    if (rho_t > 5.0) {
        c->rect = sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf /
                       ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t));
        c->bias_correction2_sqrt = sqrt(bias_correction2);
        rule->current = rule->rectified_loop;
    }
}

static void radam_apply(const struct gdi_group *group, size_t offset, size_t count, void *x,
                        const void *g)
{
    const struct radam_rule *rule = group->rule;
    GDI_CALL_LOOP(
        group, radam_loop, rule->current,
        (count, x, g, gdi_state_at(group, 0, offset), gdi_state_at(group, 1, offset), &rule->coef));
}

static const char *const radam_state_names[] = {"exp_avg", "exp_avg_sq"};

const struct gdi_method gdi_radam_method = {
    .name = "radam",
    .params = radam_params,
    .param_count = GDI_COUNT(radam_params),
    .state_names = radam_state_names,
    .state_vectors = GDI_COUNT(radam_state_names),
    .keeps_step = true,
    .rule_size = sizeof(struct radam_rule),
    .select = radam_select,
    .prepare = radam_prepare,
    .apply = radam_apply,
};
#endif
