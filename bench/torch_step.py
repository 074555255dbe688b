"""Times what a Python user would run instead of libgd: torch.optim.SGD and Adam .step()
in float64 with two preset gradients taken in turn, at the sizes of bench_update; and the first document's
geometric-median loop (100 points, 100 steps of SGD with autograd) on the points that
bench_peers draws with the same LCG.  One thread (torch.set_num_threads(1)), as the C
benchmarks use.  Medians of repeats after a warm-up.

usage: /usr/bin/python3 bench/torch_step.py [--quick] [--json FILE]
"""
import argparse
import json
import statistics
import time

import torch

REPEATS = 7


def per_step(step, count):
    """Median seconds per call of step() over REPEATS timed loops of count calls."""
    step()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(count):
            step()
        times.append((time.perf_counter() - start) / count)
    return statistics.median(times), min(times), max(times)


def alternating(p, opt):
    """A step of opt with p.grad alternating between two preset gradients, as in
    bench_update (the same working set; a constant gradient takes centered RMSprop's
    variance to NaN there)."""
    grads = [torch.full((p.numel(),), 0.5, dtype=torch.float64),
             torch.full((p.numel(),), -0.25, dtype=torch.float64)]
    count = [0]

    def step():
        count[0] += 1
        p.grad = grads[count[0] % 2]
        opt.step()
    return step


def optimizer_steps(sizes, budget):
    rows = []
    for n in sizes:
        for name, make in [("sgd", lambda p: torch.optim.SGD([p], lr=1e-9)),
                           ("sgd+momentum", lambda p: torch.optim.SGD([p], lr=1e-9,
                                                                      momentum=0.9)),
                           ("adam", lambda p: torch.optim.Adam([p], lr=1e-9))]:
            p = torch.ones(n, dtype=torch.float64, requires_grad=True)
            opt = make(p)
            median, lo, hi = per_step(alternating(p, opt), max(1, int(budget / max(n, 1000))))
            rows.append({"kernel": name, "n": n, "ns_per_step": median * 1e9,
                         "ns_per_element": median * 1e9 / n, "min_ns": lo * 1e9,
                         "max_ns": hi * 1e9})
            print(f"torch {name:<13} {n:>9} {median * 1e9:14.1f} ns/step "
                  f"{median * 1e9 / n:10.3f} ns/elem")
    return rows


def lcg_points(m=100, seed=12345):
    """The points of bench_peers: Knuth's MMIX LCG, x in [0, 3), y in [0, 1)."""
    s, values = seed, []
    for i in range(2 * m):
        s = (s * 6364136223846793005 + 1442695040888963407) % 2**64
        values.append((s >> 11) / 9007199254740992.0 * (1.0 if i % 2 else 3.0))
    return torch.tensor(values, dtype=torch.float64).reshape(m, 2)


def median_document():
    """The document's loop: loss = mean distance, backward, SGD step; 100 steps."""
    points = lcg_points()

    def run():
        x = torch.tensor([0.1, 0.1], dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([x], lr=0.05)
        for _ in range(100):
            opt.zero_grad()
            loss = torch.linalg.norm(points - x, dim=1).mean()
            loss.backward()
            opt.step()
        return x.detach()

    x = run()
    median, lo, hi = per_step(run, 3)
    print(f"torch geometric median, 100 points, 100 SGD steps: {median * 1e6:.1f} us, "
          f"x = ({x[0].item():.17g}, {x[1].item():.17g})")
    return {"kernel": "median-document", "us_per_run": median * 1e6,
            "x": [x[0].item(), x[1].item()]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, float64, 1 thread; medians of {REPEATS} repeats")
    sizes = [2, 16, 1000, 100000, 1000000] + ([] if args.quick else [10000000])
    rows = optimizer_steps(sizes, 2e6 if args.quick else 2e7)
    rows.append(median_document())
    if args.json:
        with open(args.json, "w") as out:
            json.dump(rows, out, indent=1)


if __name__ == "__main__":
    main()
