#!/usr/bin/python3
"""PyTorch goldens for issue 18's layers: convolution, pooling, normalisation and embedding.

Rerun after changing a case (from the repository root), with Debian's python3-torch (1.13):

    /usr/bin/python3 runtime/src/test/python/layer_goldens.py

It writes runtime/src/test/resources/goldens/layers.json:

  cases   rule cases in rules.json's format (make_goldens.py's run_case, with indexing_goldens.py's handling of
          None arguments), read by RuleGradientTest together with rules.json: forward, node name and every
          gradient (a double argument's through the same call with it as a 0-d tensor; where PyTorch does not
          take a tensor there (eps), the function written out).
  eval    batch_norm in evaluation mode (running statistics given): output and gradients, read by LayerGoldenTest.
  running the running statistics after two training calls of batch_norm (momentum 0.1), read by LayerGoldenTest.
  utils   clip_grad_norm_ / clip_grad_value_ on given gradients: the clipped gradients and the total norm.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_goldens as mg  # noqa: E402
import indexing_goldens as ig  # noqa: E402  (run_case with None arguments)

F = torch.nn.functional
mg.GEN = torch.Generator().manual_seed(20261202)
T, Idx = mg.T, mg.Idx
NO_PADDING = -2 ** 31  # NormRules.NO_PADDING

CASES = []


def case(cid, call, fn, *args):
    CASES.append((cid, call, fn, args))


def stride(s):
    return None if len(s) == 0 else s


# ---- conv2d / conv1d
C2 = "F.conv2d(Tensor,Tensor,Tensor,int[],int[],int[],int)"
C2S = "F.conv2d(Tensor,Tensor,Tensor,int[],String,int[],int)"
C1 = "F.conv1d(Tensor,Tensor,Tensor,int[],int[],int[],int)"
C1S = "F.conv1d(Tensor,Tensor,Tensor,int[],String,int[],int)"
conv2d = lambda x, w, b, s, p, d, g: F.conv2d(x, w, b, s, p, d, g)
conv1d = lambda x, w, b, s, p, d, g: F.conv1d(x, w, b, s, p, d, g)
case("conv2d_plain", "F.conv2d(Tensor,Tensor,Tensor)", lambda x, w, b: F.conv2d(x, w, b), T((2, 3, 6, 5)),
     T((4, 3, 3, 2)), T((4,)))
case("conv2d_plain_nobias", "F.conv2d(Tensor,Tensor,Tensor)", lambda x, w, b: F.conv2d(x, w, b), T((1, 2, 4, 4)),
     T((3, 2, 2, 2)), None)
case("conv2d_stride_pad", C2, conv2d, T((2, 2, 7, 6)), T((4, 2, 3, 3)), T((4,)), [2, 1], [1, 2], [1], 1)
case("conv2d_dilation_groups", C2, conv2d, T((1, 4, 7, 7)), T((6, 2, 3, 3)), T((6,)), [1], [2], [2], 2)
case("conv2d_depthwise_nobias", C2, conv2d, T((2, 3, 5, 4)), T((3, 1, 2, 2)), None, [1, 2], [0], [1], 3)
case("conv2d_unbatched", C2, conv2d, T((3, 5, 6)), T((2, 3, 3, 3)), T((2,)), [2], [1], [1], 1)
case("conv2d_1x1", C2, conv2d, T((2, 5, 3, 3)), T((4, 5, 1, 1)), T((4,)), [1], [0], [1], 1)
case("conv2d_same_even", C2S, conv2d, T((2, 2, 5, 6)), T((3, 2, 4, 3)), T((3,)), [1], "same", [1], 1)
case("conv2d_same_dilated", C2S, conv2d, T((1, 2, 6, 6)), T((2, 2, 3, 2)), T((2,)), [1], "same", [2], 1)
case("conv2d_valid", C2S, conv2d, T((1, 2, 5, 5)), T((2, 2, 3, 3)), None, [2], "valid", [1], 1)
case("conv1d", C1, conv1d, T((2, 3, 9)), T((4, 3, 3)), T((4,)), [2], [1], [1], 1)
case("conv1d_unbatched", C1, conv1d, T((2, 7)), T((2, 2, 2)), None, [1], [0], [3], 1)
case("conv1d_same_groups", C1S, conv1d, T((2, 3, 8)), T((6, 1, 4)), T((6,)), [1], "same", [2], 3)

# ---- pooling
MP = "F.maxPool2d(Tensor,int[],int[],int[],int[],boolean)"
maxpool = lambda x, k, s, p, d, c: F.max_pool2d(x, k, stride(s), p, d, ceil_mode=c)
case("max_pool2d", MP, maxpool, T((2, 3, 6, 6), "distinct"), [2], [], [0], [1], False)
case("max_pool2d_stride_pad", MP, maxpool, T((2, 2, 7, 6), "distinct"), [3, 2], [2], [1], [1], False)
case("max_pool2d_ceil", MP, maxpool, T((1, 2, 7, 5), "distinct"), [3], [2], [1], [1], True)
case("max_pool2d_dilation", MP, maxpool, T((2, 7, 8), "distinct"), [2, 3], [1, 2], [1], [2], False)
AP = "F.avgPool2d(Tensor,int[],int[],int[],boolean,boolean)"
avgpool = lambda x, k, s, p, c, i: F.avg_pool2d(x, k, stride(s), p, ceil_mode=c, count_include_pad=i)
case("avg_pool2d", AP, avgpool, T((2, 3, 6, 6)), [2], [], [0], False, True)
case("avg_pool2d_pad_exclude", AP, avgpool, T((2, 2, 7, 6)), [3, 2], [2], [1], False, False)
case("avg_pool2d_pad_include_ceil", AP, avgpool, T((1, 2, 7, 5)), [3], [2], [1], True, True)
case("avg_pool2d_ceil_exclude", AP, avgpool, T((3, 5, 7)), [2, 3], [2], [1], True, False)
AAP = "F.adaptiveAvgPool2d(Tensor,int[])"
case("adaptive_avg_pool2d", AAP, lambda x, o: F.adaptive_avg_pool2d(x, o), T((2, 3, 7, 5)), [3, 2])
case("adaptive_avg_pool2d_one", AAP, lambda x, o: F.adaptive_avg_pool2d(x, o * (3 - len(o))), T((2, 4, 4, 4)), [1])
case("adaptive_avg_pool2d_up", AAP, lambda x, o: F.adaptive_avg_pool2d(x, o), T((2, 3, 5)), [4, 3])


# ---- normalisation: with a tensor eps (a double's gradient) the function written out
def _is_t(v):
    return isinstance(v, torch.Tensor)


def batch_norm(x, rm, rv, w, b, training, momentum, eps):
    if not _is_t(eps) and not _is_t(momentum):
        return F.batch_norm(x, rm, rv, w, b, training, momentum, eps)
    dims = [0] + list(range(2, x.dim()))
    shape = [1, x.shape[1]] + [1] * (x.dim() - 2)
    mean = x.mean(dims, keepdim=True)
    var = x.var(dims, unbiased=False, keepdim=True)
    y = (x - mean) / torch.sqrt(var + eps)
    if w is not None:
        y = y * w.view(shape)
    if b is not None:
        y = y + b.view(shape)
    return y


def layer_norm(x, shape, w, b, eps):
    if not _is_t(eps):
        return F.layer_norm(x, shape, w, b, eps)
    dims = list(range(x.dim() - len(shape), x.dim()))
    mean = x.mean(dims, keepdim=True)
    var = x.var(dims, unbiased=False, keepdim=True)
    y = (x - mean) / torch.sqrt(var + eps)
    return y * (1 if w is None else w) + (0 if b is None else b)


def group_norm(x, groups, w, b, eps):
    if not _is_t(eps):
        return F.group_norm(x, groups, w, b, eps)
    n, c = x.shape[0], x.shape[1]
    xg = x.reshape(n, groups, -1)
    mean = xg.mean(2, keepdim=True)
    var = xg.var(2, unbiased=False, keepdim=True)
    y = ((xg - mean) / torch.sqrt(var + eps)).reshape(x.shape)
    shape = [1, c] + [1] * (x.dim() - 2)
    return y * (1 if w is None else w.view(shape)) + (0 if b is None else b.view(shape))


BN = "F.batchNorm(Tensor,Tensor,Tensor,Tensor,Tensor,boolean,double,double)"
case("batch_norm_1d", BN, batch_norm, T((4, 3)), None, None, T((3,)), T((3,)), True, 0.1, 1e-5)
case("batch_norm_3d", BN, batch_norm, T((4, 3, 5)), None, None, T((3,)), T((3,)), True, 0.1, 1e-5)
case("batch_norm_2d", BN, batch_norm, T((3, 2, 4, 3)), None, None, T((2,)), T((2,)), True, 0.1, 1e-3)
case("batch_norm_no_affine", BN, batch_norm, T((5, 2, 3)), None, None, None, None, True, 0.1, 1e-5)
LN = "F.layerNorm(Tensor,int[],Tensor,Tensor,double)"
case("layer_norm", LN, layer_norm, T((3, 4, 5)), [5], T((5,)), T((5,)), 1e-5)
case("layer_norm_two_dims", LN, layer_norm, T((2, 3, 4)), [3, 4], T((3, 4)), T((3, 4)), 1e-3)
case("layer_norm_no_affine", LN, layer_norm, T((4, 6)), [6], None, None, 1e-5)
GN = "F.groupNorm(Tensor,int,Tensor,Tensor,double)"
case("group_norm", GN, group_norm, T((2, 6, 4, 3)), 3, T((6,)), T((6,)), 1e-5)
case("group_norm_3d", GN, group_norm, T((3, 4, 5)), 2, T((4,)), T((4,)), 1e-3)
case("group_norm_no_affine", GN, group_norm, T((2, 4, 3)), 4, None, None, 1e-5)
EM = "F.embedding(Tensor,Tensor,int)"
embedding = lambda i, w, p: F.embedding(i, w, None if p == NO_PADDING else p)
case("embedding", EM, embedding, Idx([[1, 4, 0], [4, 2, 1]]), T((5, 3)), NO_PADDING)
case("embedding_padding", EM, embedding, Idx([[1, 3], [0, 3], [3, 2]]), T((4, 2)), 3)
case("embedding_padding_negative", EM, embedding, Idx([2, 0, 2, 1]), T((3, 4)), -1)

# ---- transposed convolution (added after the others, so that their random inputs stay as they were)
CT2 = "F.convTranspose2d(Tensor,Tensor,Tensor,int[],int[],int[],int,int[])"
CT1 = "F.convTranspose1d(Tensor,Tensor,Tensor,int[],int[],int[],int,int[])"
convt2 = lambda x, w, b, s, p, o, g, d: F.conv_transpose2d(x, w, b, s, p, o, g, d)
convt1 = lambda x, w, b, s, p, o, g, d: F.conv_transpose1d(x, w, b, s, p, o, g, d)
case("conv_transpose2d", CT2, convt2, T((2, 3, 4, 4)), T((3, 2, 3, 3)), T((2,)), [1], [0], [0], 1, [1])
case("conv_transpose2d_stride_pad_out", CT2, convt2, T((2, 2, 3, 4)), T((2, 3, 3, 2)), T((3,)), [2], [1], [1], 1, [1])
case("conv_transpose2d_groups_dilation", CT2, convt2, T((1, 4, 4, 3)), T((4, 2, 2, 3)), None, [2, 1], [1, 0], [1, 0],
     2, [2])
case("conv_transpose2d_unbatched", CT2, convt2, T((3, 4, 4)), T((3, 2, 2, 2)), T((2,)), [2], [0], [0], 1, [1])
case("conv_transpose1d", CT1, convt1, T((2, 3, 6)), T((3, 2, 3)), T((2,)), [2], [1], [1], 1, [1])
case("conv_transpose1d_unbatched_groups", CT1, convt1, T((4, 5)), T((4, 1, 3)), None, [1], [2], [0], 2, [2])

# ---- the one-argument forms (rows of their own so that generated code can call them). Drawn after everything else
# (LATE, run last in main), so that the cases above keep their inputs.
LATE = []


def late_case(cid, call, fn, *args):
    LATE.append((cid, call, fn, args))


late_case("max_pool2d_int", "F.maxPool2d(Tensor,int)", lambda x, k: F.max_pool2d(x, k), T((2, 3, 6, 5), "distinct"), 2)
late_case("avg_pool2d_int", "F.avgPool2d(Tensor,int)", lambda x, k: F.avg_pool2d(x, k), T((2, 7, 6)), 3)
late_case("diagonal_noargs", "diagonal()", lambda a: a.diagonal(), T((4, 3)))
late_case("diagonal_noargs_3d", "diagonal()", lambda a: a.diagonal(), T((3, 2, 4)))
late_case("flatten_noargs", "flatten()", lambda a: a.flatten(), T((2, 3, 4)))


def eval_cases():
    out = []
    for cid, shape in (("bn_eval_2d", (3, 2, 4, 3)), ("bn_eval_1d", (4, 3))):
        c = shape[1]
        x = mg.sample(shape, "any").requires_grad_(True)
        w = mg.sample((c,), "any").requires_grad_(True)
        b = mg.sample((c,), "any").requires_grad_(True)
        rm = mg.sample((c,), "any")
        rv = mg.sample((c,), "positive")
        y = F.batch_norm(x, rm, rv, w, b, False, 0.1, 1e-5)
        g = torch.randn(y.shape, generator=mg.GEN)
        y.backward(g)
        out.append({"id": cid, "x": mg.tj(x), "weight": mg.tj(w), "bias": mg.tj(b), "runningMean": mg.tj(rm),
                    "runningVar": mg.tj(rv), "out": mg.tj(y), "upstream": mg.tj(g), "gradX": mg.tj(x.grad),
                    "gradWeight": mg.tj(w.grad), "gradBias": mg.tj(b.grad), "gradFn": type(y.grad_fn).__name__})
    return out


def running():
    bn = torch.nn.BatchNorm2d(3)
    xs = [mg.sample((4, 3, 2, 5), "any") * 2 + 1 for _ in range(2)]
    for x in xs:
        bn(x)
    return {"inputs": [mg.tj(x) for x in xs], "runningMean": mg.tj(bn.running_mean),
            "runningVar": mg.tj(bn.running_var)}


def utils():
    """clip_grad_norm_ (2-norm, inf-norm, no clipping) and clip_grad_value_ on two parameters' gradients."""
    out = []
    grads = [mg.sample((3, 4), "any") * 3, mg.sample((5,), "any")]
    for cid, fn in (("norm2", lambda ps: torch.nn.utils.clip_grad_norm_(ps, 1.5)),
                    ("norm_inf", lambda ps: torch.nn.utils.clip_grad_norm_(ps, 0.5, float("inf"))),
                    ("norm_unclipped", lambda ps: torch.nn.utils.clip_grad_norm_(ps, 1000.0)),
                    ("norm1", lambda ps: torch.nn.utils.clip_grad_norm_(ps, 2.0, 1.0)),
                    ("value", lambda ps: torch.nn.utils.clip_grad_value_(ps, 0.7))):
        ps = [torch.zeros(g.shape, requires_grad=True) for g in grads]
        for p, g in zip(ps, grads):
            p.grad = g.clone()
        r = fn(ps)
        out.append({"id": cid, "grads": [mg.tj(g) for g in grads], "clipped": [mg.tj(p.grad) for p in ps],
                    "total": None if r is None else float(r)})
    return out


def main():
    torch.set_num_threads(1)
    cases = [ig.run_case(*c) for c in CASES]
    ev, rn, ut = eval_cases(), running(), utils()
    cases += [ig.run_case(*c) for c in LATE]
    mg.write("layers.json", {"torch": torch.__version__, "cases": cases, "eval": ev, "running": rn, "utils": ut})


if __name__ == "__main__":
    main()
