/*
 * alloc.c - the library's only route to the heap, so that a test build can fail any
 * chosen allocation and check that nothing leaks.  SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static bool product_fits(size_t count, size_t size)
{
    return count != 0 && size != 0 && count <= SIZE_MAX / size;
}

void *gdi_alloc_array(size_t count, size_t size)
{
    return product_fits(count, size) ? malloc(count * size) : NULL;
}

void *gdi_calloc_array(size_t count, size_t size)
{
    return product_fits(count, size) ? calloc(count, size) : NULL;
}

void *gdi_realloc_array(void *p, size_t count, size_t size)
{
    return product_fits(count, size) ? realloc(p, count * size) : NULL;
}

void gdi_free(void *p)
{
    free(p);
}

double *gdi_dup_doubles(const double *src, size_t count)
{
    double *copy = gdi_alloc_array(count, sizeof *copy);
    if (copy)
        memcpy(copy, src, count * sizeof *copy);
    return copy;
}
