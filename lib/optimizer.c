/*
 * optimizer.c - the optimizer handle: parameters, state, the run summary and dispatch
 * to the method's rule.  Knows no method by name: the table comes from methods/list.h.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "internal.h"

static const struct gdi_method *const method_table[] = {
#define GDI_METHOD(value, name, file, avx512) [value] = &gdi_##name##_method,
#include "methods/list.h"
#undef GDI_METHOD
};

/* One line per value from 0 without gaps: a gap would leave a NULL entry. */
enum {
    METHOD_LINES = 0
#define GDI_METHOD(value, name, file, avx512) +1
#include "methods/list.h"
#undef GDI_METHOD
};
_Static_assert(METHOD_LINES == GDI_COUNT(method_table), "methods/list.h has gaps in its values");

static const struct gdi_method *method_of(gd_method method)
{
    size_t i = (size_t)method;
    return i < GDI_COUNT(method_table) ? method_table[i] : NULL;
}

unsigned gdi_method_index(const struct gdi_method *m)
{
    unsigned i = 0;
    while (method_table[i] != m)
        i++;
    return i;
}

int gd_method_by_name(const char *name, gd_method *method)
{
    if (!name || !method)
        return GD_EINVAL;
    for (size_t i = 0; i < GDI_COUNT(method_table); i++)
        if (strcmp(method_table[i]->name, name) == 0) {
            *method = (gd_method)i;
            return GD_OK;
        }
    return GD_EINVAL;
}

const char *gd_method_name(gd_method method)
{
    const struct gdi_method *m = method_of(method);
    return m ? m->name : NULL;
}

static void set_defaults(gd_optimizer *opt)
{
    for (int slot = 0; slot < GDI_SLOT_COUNT; slot++) {
        opt->applies[slot] = gdi_param_group(slot) != GDI_GROUP_METHOD;
        opt->param[slot] = gdi_param_common_default(slot);
    }
    for (size_t i = 0; i < opt->method->param_count; i++) {
        int slot = gdi_param_slot(opt->method->params[i].key);
        opt->applies[slot] = true;
        opt->param[slot] = opt->method->params[i].value;
    }
}

static uint64_t seed_of(const gd_optimizer *opt)
{
    return (uint64_t)gdi_opt_param(opt, GD_PARAM_SEED);
}

static void forget_run(gd_optimizer *opt)
{
    opt->step = 0;
    opt->evaluations = 0;
    opt->last_f = opt->last_grad_norm = NAN;
}

/* The state vectors, the groups and, for a double optimizer, the buffers of gd_step
 * and gd_minimize (which refuse a float one). */
static bool allocate_vectors(gd_optimizer *opt)
{
    size_t n = opt->n;
    bool ok = true;
    if (!opt->single) {
        opt->grad = gdi_alloc_array(n, sizeof(double));
        opt->spare_grad = gdi_alloc_array(n, sizeof(double));
        opt->x_prev = gdi_alloc_array(n, sizeof(double));
        ok = opt->grad && opt->spare_grad && opt->x_prev;
    }
    for (size_t v = 0; ok && v < opt->method->state_vectors; v++)
        ok = (opt->state[v] = gdi_calloc_array(n, gdi_element_size(opt->single))) != NULL;
    return ok && gdi_groups_init(opt) == GD_OK;
}

static gd_optimizer *new_optimizer(gd_method method, size_t n, bool single)
{
    const struct gdi_method *m = method_of(method);
    if (!m || n == 0 || n > SIZE_MAX / sizeof(double))
        return NULL;
    if (single && !m->apply)
        return NULL; /* L-BFGS: its steps evaluate the objective, whose x is double */
    gd_optimizer *opt = gdi_calloc_array(1, sizeof *opt);
    if (!opt)
        return NULL;
    opt->method = m;
    opt->n = n;
    opt->single = single;
    opt->level = gdi_level_select();
    set_defaults(opt);
    forget_run(opt);
    gdi_sampler_init(&opt->sampler, seed_of(opt));
    if (!allocate_vectors(opt)) {
        gd_optimizer_free(opt);
        return NULL;
    }
    if (m->allocate && m->allocate(opt) != GD_OK) {
        gd_optimizer_free(opt);
        return NULL;
    }
    m->select(&opt->groups[0]);
    return opt;
}

gd_optimizer *gd_optimizer_new(gd_method method, size_t n)
{
    return new_optimizer(method, n, false);
}

gd_optimizer *gd_optimizer_new_f32(gd_method method, size_t n)
{
    return new_optimizer(method, n, true);
}

void gd_optimizer_free(gd_optimizer *opt)
{
    if (!opt)
        return;
    if (opt->method->release)
        opt->method->release(opt);
    gdi_sampler_free(&opt->sampler);
    gdi_schedules_free(opt);
    for (size_t v = 0; v < GDI_MAX_STATE; v++)
        gdi_free(opt->state[v]);
    gdi_groups_free(opt);
    gdi_free(opt->grad);
    gdi_free(opt->spare_grad);
    gdi_free(opt->x_prev);
    gdi_free(opt);
}

static int usable_slot(const gd_optimizer *opt, gd_param key)
{
    int slot = gdi_param_slot(key);
    return slot >= 0 && opt->applies[slot] ? slot : -1;
}

static bool is_method_key(int slot)
{
    return gdi_param_group(slot) == GDI_GROUP_METHOD;
}

int gd_optimizer_set(gd_optimizer *opt, gd_param key, double value)
{
    int slot = opt ? usable_slot(opt, key) : -1;
    if (slot < 0 || !gdi_param_value_ok(key, value))
        return GD_EINVAL;
    if (key == GD_PARAM_LINE_SEARCH && value != GD_LINE_SEARCH_NONE && opt->group_count > 1)
        return GD_EINVAL; /* a line search takes one step for all of x: one group */
    double old = opt->param[slot];
    opt->param[slot] = value;
    bool ok = !opt->method->params_ok || opt->method->params_ok(opt->param);
    if (!ok || (is_method_key(slot) && !gdi_groups_allow(opt, slot, value))) {
        opt->param[slot] = old;
        return GD_EINVAL;
    }
    int rc = opt->method->allocate ? opt->method->allocate(opt) : GD_OK;
    if (rc != GD_OK) {
        opt->param[slot] = old;
        return rc;
    }
    if (key == GD_PARAM_SEED)
        gdi_sampler_restart(&opt->sampler, seed_of(opt));
    if (is_method_key(slot))
        gdi_groups_set(opt, slot, value);
    return GD_OK;
}

/* A method key's value is the group's of element 0 (schedules change it there). */
int gd_optimizer_get(const gd_optimizer *opt, gd_param key, double *value)
{
    int slot = opt ? usable_slot(opt, key) : -1;
    if (slot < 0 || !value)
        return GD_EINVAL;
    *value = is_method_key(slot) ? opt->groups[0].param[slot] : opt->param[slot];
    return GD_OK;
}

/* The slot of a method key of opt's method that a range may take, or -1. */
static int range_slot(const gd_optimizer *opt, gd_param key)
{
    int slot = usable_slot(opt, key);
    return slot >= 0 && is_method_key(slot) ? slot : -1;
}

int gd_optimizer_set_range(gd_optimizer *opt, size_t first, size_t count, gd_param key,
                           double value)
{
    int slot = opt ? range_slot(opt, key) : -1;
    if (slot < 0 || !opt->method->apply || count == 0 || first >= opt->n ||
        count > opt->n - first || !gdi_param_value_ok(key, value))
        return GD_EINVAL; /* L-BFGS, without update, has one group, as torch's */
    if (key == GD_PARAM_LINE_SEARCH || gdi_line_search_on(opt))
        return GD_EINVAL; /* so has SGD with its line search (gd_optimizer_set) */
    return gdi_groups_set_range(opt, first, count, slot, value);
}

int gd_optimizer_get_range(const gd_optimizer *opt, size_t index, gd_param key, double *value)
{
    int slot = opt ? range_slot(opt, key) : -1;
    if (slot < 0 || index >= opt->n || !value)
        return GD_EINVAL;
    *value = gdi_group_holding(opt, index)->param[slot];
    return GD_OK;
}

int gd_optimizer_set_by_name(gd_optimizer *opt, const char *name, double value)
{
    int key = name ? gdi_param_by_name(name) : -1;
    return key < 0 ? GD_EINVAL : gd_optimizer_set(opt, (gd_param)key, value);
}

int gd_optimizer_reset(gd_optimizer *opt)
{
    if (!opt)
        return GD_EINVAL;
    if (opt->running)
        return GD_EBUSY;
    forget_run(opt);
    for (size_t v = 0; v < opt->method->state_vectors; v++)
        memset(opt->state[v], 0, opt->n * gdi_element_size(opt->single));
    gdi_sampler_restart(&opt->sampler, seed_of(opt));
    gdi_groups_restart(opt);
    return GD_OK;
}

size_t gd_optimizer_iterations(const gd_optimizer *opt)
{
    return opt ? opt->step : 0;
}

size_t gd_optimizer_evaluations(const gd_optimizer *opt)
{
    return opt ? opt->evaluations : 0;
}

double gd_optimizer_last_f(const gd_optimizer *opt)
{
    return opt ? opt->last_f : NAN;
}

double gd_optimizer_last_grad_norm(const gd_optimizer *opt)
{
    if (!opt || isnan(opt->last_f))
        return NAN; /* no successful evaluation: its f would be finite */
    return isnan(opt->last_grad_norm) ? gdi_norm2(opt->grad, opt->n) : opt->last_grad_norm;
}

/* Whether some group keeps state vector v (the others' parts hold zeros). */
static bool state_kept(const gd_optimizer *opt, size_t v)
{
    if (!opt->method->state_kept)
        return true;
    for (size_t k = 0; k < opt->group_count; k++)
        if (opt->method->state_kept(&opt->groups[k], v))
            return true;
    return false;
}

/* The index of torch's state vector `name` in opt->state, or -1. */
static int state_vector(const gd_optimizer *opt, const char *name)
{
    const struct gdi_method *m = opt->method;
    for (size_t v = 0; v < m->state_vectors; v++)
        if (strcmp(m->state_names[v], name) == 0)
            return state_kept(opt, v) ? (int)v : -1;
    return -1;
}

int gd_optimizer_get_state(const gd_optimizer *opt, const char *name, double *out, size_t count)
{
    if (!opt || !name || !out)
        return GD_EINVAL;
    const struct gdi_method *m = opt->method;
    if (strcmp(name, "step") == 0 && m->keeps_step && count == 1) {
        *out = (double)gdi_torch_step(opt);
        return GD_OK;
    }
    for (size_t i = 0; i < m->scalars; i++)
        if (strcmp(name, m->scalar_names[i]) == 0) {
            if (count != 1)
                return GD_EINVAL;
            *out = m->scalar(&opt->groups[0], i); /* element 0's, as the parameters */
            return GD_OK;
        }
    int v = state_vector(opt, name);
    if (v < 0 || count != opt->n)
        return GD_EINVAL;
    if (!opt->single) {
        memcpy(out, opt->state[v], count * sizeof *out);
        return GD_OK;
    }
    const float *vector = opt->state[v];
    for (size_t i = 0; i < count; i++)
        out[i] = vector[i];
    return GD_OK;
}

/* gd_optimizer_update and gd_optimizer_update_f32, for an optimizer of precision
 * single. */
static int update(gd_optimizer *opt, bool single, void *x, const void *grad)
{
    if (!opt || !x || !grad || opt->single != single || !opt->method->apply ||
        gdi_line_search_on(opt))
        return GD_EINVAL; /* L-BFGS, and a line search, need the objective */
    if (opt->running)
        return GD_EBUSY;
    gdi_update(opt, x, grad);
    return GD_OK;
}

int gd_optimizer_update(gd_optimizer *opt, double *x, const double *grad)
{
    return update(opt, false, x, grad);
}

int gd_optimizer_update_f32(gd_optimizer *opt, float *x, const float *grad)
{
    return update(opt, true, x, grad);
}

const char *gd_optimizer_isa(const gd_optimizer *opt)
{
    return opt ? gdi_level_name(opt->level) : NULL;
}

int gd_optimizer_set_monitor(gd_optimizer *opt, gd_monitor_fn fn, void *user)
{
    if (!opt)
        return GD_EINVAL;
    opt->monitor = fn;
    opt->monitor_user = user;
    return GD_OK;
}
