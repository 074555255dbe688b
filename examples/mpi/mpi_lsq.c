/*
 * gdescent-mpi-lsq - data-parallel least squares with libgd and MPI.
 *
 * Every rank owns a contiguous shard of a deterministic synthetic data set, evaluates
 * its shard's mean value and gradient with gd_objective_eval, and one MPI_Allreduce
 * sums (shard size * value, shard size * gradient, error flag); every rank then divides
 * by the total size and applies the same gd_optimizer_update, so all ranks hold the
 * same parameters.  See doc/mpi.md.
 *
 * With --batch B each step uses B samples over all ranks: each rank takes a share
 * proportional to its shard, cyclically from its own shuffled order (seeded by --seed
 * and the rank), and evaluates it with gd_objective_eval_terms.
 *
 * --reference runs the whole data set in one process through gd_minimize instead.
 */
#include <math.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gdescent.h>

struct config {
    long samples, features, epochs;
    double lr;
    const char *method; /* sgd, momentum, adam */
    int reference;
    int fail_rank; /* this rank's callback fails at evaluation fail_at */
    long fail_at;
    int empty_rank;     /* this rank gets no samples */
    int odd_rank;       /* this rank believes in one more feature */
    int timing;         /* print seconds per epoch and the share of MPI_Allreduce */
    long batch;         /* 0: full batch; else samples per step over all ranks */
    unsigned long seed; /* of each rank's shuffle, with the rank mixed in */
};

/* This rank's share of a global mini-batch: its samples in an order reshuffled each time
 * it has been used up, taken `share` at a time (cyclically, so every step uses exactly
 * `share` samples and the weights stay fixed). */
struct sampler {
    size_t *order, size, next, share;
    uint64_t state;
    size_t *batch;
};

static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static void reshuffle(struct sampler *s)
{
    for (size_t i = s->size; i > 1; i--) { /* Fisher-Yates; the tiny modulo bias is fine here */
        size_t j = (size_t)(next_random(&s->state) % i), t = s->order[i - 1];
        s->order[i - 1] = s->order[j];
        s->order[j] = t;
    }
    s->next = 0;
}

static int sampler_init(struct sampler *s, size_t size, size_t share, uint64_t seed)
{
    s->size = size;
    s->share = share;
    s->state = seed;
    s->order = malloc((size ? size : 1) * sizeof *s->order);
    s->batch = malloc((share ? share : 1) * sizeof *s->batch);
    if (!s->order || !s->batch)
        return -1;
    for (size_t i = 0; i < size; i++)
        s->order[i] = i;
    reshuffle(s);
    return 0;
}

static const size_t *sampler_next(struct sampler *s)
{
    for (size_t k = 0; k < s->share; k++) {
        if (s->next == s->size)
            reshuffle(s);
        s->batch[k] = s->order[s->next++];
    }
    return s->batch;
}

/* A value in [-1, 1) that depends only on (i, j): every rank builds its shard alone. */
static double synthetic(uint64_t i, uint64_t j)
{
    uint64_t z = i * UINT64_C(0x9E3779B97F4A7C15) + j * UINT64_C(0xD1B54A32D192ED03) + 1;
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return (double)((z ^ (z >> 31)) >> 11) / 4503599627370496.0 - 1.0;
}

/* Samples [lo, hi): features x_ij, target y_i = sum_j (j+1) x_ij / p + 0.5 + noise. */
static gd_objective *make_shard(long lo, long hi, long p)
{
    long m = hi - lo;
    if (m <= 0)
        return NULL;
    double *X = malloc((size_t)(m * p) * sizeof *X), *y = malloc((size_t)m * sizeof *y);
    gd_objective *obj = NULL;
    if (X && y) {
        for (long i = 0; i < m; i++) {
            double target = 0.5 + 0.01 * synthetic((uint64_t)(lo + i), UINT64_MAX);
            for (long j = 0; j < p; j++) {
                X[i * p + j] = synthetic((uint64_t)(lo + i), (uint64_t)j);
                target += (double)(j + 1) / (double)p * X[i * p + j];
            }
            y[i] = target;
        }
        obj = gd_least_squares_new((size_t)m, (size_t)p, X, y, 0.5, GD_LS_INTERCEPT);
    }
    free(X);
    free(y);
    return obj;
}

static gd_optimizer *make_optimizer(const struct config *c, size_t n)
{
    gd_method method = strcmp(c->method, "adam") == 0 ? GD_ADAM : GD_SGD;
    gd_optimizer *opt = gd_optimizer_new(method, n);
    if (opt && (gd_optimizer_set(opt, GD_PARAM_LR, c->lr) != GD_OK ||
                (strcmp(c->method, "momentum") == 0 &&
                 gd_optimizer_set(opt, GD_PARAM_MOMENTUM, 0.9) != GD_OK) ||
                gd_optimizer_set(opt, GD_PARAM_MAX_ITER, (double)c->epochs) != GD_OK)) {
        gd_optimizer_free(opt);
        return NULL;
    }
    return opt;
}

/* Prints the parameters exactly (hexadecimal floating point), one rank per line. */
static void print_result(int rank, const double *w, size_t n)
{
    printf("rank %d:", rank);
    for (size_t j = 0; j < n; j++)
        printf(" %a", w[j]);
    printf("\n");
    fflush(stdout);
}

static int run_reference(const struct config *c)
{
    size_t n = (size_t)c->features + 1;
    gd_objective *obj = make_shard(0, c->samples, c->features);
    gd_optimizer *opt = obj ? make_optimizer(c, n) : NULL;
    double *w = calloc(n, sizeof *w);
    int rc = 1;
    if (obj && opt && w && gd_minimize(opt, obj, w, NULL) == GD_STOP_MAXITER) {
        print_result(0, w, n);
        rc = 0;
    }
    free(w);
    gd_optimizer_free(opt);
    gd_objective_free(obj);
    return rc;
}

/* Consensus: 0 when every rank said 0, else 1 on every rank. */
static int any_rank(int local_error)
{
    int global = 0;
    MPI_Allreduce(&local_error, &global, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return global;
}

/* Evaluates this rank's part of a step: the whole shard, or its share of the batch. */
static int evaluate(gd_objective *shard, struct sampler *s, const double *w, double *f,
                    double *grad, size_t n)
{
    if (!s)
        return gd_objective_eval(shard, w, f, grad);
    if (s->share == 0) { /* a batch smaller than the number of ranks can miss this one */
        *f = 0.0;
        memset(grad, 0, n * sizeof *grad);
        return GD_OK;
    }
    return gd_objective_eval_terms(shard, w, sampler_next(s), s->share, f, grad);
}

/* One step's combined value and gradient; buf holds n + 2 doubles.  `weight` is the
 * number of samples this rank evaluated, `total` the sum over ranks. */
static int combine(gd_objective *shard, struct sampler *s, long weight, long total, const double *w,
                   double *buf, size_t n, int local_error, double *reduce_seconds)
{
    double *f = buf, *grad = buf + 1, *error = buf + n + 1;
    *error = local_error || evaluate(shard, s, w, f, grad, n) != GD_OK;
    for (size_t j = 0; j <= n; j++)
        buf[j] = *error ? 0.0 : buf[j] * (double)weight;
    double start = MPI_Wtime();
    MPI_Allreduce(MPI_IN_PLACE, buf, (int)(n + 2), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    *reduce_seconds += MPI_Wtime() - start;
    if (*error != 0.0)
        return -1;
    for (size_t j = 0; j <= n; j++)
        buf[j] /= (double)total;
    return 0;
}

static int run_parallel(const struct config *c, int rank, int size)
{
    long lo = c->samples * rank / size, hi = c->samples * (rank + 1) / size;
    if (rank == c->empty_rank)
        hi = lo;
    long p = c->features + (rank == c->odd_rank);
    long shard_size = hi - lo, total = 0;
    gd_objective *shard = make_shard(lo, hi, p);
    size_t n = (size_t)p + 1;
    long n_min = (long)n, n_max = (long)n;
    MPI_Allreduce(MPI_IN_PLACE, &n_min, 1, MPI_LONG, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(MPI_IN_PLACE, &n_max, 1, MPI_LONG, MPI_MAX, MPI_COMM_WORLD);
    MPI_Allreduce(&shard_size, &total, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
    gd_optimizer *opt = make_optimizer(c, n);
    double *w = calloc(n, sizeof *w), *buf = malloc((n + 2) * sizeof *buf);
    /* Shares of the batch proportional to the shards, summing exactly to the batch. */
    long weight = shard_size;
    struct sampler sampler = {0}, *s = NULL;
    int no_sampler = 0;
    if (c->batch > 0) {
        long share = c->batch * hi / c->samples - c->batch * lo / c->samples;
        if (rank == c->empty_rank)
            share = 0;
        s = &sampler;
        no_sampler = sampler_init(s, (size_t)shard_size, (size_t)share,
                                  c->seed * 1000003u + (uint64_t)rank) != 0;
        weight = share;
        MPI_Allreduce(&weight, &total, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
    }
    int failed = any_rank(!shard || !opt || !w || !buf || no_sampler);
    if (n_min != n_max) {
        if (rank == 0)
            fprintf(stderr, "gdescent-mpi-lsq: ranks disagree on the dimension (%ld to %ld)\n",
                    n_min, n_max);
        failed = 1;
    } else if (failed && rank == 0) {
        fprintf(stderr, "gdescent-mpi-lsq: a rank could not build its shard "
                        "(an empty shard, or out of memory)\n");
    }
    double reduce_seconds = 0.0, start = MPI_Wtime();
    for (long epoch = 0; !failed && epoch < c->epochs; epoch++) {
        int injected = rank == c->fail_rank && epoch + 1 == c->fail_at;
        if (combine(shard, s, weight, total, w, buf, n, injected, &reduce_seconds) != 0) {
            if (rank == 0)
                fprintf(stderr, "gdescent-mpi-lsq: evaluation failed on a rank at epoch %ld\n",
                        epoch);
            failed = 1;
        } else {
            gd_optimizer_update(opt, w, buf + 1);
        }
    }
    double seconds = MPI_Wtime() - start;
    if (!failed && c->timing && rank == 0 && c->epochs > 0)
        printf("%d ranks: %.6f s per epoch, %.1f%% of it in MPI_Allreduce (rank 0)\n", size,
               seconds / (double)c->epochs, 100.0 * reduce_seconds / seconds);
    if (!failed)
        print_result(rank, w, n);
    free(sampler.order);
    free(sampler.batch);
    free(w);
    free(buf);
    gd_optimizer_free(opt);
    gd_objective_free(shard);
    return failed;
}

static int parse(int argc, char **argv, struct config *c)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--reference") == 0) {
            c->reference = 1;
            continue;
        }
        if (strcmp(a, "--timing") == 0) {
            c->timing = 1;
            continue;
        }
        if (!v)
            return -1;
        i++;
        if (strcmp(a, "--samples") == 0)
            c->samples = atol(v);
        else if (strcmp(a, "--features") == 0)
            c->features = atol(v);
        else if (strcmp(a, "--epochs") == 0)
            c->epochs = atol(v);
        else if (strcmp(a, "--lr") == 0)
            c->lr = atof(v);
        else if (strcmp(a, "--method") == 0)
            c->method = v;
        else if (strcmp(a, "--fail-rank") == 0)
            c->fail_rank = atoi(v);
        else if (strcmp(a, "--fail-at") == 0)
            c->fail_at = atol(v);
        else if (strcmp(a, "--empty-rank") == 0)
            c->empty_rank = atoi(v);
        else if (strcmp(a, "--odd-rank") == 0)
            c->odd_rank = atoi(v);
        else if (strcmp(a, "--batch") == 0)
            c->batch = atol(v);
        else if (strcmp(a, "--seed") == 0)
            c->seed = strtoul(v, NULL, 10);
        else
            return -1;
    }
    return c->samples > 0 && c->features > 0 && c->epochs >= 0 && c->batch >= 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    struct config c = {.samples = 1000000,
                       .features = 8,
                       .epochs = 100,
                       .lr = 0.5,
                       .method = "sgd",
                       .fail_rank = -1,
                       .empty_rank = -1,
                       .odd_rank = -1};
    MPI_Init(&argc, &argv);
    int rank, size, rc;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (parse(argc, argv, &c) != 0) {
        if (rank == 0)
            fprintf(stderr,
                    "usage: gdescent-mpi-lsq [--samples N] [--features P] "
                    "[--epochs STEPS] [--lr X] [--method sgd|momentum|adam] [--batch B --seed S] "
                    "[--reference] [--timing] [--fail-rank R --fail-at E] [--empty-rank R] "
                    "[--odd-rank R]\n");
        rc = 2;
    } else {
        rc = c.reference ? (rank == 0 ? run_reference(&c) : 0) : run_parallel(&c, rank, size);
    }
    MPI_Finalize();
    return rc;
}
