/*
 * optimizer.c - the optimizer handle: parameters, state and dispatch to the method's
 * update rule.  Knows no method by name beyond the table below.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "internal.h"

static const struct gd_method_ops *const method_table[] = {
    [GD_SGD] = &gdi_sgd_ops,
    [GD_ADAM] = &gdi_adam_ops,
    [GD_ADAMW] = &gdi_adamw_ops,
    [GD_RMSPROP] = &gdi_rmsprop_ops,
    [GD_ADAGRAD] = &gdi_adagrad_ops,
};

static const struct gd_method_ops *method_ops(gd_method method)
{
    size_t i = (size_t)method;
    return i < sizeof method_table / sizeof method_table[0] ? method_table[i] : NULL;
}

int gd_method_by_name(const char *name, gd_method *method)
{
    if (!name || !method)
        return GD_EINVAL;
    for (size_t i = 0; i < sizeof method_table / sizeof method_table[0]; i++)
        if (strcmp(method_table[i]->name, name) == 0) {
            *method = (gd_method)i;
            return GD_OK;
        }
    return GD_EINVAL;
}

const char *gd_method_name(gd_method method)
{
    const struct gd_method_ops *ops = method_ops(method);
    return ops ? ops->name : NULL;
}

static void set_defaults(gd_optimizer *opt)
{
    static const gd_param run_keys[] = {GD_PARAM_MAX_ITER,   GD_PARAM_GTOL,
                                        GD_PARAM_FTOL,       GD_PARAM_XTOL,
                                        GD_PARAM_BATCH_SIZE, GD_PARAM_SHUFFLE,
                                        GD_PARAM_SEED};
    for (size_t i = 0; i < sizeof run_keys / sizeof run_keys[0]; i++) {
        int slot = gdi_param_slot(run_keys[i]);
        opt->applies[slot] = true;
        opt->param[slot] = gdi_param_run_default(run_keys[i]);
    }
    for (size_t i = 0; i < opt->ops->param_count; i++) {
        int slot = gdi_param_slot(opt->ops->params[i].key);
        opt->applies[slot] = true;
        opt->param[slot] = opt->ops->params[i].value;
    }
}

static uint64_t seed_of(const gd_optimizer *opt)
{
    return (uint64_t)gdi_opt_param(opt, GD_PARAM_SEED);
}

gd_optimizer *gd_optimizer_new(gd_method method, size_t n)
{
    const struct gd_method_ops *ops = method_ops(method);
    if (!ops || n == 0 || n > SIZE_MAX / sizeof(double))
        return NULL;
    gd_optimizer *opt = gdi_calloc_array(1, sizeof *opt);
    if (!opt)
        return NULL;
    opt->ops = ops;
    opt->n = n;
    opt->kernels = gdi_kernels_select();
    set_defaults(opt);
    ops->select(opt);
    gdi_sampler_init(&opt->sampler, seed_of(opt));
    opt->grad = gdi_alloc_array(n, sizeof(double));
    opt->x_prev = gdi_alloc_array(n, sizeof(double));
    bool ok = opt->grad && opt->x_prev;
    for (size_t v = 0; ok && v < ops->state_vectors; v++)
        ok = (opt->state[v] = gdi_calloc_array(n, sizeof(double))) != NULL;
    if (!ok) {
        gd_optimizer_free(opt);
        return NULL;
    }
    return opt;
}

void gd_optimizer_free(gd_optimizer *opt)
{
    if (!opt)
        return;
    gdi_sampler_free(&opt->sampler);
    for (size_t v = 0; v < GDI_MAX_STATE; v++)
        gdi_free(opt->state[v]);
    gdi_free(opt->grad);
    gdi_free(opt->x_prev);
    gdi_free(opt);
}

static int usable_slot(const gd_optimizer *opt, gd_param key)
{
    int slot = gdi_param_slot(key);
    return slot >= 0 && opt->applies[slot] ? slot : -1;
}

int gd_optimizer_set(gd_optimizer *opt, gd_param key, double value)
{
    int slot = opt ? usable_slot(opt, key) : -1;
    if (slot < 0 || !gdi_param_value_ok(key, value))
        return GD_EINVAL;
    double old = opt->param[slot];
    opt->param[slot] = value;
    if (opt->ops->params_ok && !opt->ops->params_ok(opt->param)) {
        opt->param[slot] = old;
        return GD_EINVAL;
    }
    if (key == GD_PARAM_SEED)
        gdi_sampler_restart(&opt->sampler, seed_of(opt));
    opt->ops->select(opt);
    return GD_OK;
}

int gd_optimizer_get(const gd_optimizer *opt, gd_param key, double *value)
{
    int slot = opt ? usable_slot(opt, key) : -1;
    if (slot < 0 || !value)
        return GD_EINVAL;
    *value = opt->param[slot];
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
    opt->step = 0;
    opt->state_ready = false;
    for (size_t v = 0; v < opt->ops->state_vectors; v++)
        memset(opt->state[v], 0, opt->n * sizeof(double));
    gdi_sampler_restart(&opt->sampler, seed_of(opt));
    return GD_OK;
}

size_t gd_optimizer_iterations(const gd_optimizer *opt)
{
    return opt ? opt->step : 0;
}

int gd_optimizer_update(gd_optimizer *opt, double *x, const double *grad)
{
    if (!opt || !x || !grad)
        return GD_EINVAL;
    opt->step++;
    opt->ops->update(opt, x, grad);
    return GD_OK;
}

const char *gd_optimizer_isa(const gd_optimizer *opt)
{
    return opt ? opt->kernels->isa : NULL;
}

int gd_optimizer_set_monitor(gd_optimizer *opt, gd_monitor_fn fn, void *user)
{
    if (!opt)
        return GD_EINVAL;
    opt->monitor = fn;
    opt->monitor_user = user;
    return GD_OK;
}
