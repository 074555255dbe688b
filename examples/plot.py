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


def rosenbrock(x, y):
    return 100.0 * (y - x ** 2) ** 2 + (1.0 - x) ** 2


def ill_conditioned(x, y):
    return 0.5 * (x ** 2 + 25.0 * y ** 2)


# Each problem of `gdescent-demo compare`: f, its minimizer, the contour levels up to the
# largest f on screen (log-spaced for Rosenbrock's steep walls; for the quadratic, levels
# that space its ellipses evenly) and the title.
COMPARE = {
    "rosenbrock": (rosenbrock, (1.0, 1.0), lambda top: np.logspace(-2, np.log10(top), 18),
                   "Rosenbrock 100 (x1 - x0^2)^2 + (1 - x0)^2"),
    "quadratic": (ill_conditioned, (0.0, 0.0), lambda top: np.linspace(0, top, 16)[1:] ** 2 / top,
                  "ill-conditioned quadratic 0.5 (x0^2 + 25 x1^2)"),
}


def compare_runs(out, problem):
    """(label, path) of every compare-PROBLEM-METHOD.csv in DIR, in the library's order of
    the methods and labelled with their lr as compare.csv lists them."""
    labels = {}
    summary = os.path.join(out, "compare.csv")
    if os.path.exists(summary):
        for row in np.atleast_1d(np.genfromtxt(summary, delimiter=",", names=True, dtype=None,
                                               encoding="utf-8")):
            if row["problem"] == problem:
                labels[row["method"]] = f"{row['method']}, lr {row['lr']:g}" + (
                    ", diverged" if row["diverged"] else "")
    files = {re.search(rf"compare-{problem}-(.+)\.csv$", path).group(1): path
             for path in glob.glob(os.path.join(out, f"compare-{problem}-*.csv"))}
    order = [m for m in labels if m in files] + sorted(m for m in files if m not in labels)
    return [(labels.get(method, method), load(files[method])) for method in order]


def view(runs, start, minimizer):
    """Axis ranges holding every path, as far as it stays near start and minimizer: a path
    that diverges leaves the picture instead of shrinking the others to a dot."""
    ends = np.array([start, minimizer])
    lo, hi = ends.min(axis=0), ends.max(axis=0)
    span = np.maximum(hi - lo, 1.0)
    near_lo, near_hi = lo - 2 * span, hi + 2 * span
    for _, path in runs:
        xy = np.column_stack([path["x0"], path["x1"]])
        xy = xy[np.all((xy >= near_lo) & (xy <= near_hi), axis=1)]
        if len(xy):
            lo, hi = np.minimum(lo, xy.min(axis=0)), np.maximum(hi, xy.max(axis=0))
    margin = 0.08 * (hi - lo)
    return lo - margin, hi + margin


def compare_picture(out, problem):
    """Every method's path on the problem; None when DIR has none."""
    f, minimizer, levels, title = COMPARE[problem]
    runs = compare_runs(out, problem)
    if not runs:
        return None
    start = (runs[0][1]["x0"][0], runs[0][1]["x1"][0])
    lo, hi = view(runs, start, minimizer)
    X, Y = np.meshgrid(np.linspace(lo[0], hi[0], 400), np.linspace(lo[1], hi[1], 400))
    Z = f(X, Y)
    fig, ax = plt.subplots(figsize=(10, 6.5))
    ax.contour(X, Y, Z, levels=levels(Z.max()), cmap="Greys_r", linewidths=0.7, alpha=0.6)
    # tab10's colours, then tab20's light ones; the dash patterns tell apart paths that
    # run on top of each other (adam and adamw).
    colours = plt.get_cmap("tab10").colors + plt.get_cmap("tab20").colors[1::2]
    styles = ["-", "--", "-.", ":"]
    for i, (label, path) in enumerate(runs):
        colour = colours[i % len(colours)]
        ax.plot(path["x0"], path["x1"], styles[i % len(styles)], color=colour, lw=1.6,
                label=label)
        ax.plot(path["x0"][-1], path["x1"][-1], "o", color=colour, mec="black", ms=7)
    ax.plot(*start, "ko", ms=8, label=f"start ({start[0]:g}, {start[1]:g})")
    ax.plot(*minimizer, "k*", ms=14, label=f"minimizer ({minimizer[0]:g}, {minimizer[1]:g})")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel("x0")
    ax.set_ylabel("x1")
    steps = int(max(path["iter"][-1] for _, path in runs))
    ax.set_title(f"{title}: {len(runs)} methods, up to {steps} steps")
    # Beside the axes, so that it covers no path however many methods there are.
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
    return save(fig, out, f"compare_{problem}.png")


def save(fig, out, name):
    path = os.path.join(out, name)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(out):
    written = [draw(out) for draw in (median_picture, sweep_picture, path2d_picture,
                                      loss_picture)]
    written += [compare_picture(out, problem) for problem in COMPARE]
    for path in filter(None, written):
        print(path)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
