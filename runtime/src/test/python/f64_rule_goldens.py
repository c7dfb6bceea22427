#!/usr/bin/python3
"""float64 versions of the rule goldens: every case of rules.json, indexing.json and layers.json run again
in float64 (tests never run Python).

Rerun after changing a case or after rerunning make_goldens.py, indexing_goldens.py or layer_goldens.py
(from the repository root), with Debian's python3-torch (1.13):

    /usr/bin/python3 runtime/src/test/python/f64_rule_goldens.py

It writes runtime/src/test/resources/goldens/rules_f64.json: one entry per case of the three files, in
their format (make_goldens.py's run_case), computed by the same case functions on the same values: every
float32 input and the upstream gradient are read from the float32 JSON and widened to float64 (exact),
and a double argument's gradient is taken with it as a 0-d float64 tensor. Floating tensors are written
with dtype "float64". Read by Float64RuleGoldenTest, which runs each case on float64 tensors and compares
to 1e-8 relative.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_goldens as mg  # noqa: E402
import indexing_goldens as ig  # noqa: E402
import layer_goldens as lg  # noqa: E402

OUT = mg.OUT
_torch_tj = mg.tj


def tj(t):
    """mg.tj, with float64 tensors written as "float64" (values exact)."""
    t = t.detach()
    if t.dtype == torch.float64:
        return {"shape": list(t.shape), "dtype": "float64", "data": t.reshape(-1).tolist()}
    return _torch_tj(t)


def load(name):
    with open(os.path.join(OUT, name)) as f:
        return {c["id"]: c for c in json.load(f)["cases"]}


def f64(j):
    return torch.tensor(j["data"], dtype=torch.float64).reshape(j["shape"])


def rerun(run_case, cid, call, fn, args, golden):
    """run_case with the golden's inputs and upstream, widened to float64."""
    jargs = golden["args"]
    for a, ja in zip(args, jargs):
        if isinstance(a, mg.T):
            a.make = (lambda v: (lambda: v.clone()))(f64(ja["tensor"]))
        elif isinstance(a, mg.L):
            for item, jt in zip(a.items, ja["tensors"]):
                item.make = (lambda v: (lambda: v.clone()))(f64(jt))
    upstream = f64(golden["upstream"])
    randn = torch.randn
    torch.randn = lambda *s, **k: upstream.clone()
    try:
        c = run_case(cid, call, fn, args)
    finally:
        torch.randn = randn
    return c


def main():
    torch.set_default_dtype(torch.float64)
    mg.tj = tj
    cases = []
    for cases_of, runner, file in [(mg.CASES, mg.run_case, "rules.json"), (ig.CASES, ig.run_case, "indexing.json"),
                                   (lg.CASES, ig.run_case, "layers.json")]:
        goldens = load(file)
        for cid, call, fn, args in cases_of:
            cases.append(rerun(runner, cid, call, fn, args, goldens[cid]))
    mg.write("rules_f64.json", {"torch": torch.__version__, "cases": cases})


if __name__ == "__main__":
    main()
