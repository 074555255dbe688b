/*
 * params.c - the parameter keys: names, groups and valid ranges, derived from the
 * table in param_list.h.  Which methods take a METHOD key, and their defaults, live in
 * the methods' files.
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "internal.h"

enum range {
    RANGE_NON_NEGATIVE,
    RANGE_UNIT_OPEN,
    RANGE_UNIT_CLOSED,
    RANGE_UNIT_INTERIOR,
    RANGE_ABOVE_ONE,
    RANGE_BOOLEAN,
    RANGE_COUNT,
    RANGE_POSITIVE_COUNT,
    RANGE_LINE_SEARCH
};

static bool is_count(double value)
{
    return value >= 0.0 && value <= 9007199254740992.0 && value == floor(value);
}

struct key_row {
    gd_param key;
    const char *name;
    enum gdi_param_group group;
    enum range range;
    double run_default;
};

static const struct key_row key_rows[GDI_SLOT_COUNT] = {
#define GDI_PARAM(key, name, group, range, run_default)                                            \
    [GDI_SLOT_##name] = {key, #name, GDI_GROUP_##group, RANGE_##range, run_default},
#include "param_list.h"
#undef GDI_PARAM
};

int gdi_param_by_name(const char *name)
{
    for (size_t i = 0; i < GDI_SLOT_COUNT; i++)
        if (strcmp(key_rows[i].name, name) == 0)
            return (int)key_rows[i].key;
    return -1;
}

int gd_param_by_name(const char *name, gd_param *key)
{
    int found = name && key ? gdi_param_by_name(name) : -1;
    if (found < 0)
        return GD_EINVAL;
    *key = (gd_param)found;
    return GD_OK;
}

const char *gd_param_name(gd_param key)
{
    int slot = gdi_param_slot(key);
    return slot < 0 ? NULL : key_rows[slot].name;
}

enum gdi_param_group gdi_param_group(int slot)
{
    return key_rows[slot].group;
}

gd_param gdi_param_key(int slot)
{
    return key_rows[slot].key;
}

double gdi_param_common_default(int slot)
{
    return key_rows[slot].run_default;
}

bool gdi_param_value_ok(gd_param key, double value)
{
    int slot = gdi_param_slot(key);
    if (slot < 0 || !isfinite(value))
        return false;
    switch (key_rows[slot].range) {
    case RANGE_NON_NEGATIVE:
        return value >= 0.0;
    case RANGE_UNIT_OPEN:
        return value >= 0.0 && value < 1.0;
    case RANGE_UNIT_CLOSED:
        return value >= 0.0 && value <= 1.0;
    case RANGE_UNIT_INTERIOR:
        return value > 0.0 && value < 1.0;
    case RANGE_ABOVE_ONE:
        return value > 1.0;
    case RANGE_BOOLEAN:
        return value == 0.0 || value == 1.0;
    case RANGE_COUNT:
        return is_count(value);
    case RANGE_POSITIVE_COUNT:
        return is_count(value) && value >= 1.0;
    case RANGE_LINE_SEARCH:
        return value == GD_LINE_SEARCH_NONE || value == GD_LINE_SEARCH_STRONG_WOLFE ||
               value == GD_LINE_SEARCH_BACKTRACKING;
    }
    return false;
}
