#!/usr/bin/python3
"""Writes goldens/factories.json: PyTorch 1.13's torch.eye and torch.linspace for a few arguments, in float32 and
float64; read by FactoriesTest (tests never run Python).

Rerun from the repository root with Debian's python3-torch:

    /usr/bin/python3 runtime/src/test/python/factory_goldens.py

Deterministic (no random numbers), sorted keys.
"""
import json
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "goldens", "factories.json")


def tj(t):
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "data": t.double().reshape(-1).tolist()}


cases = []
for n, m in [(0, 0), (1, 1), (3, 3), (2, 4), (4, 2)]:
    for dt in (torch.float32, torch.float64):
        cases.append({"op": "eye", "args": [n, m], "out": tj(torch.eye(n, m, dtype=dt))})
for start, end, steps in [(0.0, 1.0, 5), (-1.0, 1.0, 7), (0.1, 2.7, 11), (3.0, -2.0, 6), (2.5, 2.5, 3), (1.0, 5.0, 1),
                          (0.0, 1.0, 0), (-0.3, 0.3, 100)]:
    for dt in (torch.float32, torch.float64):
        cases.append({"op": "linspace", "args": [start, end, steps],
                      "out": tj(torch.linspace(start, end, steps, dtype=dt))})

for start, end, steps, base in [(0.0, 2.0, 5, 10.0), (-2.0, 1.0, 7, 10.0), (0.0, 8.0, 9, 2.0), (1.0, -1.0, 4, 2.718281828459045),
                                (0.5, 0.5, 3, 10.0), (0.0, 1.0, 1, 10.0), (0.0, 1.0, 0, 10.0)]:
    for dt in (torch.float32, torch.float64):
        cases.append({"op": "logspace", "args": [start, end, steps, base],
                      "out": tj(torch.logspace(start, end, steps, base, dtype=dt))})
with open(OUT, "w") as fh:
    json.dump({"cases": cases}, fh, sort_keys=True, indent=1)
    fh.write("\n")
