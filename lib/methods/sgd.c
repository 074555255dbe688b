/*
 * sgd.c - stochastic gradient descent exactly as torch.optim.SGD (PyTorch 1.13,
 * _single_tensor_sgd) computes it:
 *
 *   d = maximize ? -g : g
 *   d = d + weight_decay * x                       (when weight_decay != 0)
 *   b = d on the first momentum step, else b = momentum * b + (1 - dampening) * d
 *   d = nesterov ? d + momentum * b : b            (when momentum != 0)
 *   x = x - lr * d
 *
 * The rule (parameters, coefficients, choice of loop) is compiled once; the loops,
 * under GDI_LEVEL, once per instruction-set level and precision (lib/kernels/levels.h).
 * SPDX-License-Identifier: MIT
 */
#include "../internal.h"

enum { NESTEROV = GDI_OWN_FLAG, DAMPENING = GDI_OWN_FLAG << 1 };

struct sgd_coefficients {
    gdi_real lr;
    gdi_real weight_decay;
    gdi_real momentum;
    gdi_real undampened; /* 1 - dampening: the new direction's share of the buffer */
};

#define LOOP_PARAMS_OF(real)                                                                       \
    size_t n, real *restrict x, const real *restrict g, real *restrict buf, const void *cp
#define LOOP_ARGS n, x, g, buf, cp
GDI_LOOP_TYPES(sgd_loop);

struct sgd_loops {
    gdi_loop plain[4];     /* MAXIMIZE | DECAY */
    gdi_loop first[8];     /* the first momentum step: MAXIMIZE | DECAY | NESTEROV */
    gdi_loop momentum[16]; /* MAXIMIZE | DECAY | NESTEROV | DAMPENING */
};

#ifdef GDI_LEVEL
/* These loops stream memory with little arithmetic per element.  At the AVX-512 level
 * they are built twice (list.h): with 512-bit vectors for vectors that fit in a core's
 * L2 cache, where the wider vectors were about 1.2x faster at n = 1000, and with
 * 256-bit ones beyond, where 512-bit vectors made them 1.2-1.5x slower on the AMD EPYC
 * measured (bench/README.md). */

static ALWAYS_INLINE void sgd_plain(LOOP_PARAMS, unsigned flags)
{
    GDI_TAKE_COEFFICIENTS(struct sgd_coefficients, c, cp);
    (void)buf;
    for (size_t i = 0; i < n; i++)
        x[i] -= c.lr * gdi_direction(g[i], x[i], c.weight_decay, flags);
}

/* Torch's momentum buffer starts as a copy of the first direction. */
static ALWAYS_INLINE void sgd_first(LOOP_PARAMS, unsigned flags)
{
    GDI_TAKE_COEFFICIENTS(struct sgd_coefficients, c, cp);
    for (size_t i = 0; i < n; i++) {
        gdi_real d = gdi_direction(g[i], x[i], c.weight_decay, flags);
        buf[i] = d;
        x[i] -= c.lr * (HAS(NESTEROV) ? d + c.momentum * d : d);
    }
}

static ALWAYS_INLINE void sgd_momentum(LOOP_PARAMS, unsigned flags)
{
    GDI_TAKE_COEFFICIENTS(struct sgd_coefficients, c, cp);
    for (size_t i = 0; i < n; i++) {
        gdi_real d = gdi_direction(g[i], x[i], c.weight_decay, flags);
        gdi_real b = c.momentum * buf[i] + (HAS(DAMPENING) ? c.undampened * d : d);
        buf[i] = b;
        x[i] -= c.lr * (HAS(NESTEROV) ? d + c.momentum * b : b);
    }
}

INSTANCES4(sgd_plain)
INSTANCES8(sgd_first)
INSTANCES16(sgd_momentum)

const struct sgd_loops GDI_LOOP_TABLE(sgd_loops) = {
    .plain = TABLE4(sgd_plain),
    .first = TABLE8(sgd_first),
    .momentum = TABLE16(sgd_momentum),
};

#else /* the rule */

GDI_LOOPS_DECLARE(struct sgd_loops, sgd_loops);
#ifdef GDI_X86_KERNELS
extern const struct sgd_loops gdi_sgd_loops_avx512_ymm, gdi_sgd_loops_f32_avx512_ymm;
#endif

/* Above this length in bytes the AVX-512 level takes the 256-bit loops. */
enum { SHORT_VECTOR_BYTES = 262144 };

struct sgd_rule {
    struct sgd_coefficients coef;
    gdi_loop loop;       /* for the current parameters ... */
    gdi_loop first_loop; /* ... and for the first update after creation or reset */
    gdi_loop current;    /* the one of this update (prepare) */
};

static const struct gdi_param_default sgd_params[] = {
    {GD_PARAM_LR, 0.01}, /* torch has no default for SGD's lr; the contract picks 0.01 */
    {GD_PARAM_MOMENTUM, 0.0},
    {GD_PARAM_DAMPENING, 0.0},
    {GD_PARAM_NESTEROV, 0.0},
    {GD_PARAM_WEIGHT_DECAY, 0.0},
    {GD_PARAM_MAXIMIZE, 0.0},
    /* libgd's own (torch's SGD has none): Armijo backtracking on full batches, whose
     * move is lib/minimize.c's (backtrack) */
    {GD_PARAM_LINE_SEARCH, GD_LINE_SEARCH_NONE},
};

static const struct sgd_loops *loops_for(const struct gdi_group *group)
{
#ifdef GDI_X86_KERNELS
    if (group->level == GDI_LEVEL_AVX512 &&
        group->n * gdi_element_size(group->single) > SHORT_VECTOR_BYTES)
        return group->single ? &gdi_sgd_loops_f32_avx512_ymm : &gdi_sgd_loops_avx512_ymm;
#endif
    return GDI_GROUP_LOOPS(group, sgd_loops);
}

static void sgd_select(struct gdi_group *group)
{
    struct sgd_rule *rule = group->rule;
    double momentum = gdi_group_param(group, GD_PARAM_MOMENTUM);
    rule->coef = (struct sgd_coefficients){
        .lr = gdi_group_param(group, GD_PARAM_LR),
        .weight_decay = gdi_group_param(group, GD_PARAM_WEIGHT_DECAY),
        .momentum = momentum,
        .undampened = 1.0 - gdi_group_param(group, GD_PARAM_DAMPENING),
    };
    unsigned flags = gdi_direction_flags(group);
    if (gdi_group_param(group, GD_PARAM_NESTEROV) != 0.0)
        flags |= NESTEROV;
    if (gdi_group_param(group, GD_PARAM_DAMPENING) != 0.0)
        flags |= DAMPENING;
    const struct sgd_loops *loops = loops_for(group);
    if (momentum == 0.0) {
        rule->loop = rule->first_loop = loops->plain[flags & 3u];
    } else {
        /* Torch creates the momentum buffer at the first step that uses momentum. */
        rule->first_loop = loops->first[flags & 7u];
        rule->loop = loops->momentum[flags];
    }
}

static void sgd_prepare(struct gdi_group *group, size_t step)
{
    (void)step; /* the rule needs no step count */
    struct sgd_rule *rule = group->rule;
    rule->current = group->state_ready ? rule->loop : rule->first_loop;
    if (rule->coef.momentum != 0.0)
        group->state_ready = true;
}

static void sgd_apply(const struct gdi_group *group, size_t offset, size_t count, void *x,
                      const void *g)
{
    const struct sgd_rule *rule = group->rule;
    GDI_CALL_LOOP(group, sgd_loop, rule->current,
                  (count, x, g, gdi_state_at(group, 0, offset), &rule->coef));
}

/* torch.optim.SGD refuses Nesterov without momentum or with dampening.  The line
 * search is backtracking along -g only: the step x - t g of the plain rule, without
 * momentum, weight decay (which would change the objective the Armijo test judges),
 * maximize or clipping (gdi_update's, which its move does not take). */
static bool sgd_params_ok(const double *param)
{
    bool nesterov = param[GDI_SLOT_nesterov] != 0.0;
    if (nesterov && !(param[GDI_SLOT_momentum] > 0.0 && param[GDI_SLOT_dampening] == 0.0))
        return false;
    double line_search = param[GDI_SLOT_line_search];
    if (line_search == GD_LINE_SEARCH_NONE)
        return true;
    return line_search == GD_LINE_SEARCH_BACKTRACKING && param[GDI_SLOT_momentum] == 0.0 &&
           param[GDI_SLOT_weight_decay] == 0.0 && param[GDI_SLOT_maximize] == 0.0 &&
           param[gdi_param_slot(GD_PARAM_CLIP_NORM)] == 0.0 &&
           param[gdi_param_slot(GD_PARAM_CLIP_VALUE)] == 0.0;
}

/* Torch keeps a momentum buffer once a step has used momentum. */
static bool sgd_state_kept(const struct gdi_group *group, size_t v)
{
    (void)v;
    return group->state_ready;
}

static const char *const sgd_state_names[] = {"momentum_buffer"};

const struct gdi_method gdi_sgd_method = {
    .name = "sgd",
    .params = sgd_params,
    .param_count = GDI_COUNT(sgd_params),
    .state_names = sgd_state_names,
    .state_vectors = GDI_COUNT(sgd_state_names),
    .state_kept = sgd_state_kept,
    .rule_size = sizeof(struct sgd_rule),
    .params_ok = sgd_params_ok,
    .select = sgd_select,
    .prepare = sgd_prepare,
    .apply = sgd_apply,
};
#endif
