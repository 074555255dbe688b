/*
 * groups.c - the optimizer's groups: contiguous ranges of x with their own parameter
 * values (torch's parameter groups), each with its own rule, and the update path that
 * visits them in order.
 *
 * The groups always cover 0..n-1 in order.  Setting a key on a range splits the groups
 * at its ends (the pieces keep their rule, moments and base rate, as torch keeps a
 * tensor's state when it moves between groups); neighbours left equal in everything
 * merge again, so that setting a key everywhere restores one group.  Rules sit in one
 * block, one every rule_stride bytes; groups and rules are rebuilt in new arrays, so
 * that a failure leaves the old ones in place.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdalign.h>
#include <string.h>

#include "internal.h"

/* Points every group at its rule and at its part of the state vectors. */
static void link_groups(gd_optimizer *opt)
{
    for (size_t k = 0; k < opt->group_count; k++) {
        struct gdi_group *group = &opt->groups[k];
        group->rule = opt->rules + k * opt->rule_stride;
        for (size_t v = 0; v < GDI_MAX_STATE; v++) {
            char *vector = opt->state[v];
            size_t at = group->first * gdi_element_size(opt->single);
            group->state[v] = vector ? vector + at : NULL;
        }
    }
}

int gdi_groups_init(gd_optimizer *opt)
{
    size_t align = alignof(max_align_t);
    opt->rule_stride = (opt->method->rule_size + align - 1) / align * align;
    opt->groups = gdi_calloc_array(1, sizeof *opt->groups);
    opt->rules = gdi_calloc_array(1, opt->rule_stride);
    if (!opt->groups || !opt->rules)
        return GD_ENOMEM;
    opt->group_count = 1;
    struct gdi_group *group = &opt->groups[0];
    group->first = 0;
    group->n = opt->n;
    memcpy(group->param, opt->param, sizeof group->param);
    group->initial_lr = NAN;
    group->state_ready = false;
    group->level = opt->level;
    group->single = opt->single;
    link_groups(opt);
    return GD_OK;
}

void gdi_groups_free(gd_optimizer *opt)
{
    gdi_free(opt->groups);
    gdi_free(opt->rules);
    opt->groups = NULL;
    opt->rules = NULL;
    opt->group_count = 0;
}

void gdi_groups_replace(gd_optimizer *opt, struct gdi_group *groups, unsigned char *rules,
                        size_t count)
{
    if (opt->method->allocate) /* its rule holds what it allocated */
        memcpy(rules, opt->rules, opt->rule_stride);
    gdi_groups_free(opt);
    opt->groups = groups;
    opt->rules = rules;
    opt->group_count = count;
    link_groups(opt);
    for (size_t k = 0; k < count; k++)
        opt->method->select(&opt->groups[k]);
}

void gdi_groups_restart(gd_optimizer *opt)
{
    for (size_t k = 0; k < opt->group_count; k++) {
        opt->groups[k].state_ready = false;
        opt->method->select(&opt->groups[k]);
    }
}

static bool same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Whether group b would update its elements as a continuation of group a. */
static bool mergeable(const gd_optimizer *opt, const struct gdi_group *a, const struct gdi_group *b)
{
    return memcmp(a->param, b->param, sizeof a->param) == 0 &&
           same_bits(a->initial_lr, b->initial_lr) &&
           memcmp(a->schedule_base, b->schedule_base, sizeof a->schedule_base) == 0 &&
           a->state_ready == b->state_ready &&
           memcmp(a->rule, b->rule, opt->method->rule_size) == 0;
}

/* Merges neighbours equal in everything, in place. */
static void merge_equal_groups(gd_optimizer *opt)
{
    size_t count = 1;
    for (size_t k = 1; k < opt->group_count; k++) {
        struct gdi_group *last = &opt->groups[count - 1], *next = &opt->groups[k];
        if (mergeable(opt, last, next)) {
            last->n += next->n;
            continue;
        }
        if (count != k) {
            unsigned char *slot = opt->rules + count * opt->rule_stride;
            memmove(slot, next->rule, opt->rule_stride);
            opt->groups[count] = *next;
            opt->groups[count].rule = slot;
        }
        count++;
    }
    bool merged = count < opt->group_count;
    opt->group_count = count;
    link_groups(opt);
    if (merged) /* a rule may depend on the group's length (SGD's choice of loops) */
        for (size_t k = 0; k < count; k++)
            opt->method->select(&opt->groups[k]);
}

/* Whether the method's rules allow param with slot set to value. */
static bool allowed(const gd_optimizer *opt, const double *param, int slot, double value)
{
    if (!opt->method->params_ok)
        return true;
    double trial[GDI_SLOT_COUNT];
    memcpy(trial, param, sizeof trial);
    trial[slot] = value;
    return opt->method->params_ok(trial);
}

bool gdi_groups_allow(const gd_optimizer *opt, int slot, double value)
{
    for (size_t k = 0; k < opt->group_count; k++)
        if (!allowed(opt, opt->groups[k].param, slot, value))
            return false;
    return true;
}

void gdi_groups_set(gd_optimizer *opt, int slot, double value)
{
    for (size_t k = 0; k < opt->group_count; k++) {
        opt->groups[k].param[slot] = value;
        opt->method->select(&opt->groups[k]);
    }
    merge_equal_groups(opt);
}

/* New groups and rules, built beside the old ones. */
struct rebuild {
    struct gdi_group *groups;
    unsigned char *rules;
    size_t count;
};

/* Appends the part lo .. hi-1 of group from (nothing when empty), with slot set to
 * value when inside; false when the method's rules refuse that. */
static bool add_piece(const gd_optimizer *opt, struct rebuild *to, const struct gdi_group *from,
                      size_t lo, size_t hi, bool inside, int slot, double value)
{
    if (lo >= hi)
        return true;
    if (inside && !allowed(opt, from->param, slot, value))
        return false;
    struct gdi_group *piece = &to->groups[to->count];
    *piece = *from;
    piece->first = lo;
    piece->n = hi - lo;
    if (inside)
        piece->param[slot] = value;
    memcpy(to->rules + to->count * opt->rule_stride, from->rule, opt->rule_stride);
    to->count++;
    return true;
}

static size_t clamp_index(size_t i, size_t lo, size_t hi)
{
    return i < lo ? lo : i > hi ? hi : i;
}

int gdi_groups_set_range(gd_optimizer *opt, size_t first, size_t count, int slot, double value)
{
    size_t end = first + count, capacity = opt->group_count + 2; /* two groups split */
    struct rebuild to = {gdi_alloc_array(capacity, sizeof *to.groups),
                         gdi_alloc_array(capacity, opt->rule_stride), 0};
    bool ok = to.groups && to.rules;
    for (size_t k = 0; ok && k < opt->group_count; k++) {
        const struct gdi_group *group = &opt->groups[k];
        size_t lo = group->first, hi = lo + group->n;
        size_t from = clamp_index(first, lo, hi), to_end = clamp_index(end, lo, hi);
        ok = add_piece(opt, &to, group, lo, from, false, slot, value) &&
             add_piece(opt, &to, group, from, to_end, true, slot, value) &&
             add_piece(opt, &to, group, to_end, hi, false, slot, value);
    }
    if (!ok) {
        int rc = to.groups && to.rules ? GD_EINVAL : GD_ENOMEM;
        gdi_free(to.groups);
        gdi_free(to.rules);
        return rc;
    }
    gdi_groups_free(opt);
    opt->groups = to.groups;
    opt->rules = to.rules;
    opt->group_count = to.count;
    link_groups(opt);
    for (size_t k = 0; k < opt->group_count; k++)
        opt->method->select(&opt->groups[k]);
    merge_equal_groups(opt);
    return GD_OK;
}

const struct gdi_group *gdi_group_holding(const gd_optimizer *opt, size_t index)
{
    size_t lo = 0, hi = opt->group_count; /* the group is in lo .. hi-1 */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (opt->groups[mid].first <= index)
            lo = mid;
        else
            hi = mid;
    }
    return &opt->groups[lo];
}

size_t gdi_group_count(const gd_optimizer *opt)
{
    return opt->group_count;
}

struct gdi_group *gdi_group_at(gd_optimizer *opt, size_t i)
{
    return i < opt->group_count ? &opt->groups[i] : NULL;
}

void gdi_group_changed(gd_optimizer *opt, struct gdi_group *group)
{
    opt->method->select(group);
}

void gdi_state_fill(const struct gdi_group *group, size_t v, double value)
{
    if (group->single) {
        float *vector = group->state[v];
        for (size_t i = 0; i < group->n; i++)
            vector[i] = (float)value;
        return;
    }
    double *vector = group->state[v];
    for (size_t i = 0; i < group->n; i++)
        vector[i] = value;
}

/* torch's OneCycleLR and CyclicLR prefer "betas" when an optimizer has both */
int gdi_momentum_key(const gd_optimizer *opt)
{
    if (opt->applies[gdi_param_slot(GD_PARAM_BETA1)])
        return GD_PARAM_BETA1;
    if (opt->applies[gdi_param_slot(GD_PARAM_MOMENTUM)])
        return GD_PARAM_MOMENTUM;
    return -1;
}

/* ---- the update path ---- */

/* The elements of x and grad from `first` (floats or doubles as opt->single says). */
static void *elements_at(const gd_optimizer *opt, const void *v, size_t first)
{
    return (char *)v + first * gdi_element_size(opt->single);
}

/* The clipped and scaled elements first .. first+count-1 of g into opt->clip_block;
 * its start in the precision of g. */
static void *clip_block_of(gd_optimizer *opt, const void *g, size_t first, size_t count,
                           double clip_value, double scale)
{
    if (opt->single) {
        const float *from = g;
        gdi_clip_into_f32(opt->clip_block.f32, from + first, count, clip_value, scale);
        return opt->clip_block.f32;
    }
    const double *from = g;
    gdi_clip_into(opt->clip_block.f64, from + first, count, clip_value, scale);
    return opt->clip_block.f64;
}

static size_t block_length(size_t n, size_t first)
{
    return n - first < GDI_CLIP_BLOCK ? n - first : GDI_CLIP_BLOCK;
}

/* The norm of the gradient clipped by value (when clip_value is not 0), block by block:
 * the blocks' norms combine through hypot, accurate at any magnitude. */
static double accurate_norm(gd_optimizer *opt, const void *g, double clip_value)
{
    if (clip_value == 0.0 && !opt->single)
        return gdi_norm2(g, opt->n);
    double norm = 0.0;
    for (size_t first = 0; first < opt->n; first += GDI_CLIP_BLOCK) {
        size_t count = block_length(opt->n, first);
        const void *block = clip_block_of(opt, g, first, count, clip_value, 1.0);
        double part = 0.0; /* a float's square neither overflows nor underflows a double */
        if (opt->single)
            for (size_t i = 0; i < count; i++)
                part += (double)opt->clip_block.f32[i] * opt->clip_block.f32[i];
        norm = hypot(norm, opt->single ? sqrt(part) : gdi_norm2(block, count));
    }
    return opt->single ? (double)(float)norm : norm;
}

/* Adds the squares of block's count elements (floats or doubles) to the lanes. */
static void add_squares(const gd_optimizer *opt, struct gdi_norm_lanes *lanes, const void *block,
                        size_t count)
{
    if (opt->single)
        gdi_lanes_add_squares_f32(lanes, block, count);
    else
        gdi_lanes_add_squares(lanes, block, count);
}

/* The norm of the gradient clipped by value as torch computes it, in the gradient's
 * type (a float's value for a float optimizer).  The blocks hold whole multiples of
 * the lanes, so that the lanes run on across them; the tail is the last block's end.
 * Where the squares' sum overflows and no element is infinite (|g| > 1e154 for
 * doubles, 1e19 for floats), where torch's norm is infinite and its factor 0, this is
 * the accurate norm instead. */
static double torch_norm(gd_optimizer *opt, const void *g, double clip_value)
{
    struct gdi_norm_lanes lanes = {{0}, {0}};
    size_t tail = opt->n % (opt->single ? GDI_LANES_F32 : GDI_LANES_F64);
    const void *block = g;
    size_t count = opt->n;
    if (clip_value == 0.0)
        add_squares(opt, &lanes, g, opt->n);
    for (size_t first = 0; clip_value != 0.0 && first < opt->n; first += GDI_CLIP_BLOCK) {
        count = block_length(opt->n, first);
        block = clip_block_of(opt, g, first, count, clip_value, 1.0);
        add_squares(opt, &lanes, block, count);
    }
    const char *end = elements_at(opt, block, count - tail);
    double norm = opt->single ? gdi_lanes_norm_f32(&lanes, (const float *)end, tail)
                              : gdi_lanes_norm(&lanes, (const double *)end, tail);
    return isinf(norm) ? accurate_norm(opt, g, clip_value) : norm;
}

/* torch.nn.utils.clip_grad_norm_'s factor (1.13): max_norm / (norm + 1e-6) clamped
 * to at most 1 (a NaN norm gives NaN, as torch's); 1 when clipping by norm is off.
 * torch's norm is a tensor of the gradient's dtype, the norm of the one tensor's norm
 * (which is that norm), and max_norm / t is its __rtruediv__: reciprocal(t) *
 * max_norm, in the tensor's dtype. */
static double norm_clip_scale(gd_optimizer *opt, const void *g, double clip_value)
{
    double max_norm = gdi_opt_param(opt, GD_PARAM_CLIP_NORM);
    if (max_norm == 0.0)
        return 1.0;
    double norm = torch_norm(opt, g, clip_value), scale;
    if (opt->single)
        scale = (1.0f / ((float)norm + 1e-6f)) * (float)max_norm;
    else
        scale = (1.0 / (norm + 1e-6)) * max_norm;
    return scale >= 1.0 ? 1.0 : scale;
}

/* One group's update from the clipped gradient, scaled into opt->clip_block a block
 * at a time: the loops read the block from the first-level cache, so that clipping
 * costs the norm's pass over g and no more traffic to memory. */
static void apply_clipped(gd_optimizer *opt, const struct gdi_group *group, void *x, const void *g,
                          double clip_value, double scale)
{
    for (size_t first = 0; first < group->n; first += GDI_CLIP_BLOCK) {
        size_t count = block_length(group->n, first);
        const void *block = clip_block_of(opt, g, first, count, clip_value, scale);
        opt->method->apply(group, first, count, elements_at(opt, x, first), block);
    }
}

/* clip_grad_value_ then clip_grad_norm_, as a training loop calls them before
 * optimizer.step(); the caller's gradient is never written. */
void gdi_update(gd_optimizer *opt, void *x, const void *grad)
{
    opt->step++;
    double clip_value = gdi_opt_param(opt, GD_PARAM_CLIP_VALUE);
    double scale = norm_clip_scale(opt, grad, clip_value);
    bool clipped = clip_value != 0.0 || scale != 1.0;
    for (size_t k = 0; k < opt->group_count; k++) {
        struct gdi_group *group = &opt->groups[k];
        if (opt->method->prepare)
            opt->method->prepare(group, gdi_torch_step(opt));
        void *xg = elements_at(opt, x, group->first);
        const void *gg = elements_at(opt, grad, group->first);
        if (clipped)
            apply_clipped(opt, group, xg, gg, clip_value, scale);
        else
            opt->method->apply(group, 0, group->n, xg, gg);
    }
}
