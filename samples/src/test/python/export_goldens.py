"""Exports the PyTorch values the samples' tests compare against (seeds 002, 003 and 004).

Run from the repository root with Debian's PyTorch (1.13 CPU here):

    /usr/bin/python3 samples/src/test/python/export_goldens.py

It writes samples/src/test/resources/goldens/{thermometer,autograd_basics}.json. Tests never run
Python: both the script and its output are committed. Strings are exactly what PyTorch prints
(`str(tensor)`, `'%f' % loss`); the Java tests compare them with Adjoint's output after replacing
PyTorch's `requires_grad=True` by Adjoint's `requiresGrad=true`.

Where a seed prints a number itself, the tests assert the seed's number, not this file's: PyTorch's
vectorised float32 sums on this machine differ from the seeds' machines in the last printed digit of a
few losses (see samples/README.md); the values recorded under "pytorch_here" document that.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "goldens")

T_C = [0.5, 14.0, 15.0, 28.0, 11.0, 8.0, 3.0, -4.0, 6.0, 13.0, 21.0]
T_U = [35.7, 55.9, 58.2, 81.9, 56.3, 48.9, 33.9, 21.8, 48.4, 60.4, 68.4]


def model(t_u, w, b):
    return w * t_u + b


def loss_fn(t_p, t_c):
    squared_diffs = (t_p - t_c) ** 2
    return squared_diffs.mean()


def sequential_float32():
    """Seed 002's finite differences and hand-derived loop in float32 with every sum strictly left to right.

    This is the summation order of Adjoint's kernels below 256 elements (and, judging by the printed losses,
    of the machines the seeds ran on). PyTorch's vectorised sums here round differently, which moves the
    6th decimal of some losses and, through cancellation, the finite difference in b by a few units.
    """
    f = np.float32
    t_c = np.array(T_C, dtype=f)
    t_u = np.array(T_U, dtype=f)

    def ssum(a):
        s = f(0)
        for v in a:
            s = f(s + v)
        return s

    def model_np(t_u, w, b):
        return (f(w) * t_u).astype(f) + f(b)

    def loss_np(t_p, t_c):
        d = (t_p - t_c).astype(f)
        return f(ssum((d * d).astype(f)) / f(len(d)))

    def fmt(x):  # str(torch.tensor(x)) for a 0-d float32 tensor
        return str(torch.tensor(float(x), dtype=torch.float32))

    w, b, delta, lr = f(1), f(0), f(0.1), f(1e-2)
    lw = f(f(loss_np(model_np(t_u, f(w + delta), b), t_c) - loss_np(model_np(t_u, f(w - delta), b), t_c))
           / f(2 * 0.1))
    w = f(w - f(lr * lw))
    lb = f(f(loss_np(model_np(t_u, w, f(b + delta)), t_c) - loss_np(model_np(t_u, w, f(b - delta)), t_c))
           / f(2 * 0.1))
    b = f(b - f(lr * lb))
    out = {"finite_difference": {"loss_rate_of_change_w": fmt(lw), "w": fmt(w),
                                 "loss_rate_of_change_b": fmt(lb), "b": fmt(b)}}
    t_un = (t_u * f(0.1)).astype(f)
    params = np.array([1, 0], dtype=f)
    lines = []
    for epoch in range(1, 6):
        t_p = model_np(t_un, params[0], params[1])
        loss = loss_np(t_p, t_c)
        d = ((f(2) * (t_p - t_c)).astype(f) / f(len(t_p))).astype(f)
        grad = np.array([ssum((d * t_un).astype(f)), ssum(d)], dtype=f)
        params = (params - (lr * grad).astype(f)).astype(f)
        lines.append("Epoch %d, Loss %f" % (epoch, loss))
    out["hand_loop_lines"] = lines
    out["hand_loop_params"] = str(torch.from_numpy(params))
    return out


def thermometer():
    t_c = torch.tensor(T_C)
    t_u = torch.tensor(T_U)
    t_un = 0.1 * t_u
    out = {}

    # Seed 002: finite differences with delta 0.1 from w = 1, b = 0.
    w = torch.ones(())
    b = torch.zeros(())
    delta = 0.1
    learning_rate = 1e-2
    loss_rate_of_change_w = (loss_fn(model(t_u, w + delta, b), t_c)
                             - loss_fn(model(t_u, w - delta, b), t_c)) / (2.0 * delta)
    w = w - learning_rate * loss_rate_of_change_w
    loss_rate_of_change_b = (loss_fn(model(t_u, w, b + delta), t_c)
                             - loss_fn(model(t_u, w, b - delta), t_c)) / (2.0 * delta)
    b = b - learning_rate * loss_rate_of_change_b
    out["finite_difference"] = {
        "loss_rate_of_change_w": str(loss_rate_of_change_w),
        "w": str(w),
        "loss_rate_of_change_b": str(loss_rate_of_change_b),
        "b": str(b),
    }

    # Seed 002: the hand-derived gradient and its 5-epoch loop on t_un.
    def dloss_fn(t_p, t_c):
        return 2 * (t_p - t_c) / t_p.size(0)

    def dmodel_dw(t_u, w, b):
        return t_u

    def dmodel_db(t_u, w, b):
        return 1.0

    def grad_fn(t_u, t_c, t_p, w, b):
        dloss_dtp = dloss_fn(t_p, t_c)
        dloss_dw = dloss_dtp * dmodel_dw(t_u, w, b)
        dloss_db = dloss_dtp * dmodel_db(t_u, w, b)
        return torch.stack([dloss_dw.sum(), dloss_db.sum()])

    params = torch.tensor([1.0, 0.0])
    out["hand_gradient_t_u"] = str(grad_fn(t_u, t_c, model(t_u, *params), *params))
    out["hand_gradient_t_un"] = str(grad_fn(t_un, t_c, model(t_un, *params), *params))
    lines = []
    for epoch in range(1, 6):
        w, b = params
        t_p = model(t_un, w, b)
        loss = loss_fn(t_p, t_c)
        grad = grad_fn(t_un, t_c, t_p, w, b)
        params = params - learning_rate * grad
        lines.append("Epoch %d, Loss %f" % (epoch, float(loss)))
    out["hand_loop_lines"] = lines
    out["hand_loop_params"] = str(params)

    # Seed 000 as PyTorch prints it on this machine (documentation only; tests assert the seed).
    here = {}
    params = torch.tensor([1.0, 0.0], requires_grad=True)
    loss_fn(model(t_u, *params), t_c).backward()
    here["params_grad"] = str(params.grad)

    def sgd_loop(n_epochs, optimizer, params, t_u, t_c):
        lines = []
        for epoch in range(1, n_epochs + 1):
            loss = loss_fn(model(t_u, *params), t_c)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if epoch % 500 == 0:
                lines.append("Epoch %d, Loss %f" % (epoch, float(loss)))
        return lines

    params = torch.tensor([1.0, 0.0], requires_grad=True)
    here["sgd_loop_lines"] = sgd_loop(5000, optim.SGD([params], lr=1e-2), params, t_un, t_c)
    here["sgd_loop_params"] = str(params)
    params = torch.tensor([1.0, 0.0], requires_grad=True)
    here["adam_loop_lines"] = sgd_loop(2000, optim.Adam([params], lr=1e-1), params, t_u, t_c)
    here["adam_loop_params"] = str(params)

    train_indices = torch.tensor([9, 6, 5, 8, 4, 7, 0, 1, 3])
    val_indices = torch.tensor([2, 10])
    train_t_un, train_t_c = 0.1 * t_u[train_indices], t_c[train_indices]
    val_t_un, val_t_c = 0.1 * t_u[val_indices], t_c[val_indices]
    params = torch.tensor([1.0, 0.0], requires_grad=True)
    optimizer = optim.SGD([params], lr=1e-2)
    lines = []
    for epoch in range(1, 3001):
        train_loss = loss_fn(model(train_t_un, *params), train_t_c)
        with torch.no_grad():
            val_loss = loss_fn(model(val_t_un, *params), val_t_c)
        optimizer.zero_grad()
        train_loss.backward()
        optimizer.step()
        if epoch <= 3 or epoch % 500 == 0:
            lines.append(f"Epoch {epoch}, Training loss {train_loss.item():.4f},"
                         f" Validation loss {val_loss.item():.4f}")
    here["split_lines"] = lines
    here["split_params"] = str(params)
    out["pytorch_here"] = here
    out["sequential_float32"] = sequential_float32()
    return out


class NeuralNetwork(nn.Module):
    """The tutorial's MLP, narrowed from 784-512-512-10 to 20-16-16-10 so its weights fit a small JSON."""

    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.flatten = nn.Flatten(0)
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(n_in, n_hidden), nn.ReLU(),
            nn.Linear(n_hidden, n_hidden), nn.ReLU(),
            nn.Linear(n_hidden, n_out))

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


def autograd_basics():
    out = {}
    # Seed 003, In [77]: the values behind the printed gradients.
    torch.manual_seed(1)
    x = torch.ones(5)
    y = torch.zeros(3)
    w = torch.randn(5, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    out["w"] = w.detach().flatten().tolist()
    out["b"] = b.detach().tolist()
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    out["z"] = str(z).replace("grad_fn", "gradFn")
    out["loss"] = str(loss).replace("grad_fn", "gradFn")
    out["z_grad_fn"] = type(z.grad_fn).__name__
    out["loss_grad_fn"] = type(loss.grad_fn).__name__
    loss.backward(retain_graph=True)
    out["w_grad"] = str(w.grad)
    out["b_grad"] = str(b.grad)
    loss.backward()
    out["w_grad_twice"] = str(w.grad)
    out["b_grad_twice"] = str(b.grad)
    try:
        loss.backward()
        raise AssertionError("third backward did not fail")
    except RuntimeError as e:
        out["second_backward_error"] = str(e)

    # Seed 003, In [300]/[301]: grad of list(model.parameters())[3][0:6] over 10 iterations, on one
    # fixed synthetic sample (the seed used FashionMNIST training_data[1012]).
    n_in, n_hidden, n_out, target = 20, 16, 10, 3
    torch.manual_seed(1)
    x = torch.rand(n_in)
    mlp = NeuralNetwork(n_in, n_hidden, n_out)
    out["mlp"] = {
        "n_in": n_in, "n_hidden": n_hidden, "n_out": n_out, "target": target,
        "lr": 1e-4,
        "x": x.tolist(),
        # nn.Linear stores weight as [out, in]
        "parameters": [p.detach().flatten().tolist() for p in mlp.parameters()],
        "shapes": [list(p.shape) for p in mlp.parameters()],
    }
    initial = {k: v.clone() for k, v in mlp.state_dict().items()}
    for zero_grad in (True, False):
        mlp.load_state_dict(initial)
        for p in mlp.parameters():
            p.grad = None
        loss_fn = nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(mlp.parameters(), lr=1e-4)
        lines = []
        for i in range(10):
            pred = mlp(x).reshape(1, n_out)
            loss = loss_fn(pred, torch.tensor([target]))
            if zero_grad:
                optimizer.zero_grad()
            loss.backward()
            lines.append(str(list(mlp.parameters())[3].grad[0:6]))
            optimizer.step()
        out["mlp"]["with_zero_grad" if zero_grad else "without_zero_grad"] = lines
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, data in (("thermometer", thermometer()), ("autograd_basics", autograd_basics())):
        path = os.path.join(OUT, name + ".json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump({"generator": "samples/src/test/python/export_goldens.py",
                       "torch": torch.__version__, **data}, f, indent=1, ensure_ascii=False)
            f.write("\n")
        print("wrote", os.path.normpath(path), file=sys.stderr)


if __name__ == "__main__":
    main()
