#!/usr/bin/python3
"""PyTorch's Q and R themselves (not a sign-invariant loss) for square and tall float64 matrices.

QR is unique only up to the signs of R's diagonal; PyTorch returns LAPACK's (dgeqrf/dorgqr), and a user
comparing with PyTorch sees those. Rerun from the repository root with Debian's python3-torch (1.13):

    /usr/bin/python3 runtime/src/test/python/qr_sign_goldens.py

Writes runtime/src/test/resources/goldens/qr_signs.json, read by QrSignTest.
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "goldens", "qr_signs.json")
D = torch.float64


def tj(t):
    return {"shape": list(t.shape), "dtype": "float64", "data": t.detach().reshape(-1).tolist()}


cases = {}
g = torch.Generator().manual_seed(7)
shapes = [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (5, 3), (4, 2), (2, 3, 3)]
for shape in shapes:
    a = torch.randn(*shape, generator=g, dtype=D)
    q, r = torch.linalg.qr(a)
    cases["x".join(map(str, shape))] = {"a": tj(a), "q": tj(q), "r": tj(r)}
a = torch.tensor([[3, 1, .2], [.5, 2, .3], [.1, .4, 1.5]], dtype=D)
q, r = torch.linalg.qr(a)
cases["outside_view_3x3"] = {"a": tj(a), "q": tj(q), "r": tj(r)}
with open(OUT, "w") as f:
    json.dump(cases, f, sort_keys=True, indent=1)
print("wrote", OUT, len(cases), "cases")
