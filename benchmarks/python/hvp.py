"""PyTorch peer of ForwardModeBench's HVP: torch.autograd.functional.hvp (double backward) of rosenbrock4.

Run with Debian's torch: /usr/bin/python3 benchmarks/python/hvp.py [rounds]
"""
import statistics
import sys
import time

import torch

torch.set_num_threads(1)


def rosenbrock4(x):
    a, b, c, d = x[0], x[1], x[2], x[3]
    t1 = b - a * a
    t2 = c - b * b
    t3 = d - c * c
    return (100 * t1 * t1 + (1 - a) * (1 - a) + 100 * t2 * t2 + (1 - b) * (1 - b) + 100 * t3 * t3
            + (1 - c) * (1 - c) + torch.exp(0.1 * d) * torch.sin(a))


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    x = torch.tensor([0.3, -0.7, 1.1, 0.5], dtype=torch.float64)
    v = torch.tensor([1.0, -1.0, 0.5, 2.0], dtype=torch.float64)
    _, hv = torch.autograd.functional.hvp(rosenbrock4, x, v)
    print("Hv =", [round(float(e), 9) for e in hv])
    calls = 200
    for _ in range(calls):
        torch.autograd.functional.hvp(rosenbrock4, x, v)
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(calls):
            torch.autograd.functional.hvp(rosenbrock4, x, v)
        samples.append((time.perf_counter() - t0) * 1e6 / calls)
    print("hvp us %.1f median %.1f best" % (statistics.median(samples), min(samples)))


if __name__ == "__main__":
    main()
