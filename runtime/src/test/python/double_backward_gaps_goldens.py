#!/usr/bin/python3
"""Writes goldens/double_backward_gaps.json: PyTorch 1.13's double backward of the first-week functions added
for the gaps (tan ... trunc, tril, triu), in double_backward_goldens.py's format and with its procedure; a file
of its own so that the cases there keep their random inputs. Read by DoubleBackwardGoldenTest with that file.

Rerun from the repository root with Debian's python3-torch:

    /usr/bin/python3 runtime/src/test/python/double_backward_gaps_goldens.py

Floats are exact float32 values; fixed seed, sorted keys.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import double_backward_goldens as db  # noqa: E402

db.GEN.manual_seed(20261202)
r = db.r
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "goldens",
                   "double_backward_gaps.json")

# The rounding functions are composed with a scale that keeps them constant over the inputs (|a| < 5), so that the
# test's central differences of the first gradient do not cross a jump; their own second derivative is zero.
CASES = {
    "tan": (lambda a: (a * 0.3).tan(), [r(2, 3)]),
    "asin": (lambda a: (a * 0.2).asin(), [r(2, 3)]),
    "acos": (lambda a: (a * 0.2).acos(), [r(2, 3)]),
    "atan": (lambda a: a.atan(), [r(2, 3)]),
    "sinh": (lambda a: a.sinh(), [r(2, 3)]),
    "cosh": (lambda a: a.cosh(), [r(2, 3)]),
    "sign": (lambda a: ((a + 10).sign() + 1) * a * a, [r(2, 3)]),
    "floor": (lambda a: ((a * 0.1 + 0.5).floor() + 1) * a * a, [r(2, 3)]),
    "ceil": (lambda a: ((a * 0.1 + 0.5).ceil() + 1) * a * a, [r(2, 3)]),
    "round": (lambda a: ((a * 0.1).round() + 1) * a * a, [r(2, 3)]),
    "trunc": (lambda a: ((a * 0.2).trunc() + 1) * a * a, [r(2, 3)]),
    "tril": (lambda a: a.tril(0) * a, [r(3, 4)]),
    "triu": (lambda a: a.triu(1) * a.tril(1), [r(2, 3, 3)]),
    "atan2": (lambda a, b: torch.atan2(a, b), [r(2, 3), r(3)]),
    "hypot": (lambda a, b: torch.hypot(a, b), [r(2, 3), r(2, 1)]),
    "logaddexp": (lambda a, b: torch.logaddexp(a, b), [r(2, 3), r(3)]),
    # session 10
    "mm": (lambda a, b: a.mm(b).tanh(), [r(3, 4), r(4, 2)]),
    "mv": (lambda a, b: a.mv(b).tanh(), [r(3, 4), r(4)]),
    "bmm": (lambda a, b: a.bmm(b).tanh(), [r(2, 3, 4), r(2, 4, 2)]),
    "dot": (lambda a, b: a.dot(b).tanh(), [r(5), r(5)]),
    "outer": (lambda a, b: torch.outer(a, b).tanh(), [r(3), r(4)]),
    "addmm": (lambda c, a, b: torch.addmm(c, a, b).tanh(), [r(2), r(3, 4), r(4, 2)]),
    "erf": (lambda a: a.erf(), [r(2, 3)]),
    "lerp": (lambda a, b: torch.lerp(a, b, 0.3) * a, [r(2, 3), r(3)]),
    "lerp_tensor": (lambda a, b, w: torch.lerp(a, b, w) * w, [r(2, 3), r(3), r(2, 1)]),
    "fmod": (lambda a: torch.fmod(a * 0.05 + 0.3, 0.7) * a * a, [r(2, 3)]),
    "remainder": (lambda a: torch.remainder(a * 0.05 + 0.3, 0.7) * a * a, [r(2, 3)]),
    "softmax_method": (lambda a: a.softmax(1), [r(2, 3)]),
    "log_softmax_method": (lambda a: a.log_softmax(0), [r(3, 2)]),
    "cross": (lambda a, b: torch.linalg.cross(a, b, dim=1) * a, [r(2, 3), r(2, 3)]),
    "diag_vec": (lambda a: torch.diag(a, 1).tanh(), [r(3)]),
    "diag_mat": (lambda a: torch.diag(a, -1).tanh(), [r(4, 3)]),
}

if __name__ == "__main__":
    db.CASES.clear()
    db.CASES.update(CASES)
    db.OUT = OUT
    db.main()
