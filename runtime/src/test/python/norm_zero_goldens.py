#!/usr/bin/python3
"""PyTorch 1.13's gradients of linalg.vector_norm / matrix_norm where a norm is 0 (printed; NormAtZeroTest holds
them). Run with Debian's python3-torch: /usr/bin/python3 runtime/src/test/python/norm_zero_goldens.py"""
import torch

torch.set_printoptions(precision=10)


def grad(f, x):
    x = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    f(x).sum().backward()
    return x.grad.reshape(-1).tolist()


print("ord2 dim1", grad(lambda x: torch.linalg.vector_norm(x, 2, dim=1), [[0., 0, 0], [3, 4, 0]]))
print("ord3 dim1 keepdim", grad(lambda x: torch.linalg.vector_norm(x, 3, dim=1, keepdim=True), [[0., 0, 0], [3, -4, 1]]))
print("ord2.5 all", grad(lambda x: torch.linalg.vector_norm(x, 2.5), [[0., 0, 0], [3, -4, 1]]))
print("ord2 all zero", grad(lambda x: torch.linalg.vector_norm(x), [0., 0, 0]))
print("ord1.5 all zero", grad(lambda x: torch.linalg.vector_norm(x, 1.5), [0., 0, 0]))
print("fro zero batch", grad(lambda x: torch.linalg.matrix_norm(x), [[[0., 0], [0, 0]], [[0, 0], [0, 0]]]))
print("fro one zero", grad(lambda x: torch.linalg.matrix_norm(x), [[[0., 0], [0, 0]], [[1, 2], [2, 4]]]))


def hvp(f, x, v):
    x = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    g, = torch.autograd.grad(f(x).sum(), x, create_graph=True)
    h, = torch.autograd.grad(g, x, torch.tensor(v, dtype=torch.float64), allow_unused=True)
    return g.reshape(-1).tolist(), None if h is None else h.reshape(-1).tolist()


print("std constant", grad(lambda x: x.std(), [1., 1, 1]))
print("std dim keepdim", grad(lambda x: x.std(dim=1, keepdim=True), [[1., 1, 1], [1, 2, 4]]))
print("std dim hvp", hvp(lambda x: x.std(dim=1), [[1., 1, 1], [1, 2, 4]], [[1., -2, 0.5], [0.3, 1, -1]]))
print("std all hvp constant", hvp(lambda x: x.std(), [2., 2, 2], [1., -2, 0.5]))
