#!/usr/bin/python3
"""Seed 004 in PyTorch, the peer of dev.adjoint.samples.fashion.FashionMnistSample.

The tutorial's training (SGD lr 1e-3, batch 64, no shuffle) from torch.manual_seed(0), reading the IDX files
of Debian's dataset-fashion-mnist with gzip + numpy (no torchvision needed). Its output, next to the Java
sample's started from the same weights (--init runtime/src/test/resources/goldens/fashion_mlp_init.state),
shows how closely the two runs track each other epoch by epoch.

    /usr/bin/python3 samples/python/fashion_mnist_tutorial.py [--epochs 10] [--data /usr/share/datasets/fashion-mnist]
"""
import argparse
import gzip
import os
import struct

import numpy as np
import torch
from torch import nn


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    a = p.parse_args()
    torch.set_num_threads(1)
    load = lambda n: read_idx(os.path.join(a.data, n))
    xs = torch.from_numpy(load("train-images-idx3-ubyte.gz").copy()).float().div(255).unsqueeze(1)
    ys = torch.from_numpy(load("train-labels-idx1-ubyte.gz").astype(np.int64))
    tx = torch.from_numpy(load("t10k-images-idx3-ubyte.gz").copy()).float().div(255).unsqueeze(1)
    ty = torch.from_numpy(load("t10k-labels-idx1-ubyte.gz").astype(np.int64))
    torch.manual_seed(0)
    model = NeuralNetwork()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    bs = 64
    for t in range(a.epochs):
        print(f"Epoch {t + 1}\n-------------------------------")
        model.train()
        for batch, i in enumerate(range(0, len(xs), bs)):
            X, y = xs[i:i + bs], ys[i:i + bs]
            loss = loss_fn(model(X), y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            if batch % 100 == 0:
                print(f"loss: {loss.item():>7f}  [{batch * bs + len(X):>5d}/{len(xs):>5d}]")
        model.eval()
        test_loss, correct, nb = 0, 0, 0
        with torch.no_grad():
            for i in range(0, len(tx), bs):
                pred = model(tx[i:i + bs])
                test_loss += loss_fn(pred, ty[i:i + bs]).item()
                correct += (pred.argmax(1) == ty[i:i + bs]).type(torch.float).sum().item()
                nb += 1
        print(f"Test Error: \n Accuracy: {(100 * correct / len(tx)):>0.1f}%, Avg loss: {test_loss / nb:>8f} \n")
    print("Done!")


if __name__ == "__main__":
    main()
