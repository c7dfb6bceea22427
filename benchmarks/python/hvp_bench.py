#!/usr/bin/python3
"""PyTorch's Hessian-vector product of an MLP's loss by double backward (create_graph=True), timed: the peer
of dev.adjoint.benchmarks.HvpBench (same shapes: batch 64, 784-128-10, cross-entropy).

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 benchmarks/python/hvp_bench.py [rounds]

Prints the thread counts in effect (torch's and OpenBLAS's), one line per round (median ms of a gradient
and of an HVP over 50 calls) and a final "torch hvp ms median=... grad ms median=..." line.
"""
import statistics
import sys
import time

import torch

from mlp_bench import blas_threads

torch.set_num_threads(1)
torch.manual_seed(0)
N, D, H, C = 64, 784, 128, 10
x = torch.randn(N, D)
y = torch.randint(0, C, (N,))
params = [(torch.randn(H, D) * 0.03).requires_grad_(), torch.zeros(H).requires_grad_(),
          (torch.randn(C, H) * 0.09).requires_grad_(), torch.zeros(C).requires_grad_()]
v = [torch.randn_like(p) for p in params]


def loss():
    w1, b1, w2, b2 = params
    h = torch.nn.functional.relu(torch.nn.functional.linear(x, w1, b1))
    return torch.nn.functional.cross_entropy(torch.nn.functional.linear(h, w2, b2), y)


def grad():
    return torch.autograd.grad(loss(), params)


def hvp():
    g = torch.autograd.grad(loss(), params, create_graph=True)
    dot = sum((gi * vi).sum() for gi, vi in zip(g, v))
    return torch.autograd.grad(dot, params)


def timed(f, n=50):
    ts = []
    for _ in range(n):
        t0 = time.perf_counter()
        f()
        ts.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(ts)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    print("torch threads", torch.get_num_threads(), "BLAS", blas_threads())
    for _ in range(20):
        hvp()
        grad()
    hv, gr = [], []
    for r in range(rounds):
        gr.append(timed(grad))
        hv.append(timed(hvp))
        print(f"round {r}: grad {gr[-1]:.3f} ms, hvp {hv[-1]:.3f} ms")
    print(f"torch hvp ms median={statistics.median(hv):.3f} grad ms median={statistics.median(gr):.3f}")


if __name__ == "__main__":
    main()
