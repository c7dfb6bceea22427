#!/usr/bin/python3
"""Writes goldens/double_backward_zeros.json: PyTorch 1.13's double backward of cumprod and prod at inputs with
zeros (one, several, all), where PyTorch's cumprod_backward and prod_safe_zeros_backward take over from the
division by the input (prod() of an input with two zeros is left out: 1.13 returns a constant zero gradient there,
so no second derivative, which PyTorch 2 corrected; DoubleBackwardGoldenTest checks that case by its formula), in double_backward_goldens.py's format and with its procedure; a file of its own so that
the cases of the other two files keep their random inputs. Read by DoubleBackwardGoldenTest.

Rerun from the repository root with Debian's python3-torch:

    /usr/bin/python3 runtime/src/test/python/double_backward_zeros_goldens.py

Floats are exact float32 values; fixed seed, sorted keys.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import double_backward_goldens as db  # noqa: E402

db.GEN.manual_seed(20261203)
r = db.r
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "goldens",
                   "double_backward_zeros.json")


def zeros_at(t, *where):
    t = t.clone()
    for w in where:
        t[w] = 0
    return t


CASES = {
    # one zero in the first row, two in the second
    "cumprod_zeros": (lambda a: a.cumprod(1), [zeros_at(r(2, 4), (0, 1), (1, 0), (1, 2))]),
    # the fuzzer's seed 7: z.sub(z).tanh().cumprod(0) is cumprod of zeros
    "cumprod_all_zeros": (lambda a: a.cumprod(0), [torch.zeros(4)]),
    "cumprod_zeros_dim0": (lambda a: a.cumprod(0) * a, [zeros_at(r(3, 2), (1, 0), (2, 1))]),
    "prod_zeros": (lambda a: a.prod(), [zeros_at(r(2, 3), (1, 1))]),
    "prod_dim_zeros": (lambda a: a.prod(1), [zeros_at(r(2, 3), (0, 0), (1, 1), (1, 2))]),
    "prod_dim_keep_zeros": (lambda a: a.prod(0, keepdim=True) * 2, [zeros_at(r(3, 2), (2, 0))]),
}

if __name__ == "__main__":
    out = {}
    for name, (f, inputs) in sorted(CASES.items()):
        out[name] = db.golden(f, inputs, r, "float32")
    with open(OUT, "w") as fh:
        json.dump(out, fh, sort_keys=True, indent=1)
        fh.write("\n")
    print("wrote", os.path.normpath(OUT), "torch", torch.__version__)
