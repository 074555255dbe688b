/*
 * isa.c - run-time choice of the kernel table.
 *
 * Why per-level objects and a resolver rather than GCC's target_clones: the clones
 * attribute needs ifunc support and one attribute per function (over 60 here), it
 * chooses once per process so tests could not compare levels in one run, and clang
 * handles it differently.  Compiling the loop files once per level is plain C that any
 * compiler builds, lets GDESCENT_ISA force a level for tests and benchmarks, and lets
 * each file have its own vector width.
 * SPDX-License-Identifier: MIT
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

extern const struct gdi_sgd_kernels gdi_sgd_kernels_baseline;
extern const struct gdi_adaptive_kernels gdi_adaptive_kernels_baseline;
static const struct gdi_kernels gdi_kernels_baseline = {
    "baseline", &gdi_sgd_kernels_baseline, &gdi_sgd_kernels_baseline,
    &gdi_adaptive_kernels_baseline};

#ifdef GDI_X86_KERNELS
extern const struct gdi_sgd_kernels gdi_sgd_kernels_avx2, gdi_sgd_kernels_avx512,
    gdi_sgd_kernels_avx512_wide;
extern const struct gdi_adaptive_kernels gdi_adaptive_kernels_avx2,
    gdi_adaptive_kernels_avx512;
static const struct gdi_kernels gdi_kernels_avx2 = {
    "avx2", &gdi_sgd_kernels_avx2, &gdi_sgd_kernels_avx2, &gdi_adaptive_kernels_avx2};
static const struct gdi_kernels gdi_kernels_avx512 = {
    "avx512", &gdi_sgd_kernels_avx512, &gdi_sgd_kernels_avx512_wide,
    &gdi_adaptive_kernels_avx512};

/* The levels follow the x86-64 psABI: x86-64-v3 (AVX2, FMA, ...) and x86-64-v4
 * (AVX-512 F, VL, BW, DQ).  libgcc's checks include the operating system's support
 * for the wider registers (XCR0). */
static bool cpu_has_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
           __builtin_cpu_supports("bmi2");
}

static bool cpu_has_avx512(void)
{
    return cpu_has_avx2() && __builtin_cpu_supports("avx512f") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq");
}

const struct gdi_kernels *gdi_kernels_select(void)
{
    const char *wanted = getenv("GDESCENT_ISA");
    bool avx512 = cpu_has_avx512(), avx2 = cpu_has_avx2();
    if (wanted && strcmp(wanted, "baseline") == 0)
        return &gdi_kernels_baseline;
    if (wanted && strcmp(wanted, "avx2") == 0)
        return avx2 ? &gdi_kernels_avx2 : &gdi_kernels_baseline;
    /* "avx512", unset or unknown: the best the CPU has. */
    return avx512 ? &gdi_kernels_avx512 : avx2 ? &gdi_kernels_avx2 : &gdi_kernels_baseline;
}
#else
const struct gdi_kernels *gdi_kernels_select(void)
{
    return &gdi_kernels_baseline;
}
#endif
