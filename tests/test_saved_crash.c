/*
 * test_saved_crash.c - gd_optimizer_save_file killed mid-save: a child process saves
 * two different states to the same path in a loop until the parent kills it
 * (SIGKILL, after a few milliseconds that vary from round to round); the file must
 * then load, and hold one of the two states whole.
 * SPDX-License-Identifier: MIT
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, nanosleep */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gdescent.h>

/* Adam's three state vectors of N doubles: 2.4 MB a state, small enough for the
 * valgrind run of the unit tests. */
enum { N = 100000, ROUNDS = 20 };

static unsigned char *state_of(const gd_optimizer *opt, size_t *size)
{
    *size = gd_optimizer_state_size(opt);
    unsigned char *buf = malloc(*size);
    assert_non_null(buf);
    assert_int_equal(gd_optimizer_save(opt, buf, *size), GD_OK);
    return buf;
}

/* Removes every file of dir (the state and any temporary file a killed save left),
 * returning how many there were besides the state. */
static int empty_directory(const char *dir, const char *keep)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int others = 0;
    char path[512];
    for (struct dirent *e; (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        others += strcmp(e->d_name, keep) != 0;
        int length = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        assert_true(length > 0 && (size_t)length < sizeof path);
        assert_int_equal(unlink(path), 0);
    }
    closedir(d);
    return others;
}

static void test_killed_saves_leave_a_whole_state(void **state)
{
    (void)state;
    char dir[] = "/tmp/gd-crash-XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/state", dir);
    gd_optimizer *one = gd_optimizer_new(GD_ADAM, N), *two = gd_optimizer_new(GD_ADAM, N);
    assert_non_null(one);
    assert_non_null(two);
    double *x = malloc(N * sizeof *x), *g = malloc(N * sizeof *g);
    assert_non_null(x);
    assert_non_null(g);
    for (size_t i = 0; i < N; i++) {
        x[i] = (double)i / N;
        g[i] = 1.0 - 2.0 * (double)(i % 7) / 7;
    }
    assert_int_equal(gd_optimizer_update(one, x, g), GD_OK);
    assert_int_equal(gd_optimizer_update(two, x, g), GD_OK);
    assert_int_equal(gd_optimizer_update(two, x, g), GD_OK);
    size_t one_size, two_size;
    unsigned char *one_state = state_of(one, &one_size), *two_state = state_of(two, &two_size);
    assert_int_equal(one_size, two_size);
    assert_memory_not_equal(one_state, two_state, one_size);

    gd_optimizer *loaded = gd_optimizer_new(GD_ADAM, N);
    assert_non_null(loaded);
    int found[2] = {0, 0}, leftovers = 0;
    for (int round = 0; round < ROUNDS; round++) {
        assert_int_equal(gd_optimizer_save_file(one, path), GD_OK);
        fflush(NULL);
        int started[2];
        assert_int_equal(pipe(started), 0);
        pid_t child = fork();
        assert_true(child >= 0);
        if (child == 0) { /* tells the parent it runs, then saves until killed */
            close(started[0]);
            if (write(started[1], "s", 1) != 1)
                _exit(1);
            for (long k = 0;; k++)
                if (gd_optimizer_save_file(k % 2 ? one : two, path) != GD_OK)
                    _exit(1);
        }
        char byte;
        close(started[1]);
        assert_int_equal(read(started[0], &byte, 1), 1);
        close(started[0]);
        /* 1 to 12 ms after the child started: during the first saves or later ones */
        long us = 1000 + (round * 7919L) % 11000;
        struct timespec delay = {0, us * 1000};
        nanosleep(&delay, NULL);
        assert_int_equal(kill(child, SIGKILL), 0);
        int status;
        assert_int_equal(waitpid(child, &status, 0), child);
        if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
            fail_msg("round %d: the child ended by itself (status %d)", round, status);
        assert_int_equal(gd_optimizer_load_file(loaded, path), GD_OK);
        size_t size;
        unsigned char *now = state_of(loaded, &size);
        assert_int_equal(size, one_size);
        bool is_one = memcmp(now, one_state, size) == 0, is_two = memcmp(now, two_state, size) == 0;
        free(now);
        if (!is_one && !is_two)
            fail_msg("round %d: the file holds neither state", round);
        found[is_two]++;
        leftovers += empty_directory(dir, "state");
    }
    /* Which state each round found, and the temporary files the killed saves left
     * (removed), for the log. */
    printf("# %d rounds: the first state %d times, the second %d times; %d temporary "
           "files left by killed saves\n",
           ROUNDS, found[0], found[1], leftovers);
    assert_int_equal(rmdir(dir), 0);
    free(one_state);
    free(two_state);
    free(x);
    free(g);
    gd_optimizer_free(one);
    gd_optimizer_free(two);
    gd_optimizer_free(loaded);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_killed_saves_leave_a_whole_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
