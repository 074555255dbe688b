/*
 * hand_loops_real.h - the text of hand_loops.c's loops, included once for double and
 * once for float with these defined:
 *
 *   real     the element type
 *   NAME(f)  the name of function f at this type (hand_adam, hand_adam_f32, ...)
 *   K(c)     the coefficient c, computed in double, in the element type: the library
 *            computes its coefficients in double and its float loops take them rounded
 *            to float (GDI_TAKE_COEFFICIENTS), as torch converts a Python float to a
 *            float32 tensor's dtype; a bare double literal would make float arithmetic
 *            double
 *   SQRT, FABS  sqrt and fabs at this type
 *   SCALAR(v)   torch's scalar state v (a double) as torch keeps it: in a tensor of
 *               the default dtype, rounded to float at every step in float
 *
 * No include guard: meant to be included twice.
 */

/* torch.sign: +1, -1, or +0 for zeros and NaN.  This chain of ?: (the library's too,
 * at its AVX-512 level, in lion.c and rprop.c) GCC 12 vectorizes only with AVX-512's
 * masks: on a CPU without AVX-512 these loops would be scalar. */
static inline real NAME(torch_sign)(real a)
{
    return a > 0 ? K(1) : a < 0 ? K(-1) : K(0);
}

void NAME(sgd)(HAND_PARAMS_OF(real))
{
    (void)s1, (void)s2, (void)s3, (void)t;
    for (size_t i = 0; i < n; i++)
        x[i] -= K(LR) * g[i];
}

void NAME(momentum)(HAND_PARAMS_OF(real))
{
    (void)s2, (void)s3, (void)t;
    for (size_t i = 0; i < n; i++) {
        real b = K(0.9) * s1[i] + g[i];
        s1[i] = b;
        x[i] -= K(LR) * b;
    }
}

void NAME(nesterov)(HAND_PARAMS_OF(real))
{
    (void)s2, (void)s3, (void)t;
    for (size_t i = 0; i < n; i++) {
        real b = K(0.9) * s1[i] + g[i];
        s1[i] = b;
        x[i] -= K(LR) * (g[i] + K(0.9) * b);
    }
}

/* vmax is NULL for Adam and AdamW, AMSGrad's running maximum otherwise.  shrink is the
 * coefficient 1 - lr * weight_decay in double. */
static inline void NAME(adam_loop)(size_t n, real *restrict x, const real *restrict g,
                                   real *restrict m, real *restrict v, real *restrict vmax,
                                   double t, double shrink)
{
    real step = K(-(LR / (1.0 - pow(0.9, t)))), bc2 = K(sqrt(1.0 - pow(0.999, t)));
    real xshrink = K(shrink);
    for (size_t i = 0; i < n; i++) {
        real xi = x[i] * xshrink;
        real mi = K(0.9) * m[i] + K(1.0 - 0.9) * g[i];
        real vi = K(0.999) * v[i] + (K(1.0 - 0.999) * g[i]) * g[i];
        m[i] = mi;
        v[i] = vi;
        if (vmax) {
            vi = vi > vmax[i] ? vi : vmax[i];
            vmax[i] = vi;
        }
        x[i] = xi + (step * mi) / (SQRT(vi) / bc2 + K(1e-8));
    }
}

void NAME(adam)(HAND_PARAMS_OF(real))
{
    (void)s3;
    NAME(adam_loop)(n, x, g, s1, s2, NULL, t, 1.0);
}

void NAME(amsgrad)(HAND_PARAMS_OF(real))
{
    NAME(adam_loop)(n, x, g, s1, s2, s3, t, 1.0);
}

void NAME(adamw)(HAND_PARAMS_OF(real))
{
    (void)s3;
    NAME(adam_loop)(n, x, g, s1, s2, NULL, t, 1.0 - LR * 0.01);
}

void NAME(rmsprop)(HAND_PARAMS_OF(real))
{
    (void)s2, (void)s3, (void)t;
    for (size_t i = 0; i < n; i++) {
        real s = K(0.99) * s1[i] + (K(1.0 - 0.99) * g[i]) * g[i];
        s1[i] = s;
        x[i] -= K(LR) * g[i] / (SQRT(s) + K(1e-8));
    }
}

/* s1, s2: the square average and the gradient average. */
void NAME(centered)(HAND_PARAMS_OF(real))
{
    (void)s3, (void)t;
    for (size_t i = 0; i < n; i++) {
        real s = K(0.99) * s1[i] + (K(1.0 - 0.99) * g[i]) * g[i];
        real a = K(0.99) * s2[i] + K(1.0 - 0.99) * g[i];
        s1[i] = s;
        s2[i] = a;
        x[i] -= K(LR) * g[i] / (SQRT(s - a * a) + K(1e-8));
    }
}

void NAME(adagrad)(HAND_PARAMS_OF(real))
{
    (void)s2, (void)s3, (void)t;
    for (size_t i = 0; i < n; i++) {
        real s = s1[i] + g[i] * g[i];
        s1[i] = s;
        x[i] -= K(LR) * g[i] / (SQRT(s) + K(1e-10));
    }
}

/* s3[0] holds torch's scalar state mu_product: 1 at the first step, then the product of
 * the steps' mu (in float: float products of mu rounded to float, as torch's). */
void NAME(nadam)(HAND_PARAMS_OF(real))
{
    real *m = s1, *v = s2, *mu_product = s3;
    if (t == 1.0)
        *mu_product = K(1.0);
    double mu = nadam_mu(t), mu_next = nadam_mu(t + 1.0);
    *mu_product = K((double)*mu_product * SCALAR(mu));
    double mu_product_next = (double)*mu_product * mu_next;
    real bias_correction2 = K(1.0 - pow(0.999, t));
    real gradient_step = K(LR * (1.0 - mu) / (1.0 - (double)*mu_product));
    real momentum_step = K(LR * mu_next / (1.0 - mu_product_next));
    for (size_t i = 0; i < n; i++) {
        real mi = K(0.9) * m[i] + K(1.0 - 0.9) * g[i];
        real vi = K(0.999) * v[i] + (K(1.0 - 0.999) * g[i]) * g[i];
        m[i] = mi;
        v[i] = vi;
        real d = SQRT(vi / bias_correction2) + K(1e-8);
        real xi = x[i] - (gradient_step * g[i]) / d;
        x[i] = xi - (momentum_step * mi) / d;
    }
}

/* RAdam's two steps, the bias-corrected momentum alone and, rectified, scaled by
 * the adaptive learning rate and rect. */
static inline void NAME(radam_loop)(size_t n, real *restrict x, const real *restrict g,
                                    real *restrict m, real *restrict v, int rectified,
                                    real bias_correction1, real bias_correction2_sqrt, real rect)
{
    for (size_t i = 0; i < n; i++) {
        real mi = K(0.9) * m[i] + K(1.0 - 0.9) * g[i];
        real vi = K(0.999) * v[i] + (K(1.0 - 0.999) * g[i]) * g[i];
        m[i] = mi;
        v[i] = vi;
        real step = (mi / bias_correction1) * K(LR);
        if (rectified) {
            real adaptive_lr = (K(1.0) / (SQRT(vi) + K(1e-8))) * bias_correction2_sqrt;
            step = (step * adaptive_lr) * rect;
        }
        x[i] -= step;
    }
}

void NAME(radam)(HAND_PARAMS_OF(real))
{
    (void)s3;
    double beta2_power = pow(0.999, t);
    double bias_correction2 = 1.0 - beta2_power;
    double bias_correction1 = 1.0 - pow(0.9, t);
    double rho_inf = 2.0 / (1.0 - 0.999) - 1.0;
    double rho_t = rho_inf - 2.0 * t * beta2_power / bias_correction2;
    if (rho_t > 5.0) {
        double rect = sqrt((rho_t - 4.0) * (rho_t - 2.0) * rho_inf /
                           ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t));
        NAME(radam_loop)
        (n, x, g, s1, s2, 1, K(bias_correction1), K(sqrt(bias_correction2)), K(rect));
    } else {
        NAME(radam_loop)(n, x, g, s1, s2, 0, K(bias_correction1), 0, 0);
    }
}

/* torch.amax's maximum, which keeps a NaN from either side (as the library's). */
static inline real NAME(max_propagating_nan)(real a, real b)
{
    return (a != a || a > b) ? a : b;
}

/* s1, s2: the average m and the infinity norm u. */
void NAME(adamax)(HAND_PARAMS_OF(real))
{
    (void)s3;
    real clr = K(LR / (1.0 - pow(0.9, t)));
    for (size_t i = 0; i < n; i++) {
        real m = K(0.9) * s1[i] + K(1.0 - 0.9) * g[i];
        real u = NAME(max_propagating_nan)(K(0.999) * s2[i], FABS(g[i]) + K(1e-8));
        s1[i] = m;
        s2[i] = u;
        x[i] -= (clr * m) / u;
    }
}

/* s1, s2: the square average and the accumulated squared step. */
void NAME(adadelta)(HAND_PARAMS_OF(real))
{
    (void)s3, (void)t;
    for (size_t i = 0; i < n; i++) {
        real s = K(0.9) * s1[i] + (K(1.0 - 0.9) * g[i]) * g[i];
        real std = SQRT(s + K(1e-6));
        real d = (SQRT(s2[i] + K(1e-6)) / std) * g[i];
        s1[i] = s;
        s2[i] = K(0.9) * s2[i] + (K(1.0 - 0.9) * d) * d;
        x[i] -= K(LR) * d;
    }
}

/* s1, s2: the previous gradient and the step sizes, which torch fills with lr at the
 * first step.  The clamp to torch's [1e-6, 50] lifts them above this lr: an element
 * that moves moves by 1e-6. */
void NAME(rprop)(HAND_PARAMS_OF(real))
{
    real *prev = s1, *step_size = s2;
    (void)s3;
    if (t == 1.0)
        for (size_t i = 0; i < n; i++)
            step_size[i] = K(LR);
    for (size_t i = 0; i < n; i++) {
        real product = g[i] * prev[i];
        real factor = product > 0 ? K(1.2) : product < 0 ? K(0.5) : K(1.0);
        real s = step_size[i] * factor;
        s = s < K(1e-6) ? K(1e-6) : s;
        s = K(50.0) < s ? K(50.0) : s;
        step_size[i] = s;
        real gi = product < 0 ? K(0.0) : g[i];
        x[i] -= NAME(torch_sign)(gi) * s;
        prev[i] = gi;
    }
}

/* ASGD with s1 the average ax.  Step t uses the eta and mu that torch computes at the
 * end of step t - 1 (lr and 1 at the first) and keeps as scalar state; mu != 1, from
 * t - 1 > t0 + 1 on, makes ax move towards x instead of copying it. */
static inline void NAME(asgd_loop)(size_t n, real *restrict x, const real *restrict g,
                                   real *restrict ax, double t, double t0)
{
    double eta = SCALAR(LR), mu = 1.0;
    if (t > 1.0) {
        eta = SCALAR(LR / pow(1.0 + 1e-4 * LR * (t - 1.0), 0.75));
        double since_t0 = (t - 1.0) - t0;
        mu = SCALAR(1.0 / (since_t0 > 1.0 ? since_t0 : 1.0));
    }
    real shrink = K(1.0 - 1e-4 * eta), minus_eta = K(-eta), mu_r = K(mu);
    if (mu != 1.0) {
        for (size_t i = 0; i < n; i++) {
            real xi = x[i] * shrink + minus_eta * g[i];
            x[i] = xi;
            ax[i] = ax[i] + (xi - ax[i]) * mu_r;
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            real xi = x[i] * shrink + minus_eta * g[i];
            x[i] = xi;
            ax[i] = xi;
        }
    }
}

void NAME(asgd)(HAND_PARAMS_OF(real))
{
    (void)s2, (void)s3;
    NAME(asgd_loop)(n, x, g, s1, t, 1e6);
}

void NAME(asgd_averaging)(HAND_PARAMS_OF(real))
{
    (void)s2, (void)s3;
    NAME(asgd_loop)(n, x, g, s1, t, 0.0);
}

/* s1: the momentum m. */
void NAME(lion)(HAND_PARAMS_OF(real))
{
    (void)s2, (void)s3, (void)t;
    for (size_t i = 0; i < n; i++) {
        real interpolated = s1[i] * K(0.9) + K(1.0 - 0.9) * g[i];
        x[i] += K(-LR) * NAME(torch_sign)(interpolated);
        s1[i] = s1[i] * K(0.99) + K(1.0 - 0.99) * g[i];
    }
}

void NAME(triad)(HAND_PARAMS_OF(real))
{
    (void)s2, (void)s3, (void)t;
    for (size_t i = 0; i < n; i++)
        s1[i] = x[i] + K(3.0) * g[i];
}
