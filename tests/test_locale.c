/*
 * test_locale.c - trajectory CSV files hold C-locale numbers whatever the caller's
 * locale: under one whose decimal point is a comma, set for the process (setlocale) or
 * for the thread (uselocale), and the library leaves that locale as it was.
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, setenv, duplocale, uselocale */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gdescent.h>

static bool comma_decimal(const char *name)
{
    return setlocale(LC_ALL, name) && strcmp(localeconv()->decimal_point, ",") == 0;
}

/* Sets a locale whose decimal point is ',' for the process: an installed one, else de_DE
 * compiled by localedef into the directory dir (found through LOCPATH).  None is a
 * failure, not a skip: scripts/test installs localedef (Debian's package locales). */
static void use_comma_locale(char *dir)
{
    static const char *const installed[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8",
                                            "fr_FR.utf8",  "de_DE",      "fr_FR"};
    for (size_t i = 0; i < sizeof installed / sizeof installed[0]; i++)
        if (comma_decimal(installed[i]))
            return;
    char command[256];
    snprintf(command, sizeof command, "localedef -i de_DE -f UTF-8 %s/de_DE.UTF-8 >&2", dir);
    int rc = system(command);
    setenv("LOCPATH", dir, 1);
    if (!comma_decimal("de_DE.UTF-8"))
        fail_msg("no locale with a decimal comma: none installed, and '%s' failed (%d) "
                 "(Debian: apt-get install locales)",
                 command, rc);
}

/* The file at path, which must be shorter than size. */
static void read_text(const char *path, char *text, size_t size)
{
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    size_t len = fread(text, 1, size, in);
    fclose(in);
    assert_true(len < size);
    text[len] = '\0';
}

/* Under the comma locale, one run's CSV file is what printf writes in the C locale, and
 * each number reads back (in the C locale) as the double recorded. */
static void test_csv_numbers_are_c_locale(void **state)
{
    (void)state;
    /* 1.15625 and halvings of it (decimal points), 0.1 (17 digits), 3e-7 (exponents). */
    double x[3] = {1.15625, 0.1, -3e-7};
    gd_objective *f = gd_quadratic_new(3, NULL, 1.0);
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 3);
    gd_trajectory *traj = gd_trajectory_new(3, GD_TRAJ_X);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_LR, 0.25), GD_OK);
    assert_int_equal(gd_optimizer_set(opt, GD_PARAM_MAX_ITER, 3), GD_OK);
    assert_int_equal(gd_minimize(opt, f, x, traj), GD_STOP_MAXITER);

    char expected[2048], text[2048], *end = expected;
    end += sprintf(end, "iter,f,grad_norm,x0,x1,x2\n");
    for (size_t k = 0; k < gd_trajectory_len(traj); k++) {
        const double *xk = gd_trajectory_x(traj, k);
        end += sprintf(end, "%zu,%.17g,%.17g,%.17g,%.17g,%.17g\n", gd_trajectory_iter(traj, k),
                       gd_trajectory_f(traj, k), gd_trajectory_grad_norm(traj, k), xk[0], xk[1],
                       xk[2]);
    }
    assert_non_null(strstr(expected, ",1.15625,"));

    char dir[] = "/tmp/gdescent-locale-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.csv", dir);
    use_comma_locale(dir);
    assert_int_equal(gd_trajectory_write_csv(traj, path), GD_OK);
    assert_string_equal(localeconv()->decimal_point, ","); /* as the caller set it */
    /* A copy for the thread below (newlocale leaks its LOCPATH in Debian 12's glibc). */
    locale_t comma = duplocale(LC_GLOBAL_LOCALE);
    assert_non_null(comma);
    setlocale(LC_ALL, "C");
    read_text(path, text, sizeof text);
    assert_string_equal(text, expected);

    /* The same with the comma locale set for this thread only. */
    uselocale(comma);
    assert_string_equal(localeconv()->decimal_point, ",");
    assert_int_equal(gd_trajectory_write_csv(traj, path), GD_OK);
    uselocale(LC_GLOBAL_LOCALE);
    freelocale(comma);
    read_text(path, text, sizeof text);
    assert_string_equal(text, expected);

    /* 17 significant digits read back to the same doubles. */
    char *p = strchr(text, '\n') + 1;
    for (size_t k = 0; k < gd_trajectory_len(traj); k++) {
        const double *xk = gd_trajectory_x(traj, k);
        const double want[5] = {gd_trajectory_f(traj, k), gd_trajectory_grad_norm(traj, k), xk[0],
                                xk[1], xk[2]};
        assert_int_equal(strtoul(p, &p, 10), gd_trajectory_iter(traj, k));
        for (int c = 0; c < 5; c++) {
            assert_int_equal(*p++, ',');
            assert_true(strtod(p, &p) == want[c]);
        }
        assert_int_equal(*p++, '\n');
    }

    char command[64];
    snprintf(command, sizeof command, "rm -rf %s", dir);
    assert_int_equal(system(command), 0);
    gd_trajectory_free(traj);
    gd_optimizer_free(opt);
    gd_objective_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_numbers_are_c_locale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
