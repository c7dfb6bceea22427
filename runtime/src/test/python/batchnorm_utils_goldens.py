#!/usr/bin/python3
"""Writes the PyTorch goldens for gradient clipping in float64 and batch norm's num_batches_tracked (outsider 10,
D2 and D3), read by BatchNormTrackingTest and Float64UtilsTest (tests never run Python).

Run from the repository root with Debian's python3-torch (PyTorch 1.13):

    /usr/bin/python3 runtime/src/test/python/batchnorm_utils_goldens.py

It writes, under runtime/src/test/resources/goldens/:

  batchnorm_utils.json
    utils64    clip_grad_norm_ (2-norm, inf-norm, 1-norm, not clipped) and clip_grad_value_ on two float64
               parameters' gradients (a module after .double()): the clipped gradients and the total norm, and
               parameters_to_vector of float64 parameters.
    tracking   BatchNorm1d and BatchNorm2d trained on three batches, with momentum 0.1 and momentum=None (the
               cumulative average, which reads num_batches_tracked), then one batch in eval mode: the running
               statistics and num_batches_tracked after each training batch, and the eval output.
    state      a small network with both batch norms trained two steps (SGD), the input x and its eval output;
               the network's full state_dict(), num_batches_tracked included, is
  safetensors/batchnorm.safetensors
               written with safetensors_goldens.write_safetensors (the format of safetensors.torch.save_file).

float32 values are written exactly (as doubles), float64 ones with repr (exact); the output is deterministic.
"""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import safetensors_goldens as sg  # noqa: E402

OUT = os.path.join(HERE, "..", "resources", "goldens")


def tj(t):
    """A tensor as JSON: shape, dtype and its exact row-major values."""
    t = t.detach()
    dtype = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64"}[t.dtype]
    vals = t.reshape(-1).tolist() if dtype == "int64" else t.double().reshape(-1).tolist()
    return {"shape": list(t.shape), "dtype": dtype, "data": vals}


def utils64(gen):
    grads = [torch.randn(3, 4, generator=gen, dtype=torch.float64) * 3,
             torch.randn(5, generator=gen, dtype=torch.float64)]
    out = []
    for cid, fn in (("norm2", lambda ps: torch.nn.utils.clip_grad_norm_(ps, 1.5)),
                    ("norm_inf", lambda ps: torch.nn.utils.clip_grad_norm_(ps, 0.5, float("inf"))),
                    ("norm_unclipped", lambda ps: torch.nn.utils.clip_grad_norm_(ps, 1000.0)),
                    ("norm1", lambda ps: torch.nn.utils.clip_grad_norm_(ps, 2.0, 1.0)),
                    ("value", lambda ps: torch.nn.utils.clip_grad_value_(ps, 0.7))):
        ps = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
        for p, g in zip(ps, grads):
            p.grad = g.clone()
        r = fn(ps)
        out.append({"id": cid, "grads": [tj(g) for g in grads], "clipped": [tj(p.grad) for p in ps],
                    "total": None if r is None else tj(r)})
    params = [g.clone() for g in grads]
    vec = torch.nn.utils.parameters_to_vector(params)
    return {"clip": out, "params": [tj(p) for p in params], "vector": tj(vec)}


def tracking(gen):
    out = []
    for cid, make, shape in (("bn1d", lambda m: torch.nn.BatchNorm1d(3, momentum=m), (4, 3)),
                             ("bn1d_3d", lambda m: torch.nn.BatchNorm1d(3, momentum=m), (2, 3, 5)),
                             ("bn2d", lambda m: torch.nn.BatchNorm2d(3, momentum=m), (2, 3, 2, 2))):
        for momentum in (0.1, None):
            bn = make(momentum)
            steps = []
            for _ in range(3):
                x = torch.randn(*shape, generator=gen)
                y = bn(x)
                steps.append({"x": tj(x), "y": tj(y), "runningMean": tj(bn.running_mean),
                              "runningVar": tj(bn.running_var), "numBatchesTracked": tj(bn.num_batches_tracked)})
            bn.eval()
            x = torch.randn(*shape, generator=gen)
            out.append({"id": cid + ("_momentum" if momentum is not None else "_cumulative"), "momentum": momentum,
                        "steps": steps, "evalX": tj(x), "evalY": tj(bn(x))})
    return out


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 2, 3)
        self.bn = torch.nn.BatchNorm2d(2)
        self.fc = torch.nn.Linear(8, 3)
        self.bn1 = torch.nn.BatchNorm1d(3)

    def forward(self, x):
        h = torch.relu(self.bn(self.conv(x))).flatten(1)
        return self.bn1(self.fc(h))


def state(gen):
    torch.manual_seed(11)
    net = Net()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    for _ in range(2):
        x = torch.randn(4, 1, 4, 4, generator=gen)
        opt.zero_grad()
        net(x).square().mean().backward()
        opt.step()
    net.eval()
    x = torch.randn(2, 1, 4, 4, generator=gen)
    y = net(x)
    sd = {k: v.detach().clone() for k, v in net.state_dict().items()}
    sg.write_safetensors(sd, None, os.path.join(OUT, "safetensors", "batchnorm.safetensors"))
    return {"keys": list(sd.keys()), "x": tj(x), "y": tj(y),
            "numBatchesTracked": {k: int(v) for k, v in sd.items() if k.endswith("num_batches_tracked")}}


def main():
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(20261203)
    doc = {"torch": torch.__version__, "utils64": utils64(gen), "tracking": tracking(gen), "state": state(gen)}
    path = os.path.normpath(os.path.join(OUT, "batchnorm_utils.json"))
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
