#!/usr/bin/python3
"""Writes goldens/views.json: PyTorch 1.13's views and in-place changes through them (tests never run Python).

Rerun after changing a case (from the repository root), with Debian's python3-torch:

    /usr/bin/python3 runtime/src/test/python/view_goldens.py

Read by ViewGoldenTest. Two parts:

  through    one entry per view operation: x = leaf.clone(); v = view(x); v.mul_(w); x.backward(c), and the
             same with the gradient taken through the view (v.backward(cv)): the values of x and v after the
             change, the node names of x and v (CopySlices, AsStridedBackward0), the names of the base's
             next functions, and the gradients of the leaf and of w.
  gradcheck  test_autograd.py's gradcheck cases on views (test_inplace_on_view_gradcheck,
             test_inplace_on_view_makes_base_require_grad, test_as_strided): inputs, an upstream gradient,
             the output and the gradients PyTorch computes.

Floats are written as exact float32 values (as JSON doubles), so Java reads bit-identical inputs.
"""
import json
import os

import torch

torch.set_default_dtype(torch.float32)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "goldens", "views.json")
GEN = torch.Generator().manual_seed(20240701)


def tj(t):
    t = t.detach()
    return {"shape": list(t.shape), "dtype": "float32", "data": t.double().contiguous().reshape(-1).tolist()}


def randn(*shape):
    return torch.randn(shape, generator=GEN)


def name(fn):
    return type(fn).__name__ if fn is not None else None


THROUGH = {}


def through(cid, shape, view, call):
    """view(x) -> a view of x; call names the Java view call for the test."""
    leaf = randn(*shape)
    for via in ("base", "view"):
        x0 = leaf.clone().requires_grad_(True)
        x = x0.clone()
        v = view(x)
        w = randn(*v.shape).requires_grad_(True)
        v.mul_(w)
        entry = {"call": call, "leaf": tj(leaf), "w": tj(w), "x_after": tj(x), "v_after": tj(v),
                 "x_grad_fn": name(x.grad_fn), "v_grad_fn": name(v.grad_fn),
                 "x_next": [name(f) for f, _ in x.grad_fn.next_functions],
                 "v_next": [name(f) for f, _ in v.grad_fn.next_functions]}
        if via == "base":
            c = randn(*x.shape)
            x.backward(c)
        else:
            c = randn(*v.shape)
            v.backward(c)
        entry.update({"upstream": tj(c), "leaf_grad": tj(x0.grad), "w_grad": tj(w.grad)})
        THROUGH[cid + "_" + via] = entry


through("view", (2, 3), lambda x: x.view(3, 2), "view(3,2)")
through("reshape", (2, 3), lambda x: x.reshape(6), "reshape(6)")
through("t", (2, 3), lambda x: x.t(), "t()")
through("transpose", (2, 3, 2), lambda x: x.transpose(0, 2), "transpose(0,2)")
through("permute", (2, 3, 2), lambda x: x.permute(1, 2, 0), "permute(1,2,0)")
through("select", (3, 4), lambda x: x.select(1, 2), "select(1,2)")
through("slice", (5, 2), lambda x: x[1:4], "slice(0,1,4)")
through("slice_step", (2, 7), lambda x: x[:, 1:7:2], "slice(1,1,7,2)")
through("narrow", (4, 3), lambda x: x.narrow(1, 1, 2), "narrow(1,1,2)")
through("squeeze", (3, 1, 2), lambda x: x.squeeze(), "squeeze()")
through("unsqueeze", (2, 3), lambda x: x.unsqueeze(0), "unsqueeze(0)")
through("diagonal", (3, 4), lambda x: x.diagonal(1), "diagonal(1,0,1)")
through("flatten", (2, 3, 2), lambda x: x.flatten(1), "flatten(1,-1)")
through("unflatten", (2, 6), lambda x: x.unflatten(1, (2, 3)), "unflatten(1,2,3)")
through("as_strided", (10,), lambda x: x.as_strided((2, 3), (4, 1), 1), "asStrided(2,3;4,1;1)")
through("view_of_view", (4, 4), lambda x: x[1:3].t()[1:], "slice(0,1,3).t().slice(0,1,4)")

GRADCHECK = {}


def gradcheck_case(cid, fn, *inputs):
    leaves = [t.clone().requires_grad_(True) for t in inputs]
    out = fn(*leaves)
    c = randn(*out.shape)
    out.backward(c)
    GRADCHECK[cid] = {"inputs": [tj(t) for t in inputs], "upstream": tj(c), "out": tj(out),
                      "grads": [tj(t.grad) if t.grad is not None else None for t in leaves],
                      "grad_fn": name(out.grad_fn)}


def inplace_on_view_gradcheck(root, b):
    x = root.clone()
    x.narrow(1, 2, 2).narrow(0, 1, 2).mul_(b)
    x.narrow(1, 0, 2).narrow(0, 1, 2).mul_(b)
    return x


gradcheck_case("test_inplace_on_view_gradcheck", inplace_on_view_gradcheck, randn(4, 4), randn(2, 2))


def makes_base_require_grad(b):
    x = A_FIXED.clone()
    x.narrow(1, 2, 2).mul_(b)
    return x


A_FIXED = randn(4, 4)
gradcheck_case("test_inplace_on_view_makes_base_require_grad", makes_base_require_grad, randn(4, 2))
GRADCHECK["test_inplace_on_view_makes_base_require_grad"]["a"] = tj(A_FIXED)

# test_as_strided (its gradcheck inputs, with random values)
gradcheck_case("as_strided_view5x5", lambda x: x.view(5, 5).as_strided([3, 3], [6, 2], 2), randn(25))
gradcheck_case("as_strided_size1_crazy_stride", lambda x: x.as_strided([1, 2, 1, 5], [0, 5, 100, 1], 2), randn(12))
gradcheck_case("as_strided_expand", lambda x: x.as_strided([3, 3, 3], [0, 1, 0], 2), randn(5))
gradcheck_case("as_strided_expand_all0", lambda x: x.as_strided([3, 3, 3], [0, 0, 0], 4), randn(5))
gradcheck_case("as_strided_of_expand", lambda x: x.expand(5, 5).as_strided([5, 5], [0, 1], 0), randn(5))
gradcheck_case("as_strided_overlap_6x6", lambda x: x.as_strided([6, 6], [5, 1], 2), randn(35))
gradcheck_case("as_strided_overlap_3x2", lambda x: x.as_strided([3, 2], [3, 6], 2), randn(15))
gradcheck_case("as_strided_transpose", lambda x: x.as_strided([4, 3], [1, 4]), randn(3, 4))
gradcheck_case("as_strided_select_on_expand", lambda x: x.expand(10, 2, 3).as_strided([2, 3], [3, 1], 0), randn(2, 3))


def write():
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(os.path.normpath(OUT), "w") as f:
        json.dump({"torch": torch.__version__, "through": THROUGH, "gradcheck": GRADCHECK}, f, indent=1,
                  sort_keys=True)
        f.write("\n")
    print("wrote", os.path.normpath(OUT))


if __name__ == "__main__":
    write()
