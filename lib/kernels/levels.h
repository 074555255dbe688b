/*
 * levels.h - the instruction-set levels of the update loops and how a method finds its
 * loops at a level.
 *
 * Each method file (lib/methods/<file>.c) is compiled once for the library and twice
 * per level with GDI_LEVEL defined (meson.build), for double and, with GDI_SINGLE,
 * for float: in the level builds only its loops are compiled (under `#ifdef
 * GDI_LEVEL`, see loops.h), into a table named with the level: `gdi_<table>_baseline`,
 * `_avx2`, `_avx512`, and `_avx512_ymm` for the files whose list entry asks for 256-bit
 * vectors too (lib/methods/list.h); the float tables are `gdi_<table>_f32_<level>`.
 * The linear models' block loops over rows (lib/objectives/row_loops.c) and their
 * per-sample loops (sample_loops.c) are built so too, into gdi_row_loops_<level> and
 * gdi_sample_loops_<level>, chosen when the objective is created.
 * The loops do the same IEEE operations in the same order at every level (built with
 * -ffp-contract=off), so results are bit-identical whichever level runs.
 * SPDX-License-Identifier: MIT
 */
#ifndef GDI_LEVELS_H
#define GDI_LEVELS_H

enum gdi_level { GDI_LEVEL_BASELINE, GDI_LEVEL_AVX2, GDI_LEVEL_AVX512 };

/* The level for a new optimizer: the best the CPU supports, or the one named by the
 * environment variable GDESCENT_ISA (baseline, avx2, avx512) when the CPU supports it.
 * Reads the environment on every call, so that tests can switch levels. */
enum gdi_level gdi_level_select(void);
/* "baseline", "avx2" or "avx512". */
const char *gdi_level_name(enum gdi_level level);

/* GDI_LOOPS_DECLARE(type, table) declares a method's tables at every level in both
 * precisions, GDI_LOOPS_AT(level, table) is the address of the one for level, and
 * GDI_GROUP_LOOPS(group, table) the one for a group's level and precision. */
#ifdef GDI_X86_KERNELS
#define GDI_LOOPS_DECLARE_ONE(type, table)                                                         \
    extern const type gdi_##table##_baseline, gdi_##table##_avx2, gdi_##table##_avx512
#define GDI_LOOPS_AT(level, table)                                                                 \
    ((level) == GDI_LEVEL_AVX512 ? &gdi_##table##_avx512                                           \
     : (level) == GDI_LEVEL_AVX2 ? &gdi_##table##_avx2                                             \
                                 : &gdi_##table##_baseline)
#else
#define GDI_LOOPS_DECLARE_ONE(type, table) extern const type gdi_##table##_baseline
#define GDI_LOOPS_AT(level, table) ((void)(level), &gdi_##table##_baseline)
#endif
#define GDI_LOOPS_DECLARE(type, table)                                                             \
    GDI_LOOPS_DECLARE_ONE(type, table);                                                            \
    GDI_LOOPS_DECLARE_ONE(type, table##_f32)
#define GDI_GROUP_LOOPS(group, table)                                                              \
    ((group)->single ? GDI_LOOPS_AT((group)->level, table##_f32)                                   \
                     : GDI_LOOPS_AT((group)->level, table))

#endif /* GDI_LEVELS_H */
