#!/usr/bin/python3
"""Writes goldens/inplace.json: PyTorch 1.13's recorded in-place operations (tests never run Python).

Rerun after changing a case (from the repository root), with Debian's python3-torch:

    /usr/bin/python3 runtime/src/test/python/inplace_goldens.py

Two parts, read by InPlaceGoldenTest:

  ops        one entry per in-place case: the value of self, the operand or parameters, an upstream
             gradient c, and what PyTorch gives for t = x.clone(); t.op_(...); t.backward(c): the
             result, t.grad_fn's name, and the gradients of x and of the operand (null where none).
             Where "self_requires_grad" is false, self is a plain tensor (no clone) and only the operand
             requires grad.
  scenarios  the translated test_autograd.py cases and the behaviours around them (which operations
             raise, with PyTorch's message, and the values and gradients they leave).

Floats are written as exact float32 values (as JSON doubles), so Java reads bit-identical inputs.
Output is deterministic (fixed seeds, sorted keys).
"""
import json
import math
import os

import torch

torch.set_default_dtype(torch.float32)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "goldens", "inplace.json")
GEN = torch.Generator().manual_seed(20240613)


def tj(t):
    """A tensor as JSON: shape, dtype and row-major values."""
    t = t.detach()
    dtype = "int64" if t.dtype == torch.int64 else "float32"
    vals = t.reshape(-1).tolist() if dtype == "int64" else t.double().reshape(-1).tolist()
    return {"shape": list(t.shape), "dtype": dtype, "data": vals}


def sample(shape, domain="any"):
    if domain == "any":
        return torch.randn(shape, generator=GEN)
    if domain == "positive":
        return torch.rand(shape, generator=GEN) * 2.0 + 0.25
    if domain == "nonzero":
        s = torch.randint(0, 2, shape, generator=GEN).float() * 2 - 1
        return s * (torch.rand(shape, generator=GEN) + 0.25)
    raise ValueError(domain)


OPS = {}


def op(cid, method, fn, self_value, operand=None, params=(), self_requires_grad=True):
    """fn(t, operand, *params) applies the in-place operation to t."""
    x = self_value.clone().requires_grad_(self_requires_grad)
    w = operand.clone().requires_grad_(True) if operand is not None else None
    t = x.clone() if self_requires_grad else x
    r = fn(t, w, *params)
    assert r is t
    c = sample(tuple(t.shape))
    t.backward(c)
    OPS[cid] = {
        "method": method,
        "self": tj(self_value),
        "self_requires_grad": self_requires_grad,
        "operand": tj(operand) if operand is not None else None,
        "params": list(params),
        "upstream": tj(c),
        "out": tj(t),
        "grad_fn": type(t.grad_fn).__name__,
        "self_grad": tj(x.grad) if self_requires_grad and x.grad is not None else None,
        "operand_grad": tj(w.grad) if w is not None and w.grad is not None else None,
    }


# ---- binary, with a tensor operand
op("add_same", "add_(Tensor)", lambda t, w: t.add_(w), sample((2, 3)), sample((2, 3)))
op("add_bcast", "add_(Tensor)", lambda t, w: t.add_(w), sample((2, 3)), sample((3,)))
op("add_plain_self", "add_(Tensor)", lambda t, w: t.add_(w), sample((2, 3)), sample((1, 3)),
   self_requires_grad=False)
op("sub_same", "sub_(Tensor)", lambda t, w: t.sub_(w), sample((3, 2)), sample((3, 2)))
op("sub_bcast", "sub_(Tensor)", lambda t, w: t.sub_(w), sample((2, 3)), sample((2, 1)))
op("mul_same", "mul_(Tensor)", lambda t, w: t.mul_(w), sample((2, 3)), sample((2, 3)))
op("mul_bcast", "mul_(Tensor)", lambda t, w: t.mul_(w), sample((2, 3)), sample((3,)))
op("mul_plain_self", "mul_(Tensor)", lambda t, w: t.mul_(w), sample((2, 3)), sample((3,)),
   self_requires_grad=False)
op("div_same", "div_(Tensor)", lambda t, w: t.div_(w), sample((2, 3)), sample((2, 3), "nonzero"))
op("div_bcast", "div_(Tensor)", lambda t, w: t.div_(w), sample((2, 3)), sample((3,), "positive"))
op("div_plain_self", "div_(Tensor)", lambda t, w: t.div_(w), sample((4,)), sample((4,), "nonzero"),
   self_requires_grad=False)
op("add_alpha_same", "add_(Tensor,double)", lambda t, w, a: t.add_(w, alpha=a), sample((2, 3)),
   sample((2, 3)), (-0.5,))
op("add_alpha_bcast", "add_(Tensor,double)", lambda t, w, a: t.add_(w, alpha=a), sample((2, 3)),
   sample((3,)), (2.5,))
op("copy_same", "copy_(Tensor)", lambda t, w: t.copy_(w), sample((2, 3)), sample((2, 3)))
op("copy_bcast", "copy_(Tensor)", lambda t, w: t.copy_(w), sample((2, 3)), sample((3,)))
op("copy_plain_self", "copy_(Tensor)", lambda t, w: t.copy_(w), sample((4,)), sample((4,)),
   self_requires_grad=False)
# ---- with a scalar
op("add_double", "add_(double)", lambda t, w, s: t.add_(s), sample((2, 3)), None, (1.5,))
op("sub_double", "sub_(double)", lambda t, w, s: t.sub_(s), sample((4,)), None, (0.25,))
op("mul_double", "mul_(double)", lambda t, w, s: t.mul_(s), sample((2, 2)), None, (-2.0,))
op("div_double", "div_(double)", lambda t, w, s: t.div_(s), sample((3,)), None, (4.0,))
op("fill_double", "fill_(double)", lambda t, w, s: t.fill_(s), sample((2, 3)), None, (2.5,))
op("zero", "zero_()", lambda t, w: t.zero_(), sample((2, 3)))
# ---- unary
op("neg", "neg_()", lambda t, w: t.neg_(), sample((2, 3)))
op("exp", "exp_()", lambda t, w: t.exp_(), sample((2, 3)))
op("log", "log_()", lambda t, w: t.log_(), sample((2, 3), "positive"))
op("sqrt", "sqrt_()", lambda t, w: t.sqrt_(), sample((2, 3), "positive"))
op("abs", "abs_()", lambda t, w: t.abs_(), sample((2, 3), "nonzero"))
op("abs_at_zero", "abs_()", lambda t, w: t.abs_(), torch.tensor([-1.0, 0.0, 2.0]))
op("sin", "sin_()", lambda t, w: t.sin_(), sample((2, 3)))
op("cos", "cos_()", lambda t, w: t.cos_(), sample((2, 3)))
op("tanh", "tanh_()", lambda t, w: t.tanh_(), sample((2, 3)))
op("sigmoid", "sigmoid_()", lambda t, w: t.sigmoid_(), sample((2, 3)))
op("relu", "relu_()", lambda t, w: t.relu_(), sample((2, 3), "nonzero"))
op("relu_at_zero", "relu_()", lambda t, w: t.relu_(), torch.tensor([-1.0, 0.0, 2.0]))
op("pow_2", "pow_(double)", lambda t, w, p: t.pow_(p), sample((2, 3)), None, (2.0,))
op("pow_3", "pow_(double)", lambda t, w, p: t.pow_(p), sample((4,)), None, (3.0,))
op("pow_half", "pow_(double)", lambda t, w, p: t.pow_(p), sample((4,), "positive"), None, (0.5,))
op("pow_neg", "pow_(double)", lambda t, w, p: t.pow_(p), sample((2, 2), "positive"), None, (-1.5,))
op("clamp", "clamp_(double,double)", lambda t, w, lo, hi: t.clamp_(lo, hi), sample((3, 4)), None,
   (-0.5, 0.5))
op("clamp_at_bounds", "clamp_(double,double)", lambda t, w, lo, hi: t.clamp_(lo, hi),
   torch.tensor([-1.0, -0.5, 0.0, 0.5, 1.0]), None, (-0.5, 0.5))
op("clamp_min_above_max", "clamp_(double,double)", lambda t, w, lo, hi: t.clamp_(lo, hi),
   torch.tensor([-2.0, 0.0, 2.0]), None, (1.0, -1.0))
op("clamp_min_only", "clamp_(double,double)", lambda t, w, lo, hi: t.clamp_(min=lo), sample((5,)), None,
   (0.0, math.inf))


# ------------------------------------------------------------------------------------------------
# Scenarios: the translated test_autograd.py cases.

SCENARIOS = {}


def error_of(f):
    try:
        f()
    except RuntimeError as e:
        return str(e)
    return None


def scenario(name):
    def register(f):
        SCENARIOS[name] = f()
        return f

    return register


@scenario("requires_grad_inplace")
def _():
    # test_requires_grad_inplace
    a = torch.randn(5, 5)
    b = torch.randn(5, 5, requires_grad=True)
    a += b
    leaf = {"requires_grad": a.requires_grad, "grad_fn": type(a.grad_fn).__name__, "is_leaf": a.is_leaf}
    a = torch.randn(5, 5) + 0
    b = torch.randn(5, 5, requires_grad=True)
    a += b
    return {"leaf": leaf, "non_leaf": {"requires_grad": a.requires_grad, "grad_fn": type(a.grad_fn).__name__}}


@scenario("leaf_error")
def _():
    w = torch.ones(2, 2, requires_grad=True)
    return {"message": error_of(lambda: w.add_(1))}


@scenario("no_requires_grad_inplace")
def _():
    # test_no_requires_grad_inplace (the parts without views)
    a = torch.randn(2, 3)
    a.add_(5)
    a.requires_grad = True
    a.sum().backward()
    grad = tj(a.grad)
    a = torch.randn(2, 3)
    a.requires_grad = True
    return {"grad": grad, "error": error_of(lambda: a.add_(5))}


@scenario("inplace")
def _():
    # test_inplace, as in test_autograd.py
    out = {}
    x = torch.ones(5, 5, requires_grad=True)
    y = torch.ones(5, 5) * 4
    y.requires_grad_(True)

    z = x * y
    q = z + y
    w = z * y
    z.add_(2)
    q.backward(torch.ones(5, 5), retain_graph=True)
    out["block1_w_error"] = error_of(lambda: w.backward(torch.ones(5, 5)))

    z = x * y
    q = z * y
    r = z + y
    w = z.add_(y)
    w.backward(torch.ones(5, 5), retain_graph=True)
    r.backward(torch.ones(5, 5), retain_graph=True)
    out["block2_q_error"] = error_of(lambda: q.backward(torch.ones(5, 5)))

    with torch.no_grad():
        x.grad.zero_()
    m = x / 2
    z = m + y / 8
    q = z * y
    r = z + y
    prev_version = z._version
    w = z.exp_()
    out["block3_version_changed"] = z._version != prev_version
    r.backward(torch.ones(5, 5), retain_graph=True)
    out["block3_x_grad_after_r"] = tj(x.grad)
    w.backward(torch.ones(5, 5), retain_graph=True)
    out["block3_x_grad_after_w"] = tj(x.grad)
    out["block3_q_error"] = error_of(lambda: q.backward(torch.ones(5, 5)))

    leaf = torch.ones(5, 5, requires_grad=True)
    x = leaf.clone()
    x.add_(10)
    out["block4_x"] = tj(x)
    y = x + 2
    y.backward(torch.ones(5, 5))
    out["block4_leaf_grad"] = tj(leaf.grad)
    z = x * y
    x.add_(2)
    out["block4_z_error"] = error_of(lambda: z.backward(torch.ones(5, 5)))
    return out


@scenario("no_grad_modifies_version")
def _():
    # test_no_grad_modifies_version
    x = torch.randn(5, requires_grad=True)
    y = torch.randn(5, requires_grad=True)
    z = (x * y).sum()
    with torch.no_grad():
        x *= 2
    return {"error": error_of(lambda: z.backward())}


@scenario("saved_variable_version_counter")
def _():
    # test_saved_variable_version_counter: a change under no_grad bumps the version and backward sees it
    a = torch.tensor([0.5, -1.0], requires_grad=True)
    b = torch.exp(a)
    before = b._version
    with torch.no_grad():
        b += 1
    return {"version_before": before, "version_after": b._version,
            "error": error_of(lambda: b.sum().backward())}


@scenario("retain_grad_inplace")
def _():
    # test_retain_grad_inplace
    a = torch.tensor([1.0], requires_grad=True).clone()
    a.retain_grad()
    a.mul_(2)
    a.sum().backward()
    once = tj(a.grad)
    a = torch.tensor([1.0], requires_grad=True).clone()
    a.retain_grad()
    a.mul_(2)
    a.mul_(2)
    a.sum().backward()
    return {"once": once, "twice": tj(a.grad)}


@scenario("detach_inplace")
def _():
    # test_detach, the in-place part
    x = torch.randn(3, 3, requires_grad=True)
    y = torch.randn(3, 3, requires_grad=True)
    a = x * 2
    (y + a).sum().backward(retain_graph=True)
    version = a._version
    a.detach_()
    out = {"requires_grad": a.requires_grad, "is_leaf": a.is_leaf, "version_unchanged": a._version == version}
    (y + a).sum().backward()
    out["x_grad"] = tj(x.grad)
    out["y_grad"] = tj(y.grad)
    # detach_ on a leaf that requires grad is allowed
    leaf = torch.ones(2, requires_grad=True)
    leaf.detach_()
    out["leaf_requires_grad"] = leaf.requires_grad
    return out


@scenario("leaf_assignment")
def _():
    # test_leaf_assignment without views: whole-tensor copy_ and add_ into a plain tensor
    x = torch.zeros(2, 5)
    y = torch.randn(5, requires_grad=True)
    z = torch.randn(5, requires_grad=True)
    x.copy_(y)
    x.add_(2 * z)
    out = {"requires_grad": x.requires_grad, "grad_fn": type(x.grad_fn).__name__}
    x.sum().backward()
    out["y_grad"] = tj(y.grad)
    out["z_grad"] = tj(z.grad)
    return out


@scenario("copy_requires_grad")
def _():
    # test_copy_ (TestAutogradDeviceType), float32 only; and copy into int64, which is not recorded
    x = torch.randn(10, requires_grad=True)
    y = torch.empty(10)
    y.copy_(x)
    i = torch.zeros(10, dtype=torch.int64)
    i.copy_(x)
    return {"requires_grad": y.requires_grad, "grad_fn": type(y.grad_fn).__name__,
            "int_requires_grad": i.requires_grad}


@scenario("backward_twice_without_saved_values")
def _():
    # test_backward_twice_without_saved_values; and the same with a node that saved a tensor
    b = torch.tensor([0.5, 1.5, -2.0], requires_grad=True)
    c = b + 1
    c.backward(torch.ones(3))
    c.backward(torch.ones(3))
    d = torch.tensor([0.5, 1.5, -2.0], requires_grad=True)
    e = d.exp()
    e.backward(torch.ones(3))
    return {"grad": tj(b.grad), "saved_error": error_of(lambda: e.backward(torch.ones(3)))}


@scenario("self_operand")
def _():
    # an operand that is self: its saved value changes in the operation
    out = {}
    for name, f in [("add", lambda t: t.add_(t)), ("mul", lambda t: t.mul_(t)), ("div", lambda t: t.div_(t)),
                    ("sub", lambda t: t.sub_(t)), ("copy", lambda t: t.copy_(t))]:
        x = torch.tensor([1.5, -2.0], requires_grad=True)
        t = x.clone()
        f(t)
        err = error_of(lambda: t.sum().backward())
        out[name] = {"error": err, "x_grad": tj(x.grad) if x.grad is not None else None, "out": tj(t)}
    return out


@scenario("saved_result_then_changed")
def _():
    # exp_ saves its result: changing it again breaks backward; sin_ keeps the old value, so it does not
    out = {}
    x = torch.tensor([0.5, -1.0], requires_grad=True)
    t = x.clone()
    t.exp_()
    t.mul_(2)
    out["exp_then_mul"] = error_of(lambda: t.sum().backward())
    x = torch.tensor([0.5, -1.0], requires_grad=True)
    t = x.clone()
    t.sin_()
    t.mul_(2)
    t.sum().backward()
    out["sin_then_mul_grad"] = tj(x.grad)
    # mul_ saves its operand: changing the operand later breaks backward
    x = torch.tensor([0.5, -1.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0])
    t = x.clone()
    t.mul_(w)
    w.add_(1)
    out["operand_changed"] = error_of(lambda: t.sum().backward())
    # add_ saves nothing: the operand may change
    x = torch.tensor([0.5, -1.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    t = x.clone()
    t.add_(w)
    with torch.no_grad():
        w.mul_(5)
    t.sum().backward()
    out["add_operand_changed_grad"] = tj(w.grad)
    return out


@scenario("detach_inplace_of_saved_input")
def _():
    # test_saved_variable_saved_original_inplace_detach
    a = torch.tensor(1.0, requires_grad=True).clone()
    b = a.sin()
    a.detach_()
    input_error = error_of(lambda: b.backward())
    a = torch.tensor(1.0, requires_grad=True).clone()
    b = a.exp()
    a.detach_()
    return {"input_error": input_error, "output_error": error_of(lambda: b.backward())}


@scenario("grad_mode_off")
def _():
    # in-place under no_grad on a non-leaf is not recorded: grad_fn stays, the version moves
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    with torch.no_grad():
        y.add_(1)
        y.exp_()
    return {"grad_fn": type(y.grad_fn).__name__, "version": y._version}


with open(OUT, "w") as f:
    json.dump({"torch": torch.__version__, "ops": OPS, "scenarios": SCENARIOS}, f, indent=1, sort_keys=True)
    f.write("\n")
print("wrote", OUT, len(OPS), "ops,", len(SCENARIOS), "scenarios")
