"""PyTorch peer of AdamStepBench: optimizer.step() on one parameter of 1M floats with a fixed gradient.

Run with Debian's python3-torch in the same session as the Java benchmark:
    /usr/bin/python3 benchmarks/python/adam_step.py
Prints the median microseconds per step over repeats, for PyTorch's default single-tensor path
(foreach=False in 1.13) and the foreach path, with 1 thread and with 2.
"""
import statistics
import time

import torch

N = 1_000_000


def bench(make, threads, steps=200, repeats=7):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    p = torch.randn(N, requires_grad=True)
    p.grad = torch.randn(N)
    opt = make([p])
    for _ in range(50):
        opt.step()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            opt.step()
        times.append((time.perf_counter() - t0) / steps * 1e6)
    return statistics.median(times), min(times), max(times)


CASES = [
    ("adamStep (Adam lr=1e-3, single-tensor)", lambda ps: torch.optim.Adam(ps, lr=1e-3, foreach=False)),
    ("adamStep (Adam lr=1e-3, foreach)", lambda ps: torch.optim.Adam(ps, lr=1e-3, foreach=True)),
    ("adamAmsgradStep (amsgrad, wd=1e-2, single-tensor)",
     lambda ps: torch.optim.Adam(ps, lr=1e-3, amsgrad=True, weight_decay=1e-2, foreach=False)),
    ("sgdMomentumStep (SGD lr=1e-3 momentum=0.9)", lambda ps: torch.optim.SGD(ps, lr=1e-3, momentum=0.9,
                                                                                foreach=False)),
]

if __name__ == "__main__":
    print("torch", torch.__version__, "n =", N)
    for threads in (1, 2):
        for name, make in CASES:
            med, lo, hi = bench(make, threads)
            print(f"threads={threads}  {name:55s} median {med:9.1f} us/step  [{lo:.1f} .. {hi:.1f}]")
