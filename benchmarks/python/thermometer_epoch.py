"""PyTorch peer of ThermometerEpochBench: seed 000's 5000-epoch manual training loop, us per epoch.

Run with Debian's torch: /usr/bin/python3 benchmarks/python/thermometer_epoch.py [rounds]
"""
import statistics
import sys
import time

import torch

T_C = [0.5, 14.0, 15.0, 28.0, 11.0, 8.0, 3.0, -4.0, 6.0, 13.0, 21.0]
T_U = [35.7, 55.9, 58.2, 81.9, 56.3, 48.9, 33.9, 21.8, 48.4, 60.4, 68.4]
EPOCHS = 5000


def model(t_u, w, b):
    return w * t_u + b


def loss_fn(t_p, t_c):
    squared_diffs = (t_p - t_c) ** 2
    return squared_diffs.mean()


def training_loop():
    t_c = torch.tensor(T_C)
    t_un = torch.tensor(T_U) * 0.1
    params = torch.tensor([1.0, 0.0], requires_grad=True)
    for _ in range(EPOCHS):
        if params.grad is not None:
            params.grad.zero_()
        t_p = model(t_un, *params)
        loss = loss_fn(t_p, t_c)
        loss.backward()
        with torch.no_grad():
            params -= 1e-2 * params.grad
    return params


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    torch.set_num_threads(1)
    print("final", training_loop())
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        training_loop()
        samples.append((time.perf_counter() - t0) * 1e6 / EPOCHS)
    print("torch %s eager %.1f us/epoch median, %.1f best (%d rounds)"
          % (torch.__version__, statistics.median(samples), min(samples), rounds))


if __name__ == "__main__":
    main()
