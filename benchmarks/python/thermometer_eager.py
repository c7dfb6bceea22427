#!/usr/bin/python3
"""PyTorch's eager thermometer loop (seed 000, manual update), timed: the peer of
dev.adjoint.benchmarks.EagerThermometerBench. Run with Debian's python3-torch:

    /usr/bin/python3 benchmarks/python/thermometer_eager.py [repeats]

Prints one line per timed run of 5000 epochs and a final "torch-eager us/epoch median=..." line.
Single-threaded (torch.set_num_threads(1)), like the Java loop.
"""
import statistics
import sys
import time

import torch

torch.set_num_threads(1)
t_c = torch.tensor([0.5, 14.0, 15.0, 28.0, 11.0, 8.0, 3.0, -4.0, 6.0, 13.0, 21.0])
t_u = torch.tensor([35.7, 55.9, 58.2, 81.9, 56.3, 48.9, 33.9, 21.8, 48.4, 60.4, 68.4])
t_un = 0.1 * t_u
EPOCHS = 5000


def model(t_u, w, b):
    return w * t_u + b


def loss_fn(t_p, t_c):
    squared_diffs = (t_p - t_c) ** 2
    return squared_diffs.mean()


def training_loop(n_epochs, learning_rate, params, t_u, t_c):
    for epoch in range(1, n_epochs + 1):
        if params.grad is not None:
            params.grad.zero_()
        t_p = model(t_u, *params)
        loss = loss_fn(t_p, t_c)
        loss.backward()
        with torch.no_grad():
            params -= learning_rate * params.grad
    return params, loss


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    training_loop(500, 1e-2, torch.tensor([1.0, 0.0], requires_grad=True), t_un, t_c)  # warm-up
    per_epoch = []
    for r in range(repeats):
        t0 = time.perf_counter()
        params, loss = training_loop(EPOCHS, 1e-2, torch.tensor([1.0, 0.0], requires_grad=True), t_un, t_c)
        us = (time.perf_counter() - t0) * 1e6 / EPOCHS
        per_epoch.append(us)
        print("run %d: %.2f us/epoch (loss %f, params %s)" % (r, us, float(loss), params.detach().tolist()))
    print("torch-eager us/epoch median=%.2f min=%.2f torch=%s" % (statistics.median(per_epoch), min(per_epoch),
                                                                 torch.__version__))


if __name__ == "__main__":
    main()
