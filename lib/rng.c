/*
 * rng.c - the shuffle's random numbers: SplitMix64, a 64-bit generator with a one-word
 * state (G. Steele, D. Lea, C. Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014).  Only exact-width unsigned arithmetic is used, so a seed
 * gives the same stream on every platform.  SPDX-License-Identifier: MIT
 */
#include "internal.h"

void gdi_rng_seed(gdi_rng *rng, uint64_t seed)
{
    rng->state = seed;
}

uint64_t gdi_rng_next(gdi_rng *rng)
{
    uint64_t z = (rng->state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

uint64_t gdi_rng_below(gdi_rng *rng, uint64_t bound)
{
    /* Draws below the largest multiple of bound are accepted, so every residue is
     * equally likely; (2^64 - bound) % bound is 2^64 mod bound. */
    uint64_t reject_below = (0 - bound) % bound;
    uint64_t r;
    do
        r = gdi_rng_next(rng);
    while (r < reject_below);
    return r % bound;
}

void gdi_shuffle(gdi_rng *rng, size_t *v, size_t len)
{
    for (size_t i = len; i > 1; i--) {
        size_t j = (size_t)gdi_rng_below(rng, i);
        size_t tmp = v[i - 1];
        v[i - 1] = v[j];
        v[j] = tmp;
    }
}
