/* Built against an installed libgd through pkg-config only: minimizes (x-2)^2 + (y+1)^2. */
#include <gdescent.h>
#include <math.h>
#include <stdio.h>

int main(void)
{
    const double center[2] = {2.0, -1.0};
    gd_objective *f = gd_quadratic_new(2, center, 1.0);
    gd_optimizer *opt = gd_optimizer_new(GD_SGD, 2);
    if (!f || !opt || gd_optimizer_set(opt, GD_PARAM_LR, 0.1) != GD_OK)
        return 1;
    double x[2] = {5.0, 5.0};
    int status = gd_minimize(opt, f, x, NULL);
    printf("libgd %s: %s x = (%.12f, %.12f)\n", gd_version_string(), gd_strerror(status), x[0],
           x[1]);
    int ok = status == GD_STOP_MAXITER && fabs(x[0] - 2.0) < 1e-9 && fabs(x[1] + 1.0) < 1e-9;
    gd_optimizer_free(opt);
    gd_objective_free(f);
    return ok ? 0 : 1;
}
