/*
 * rows.h - the loops over the rows of a data matrix that the linear models share: the
 * score of a row and the accumulation of a scaled row into a gradient, for one row
 * (inline, below) and for a block of rows (struct gdi_row_loops, built once per
 * instruction-set level in row_loops.c, lib/kernels/levels.h).
 *
 * A model takes its block's scores, its per-row scalars, then the block's
 * accumulation: each row is read from memory once per evaluation and is still in
 * cache for the second loop (blocks of at most GDI_BLOCK_DOUBLES doubles).  The block
 * loops do, for each row, the same operations in the same order as the one-row loops,
 * so a block gives the same bits as the rows one after the other, at every level.
 * SPDX-License-Identifier: MIT
 */
#ifndef GDI_OBJECTIVE_ROWS_H
#define GDI_OBJECTIVE_ROWS_H

#include <stdbool.h>
#include <stddef.h>

#include "../kernels/levels.h"

/* start + x . w over p values.  Four partial sums, so that no addition waits for the
 * one before it (the build forbids reassociation, so a single sum runs at one
 * addition per latency); for p < 4 the order is the plain left-to-right one from
 * start, as least_squares.c summed before. */
static inline double gdi_row_dot(double start, const double *restrict x, const double *restrict w,
                                 size_t p)
{
    double s0 = start, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    size_t j = 0;
    for (; j + 4 <= p; j += 4) {
        s0 += x[j] * w[j];
        s1 += x[j + 1] * w[j + 1];
        s2 += x[j + 2] * w[j + 2];
        s3 += x[j + 3] * w[j + 3];
    }
    for (; j < p; j++)
        s0 += x[j] * w[j];
    return p < 4 ? s0 : (s0 + s1) + (s2 + s3);
}

/* acc[0..p) += a * x[0..p). */
static inline void gdi_row_add_scaled(double *restrict acc, double a, const double *restrict x,
                                      size_t p)
{
    for (size_t j = 0; j < p; j++)
        acc[j] += a * x[j];
}

/* The loops over a block of the rows X + idx[k] p (k < count) of a row-major X with
 * p columns. */
struct gdi_row_loops {
    /* z[k] = gdi_row_dot(start, row k, w, p); on the way, when ahead is not NULL, asks
     * the memory system for the rows X + ahead[k] p (k < ahead_count <= count), one
     * with each row scored (gdi_prefetch_row). */
    void (*scores)(double *z, const double *X, size_t p, const size_t *idx, size_t count,
                   double start, const double *w, const size_t *ahead, size_t ahead_count);
    /* gdi_row_add_scaled(grad, a[k], row k, p) for k = 0, 1, ... in turn; on the way,
     * when ahead is not NULL, asks for the rows X + ahead[k] p (k < ahead_count <=
     * count), one with each row accumulated. */
    void (*accumulate)(double *grad, const double *X, size_t p, const size_t *idx, size_t count,
                       const double *a, const size_t *ahead, size_t ahead_count);
    /* Least squares' rows in one loop, when it has one for p (4 <= p <= 16 at AVX2,
     * p >= 4 at AVX-512; else false, nothing done): for k < count in turn,
     * r = gdi_row_dot(start, row k, w, p) - y[idx[k]], sums[0] += r r, sums[1] += r
     * and, when grad is not NULL, gdi_row_add_scaled(grad, r, row k, p); with
     * prefetched, each row asks for the one gdi_prefetch_distance(p) ahead.  The same
     * operations in the same order as the block loops, so the same bits. */
    bool (*least_squares)(double sums[2], double *grad, const double *X, size_t p,
                          const size_t *idx, size_t count, double start, const double *w,
                          const double *y, bool prefetched);
};
GDI_LOOPS_DECLARE(struct gdi_row_loops, row_loops);

/* The per-sample loops between a block's scores and its accumulation, built once per
 * level in sample_loops.c: vectorized, with their own exp and log1p (vmath.h). */
struct gdi_sample_loops {
    /* For k < count (at most GDI_BLOCK_ROWS): the log-loss of the sample idx[k] of
     * labels y (each 0 or 1) and score z[k] into loss[k], and its slope in the score,
     * sigmoid(z[k]) - y[idx[k]], into z[k]. */
    void (*logistic)(double *z, double *loss, const double *y, const size_t *idx, size_t count);
    /* For k < count (at most GDI_BLOCK_ROWS) and c < classes, z[c count + k] the
     * score of class c for the sample idx[k] of labels (each below classes): its
     * cross-entropy log(sum_c exp(z_c)) - z_label into loss[k], and its slopes in the
     * scores, softmax_c - [c = label], into z[c count + k]. */
    void (*softmax)(double *z, double *loss, const size_t *labels, const size_t *idx, size_t count,
                    size_t classes);
};
GDI_LOOPS_DECLARE(struct gdi_sample_loops, sample_loops);

/* A block's rows take at most this many doubles (8 KiB, in a core's L1 cache beside
 * the rows asked for ahead), and at most GDI_BLOCK_ROWS of them: the models keep one
 * scalar a row of a block on the stack.  Blocks of 16 KiB, the next one asked for
 * during each, left long rows waiting for memory (bench/README.md, "Blocks of 8 KiB,
 * rows asked for 16 KiB ahead"). */
enum { GDI_BLOCK_DOUBLES = 1024, GDI_BLOCK_ROWS = 64 };

/* The rows in a block for p columns: at least 1. */
static inline size_t gdi_block_rows(size_t p)
{
    size_t rows = GDI_BLOCK_DOUBLES / p;
    return rows == 0 ? 1 : rows > GDI_BLOCK_ROWS ? GDI_BLOCK_ROWS : rows;
}

/* Whether the models ask for rows ahead (gdi_next_block, gdi_prefetch_distance) for
 * an m x p matrix: only when X is larger than GDI_PREFETCH_BYTES, beyond a core's L2
 * cache.  For a matrix in L2 the requests only cost instructions. */
enum { GDI_PREFETCH_BYTES = 1 << 20 };

/* How far ahead, in bytes of X, the models' blocks (gdi_next_block), least squares'
 * one loop (gdi_row_loops.least_squares) and the geometric median ask for rows: a
 * fixed count of rows asked too late for short rows, and too far for long ones
 * (bench/README.md, "Rows asked for 16 KiB ahead"). */
enum { GDI_PREFETCH_AHEAD_BYTES = 16 << 10 };

/* The rows of p columns in GDI_PREFETCH_AHEAD_BYTES: at least 1. */
static inline size_t gdi_prefetch_distance(size_t p)
{
    size_t rows = GDI_PREFETCH_AHEAD_BYTES / (p * sizeof(double));
    return rows == 0 ? 1 : rows;
}

static inline bool gdi_rows_prefetched(size_t m, size_t p)
{
    return m * p > GDI_PREFETCH_BYTES / sizeof(double);
}

/* Asks the memory system for the cache line holding *address.  An asm statement on
 * x86: GCC takes __builtin_prefetch for an operation without effect and deletes a loop
 * that does nothing else (the prefetch of a row's lines), all of it or all but its
 * first request. */
static inline void gdi_prefetch_line(const double *address)
{
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    __asm__ volatile("prefetcht0 %0" : : "m"(*address));
#elif defined(__GNUC__)
    __builtin_prefetch(address);
#else
    (void)address;
#endif
}

/* Asks the memory system for the lines of the row X + row p, ahead of its use (a
 * block, or gdi_prefetch_distance rows): the hardware prefetcher alone left the loops
 * waiting for memory.  No effect on any value. */
static inline void gdi_prefetch_row(const double *X, size_t p, size_t row)
{
    enum { LINE_DOUBLES = 8 }; /* a 64-byte cache line */
    const double *x = X + row * p;
    for (size_t j = 0; j < p; j += LINE_DOUBLES)
        gdi_prefetch_line(x + j);
    gdi_prefetch_line(x + p - 1);
}

/* The ahead rows (see gdi_row_loops.scores) that go with the rows first..first+count
 * of a block. */
static inline void gdi_prefetch_ahead(const double *X, size_t p, const size_t *ahead,
                                      size_t ahead_count, size_t first, size_t count)
{
    if (!ahead)
        return;
    for (size_t k = first; k < first + count && k < ahead_count; k++)
        gdi_prefetch_row(X, p, ahead[k]);
}

/* The rows ahead that a block's scores and its accumulation ask for (their ahead,
 * see gdi_row_loops): a NULL rows with a count of 0 asks for none. */
struct gdi_ahead {
    const size_t *scores_rows, *accumulate_rows;
    size_t scores_count, accumulate_count;
};

/* The gdi_ahead of a block at first with rows rows, of a batch of count, for blocks
 * of block rows of p columns: the block's worth of rows that begins
 * gdi_prefetch_distance(p) rows after first (or the next block, if that is farther),
 * so that each block asks for the rows that come 16 KiB later; none when prefetched
 * is false or no row is left there.  When the block is accumulated, the scores ask
 * for the first half and the accumulation for the rest: all of it with the scores
 * left memory idle during the accumulation. */
static inline struct gdi_ahead gdi_next_block(bool prefetched, const size_t *idx, size_t first,
                                              size_t rows, size_t block, size_t p, size_t count,
                                              bool accumulated)
{
    struct gdi_ahead ahead = {NULL, NULL, 0, 0};
    size_t distance = gdi_prefetch_distance(p);
    size_t next = first + (distance > rows ? distance : rows);
    if (!prefetched || next >= count)
        return ahead;
    size_t next_rows = count - next < block ? count - next : block;
    ahead.scores_rows = idx + next;
    ahead.scores_count = accumulated ? next_rows / 2 : next_rows;
    if (ahead.scores_count < next_rows) {
        ahead.accumulate_rows = idx + next + ahead.scores_count;
        ahead.accumulate_count = next_rows - ahead.scores_count;
    }
    return ahead;
}

#endif /* GDI_OBJECTIVE_ROWS_H */
