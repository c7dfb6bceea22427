"""PyTorch's answers for user derivative rules whose gradient is a broadcast (UserRuleShapesTest).

Run from the repository root with Debian's PyTorch (1.13 CPU here):

    /usr/bin/python3 samples/src/test/python/user_rule_goldens.py

It writes samples/src/test/resources/goldens/user_rules.json (float64, deterministic: fixed inputs, no random
numbers). The swish rule is a torch.autograd.Function with the same backward as the Java @Derivative rule
UserRuleShapes.swishVjp: beta's gradient is returned unreduced ([2, 3] for a [3] beta), and PyTorch's engine
(validate_outputs) sums it to beta's shape. Tests never run Python: the script and its output are committed.
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "goldens", "user_rules.json")
torch.set_default_dtype(torch.float64)

X = [[0.1, -0.4, 0.9], [1.2, 0.3, -0.8]]
B = [0.7, 1.1, 1.4]
TX = [[0.3, -0.2, 0.5], [-0.6, 0.4, 0.1]]
TB = [0.2, -0.5, 0.3]


class Swish(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, beta):
        ctx.save_for_backward(x, beta)
        return x * torch.sigmoid(x * beta)

    @staticmethod
    def backward(ctx, g):
        x, beta = ctx.saved_tensors
        s = torch.sigmoid(x * beta)
        ds = s * (1 - s)
        # beta's gradient as the Java rule returns it: x's shape, not reduced over the broadcast rows
        return g * (s + x * beta * ds), g * (x * x * ds)


def use_swish(x, b, n):
    h = x
    for _ in range(n):
        h = Swish.apply(h, b) + x
    return (h * h).sum()


def swish_once(x, b):
    return (Swish.apply(x, b) ** 2).sum()


def zeros_like_accumulator(x, n):
    acc = torch.zeros_like(x)
    for i in range(n):
        acc = acc + torch.sin(x * i)
    return acc.sum()


def zeros_of_dtype(x):
    acc = torch.zeros(3, dtype=x.dtype)
    return ((acc + x) ** 2).sum()


def ones_like_scale(x, w):
    one = torch.ones_like(x)
    z = torch.zeros(x.shape, dtype=x.dtype)
    return (torch.tanh(one + x * w + z) * x).sum()


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def case(fn, inputs, tangents):
    leaves = [torch.tensor(v).requires_grad_(True) for v in inputs]
    value = fn(*leaves)
    grads = torch.autograd.grad(value, leaves)
    primal = tuple(torch.tensor(v) for v in inputs)
    direction = tuple(torch.tensor(v) for v in tangents)
    _, jvp = torch.autograd.functional.jvp(lambda *a: fn(*a), primal, direction)
    out = {"value": float(value), "jvp": float(jvp)}
    for i, g in enumerate(grads):
        out["grad%d" % i] = flat(g)
        out["shape%d" % i] = list(g.shape)
    return out


def main():
    goldens = {"x": X, "b": B, "tx": TX, "tb": TB}
    for n in (1, 2, 3):
        goldens["useSwish_n%d" % n] = case(lambda x, b, n=n: use_swish(x, b, n), [X, B], [TX, TB])
    goldens["swishOnce"] = case(swish_once, [X, B], [TX, TB])
    goldens["zerosLikeAccumulator_n3"] = case(lambda x: zeros_like_accumulator(x, 3), [X], [TX])
    goldens["zerosOfDtype"] = case(zeros_of_dtype, [B], [TB])
    goldens["onesLikeScale"] = case(ones_like_scale, [X, X[1]], [TX, TX[0]])
    # the eager Function on its own: backward() sums beta's [2, 3] gradient to [3]
    x = torch.tensor(X).requires_grad_(True)
    b = torch.tensor(B).requires_grad_(True)
    (Swish.apply(x, b) ** 2).sum().backward()
    goldens["function"] = {"gx": flat(x.grad), "gb": flat(b.grad), "gbShape": list(b.grad.shape)}
    # a gradient that does not broadcast: PyTorch's error
    class Bad(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, beta):
            return x * beta

        @staticmethod
        def backward(ctx, g):
            return g, g.t()

    try:
        Bad.apply(torch.tensor(X, requires_grad=True), torch.tensor(B, requires_grad=True)).sum().backward()
        goldens["badFunctionError"] = None
    except RuntimeError as e:
        goldens["badFunctionError"] = str(e)
    with open(OUT, "w") as f:
        json.dump(goldens, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
