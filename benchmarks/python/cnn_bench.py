#!/usr/bin/python3
"""PyTorch peer of dev.adjoint.benchmarks.CnnBench: the FashionMNIST CNN of issue 18 (conv 1->16 3x3 pad 1, batch
norm, ReLU, 2x2 max pool; conv 16->32, the same; linear 1568->10; batch 64), mlp_bench.py's harness.

Run with Debian's python3-torch in the same session as the Java benchmark, alternating with it:

    /usr/bin/python3 benchmarks/python/cnn_bench.py --threads 1 1:2   # torch 1 thread; torch 1 + OpenBLAS 2

Threads. Debian's torch does its matrix products in OpenBLAS (the openblas-pthread flavour), whose own
thread pool ignores torch.set_num_threads(): a "1 thread" run in one process used both cores for every GEMM.
So each thread count runs in a child process started with OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and
MKL_NUM_THREADS set to it (OpenBLAS reads its variable once, when the library is loaded with torch), and the
child prints the thread counts actually in effect: torch's (at::get_num_threads) and OpenBLAS's
(openblas_get_num_threads, asked of the loaded library).

Training step: forward, CrossEntropyLoss, backward, optimizer.step() (SGD lr 1e-2), zero_grad().
Inference step: forward under torch.no_grad() in eval mode. Warm-up, then the median of timed samples,
as in the Java harness. Peak memory is the process's peak resident set (ru_maxrss).
"""

import functools
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mlp_bench  # noqa: E402  (the shared harness: child processes per thread count, measure, report)


def make_model():
    import torch
    from torch import nn

    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
            self.bn1 = nn.BatchNorm2d(16)
            self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
            self.bn2 = nn.BatchNorm2d(32)
            self.fc = nn.Linear(32 * 7 * 7, 10)

        def forward(self, x):
            x = nn.functional.max_pool2d(nn.functional.relu(self.bn1(self.conv1(x))), 2)
            x = nn.functional.max_pool2d(nn.functional.relu(self.bn2(self.conv2(x))), 2)
            return self.fc(torch.flatten(x, 1))

    return CNN()


def main():
    mlp_bench.main(functools.partial(mlp_bench.run, make=make_model, lr=1e-2, name="cnn_bench",
                                     shape="conv16-bn-relu-pool conv32-bn-relu-pool fc10"), script=__file__)


if __name__ == "__main__":
    main()
