/*
 * golden_files.h - what test_golden.c and test_lbfgs.c share: opening a file of
 * tests/golden (GD_GOLDEN_DIR) and the least-squares data of make_golden.py, lsq.txt.
 * Include after <cmocka.h>.
 * SPDX-License-Identifier: MIT
 */
#ifndef GD_GOLDEN_FILES_H
#define GD_GOLDEN_FILES_H

#include <stdio.h>
#include <stdlib.h>

#include <gdescent.h>

/* GD_GOLDEN_DIR/file, opened for reading; a missing file fails the test. */
static inline FILE *open_golden(const char *file)
{
    const char *dir = getenv("GD_GOLDEN_DIR");
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : ".", file);
    FILE *in = fopen(path, "r");
    if (!in)
        fail_msg("cannot open %s (GD_GOLDEN_DIR names tests/golden)", path);
    return in;
}

/* lsq.txt: "m p scale", then m rows of p features and the target; with an intercept. */
static inline gd_objective *least_squares_from_file(void)
{
    FILE *in = open_golden("lsq.txt");
    size_t m, p;
    double scale, X[64], y[16];
    assert_int_equal(fscanf(in, "%zu %zu %lf", &m, &p, &scale), 3);
    assert_true(m <= 16 && m * p <= 64);
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < p; j++)
            assert_int_equal(fscanf(in, "%lf", &X[i * p + j]), 1);
        assert_int_equal(fscanf(in, "%lf", &y[i]), 1);
    }
    fclose(in);
    return gd_least_squares_new(m, p, X, y, scale, GD_LS_INTERCEPT);
}

#endif /* GD_GOLDEN_FILES_H */
