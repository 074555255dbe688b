/*
 * clip.c - the loop of gradient clipping (lib/groups.c), built at -O3 without
 * contraction as the update loops are, so that it vectorizes (one build: clamping and
 * one multiplication round the same on every CPU).
 * SPDX-License-Identifier: MIT
 */
#include "../internal.h"

/* The clipping loop for elements of type real (both functions are declared in
 * internal.h).  torch's clamp keeps a NaN: no fmin/fmax; the multiplication is exact
 * when scale is 1. */
#define DEFINE_CLIP_INTO(name, real)                                                               \
    void name(real *restrict block, const real *restrict g, size_t count, double clip_value,       \
              double scale)                                                                        \
    {                                                                                              \
        real limit = (real)clip_value, factor = (real)scale;                                       \
        if (clip_value == 0.0) {                                                                   \
            for (size_t i = 0; i < count; i++)                                                     \
                block[i] = g[i] * factor;                                                          \
            return;                                                                                \
        }                                                                                          \
        for (size_t i = 0; i < count; i++) {                                                       \
            real v = g[i];                                                                         \
            v = v < -limit ? -limit : v;                                                           \
            v = v > limit ? limit : v;                                                             \
            block[i] = v * factor;                                                                 \
        }                                                                                          \
    }

DEFINE_CLIP_INTO(gdi_clip_into, double)
DEFINE_CLIP_INTO(gdi_clip_into_f32, float)

void gdi_lanes_add_squares(struct gdi_norm_lanes *lanes, const float *v, size_t count)
{
    for (size_t i = 0; i + GDI_NORM_LANES <= count; i += GDI_NORM_LANES)
        for (size_t j = 0; j < GDI_NORM_LANES; j++)
            lanes->sum[j] = lanes->sum[j] + v[i + j] * v[i + j];
}

float gdi_lanes_norm(const struct gdi_norm_lanes *lanes, const float *tail, size_t count)
{
    float sum = lanes->sum[0];
    for (size_t j = 1; j < GDI_NORM_LANES; j++)
        sum = sum + lanes->sum[j];
    for (size_t i = 0; i < count; i++)
        sum += tail[i] * tail[i];
    return sqrtf(sum);
}
