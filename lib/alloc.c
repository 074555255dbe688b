/*
 * alloc.c - the library's only route to the heap, so that a test build can fail any
 * chosen allocation and check that nothing leaks.  SPDX-License-Identifier: MIT
 */
#define _DEFAULT_SOURCE /* madvise */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "internal.h"

#ifdef GDI_FAULT_INJECTION
/* Test builds only (never the installed library): per-thread countdown to the
 * allocation that fails, and the number of blocks currently allocated. */
static _Thread_local long fault_countdown;
static _Thread_local long live_blocks;

void gdi_fault_arm(long k)
{
    fault_countdown = k;
}

bool gdi_fault_pending(void)
{
    return fault_countdown > 0;
}

long gdi_live_blocks(void)
{
    return live_blocks;
}

static bool inject_failure(void)
{
    return fault_countdown > 0 && --fault_countdown == 0;
}

static void *counted(void *p, bool is_new_block)
{
    if (p && is_new_block)
        live_blocks++;
    return p;
}
#else
static bool inject_failure(void)
{
    return false;
}

static void *counted(void *p, bool is_new_block)
{
    (void)is_new_block;
    return p;
}
#endif

/* No object may exceed PTRDIFF_MAX bytes (pointer differences within it must fit), so
 * larger requests are refused here rather than handed to malloc. */
static bool product_fits(size_t count, size_t size)
{
    return count != 0 && size != 0 && count <= (size_t)PTRDIFF_MAX / size;
}

void *gdi_alloc_array(size_t count, size_t size)
{
    if (!product_fits(count, size) || inject_failure())
        return NULL;
    return counted(malloc(count * size), true);
}

void *gdi_calloc_array(size_t count, size_t size)
{
    if (!product_fits(count, size) || inject_failure())
        return NULL;
    return counted(calloc(count, size), true);
}

void *gdi_realloc_array(void *p, size_t count, size_t size)
{
    if (!product_fits(count, size) || inject_failure())
        return NULL;
    /* Decided before the call: p must not be read once realloc may have freed it. */
    bool is_new_block = p == NULL;
    return counted(realloc(p, count * size), is_new_block);
}

void gdi_free(void *p)
{
#ifdef GDI_FAULT_INJECTION
    if (p)
        live_blocks--;
#endif
    free(p);
}

double *gdi_dup_doubles(const double *src, size_t count)
{
    double *copy = gdi_alloc_array(count, sizeof *copy);
    if (copy)
        memcpy(copy, src, count * sizeof *copy);
    return copy;
}

/* Advises the kernel to back the 2 MiB-aligned pages inside [p, p + bytes) with huge
 * pages, before they are first written.  A model's X, read from end to end, then
 * takes one TLB entry per 2 MiB instead of 512: the row loops waited less for memory
 * (bench/README.md, "Transparent huge pages for the data").  Only the pages wholly
 * inside the block, so that no memory is added; a refusal (THP disabled) changes
 * nothing. */
static void advise_huge_pages(void *p, size_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const uintptr_t huge = (uintptr_t)2 << 20;
    uintptr_t first = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    uintptr_t end = ((uintptr_t)p + bytes) & ~(huge - 1);
    if (end > first)
        (void)madvise((void *)first, end - first, MADV_HUGEPAGE);
#else
    (void)p, (void)bytes;
#endif
}

double *gdi_dup_matrix(const double *src, size_t count)
{
    double *copy = gdi_alloc_array(count, sizeof *copy);
    if (!copy)
        return NULL;
    advise_huge_pages(copy, count * sizeof *copy);
    memcpy(copy, src, count * sizeof *copy);
    return copy;
}
