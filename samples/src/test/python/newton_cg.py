#!/usr/bin/python3
"""PyTorch's twin of NewtonCgSample: the same data, loss, Newton-CG iterations (Hessian-vector products by
double backward), printed and written to samples/src/test/resources/goldens/newton_cg.json for the test.

    /usr/bin/python3 samples/src/test/python/newton_cg.py
"""
import json
import math
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "goldens", "newton_cg.json")
N, D, LAMBDA, NEWTON_STEPS, CG_STEPS = 200, 5, 1e-2, 6, 10


def data():
    w_true = [1.5, -2.0, 0.5, 1.0, -0.75]
    x, y = [], []
    for i in range(N):
        z = 0.3 * math.cos(i)
        row = []
        for j in range(D):
            v = float(torch.tensor(math.sin(0.7 * i * (j + 1) + j), dtype=torch.float32))
            row.append(v)
            z += v * w_true[j]
        x.append(row)
        y.append(1.0 if z > 0 else 0.0)
    return torch.tensor(x), torch.tensor(y).reshape(N, 1)


def loss(x, y, w):
    p = (x @ w).sigmoid()
    ll = y * p.log() + (1 - y) * (1 - p).log()
    return -ll.mean() + (w * w).sum() * (LAMBDA / 2)


def dot(a, b):
    return (a * b).sum().item()


def main():
    x, y = data()
    w = torch.zeros(D, 1, requires_grad=True)
    steps = []
    for k in range(NEWTON_STEPS):
        l = loss(x, y, w)
        (g,) = torch.autograd.grad(l, w, create_graph=True)
        gd = g.detach()
        d = torch.zeros(D, 1)
        r = -gd
        p = r
        rs = dot(r, r)
        it = 0
        while it < CG_STEPS and math.sqrt(rs) > 1e-6:
            (hp,) = torch.autograd.grad(g, w, p, retain_graph=True)
            alpha = rs / dot(p, hp)
            d = d + p * alpha
            r = r - hp * alpha
            rs_new = dot(r, r)
            p = r + p * (rs_new / rs)
            rs = rs_new
            it += 1
        steps.append({"loss": l.item(), "grad_norm": math.sqrt(dot(gd, gd)), "cg": it})
        print(f"newton step {k}: loss {l.item():.6f}, |grad| {math.sqrt(dot(gd, gd)):.3e}, {it} CG iterations")
        with torch.no_grad():
            w += d
    final = loss(x, y, w).item()
    print(f"final loss {final:.6f}, w = {w.detach().reshape(D)}")
    with open(OUT, "w") as fh:
        json.dump({"steps": steps, "final_loss": final, "w": w.detach().reshape(-1).tolist()}, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
