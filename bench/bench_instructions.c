/*
 * bench_instructions - a fixed loop of 100000 gd_step calls (SGD on
 * gd_quadratic_new(2, NULL, 1.0)) and 100000 Adam gd_optimizer_update calls at n = 2,
 * for instruction counts, which unlike timings repeat exactly:
 *
 *   valgrind --tool=callgrind --callgrind-out-file=cg.out build/bench/bench_instructions
 *   callgrind_annotate --inclusive=yes cg.out | grep -E 'gd_step|gd_optimizer_update|fdf'
 *
 * and divide by 100000.  (valgrind's CPU has no AVX-512: the avx2 level runs.)
 */
#include <stdio.h>

#include <gdescent.h>

enum { CALLS = 100000 };

int main(void)
{
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
