#!/usr/bin/python3
"""torch.utils.checkpoint on a 16-layer MLP (16 x Linear(1024)+ReLU, batch 256): the peer of
dev.adjoint.benchmarks.CheckpointBench. Variants: plain, and 4 segments of which the first 3 are checkpointed
(checkpoint_sequential's split) with use_reentrant=True and use_reentrant=False.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 benchmarks/python/checkpoint_bench.py [rounds]
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 benchmarks/python/checkpoint_bench.py peak VARIANT [rounds]

The first form prints the thread counts in effect, then per variant the median step time (forward + backward,
rounds alternating between variants) and what the graph holds after the forward (the process's resident set
after the forward minus before it: the script re-runs itself with MALLOC_MMAP_THRESHOLD_=131072, so that glibc
mmaps every tensor of 128 KB or more and a freed one leaves the resident set at once),
and the ratios to plain. The second form runs one variant's step `rounds` times in a fresh process and prints
the peak resident set above the idle process (model and input built, nothing run), from ru_maxrss.
"""
import gc
import os
import resource
import statistics
import sys
import time

if os.environ.get("MALLOC_MMAP_THRESHOLD_") != "131072":
    os.execve(sys.executable, [sys.executable] + sys.argv, dict(os.environ, MALLOC_MMAP_THRESHOLD_="131072"))

import torch  # noqa: E402
from torch.utils.checkpoint import checkpoint  # noqa: E402

from mlp_bench import blas_threads  # noqa: E402

LAYERS, WIDTH, BATCH, SEGMENTS = 16, 1024, 256, 4
VARIANTS = ["plain", "reentrant", "non-reentrant"]

torch.set_num_threads(1)
torch.manual_seed(1)
layers = []
for _ in range(LAYERS):
    layers += [torch.nn.Linear(WIDTH, WIDTH), torch.nn.ReLU()]
model = torch.nn.Sequential(*layers)
x = torch.randn(BATCH, WIDTH).requires_grad_()


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def segment(start, end):
    def run(h):
        for i in range(start, end):
            h = model[i](h)
        return h
    return run


def forward(variant):
    if variant == "plain":
        return model(x)
    size = len(model) // SEGMENTS
    h = x
    for start in range(0, len(model), size):
        end = min(start + size, len(model))
        part = segment(start, end)
        h = checkpoint(part, h, use_reentrant=(variant == "reentrant")) if end < len(model) else part(h)
    return h


def step(variant):
    forward(variant).sum().backward()
    model.zero_grad(set_to_none=False)
    x.grad.zero_()


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "peak":
        variant = sys.argv[2]
        rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
        gc.collect()
        idle = rss_bytes()
        for _ in range(rounds):
            step(variant)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        print(f"peak {variant} above_idle_mb={(peak - idle) / 1e6:.1f} maxrss_mb={peak / 1e6:.1f}")
        return
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    print(f"torch {torch.__version__} threads={torch.get_num_threads()} interop={torch.get_num_interop_threads()}"
          f" blas={blas_threads()}")
    for _ in range(3):
        for v in VARIANTS:
            step(v)
    held = {}
    for v in VARIANTS:
        gc.collect()
        before = rss_bytes()
        y = forward(v)
        held[v] = rss_bytes() - before
        y.sum().backward()
        del y
        model.zero_grad(set_to_none=False)
        x.grad.zero_()
    ms = {v: [] for v in VARIANTS}
    for _ in range(rounds):
        for v in VARIANTS:
            t0 = time.perf_counter()
            step(v)
            ms[v].append((time.perf_counter() - t0) * 1e3)
    for v in VARIANTS:
        s = sorted(ms[v])
        print(f"{v:<14} step median {statistics.median(s):.1f} ms [{s[0]:.1f} .. {s[-1]:.1f}], "
              f"graph holds {held[v] / 1e6:.1f} MB")
    for v in VARIANTS[1:]:
        print(f"RESULT {v} time_ratio={statistics.median(ms[v]) / statistics.median(ms['plain']):.2f} "
              f"memory_ratio={held[v] / held['plain']:.2f}")


if __name__ == "__main__":
    main()
