#!/usr/bin/python3
"""PyTorch peer of dev.adjoint.benchmarks.MlpBench: the FashionMNIST MLP (784-512-512-10, batch 64).

Run with Debian's python3-torch in the same session as the Java benchmark:

    /usr/bin/python3 benchmarks/python/mlp_bench.py            # 1 thread, then one per core

Training step: forward, CrossEntropyLoss, backward, optimizer.step() (SGD lr 1e-3), zero_grad().
Inference step: forward under torch.no_grad() in eval mode. Warm-up, then the median of timed samples,
as in the Java harness. Peak memory is the process's peak resident set (ru_maxrss).
"""
import argparse
import os
import resource
import time

import torch
from torch import nn


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


def measure(name, step, batch, warmup, seconds, samples):
    end = time.perf_counter() + warmup
    warm = 0
    while time.perf_counter() < end or warm < 3:
        step()
        warm += 1
    rates = []
    for _ in range(samples):
        t0 = time.perf_counter()
        n = 0
        while True:
            step()
            n += 1
            t = time.perf_counter()
            if t - t0 >= seconds:
                break
        rates.append(n * batch / (t - t0))
    rates.sort()
    print(f"{name:<9} median {rates[len(rates) // 2]:8.0f} samples/s  [{rates[0]:.0f} .. {rates[-1]:.0f}]  "
          f"({warm} warm-up steps)")
    return rates[len(rates) // 2]


def run(threads, warmup, seconds, samples):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    batch, nb = 64, 16
    xs = [torch.rand(batch, 1, 28, 28) for _ in range(nb)]
    ys = [torch.randint(0, 10, (batch,)) for _ in range(nb)]
    model = NeuralNetwork()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    k = [0]

    def train():
        i = k[0] % nb
        k[0] += 1
        loss = loss_fn(model(xs[i]), ys[i])
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

    def infer():
        i = k[0] % nb
        k[0] += 1
        with torch.no_grad():
            model(xs[i])

    print(f"mlp_bench: torch {torch.__version__}, threads={torch.get_num_threads()}, batch={batch}, 784-512-512-10")
    model.train()
    tr = measure("training", train, batch, warmup, seconds, samples)
    model.eval()
    inf = measure("inference", infer, batch, warmup, seconds, samples)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RESULT torch threads={threads} training_samples_per_s={tr:.0f} inference_samples_per_s={inf:.0f} "
          f"peak_rss_mb={peak:.1f}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--warmup", type=float, default=5)
    p.add_argument("--seconds", type=float, default=2)
    p.add_argument("--samples", type=int, default=5)
    p.add_argument("--threads", type=int, nargs="*", default=None,
                   help="thread counts to run (default: 1, then every core)")
    a = p.parse_args()
    # torch's default here is often 1 already (OMP_NUM_THREADS / cgroup), so the second run uses every core
    cores = max(torch.get_num_threads(), os.cpu_count() or 1)
    for t in a.threads or sorted({1, cores}):
        run(t, a.warmup, a.seconds, a.samples)


if __name__ == "__main__":
    main()
