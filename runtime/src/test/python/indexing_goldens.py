#!/usr/bin/python3
"""PyTorch goldens for issue 13's indexing operations, repeat/tile/flip/roll and the class losses.

Rerun after changing a case (from the repository root), with Debian's python3-torch (1.13):

    /usr/bin/python3 runtime/src/test/python/indexing_goldens.py

It writes runtime/src/test/resources/goldens/indexing.json:

  cases      rule cases in rules.json's format (make_goldens.py's run_case), read by RuleGradientTest
             together with rules.json. Extra argument kinds: a BOOL mask ({"tensor": {"dtype": "bool"}})
             and a list of indices for Tensor.index(Tensor...) ({"indices": [tensor or null, ...]}).
  orderings  sort / topk / max(dim) / min(dim) / argsort / argmin: values, indices, the values' node and
             gradient, read by IndexingGoldenTest.
  inplace    setitem, index_put_, masked_fill_, scatter_, scatter_add_ on a non-leaf: the result, its node
             and the gradients of the leaves, read by IndexingGoldenTest.

Floats are written as exact float32 values; output is deterministic (fixed seeds, sorted keys).
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_goldens as mg  # noqa: E402  (reuses tj, sample, T, Idx, L and the JSON writer)

F = torch.nn.functional
mg.GEN = torch.Generator().manual_seed(20260113)
T, Idx = mg.T, mg.Idx


def tj(t):
    if t.dtype == torch.bool:
        return {"shape": list(t.shape), "dtype": "bool", "data": [1.0 if v else 0.0 for v in t.reshape(-1).tolist()]}
    return mg.tj(t)


class M:
    """A BOOL mask of fixed values."""

    def __init__(self, values):
        self.values = values


class Ix:
    """The indices of Tensor.index(Tensor...): Idx, M or None (a full slice) per entry."""

    def __init__(self, *items):
        self.items = items


def _torch(a):
    if isinstance(a, Idx):
        return torch.tensor(a.values, dtype=torch.int64)
    if isinstance(a, M):
        return torch.tensor(a.values, dtype=torch.bool)
    return a


CASES = []


def case(cid, call, fn, *args):
    CASES.append((cid, call, fn, args))


def run_case(cid, call, fn, args):
    """make_goldens.run_case, with masks and index lists passed as fixed (non-differentiable) arguments."""
    fixed = {}
    plain = []
    for i, a in enumerate(args):
        if isinstance(a, M):
            fixed[i] = (_torch(a), {"tensor": tj(_torch(a))})
            plain.append(0)
        elif a is None:
            fixed[i] = (None, {"null": True})
            plain.append(0)
        elif isinstance(a, Ix):
            ts = [None if x is None else _torch(x) for x in a.items]
            fixed[i] = (ts, {"indices": [None if t is None else tj(t) for t in ts]})
            plain.append(0)
        else:
            plain.append(a)

    def call_fn(*xs):
        xs = list(xs)
        for i, (t, _) in fixed.items():
            xs[i] = t
        return fn(*xs)

    c = mg.run_case(cid, call, call_fn, plain)
    for i, (_, j) in fixed.items():
        c["args"][i] = j
        c["grads"][i] = None
    return c


# ---- advanced indexing: x[i0, i1, ...] (Tensor.index(Tensor...)), masks, index(Tensor) with a mask
def _index(x, ix):
    return x[tuple(slice(None) if t is None else t for t in ix)]


case("index_cols", "index(Tensor[])", _index, T((3, 4)), Ix(None, Idx([3, 0, 3])))
case("index_two", "index(Tensor[])", _index, T((3, 4)), Ix(Idx([0, 2, -1]), Idx([1, 1, 3])))
case("index_bcast", "index(Tensor[])", _index, T((3, 4, 2)), Ix(Idx([[0], [2]]), Idx([1, 3, 0])))
case("index_split", "index(Tensor[])", _index, T((3, 4, 2)), Ix(Idx([2, 0]), None, Idx([1, 1])))
case("index_middle", "index(Tensor[])", _index, T((2, 3, 4)), Ix(None, Idx([[2, 0], [1, 1]])))
case("index_mask_list", "index(Tensor[])", _index, T((3, 4)), Ix(M([[True, False, False, True], [False, False, True, False],
                                                                   [True, True, False, False]])))
case("index_mask_rows", "index(Tensor[])", _index, T((3, 4)), Ix(M([True, False, True])))
case("index_mask_cols", "index(Tensor[])", _index, T((2, 4)), Ix(None, M([False, True, True, False])))
case("index_mask_one", "index(Tensor)", lambda x, m: x[m], T((2, 3)), M([[True, False, True], [False, False, True]]))
# ---- index_put (out of place; index_put_ is in "inplace")
_put = lambda x, ix, v, acc: x.index_put(tuple(ix), v, accumulate=acc)
case("index_put", "indexPut(Tensor[],Tensor,boolean)", _put, T((4, 3)), Ix(Idx([2, 0])), T((2, 3)), False)
case("index_put_bcast", "indexPut(Tensor[],Tensor,boolean)", _put, T((4, 3)), Ix(Idx([3, 1]), Idx([0, 2])), T(()), False)
case("index_put_acc", "indexPut(Tensor[],Tensor,boolean)", _put, T((4, 3)), Ix(Idx([1, 1, 3])), T((3,)), True)
case("index_put_mask", "indexPut(Tensor[],Tensor,boolean)", _put, T((2, 3)),
     Ix(M([[True, False, True], [False, True, False]])), T((1,)), False)
# ---- gather / scatter / scatter_add / index_select
case("gather_dim1", "gather(int,Tensor)", lambda x, d, i: x.gather(d, i), T((3, 4)), 1, Idx([[0, 3], [1, 1], [2, 0]]))
case("gather_dim0", "gather(int,Tensor)", lambda x, d, i: x.gather(d, i), T((3, 4)), 0, Idx([[2, 0, 1, 1], [0, 0, 2, 1]]))
case("gather_3d_neg", "gather(int,Tensor)", lambda x, d, i: x.gather(d, i), T((2, 3, 4)), -1,
     Idx([[[3], [0], [2]], [[1], [1], [2]]]))
case("scatter_dim1", "scatter(int,Tensor,Tensor)", lambda x, d, i, s: x.scatter(d, i, s), T((3, 4)), 1,
     Idx([[0, 3], [1, 2], [2, 0]]), T((3, 2)))
case("scatter_dim0", "scatter(int,Tensor,Tensor)", lambda x, d, i, s: x.scatter(d, i, s), T((3, 4)), 0,
     Idx([[2, 0, 1, 1]]), T((1, 4)))
_scatter_v = lambda x, d, i, v: (x.scatter(d, i, v) if mg._num(v) else
                                 x.scatter(d, i, 0.0) + v * torch.zeros_like(x).scatter(d, i, 1.0))
case("scatter_value", "scatter(int,Tensor,double)", _scatter_v, T((3, 4)), 1, Idx([[0, 3], [1, 1], [2, 0]]), 2.5)
case("scatter_add_dim0", "scatterAdd(int,Tensor,Tensor)", lambda x, d, i, s: x.scatter_add(d, i, s), T((3, 4)), 0,
     Idx([[2, 0, 1, 1], [2, 2, 0, 1]]), T((2, 4)))
case("scatter_add_3d", "scatterAdd(int,Tensor,Tensor)", lambda x, d, i, s: x.scatter_add(d, i, s), T((2, 3, 2)), 1,
     Idx([[[0, 2], [0, 0]], [[1, 1], [2, 0]]]), T((2, 2, 2)))
case("index_select_dim1", "indexSelect(int,Tensor)", lambda x, d, i: x.index_select(d, i), T((3, 4)), 1,
     Idx([3, 0, 3]))
case("index_select_dim0", "indexSelect(int,Tensor)", lambda x, d, i: x.index_select(d, i), T((3, 2, 2)), 0,
     Idx([2, 0, 2]))
# ---- masks and where
_mfill = lambda x, m, v: x.masked_fill(m, v) if mg._num(v) else x.masked_fill(m, v)
case("masked_fill", "maskedFill(Tensor,double)", _mfill, T((2, 3)), M([[True, False, True], [False, False, True]]), -1.5)
case("masked_fill_bcast", "maskedFill(Tensor,double)", _mfill, T((2, 3)), M([False, True, True]), 0.25)
case("masked_select", "maskedSelect(Tensor)", lambda x, m: x.masked_select(m), T((2, 3)),
     M([[True, False, True], [False, True, True]]))
case("masked_select_bcast", "maskedSelect(Tensor)", lambda x, m: x.masked_select(m), T((3,)),
     M([[True, False, True], [False, True, False]]))
case("where", "where(Tensor,Tensor,Tensor)", torch.where, M([[True, False, True], [False, True, False]]), T((2, 3)),
     T((2, 3)))
case("where_bcast", "where(Tensor,Tensor,Tensor)", torch.where, M([True, False, True]), T((2, 1)), T((2, 3)))
case("where_scalar_other", "where(Tensor,Tensor,double)", torch.where, M([[True, False], [False, True]]), T((2, 2)), 0.5)
case("where_scalar_self", "where(Tensor,double,Tensor)", torch.where, M([True, False, False]), -2.0, T((2, 3)))
# ---- repeat, tile, flip, roll
case("repeat", "repeat(int[])", lambda x, r: x.repeat(*r), T((2, 3)), [2, 1])
case("repeat_new_dims", "repeat(int[])", lambda x, r: x.repeat(*r), T((3,)), [2, 1, 2])
case("tile", "tile(int[])", lambda x, r: x.tile(tuple(r)), T((2, 3)), [2])
case("tile_more", "tile(int[])", lambda x, r: x.tile(tuple(r)), T((2,)), [3, 2])
case("flip", "flip(int[])", lambda x, d: x.flip(d), T((2, 3)), [1])
case("flip_two", "flip(int[])", lambda x, d: x.flip(d), T((2, 3, 2)), [0, -1])
case("roll", "roll(int[],int[])", lambda x, s, d: x.roll(s, d), T((3, 4)), [1], [1])
case("roll_two", "roll(int[],int[])", lambda x, s, d: x.roll(s, d), T((3, 4)), [-1, 5], [0, 1])
case("roll_flat", "roll(int[],int[])", lambda x, s, d: x.roll(s[0]), T((2, 3)), [2], [])


# ---- nll_loss / cross_entropy with weight, ignore_index, every reduction, label smoothing, (N, C, d...)
def _ce_formula(x, t, w, ii, r, ls):
    """PyTorch 1.13's cross_entropy written out, differentiable in the weight and the label smoothing."""
    cd = 1 if x.dim() > 1 else 0
    C = x.shape[cd]
    lp = torch.log_softmax(x, cd)
    wv = torch.ones(C) if w is None else w
    shape = [1] * x.dim()
    shape[cd] = C
    wb = wv.view(shape)
    if t.dtype.is_floating_point:
        tp = t * (1 - ls) + ls / C
        loss = -(lp * tp * wb).sum(cd)
        return loss if r == "none" else loss.sum() if r == "sum" else loss.sum() / (x.numel() / C)
    valid = t != ii
    tc = torch.where(valid, t, torch.zeros_like(t))
    nll = -lp.gather(cd, tc.unsqueeze(cd)).squeeze(cd) * wv[tc] * valid
    smooth = -(lp * wb).sum(cd) * valid
    if r == "none":
        return (1 - ls) * nll + ls / C * smooth
    if r == "sum":
        return (1 - ls) * nll.sum() + ls / C * smooth.sum()
    wsum = (wv[tc] * valid).sum()
    return (1 - ls) * nll.sum() / wsum + ls / C * smooth.sum() / (wsum if w is not None else valid.numel())


def _ce(x, t, w, ii, r, ls):
    if (w is None or not w.requires_grad) and mg._num(ls):
        return F.cross_entropy(x, t, w, ignore_index=ii, reduction=r, label_smoothing=ls)
    return _ce_formula(x, t, w, ii, r, ls)


def _nll(x, t, w, ii, r):
    if w is None or not w.requires_grad:
        return F.nll_loss(x, t, w, ignore_index=ii, reduction=r)
    return _nll_formula(x, t, w, ii, r)


def _nll_formula(x, t, w, ii, r):
    cd = 1 if x.dim() > 1 else 0
    wv = w
    valid = t != ii
    tc = torch.where(valid, t, torch.zeros_like(t))
    nll = -x.gather(cd, tc.unsqueeze(cd)).squeeze(cd) * wv[tc] * valid
    if r == "none":
        return nll
    return nll.sum() if r == "sum" else nll.sum() / (wv[tc] * valid).sum()


_W3 = lambda: T((3,), "positive", grad=False)
case("nll_full_mean", "F.nllLoss(Tensor,Tensor,Tensor,int,String)", _nll, T((4, 3)), Idx([0, 2, 1, 2]), _W3(), -100, "mean")
case("nll_full_none_ignore", "F.nllLoss(Tensor,Tensor,Tensor,int,String)", _nll, T((4, 3)), Idx([0, 2, 1, 2]), _W3(), 2,
     "none")
case("nll_full_sum_noweight", "F.nllLoss(Tensor,Tensor,Tensor,int,String)", _nll, T((4, 3)), Idx([0, 2, 1, 1]), None,
     1, "sum")
case("nll_full_3d_mean", "F.nllLoss(Tensor,Tensor,Tensor,int,String)", _nll, T((2, 3, 4)), Idx([[0, 2, 1, 2], [1, 1, 0, 2]]),
     _W3(), 0, "mean")
case("nll_full_4d_none", "F.nllLoss(Tensor,Tensor,Tensor,int,String)", _nll, T((2, 3, 2, 2)),
     Idx([[[0, 2], [1, 2]], [[1, 1], [0, 2]]]), None, -100, "none")
case("nll_full_3d_none", "F.nllLoss(Tensor,Tensor,Tensor,int,String)", _nll, T((2, 3, 2)), Idx([[0, 2], [1, 1]]), None,
     -100, "none")
case("nll_full_1d", "F.nllLoss(Tensor,Tensor,Tensor,int,String)", _nll, T((3,)), Idx(2), _W3(), -100, "mean")
_CE = "F.crossEntropy(Tensor,Tensor,Tensor,int,String,double)"
case("ce_full_weight_mean", _CE, _ce, T((4, 3)), Idx([0, 2, 1, 2]), _W3(), -100, "mean", 0.0)
case("ce_full_ignore_none", _CE, _ce, T((4, 3)), Idx([0, 2, 1, 2]), None, 2, "none", 0.0)
case("ce_full_sum", _CE, _ce, T((4, 3)), Idx([0, 2, 1, 1]), _W3(), -100, "sum", 0.0)
case("ce_full_smooth_mean", _CE, _ce, T((4, 3)), Idx([0, 2, 1, 2]), None, -100, "mean", 0.2)
case("ce_full_smooth_weight_ignore", _CE, _ce, T((4, 3)), Idx([0, 2, 1, 2]), _W3(), 1, "mean", 0.1)
case("ce_full_smooth_none", _CE, _ce, T((4, 3)), Idx([0, 2, 1, 2]), _W3(), -100, "none", 0.3)
case("ce_full_smooth_sum", _CE, _ce, T((4, 3)), Idx([0, 2, 1, 2]), None, 0, "sum", 0.3)
case("ce_full_3d", _CE, _ce, T((2, 3, 4)), Idx([[0, 2, 1, 2], [1, 1, 0, 2]]), _W3(), -100, "mean", 0.0)
case("ce_full_4d_smooth", _CE, _ce, T((2, 3, 2, 2)), Idx([[[0, 2], [1, 2]], [[1, 1], [0, 2]]]), None, -100, "sum", 0.1)
case("ce_full_1d", _CE, _ce, T((3,)), Idx(1), None, -100, "mean", 0.0)
case("ce_prob_mean", _CE, _ce, T((4, 3)), T((4, 3), "probs"), None, -100, "mean", 0.0)
case("ce_prob_weight_none", _CE, _ce, T((4, 3)), T((4, 3), "probs"), _W3(), -100, "none", 0.0)
case("ce_prob_smooth_sum", _CE, _ce, T((2, 3, 2)), T((2, 3, 2), "probs"), _W3(), -100, "sum", 0.25)


# ---- orderings: values, indices, node and gradient of the values
def orderings():
    g = torch.Generator().manual_seed(5)
    out = []

    def add(cid, x, fn):
        x = x.clone().requires_grad_(True)
        v, i = fn(x)
        up = torch.randn(v.shape, generator=g)
        v.backward(up)
        out.append({"id": cid, "x": tj(x), "values": tj(v), "indices": tj(i), "upstream": tj(up),
                    "grad": tj(x.grad), "gradFn": type(v.grad_fn).__name__})

    def distinct(*shape):
        n = 1
        for s in shape:
            n *= s
        return (torch.randperm(n, generator=g).float() * 0.37 - n * 0.15).reshape(shape)

    add("sort_dim1", distinct(3, 4), lambda x: x.sort(1))
    add("sort_dim0_desc", distinct(3, 4), lambda x: x.sort(0, descending=True))
    add("sort_ties_stable", torch.tensor([[2.0, 1.0, 2.0, 1.0, 0.0], [3.0, 3.0, -1.0, 3.0, -1.0]]),
        lambda x: x.sort(dim=1, stable=True))
    add("sort_ties_desc_stable", torch.tensor([[2.0, 1.0, 2.0, 1.0, 0.0], [3.0, 3.0, -1.0, 3.0, -1.0]]),
        lambda x: x.sort(dim=1, descending=True, stable=True))
    add("sort_nan", torch.tensor([1.0, float("nan"), -2.0, 0.5]), lambda x: x.sort(0))
    add("sort_3d", distinct(2, 3, 2), lambda x: x.sort(-2))
    add("topk", distinct(3, 5), lambda x: x.topk(2))
    add("topk_smallest_dim0", distinct(4, 3), lambda x: x.topk(3, 0, largest=False))
    add("max_dim", distinct(3, 4), lambda x: x.max(1))
    add("max_dim_keep", distinct(3, 4), lambda x: x.max(0, keepdim=True))
    add("max_dim_ties", torch.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]), lambda x: x.max(1))
    add("min_dim", distinct(2, 3, 4), lambda x: x.min(-1))
    add("min_dim_ties", torch.tensor([[1.0, 0.0, 0.0], [2.0, 2.0, 5.0]]), lambda x: x.min(1, keepdim=True))
    args = [{"id": "argsort", "x": distinct(3, 4), "dim": 1, "descending": False},
            {"id": "argsort_desc_dim0", "x": distinct(3, 4), "dim": 0, "descending": True}]
    for a in args:
        out.append({"id": a["id"], "x": tj(a["x"]), "dim": a["dim"], "descending": a["descending"],
                    "indices": tj(torch.sort(a["x"], dim=a["dim"], descending=a["descending"], stable=True)[1])})
    x = torch.tensor([[1.0, -3.0, 2.0, -3.0], [0.0, 4.0, 0.0, 1.0]])
    out.append({"id": "argmin", "x": tj(x), "dim": 1, "indices": tj(x.argmin(1))})
    return out


# ---- in-place indexing on a non-leaf: y = x * 1 (or x.clone()); op on y; backward
def inplace():
    g = torch.Generator().manual_seed(9)
    out = []

    def add(cid, shape, op, vshape=None):
        x = torch.randn(shape, generator=g).requires_grad_(True)
        v = None if vshape is None else torch.randn(vshape, generator=g).requires_grad_(True)
        y = x * 1.0
        op(y, v)
        up = torch.randn(y.shape, generator=g)
        y.backward(up)
        e = {"id": cid, "x": tj(x), "out": tj(y), "upstream": tj(up), "gradX": tj(x.grad),
             "gradFn": type(y.grad_fn).__name__}
        if v is not None:
            e["v"] = tj(v)
            e["gradV"] = tj(v.grad)
        out.append(e)

    def setitem_mask(y, v):
        y[y > 0] = 0.0

    def setitem_idx(y, v):
        y[torch.tensor([2, 0])] = v

    def setitem_cols(y, v):
        y[:, torch.tensor([1, 3])] = v

    add("setitem_mask", (3, 4), setitem_mask)
    add("setitem_rows", (3, 4), setitem_idx, (4,))
    add("setitem_cols", (3, 4), setitem_cols, (3, 1))
    add("index_put_acc", (4, 3), lambda y, v: y.index_put_((torch.tensor([1, 1, 3]),), v, accumulate=True), (3, 3))
    add("masked_fill_", (2, 3), lambda y, v: y.masked_fill_(torch.tensor([[True, False, True], [False, False, True]]), 2.0))
    add("scatter_", (3, 4), lambda y, v: y.scatter_(1, torch.tensor([[0, 3], [1, 2], [2, 0]]), v), (3, 2))
    add("scatter_add_", (3, 4), lambda y, v: y.scatter_add_(0, torch.tensor([[2, 0, 1, 1], [2, 2, 0, 1]]), v), (2, 4))
    add("scatter_value_", (3, 4), lambda y, v: y.scatter_(1, torch.tensor([[0], [3], [1]]), -1.0))
    return out


def main():
    cases = [run_case(*c) for c in CASES]
    mg.write("indexing.json", {"torch": torch.__version__, "cases": cases, "orderings": orderings(),
                               "inplace": inplace()})


if __name__ == "__main__":
    main()
