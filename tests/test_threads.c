/*
 * test_threads.c - independent optimizers run in 8 threads at once, all evaluating one
 * shared objective handle, give bit-for-bit the results of the same runs made one
 * after another.  Run under ThreadSanitizer by the test command.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include <gdescent.h>

#include "test_util.h"

enum { THREADS = 8, DIM = 6, STEPS = 3000 };

struct job {
    gd_objective *shared; /* evaluated concurrently: gd_objective_eval is thread-safe */
    int index;
    double x[DIM];
    int status;
    size_t records;
};

/* Each job uses another method, learning rate and batch plan, and its own handles. */
static void *run_job(void *arg)
{
    struct job *job = arg;
    int methods = method_count();
    gd_optimizer *opt = gd_optimizer_new((gd_method)(job->index % methods), DIM);
    gd_trajectory *traj = gd_trajectory_new(DIM, GD_TRAJ_X);
    gd_optimizer_set(opt, GD_PARAM_LR, 1e-4 * (1 + job->index / methods));
    gd_optimizer_set(opt, GD_PARAM_MAX_ITER, STEPS);
    gd_trajectory_set_stride(traj, 100);
    for (int j = 0; j < DIM; j++)
        job->x[j] = (j % 2 ? 1.0 : -1.2) + 0.01 * job->index;
    job->status = gd_minimize(opt, job->shared, job->x, traj);
    job->records = gd_trajectory_len(traj);
    gd_trajectory_free(traj);
    gd_optimizer_free(opt);
    return NULL;
}

static void test_threads_match_sequential_runs(void **state)
{
    (void)state;
    gd_objective *shared = gd_rosenbrock_new(DIM);
    struct job sequential[THREADS], parallel[THREADS];
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        sequential[i] = (struct job){.shared = shared, .index = i};
        run_job(&sequential[i]);
        parallel[i] = (struct job){.shared = shared, .index = i};
    }
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, run_job, &parallel[i]), 0);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(parallel[i].status, GD_STOP_MAXITER);
        assert_int_equal(parallel[i].records, sequential[i].records);
        assert_memory_equal(parallel[i].x, sequential[i].x, sizeof parallel[i].x);
    }
    /* The runs differ from one another, so the comparison above means something. */
    assert_memory_not_equal(parallel[0].x, parallel[1].x, sizeof parallel[0].x);
    gd_objective_free(shared);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_match_sequential_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
