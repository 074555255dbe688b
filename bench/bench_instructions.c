/*
 * bench_instructions - fixed loops for instruction counts, which unlike timings repeat
 * exactly: without arguments 100000 gd_step calls (SGD on gd_quadratic_new(2, NULL,
 * 1.0)) and 100000 Adam gd_optimizer_update calls at n = 2; with --large one
 * gd_minimize of 20 SGD iterations on gd_quadratic_new(1e6, NULL, 1.0).
 *
 *   valgrind --tool=callgrind --callgrind-out-file=cg.out build/bench/bench_instructions
 *   callgrind_annotate --inclusive=yes cg.out |
 *       grep -E 'gd_step|gd_optimizer_update|gd_minimize|fdf'
 *
 * and divide by the calls; with --large, gd_minimize's count less quadratic_fdf's is
 * its cost beyond the objective, over 20 iterations.  valgrind's CPU has no AVX-512:
 * the avx2 level runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gdescent.h>

enum { CALLS = 100000, LARGE_N = 1000000, LARGE_ITERATIONS = 20 };

static int minimize_large(void)
{
    gd_objective *f = gd_quadratic_new(LARGE_N, NULL, 1.0);
    gd_optimizer *sgd = gd_optimizer_new(GD_SGD, LARGE_N);
    double *x = malloc(LARGE_N * sizeof *x);
    int rc = f && sgd && x ? GD_OK : GD_ENOMEM;
    if (rc == GD_OK) {
        for (size_t i = 0; i < LARGE_N; i++)
            x[i] = 1.0 + 1e-3 * (double)(i % 97);
        gd_optimizer_set(sgd, GD_PARAM_LR, 1e-9);
        gd_optimizer_set(sgd, GD_PARAM_MAX_ITER, LARGE_ITERATIONS);
        rc = gd_minimize(sgd, f, x, NULL);
    }
    free(x);
    gd_optimizer_free(sgd);
    gd_objective_free(f);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--large") == 0) {
        int rc = minimize_large();
        printf("gd_minimize at n = %d: %s\n", LARGE_N, gd_strerror(rc));
        return rc == GD_STOP_MAXITER ? 0 : 1;
    }
    gd_objective *f = gd_quadratic_new(2, NULL, 1.0);
    gd_optimizer *sgd = gd_optimizer_new(GD_SGD, 2), *adam = gd_optimizer_new(GD_ADAM, 2);
    if (!f || !sgd || !adam) {
        fprintf(stderr, "bench_instructions: no memory\n");
        return 1;
    }
    gd_optimizer_set(sgd, GD_PARAM_LR, 1e-9);
    double x[2] = {1.0, 2.0}, g[2] = {0.5, -0.25}, value = 0.0;
    for (int k = 0; k < CALLS; k++)
        gd_step(sgd, f, x, &value);
    for (int k = 0; k < CALLS; k++)
        gd_optimizer_update(adam, x, g);
    printf("x = (%g, %g), f = %g\n", x[0], x[1], value);
    gd_optimizer_free(sgd);
    gd_optimizer_free(adam);
    gd_objective_free(f);
    return 0;
}
