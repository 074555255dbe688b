/*
 * test_bad_input.c - one table: every public function given NULL pointers, n = 0, sizes
 * whose byte count overflows, mismatched dimensions, NaN and infinite values and unknown
 * enum values.  Each row must return its documented error, and afterwards the fixture's
 * handles must be exactly as before: same x, parameters, iteration count, records.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include <gdescent.h>

struct fixture {
    gd_optimizer *opt;    /* SGD, n = 2 */
    gd_objective *obj;    /* quadratic, n = 2 */
    gd_objective *obj3;   /* quadratic, n = 3: a mismatch */
    gd_trajectory *traj;  /* n = 2, one record */
    gd_trajectory *traj3; /* n = 3 */
    double x[3], grad[3], value;
};

enum expect { E_INVAL = GD_EINVAL, E_NULL = 100, E_ZERO = 101, E_SIZE_MAX = 102, E_NAN = 103 };

struct row {
    const char *what;
    enum expect expect;
    /* Returns the status, a pointer's nullness (1 = NULL) or a size, per expect. */
    double (*call)(struct fixture *f);
};

static double ptr(const void *p)
{
    return p == NULL;
}

static double c_obj_new_0(struct fixture *f)
{
    (void)f;
    return ptr(gd_objective_new(0, NULL, NULL));
}
static double c_obj_new_huge(struct fixture *f)
{
    (void)f;
    return ptr(gd_objective_new_sum(SIZE_MAX / 4, 2, NULL, NULL));
}
static double c_quad_0(struct fixture *f)
{
    (void)f;
    return ptr(gd_quadratic_new(0, NULL, 1.0));
}
static double c_quad_nan(struct fixture *f)
{
    (void)f;
    return ptr(gd_quadratic_new(2, NULL, NAN));
}
static double c_quad_inf(struct fixture *f)
{
    (void)f;
    return ptr(gd_quadratic_new(2, NULL, -INFINITY));
}
static double c_lsq_null(struct fixture *f)
{
    (void)f;
    return ptr(gd_least_squares_new(2, 2, NULL, NULL, 1.0, 0));
}
static double c_lsq_overflow(struct fixture *f)
{
    return ptr(gd_least_squares_new(SIZE_MAX / 2, 3, f->x, f->x, 1.0, 0));
}
static double c_lsq_flags(struct fixture *f)
{
    return ptr(gd_least_squares_new(1, 1, f->x, f->x, 1.0, 0x80u));
}
static double c_logistic_null(struct fixture *f)
{
    return ptr(gd_logistic_new(2, 1, NULL, f->x, 0.0, 0));
}
static double c_logistic_overflow(struct fixture *f)
{
    return ptr(gd_logistic_new(SIZE_MAX / 2, 3, f->x, f->x, 0.0, 0));
}
static double c_logistic_label(struct fixture *f)
{
    const double y[1] = {2.0};
    return ptr(gd_logistic_new(1, 1, f->x, y, 0.0, 0));
}
static double c_logistic_l2(struct fixture *f)
{
    const double y[1] = {1.0};
    return ptr(gd_logistic_new(1, 1, f->x, y, NAN, GD_INTERCEPT));
}
static double c_softmax_k1(struct fixture *f)
{
    const size_t labels[1] = {0};
    return ptr(gd_softmax_new(1, 1, 1, f->x, labels, 0.0, 0));
}
static double c_softmax_label(struct fixture *f)
{
    const size_t labels[1] = {3};
    return ptr(gd_softmax_new(1, 1, 3, f->x, labels, 0.0, 0));
}
static double c_softmax_overflow(struct fixture *f)
{
    const size_t labels[1] = {0};
    return ptr(gd_softmax_new(1, 1, SIZE_MAX / 2 + 1, f->x, labels, 0.0, GD_INTERCEPT));
}
static double c_softmax_flags(struct fixture *f)
{
    const size_t labels[1] = {0};
    return ptr(gd_softmax_new(1, 1, 2, f->x, labels, 0.0, 0x80u));
}
static double c_median_0(struct fixture *f)
{
    return ptr(gd_geometric_median_new(0, 2, f->x, NULL));
}
static double c_median_overflow(struct fixture *f)
{
    return ptr(gd_geometric_median_new(SIZE_MAX / 2, 3, f->x, NULL));
}
static double c_rosen_1(struct fixture *f)
{
    (void)f;
    return ptr(gd_rosenbrock_new(1));
}
static double c_dim_null(struct fixture *f)
{
    (void)f;
    return (double)gd_objective_dim(NULL);
}
static double c_terms_null(struct fixture *f)
{
    (void)f;
    return (double)gd_objective_terms(NULL);
}
static double c_eval_null_obj(struct fixture *f)
{
    return gd_objective_eval(NULL, f->x, &f->value, f->grad);
}
static double c_eval_null_x(struct fixture *f)
{
    return gd_objective_eval(f->obj, NULL, &f->value, f->grad);
}
static double c_terms_null_idx(struct fixture *f)
{
    return gd_objective_eval_terms(f->obj, f->x, NULL, 1, &f->value, NULL);
}
static double c_method_null(struct fixture *f)
{
    (void)f;
    gd_method m;
    return gd_method_by_name(NULL, &m);
}
static double c_method_unknown(struct fixture *f)
{
    (void)f;
    gd_method m;
    return gd_method_by_name("newton", &m);
}
static double c_opt_new_0(struct fixture *f)
{
    (void)f;
    return ptr(gd_optimizer_new(GD_SGD, 0));
}
static double c_opt_new_huge(struct fixture *f)
{
    (void)f;
    return ptr(gd_optimizer_new(GD_ADAM, SIZE_MAX / 8));
}
static double c_opt_new_method(struct fixture *f)
{
    (void)f;
    return ptr(gd_optimizer_new((gd_method)42, 2));
}
static double c_opt_new_negative(struct fixture *f)
{
    (void)f;
    return ptr(gd_optimizer_new((gd_method)-3, 2));
}
static double c_set_null(struct fixture *f)
{
    (void)f;
    return gd_optimizer_set(NULL, GD_PARAM_LR, 0.1);
}
static double c_set_key(struct fixture *f)
{
    return gd_optimizer_set(f->opt, (gd_param)77, 0.1);
}
static double c_set_negative_key(struct fixture *f)
{
    return gd_optimizer_set(f->opt, (gd_param)-5, 0.1);
}
static double c_set_foreign_key(struct fixture *f)
{
    return gd_optimizer_set(f->opt, GD_PARAM_BETA1, 0.5);
}
static double c_set_nan(struct fixture *f)
{
    return gd_optimizer_set(f->opt, GD_PARAM_LR, NAN);
}
static double c_set_inf(struct fixture *f)
{
    return gd_optimizer_set(f->opt, GD_PARAM_WEIGHT_DECAY, INFINITY);
}
static double c_set_range(struct fixture *f)
{
    return gd_optimizer_set(f->opt, GD_PARAM_MOMENTUM, 1.0);
}
static double c_get_null(struct fixture *f)
{
    return gd_optimizer_get(f->opt, GD_PARAM_LR, NULL);
}
static double c_get_key(struct fixture *f)
{
    return gd_optimizer_get(f->opt, (gd_param)40, &f->value);
}
static double c_name_null(struct fixture *f)
{
    return gd_optimizer_set_by_name(f->opt, NULL, 0.1);
}
static double c_name_unknown(struct fixture *f)
{
    return gd_optimizer_set_by_name(f->opt, "learning_rate", 0.1);
}
static double c_reset_null(struct fixture *f)
{
    (void)f;
    return gd_optimizer_reset(NULL);
}
static double c_iter_null(struct fixture *f)
{
    (void)f;
    return (double)gd_optimizer_iterations(NULL);
}
static double c_isa_null(struct fixture *f)
{
    (void)f;
    return ptr(gd_optimizer_isa(NULL));
}
static double c_update_null_x(struct fixture *f)
{
    return gd_optimizer_update(f->opt, NULL, f->grad);
}
static double c_update_null_g(struct fixture *f)
{
    return gd_optimizer_update(f->opt, f->x, NULL);
}
static double c_step_null(struct fixture *f)
{
    return gd_step(f->opt, NULL, f->x, NULL);
}
static double c_step_mismatch(struct fixture *f)
{
    return gd_step(f->opt, f->obj3, f->x, NULL);
}
static double c_min_null(struct fixture *f)
{
    return gd_minimize(NULL, f->obj, f->x, NULL);
}
static double c_min_mismatch(struct fixture *f)
{
    return gd_minimize(f->opt, f->obj3, f->x, NULL);
}
static double c_min_traj(struct fixture *f)
{
    return gd_minimize(f->opt, f->obj, f->x, f->traj3);
}
static double c_monitor_null(struct fixture *f)
{
    (void)f;
    return gd_optimizer_set_monitor(NULL, NULL, NULL);
}
static double c_traj_0(struct fixture *f)
{
    (void)f;
    return ptr(gd_trajectory_new(0, 0));
}
static double c_traj_flags(struct fixture *f)
{
    (void)f;
    return ptr(gd_trajectory_new(2, 4u));
}
static double c_traj_huge(struct fixture *f)
{
    (void)f;
    return ptr(gd_trajectory_new(SIZE_MAX, 0));
}
static double c_stride_0(struct fixture *f)
{
    return gd_trajectory_set_stride(f->traj, 0);
}
static double c_len_null(struct fixture *f)
{
    (void)f;
    return (double)gd_trajectory_len(NULL);
}
static double c_tdim_null(struct fixture *f)
{
    (void)f;
    return (double)gd_trajectory_dim(NULL);
}
static double c_titer_range(struct fixture *f)
{
    return gd_trajectory_iter(f->traj, 5) == SIZE_MAX ? 0 : 1;
}
static double c_tf_range(struct fixture *f)
{
    return gd_trajectory_f(f->traj, 5);
}
static double c_tg_range(struct fixture *f)
{
    return gd_trajectory_grad_norm(f->traj, 9);
}
static double c_tx_range(struct fixture *f)
{
    return ptr(gd_trajectory_x(f->traj, 1));
}
static double c_csv_null(struct fixture *f)
{
    return gd_trajectory_write_csv(f->traj, NULL);
}
static double c_copy_null(struct fixture *f)
{
    return gd_trajectory_copy(NULL, 0, 1, NULL, f->x, NULL, NULL);
}
static double c_copy_range(struct fixture *f)
{
    return gd_trajectory_copy(f->traj, 1, 1, NULL, f->x, NULL, NULL);
}
static double c_copy_wrap(struct fixture *f)
{
    return gd_trajectory_copy(f->traj, 1, SIZE_MAX, NULL, f->x, NULL, NULL);
}
static double c_copy_no_x(struct fixture *f)
{
    return gd_trajectory_copy(f->traj3, 0, 0, NULL, NULL, NULL, f->x);
}

static const struct row table[] = {
    {"gd_objective_new n = 0", E_NULL, c_obj_new_0},
    {"gd_objective_new_sum n*8 overflows", E_NULL, c_obj_new_huge},
    {"gd_quadratic_new n = 0", E_NULL, c_quad_0},
    {"gd_quadratic_new scale NaN", E_NULL, c_quad_nan},
    {"gd_quadratic_new scale -inf", E_NULL, c_quad_inf},
    {"gd_least_squares_new NULL data", E_NULL, c_lsq_null},
    {"gd_least_squares_new m*p overflows", E_NULL, c_lsq_overflow},
    {"gd_least_squares_new unknown flag", E_NULL, c_lsq_flags},
    {"gd_logistic_new NULL X", E_NULL, c_logistic_null},
    {"gd_logistic_new m*p overflows", E_NULL, c_logistic_overflow},
    {"gd_logistic_new label 2", E_NULL, c_logistic_label},
    {"gd_logistic_new l2 NaN", E_NULL, c_logistic_l2},
    {"gd_softmax_new k = 1", E_NULL, c_softmax_k1},
    {"gd_softmax_new label = k", E_NULL, c_softmax_label},
    {"gd_softmax_new k*(p+1) overflows", E_NULL, c_softmax_overflow},
    {"gd_softmax_new unknown flag", E_NULL, c_softmax_flags},
    {"gd_geometric_median_new m = 0", E_NULL, c_median_0},
    {"gd_geometric_median_new m*dim overflows", E_NULL, c_median_overflow},
    {"gd_rosenbrock_new n = 1", E_NULL, c_rosen_1},
    {"gd_objective_dim NULL", E_ZERO, c_dim_null},
    {"gd_objective_terms NULL", E_ZERO, c_terms_null},
    {"gd_objective_eval NULL handle", E_INVAL, c_eval_null_obj},
    {"gd_objective_eval NULL x", E_INVAL, c_eval_null_x},
    {"gd_objective_eval_terms NULL idx", E_INVAL, c_terms_null_idx},
    {"gd_method_by_name NULL name", E_INVAL, c_method_null},
    {"gd_method_by_name unknown name", E_INVAL, c_method_unknown},
    {"gd_optimizer_new n = 0", E_NULL, c_opt_new_0},
    {"gd_optimizer_new n*8 overflows", E_NULL, c_opt_new_huge},
    {"gd_optimizer_new unknown method", E_NULL, c_opt_new_method},
    {"gd_optimizer_new negative method", E_NULL, c_opt_new_negative},
    {"gd_optimizer_set NULL handle", E_INVAL, c_set_null},
    {"gd_optimizer_set unknown key", E_INVAL, c_set_key},
    {"gd_optimizer_set negative key", E_INVAL, c_set_negative_key},
    {"gd_optimizer_set key of another method", E_INVAL, c_set_foreign_key},
    {"gd_optimizer_set NaN", E_INVAL, c_set_nan},
    {"gd_optimizer_set infinity", E_INVAL, c_set_inf},
    {"gd_optimizer_set out of range", E_INVAL, c_set_range},
    {"gd_optimizer_get NULL value", E_INVAL, c_get_null},
    {"gd_optimizer_get unknown key", E_INVAL, c_get_key},
    {"gd_optimizer_set_by_name NULL name", E_INVAL, c_name_null},
    {"gd_optimizer_set_by_name unknown name", E_INVAL, c_name_unknown},
    {"gd_optimizer_reset NULL", E_INVAL, c_reset_null},
    {"gd_optimizer_iterations NULL", E_ZERO, c_iter_null},
    {"gd_optimizer_isa NULL", E_NULL, c_isa_null},
    {"gd_optimizer_update NULL x", E_INVAL, c_update_null_x},
    {"gd_optimizer_update NULL gradient", E_INVAL, c_update_null_g},
    {"gd_step NULL objective", E_INVAL, c_step_null},
    {"gd_step dimension mismatch", E_INVAL, c_step_mismatch},
    {"gd_minimize NULL optimizer", E_INVAL, c_min_null},
    {"gd_minimize dimension mismatch", E_INVAL, c_min_mismatch},
    {"gd_minimize trajectory of another dimension", E_INVAL, c_min_traj},
    {"gd_optimizer_set_monitor NULL", E_INVAL, c_monitor_null},
    {"gd_trajectory_new n = 0", E_NULL, c_traj_0},
    {"gd_trajectory_new unknown flag", E_NULL, c_traj_flags},
    {"gd_trajectory_new n*8 overflows", E_NULL, c_traj_huge},
    {"gd_trajectory_set_stride 0", E_INVAL, c_stride_0},
    {"gd_trajectory_len NULL", E_ZERO, c_len_null},
    {"gd_trajectory_dim NULL", E_ZERO, c_tdim_null},
    {"gd_trajectory_iter out of range", E_ZERO, c_titer_range},
    {"gd_trajectory_f out of range", E_NAN, c_tf_range},
    {"gd_trajectory_grad_norm out of range", E_NAN, c_tg_range},
    {"gd_trajectory_x out of range", E_NULL, c_tx_range},
    {"gd_trajectory_write_csv NULL path", E_INVAL, c_csv_null},
    {"gd_trajectory_copy NULL handle", E_INVAL, c_copy_null},
    {"gd_trajectory_copy past the records", E_INVAL, c_copy_range},
    {"gd_trajectory_copy first + count wraps", E_INVAL, c_copy_wrap},
    {"gd_trajectory_copy x without GD_TRAJ_X", E_INVAL, c_copy_no_x},
};

static void check_row(const struct row *r, double got)
{
    bool ok;
    switch (r->expect) {
    case E_NULL:
        ok = got == 1.0;
        break;
    case E_ZERO:
        ok = got == 0.0;
        break;
    case E_NAN:
        ok = isnan(got);
        break;
    default:
        ok = got == (double)r->expect;
        break;
    }
    if (!ok)
        fail_msg("%s: got %g", r->what, got);
}

static void test_every_row_fails_cleanly(void **state)
{
    (void)state;
    struct fixture f = {0};
    f.opt = gd_optimizer_new(GD_SGD, 2);
    f.obj = gd_quadratic_new(2, NULL, 1.0);
    f.obj3 = gd_quadratic_new(3, NULL, 1.0);
    f.traj = gd_trajectory_new(2, GD_TRAJ_X);
    f.traj3 = gd_trajectory_new(3, 0);
    assert_int_equal(gd_optimizer_set(f.opt, GD_PARAM_MAX_ITER, 0), GD_OK);
    f.x[0] = 1.5;
    f.x[1] = -2.5;
    assert_int_equal(gd_minimize(f.opt, f.obj, f.x, f.traj), GD_STOP_MAXITER);
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        double x_before[3], lr_before, lr_after, momentum_before, momentum_after;
        memcpy(x_before, f.x, sizeof x_before);
        gd_optimizer_get(f.opt, GD_PARAM_LR, &lr_before);
        gd_optimizer_get(f.opt, GD_PARAM_MOMENTUM, &momentum_before);
        check_row(&table[i], table[i].call(&f));
        /* Nothing changed: the iterate, the parameters, the counts, the records. */
        assert_memory_equal(x_before, f.x, sizeof x_before);
        gd_optimizer_get(f.opt, GD_PARAM_LR, &lr_after);
        gd_optimizer_get(f.opt, GD_PARAM_MOMENTUM, &momentum_after);
        assert_true(lr_before == lr_after && momentum_before == momentum_after);
        assert_int_equal(gd_optimizer_iterations(f.opt), 0);
        assert_int_equal(gd_trajectory_len(f.traj), 1);
        assert_int_equal(gd_trajectory_len(f.traj3), 0);
    }
    gd_trajectory_free(f.traj3);
    gd_trajectory_free(f.traj);
    gd_objective_free(f.obj3);
    gd_objective_free(f.obj);
    gd_optimizer_free(f.opt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_row_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
