/*
 * params.c - the table of parameter keys: names, slots and valid ranges.  Which keys a
 * method uses, and their defaults, live in the method's file.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "internal.h"

enum value_kind {
    NON_NEGATIVE, /* finite, >= 0 */
    UNIT_OPEN,    /* [0, 1) */
    UNIT_CLOSED,  /* [0, 1] */
    BOOLEAN,      /* exactly 0 or 1 */
    COUNT         /* whole number in [0, 2^53], exactly representable */
};

struct key_info {
    gd_param key;
    const char *name;
    enum value_kind kind;
};

/* In slot order: gdi_param_slot(key) indexes this table. */
static const struct key_info key_table[] = {
    {GD_PARAM_LR, "lr", NON_NEGATIVE},
    {GD_PARAM_MOMENTUM, "momentum", UNIT_OPEN},
    {GD_PARAM_DAMPENING, "dampening", UNIT_CLOSED},
    {GD_PARAM_NESTEROV, "nesterov", BOOLEAN},
    {GD_PARAM_WEIGHT_DECAY, "weight_decay", NON_NEGATIVE},
    {GD_PARAM_BETA1, "beta1", UNIT_OPEN},
    {GD_PARAM_BETA2, "beta2", UNIT_OPEN},
    {GD_PARAM_EPS, "eps", NON_NEGATIVE},
    {GD_PARAM_AMSGRAD, "amsgrad", BOOLEAN},
    {GD_PARAM_ALPHA, "alpha", UNIT_OPEN},
    {GD_PARAM_CENTERED, "centered", BOOLEAN},
    {GD_PARAM_LR_DECAY, "lr_decay", NON_NEGATIVE},
    {GD_PARAM_INITIAL_ACCUMULATOR, "initial_accumulator", NON_NEGATIVE},
    {GD_PARAM_MAXIMIZE, "maximize", BOOLEAN},
    {GD_PARAM_MAX_ITER, "max_iter", COUNT},
    {GD_PARAM_GTOL, "gtol", NON_NEGATIVE},
    {GD_PARAM_FTOL, "ftol", NON_NEGATIVE},
    {GD_PARAM_XTOL, "xtol", NON_NEGATIVE},
    {GD_PARAM_BATCH_SIZE, "batch_size", COUNT},
    {GD_PARAM_SHUFFLE, "shuffle", BOOLEAN},
    {GD_PARAM_SEED, "seed", COUNT},
};

#define KEY_COUNT (sizeof key_table / sizeof key_table[0])
_Static_assert(KEY_COUNT == GDI_SLOT_COUNT, "every slot has exactly one key");

int gdi_param_by_name(const char *name)
{
    for (size_t i = 0; i < KEY_COUNT; i++)
        if (strcmp(key_table[i].name, name) == 0)
            return (int)key_table[i].key;
    return -1;
}

const char *gd_param_name(gd_param key)
{
    int slot = gdi_param_slot(key);
    return slot < 0 ? NULL : key_table[slot].name;
}

bool gdi_param_value_ok(gd_param key, double value)
{
    int slot = gdi_param_slot(key);
    if (slot < 0 || !isfinite(value))
        return false;
    switch (key_table[slot].kind) {
    case NON_NEGATIVE:
        return value >= 0.0;
    case UNIT_OPEN:
        return value >= 0.0 && value < 1.0;
    case UNIT_CLOSED:
        return value >= 0.0 && value <= 1.0;
    case BOOLEAN:
        return value == 0.0 || value == 1.0;
    case COUNT:
        return value >= 0.0 && value <= 9007199254740992.0 && value == floor(value);
    }
    return false;
}

double gdi_param_run_default(gd_param key)
{
    switch (key) {
    case GD_PARAM_MAX_ITER:
        return 1000.0;
    case GD_PARAM_SHUFFLE:
        return 1.0;
    default:
        return 0.0; /* tolerances off, full batches, seed 0 */
    }
}
