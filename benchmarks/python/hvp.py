"""PyTorch peer of ForwardModeBench's HVPs: torch.autograd.functional.hvp (double backward) of rosenbrock4, and of
the tanh layer sum(tanh(W @ X + b)) (float32, 64x64 @ 64x32, directions for W, X and b) beside its gradient.

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

    (torch.ones(2, 2) @ torch.ones(2, 2)).sum()
    with open("/proc/self/maps") as maps:
        libs = sorted({line.split()[-1] for line in maps if "blas" in line.lower()})
    blas = ", ".join(libs) if libs else "no BLAS library mapped"
    print("threads %d, %s" % (torch.get_num_threads(), blas))
    g = torch.Generator().manual_seed(16)
    w, xx, b = torch.randn(64, 64, generator=g), torch.randn(64, 32, generator=g), torch.randn(64, 1, generator=g)
    tw, tx, tb = torch.randn(64, 64, generator=g), torch.randn(64, 32, generator=g), torch.randn(64, 1, generator=g)

    def layer(w, x, b):
        return torch.tanh(w @ x + b).sum()

    def grad():
        ws = [t.detach().requires_grad_() for t in (w, xx, b)]
        return torch.autograd.grad(layer(*ws), ws)

    def hvp():
        return torch.autograd.functional.hvp(layer, (w, xx, b), (tw, tx, tb))

    for name, fn in (("layer grad", grad), ("layer hvp", hvp)):
        for _ in range(200):
            fn()
        samples = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            for _ in range(200):
                fn()
            samples.append((time.perf_counter() - t0) * 1e6 / 200)
        print("%s us %.1f median %.1f best" % (name, statistics.median(samples), min(samples)))


if __name__ == "__main__":
    main()
