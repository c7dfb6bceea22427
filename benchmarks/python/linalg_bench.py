#!/usr/bin/python3
"""PyTorch peer of LinalgBench: float64 cholesky + cholesky_solve + backward at n (single thread).

Prints one line per size: "n=<n> median=<ms> min=<ms>" (milliseconds per step).
Usage: /usr/bin/python3 benchmarks/python/linalg_bench.py <reps> <n>...
"""
import statistics
import sys
import time

import torch

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)


def step(a, b):
    l = torch.linalg.cholesky(a)
    x = torch.cholesky_solve(b, l)
    x.sum().backward()


def main():
    reps = int(sys.argv[1])
    for n in map(int, sys.argv[2:]):
        g = torch.Generator().manual_seed(n)
        z = torch.randn(n, n, generator=g)
        a = (z @ z.T / n + torch.eye(n)).requires_grad_(True)
        b = torch.randn(n, 1, generator=g)
        for _ in range(3):
            step(a, b)
        times = []
        for _ in range(reps):
            a.grad = None
            t = time.perf_counter()
            step(a, b)
            times.append((time.perf_counter() - t) * 1e3)
        print(f"n={n} median={statistics.median(times):.3f} min={min(times):.3f}")


if __name__ == "__main__":
    main()
