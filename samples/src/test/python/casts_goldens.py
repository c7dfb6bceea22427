"""PyTorch goldens for CastsCorpus (findings 11 sections 3-4): casts between float32 and float64 (.double(),
.float(), .to()), a float64 zero state of the batch's size, and the linear-algebra composites lstsq, pinv,
matrix_norm ('fro', 'nuc', 2, -2) and vector_norm inside @Differentiable code. For each method: the inputs,
the value, the gradient of every input, the JVP along the tangents `t` and the Hessian-vector product along the
same tangents (torch.autograd.functional.jvp / hvp), written to samples/src/test/resources/goldens/casts.json;
CastsCorpusTest compares the generated CastsCorpusDiff methods with them. Inputs are float32 values (exact in JSON;
results to 12 significant digits)
stored as float32 or float64 as the method's dtypes say.

Run with Debian's torch: /usr/bin/python3 samples/src/test/python/casts_goldens.py
"""
import json
import os

import torch
from torch.autograd.functional import hvp, jvp

torch.set_num_threads(1)
GEN = torch.Generator().manual_seed(20261203)


def r(*shape, dtype=torch.float64, scale=1.0):
    return (torch.randn(shape, generator=GEN).float() * scale).float().to(dtype)


def mixed(x, w):
    b = x.size(0)
    h = torch.zeros(b, 3, dtype=torch.float64)
    z = torch.tanh(x.double() @ w) + h
    back = z.float() * x[:, 0:3]
    return back.sum().to(torch.float64) + (z * z).sum() * 0.5 + (w.to(x.dtype) ** 3).sum()


def rect(a, y):
    x = torch.linalg.lstsq(a, y).solution
    p = torch.linalg.pinv(a)
    return (torch.linalg.svdvals(a).sum() + (x * x).sum() + (p * p).sum() * 0.5
            + torch.linalg.matrix_norm(a, 'fro') + torch.linalg.matrix_norm(a, 'nuc') * 0.5
            + torch.linalg.matrix_norm(a, 2) * 0.25 + torch.linalg.vector_norm(y, 3.0))


def wide(a, y):
    p = torch.linalg.pinv(a)
    return (torch.tanh(p @ y[0:3]).sum() + torch.linalg.matrix_norm(a, -2)
            + (torch.linalg.lstsq(a.t(), y).solution ** 2).sum() * 0.1)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def rounded(t):
    # LAPACK's lstsq and pinv differ between runs in the last bits (about 1e-16 relative): results are written
    # to 12 significant digits so that the file is the same at every run; the tests compare to 1e-9
    return [float("%.12g" % v) for v in flat(t)]


def case(f, names, inputs, tangents):
    inputs = tuple(inputs)
    tangents = tuple(tangents)
    leaves = [i.clone().requires_grad_(True) for i in inputs]
    value = f(*leaves)
    grads = torch.autograd.grad(value, leaves)
    _, tangent = jvp(f, inputs, tangents)
    _, hv = hvp(f, inputs, tangents)
    out = {
        "names": names,
        "inputs": {n: {"shape": list(i.shape), "dtype": str(i.dtype).replace("torch.", ""), "data": flat(i)}
                   for n, i in zip(names, inputs)},
        "tangents": {n: flat(t) for n, t in zip(names, tangents)},
        "value": rounded(value)[0],
        "grad": {n: rounded(g) for n, g in zip(names, grads)},
        "jvp": rounded(tangent)[0],
        "hvp": {n: rounded(h) for n, h in zip(names, hv)},
    }
    return out


def main():
    goldens = {}
    x = r(5, 4, dtype=torch.float32)
    w = r(4, 3)
    goldens["mixed"] = case(mixed, ["x", "w"], [x, w], [r(5, 4, dtype=torch.float32), r(4, 3)])
    a = r(4, 3) + torch.tensor([[2.0, 0, 0], [0, 2.0, 0], [0, 0, 2.0], [0, 0, 0]], dtype=torch.float64)
    y = r(4, 2)
    goldens["rect"] = case(rect, ["a", "y"], [a, y], [r(4, 3), r(4, 2)])
    aw = r(3, 4) + torch.tensor([[2.0, 0, 0, 0], [0, 2.0, 0, 0], [0, 0, 2.0, 0]], dtype=torch.float64)
    yw = r(4, 2)
    goldens["wide"] = case(wide, ["a", "y"], [aw, yw], [r(3, 4), r(4, 2)])
    path = os.path.join(os.path.dirname(__file__), "..", "resources", "goldens", "casts.json")
    with open(path, "w") as fh:
        json.dump(goldens, fh, indent=1, sort_keys=True)
        fh.write("\n")


if __name__ == "__main__":
    main()
