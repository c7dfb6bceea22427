#!/usr/bin/python3
"""Writes the PyTorch goldens that the runtime tests compare against (tests never run Python).

Rerun after changing a case (from the repository root), with Debian's python3-torch:

    /usr/bin/python3 runtime/src/test/python/make_goldens.py

It rewrites three files under runtime/src/test/resources/goldens/ (commit them with the script):

  rules.json     one entry per rule case: the arguments, an upstream gradient, PyTorch's forward
                 output and the gradient of every differentiable argument (a double argument's
                 gradient is computed with it as a 0-d tensor). Read by RuleGradientTest, whose
                 RuleSpec table names each case id.
  format.json    str(t) of a set of tensors, read by TensorFormatterTest.
  autograd.json  the autograd tutorial's BCE-with-logits example (seed 003): w, b from
                 torch.manual_seed(1); torch.randn(5, 3); torch.randn(3), and PyTorch's results.
  composite.json a small network through many rules at once (the engine on a real graph).

Floats are written as the exact float32 values (as JSON doubles), so Java reads bit-identical inputs.
Output is deterministic (fixed seeds, sorted keys).
"""
import json
import math
import os

import torch

torch.set_default_dtype(torch.float32)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "goldens")


def tj(t):
    """A tensor as JSON: shape, dtype and row-major values."""
    t = t.detach()
    dtype = "int64" if t.dtype == torch.int64 else "float32"
    vals = t.reshape(-1).tolist() if dtype == "int64" else t.double().reshape(-1).tolist()
    return {"shape": list(t.shape), "dtype": dtype, "data": vals}


# ------------------------------------------------------------------------------------------------
# Inputs by domain (the Java RuleSpec rows use the same domain names for their own random inputs).

GEN = torch.Generator().manual_seed(20240601)


def sample(shape, domain):
    if domain == "any":
        return torch.randn(shape, generator=GEN)
    if domain == "positive":
        return torch.rand(shape, generator=GEN) * 2.0 + 0.25
    if domain == "nonzero":
        s = torch.randint(0, 2, shape, generator=GEN).float() * 2 - 1
        return s * (torch.rand(shape, generator=GEN) + 0.25)
    if domain == "probs":
        return torch.rand(shape, generator=GEN)
    if domain == "distinct":
        n = 1
        for d in shape:
            n *= d
        perm = torch.randperm(n, generator=GEN).float()
        return (perm * 0.37 - n * 0.15).reshape(shape)
    raise ValueError(domain)


class T:
    """A tensor argument: a shape and a domain, or fixed values."""

    def __init__(self, shape=None, domain="any", values=None, grad=True):
        self.shape, self.domain, self.values, self.grad = shape, domain, values, grad

    def make(self):
        if self.values is not None:
            return torch.tensor(self.values, dtype=torch.float32)
        return sample(self.shape, self.domain)


class Idx:
    def __init__(self, values):
        self.values = values


class L:
    """A list of tensors (cat, stack)."""

    def __init__(self, *items):
        self.items = items


CASES = []


def case(cid, call, fn, *args):
    CASES.append((cid, call, fn, args))


# ---- elementwise, binary
case("add_same", "add(Tensor)", lambda a, b: a + b, T((2, 3)), T((2, 3)))
case("add_bcast_row", "add(Tensor)", lambda a, b: a + b, T((2, 3)), T((3,)))
case("add_bcast_outer", "add(Tensor)", lambda a, b: a + b, T((4, 1)), T((1, 3)))
case("add_bcast_3d", "add(Tensor)", lambda a, b: a + b, T((2, 1, 3)), T((4, 1)))
case("add_scalar_tensor", "add(Tensor)", lambda a, b: a + b, T(()), T((3,)))
case("add_double", "add(double)", lambda a, s: a + s, T((2, 3)), 1.75)
case("sub_same", "sub(Tensor)", lambda a, b: a - b, T((3, 2)), T((3, 2)))
case("sub_bcast", "sub(Tensor)", lambda a, b: a - b, T((3,)), T((2, 3)))
case("sub_double", "sub(double)", lambda a, s: a - s, T((4,)), 0.5)
case("rsub_double", "rsub(double)", lambda a, s: s - a, T((2, 2)), 3.0)
case("mul_same", "mul(Tensor)", lambda a, b: a * b, T((2, 3)), T((2, 3)))
case("mul_bcast", "mul(Tensor)", lambda a, b: a * b, T((2, 1, 3)), T((4, 3)))
case("mul_bcast_col", "mul(Tensor)", lambda a, b: a * b, T((3, 1)), T((3, 4)))
case("mul_double", "mul(double)", lambda a, s: a * s, T((5,)), -2.5)
case("div_same", "div(Tensor)", lambda a, b: a / b, T((2, 3)), T((2, 3), "nonzero"))
case("div_bcast", "div(Tensor)", lambda a, b: a / b, T((2, 3)), T((3,), "positive"))
case("div_bcast_num", "div(Tensor)", lambda a, b: a / b, T((1,)), T((2, 2), "nonzero"))
case("div_double", "div(double)", lambda a, s: a / s, T((3,)), 4.0)
case("pow_2", "pow(double)", lambda a, p: a ** p, T((2, 3)), 2.0)
case("pow_3", "pow(double)", lambda a, p: a ** p, T((4,)), 3.0)
case("pow_half", "pow(double)", lambda a, p: a ** p, T((4,), "positive"), 0.5)
case("pow_neg", "pow(double)", lambda a, p: a ** p, T((2, 2), "positive"), -1.5)
# ---- broadcasting fuzz: random compatible shape pairs (leading dims dropped, sizes set to 1)
SHAPES = torch.Generator().manual_seed(11)


def _rint(lo, hi):
    return int(torch.randint(lo, hi, (1,), generator=SHAPES))


def _operand(out):
    shape = list(out[_rint(0, len(out)):]) if _rint(0, 3) == 0 else list(out)
    return tuple(1 if _rint(0, 3) == 0 else d for d in shape)


for _op, _fn, _dom in [("add", lambda a, b: a + b, "any"), ("sub", lambda a, b: a - b, "any"),
                       ("mul", lambda a, b: a * b, "any"), ("div", lambda a, b: a / b, "nonzero")]:
    for _i in range(6):
        _out = tuple(_rint(1, 5) for _ in range(_rint(1, 5)))
        case("%s_fuzz_%d" % (_op, _i), "%s(Tensor)" % _op, _fn, T(_operand(_out)), T(_operand(_out), _dom))
# ---- elementwise, unary
case("neg", "neg()", lambda a: -a, T((2, 3)))
case("exp", "exp()", torch.exp, T((2, 3)))
case("log", "log()", torch.log, T((2, 3), "positive"))
case("sqrt", "sqrt()", torch.sqrt, T((5,), "positive"))
case("abs", "abs()", torch.abs, T((2, 3), "nonzero"))
case("abs_at_zero", "abs()", torch.abs, T(values=[-1.5, 0.0, 2.0, -0.0]))
case("sin", "sin()", torch.sin, T((2, 3)))
case("cos", "cos()", torch.cos, T((2, 3)))
case("tanh", "tanh()", torch.tanh, T((2, 3)))
case("sigmoid", "sigmoid()", torch.sigmoid, T((2, 3)))
case("sigmoid_large", "sigmoid()", torch.sigmoid, T(values=[-30.0, -5.0, 0.0, 5.0, 30.0]))
case("relu", "relu()", torch.relu, T((2, 3), "nonzero"))
case("relu_at_zero", "relu()", torch.relu, T(values=[-1.0, 0.0, 2.0, -0.0, 0.5]))
# ---- reductions
case("sum_all", "sum()", lambda a: a.sum(), T((2, 3)))
case("sum_all_3d", "sum()", lambda a: a.sum(), T((2, 3, 4)))
case("sum_dim0", "sum(int,boolean)", lambda a, d, k: a.sum(d, keepdim=k), T((2, 3)), 0, False)
case("sum_dim1_keep", "sum(int,boolean)", lambda a, d, k: a.sum(d, keepdim=k), T((2, 3)), 1, True)
case("sum_dim_neg_3d", "sum(int,boolean)", lambda a, d, k: a.sum(d, keepdim=k), T((2, 3, 4)), -2, False)
case("sum_dim_3d_keep", "sum(int,boolean)", lambda a, d, k: a.sum(d, keepdim=k), T((2, 3, 4)), 2, True)
case("mean_all", "mean()", lambda a: a.mean(), T((3, 4)))
case("mean_dim0_keep", "mean(int,boolean)", lambda a, d, k: a.mean(d, keepdim=k), T((3, 4)), 0, True)
case("mean_dim1", "mean(int,boolean)", lambda a, d, k: a.mean(d, keepdim=k), T((3, 4)), 1, False)
case("mean_dim_3d", "mean(int,boolean)", lambda a, d, k: a.mean(d, keepdim=k), T((2, 3, 4)), 1, False)
case("max_all", "max()", lambda a: a.max(), T((3, 4), "distinct"))
case("max_all_ties", "max()", lambda a: a.max(), T(values=[[1.0, 3.0, 3.0], [-2.0, 3.0, 0.5]]))
case("max_dim1", "max(int,boolean)", lambda a, d, k: a.max(d, keepdim=k)[0], T((3, 4), "distinct"), 1, False)
case("max_dim0_keep", "max(int,boolean)", lambda a, d, k: a.max(d, keepdim=k)[0], T((3, 4), "distinct"), 0, True)
case("max_dim_3d", "max(int,boolean)", lambda a, d, k: a.max(d, keepdim=k)[0], T((2, 3, 4), "distinct"), -1, False)
case("max_dim_ties", "max(int,boolean)", lambda a, d, k: a.max(d, keepdim=k)[0],
     T(values=[[2.0, 2.0, 1.0], [0.0, -1.0, 0.0]]), 1, False)
# ---- linear algebra
case("matmul_1d_1d", "matmul(Tensor)", torch.matmul, T((4,)), T((4,)))
case("matmul_2d_2d", "matmul(Tensor)", torch.matmul, T((2, 3)), T((3, 4)))
case("matmul_1d_2d", "matmul(Tensor)", torch.matmul, T((5,)), T((5, 3)))
case("matmul_2d_1d", "matmul(Tensor)", torch.matmul, T((3, 5)), T((5,)))
case("matmul_3d_3d", "matmul(Tensor)", torch.matmul, T((2, 3, 4)), T((2, 4, 2)))
case("matmul_3d_2d", "matmul(Tensor)", torch.matmul, T((2, 3, 4)), T((4, 2)))
case("matmul_2d_3d", "matmul(Tensor)", torch.matmul, T((3, 4)), T((2, 4, 2)))
case("matmul_bcast_batch", "matmul(Tensor)", torch.matmul, T((2, 1, 2, 3)), T((3, 3, 2)))
case("matmul_1d_3d", "matmul(Tensor)", torch.matmul, T((3,)), T((2, 3, 2)))
# ---- shapes
case("t_2d", "t()", lambda a: a.t(), T((2, 3)))
case("t_1d", "t()", lambda a: a.t(), T((4,)))
case("transpose_2d", "transpose(int,int)", lambda a, x, y: a.transpose(x, y), T((2, 3)), 1, 0)
case("transpose_3d", "transpose(int,int)", lambda a, x, y: a.transpose(x, y), T((2, 3, 4)), 0, 2)
case("transpose_3d_neg", "transpose(int,int)", lambda a, x, y: a.transpose(x, y), T((2, 3, 4)), -1, -2)
case("reshape_2d", "reshape(int[])", lambda a, s: a.reshape(s), T((2, 3)), [3, 2])
case("reshape_flat", "reshape(int[])", lambda a, s: a.reshape(s), T((2, 3)), [-1])
case("reshape_3d", "reshape(int[])", lambda a, s: a.reshape(s), T((2, 3, 4)), [4, -1])
case("index_rows", "index(Tensor)", lambda a, i: a[i], T((4, 3)), Idx([2, 0, 2, 3]))
case("index_1d", "index(Tensor)", lambda a, i: a[i], T((5,)), Idx([4, 1, 1]))
case("index_neg", "index(Tensor)", lambda a, i: a[i], T((3, 2)), Idx([-1, 0]))
case("index_2d_idx", "index(Tensor)", lambda a, i: a[i], T((4, 3)), Idx([[0, 1], [3, 0]]))
case("slice_dim0", "slice(int,int,int)", lambda a, d, s, e: a.narrow(d, s, e - s), T((5, 3)), 0, 1, 4)
case("slice_dim1", "slice(int,int,int)", lambda a, d, s, e: a[:, s:e], T((3, 5)), 1, 2, 5)
case("slice_neg", "slice(int,int,int)", lambda a, d, s, e: a[s:e], T((6,)), 0, -4, -1)
case("slice_clamp", "slice(int,int,int)", lambda a, d, s, e: a[:, s:e], T((2, 4)), 1, 1, 100)
# ---- views (ViewRules): PyTorch returns views; our forwards are views too (the gradient is the same)
case("view_2d", "view(int[])", lambda a, s: a.view(s), T((2, 3)), [3, 2])
case("view_infer", "view(int[])", lambda a, s: a.view(s), T((2, 3, 4)), [-1, 4])
case("view_as", "viewAs(Tensor)", lambda a, b: a.view_as(b), T((2, 3)), T((3, 2), grad=False))
case("permute_3d", "permute(int[])", lambda a, d: a.permute(d), T((2, 3, 4)), [2, 0, 1])
case("permute_neg", "permute(int[])", lambda a, d: a.permute(d), T((2, 3)), [-1, 0])
case("expand_row", "expand(int[])", lambda a, s: a.expand(s), T((1, 3)), [4, 3])
case("expand_lead", "expand(int[])", lambda a, s: a.expand(s), T((3, 1)), [2, -1, 4])
case("expand_as", "expandAs(Tensor)", lambda a, b: a.expand_as(b), T((3,)), T((2, 3), grad=False))
case("squeeze_all", "squeeze()", lambda a: a.squeeze(), T((1, 3, 1, 2)))
case("squeeze_dim", "squeeze(int)", lambda a, d: a.squeeze(d), T((3, 1, 2)), 1)
case("squeeze_dim_noop", "squeeze(int)", lambda a, d: a.squeeze(d), T((3, 2)), -1)
case("unsqueeze_mid", "unsqueeze(int)", lambda a, d: a.unsqueeze(d), T((2, 3)), 1)
case("unsqueeze_end", "unsqueeze(int)", lambda a, d: a.unsqueeze(d), T((2, 3)), -1)
case("select_dim0", "select(int,int)", lambda a, d, i: a.select(d, i), T((3, 4)), 0, 2)
case("select_neg", "select(int,int)", lambda a, d, i: a.select(d, i), T((2, 3, 4)), -2, -1)
case("narrow_dim1", "narrow(int,int,int)", lambda a, d, s, n: a.narrow(d, s, n), T((3, 5)), 1, 1, 3)
case("narrow_neg", "narrow(int,int,int)", lambda a, d, s, n: a.narrow(d, s, n), T((6,)), 0, -4, 2)
case("slice_step", "slice(int,int,int,int)", lambda a, d, s, e, k: a[:, s:e:k], T((2, 7)), 1, 1, 7, 2)
case("slice_step_clamp", "slice(int,int,int,int)", lambda a, d, s, e, k: a[s:e:k], T((5, 2)), 0, -4, 100, 3)
case("flatten_all", "flatten(int,int)", lambda a, s, e: a.flatten(s, e), T((2, 3, 4)), 0, -1)
case("flatten_mid", "flatten(int,int)", lambda a, s, e: a.flatten(s, e), T((2, 3, 4)), 1, 2)
case("unflatten_mid", "unflatten(int,int[])", lambda a, d, s: a.unflatten(d, s), T((2, 12)), 1, [3, -1])
case("diagonal_main", "diagonal(int,int,int)", lambda a, o, x, y: a.diagonal(o, x, y), T((3, 4)), 0, 0, 1)
case("diagonal_offset", "diagonal(int,int,int)", lambda a, o, x, y: a.diagonal(o, x, y), T((3, 4)), 1, 0, 1)
case("diagonal_below_3d", "diagonal(int,int,int)", lambda a, o, x, y: a.diagonal(o, x, y), T((2, 4, 3)), -1, 2, 1)
case("as_strided_window", "asStrided(int[],int[],int)", lambda a, s, st, o: a.as_strided(s, st, o), T((8,)),
     [3, 3], [2, 1], 1)
case("as_strided_overlap", "asStrided(int[],int[],int)", lambda a, s, st, o: a.as_strided(s, st, o), T((2, 3)),
     [2, 2, 2], [0, 1, 3], 1)
case("clone_2d", "clone()", lambda a: a.clone(), T((2, 3)))
case("contiguous_2d", "contiguous()", lambda a: a.contiguous(), T((3, 2)))
case("cat_dim0", "cat(List,int)", lambda ts, d: torch.cat(ts, d), L(T((2, 3)), T((1, 3))), 0)
case("cat_dim1", "cat(List,int)", lambda ts, d: torch.cat(ts, d), L(T((2, 1)), T((2, 3)), T((2, 2))), 1)
case("cat_neg", "cat(List,int)", lambda ts, d: torch.cat(ts, d), L(T((2, 2, 1)), T((2, 2, 2))), -1)
case("stack_dim0", "stack(List,int)", lambda ts, d: torch.stack(ts, d), L(T((2, 3)), T((2, 3))), 0)
case("stack_dim1", "stack(List,int)", lambda ts, d: torch.stack(ts, d), L(T((2, 3)), T((2, 3)), T((2, 3))), 1)
case("stack_neg", "stack(List,int)", lambda ts, d: torch.stack(ts, d), L(T((3,)), T((3,))), -1)
# ---- nn.functional
F = torch.nn.functional
case("mse", "F.mseLoss(Tensor,Tensor)", F.mse_loss, T((2, 3)), T((2, 3)))
case("bce_logits", "F.binaryCrossEntropyWithLogits(Tensor,Tensor)", F.binary_cross_entropy_with_logits,
     T((2, 3)), T((2, 3), "probs"))
case("bce_logits_large", "F.binaryCrossEntropyWithLogits(Tensor,Tensor)", F.binary_cross_entropy_with_logits,
     T(values=[-40.0, -3.0, 0.0, 3.0, 40.0]), T(values=[1.0, 0.0, 0.5, 1.0, 0.0]))
case("softmax_dim1", "F.softmax(Tensor,int)", lambda x, d: F.softmax(x, d), T((2, 4)), 1)
case("softmax_dim0", "F.softmax(Tensor,int)", lambda x, d: F.softmax(x, d), T((3, 2)), 0)
case("softmax_3d", "F.softmax(Tensor,int)", lambda x, d: F.softmax(x, d), T((2, 3, 2)), 1)
case("softmax_large", "F.softmax(Tensor,int)", lambda x, d: F.softmax(x, d),
     T(values=[[1000.0, 1001.0, 999.0], [-1000.0, -1000.5, -2000.0]]), 1)
case("log_softmax_dim1", "F.logSoftmax(Tensor,int)", lambda x, d: F.log_softmax(x, d), T((2, 4)), 1)
case("log_softmax_dim0", "F.logSoftmax(Tensor,int)", lambda x, d: F.log_softmax(x, d), T((3, 2)), 0)
case("log_softmax_3d", "F.logSoftmax(Tensor,int)", lambda x, d: F.log_softmax(x, d), T((2, 3, 2)), -2)
case("log_softmax_large", "F.logSoftmax(Tensor,int)", lambda x, d: F.log_softmax(x, d),
     T(values=[[1000.0, 1001.0, 999.0], [-1000.0, -1000.5, -2000.0]]), 1)
case("nll", "F.nllLoss(Tensor,Tensor)", F.nll_loss, T((4, 3)), Idx([0, 2, 1, 2]))
case("cross_entropy", "F.crossEntropy(Tensor,Tensor)", F.cross_entropy, T((4, 5)), Idx([4, 0, 1, 1]))
case("linear_2d", "F.linear(Tensor,Tensor,Tensor)", F.linear, T((3, 4)), T((5, 4)), T((5,)))
case("linear_3d", "F.linear(Tensor,Tensor,Tensor)", F.linear, T((2, 3, 4)), T((2, 4)), T((2,)))
case("f_relu", "F.relu(Tensor)", F.relu, T((2, 3), "nonzero"))
case("f_sigmoid", "F.sigmoid(Tensor)", torch.sigmoid, T((2, 3)))
case("f_tanh", "F.tanh(Tensor)", torch.tanh, T((2, 3)))
# ---- one-argument reductions over a dim (keepdim=False), appended so earlier draws stay the same
case("sum_dim1_one_arg", "sum(int)", lambda a, d: a.sum(d), T((3, 4)), 1)
case("mean_dim0_one_arg", "mean(int)", lambda a, d: a.mean(d), T((3, 4)), 0)
case("max_dim_last_one_arg", "max(int)", lambda a, d: a.max(d)[0], T((2, 3, 4), "distinct"), -1)
# F.crossEntropy as a fused primitive: a classifier-sized batch, large logits, one class
case("cross_entropy_batch", "F.crossEntropy(Tensor,Tensor)", F.cross_entropy, T((16, 10)),
     Idx([3, 9, 0, 0, 7, 1, 2, 5, 8, 4, 6, 9, 1, 3, 3, 2]))
case("cross_entropy_large", "F.crossEntropy(Tensor,Tensor)", F.cross_entropy,
     T(values=[[1000.0, 1001.0, 999.0], [-1000.0, -1000.5, -2000.0]]), Idx([2, 0]))
case("cross_entropy_one_class", "F.crossEntropy(Tensor,Tensor)", F.cross_entropy, T((3, 1)), Idx([0, 0, 0]))

# ------------------------------------------------------------------------------------------------
# Issue 13's op families, appended so earlier draws stay the same. A double argument that PyTorch only
# takes as a Python number (alpha, slopes, bounds) is differentiated through the op's own formula when
# run_case passes it as a 0-d tensor; a double the result does not depend on gets gradient 0.


def _num(v):
    return not isinstance(v, torch.Tensor)


def _tt(v):
    return v if isinstance(v, torch.Tensor) else torch.tensor(v)


# ---- elementwise
case("log1p", "log1p()", torch.log1p, T((2, 3), "positive"))
case("log1p_small", "log1p()", torch.log1p, T(values=[1e-7, -1e-6, 0.5, -0.5, 3.0]))
case("expm1", "expm1()", torch.expm1, T((2, 3)))
case("expm1_small", "expm1()", torch.expm1, T(values=[1e-7, -1e-6, 0.5, -2.0, 3.0]))
case("square", "square()", torch.square, T((2, 3)))
case("reciprocal", "reciprocal()", torch.reciprocal, T((2, 3), "nonzero"))
case("rsqrt", "rsqrt()", torch.rsqrt, T((5,), "positive"))
_clamp = lambda a, lo, hi: torch.clamp(a, lo, hi) if _num(lo) and _num(hi) else torch.clamp(a, _tt(lo), _tt(hi))
case("clamp", "clamp(double,double)", _clamp, T((3, 4)), -0.5, 0.7)
case("clamp_at_bounds", "clamp(double,double)", _clamp, T(values=[-1.0, -0.5, 0.0, 0.7, 2.0]), -0.5, 0.7)
case("clamp_min_above_max", "clamp(double,double)", _clamp, T(values=[-1.0, 0.25, 0.5, 2.0]), 1.0, 0.5)
case("clamp_min", "clampMin(double)", torch.clamp_min, T((2, 3)), 0.1)
case("clamp_min_at_bound", "clampMin(double)", torch.clamp_min, T(values=[-1.0, 0.5, 0.75]), 0.5)
case("clamp_max", "clampMax(double)", torch.clamp_max, T((2, 3)), -0.2)
case("clamp_max_at_bound", "clampMax(double)", torch.clamp_max, T(values=[-1.0, 0.5, 0.75]), 0.5)
case("maximum", "maximum(Tensor)", torch.maximum, T((2, 3)), T((2, 3)))
case("maximum_bcast", "maximum(Tensor)", torch.maximum, T((3, 1)), T((2, 1, 4)))
case("maximum_ties", "maximum(Tensor)", torch.maximum, T(values=[[1.0, 2.0, -1.0], [0.0, 5.0, 3.0]]),
     T(values=[1.0, 0.0, -1.0]))
case("minimum", "minimum(Tensor)", torch.minimum, T((2, 3)), T((2, 3)))
case("minimum_bcast", "minimum(Tensor)", torch.minimum, T((4,)), T((3, 1)))
case("minimum_ties", "minimum(Tensor)", torch.minimum, T(values=[[1.0, 2.0, -1.0], [0.0, 5.0, 3.0]]),
     T(values=[1.0, 0.0, -1.0]))
case("pow_tensor", "pow(Tensor)", torch.pow, T((2, 3), "positive"), T((2, 3), "positive"))
case("pow_tensor_bcast", "pow(Tensor)", torch.pow, T((2, 3), "positive"), T((3,), "positive"))
case("pow_tensor_zero_base", "pow(Tensor)", torch.pow, T(values=[0.0, 0.0, 0.0, 2.0, 0.5]),
     T(values=[2.0, 0.0, 0.5, 0.0, -1.0]))
case("pow_scalar_base", "pow(double,Tensor)", torch.pow, 2.5, T((2, 3)))
case("pow_scalar_base_half", "pow(double,Tensor)", torch.pow, 0.5, T((4,)))
case("pow_scalar_base_zero", "pow(double,Tensor)", torch.pow, 0.0, T(values=[0.0, 1.0, 2.5]))
_add_alpha = lambda a, b, al: torch.add(a, b, alpha=al) if _num(al) else a + al * b
_sub_alpha = lambda a, b, al: torch.sub(a, b, alpha=al) if _num(al) else a - al * b
case("add_alpha", "add(Tensor,double)", _add_alpha, T((2, 3)), T((2, 3)), 0.75)
case("add_alpha_bcast", "add(Tensor,double)", _add_alpha, T((2, 3)), T((3,)), -2.0)
case("sub_alpha", "sub(Tensor,double)", _sub_alpha, T((2, 3)), T((2, 3)), 1.5)
case("sub_alpha_bcast", "sub(Tensor,double)", _sub_alpha, T((3, 1)), T((2, 3, 4)), 0.5)

# ---- activations
_leaky = lambda x, s: F.leaky_relu(x, s) if _num(s) else torch.where(x > 0, x, x * s)
_softplus = lambda x, b, th: (F.softplus(x, b, th) if _num(b) and _num(th)
                              else torch.where(x * b > th, x, torch.log1p(torch.exp(x * b)) / b))
_elu = lambda x, al: F.elu(x, al) if _num(al) else torch.where(x > 0, x, al * torch.expm1(x))
_hardtanh = lambda x, lo, hi: F.hardtanh(x, lo, hi) if _num(lo) and _num(hi) else torch.clamp(x, _tt(lo), _tt(hi))
case("leaky_relu", "F.leakyRelu(Tensor,double)", _leaky, T((2, 3), "nonzero"), 0.2)
case("leaky_relu_at_zero", "F.leakyRelu(Tensor,double)", _leaky, T(values=[-1.0, 0.0, 2.0, -0.0]), 0.1)
case("leaky_relu_default", "F.leakyRelu(Tensor)", F.leaky_relu, T((2, 3), "nonzero"))
case("gelu", "F.gelu(Tensor)", F.gelu, T((3, 4)))
case("gelu_wide", "F.gelu(Tensor)", F.gelu, T(values=[-10.0, -4.0, -1.0, 0.0, 0.5, 3.0, 8.0]))
case("gelu_none", "F.gelu(Tensor,String)", lambda x, ap: F.gelu(x, approximate=ap), T((2, 3)), "none")
case("gelu_tanh", "F.gelu(Tensor,String)", lambda x, ap: F.gelu(x, approximate=ap), T((3, 4)), "tanh")
case("gelu_tanh_wide", "F.gelu(Tensor,String)", lambda x, ap: F.gelu(x, approximate=ap), T(values=[-10.0, -4.0, -1.0, 0.0, 0.5, 3.0, 8.0]), "tanh")
case("silu", "F.silu(Tensor)", F.silu, T((3, 4)))
case("silu_wide", "F.silu(Tensor)", F.silu, T(values=[-30.0, -4.0, 0.0, 4.0, 30.0]))
case("softplus_default", "F.softplus(Tensor)", F.softplus, T((2, 3)))
case("softplus_wide", "F.softplus(Tensor)", F.softplus, T(values=[-30.0, -1.0, 0.0, 19.0, 21.0, 40.0]))
case("softplus_beta", "F.softplus(Tensor,double,double)", _softplus, T((3, 4)), 2.0, 1.0)
case("softplus_beta_small", "F.softplus(Tensor,double,double)", _softplus, T((2, 3)), 0.5, 20.0)
case("elu_default", "F.elu(Tensor)", F.elu, T((2, 3), "nonzero"))
case("elu", "F.elu(Tensor,double)", _elu, T((2, 3), "nonzero"), 0.5)
case("elu_at_zero", "F.elu(Tensor,double)", _elu, T(values=[-1.0, 0.0, 1.0]), 0.5)
case("log_sigmoid", "F.logSigmoid(Tensor)", F.logsigmoid, T((2, 3)))
case("log_sigmoid_wide", "F.logSigmoid(Tensor)", F.logsigmoid, T(values=[-40.0, -5.0, 0.0, 5.0, 40.0]))
case("hardtanh_default", "F.hardtanh(Tensor)", F.hardtanh, T((3, 4)))
case("hardtanh", "F.hardtanh(Tensor,double,double)", _hardtanh, T((3, 4)), -0.5, 0.7)
case("hardtanh_at_bounds", "F.hardtanh(Tensor,double,double)", _hardtanh, T(values=[-1.0, -0.5, 0.0, 0.7, 2.0]),
     -0.5, 0.7)

# ---- reductions
_norm = lambda x, p: x.norm(p) if _num(p) else (x.abs() ** p).sum() ** (1 / p)
case("sum_dims", "sum(int[],boolean)", lambda a, d, k: a.sum(d, keepdim=k), T((2, 3, 4)), [0, 2], False)
case("sum_dims_keep", "sum(int[],boolean)", lambda a, d, k: a.sum(d, keepdim=k), T((2, 3, 4)), [-1, 1], True)
case("sum_dims_empty", "sum(int[],boolean)", lambda a, d, k: a.sum(d, keepdim=k), T((2, 3)), [], False)
case("mean_dims", "mean(int[],boolean)", lambda a, d, k: a.mean(d, keepdim=k), T((2, 3, 4)), [0, 1], False)
case("mean_dims_keep", "mean(int[],boolean)", lambda a, d, k: a.mean(d, keepdim=k), T((2, 3, 4)), [2], True)
case("min_all", "min()", lambda a: a.min(), T((3, 4), "distinct"))
case("min_all_ties", "min()", lambda a: a.min(), T(values=[[1.0, -3.0, 3.0], [-3.0, 3.0, -3.0]]))
case("min_dim1", "min(int,boolean)", lambda a, d, k: a.min(d, keepdim=k)[0], T((3, 4), "distinct"), 1, False)
case("min_dim0_keep", "min(int,boolean)", lambda a, d, k: a.min(d, keepdim=k)[0], T((2, 3, 4), "distinct"), 0, True)
case("min_dim_ties", "min(int,boolean)", lambda a, d, k: a.min(d, keepdim=k)[0],
     T(values=[[2.0, 1.0, 1.0], [0.0, -1.0, -1.0]]), 1, False)
case("min_dim_one_arg", "min(int)", lambda a, d: a.min(d)[0], T((2, 3, 4), "distinct"), -1)
case("amax", "amax(int[],boolean)", lambda a, d, k: a.amax(d, keepdim=k), T((2, 3, 4), "distinct"), [0, 2], False)
case("amax_keep", "amax(int[],boolean)", lambda a, d, k: a.amax(d, keepdim=k), T((3, 4), "distinct"), [1], True)
case("amax_ties", "amax(int[],boolean)", lambda a, d, k: a.amax(d, keepdim=k),
     T(values=[[2.0, 2.0, 1.0], [0.0, 5.0, 5.0], [5.0, 1.0, 5.0]]), [1], False)
case("amax_all_ties", "amax(int[],boolean)", lambda a, d, k: a.amax(d, keepdim=k),
     T(values=[[2.0, 5.0, 1.0], [0.0, 5.0, 5.0]]), [], False)
case("amin", "amin(int[],boolean)", lambda a, d, k: a.amin(d, keepdim=k), T((2, 3, 4), "distinct"), [-1], False)
case("amin_ties", "amin(int[],boolean)", lambda a, d, k: a.amin(d, keepdim=k),
     T(values=[[2.0, 2.0, 1.0], [0.0, 5.0, 0.0], [1.0, 1.0, 1.0]]), [0, 1], True)
case("logsumexp", "logsumexp(int,boolean)", lambda a, d, k: a.logsumexp(d, keepdim=k), T((3, 4)), 1, False)
case("logsumexp_keep", "logsumexp(int,boolean)", lambda a, d, k: a.logsumexp(d, keepdim=k), T((2, 3, 4)), 0, True)
case("logsumexp_large", "logsumexp(int,boolean)", lambda a, d, k: a.logsumexp(d, keepdim=k),
     T(values=[[1000.0, 1001.0, 999.0], [-1000.0, -1000.5, -2000.0]]), 1, False)
case("logsumexp_one_arg", "logsumexp(int)", lambda a, d: a.logsumexp(d), T((3, 4)), -1)
case("prod_all", "prod()", lambda a: a.prod(), T((2, 3)))
case("prod_all_one_zero", "prod()", lambda a: a.prod(), T(values=[[1.5, 0.0, -2.0], [0.5, 3.0, 1.25]]))
case("prod_all_two_zeros", "prod()", lambda a: a.prod(), T(values=[[1.5, 0.0, -2.0], [0.0, 3.0, 1.25]]))
case("prod_dim", "prod(int,boolean)", lambda a, d, k: a.prod(d, keepdim=k), T((3, 4)), 1, False)
case("prod_dim_keep", "prod(int,boolean)", lambda a, d, k: a.prod(d, keepdim=k), T((2, 3, 4)), 1, True)
case("prod_dim_zeros", "prod(int,boolean)", lambda a, d, k: a.prod(d, keepdim=k),
     T(values=[[1.5, 0.0, -2.0, 4.0], [0.0, 3.0, 0.0, 2.0], [0.5, 2.0, -1.0, 3.0]]), 1, False)
case("prod_dim_one_arg", "prod(int)", lambda a, d: a.prod(d), T((3, 4)), 0)
case("var_all", "var()", lambda a: a.var(), T((3, 4)))
case("var_dims", "var(int[],int,boolean)", lambda a, d, c, k: a.var(d or None, correction=c, keepdim=k), T((2, 3, 4)),
     [1], 1, False)
case("var_dims_c0_keep", "var(int[],int,boolean)", lambda a, d, c, k: a.var(d or None, correction=c, keepdim=k),
     T((2, 3, 4)), [0, 2], 0, True)
case("var_all_c2", "var(int[],int,boolean)", lambda a, d, c, k: a.var(d or None, correction=c, keepdim=k), T((3, 4)),
     [], 2, False)
case("std_all", "std()", lambda a: a.std(), T((3, 4)))
case("std_dims", "std(int[],int,boolean)", lambda a, d, c, k: a.std(d or None, correction=c, keepdim=k), T((2, 3, 4)),
     [-1], 1, True)
case("std_all_c0", "std(int[],int,boolean)", lambda a, d, c, k: a.std(d or None, correction=c, keepdim=k), T((3, 4)),
     [], 0, False)
case("norm", "norm()", lambda a: a.norm(), T((3, 4)))
case("norm_p1", "norm(double)", _norm, T((2, 3), "nonzero"), 1.0)
case("norm_p2", "norm(double)", _norm, T((2, 3)), 2.0)
case("norm_p3", "norm(double)", _norm, T((2, 3)), 3.0)
case("norm_p1_5", "norm(double)", _norm, T((4,)), 1.5)
case("norm_inf", "norm(double)", lambda x, p: x.norm(p) if _num(p) else x.abs().amax() + 0 * p,
     T(values=[1.0, -3.0, 3.0, 2.0]), float("inf"))
case("cumsum", "cumsum(int)", lambda a, d: a.cumsum(d), T((3, 4)), 1)
case("cumsum_dim0", "cumsum(int)", lambda a, d: a.cumsum(d), T((2, 3, 4)), 0)
case("cumsum_neg", "cumsum(int)", lambda a, d: a.cumsum(d), T((2, 3, 4)), -2)
case("cumprod", "cumprod(int)", lambda a, d: a.cumprod(d), T((3, 4)), 1)
case("cumprod_dim0", "cumprod(int)", lambda a, d: a.cumprod(d), T((3, 2, 2)), 0)
case("cumprod_zeros", "cumprod(int)", lambda a, d: a.cumprod(d),
     T(values=[[1.5, 0.0, -2.0, 4.0], [0.0, 3.0, 0.0, 2.0], [0.5, 2.0, -1.0, 0.0]]), 1)

# ---- losses with a reduction


def _reduce(t, r):
    return t if r == "none" else t.sum() if r == "sum" else t.mean()


_sl1 = lambda x, t, r, b: (F.smooth_l1_loss(x, t, reduction=r, beta=b) if _num(b) else
                           _reduce(torch.where((x - t).abs() < b, 0.5 * (x - t) ** 2 / b, (x - t).abs() - 0.5 * b), r))
_huber = lambda x, t, r, d: (F.huber_loss(x, t, reduction=r, delta=d) if _num(d) else
                             _reduce(torch.where((x - t).abs() < d, 0.5 * (x - t) ** 2, d * ((x - t).abs() - 0.5 * d)), r))
# PyTorch's binary_cross_entropy does not differentiate the weight: its gradient comes from the formula
_bce = lambda x, t, w, r: (F.binary_cross_entropy(x, t, w, reduction=r) if not w.requires_grad else
                           _reduce(-w * (t * x.log().clamp_min(-100) + (1 - t) * (1 - x).log().clamp_min(-100)), r))
_kl = lambda x, t, r, lt: F.kl_div(x, t, reduction=r, log_target=lt)
case("l1_loss", "F.l1Loss(Tensor,Tensor)", F.l1_loss, T((2, 3)), T((2, 3)))
case("l1_loss_none", "F.l1Loss(Tensor,Tensor,String)", lambda x, t, r: F.l1_loss(x, t, reduction=r),
     T((2, 3)), T((2, 3)), "none")
case("l1_loss_sum", "F.l1Loss(Tensor,Tensor,String)", lambda x, t, r: F.l1_loss(x, t, reduction=r),
     T((3, 2)), T((3, 2)), "sum")
case("l1_loss_mean", "F.l1Loss(Tensor,Tensor,String)", lambda x, t, r: F.l1_loss(x, t, reduction=r),
     T((4,)), T((4,)), "mean")
case("smooth_l1", "F.smoothL1Loss(Tensor,Tensor)", F.smooth_l1_loss, T((3, 4)), T((3, 4)))
case("smooth_l1_beta", "F.smoothL1Loss(Tensor,Tensor,String,double)", _sl1, T((3, 4)), T((3, 4)), "mean", 0.5)
case("smooth_l1_none", "F.smoothL1Loss(Tensor,Tensor,String,double)", _sl1, T((2, 3)), T((2, 3)), "none", 1.5)
case("smooth_l1_sum", "F.smoothL1Loss(Tensor,Tensor,String,double)", _sl1, T((2, 3)), T((2, 3)), "sum", 0.75)
case("huber", "F.huberLoss(Tensor,Tensor)", F.huber_loss, T((3, 4)), T((3, 4)))
case("huber_delta", "F.huberLoss(Tensor,Tensor,String,double)", _huber, T((3, 4)), T((3, 4)), "mean", 0.5)
case("huber_none", "F.huberLoss(Tensor,Tensor,String,double)", _huber, T((2, 3)), T((2, 3)), "none", 2.0)
case("huber_sum", "F.huberLoss(Tensor,Tensor,String,double)", _huber, T((2, 3)), T((2, 3)), "sum", 0.3)
case("bce", "F.binaryCrossEntropy(Tensor,Tensor)", F.binary_cross_entropy, T((2, 3), "probs"), T((2, 3), "probs"))
case("bce_edges", "F.binaryCrossEntropy(Tensor,Tensor)", F.binary_cross_entropy,
     T(values=[0.0, 1.0, 1e-8, 0.5, 0.999999]), T(values=[1.0, 0.0, 0.5, 1.0, 0.25]))
case("bce_weight_mean", "F.binaryCrossEntropy(Tensor,Tensor,Tensor,String)", _bce, T((2, 3), "probs"),
     T((2, 3), "probs"), T((2, 3), "positive", grad=False), "mean")
case("bce_weight_none", "F.binaryCrossEntropy(Tensor,Tensor,Tensor,String)", _bce, T((2, 3), "probs"),
     T((2, 3), "probs"), T((2, 3), "positive", grad=False), "none")
case("bce_weight_sum", "F.binaryCrossEntropy(Tensor,Tensor,Tensor,String)", _bce, T((4,), "probs"),
     T((4,), "probs"), T((4,), "positive", grad=False), "sum")
case("kl_div_sum", "F.klDiv(Tensor,Tensor,String,boolean)", _kl, T((2, 3)), T((2, 3), "probs"), "sum", False)
case("kl_div_mean", "F.klDiv(Tensor,Tensor,String,boolean)", _kl, T((2, 3)), T((2, 3), "probs"), "mean", False)
case("kl_div_batchmean", "F.klDiv(Tensor,Tensor,String,boolean)", _kl, T((3, 4)), T((3, 4), "probs"),
     "batchmean", False)
case("kl_div_none", "F.klDiv(Tensor,Tensor,String,boolean)", _kl, T((2, 3)), T((2, 3), "probs"), "none", False)
case("kl_div_log_target", "F.klDiv(Tensor,Tensor,String,boolean)", _kl, T((2, 3)), T((2, 3)), "sum", True)
case("kl_div_log_target_none", "F.klDiv(Tensor,Tensor,String,boolean)", _kl, T((2, 3)), T((2, 3)), "none", True)


# the first-week functions (gaps)
case("tan", "tan()", torch.tan, T((2, 3), "probs"))
case("tan_signs", "tan()", torch.tan, T(values=[-1.2, -0.5, 0.0, 0.3, 1.4]))
case("asin", "asin()", torch.asin, T((2, 3), "probs"))
case("asin_signs", "asin()", torch.asin, T(values=[-0.9, -0.5, 0.0, 0.3, 0.95]))
case("acos", "acos()", torch.acos, T((2, 3), "probs"))
case("acos_signs", "acos()", torch.acos, T(values=[-0.9, -0.5, 0.0, 0.3, 0.95]))
case("atan", "atan()", torch.atan, T((2, 3)))
case("sinh", "sinh()", torch.sinh, T((2, 3)))
case("cosh", "cosh()", torch.cosh, T((2, 3)))
case("sign", "sign()", torch.sign, T((2, 3), "nonzero"))
case("sign_at_zero", "sign()", torch.sign, T(values=[-2.0, 0.0, 3.5]))
case("floor", "floor()", torch.floor, T((2, 3)))
case("ceil", "ceil()", torch.ceil, T((2, 3)))
case("round", "round()", torch.round, T((2, 3)))
case("round_halves", "round()", torch.round, T(values=[-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49999997]))
case("trunc", "trunc()", torch.trunc, T((2, 3)))
case("tril", "tril(int)", lambda a, d: a.tril(d), T((3, 4)), 0)
case("tril_above", "tril(int)", lambda a, d: a.tril(d), T((4, 3)), 1)
case("tril_below_3d", "tril(int)", lambda a, d: a.tril(d), T((2, 3, 4)), -1)
case("triu", "triu(int)", lambda a, d: a.triu(d), T((3, 4)), 0)
case("triu_above_wide", "triu(int)", lambda a, d: a.triu(d), T((3, 5)), 2)
case("triu_below_3d", "triu(int)", lambda a, d: a.triu(d), T((2, 4, 3)), -2)
case("atan2", "atan2(Tensor)", torch.atan2, T((2, 3)), T((2, 3), "nonzero"))
case("atan2_bcast", "atan2(Tensor)", torch.atan2, T((3, 1)), T((2, 1, 4), "nonzero"))
case("atan2_quadrants", "atan2(Tensor)", torch.atan2, T(values=[1.0, 1.0, -1.0, -1.0, 0.5]),
     T(values=[1.0, -1.0, 1.0, -1.0, 0.0]))
case("hypot", "hypot(Tensor)", torch.hypot, T((2, 3)), T((2, 3)))
case("hypot_bcast", "hypot(Tensor)", torch.hypot, T((4, 1)), T((3,)))
case("logaddexp", "logaddexp(Tensor)", torch.logaddexp, T((2, 3)), T((2, 3)))
case("logaddexp_bcast", "logaddexp(Tensor)", torch.logaddexp, T((2, 1, 3)), T((4, 3)))
case("logaddexp_far", "logaddexp(Tensor)", torch.logaddexp, T(values=[30.0, -30.0, 0.0, 100.0]),
     T(values=[-30.0, 30.0, 0.0, 99.0]))
# session 10: mm/mv/bmm/dot, outer, addmm, erf, lerp, fmod/remainder, softmax/log_softmax as methods
case("mm", "mm(Tensor)", torch.mm, T((3, 4)), T((4, 2)))
case("mm_square", "mm(Tensor)", torch.mm, T((3, 3)), T((3, 3)))
case("mv", "mv(Tensor)", torch.mv, T((3, 4)), T((4,)))
case("bmm", "bmm(Tensor)", torch.bmm, T((2, 3, 4)), T((2, 4, 5)))
case("dot", "dot(Tensor)", torch.dot, T((5,)), T((5,)))
case("outer", "outer(Tensor)", torch.outer, T((3,)), T((4,)))
case("addmm", "addmm(Tensor,Tensor)", torch.addmm, T((3, 2)), T((3, 4)), T((4, 2)))
case("addmm_row", "addmm(Tensor,Tensor)", torch.addmm, T((2,)), T((3, 4)), T((4, 2)))
case("addmm_col", "addmm(Tensor,Tensor)", torch.addmm, T((3, 1)), T((3, 4)), T((4, 2)))
case("erf", "erf()", torch.erf, T((2, 3)))
case("erf_wide", "erf()", torch.erf, T(values=[-4.0, -1.5, -0.1, 0.0, 0.1, 1.5, 2.7, 6.0]))
case("lerp", "lerp(Tensor,double)", torch.lerp, T((2, 3)), T((2, 3)), 0.3)
case("lerp_far", "lerp(Tensor,double)", torch.lerp, T((2, 3)), T((3,)), 0.75)
case("lerp_tensor", "lerp(Tensor,Tensor)", torch.lerp, T((2, 3)), T((2, 3)), T((2, 3)))
case("lerp_tensor_bcast", "lerp(Tensor,Tensor)", torch.lerp, T((2, 3)), T((3,)), T((2, 1)))
case("fmod", "fmod(double)", torch.fmod, T((2, 3)), 0.7)
case("fmod_neg", "fmod(double)", torch.fmod, T((4,)), -0.6)
case("remainder", "remainder(double)", torch.remainder, T((2, 3)), 0.7)
case("remainder_neg", "remainder(double)", torch.remainder, T((4,)), -0.6)
case("softmax_method", "softmax(int)", lambda a, d: a.softmax(d), T((2, 3)), 1)
case("softmax_method_dim0", "softmax(int)", lambda a, d: a.softmax(d), T((3, 2, 2)), 0)
case("log_softmax_method", "logSoftmax(int)", lambda a, d: a.log_softmax(d), T((2, 3)), -1)
case("cross", "cross(Tensor,int)", lambda a, b, d: torch.linalg.cross(a, b, dim=d), T((4, 3)), T((4, 3)), 1)
case("cross_dim0", "cross(Tensor,int)", lambda a, b, d: torch.linalg.cross(a, b, dim=d), T((3, 2)), T((3, 2)), 0)
case("cross_3d", "cross(Tensor,int)", lambda a, b, d: torch.linalg.cross(a, b, dim=d), T((2, 3, 2)), T((2, 3, 2)),
     -2)
case("diag_vec", "diag(int)", torch.diag, T((3,)), 0)
case("diag_vec_above", "diag(int)", torch.diag, T((3,)), 1)
case("diag_vec_below", "diag(int)", torch.diag, T((2,)), -2)
case("diag_mat", "diag(int)", torch.diag, T((3, 4)), 0)
case("diag_mat_above", "diag(int)", torch.diag, T((3, 4)), 2)
case("diag_mat_below", "diag(int)", torch.diag, T((4, 3)), -1)


def run_case(cid, call, fn, args):
    pyargs, jargs, grad_leaves = [], [], []
    for a in args:
        if isinstance(a, T):
            t = a.make().requires_grad_(a.grad)
            pyargs.append(t)
            jargs.append({"tensor": tj(t)})
            # a tensor PyTorch does not differentiate: its gradient comes from a second call, like a double's
            grad_leaves.append(t if a.grad else "formula")
        elif isinstance(a, Idx):
            pyargs.append(torch.tensor(a.values, dtype=torch.int64))
            jargs.append({"tensor": tj(pyargs[-1])})
            grad_leaves.append(None)
        elif isinstance(a, L):
            ts = [x.make().requires_grad_(True) for x in a.items]
            pyargs.append(ts)
            jargs.append({"tensors": [tj(t) for t in ts]})
            grad_leaves.append(ts)
        elif isinstance(a, bool):
            pyargs.append(a)
            jargs.append({"bool": a})
            grad_leaves.append(None)
        elif isinstance(a, int):
            pyargs.append(a)
            jargs.append({"int": a})
            grad_leaves.append(None)
        elif isinstance(a, str):
            pyargs.append(a)
            jargs.append({"string": a})
            grad_leaves.append(None)
        elif isinstance(a, float):
            pyargs.append(a)
            jargs.append({"double": a})
            grad_leaves.append("double")
        elif isinstance(a, list):
            pyargs.append(a)
            jargs.append({"ints": a})
            grad_leaves.append(None)
        else:
            raise TypeError(a)
    out = fn(*pyargs)
    upstream = torch.randn(out.shape, generator=GEN)
    out.backward(upstream)
    grads = []
    for i, g in enumerate(grad_leaves):
        if g is None:
            grads.append(None)
        elif isinstance(g, list):
            grads.append({"tensors": [tj(t.grad) for t in g]})
        elif isinstance(g, str):
            # the gradient of a double argument: the same call with it as a 0-d float32 tensor
            again = [x.detach().requires_grad_(False) if isinstance(x, torch.Tensor) else x for x in pyargs]
            s = (pyargs[i].detach().clone().requires_grad_(True) if isinstance(pyargs[i], torch.Tensor)
                 else torch.tensor(pyargs[i], requires_grad=True))
            again[i] = s
            res = fn(*again)
            if res.requires_grad:
                res.backward(upstream)
            grads.append({"tensor": tj(s.grad if s.grad is not None else torch.zeros_like(s))})
        else:
            grads.append({"tensor": tj(g.grad)})
    return {"id": cid, "call": call, "args": jargs, "upstream": tj(upstream), "out": tj(out), "grads": grads,
            "gradFn": type(out.grad_fn).__name__}


def rules():
    return {"torch": torch.__version__, "cases": [run_case(*c) for c in CASES]}


# ------------------------------------------------------------------------------------------------
# str(t)

def fmt_cases():
    g = torch.Generator().manual_seed(7)
    cases = []

    def add(cid, t, op=None):
        s = str(t)
        entry = {"id": cid, "str": s}
        if op is None:
            entry["tensor"] = tj(t)
            entry["requiresGrad"] = t.requires_grad
        else:
            base, name = op
            entry["tensor"] = tj(base)
            entry["op"] = name
        cases.append(entry)

    add("zero_d", torch.tensor(3.5))
    add("zero_d_frac", torch.tensor(0.7336))
    add("zero_d_int", torch.tensor(7, dtype=torch.int64))
    add("int_valued", torch.tensor([1.0, 2.0]))
    add("int_valued_neg", torch.tensor([-3.0, 0.0, 12.0]))
    add("zeros", torch.zeros(3))
    add("thermometer_tc", torch.tensor([0.5, 14.0, 15.0, 28.0, 11.0, 8.0, 3.0, -4.0, 6.0, 13.0, 21.0]))
    add("thermometer_tu", torch.tensor([35.7, 55.9, 58.2, 81.9, 56.3, 48.9, 33.9, 21.8, 48.4, 60.4, 68.4]))
    add("negative", torch.tensor([-1.5, 2.25, -0.125]))
    add("params", torch.tensor([5.3671, -17.3012], requires_grad=True))
    add("rows_2d", torch.randn(3, 3, generator=g))
    add("mixed_2d", torch.tensor([[0.2100, 0.2174, 0.1833], [1.0, 2.0, 3.0]]))
    add("three_d", torch.randn(2, 3, 4, generator=g))
    add("wrap_1d", torch.randn(30, generator=g))
    add("sci_small", torch.tensor([1e-5, 1.0, 2.5]))
    add("sci_large", torch.tensor([1e10, 1.0]))
    add("sci_int_valued", torch.tensor([1.0, 1e9]))
    add("sci_range", torch.tensor([[0.0001, 123456.0], [-3.5, 2.0]]))
    add("sci_grad", torch.tensor([9.5483e-01, -8.2600e-04], requires_grad=True))
    add("grad_4517", torch.tensor([4517.2969, 82.6000]))
    add("nonfinite", torch.tensor([float("nan"), 1.0, float("inf"), -float("inf")]))
    add("nonfinite_and_zero", torch.tensor([float("nan"), -float("inf"), 0.0, -0.0]))
    add("signed_zeros", torch.tensor([[-0.0, 0.0], [0.0, -0.0]]))
    add("summarized_1d", torch.randn(2000, generator=g))
    add("summarized_2d", torch.randn(40, 50, generator=g))
    add("summarized_int_valued", torch.arange(1100.0))
    add("summarized_3d", torch.randn(12, 10, 11, generator=g))
    add("summarized_rows_only", torch.randn(1100, 2, generator=g))
    add("summarized_sci", torch.randn(1200, generator=g) * torch.logspace(-6, 6, 1200))
    add("summarized_neg_int_valued", -torch.arange(1500.0).reshape(30, 50))
    add("randperm", torch.randperm(10, generator=g))
    add("int64_neg", torch.tensor([2, -10, 0, 123], dtype=torch.int64))
    add("int64_2d", torch.tensor([[1, 2], [30, 4]], dtype=torch.int64))
    add("int64_summarized", torch.randperm(1500, generator=g))
    add("empty", torch.zeros(0))
    add("empty_2d", torch.zeros(2, 0))
    add("w_requires_grad", torch.randn(5, 3, generator=g).requires_grad_(True))
    add("one_elem_requires_grad", torch.tensor([0.25], requires_grad=True))
    add("zero_d_requires_grad", torch.tensor(-2.5, requires_grad=True))
    add("suffix_wraps", torch.randn(8, generator=g).requires_grad_(True))
    add("suffix_wraps_2d", torch.randn(2, 8, generator=g).requires_grad_(True))
    add("int_valued_requires_grad", torch.tensor([1.0, 0.0], requires_grad=True))
    # random scales, shapes and kinds: exercises the choice of int / fixed / scientific mode and widths
    for i in range(120):
        shape = [(2, 3), (5,), (1, 4), (3, 1, 2), (7,), (), (12,), (2, 9), (4, 2, 2), (16,), (3, 11)][i % 11]
        scale = 10.0 ** (int(torch.randint(-6, 10, (1,), generator=g)) )
        t = torch.randn(shape, generator=g) * scale
        if i % 5 == 1:
            t = t.round()
        if i % 7 == 3:
            t = t.abs()
        if i % 9 == 4 and t.dim() > 0:
            t.view(-1)[0] = 0.0
        add("fuzz_%02d" % i, t)
    x = torch.randn(2, 3, generator=g)
    add("grad_fn_mul", x.clone().requires_grad_(True) * 2, (x, "mul2"))
    y = torch.randn(3, generator=g)
    add("grad_fn_add", y.clone().requires_grad_(True) + 1.0, (y, "add1"))
    z = torch.randn(3, generator=g)
    add("grad_fn_mean", z.clone().requires_grad_(True).mean(), (z, "mean"))
    return {"torch": torch.__version__, "cases": cases}


# ------------------------------------------------------------------------------------------------
# seed 003: the autograd tutorial

def autograd_tutorial():
    torch.manual_seed(1)
    x = torch.ones(5)
    y = torch.zeros(3)
    w = torch.randn(5, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    w0, b0 = tj(w), tj(b)
    z = torch.matmul(x, w) + b
    loss = F.binary_cross_entropy_with_logits(z, y)
    res = {"w": w0, "b": b0, "z": tj(z), "loss": tj(loss), "lossStr": str(loss),
           "zGradFn": type(z.grad_fn).__name__, "lossGradFn": type(loss.grad_fn).__name__}
    loss.backward(retain_graph=True)
    res.update({"wGrad": tj(w.grad), "bGrad": tj(b.grad), "wGradStr": str(w.grad), "bGradStr": str(b.grad)})
    loss.backward()
    res.update({"wGrad2": tj(w.grad), "bGrad2": tj(b.grad), "wGrad2Str": str(w.grad), "bGrad2Str": str(b.grad)})
    try:
        loss.backward()
    except RuntimeError as e:
        res["freedError"] = str(e)
    return res


def composite():
    """A small network through many rules at once: shared subexpressions, retain_grad, several leaves."""
    g = torch.Generator().manual_seed(3)
    x = torch.randn(4, 3, generator=g)
    w1 = torch.randn(3, 5, generator=g).requires_grad_(True)
    b1 = torch.randn(5, generator=g).requires_grad_(True)
    w2 = torch.randn(5, 2, generator=g).requires_grad_(True)
    t = torch.tensor([1, 0, 1, 1])
    leaves = {"x": tj(x), "w1": tj(w1), "b1": tj(b1), "w2": tj(w2), "t": tj(t)}
    h = torch.relu(torch.matmul(x, w1) + b1)
    h.retain_grad()
    logits = torch.matmul(h, w2)
    p = F.softmax(logits, 1)
    loss = (F.cross_entropy(logits, t) + 0.1 * (w1 ** 2).sum() + F.mse_loss(torch.sigmoid(logits), p)
            + torch.tanh(h).mean(0).max() - torch.cat([b1, b1 * 2]).abs().sum() / 10
            + torch.stack([w2[0], w2[1:3].sum(0)], 0).exp().mean() + torch.log(h.sum(1) + 1).sum())
    loss.backward()
    return {"leaves": leaves, "loss": tj(loss), "lossStr": str(loss),
            "grads": {"w1": tj(w1.grad), "b1": tj(b1.grad), "w2": tj(w2.grad), "h": tj(h.grad)}}


def write(name, obj):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.normpath(os.path.join(OUT, name))
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    write("rules.json", rules())
    write("format.json", fmt_cases())
    write("autograd.json", autograd_tutorial())
    write("composite.json", composite())
