/*
 * isa.c - run-time choice of the instruction-set level.
 *
 * Why per-level objects and a resolver rather than GCC's target_clones: the clones
 * attribute needs ifunc support and one attribute per function (over 60 here), it
 * chooses once per process so tests could not compare levels in one run, and clang
 * handles it differently.  Compiling the method files once per level is plain C that
 * any compiler builds, lets GDESCENT_ISA force a level for tests and benchmarks, and
 * lets each file have its own vector width.
 * SPDX-License-Identifier: MIT
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "levels.h"

const char *gdi_level_name(enum gdi_level level)
{
    switch (level) {
    case GDI_LEVEL_AVX512:
        return "avx512";
    case GDI_LEVEL_AVX2:
        return "avx2";
    default:
        return "baseline";
    }
}

#ifdef GDI_X86_KERNELS
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

enum gdi_level gdi_level_select(void)
{
    const char *wanted = getenv("GDESCENT_ISA");
    bool avx512 = cpu_has_avx512(), avx2 = cpu_has_avx2();
    if (wanted && strcmp(wanted, "baseline") == 0)
        return GDI_LEVEL_BASELINE;
    if (wanted && strcmp(wanted, "avx2") == 0)
        return avx2 ? GDI_LEVEL_AVX2 : GDI_LEVEL_BASELINE;
    /* "avx512", unset or unknown: the best the CPU has. */
    return avx512 ? GDI_LEVEL_AVX512 : avx2 ? GDI_LEVEL_AVX2 : GDI_LEVEL_BASELINE;
}
#else
enum gdi_level gdi_level_select(void)
{
    return GDI_LEVEL_BASELINE;
}
#endif
