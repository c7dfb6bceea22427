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
}

if __name__ == "__main__":
    db.CASES.clear()
    db.CASES.update(CASES)
    db.OUT = OUT
    db.main()
