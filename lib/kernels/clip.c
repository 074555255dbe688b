/*
 * clip.c - the loop of gradient clipping (lib/groups.c), built at -O3 without
 * contraction as the update loops are, so that it vectorizes (one build: clamping and
 * one multiplication round the same on every CPU).
 * SPDX-License-Identifier: MIT
 */
#include "../internal.h"

void gdi_clip_into(double *restrict block, const double *restrict g, size_t count,
                   double clip_value, double scale)
{
    if (clip_value == 0.0) {
        for (size_t i = 0; i < count; i++)
            block[i] = g[i] * scale;
        return;
    }
    for (size_t i = 0; i < count; i++) { /* torch's clamp keeps a NaN: no fmin/fmax */
        double v = g[i];
        v = v < -clip_value ? -clip_value : v;
        v = v > clip_value ? clip_value : v;
        block[i] = v * scale; /* exact when scale is 1 */
    }
}
