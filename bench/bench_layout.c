/*
 * bench_layout - Adam at one n through gd_optimizer_update and through the hand loop
 * of hand_loops.c with its two state vectors allocated apart (as the library allocates
 * them) or in one block of 3n (as it did before), timed interleaved; best of 9.  It
 * separates the effect of the state's memory layout from that of the code near the
 * last-level cache size.
 *
 * usage: bench_layout N
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>

#include <gdescent.h>

#include "clock.h"
#include "hand_loops.h"

enum { REPEATS = 9 };

int main(int argc, char **argv)
{
    size_t n = argc == 2 ? strtoul(argv[1], NULL, 10) : 0;
    if (n == 0) {
        fprintf(stderr, "usage: bench_layout N\n");
        return 2;
    }
    double *x = malloc(n * sizeof *x), *g = malloc(n * sizeof *g);
    double *apart1 = calloc(n, sizeof *apart1), *apart2 = calloc(n, sizeof *apart2);
    double *block = calloc(3 * n, sizeof *block);
    gd_optimizer *opt = gd_optimizer_new(GD_ADAM, n);
    if (!x || !g || !apart1 || !apart2 || !block || !opt) {
        fprintf(stderr, "bench_layout: no memory\n");
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        x[i] = 1.0;
        g[i] = 0.5;
    }
    gd_optimizer_set(opt, GD_PARAM_LR, 1e-9);
    size_t steps = n < 10000000 ? 20000000 / n + 2 : 2;
    double best[3] = {1e300, 1e300, 1e300}, t_apart = 0.0, t_block = 0.0;
    for (int r = 0; r < REPEATS; r++) {
        double start = now();
        for (size_t k = 0; k < steps; k++)
            gd_optimizer_update(opt, x, g);
        double lib = now() - start;
        start = now();
        for (size_t k = 0; k < steps; k++)
            hand_adam(n, x, g, apart1, apart2, NULL, t_apart += 1.0);
        double apart = now() - start;
        start = now();
        for (size_t k = 0; k < steps; k++)
            hand_adam(n, x, g, block, block + n, NULL, t_block += 1.0);
        double one_block = now() - start;
        best[0] = lib < best[0] ? lib : best[0];
        best[1] = apart < best[1] ? apart : best[1];
        best[2] = one_block < best[2] ? one_block : best[2];
    }
    printf("adam n=%zu (%s): library %.1f us, hand loop with state apart %.1f us, "
           "hand loop with state in one block %.1f us\n",
           n, gd_optimizer_isa(opt), best[0] / (double)steps * 1e6, best[1] / (double)steps * 1e6,
           best[2] / (double)steps * 1e6);
    gd_optimizer_free(opt);
    free(x);
    free(g);
    free(apart1);
    free(apart2);
    free(block);
    return 0;
}
