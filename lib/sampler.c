/*
 * sampler.c - mini-batches over the m terms of a finite sum, epoch by epoch, as a
 * data loader without drop_last does.  SPDX-License-Identifier: MIT
 */
#include "internal.h"

void gdi_sampler_init(gdi_sampler *s, uint64_t seed)
{
    s->order = NULL;
    s->m = 0;
    s->next = 0;
    gdi_rng_seed(&s->rng, seed);
}

void gdi_sampler_free(gdi_sampler *s)
{
    gdi_free(s->order);
    s->order = NULL;
    s->m = 0;
}

void gdi_sampler_restart(gdi_sampler *s, uint64_t seed)
{
    s->next = s->m;
    gdi_rng_seed(&s->rng, seed);
}

int gdi_sampler_prepare(gdi_sampler *s, size_t m)
{
    if (s->m == m)
        return GD_OK;
    size_t *order = gdi_alloc_array(m, sizeof *order);
    if (!order)
        return GD_ENOMEM;
    gdi_free(s->order);
    s->order = order;
    s->m = m;
    s->next = m;
    return GD_OK;
}

static void start_epoch(gdi_sampler *s, bool shuffle)
{
    /* Each epoch starts from 0..m-1, so its order depends only on the random stream. */
    for (size_t i = 0; i < s->m; i++)
        s->order[i] = i;
    if (shuffle)
        gdi_shuffle(&s->rng, s->order, s->m);
    s->next = 0;
}

const size_t *gdi_sampler_next(gdi_sampler *s, size_t size, bool shuffle, size_t *count)
{
    if (s->next >= s->m)
        start_epoch(s, shuffle);
    size_t left = s->m - s->next;
    *count = size < left ? size : left;
    const size_t *batch = s->order + s->next;
    s->next += *count;
    return batch;
}
