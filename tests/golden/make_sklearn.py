#!/usr/bin/python3
"""Writes sklearn.txt, the scikit-learn goldens of gd_logistic_new and gd_softmax_new
that tests/test_objectives.c checks: LogisticRegression (lbfgs, C = 1, fit_intercept,
tol 1e-12) fitted on load_breast_cancer (binary) and multinomially on load_iris, each
standardized with the mean and standard deviation computed here.

Run with Debian's python3-sklearn:  /usr/bin/python3 tests/golden/make_sklearn.py

scikit-learn (1.2) minimizes C sum_i loss_i + ||W||^2 / 2, the intercepts spared;
divided by C m that is the library's mean loss + (l2/2) ||W||^2 with l2 = 1/(C m).
Its multinomial model has k rows of coefficients, over-parametrized as gd_softmax_new.

The file has one block per data set, every number a C99 hex float but the counts:
  name m p k
  l2 <l2>
  mean <p values>
  std <p values>
  coef <p values>            (k rows for softmax, one row for logistic)
  intercept <k values>       (one value for logistic)
  f <value>, grad <n values> scikit-learn's objective and gradient at the fit
  probe <n values>           a point near it (uniform in +-0.5 around the fit)
  probe_f, probe_grad        scikit-learn's objective and gradient there
  (n values in the library's layout: W row by row, then the intercepts)
  then m lines "label x_1 .. x_p", x the raw features (the test standardizes them
  with mean and std, as done here: (x - mean) / std, element by element).
Objectives and gradients are scikit-learn's own (LinearModelLoss, the function its
lbfgs solver minimizes), an independent reference for the library's.  The script
prints the largest gradient element at the fit: scipy's L-BFGS-B as scikit-learn sets
it up stops on a relative change of f of 64 eps, at about 1e-6 (tol = 1e-12 and
refitting from the fit, warm_start, do not lower it), which the test's tolerance on
the gradient at the fit covers."""
import os

import numpy as np
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn._loss.loss import HalfBinomialLoss, HalfMultinomialLoss
from sklearn.linear_model import LogisticRegression
from sklearn.linear_model._linear_loss import LinearModelLoss

HERE = os.path.dirname(os.path.abspath(__file__))
C = 1.0


def hexes(values):
    return " ".join(float(v).hex() for v in np.ravel(values))


def fit(X, y, multinomial):
    model = LogisticRegression(C=C, fit_intercept=True, tol=1e-12, solver="lbfgs",
                               max_iter=100000,
                               multi_class="multinomial" if multinomial else "auto")
    return model.fit(X, y)


def library_layout(coef, intercept):
    """W row by row, then the intercepts: gd_logistic's and gd_softmax's parameters."""
    return np.concatenate([np.ravel(coef), np.ravel(intercept)])


def sklearn_loss(Z, y, k, w):
    """scikit-learn's own objective and gradient at the library's parameters w: the
    LinearModelLoss its lbfgs solver minimizes (private in 1.2), with the weights 1/m
    and the penalty 1/(C m) of LogisticRegression.fit."""
    m, p = Z.shape
    if k == 2:
        loss = LinearModelLoss(HalfBinomialLoss(), fit_intercept=True)
        coef = w
    else:
        loss = LinearModelLoss(HalfMultinomialLoss(n_classes=k), fit_intercept=True)
        coef = np.hstack([w[:k * p].reshape(k, p), w[k * p:, None]])
    f, g = loss.loss_gradient(coef, Z, y.astype(np.float64), np.full(m, 1.0 / m),
                              l2_reg_strength=1.0 / (C * m))
    if k > 2:
        g = library_layout(g[:, :p], g[:, p])
    return f, g


def block(name, data, multinomial):
    X, y = data.data.astype(np.float64), data.target
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    Z = (X - mean) / std
    model = fit(Z, y, multinomial)
    m, p = X.shape
    k = len(model.classes_)
    l2 = 1.0 / (C * m)
    w = library_layout(model.coef_, model.intercept_)
    f, grad = sklearn_loss(Z, y, k, w)
    print(f"{name}: {model.n_iter_} iterations, max |grad| {np.abs(grad).max():.3g}")
    probe = w + np.random.default_rng(7).uniform(-0.5, 0.5, w.size)
    probe_f, probe_grad = sklearn_loss(Z, y, k, probe)
    lines = [f"{name} {m} {p} {k}", "l2 " + float(l2).hex(), "mean " + hexes(mean),
             "std " + hexes(std)]
    lines += ["coef " + hexes(row) for row in model.coef_]
    lines.append("intercept " + hexes(model.intercept_))
    lines += ["f " + float(f).hex(), "grad " + hexes(grad), "probe " + hexes(probe),
              "probe_f " + float(probe_f).hex(), "probe_grad " + hexes(probe_grad)]
    lines += [f"{label} " + hexes(row) for label, row in zip(y, X)]
    return lines


def main():
    lines = block("breast_cancer", load_breast_cancer(), False)
    lines += block("iris", load_iris(), True)
    with open(os.path.join(HERE, "sklearn.txt"), "w") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
