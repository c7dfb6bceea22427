"""PyTorch goldens for the generated Hessian-vector products (issue 16): torch.autograd.functional.hvp (double
backward, float64) of ScalarCorpus methods at fixed points and directions (calls and composed: through calls of other methods), written to
samples/src/test/resources/goldens/hvp.json. HvpCorpusTest compares ScalarCorpusDiff.<name>Hvp with them.

Run with Debian's torch: /usr/bin/python3 samples/src/test/python/hvp_goldens.py
"""
import json
import os

import torch


def rosenbrock(x, y):
    a = 1 - x
    b = y - x * x
    return a * a + 100 * b * b


def trig(x, y):
    return torch.sin(x) * torch.cos(y) + torch.tan(x * y)


def exp_log(x):
    return torch.exp(x) * torch.log(1 + x * x)


def rosenbrock4(a, b, c, d):
    t1 = b - a * a
    t2 = c - b * b
    t3 = d - c * c
    return (100 * t1 * t1 + (1 - a) * (1 - a) + 100 * t2 * t2 + (1 - b) * (1 - b) + 100 * t3 * t3
            + (1 - c) * (1 - c) + torch.exp(0.1 * d) * torch.sin(a))


def calls(x, y):
    return torch.log(1 + rosenbrock(x, y)) + trig(y, x) * x + exp_log(x * y)


def composed(x, y):
    return rosenbrock(x, y) + rosenbrock(y, x) * 0.75


CASES = {
    "rosenbrock": (rosenbrock, [([0.3, -0.7], [1.0, 0.5]), ([-1.2, 1.0], [-0.25, 2.0])]),
    "trig": (trig, [([0.4, 1.1], [1.0, -1.0]), ([-0.3, 0.2], [0.5, 0.75])]),
    "expLog": (exp_log, [([0.8], [1.0]), ([-0.6], [-2.5])]),
    "rosenbrock4": (rosenbrock4, [([0.3, -0.7, 1.1, 0.5], [1.0, -1.0, 0.5, 2.0])]),
    # through calls of other @Differentiable methods (session 11)
    "calls": (calls, [([0.3, -0.7], [1.0, 0.5]), ([0.9, 0.4], [-0.5, 1.5])]),
    "composed": (composed, [([0.3, -0.7], [1.0, 0.5])]),
}


def main():
    out = {}
    for name, (f, points) in CASES.items():
        rows = []
        for x, v in points:
            xs = torch.tensor(x, dtype=torch.float64)
            vs = torch.tensor(v, dtype=torch.float64)
            _, hv = torch.autograd.functional.hvp(lambda t: f(*t), xs, vs)
            rows.append({"x": x, "v": v, "hv": [float(e) for e in hv]})
        out[name] = rows
    path = os.path.join(os.path.dirname(__file__), "..", "resources", "goldens", "hvp.json")
    with open(path, "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
