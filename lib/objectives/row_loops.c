/*
 * row_loops.c - the block loops of rows.h, compiled only once per instruction-set
 * level (meson.build, lib/kernels/levels.h) into gdi_row_loops_<level>.
 *
 * Four rows at a time: their scores are four independent chains of four partial sums
 * (one row's chain is p / 4 dependent additions, which at p = 64 is most of the time
 * a row takes), and the accumulation reads and writes grad once for four rows.  Each
 * row keeps gdi_row_dot's partial sums and their order, and each element of grad
 * takes the rows' products in row order, so the bits are those of the one-row loops.
 * SPDX-License-Identifier: MIT
 */
#include "../kernels/loops.h"
#include "rows.h"

/* gdi_row_add_scaled(grad, a[r], row r, p) for the rows idx[0..4) in turn, reading
 * and writing grad once. */
static inline void add_four_rows(double *restrict grad, const double *restrict X, size_t p,
                                 const size_t *restrict idx, const double *restrict a)
{
    const double *restrict x0 = X + idx[0] * p, *restrict x1 = X + idx[1] * p;
    const double *restrict x2 = X + idx[2] * p, *restrict x3 = X + idx[3] * p;
    const double a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    for (size_t j = 0; j < p; j++)
        grad[j] = (((grad[j] + a0 * x0[j]) + a1 * x1[j]) + a2 * x2[j]) + a3 * x3[j];
}

#if defined(__GNUC__) && defined(__AVX__)
/* Four doubles as one vector (GCC's and clang's vector extension: one register at
 * AVX2 and AVX-512), each lane its own chain of IEEE operations.
 * Written out rather than left to the auto-vectorizer, which for the sixteen sums of
 * four rows interleaved the loop's iterations with shuffles and spills, and ran slower. */
typedef double gdi_v4 __attribute__((vector_size(4 * sizeof(double))));

/* No functions take or return a vector: at the baseline that would change the ABI
 * (GCC's -Wpsabi). */
#define LOAD4(v, x) memcpy(&(v), (x), sizeof(v))
/* The score of a row from gdi_row_dot's partial sums s0..s3, in its order. */
#define ROW_SCORE(s) (((s)[0] + (s)[1]) + ((s)[2] + (s)[3]))

/* z[r stride] = gdi_row_dot(start, row r, w, p) for the rows idx[r stride], r < 4,
 * p >= 4; when ahead is not NULL, asks for the rows ahead[r stride] on the way, a line
 * of each every other step: in one burst, the requests wait for the few line fill
 * buffers and hold the additions up, where spread out they overlap them. */
static ALWAYS_INLINE void four_scores(double *restrict z, const double *restrict X, size_t p,
                                      const size_t *restrict idx, size_t stride, double start,
                                      const double *restrict w, const size_t *restrict ahead)
{
    const double *x0 = X + idx[0] * p, *x1 = X + idx[stride] * p;
    const double *x2 = X + idx[2 * stride] * p, *x3 = X + idx[3 * stride] * p;
    const double *a0 = X, *a1 = X, *a2 = X, *a3 = X;
    if (ahead) {
        a0 = X + ahead[0] * p, a1 = X + ahead[stride] * p;
        a2 = X + ahead[2 * stride] * p, a3 = X + ahead[3 * stride] * p;
    }
    gdi_v4 s0 = {start, 0, 0, 0}, s1 = s0, s2 = s0, s3 = s0; /* one row each */
    size_t j = 0;
    for (; j + 4 <= p; j += 4) {
        if (ahead && j % 8 == 0) { /* a 64-byte line: 8 doubles */
            gdi_prefetch_line(a0 + j);
            gdi_prefetch_line(a1 + j);
            gdi_prefetch_line(a2 + j);
            gdi_prefetch_line(a3 + j);
        }
        gdi_v4 wj, v0, v1, v2, v3;
        LOAD4(wj, w + j);
        LOAD4(v0, x0 + j);
        LOAD4(v1, x1 + j);
        LOAD4(v2, x2 + j);
        LOAD4(v3, x3 + j);
        s0 += v0 * wj;
        s1 += v1 * wj;
        s2 += v2 * wj;
        s3 += v3 * wj;
    }
    for (; j < p; j++) {
        s0[0] += x0[j] * w[j];
        s1[0] += x1[j] * w[j];
        s2[0] += x2[j] * w[j];
        s3[0] += x3[j] * w[j];
    }
    /* ROW_SCORE of the four rows at once, from their sums transposed (lane r of t_c
     * is s_c of row r) */
    gdi_v4 t0 = {s0[0], s1[0], s2[0], s3[0]}, t1 = {s0[1], s1[1], s2[1], s3[1]};
    gdi_v4 t2 = {s0[2], s1[2], s2[2], s3[2]}, t3 = {s0[3], s1[3], s2[3], s3[3]};
    gdi_v4 scores = (t0 + t1) + (t2 + t3);
    for (size_t r = 0; r < 4; r++)
        z[r * stride] = scores[r];
}

static void block_scores(double *restrict z, const double *restrict X, size_t p,
                         const size_t *restrict idx, size_t count, double start,
                         const double *restrict w, const size_t *restrict ahead, size_t ahead_count)
{
    const size_t quads = p >= 4 ? count / 4 : 0;
    for (size_t q = 0; q < quads; q++) {
        /* Rows of more than two lines go four a quarter of the block apart: four
         * streams through memory, each in address order.  Four neighbouring long rows
         * read their lines out of order, which the hardware prefetchers of some cores
         * do not follow (bench/README.md, "Four rows a quarter of a block apart");
         * four short ones are a few neighbouring lines. */
        size_t k = p > 16 ? q : 4 * q, stride = p > 16 ? quads : 1;
        /* spread out within the scores for long rows when all four rows ahead are
         * the scores' (a value alone); a row's lines at a time otherwise, and for
         * short rows, which measured faster (bench/README.md) */
        bool four_ahead = ahead && p > 16 && k + 3 * stride < ahead_count;
        for (size_t r = 0; ahead && !four_ahead && r < 4; r++)
            gdi_prefetch_ahead(X, p, ahead, ahead_count, k + r * stride, 1);
        four_scores(z + k, X, p, idx + k, stride, start, w, four_ahead ? ahead + k : NULL);
    }
    for (size_t k = 4 * quads; k < count; k++) {
        gdi_prefetch_ahead(X, p, ahead, ahead_count, k, 1);
        z[k] = gdi_row_dot(start, X + idx[k] * p, w, p);
    }
}

/* block_accumulate for 4 <= p <= 16, with vectors = p / 4 (a constant once inlined):
 * the gradient's first 4 vectors columns stay in registers over the whole block, so
 * that each row's addition waits only for the one before, not for a store and a
 * load of grad every four rows; the columns beyond, one at a time. */
static ALWAYS_INLINE void accumulate_narrow(double *restrict grad, const double *restrict X,
                                            size_t p, const size_t *restrict idx, size_t count,
                                            const double *restrict a, const size_t *restrict ahead,
                                            size_t ahead_count, size_t vectors)
{
    gdi_v4 g[4];
    for (size_t v = 0; v < vectors; v++)
        LOAD4(g[v], grad + 4 * v);
    for (size_t k = 0; k < count; k++) {
        gdi_prefetch_ahead(X, p, ahead, ahead_count, k, 1);
        const double *x = X + idx[k] * p;
        gdi_v4 scale = {a[k], a[k], a[k], a[k]};
        for (size_t v = 0; v < vectors; v++) {
            gdi_v4 xv;
            LOAD4(xv, x + 4 * v);
            g[v] += scale * xv;
        }
    }
    for (size_t v = 0; v < vectors; v++)
        memcpy(grad + 4 * v, &g[v], sizeof g[v]);
    for (size_t j = 4 * vectors; j < p; j++) {
        double sum = grad[j];
        for (size_t k = 0; k < count; k++)
            sum += a[k] * X[idx[k] * p + j];
        grad[j] = sum;
    }
}

/* The vectors of four columns that the narrow loops keep in registers for p: p / 4
 * for 4 <= p <= 16, else 0 (no narrow loop). */
static size_t narrow_vectors(size_t p)
{
    return p >= 4 && p <= 16 ? p / 4 : 0;
}

/* Whether block_accumulate took the block (4 <= p <= 16).  A case for each count of
 * vectors, so that each inlined copy has it as a constant. */
static bool accumulated_narrow(double *restrict grad, const double *restrict X, size_t p,
                               const size_t *restrict idx, size_t count, const double *restrict a,
                               const size_t *restrict ahead, size_t ahead_count)
{
    switch (narrow_vectors(p)) {
    case 1:
        accumulate_narrow(grad, X, p, idx, count, a, ahead, ahead_count, 1);
        return true;
    case 2:
        accumulate_narrow(grad, X, p, idx, count, a, ahead, ahead_count, 2);
        return true;
    case 3:
        accumulate_narrow(grad, X, p, idx, count, a, ahead, ahead_count, 3);
        return true;
    case 4:
        accumulate_narrow(grad, X, p, idx, count, a, ahead, ahead_count, 4);
        return true;
    default:
        return false;
    }
}

/* least_squares_rows for p in [4 vectors, 4 vectors + 4): the row's score in one
 * vector of gdi_row_dot's four partial sums, the gradient's first 4 vectors columns
 * in registers over all the rows (as in accumulate_narrow), the others in grad. */
static ALWAYS_INLINE void least_squares_narrow(double sums[2], double *restrict grad,
                                               const double *restrict X, size_t p,
                                               const size_t *restrict idx, size_t count,
                                               double start, const double *restrict w,
                                               const double *restrict y, bool prefetched,
                                               size_t vectors)
{
    gdi_v4 g[4], wv[4];
    for (size_t v = 0; v < vectors; v++) {
        LOAD4(wv[v], w + 4 * v);
        g[v] = (gdi_v4){0, 0, 0, 0};
        if (grad)
            LOAD4(g[v], grad + 4 * v);
    }
    double squares = sums[0], residuals = sums[1];
    const size_t distance = gdi_prefetch_distance(p);
    for (size_t k = 0; k < count; k++) {
        if (prefetched && k + distance < count)
            gdi_prefetch_row(X, p, idx[k + distance]);
        const double *x = X + idx[k] * p;
        gdi_v4 xv[4], s = {start, 0, 0, 0};
        for (size_t v = 0; v < vectors; v++) {
            LOAD4(xv[v], x + 4 * v);
            s += xv[v] * wv[v];
        }
        for (size_t j = 4 * vectors; j < p; j++)
            s[0] += x[j] * w[j];
        double r = ROW_SCORE(s) - y[idx[k]];
        squares += r * r;
        residuals += r;
        if (!grad)
            continue;
        gdi_v4 scale = {r, r, r, r};
        for (size_t v = 0; v < vectors; v++)
            g[v] += scale * xv[v];
        for (size_t j = 4 * vectors; j < p; j++)
            grad[j] += r * x[j];
    }
    sums[0] = squares;
    sums[1] = residuals;
    if (grad)
        for (size_t v = 0; v < vectors; v++)
            memcpy(grad + 4 * v, &g[v], sizeof g[v]);
}

#if defined(__AVX512F__)
/* least_squares_rows for p > 16 at AVX-512: four neighbouring rows at a time, their
 * scores (four_scores), residuals and accumulation (add_four_rows) while they are in
 * L1, each four asking for the four gdi_prefetch_distance(p) ahead. */
static void least_squares_wide(double sums[2], double *restrict grad, const double *restrict X,
                               size_t p, const size_t *restrict idx, size_t count, double start,
                               const double *restrict w, const double *restrict y, bool prefetched)
{
    double squares = sums[0], residuals = sums[1], r[4];
    const size_t distance = gdi_prefetch_distance(p);
    size_t k = 0;
    for (; k + 4 <= count; k += 4) {
        bool four_ahead = prefetched && k + 4 + distance <= count;
        for (size_t i = k + distance; prefetched && !four_ahead && i < count; i++)
            gdi_prefetch_row(X, p, idx[i]); /* near the end: the fewer than four left */
        four_scores(r, X, p, idx + k, 1, start, w, four_ahead ? idx + k + distance : NULL);
        for (size_t i = 0; i < 4; i++) {
            r[i] -= y[idx[k + i]];
            squares += r[i] * r[i];
            residuals += r[i];
        }
        if (grad)
            add_four_rows(grad, X, p, idx + k, r);
    }
    for (; k < count; k++) {
        double residual = gdi_row_dot(start, X + idx[k] * p, w, p) - y[idx[k]];
        squares += residual * residual;
        residuals += residual;
        if (grad)
            gdi_row_add_scaled(grad, residual, X + idx[k] * p, p);
    }
    sums[0] = squares;
    sums[1] = residuals;
}
#endif

/* One loop for 4 <= p <= 16, the gradient in registers, and at AVX-512 for p > 16: a
 * block's three loops each wait for memory or for their chain of additions in turn,
 * where one loop overlaps them.  At AVX2 longer rows go by blocks (least_squares.c),
 * whose scores read four streams in address order (block_scores): on the AVX2 core
 * measured (an AMD Zen 3) the one loop's four neighbouring rows left it waiting for
 * memory, where the AVX-512 cores measured (an Intel Xeon, an AMD Zen 5) ran it
 * faster than the blocks (bench/README.md, "Least squares' one loop for long rows at
 * AVX-512"). */
static bool least_squares_rows(double sums[2], double *restrict grad, const double *restrict X,
                               size_t p, const size_t *restrict idx, size_t count, double start,
                               const double *restrict w, const double *restrict y, bool prefetched)
{
    switch (narrow_vectors(p)) {
    case 1:
        least_squares_narrow(sums, grad, X, p, idx, count, start, w, y, prefetched, 1);
        return true;
    case 2:
        least_squares_narrow(sums, grad, X, p, idx, count, start, w, y, prefetched, 2);
        return true;
    case 3:
        least_squares_narrow(sums, grad, X, p, idx, count, start, w, y, prefetched, 3);
        return true;
    case 4:
        least_squares_narrow(sums, grad, X, p, idx, count, start, w, y, prefetched, 4);
        return true;
    default:
#if defined(__AVX512F__)
        if (p > 16) {
            least_squares_wide(sums, grad, X, p, idx, count, start, w, y, prefetched);
            return true;
        }
#endif
        return false;
    }
}
#else
/* Row after row without the vector extension, and at the baseline: with SSE2's
 * sixteen registers of two doubles the four rows' sums spilled to the stack, and the
 * blocked scores ran at half the speed of one row at a time (bench/README.md, "Row
 * loops per level"). */
static void block_scores(double *restrict z, const double *restrict X, size_t p,
                         const size_t *restrict idx, size_t count, double start,
                         const double *restrict w, const size_t *restrict ahead, size_t ahead_count)
{
    for (size_t k = 0; k < count; k++) {
        gdi_prefetch_ahead(X, p, ahead, ahead_count, k, 1);
        z[k] = gdi_row_dot(start, X + idx[k] * p, w, p);
    }
}

/* The block loops (least_squares.c) at the baseline. */
static bool least_squares_rows(double sums[2], double *restrict grad, const double *restrict X,
                               size_t p, const size_t *restrict idx, size_t count, double start,
                               const double *restrict w, const double *restrict y, bool prefetched)
{
    (void)sums, (void)grad, (void)X, (void)p, (void)idx, (void)count, (void)start, (void)w;
    (void)y, (void)prefetched;
    return false;
}
#endif

static void block_accumulate(double *restrict grad, const double *restrict X, size_t p,
                             const size_t *restrict idx, size_t count, const double *restrict a,
                             const size_t *restrict ahead, size_t ahead_count)
{
#if defined(__GNUC__) && defined(__AVX__)
    if (accumulated_narrow(grad, X, p, idx, count, a, ahead, ahead_count))
        return;
#endif
    size_t k = 0;
    for (; k + 4 <= count; k += 4) {
        gdi_prefetch_ahead(X, p, ahead, ahead_count, k, 4);
        add_four_rows(grad, X, p, idx + k, a + k);
    }
    for (; k < count; k++) {
        gdi_prefetch_ahead(X, p, ahead, ahead_count, k, 1);
        gdi_row_add_scaled(grad, a[k], X + idx[k] * p, p);
    }
}

const struct gdi_row_loops GDI_LOOP_TABLE(row_loops) = {
    .scores = block_scores,
    .accumulate = block_accumulate,
    .least_squares = least_squares_rows,
};
