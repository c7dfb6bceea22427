#!/usr/bin/python3
"""Writes the PyTorch goldens of the FashionMNIST CNN sample (issue 18).

Run with Debian's python3-torch (PyTorch 1.13) from the repository root:

    /usr/bin/python3 runtime/src/test/python/cnn_goldens.py [--full] [/usr/share/datasets/fashion-mnist]

It reads the mini FashionMNIST set that nn_goldens.py wrote (runtime/src/test/resources/goldens/fashion-mnist-mini)
and writes, beside it:

  fashion_cnn_init.safetensors  the CNN's state under torch.manual_seed(0) (state_dict() without num_batches_tracked:
                                parameters and batch norm's running statistics, float32);
  fashion_cnn.json              the first 20 batch losses (SGD lr 0.01, batch 64, no shuffle, training mode) on the
                                mini training set, the test loss and accuracy on the mini test set after them (eval
                                mode: running statistics), and with --full the test accuracy and loss on the full
                                10k test set after one epoch on the full 60k training set (the sample's check).
"""
import json
import os
import struct
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nn_goldens as ng  # noqa: E402  (read_idx, to_tensor, batches, evaluate)

ROOT = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(ROOT, "..", "resources", "goldens"))
LR = 0.01


class CNN(nn.Module):
    """Two conv blocks (conv 3x3 pad 1, batch norm, ReLU, 2x2 max pool) and a linear head."""

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


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        b = t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def main():
    args = [a for a in sys.argv[1:] if a != "--full"]
    full = "--full" in sys.argv
    data = args[0] if args else "/usr/share/datasets/fashion-mnist"
    torch.set_num_threads(1)
    mini = os.path.join(OUT, "fashion-mnist-mini")
    train_x = ng.to_tensor(ng.read_idx(os.path.join(mini, "train-images-idx3-ubyte.gz")))
    train_y = torch.from_numpy(ng.read_idx(os.path.join(mini, "train-labels-idx1-ubyte.gz")).astype("int64"))
    test_x = ng.to_tensor(ng.read_idx(os.path.join(mini, "t10k-images-idx3-ubyte.gz")))
    test_y = torch.from_numpy(ng.read_idx(os.path.join(mini, "t10k-labels-idx1-ubyte.gz")).astype("int64"))

    torch.manual_seed(0)
    model = CNN()
    # the state dict without num_batches_tracked (written before Adjoint's batch norm kept it; such a state dict
    # still loads strictly, the count reset to 0, as in PyTorch)
    init = {k: v.detach().clone() for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    write_safetensors(os.path.join(OUT, "fashion_cnn_init.safetensors"), init)
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    losses = []
    model.train()
    for xb, yb in ng.batches(train_x, train_y, 64):
        loss = loss_fn(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    acc, test_loss = ng.evaluate(model, loss_fn, test_x, test_y)
    out = {"lr": LR, "batchSize": 64, "parameters": {k: list(v.shape) for k, v in init.items()},
           "first20Losses": losses, "miniTestAccuracy": acc, "miniTestLoss": test_loss}
    if full:
        fx = ng.to_tensor(ng.read_idx(os.path.join(data, "train-images-idx3-ubyte.gz")))
        fy = torch.from_numpy(ng.read_idx(os.path.join(data, "train-labels-idx1-ubyte.gz")).astype("int64"))
        tx = ng.to_tensor(ng.read_idx(os.path.join(data, "t10k-images-idx3-ubyte.gz")))
        ty = torch.from_numpy(ng.read_idx(os.path.join(data, "t10k-labels-idx1-ubyte.gz")).astype("int64"))
        torch.manual_seed(0)
        model = CNN()
        opt = torch.optim.SGD(model.parameters(), lr=LR)
        model.train()
        for xb, yb in ng.batches(fx, fy, 64):
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        out["fullEpoch1TestAccuracy"], out["fullEpoch1TestLoss"] = ng.evaluate(model, loss_fn, tx, ty)
    else:
        try:
            with open(os.path.join(OUT, "fashion_cnn.json")) as f:
                old = json.load(f)
            for k in ("fullEpoch1TestAccuracy", "fullEpoch1TestLoss"):
                if k in old:
                    out[k] = old[k]
        except FileNotFoundError:
            pass
    with open(os.path.join(OUT, "fashion_cnn.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
    print("wrote", os.path.join(OUT, "fashion_cnn.json"), out.get("fullEpoch1TestAccuracy"))


if __name__ == "__main__":
    main()
