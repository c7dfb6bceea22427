#!/usr/bin/python3
"""PyTorch float64 goldens for dev.adjoint.linalg and the float64 everyday ops (tests never run Python).

Rerun from the repository root with Debian's python3-torch (PyTorch 1.13):

    /usr/bin/python3 runtime/src/test/python/linalg_goldens.py

Writes runtime/src/test/resources/goldens/linalg.json: one entry per case id with the op name, its
float64 inputs (exact doubles, row-major), extra arguments, a seeded upstream gradient for every output,
PyTorch's outputs and the gradient of every input (a vector-Jacobian product with the upstream). Ops
whose outputs have a sign ambiguity (eigh's vectors, qr) record a sign-invariant scalar loss instead
(see "loss"). Read by LinalgGoldenTest (1e-8 relative to each tensor's largest magnitude).
"""
import json
import os

import torch

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "goldens")
D = torch.float64


def tj(t):
    t = t.detach()
    return {"shape": list(t.shape), "data": t.to(D).reshape(-1).tolist()}


def spd(gen, *shape):
    n = shape[-1]
    x = torch.randn(*shape, generator=gen)
    return x @ x.transpose(-2, -1) + n * torch.eye(n)


def hilbert(n):
    i = torch.arange(n, dtype=D)
    return 1.0 / (i[:, None] + i[None, :] + 1)


def well(gen, *shape):
    n = shape[-1]
    return torch.randn(*shape, generator=gen) + 3 * torch.eye(n)


CASES = {}


def cofactor(a):
    """The cofactor matrix C_ij = (-1)^(i+j) det(minor_ij): the gradient of det."""
    n = a.shape[0]
    c = torch.empty(n, n)
    for i in range(n):
        for j in range(n):
            keep_r = [r for r in range(n) if r != i]
            keep_c = [k for k in range(n) if k != j]
            c[i, j] = (-1) ** (i + j) * torch.linalg.det(a[keep_r][:, keep_c])
    return c


def case(cid, op, inputs, fn, args=None, loss=None):
    """Records fn(*inputs) (a tensor or a tuple), an upstream per output and the input gradients."""
    xs = [x.clone().requires_grad_(True) for x in inputs]
    out = fn(*xs)
    outs = list(out) if isinstance(out, tuple) else [out]
    gen = torch.Generator().manual_seed(len(CASES) + 1)
    if loss is None:
        ups = [torch.randn(o.shape, generator=gen) for o in outs]
        total = sum((o * u).sum() for o, u in zip(outs, ups))
    else:
        ups = [torch.randn(o.shape, generator=gen) for o in outs]
        total = loss(outs, ups)
    grads = torch.autograd.grad(total, xs, allow_unused=True)
    CASES[cid] = {
        "op": op,
        "args": args or {},
        "inputs": [tj(x) for x in inputs],
        "upstream": [tj(u) for u in ups],
        "outputs": [tj(o) for o in outs],
        "grads": [tj(g) if g is not None else None for g in grads],
        "loss": None if loss is None else "squares",
    }


def squares(outs, ups):
    """A loss invariant to the sign of each eigenvector / Householder column: Σ u ∘ o ∘ o."""
    return sum((u * o * o).sum() for o, u in zip(outs, ups))


def main():
    g = torch.Generator().manual_seed(15)
    # cholesky: the rows read only the lower triangle, so the symmetric input is the natural domain
    case("cholesky_4", "cholesky", [spd(g, 4, 4)], torch.linalg.cholesky)
    case("cholesky_batched", "cholesky", [spd(g, 2, 3, 3)], torch.linalg.cholesky)
    case("cholesky_hilbert8", "cholesky", [hilbert(8)], torch.linalg.cholesky)
    l4 = torch.linalg.cholesky(spd(g, 4, 4))
    case("cholesky_solve_4x2", "choleskySolve", [torch.randn(4, 2, generator=g), l4],
         lambda b, l: torch.cholesky_solve(b, l))
    lb = torch.linalg.cholesky(spd(g, 2, 3, 3))
    case("cholesky_solve_batched", "choleskySolve", [torch.randn(2, 3, 2, generator=g), lb],
         lambda b, l: torch.cholesky_solve(b, l))
    lh = torch.linalg.cholesky(hilbert(6) + 1e-10 * torch.eye(6))
    case("cholesky_solve_illcond", "choleskySolve", [torch.randn(6, 1, generator=g), lh],
         lambda b, l: torch.cholesky_solve(b, l))
    up = torch.triu(torch.randn(4, 4, generator=g)) + 3 * torch.eye(4)
    case("solve_triangular_upper", "solveTriangular", [up, torch.randn(4, 3, generator=g)],
         lambda a, b: torch.linalg.solve_triangular(a, b, upper=True), {"upper": True})
    lo = torch.tril(torch.randn(2, 3, 3, generator=g)) + 3 * torch.eye(3)
    case("solve_triangular_lower_batched", "solveTriangular", [lo, torch.randn(2, 3, 2, generator=g)],
         lambda a, b: torch.linalg.solve_triangular(a, b, upper=False), {"upper": False})
    case("solve_4x2", "solve", [well(g, 4, 4), torch.randn(4, 2, generator=g)], torch.linalg.solve)
    case("solve_vector", "solve", [well(g, 4, 4), torch.randn(4, generator=g)], torch.linalg.solve)
    case("solve_batched", "solve", [well(g, 2, 3, 3), torch.randn(2, 3, 2, generator=g)], torch.linalg.solve)
    case("solve_hilbert7", "solve", [hilbert(7), torch.randn(7, 1, generator=g)], torch.linalg.solve)
    case("inv_4", "inv", [well(g, 4, 4)], torch.linalg.inv)
    case("inv_batched", "inv", [well(g, 3, 2, 2)], torch.linalg.inv)
    case("inv_hilbert6", "inv", [hilbert(6)], torch.linalg.inv)
    case("det_4", "det", [torch.randn(4, 4, generator=g)], torch.linalg.det)
    case("det_batched", "det", [torch.randn(2, 3, 3, generator=g)], torch.linalg.det)
    sing = torch.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])  # LU meets an exact zero pivot
    case("det_singular", "det", [sing], torch.linalg.det)
    # PyTorch 1.13 returns a zero gradient at this exactly singular matrix; the derivative of det there is
    # the cofactor matrix (nonzero at rank n-1; PyTorch 2 computes it through the SVD), which we record
    CASES["det_singular"]["grads"] = [tj(CASES["det_singular"]["upstream"][0]["data"][0] * cofactor(sing))]
    neg = torch.randn(4, 4, generator=g)
    if torch.linalg.det(neg) > 0:
        neg[0] = -neg[0]
    case("logabsdet_negative", "logabsdet", [neg], lambda a: torch.linalg.slogdet(a)[1])
    case("logabsdet_batched", "logabsdet", [torch.randn(2, 3, 3, generator=g)], lambda a: torch.linalg.slogdet(a)[1])
    case("slogdet_sign", "detSign", [neg], lambda a: torch.linalg.slogdet(a)[0])
    case("logdet_spd", "logdet", [spd(g, 5, 5)], torch.logdet)
    case("logdet_hilbert8", "logdet", [hilbert(8)], torch.logdet)
    sym = torch.randn(4, 4, generator=g)
    sym = sym + sym.T
    case("eigvalsh_4", "eigvalsh", [sym], torch.linalg.eigvalsh)
    symb = torch.randn(2, 3, 3, generator=g)
    symb = symb + symb.transpose(-2, -1)
    case("eigvalsh_batched", "eigvalsh", [symb], torch.linalg.eigvalsh)
    case("eigh_4", "eigh", [sym], torch.linalg.eigh, loss=squares)
    case("svdvals_4x3", "svdvals", [torch.randn(4, 3, generator=g)], torch.linalg.svdvals)
    case("svdvals_batched", "svdvals", [torch.randn(2, 3, 4, generator=g)], torch.linalg.svdvals)
    case("qr_5x3", "qr", [torch.randn(5, 3, generator=g)], torch.linalg.qr, loss=squares)
    case("qr_batched", "qr", [torch.randn(2, 4, 4, generator=g)], torch.linalg.qr, loss=squares)
    case("lstsq_5x3", "lstsq", [torch.randn(5, 3, generator=g), torch.randn(5, 2, generator=g)],
         lambda a, b: torch.linalg.lstsq(a, b).solution)
    case("pinv_5x3", "pinv", [torch.randn(5, 3, generator=g)], torch.linalg.pinv)
    case("pinv_3x5", "pinv", [torch.randn(3, 5, generator=g)], torch.linalg.pinv)
    v = torch.randn(3, 4, generator=g)
    case("vector_norm_2", "vectorNorm", [v], lambda x: torch.linalg.vector_norm(x, 2), {"ord": 2})
    case("vector_norm_1", "vectorNorm", [v], lambda x: torch.linalg.vector_norm(x, 1), {"ord": 1})
    case("vector_norm_3", "vectorNorm", [v], lambda x: torch.linalg.vector_norm(x, 3), {"ord": 3})
    case("vector_norm_inf", "vectorNorm", [v], lambda x: torch.linalg.vector_norm(x, float("inf")),
         {"ord": "inf"})
    m = torch.randn(2, 4, 3, generator=g)
    case("matrix_norm_fro", "matrixNorm", [m], lambda x: torch.linalg.matrix_norm(x, "fro"), {"ord": "fro"})
    case("matrix_norm_nuc", "matrixNorm", [m], lambda x: torch.linalg.matrix_norm(x, "nuc"), {"ord": "nuc"})
    case("matrix_norm_2", "matrixNorm", [m], lambda x: torch.linalg.matrix_norm(x, 2), {"ord": "2"})
    # float64 versions of everyday op goldens
    a = torch.randn(3, 4, generator=g)
    b = torch.rand(3, 4, generator=g) + 0.5
    case("f64_add_bcast", "add", [a, torch.randn(4, generator=g)], torch.add)
    case("f64_mul", "mul", [a, b], torch.mul)
    case("f64_div", "div", [a, b], torch.div)
    case("f64_pow", "pow", [b], lambda x: x.pow(2.5), {"p": 2.5})
    for name in ["exp", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "neg"]:
        case("f64_" + name, name, [a], getattr(torch, name))
    for name in ["log", "sqrt", "rsqrt", "reciprocal"]:
        case("f64_" + name, name, [b], getattr(torch, name))
    case("f64_sum_dim", "sum_dim", [a], lambda x: x.sum(1), {"dim": 1})
    case("f64_mean", "mean", [a], torch.mean)
    case("f64_matmul", "matmul", [a, torch.randn(4, 2, generator=g)], torch.matmul)
    case("f64_matmul_batched", "matmul", [torch.randn(2, 3, 4, generator=g), torch.randn(4, 5, generator=g)],
         torch.matmul)
    case("f64_softmax", "softmax", [a], lambda x: torch.softmax(x, 1), {"dim": 1})
    case("f64_log_softmax", "logSoftmax", [a], lambda x: torch.log_softmax(x, 0), {"dim": 0})
    case("f64_mse", "mseLoss", [a, b], torch.nn.functional.mse_loss)
    # svd through U, S and Vh (PyTorch's svd_backward; a sign-invariant loss), appended so earlier draws stay
    svd = lambda x: tuple(torch.linalg.svd(x, full_matrices=False))
    case("svd_4x3", "svd", [torch.randn(4, 3, generator=g)], svd, loss=squares)
    case("svd_3x5", "svd", [torch.randn(3, 5, generator=g)], svd, loss=squares)
    case("svd_4x4", "svd", [torch.randn(4, 4, generator=g)], svd, loss=squares)
    case("svd_batched_tall", "svd", [torch.randn(2, 5, 3, generator=g)], svd, loss=squares)
    case("svd_batched_wide", "svd", [torch.randn(2, 2, 4, generator=g)], svd, loss=squares)
    case("svd_u_only_tall", "svdU", [torch.randn(5, 3, generator=g)],
         lambda x: torch.linalg.svd(x, full_matrices=False).U, loss=squares)
    case("svd_vh_only_wide", "svdVh", [torch.randn(3, 6, generator=g)],
         lambda x: torch.linalg.svd(x, full_matrices=False).Vh, loss=squares)
    case("svd_hilbert5", "svd", [hilbert(5)], svd, loss=squares)
    case("svd_illcond_tall", "svd", [hilbert(7)[:, :4].contiguous()], svd, loss=squares)
    # qr of a wide matrix (m < n): PyTorch's linalg_qr_backward through the leading square block
    case("qr_3x5", "qr", [torch.randn(3, 5, generator=g)], torch.linalg.qr, loss=squares)
    case("qr_batched_wide", "qr", [torch.randn(2, 2, 4, generator=g)], torch.linalg.qr, loss=squares)
    case("qr_illcond_wide", "qr", [hilbert(7)[:4, :].contiguous()], torch.linalg.qr, loss=squares)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "linalg.json"), "w") as f:
        json.dump(CASES, f, sort_keys=True, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
