"""PyTorch peer of RecurrenceBench: gradient of 10,000 steps of x <- x + h sin(a x), eager, 0-D tensors.

Run with Debian's torch: /usr/bin/python3 benchmarks/python/recurrence.py [rounds]
"""
import math
import statistics
import sys
import time

import torch

STEPS = 10_000
X0, A, H = 0.3, 1.7, 0.01


def forward_plain():
    x = X0
    for _ in range(STEPS):
        x = x + H * math.sin(A * x)
    return x


def gradient():
    x0 = torch.tensor(X0, dtype=torch.float32, requires_grad=True)
    a = torch.tensor(A, dtype=torch.float32, requires_grad=True)
    h = torch.tensor(H, dtype=torch.float32, requires_grad=True)
    x = x0
    for _ in range(STEPS):
        x = x + h * torch.sin(a * x)
    x.backward()
    return x0.grad.item(), a.grad.item(), h.grad.item()


def timed(f, rounds):
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        f()
        samples.append((time.perf_counter() - t0) * 1e6)
    return statistics.median(samples), min(samples)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    torch.set_num_threads(1)
    print("torch gradient dx=%.9f da=%.9f dh=%.9f" % gradient())
    med, best = timed(gradient, rounds)
    print("torch %s eager gradient %.0f us/call median, %.0f best (%d rounds)" % (torch.__version__, med, best, rounds))
    med, best = timed(forward_plain, rounds)
    print("python float forward %.0f us/call median, %.0f best" % (med, best))


if __name__ == "__main__":
    main()
