/*
 * version.c - version of the linked library.  SPDX-License-Identifier: MIT
 */
#include "internal.h"

#define GD_STR_(x) #x
#define GD_STR(x) GD_STR_(x)

unsigned gd_version(void)
{
    return GD_VERSION_MAJOR * 10000u + GD_VERSION_MINOR * 100u + GD_VERSION_PATCH;
}

const char *gd_version_string(void)
{
    return GD_STR(GD_VERSION_MAJOR) "." GD_STR(GD_VERSION_MINOR) "." GD_STR(GD_VERSION_PATCH);
}
