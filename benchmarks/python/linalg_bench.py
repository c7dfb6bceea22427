#!/usr/bin/python3
"""PyTorch peer of LinalgBench: float64 cholesky + cholesky_solve + backward at n (single thread).

Prints one line per size: "n=<n> median=<ms> min=<ms> cpu-median=<ms>" (milliseconds per step, wall and this
thread's CPU time), then the torch and BLAS threads
in effect (the BLAS libraries loaded, from /proc/self/maps).
Usage: /usr/bin/python3 benchmarks/python/linalg_bench.py <reps> <n>...
"""
import os
import statistics
import sys
import time

# one thread, as LinalgBench: torch.set_num_threads(1) does not reach OpenBLAS's own pthreads (measured: 2 of them
# without this), so the library is told before it loads
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch  # noqa: E402

from mlp_bench import blas_threads  # noqa: E402

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
        times, cpu = [], []
        for _ in range(reps):
            a.grad = None
            c = time.thread_time()
            t = time.perf_counter()
            step(a, b)
            times.append((time.perf_counter() - t) * 1e3)
            cpu.append((time.thread_time() - c) * 1e3)
        print(f"n={n} median={statistics.median(times):.3f} min={min(times):.3f} "
              f"cpu-median={statistics.median(cpu):.3f}")
    print("torch threads", torch.get_num_threads(), "BLAS", blas_threads())


if __name__ == "__main__":
    main()
