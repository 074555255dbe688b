#!/usr/bin/python3
"""Draws the documents' pictures from the CSV files gdescent-demo writes.

Usage: /usr/bin/python3 examples/plot.py DIR   (DIR as given to gdescent-demo --out)
Writes PNG files into DIR and prints their paths.  Needs Debian's python3-matplotlib
and python3-numpy; exits with status 77 (skipped) when they are missing."""
import glob
import os
import re
import sys

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
except ImportError as missing:
    print(f"skipped: {missing} (install python3-matplotlib python3-numpy)")
    sys.exit(77)


def load(path):
    """A trajectory CSV (header iter,f,grad_norm[,x0,...]) as a dict of columns."""
    data = np.genfromtxt(path, delimiter=",", names=True)
    return {name: np.atleast_1d(data[name]) for name in data.dtype.names}


def median_picture(out):
    points = np.atleast_2d(np.loadtxt(os.path.join(out, "median_points.csv"), delimiter=","))
    path = load(os.path.join(out, "median.csv"))
    fig, ax = plt.subplots(figsize=(6, 6))
    ax.scatter(points[:, 0], points[:, 1], s=12, color="tab:blue", label="points")
    ax.plot(path["x0"], path["x1"], "r.-", lw=1, ms=3, label="gradient descent path")
    ax.plot(path["x0"][-1], path["x1"][-1], "r*", ms=14, label="geometric median")
    ax.set_title("Geometric median by gradient descent")
    ax.legend()
    return save(fig, out, "median.png")


def sweep_picture(out):
    fig, axes = plt.subplots(1, 2, figsize=(12, 5))
    for ax, prefix, center, title in ((axes[0], "sweep_x2_lr", 0.0, "f(x) = x^2"),
                                      (axes[1], "sweep_shifted_lr", 3.0, "f(x) = (x-3)^2")):
        files = sorted(glob.glob(os.path.join(out, prefix + "*.csv")),
                       key=lambda p: float(re.search(r"lr([0-9.e+-]+)\.csv$", p).group(1)))
        paths = [load(p) for p in files]
        reach = max(np.max(np.abs(p["x0"] - center)) for p in paths)
        reach = min(reach, 40.0)
        grid = np.linspace(center - reach, center + reach, 400)
        ax.plot(grid, (grid - center) ** 2, color="lightgray", lw=2)
        for path, name in zip(paths, files):
            lr = re.search(r"lr([0-9.e+-]+)\.csv$", name).group(1)
            keep = np.abs(path["x0"] - center) <= reach
            ax.plot(path["x0"][keep], path["f"][keep], ".-", label=f"lr {lr}")
        ax.set_title(title + ": f along the path for each learning rate")
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
        ax.legend()
    return save(fig, out, "sweeps.png")


def path2d_picture(out):
    path = load(os.path.join(out, "vector_target.csv"))
    xs = np.linspace(-1, 6, 200)
    ys = np.linspace(-2, 6, 200)
    X, Y = np.meshgrid(xs, ys)
    fig, ax = plt.subplots(figsize=(6, 6))
    ax.contour(X, Y, (X - 2) ** 2 + (Y + 1) ** 2, levels=15, cmap="viridis")
    ax.plot(path["x0"], path["x1"], "r.-", label="path from (5, 5)")
    ax.plot([2], [-1], "k*", ms=14, label="target (2, -1)")
    ax.set_title("2-D gradient descent to the target")
    ax.legend()
    return save(fig, out, "path2d.png")


def loss_picture(out):
    path = load(os.path.join(out, "linreg.csv"))
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.semilogy(path["iter"], path["f"])
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss (log scale)")
    ax.set_title("Full-batch linear regression: loss against epoch")
    return save(fig, out, "linreg_loss.png")


def save(fig, out, name):
    path = os.path.join(out, name)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(out):
    written = [draw(out) for draw in (median_picture, sweep_picture, path2d_picture,
                                      loss_picture)]
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
