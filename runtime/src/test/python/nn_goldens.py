#!/usr/bin/python3
"""Writes the PyTorch goldens for dev.adjoint.nn and dev.adjoint.data (issue 7).

Run with Debian's python3-torch (PyTorch 1.13, no torchvision needed) from the repository root:

    /usr/bin/python3 runtime/src/test/python/nn_goldens.py [/usr/share/datasets/fashion-mnist]

It reads the real FashionMNIST IDX files (Debian package dataset-fashion-mnist) and writes, under
runtime/src/test/resources/goldens/:

  fashion-mnist-mini/   the first 1280 training images/labels (20 batches of 64) and the first 1000 test
                        images/labels, as gzip IDX files with the original headers' format, so tests
                        need neither the dataset package nor Python;
  fashion_mlp_init.state  the tutorial's NeuralNetwork initialised under torch.manual_seed(0), as an
                        Adjoint state file (format: javadoc of dev.adjoint.nn.StateDict), names and order
                        of named_parameters();
  fashion_mlp.json      parameter names and shapes, the first 20 batch losses (SGD lr 1e-3, batch 64,
                        no shuffle) on the mini training set, the test loss/accuracy on the mini test set
                        after those 20 steps, and (for the sample/benchmark check, not a unit test) the
                        test accuracy and loss on the full 10k test set after one full epoch;
  linear.json           F.linear forward and backward on small random inputs.
"""
import gzip
import json
import os
import struct
import sys
import zlib

import numpy as np
import torch
from torch import nn

ROOT = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(ROOT, "..", "resources", "goldens"))
DATA = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, = struct.unpack(">I", raw[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def write_idx(path, array):
    header = struct.pack(">I", 0x0800 | array.ndim) + struct.pack(">" + "I" * array.ndim, *array.shape)
    with open(path, "wb") as raw:
        # mtime=0 and no file name: the same bytes on every run
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as f:
            f.write(header + array.astype(np.uint8).tobytes())


def write_state(path, tensors):
    """An Adjoint state file, version 1 (see dev.adjoint.nn.StateDict)."""
    out = bytearray(b"ADJSTATE") + struct.pack("<II", 1, len(tensors))
    for name, t in tensors.items():
        key = name.encode("utf-8")
        out += struct.pack("<H", len(key)) + key + struct.pack("<BB", 0, t.dim())
        out += struct.pack("<" + "i" * t.dim(), *t.shape) + t.numpy().astype("<f4").tobytes()
    out += struct.pack("<I", zlib.crc32(out) & 0xFFFFFFFF)
    with open(path, "wb") as f:
        f.write(out)


class NeuralNetwork(nn.Module):
    """The tutorial's network (seed 004)."""

    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


def to_tensor(images):
    # torchvision's ToTensor: uint8 -> float32 / 255, shape (N, 1, 28, 28)
    return torch.from_numpy(images.copy()).float().div(255).unsqueeze(1)


def batches(x, y, size):
    for i in range(0, len(x), size):
        yield x[i:i + size], y[i:i + size]


def evaluate(model, loss_fn, x, y):
    model.eval()
    loss, correct, n = 0.0, 0.0, 0
    with torch.no_grad():
        for xb, yb in batches(x, y, 64):
            pred = model(xb)
            loss += loss_fn(pred, yb).item()
            correct += (pred.argmax(1) == yb).type(torch.float).sum().item()
            n += 1
    return correct / len(x), loss / n


def main():
    torch.set_num_threads(1)
    os.makedirs(os.path.join(OUT, "fashion-mnist-mini"), exist_ok=True)
    train_x = read_idx(os.path.join(DATA, "train-images-idx3-ubyte.gz"))
    train_y = read_idx(os.path.join(DATA, "train-labels-idx1-ubyte.gz"))
    test_x = read_idx(os.path.join(DATA, "t10k-images-idx3-ubyte.gz"))
    test_y = read_idx(os.path.join(DATA, "t10k-labels-idx1-ubyte.gz"))
    n_train, n_test = 20 * 64, 1000
    mini = os.path.join(OUT, "fashion-mnist-mini")
    write_idx(os.path.join(mini, "train-images-idx3-ubyte.gz"), train_x[:n_train])
    write_idx(os.path.join(mini, "train-labels-idx1-ubyte.gz"), train_y[:n_train])
    write_idx(os.path.join(mini, "t10k-images-idx3-ubyte.gz"), test_x[:n_test])
    write_idx(os.path.join(mini, "t10k-labels-idx1-ubyte.gz"), test_y[:n_test])

    torch.manual_seed(0)
    model = NeuralNetwork()
    init = {k: v.detach().clone() for k, v in model.named_parameters()}
    params = [{"name": k, "shape": list(v.shape)} for k, v in init.items()]
    write_state(os.path.join(OUT, "fashion_mlp_init.state"), init)

    loss_fn = nn.CrossEntropyLoss()
    lr = 1e-3

    # first 20 batch losses on the mini training set, then the mini test set
    xs, ys = to_tensor(train_x[:n_train]), torch.from_numpy(train_y[:n_train].astype(np.int64))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    model.train()
    losses = []
    for xb, yb in batches(xs, ys, 64):
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    tx, ty = to_tensor(test_x[:n_test]), torch.from_numpy(test_y[:n_test].astype(np.int64))
    mini_acc, mini_loss = evaluate(model, loss_fn, tx, ty)

    # one full epoch from the same start (documentation for the sample; needs the real dataset)
    model.load_state_dict(init)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    xs, ys = to_tensor(train_x), torch.from_numpy(train_y.astype(np.int64))
    model.train()
    for xb, yb in batches(xs, ys, 64):
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    full_acc, full_loss = evaluate(model, loss_fn, to_tensor(test_x), torch.from_numpy(test_y.astype(np.int64)))

    with open(os.path.join(OUT, "fashion_mlp.json"), "w") as f:
        json.dump({
            "torch": torch.__version__,
            "seed": 0,
            "lr": lr,
            "batchSize": 64,
            "params": params,
            "first20Losses": losses,
            "miniTestAfter20": {"accuracy": mini_acc, "avgLoss": mini_loss, "n": n_test},
            "fullTestAfterOneEpoch": {"accuracy": full_acc, "avgLoss": full_loss, "n": len(test_x)},
        }, f, indent=1)
        f.write("\n")

    # F.linear golden
    g = torch.Generator().manual_seed(7)
    x = torch.randn(3, 4, generator=g, dtype=torch.float64).float().requires_grad_()
    w = torch.randn(5, 4, generator=g, dtype=torch.float64).float().requires_grad_()
    b = torch.randn(5, generator=g, dtype=torch.float64).float().requires_grad_()
    up = torch.randn(3, 5, generator=g, dtype=torch.float64).float()
    out = torch.nn.functional.linear(x, w, b)
    out.backward(up)
    flat = lambda t: [float(v) for v in t.detach().reshape(-1)]
    with open(os.path.join(OUT, "linear.json"), "w") as f:
        json.dump({
            "x": {"shape": list(x.shape), "data": flat(x)},
            "weight": {"shape": list(w.shape), "data": flat(w)},
            "bias": {"shape": list(b.shape), "data": flat(b)},
            "upstream": {"shape": list(up.shape), "data": flat(up)},
            "out": {"shape": list(out.shape), "data": flat(out)},
            "gradX": flat(x.grad), "gradWeight": flat(w.grad), "gradBias": flat(b.grad),
        }, f, indent=1)
        f.write("\n")
    print("first losses", losses[:3], "... mini test", mini_acc, mini_loss, "full epoch", full_acc, full_loss)


if __name__ == "__main__":
    main()
