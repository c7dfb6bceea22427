#!/usr/bin/python3
"""Writes goldens/double_backward.json: PyTorch 1.13's double backward of each primitive that Adjoint records
with createGraph (DoubleBackward's formulas); read by DoubleBackwardGoldenTest, tests never run Python.

Rerun from the repository root with Debian's python3-torch:

    /usr/bin/python3 runtime/src/test/python/double_backward_goldens.py

Each case: the inputs (all require grad), an upstream c of the output, a direction v per input, and
  grad   = torch.autograd.grad(f(*inputs), inputs, c, create_graph=True)
  second = torch.autograd.grad(grad, inputs, v, allow_unused=True)   (null where no dependence)
It also writes goldens/linalg_second_order.json (LinalgSecondOrderTest): the gradient and the Hessian-vector
product of the losses through qr, svd, eigh, pinv and lstsq that an outside user's Hessians went through.
Floats are exact float32 values (the linear-algebra cases: float64, "dtype": "float64"); fixed seeds, sorted keys.
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "goldens",
                   "double_backward.json")
GEN = torch.Generator().manual_seed(20240614)


def tj(t, dtype="float32"):
    t = t.detach()
    return {"shape": list(t.shape), "dtype": dtype, "data": t.double().reshape(-1).tolist()}


def r(*shape, positive=False):
    t = torch.randn(tuple(shape), generator=GEN)
    return t.abs() + 0.5 if positive else t


CASES = {
    "add": (lambda a, b: a + b, [r(3, 1), r(1, 4)]),
    "sub": (lambda a, b: a - b, [r(2, 3), r(3)]),
    "mul": (lambda a, b: a * b, [r(2, 3), r(2, 3)]),
    "mul_broadcast": (lambda a, b: a * b, [r(2, 3), r(3)]),
    "div": (lambda a, b: a / b, [r(2, 3), r(2, 3, positive=True)]),
    "add_scalar": (lambda a: a + 1.5, [r(4)]),
    "mul_scalar": (lambda a: a * 2.5, [r(4)]),
    "div_scalar": (lambda a: a / 4.0, [r(4)]),
    "rsub": (lambda a: 2.0 - a, [r(4)]),
    "neg": (lambda a: -a, [r(4)]),
    "exp": (lambda a: a.exp(), [r(2, 3)]),
    "log": (lambda a: a.log(), [r(2, 3, positive=True)]),
    "sqrt": (lambda a: a.sqrt(), [r(2, 3, positive=True)]),
    "sin": (lambda a: a.sin(), [r(5)]),
    "cos": (lambda a: a.cos(), [r(5)]),
    "tanh": (lambda a: a.tanh(), [r(2, 3)]),
    "sigmoid": (lambda a: a.sigmoid(), [r(2, 3)]),
    "relu": (lambda a: a.relu() * a, [r(6)]),
    "square": (lambda a: a.square(), [r(5)]),
    "pow3": (lambda a: a.pow(3.0), [r(5)]),
    "pow_half": (lambda a: a.pow(0.5), [r(5, positive=True)]),
    "sum": (lambda a: (a * a).sum(), [r(2, 3)]),
    "mean": (lambda a: (a * a).mean(), [r(2, 3)]),
    "sum_dim": (lambda a: (a * a).sum(1), [r(2, 3)]),
    "mean_dim_keep": (lambda a: (a * a).mean(0, keepdim=True), [r(2, 3)]),
    "matmul": (lambda a, b: a @ b, [r(2, 3), r(3, 4)]),
    "mse_loss": (lambda a, b: torch.nn.functional.mse_loss(a, b), [r(2, 3), r(2, 3)]),
    "reshape": (lambda a: a.reshape(3, 2) * a.reshape(3, 2), [r(2, 3)]),
    "t": (lambda a: a.t() * a.t(), [r(2, 3)]),
    "mlp": (lambda x, w1, w2: torch.nn.functional.mse_loss(((x @ w1).tanh() @ w2).sigmoid(), x),
            [r(4, 3), r(3, 5), r(5, 3)]),
    "log1p": (lambda a: a.log1p(), [r(2, 3, positive=True)]),
    "expm1": (lambda a: a.expm1(), [r(2, 3)]),
    "reciprocal": (lambda a: a.reciprocal(), [r(2, 3, positive=True)]),
    "rsqrt": (lambda a: a.rsqrt(), [r(2, 3, positive=True)]),
    "abs": (lambda a: a.abs() * a, [r(6)]),
    "sum_dims": (lambda a: (a * a).sum((0, 2)), [r(2, 3, 4)]),
    "mean_dims_keep": (lambda a: (a * a).mean((0, -1), keepdim=True), [r(2, 3, 4)]),
    "linear": (lambda x, w, b: torch.nn.functional.linear(x, w, b) ** 2, [r(4, 3), r(5, 3), r(5)]),
    "linear_3d_nobias": (lambda x, w: torch.nn.functional.linear(x, w) ** 2, [r(2, 4, 3), r(5, 3)]),
    "softmax": (lambda a: torch.nn.functional.softmax(a, 1) * a, [r(3, 4)]),
    "log_softmax": (lambda a: torch.nn.functional.log_softmax(a, -1) * a, [r(3, 4)]),
    "relu_f": (lambda a: torch.nn.functional.relu(a) * a, [r(6)]),
    "cross_entropy": (lambda a: torch.nn.functional.cross_entropy(a, torch.tensor([0, 3, 1])), [r(3, 4)]),
    "mlp_ce": (lambda x, w1, b1, w2, b2: torch.nn.functional.cross_entropy(
        torch.nn.functional.linear(torch.nn.functional.relu(torch.nn.functional.linear(x, w1, b1)), w2, b2),
        torch.tensor([2, 0, 1, 2])), [r(4, 3), r(6, 3), r(6), r(3, 6), r(3)]),
    "transpose": (lambda a: a.transpose(0, 1) ** 2, [r(2, 3)]),
    "permute": (lambda a: a.permute(2, 0, 1) ** 2, [r(2, 3, 4)]),
    "select": (lambda a: a.select(1, 2) ** 2, [r(2, 3)]),
    "narrow": (lambda a: a.narrow(1, 1, 2) ** 2, [r(2, 4)]),
    "slice": (lambda a: a[:, 1:3] ** 2, [r(2, 4)]),
    "slice_step": (lambda a: a[:, 0:4:2] ** 2, [r(2, 5)]),
    "logsumexp": (lambda a: a.logsumexp(1), [r(2, 4)]),
    "logsumexp_keep": (lambda a: a.logsumexp(0, keepdim=True) * 2, [r(3, 2)]),
    "clamp": (lambda a: a.clamp(-0.5, 0.5) * a, [r(8)]),
    "cumsum": (lambda a: a.cumsum(1) ** 2, [r(2, 4)]),
    "var": (lambda a: a.var(), [r(2, 3)]),
    "std": (lambda a: a.std(), [r(2, 3)]),
    "var_dims": (lambda a: torch.var(a, dim=(0, 2), correction=0), [r(2, 3, 2)]),
    "std_dims_keep": (lambda a: torch.std(a, dim=(1,), keepdim=True), [r(2, 4)]),
    "leaky_relu": (lambda a: torch.nn.functional.leaky_relu(a, 0.1) * a, [r(8)]),
    "hardtanh": (lambda a: torch.nn.functional.hardtanh(a * 2) * a, [r(8)]),
    "silu": (lambda a: torch.nn.functional.silu(a), [r(6)]),
    "logsigmoid": (lambda a: torch.nn.functional.logsigmoid(a), [r(6)]),
    "softplus": (lambda a: torch.nn.functional.softplus(a), [r(6)]),
    "softplus_beta": (lambda a: torch.nn.functional.softplus(a, 2.0, 1.0), [r(6)]),
    "elu": (lambda a: torch.nn.functional.elu(a), [r(6)]),
    "maximum": (lambda a, b: torch.maximum(a, b) * a, [r(2, 3), r(3)]),
    "minimum_ties": (lambda a, b: torch.minimum(a, b) * b,
                     [torch.tensor([1.0, 2.0, -3.0, 0.5]), torch.tensor([1.0, 0.0, -3.0, 4.0])]),
    "max_all": (lambda a: a.max() * a, [r(2, 3)]),
    "min_all_ties": (lambda a: a.min() * a, [torch.tensor([0.5, -1.0, 2.0, -1.0])]),
    "prod": (lambda a: a.prod(), [r(2, 3)]),
    "norm": (lambda a: a.norm(), [r(3, 2)]),
    "bce_logits": (lambda a, b: torch.nn.functional.binary_cross_entropy_with_logits(a, b),
                   [r(2, 3), r(2, 3).sigmoid()]),
}

# issue 14: every other primitive PyTorch can differentiate twice (index tensors and masks are constants)
FN = torch.nn.functional
IDX = torch.tensor([[0, 2], [1, 1]])
IDX_UNIQUE = torch.tensor([[0, 2], [1, 0]])
MASK = torch.tensor([[True, False, True], [False, False, True]])
CASES.update({
    "view": (lambda a: a.view(3, 2) ** 2, [r(2, 3)]),
    "split": (lambda a: sum((p ** 3).sum() * (k + 1) for k, p in enumerate(a.split(2, 1))), [r(2, 5)]),
    "split_sizes": (lambda a: a.split([1, 3], 0)[1] ** 3, [r(4, 2)]),
    "unbind": (lambda a: sum((p ** 3).sum() * (k + 1) for k, p in enumerate(a.unbind(1))), [r(2, 3)]),
    "flatten": (lambda a: a.flatten(1, 2) ** 2, [r(2, 3, 2)]),
    "unsqueeze": (lambda a: a.unsqueeze(1) ** 2, [r(2, 3)]),
    "squeeze_dim": (lambda a: a.reshape(2, 1, 3).squeeze(1) ** 2, [r(2, 3)]),
    "squeeze_all": (lambda a: a.reshape(1, 2, 1, 3).squeeze() ** 2, [r(2, 3)]),
    "expand": (lambda a: a.expand(2, 3) ** 2, [r(1, 3)]),
    "clone": (lambda a: a.clone() ** 2, [r(2, 3)]),
    "flip": (lambda a: a.flip(1) ** 2 * a, [r(2, 3)]),
    "roll": (lambda a: a.roll(1, 1) ** 2 * a, [r(2, 3)]),
    "diagonal": (lambda a: a.diagonal(0, 0, 1) ** 3, [r(3, 3)]),
    "repeat": (lambda a: a.repeat(2, 1) ** 3, [r(2, 3)]),
    "tile": (lambda a: a.tile(2) ** 3, [r(3)]),
    "cat": (lambda a, b: torch.cat([a, b], 1) ** 3, [r(2, 2), r(2, 3)]),
    "stack": (lambda a, b: torch.stack([a, b], 0) ** 3, [r(2, 3), r(2, 3)]),
    "gather": (lambda a: a.gather(1, IDX) ** 3, [r(2, 3)]),
    "scatter": (lambda a, b: a.scatter(1, IDX_UNIQUE, b) ** 3, [r(2, 3), r(2, 2)]),
    "scatter_value": (lambda a: a.scatter(1, IDX_UNIQUE, 0.5) ** 3, [r(2, 3)]),
    "scatter_add": (lambda a, b: a.scatter_add(1, IDX, b) ** 3, [r(2, 3), r(2, 2)]),
    "index": (lambda a: a[torch.tensor([2, 0, 2])] ** 3, [r(4, 3)]),
    "index_multi": (lambda a: a[torch.tensor([0, 1]), torch.tensor([2, 0])] ** 3, [r(2, 3)]),
    "index_put": (lambda a, b: a.index_put((torch.tensor([2, 0]),), b) ** 3, [r(4, 3), r(2, 3)]),
    "index_put_acc": (lambda a, b: a.index_put((torch.tensor([2, 2]),), b, accumulate=True) ** 3,
                      [r(4, 3), r(2, 3)]),
    "masked_fill": (lambda a: a.masked_fill(MASK, 0.3) ** 3, [r(2, 3)]),
    "index_select": (lambda a: a.index_select(1, torch.tensor([2, 0, 2])) ** 3, [r(2, 3)]),
    "masked_select": (lambda a: a.masked_select(MASK) ** 3, [r(2, 3)]),
    "sort": (lambda a: a.sort(1).values ** 3 * torch.arange(1.0, 4.0), [r(2, 3)]),
    "topk": (lambda a: a.topk(2).values ** 3, [r(2, 4)]),
    "clamp_min": (lambda a: a.clamp(min=-0.3) * a, [r(8)]),
    "clamp_max": (lambda a: a.clamp(max=0.3) * a, [r(8)]),
    "pow_tensor": (lambda a, b: a ** b, [r(2, 3, positive=True), r(2, 3)]),
    "pow_scalar_base": (lambda a: 2.0 ** a, [r(2, 3)]),
    "amax": (lambda a: a.amax(1) ** 2, [r(2, 3)]),
    "amin_keep": (lambda a: a.amin((0, 1), keepdim=True) * a, [r(2, 3)]),
    "cumprod": (lambda a: a.cumprod(1), [r(2, 3)]),
    "prod_dim": (lambda a: a.prod(1), [r(2, 3)]),
    "prod_dim_keep": (lambda a: a.prod(0, keepdim=True) * 2, [r(3, 2)]),
    "norm_p3": (lambda a: a.norm(3), [r(2, 3)]),
    "norm_p1": (lambda a: a.norm(1) * a, [r(4)]),
    "conv2d": (lambda x, w, b: FN.conv2d(x, w, b, 1, 1) ** 2, [r(2, 2, 4, 4), r(3, 2, 3, 3), r(3)]),
    "conv2d_plain": (lambda x, w, b: FN.conv2d(x, w, b) ** 2, [r(1, 2, 4, 4), r(3, 2, 2, 2), r(3)]),
    "conv2d_groups": (lambda x, w: FN.conv2d(x, w, None, 2, 1, 1, 2) ** 2, [r(1, 4, 5, 5), r(4, 2, 3, 3)]),
    "conv2d_same": (lambda x, w: FN.conv2d(x, w, None, 1, "same", 2) ** 2, [r(1, 2, 5, 5), r(2, 2, 3, 3)]),
    "conv_transpose2d": (lambda x, w, b: FN.conv_transpose2d(x, w, b, 2, 1, 1) ** 2,
                         [r(1, 2, 3, 3), r(2, 3, 3, 3), r(3)]),
    "conv_transpose1d_groups": (lambda x, w: FN.conv_transpose1d(x, w, None, 1, 1, 0, 2, 2) ** 2,
                                [r(2, 4, 4), r(4, 1, 3)]),
    "conv1d": (lambda x, w, b: FN.conv1d(x, w, b, 1, 1) ** 2, [r(2, 2, 5), r(3, 2, 3), r(3)]),
    "conv1d_same": (lambda x, w: FN.conv1d(x, w, None, 1, "same") ** 2, [r(1, 2, 6), r(2, 2, 3)]),
    "max_pool2d": (lambda x: FN.max_pool2d(x, 2) ** 2, [r(1, 2, 4, 4)]),
    "max_pool2d_overlap": (lambda x: FN.max_pool2d(x, 3, 1, 1) ** 2, [r(1, 1, 4, 4)]),
    "avg_pool2d": (lambda x: FN.avg_pool2d(x, 2) ** 2, [r(1, 2, 4, 4)]),
    "adaptive_avg_pool2d": (lambda x: FN.adaptive_avg_pool2d(x, (2, 2)) ** 2, [r(1, 2, 5, 5)]),
    "batch_norm": (lambda x, w, b: FN.batch_norm(x, None, None, w, b, True), [r(4, 3), r(3), r(3)]),
    "batch_norm_2d": (lambda x, w, b: FN.batch_norm(x, None, None, w, b, True) ** 2, [r(2, 3, 2, 2), r(3), r(3)]),
    "batch_norm_eval": (lambda x, w, b: FN.batch_norm(x, torch.tensor([0.1, -0.2, 0.3]),
                                                      torch.tensor([0.5, 1.5, 2.0]), w, b, False) ** 2,
                        [r(4, 3), r(3), r(3)]),
    "layer_norm": (lambda x, w, b: FN.layer_norm(x, (4,), w, b), [r(3, 4), r(4), r(4)]),
    "group_norm": (lambda x, w, b: FN.group_norm(x, 2, w, b), [r(2, 4, 3), r(4), r(4)]),
    "embedding": (lambda w: FN.embedding(torch.tensor([[0, 2], [1, 2]]), w, 1) ** 3, [r(4, 3)]),
    "gelu": (lambda a: FN.gelu(a), [r(6)]),
    "gelu_tanh": (lambda a: FN.gelu(a, approximate="tanh"), [r(6)]),
    "l1_loss": (lambda a, b: FN.l1_loss(a, b) * a, [r(2, 3), r(2, 3)]),
    "smooth_l1_loss": (lambda a, b: FN.smooth_l1_loss(a, b, reduction="sum", beta=0.8), [r(2, 3), r(2, 3)]),
    "huber_loss": (lambda a, b: FN.huber_loss(a, b, delta=0.8), [r(2, 3), r(2, 3)]),
    "kl_div": (lambda a, b: FN.kl_div(a, b, reduction="batchmean"), [r(2, 3), r(2, 3, positive=True)]),
    "kl_div_log": (lambda a, b: FN.kl_div(a, b, reduction="sum", log_target=True), [r(2, 3), r(2, 3)]),
    "bce": (lambda a: FN.binary_cross_entropy(a, torch.tensor([[0.2, 0.9, 0.5], [1.0, 0.0, 0.3]])),
            [r(2, 3).sigmoid()]),
    "bce_weight": (lambda a: FN.binary_cross_entropy(a, torch.tensor([[0.2, 0.9, 0.5], [1.0, 0.0, 0.3]]),
                                                     torch.tensor([[0.5, 2.0, 1.0], [1.5, 1.0, 0.25]]), reduction="sum"),
                   [r(2, 3).sigmoid()]),
    "cross_entropy_weight_smooth": (lambda a: FN.cross_entropy(a, torch.tensor([0, 3, -100, 1]),
                                                               torch.tensor([0.5, 1.0, 2.0, 1.5]),
                                                               label_smoothing=0.1), [r(4, 4)]),
    "cross_entropy_probs": (lambda a, p: FN.cross_entropy(a, p, label_smoothing=0.2), [r(3, 4), r(3, 4).softmax(1)]),
    "nll_loss_weight": (lambda a: FN.nll_loss(a.tanh(), torch.tensor([1, 0, 2]), torch.tensor([0.5, 1.0, 2.0]),
                                              reduction="sum"), [r(3, 3)]),
})


# issue 14, the linear algebra: float64 throughout (exact doubles in the JSON, dtype "float64"), drawn from their own
# generator after the cases above so that those keep their values. Well-conditioned inputs: shifted by a multiple
# of I, symmetric positive-definite a aᴴ + nI for cholesky, a + aᴴ (distinct eigenvalues) for eigh. The losses of
# the eigenvectors and singular vectors are invariant under their signs (squares, U Vh), as PyTorch's own tests;
# Q and R are LAPACK's themselves (QrSignTest).
LA = torch.linalg
GEN64 = torch.Generator().manual_seed(20261202)


def r64(*shape):
    return torch.randn(tuple(shape), generator=GEN64, dtype=torch.float64)


def eye(n):
    return torch.eye(n, dtype=torch.float64)


def spd(a):
    return a @ a.mT + a.shape[-1] * eye(a.shape[-1])


def sym(a):
    return a + a.mT


def flat(*ts):
    return torch.cat([t.reshape(-1) for t in ts])


def svd_all(a):
    u, s, vh = LA.svd(a, full_matrices=False)
    return flat(u ** 2, s, vh ** 2)


def eigh_all(a):
    w, v = LA.eigh(sym(a))
    return flat(w, v ** 2)


def qr_all(a):
    q, rr = LA.qr(a)
    return flat(q, rr)


CASES64 = {
    "cholesky": (lambda a: LA.cholesky(spd(a)), [r64(3, 3)]),
    "cholesky_batched": (lambda a: LA.cholesky(spd(a)), [r64(2, 3, 3)]),
    "cholesky_solve": (lambda b, a: torch.cholesky_solve(b, LA.cholesky(spd(a))), [r64(3, 2), r64(3, 3)]),
    "cholesky_solve_tril": (lambda b, a: torch.cholesky_solve(b, a.tril() + 3 * eye(3)), [r64(3, 2), r64(3, 3)]),
    "solve_triangular_upper": (lambda a, b: LA.solve_triangular(a + 3 * eye(3), b, upper=True),
                               [r64(3, 3), r64(3, 2)]),
    "solve_triangular_lower_batched": (lambda a, b: LA.solve_triangular(a + 3 * eye(3), b, upper=False),
                                       [r64(2, 3, 3), r64(2, 3, 2)]),
    "slogdet": (lambda a: LA.slogdet(a + 2 * eye(3)).logabsdet, [r64(3, 3)]),
    "slogdet_batched": (lambda a: LA.slogdet(a + 2 * eye(3)).logabsdet, [r64(2, 3, 3)]),
    "eigvalsh": (lambda a: LA.eigvalsh(sym(a)), [r64(3, 3)]),
    "eigvalsh_batched": (lambda a: LA.eigvalsh(sym(a)), [r64(2, 4, 4)]),
    "eigh": (eigh_all, [r64(3, 3)]),
    "eigh_vectors_batched": (lambda a: LA.eigh(sym(a)).eigenvectors ** 2, [r64(2, 3, 3)]),
    "svdvals": (lambda a: LA.svdvals(a), [r64(3, 4)]),
    "svdvals_batched_tall": (lambda a: LA.svdvals(a), [r64(2, 4, 3)]),
    "svd_square": (svd_all, [r64(3, 3)]),
    "svd_tall": (svd_all, [r64(4, 3)]),
    "svd_wide": (svd_all, [r64(3, 4)]),
    "svd_polar": (lambda a: (lambda usv: usv[0] @ usv[2])(LA.svd(a, full_matrices=False)), [r64(4, 3)]),
    "svd_batched": (svd_all, [r64(2, 3, 2)]),
    "qr_square": (qr_all, [r64(3, 3)]),
    "qr_tall": (qr_all, [r64(4, 3)]),
    "qr_wide": (qr_all, [r64(3, 4)]),
    "qr_batched": (qr_all, [r64(2, 4, 3)]),
    "inv": (lambda a: LA.inv(a + 2 * eye(3)), [r64(3, 3)]),
    "inv_batched": (lambda a: LA.inv(a + 2 * eye(3)), [r64(2, 3, 3)]),
    "det": (lambda a: LA.det(a), [r64(3, 3)]),
    "det_batched": (lambda a: LA.det(a), [r64(2, 3, 3)]),
    "logdet": (lambda a: torch.logdet(spd(a)), [r64(3, 3)]),
    "solve": (lambda a, b: LA.solve(a + 2 * eye(3), b), [r64(3, 3), r64(3, 2)]),
    "solve_vector": (lambda a, b: LA.solve(a + 2 * eye(3), b), [r64(3, 3), r64(3)]),
    "solve_batched": (lambda a, b: LA.solve(a + 2 * eye(3), b), [r64(2, 3, 3), r64(2, 3, 1)]),
    "lstsq": (lambda a, b: LA.lstsq(a, b).solution, [r64(4, 3), r64(4, 2)]),
    "pinv": (lambda a: LA.pinv(a), [r64(4, 3)]),
    "pinv_wide": (lambda a: LA.pinv(a), [r64(2, 3)]),
    "matrix_norm_nuc": (lambda a: LA.matrix_norm(a, "nuc"), [r64(3, 4)]),
    "matrix_norm_2": (lambda a: LA.matrix_norm(a, 2), [r64(4, 3)]),
    "as_strided": (lambda a: a.as_strided((2, 2), (1, 2), 1) ** 3, [r64(2, 3)]),
    "as_strided_overlap": (lambda a: a.as_strided((3, 2), (1, 1)) ** 3, [r64(6)]),
    # matmul beyond two matrices (batches, broadcasting, vectors), as the formulas above use it
    "matmul_batched": (lambda a, b: a @ b, [r64(2, 3, 4), r64(2, 4, 2)]),
    "matmul_broadcast": (lambda a, b: a @ b, [r64(2, 1, 3, 4), r64(3, 4, 2)]),
    "matmul_vec_mat": (lambda a, b: a @ b, [r64(3), r64(2, 3, 4)]),
    "matmul_mat_vec": (lambda a, b: a @ b, [r64(2, 4, 3), r64(3)]),
    "matmul_dot": (lambda a, b: (a @ b) ** 2, [r64(4), r64(4)]),
}


def golden(f, inputs, draw, dtype):
    xs = [x.clone().requires_grad_(True) for x in inputs]
    y = f(*xs)
    c = draw(*y.shape)
    grads = torch.autograd.grad(y, xs, c, create_graph=True)
    vs = [draw(*x.shape) for x in xs]
    used = [(g, v) for g, v in zip(grads, vs) if g.requires_grad]
    second = [None] * len(xs)
    if used:
        s = torch.autograd.grad([g for g, _ in used], xs, [v for _, v in used], allow_unused=True)
        second = list(s)
    return {
        "inputs": [tj(x, dtype) for x in inputs],
        "c": tj(c, dtype),
        "v": [tj(v, dtype) for v in vs],
        "grad": [tj(g, dtype) for g in grads],
        "second": [None if s is None else tj(s, dtype) for s in second],
    }


# LinalgSecondOrderTest: the outside user's losses through qr, svd, eigh, pinv and lstsq (whose backwards were once
# differentiable), at the test's own A, V and B: the gradient and the Hessian-vector product H·V
OUT2 = os.path.join(os.path.dirname(OUT), "linalg_second_order.json")
A2 = torch.tensor([2.0, 0.3, -0.4, 0.1, 1.5, 0.2, 0.5, -0.2, 1.8], dtype=torch.float64).reshape(3, 3)
V2 = torch.tensor([0.3, -0.1, 0.2, 0.05, 0.4, -0.3, 0.1, 0.2, -0.2], dtype=torch.float64).reshape(3, 3)
B2 = torch.tensor([0.2, -0.1, 0.4, 0.3, -0.5, 0.6], dtype=torch.float64).reshape(3, 2)


def eigh_loss(a):
    w, v = LA.eigh(a + a.mT)
    return (v ** 4).sum() + (w ** 2).sum()


SECOND_ORDER = {
    "pinv": lambda a: (LA.inv(a) ** 2).sum() + (LA.pinv(a) ** 2).sum(),
    "qr": lambda a: LA.inv(a).sum() + (LA.qr(a).R ** 2).sum(),
    "lstsq": lambda a: (LA.lstsq(a, B2).solution ** 2).sum(),
    "svd": lambda a: (LA.svd(a, full_matrices=False).U ** 4).sum(),
    "eigh": eigh_loss,
}


def write_second_order():
    out = {}
    for name, f in sorted(SECOND_ORDER.items()):
        a = A2.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(f(a), a, create_graph=True)
        (hv,) = torch.autograd.grad(g, a, V2)
        out[name] = {"grad": tj(g, "float64"), "hvp": tj(hv, "float64")}
    with open(OUT2, "w") as fh:
        json.dump(out, fh, sort_keys=True, indent=1)
        fh.write("\n")


def main():
    out = {}
    for name, (f, inputs) in sorted(CASES.items()):
        out[name] = golden(f, inputs, r, "float32")
    for name, (f, inputs) in sorted(CASES64.items()):
        assert name not in out, name
        out[name] = golden(f, inputs, r64, "float64")
    write_second_order()
    with open(OUT, "w") as fh:
        json.dump(out, fh, sort_keys=True, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
