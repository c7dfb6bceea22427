"""PyTorch goldens for the generated Hessian-vector products of tensor methods (issue 16):
torch.autograd.functional.hvp (double backward, float64 from the same float32 inputs) of the HvpTensors methods
(straight-line ones, a recurrence through a loop, one calling another @Differentiable method twice, and since
session 11 the rounding functions and cumprod/prod at zeros), and of a module's loss (hvp_module.json:
Linear, LayerNorm, tanh, a scale field, Linear, MSE; ModuleHvpGoldenTest),
since session 12 the matrix products, erf and the softmaxes of FINDINGS11 §2 (mats, batched, mvDot),
and torch.autograd.functional.hessian of some of them (fHessian's layout: inputs flattened in wrt order),
written to samples/src/test/resources/goldens/hvp_tensors.json; TensorHvpGoldenTest compares
HvpTensorsDiff.<name>Hvp with them. Inputs are float32 values (exact in JSON), integer class targets int64.

Run with Debian's torch: /usr/bin/python3 samples/src/test/python/hvp_tensor_goldens.py
"""
import json
import os

import torch

GEN = torch.Generator().manual_seed(20261202)


def r(*shape):
    return torch.randn(shape, generator=GEN).float()


def mlp_loss(x, w1, b1, w2, b2, target):
    h = torch.tanh(x @ w1 + b1)
    return torch.nn.functional.cross_entropy(h @ w2 + b2, target)


def soft_cross_entropy(z, y):
    return -(torch.log_softmax(z, 1) * y).sum(1).mean()


def softmax_score(q, k, c):
    return (torch.softmax(q @ k.t(), 1) * c).sum()


def layer(w, x, b, y):
    return torch.nn.functional.mse_loss(torch.tanh(w @ x + b), y)


def recurrent(h0, w, b):
    h = h0
    for _ in range(3):
        h = torch.tanh(h @ w + b)
    return (h * h).mean()


def stacked(w, x, b, y):
    first = layer(w, x, b, y)
    return first * first + layer(w, x * 0.5, b, y)


def piecewise(x):
    # floor/round/sign/trunc/ceil are constant almost everywhere: zero derivative of every order
    q = x * x.floor() + x.round() * x * x + x.sign() * x.exp()
    return (q + x.trunc() * x + x.ceil() * x.sin()).sum()


def cumprod_zeros(x):
    return (x.tanh().cumprod(1) * x).sum() + x.prod(1).square().sum()


def normed_mlp(x, w1, b1, g, beta, scale, w2, b2, y):
    # HvpModule.loss: Linear(3, 4), LayerNorm(4), tanh, a scale field, Linear(4, 1), mean squared error
    h = torch.tanh(torch.nn.functional.layer_norm(x @ w1.t() + b1, (4,), g, beta, 1e-5)) * scale
    r = h @ w2.t() + b2 - y
    return (r * r).mean()


def mats(a, b, v, c):
    # session 12 (FINDINGS11 §2): addmm, mv, outer, mm, dot, erf in straight-line code
    m = torch.addmm(c, a, b)
    w = torch.mv(a, v)
    p = torch.mm(torch.outer(w, w), m)
    return p.sum() + torch.dot(w, w) + torch.erf(m).sum()


def batched(x, y):
    # bmm, Tensor.softmax(dim), Tensor.log_softmax(dim) and F.softmax(x, dim) together
    s = torch.bmm(x, y)
    return (s.softmax(2) * s.log_softmax(1)).sum() + (torch.nn.functional.softmax(s, 0) * s).sum()


def mv_dot(a, v):
    w = torch.mv(a, v)
    return torch.dot(w, w)


def case(fn, inputs, wrt, hessian=False):
    """inputs: name -> float32 tensor (or int64); wrt: the names differentiated, in the record's order."""
    v = {n: r(*inputs[n].shape) for n in wrt}
    as64 = {n: (t.double() if t.is_floating_point() else t) for n, t in inputs.items()}
    names = list(inputs)

    def f(*ws):
        args = dict(as64)
        args.update(zip(wrt, ws))
        return fn(*[args[n] for n in names])

    _, hv = torch.autograd.functional.hvp(f, tuple(as64[n] for n in wrt), tuple(v[n].double() for n in wrt))
    out = {
        "inputs": {n: {"shape": list(t.shape), "dtype": "int64" if not t.is_floating_point() else "float32",
                       "data": t.double().reshape(-1).tolist()} for n, t in inputs.items()},
        "order": names,
        "wrt": wrt,
        "v": {n: v[n].double().reshape(-1).tolist() for n in wrt},
        "hv": {n: h.reshape(-1).tolist() for n, h in zip(wrt, hv)},
    }
    if hessian:
        # the dense Hessian over the inputs flattened and concatenated in wrt order (fHessian's layout)
        sizes = [as64[n].numel() for n in wrt]
        shapes = [as64[n].shape for n in wrt]

        def flat(p):
            parts, at = [], 0
            for size, shape in zip(sizes, shapes):
                parts.append(p[at:at + size].reshape(shape))
                at += size
            return f(*parts)

        h = torch.autograd.functional.hessian(flat, torch.cat([as64[n].reshape(-1) for n in wrt]))
        out["hessian"] = h.tolist()
    return out


def main():
    cases = {
        "mlpLoss": case(mlp_loss, {"x": r(6, 5), "w1": r(5, 7) * 0.5, "b1": r(7) * 0.1, "w2": r(7, 4) * 0.5,
                                   "b2": r(4) * 0.1, "target": torch.tensor([0, 3, 1, 2, 3, 0])},
                        ["w1", "b1", "w2", "b2"]),
        "softCrossEntropy": case(soft_cross_entropy, {"z": r(5, 4), "y": torch.softmax(r(5, 4), 1)}, ["z"],
                                 hessian=True),
        "softmaxScore": case(softmax_score, {"q": r(3, 4) * 0.5, "k": r(5, 4) * 0.5, "c": r(3, 5)}, ["q", "k"],
                             hessian=True),
        "layer": case(layer, {"w": r(4, 6) * 0.5, "x": r(6, 3), "b": r(3) * 0.1, "y": r(4, 3) * 0.5},
                      ["w", "x", "b", "y"]),
        # drawn after the cases above, so their inputs stay as they were
        "recurrent": case(recurrent, {"h0": r(4, 5), "w": r(5, 5) * 0.5, "b": r(5) * 0.1}, ["h0", "w", "b"]),
        "stacked": case(stacked, {"w": r(4, 6) * 0.5, "x": r(6, 3), "b": r(3) * 0.1, "y": r(4, 3) * 0.5},
                        ["w", "x", "b", "y"]),
    }
    # session 11, drawn after the cases above: rounding functions, cumprod and prod at zeros
    x = r(3, 4) * 2
    x[0, 1] = 0
    x[1, 0] = 0
    x[1, 3] = 0
    cases["piecewise"] = case(piecewise, {"x": r(3, 4) * 2}, ["x"], hessian=True)
    cases["cumprodZeros"] = case(cumprod_zeros, {"x": x}, ["x"], hessian=True)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "goldens", "hvp_tensors.json")
    # HvpModule.loss over its input and every parameter (ModuleHvpGoldenTest), in the gradient record's order
    module = {"normedMlp": case(normed_mlp, {"x": r(5, 3), "w1": r(4, 3) * 0.5, "b1": r(4) * 0.1, "g": 1 + r(4) * 0.2,
                                            "beta": r(4) * 0.1, "scale": r(4), "w2": r(1, 4) * 0.5,
                                            "b2": r(1) * 0.1, "y": r(5, 1)},
                                  ["x", "w1", "b1", "g", "beta", "scale", "w2", "b2"])}
    # session 12, drawn after the module's case: the matrix products, erf and the softmaxes (FINDINGS11 §2)
    cases["mats"] = case(mats, {"a": r(3, 4) * 0.5, "b": r(4, 2) * 0.5, "v": r(4), "c": r(3, 2)},
                         ["a", "b", "v", "c"])
    cases["batched"] = case(batched, {"x": r(2, 3, 4) * 0.5, "y": r(2, 4, 3) * 0.5}, ["x", "y"])
    cases["mvDot"] = case(mv_dot, {"a": r(3, 4), "v": r(4)}, ["a", "v"], hessian=True)
    with open(out, "w") as fh:
        json.dump(cases, fh, indent=1, sort_keys=True)
        fh.write("\n")
    print("wrote", os.path.normpath(out), "torch", torch.__version__)
    out = os.path.join(os.path.dirname(out), "hvp_module.json")
    with open(out, "w") as fh:
        json.dump(module, fh, indent=1, sort_keys=True)
        fh.write("\n")
    print("wrote", os.path.normpath(out), "torch", torch.__version__)


if __name__ == "__main__":
    main()
