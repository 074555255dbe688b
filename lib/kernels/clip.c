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

/* The two functions of torch's norm for elements of type real, whose lanes are the
 * member `lanes` (`count` of them) of struct gdi_norm_lanes. */
#define DEFINE_LANES(add_squares, norm, real, lanes, count, square_root)                           \
    void add_squares(struct gdi_norm_lanes *l, const real *v, size_t n)                            \
    {                                                                                              \
        for (size_t i = 0; i + (count) <= n; i += (count))                                         \
            for (size_t j = 0; j < (count); j++)                                                   \
                l->lanes[j] = l->lanes[j] + v[i + j] * v[i + j];                                   \
    }                                                                                              \
    real norm(const struct gdi_norm_lanes *l, const real *tail, size_t n)                          \
    {                                                                                              \
        real sum = l->lanes[0];                                                                    \
        for (size_t j = 1; j < (count); j++)                                                       \
            sum = sum + l->lanes[j];                                                               \
        for (size_t i = 0; i < n; i++)                                                             \
            sum += tail[i] * tail[i];                                                              \
        return square_root(sum);                                                                   \
    }

DEFINE_LANES(gdi_lanes_add_squares, gdi_lanes_norm, double, f64, GDI_LANES_F64, sqrt)
DEFINE_LANES(gdi_lanes_add_squares_f32, gdi_lanes_norm_f32, float, f32, GDI_LANES_F32, sqrtf)
