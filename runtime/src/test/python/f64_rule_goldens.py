#!/usr/bin/python3
"""float64 versions of the rule goldens: every case of rules.json, indexing.json and layers.json run again
in float64 (tests never run Python).

Rerun after changing a case or after rerunning make_goldens.py, indexing_goldens.py or layer_goldens.py
(from the repository root), with Debian's python3-torch (1.13):

    /usr/bin/python3 runtime/src/test/python/f64_rule_goldens.py

It writes runtime/src/test/resources/goldens/rules_f64.json: "cases", one entry per case of the three files, in
their format (make_goldens.py's run_case), computed by the same case functions on the same values: every
float32 input and the upstream gradient are read from the float32 JSON and widened to float64 (exact),
and a double argument's gradient is taken with it as a 0-d float64 tensor. Floating tensors are written
with dtype "float64". Read by Float64RuleGoldenTest, which runs each case on float64 tensors and compares
to 1e-8 relative; and "inplace", inplace.json's "ops" again in float64 (the same self, operand, parameters
and upstream), read by Float64RuleGoldenTest.everyInPlaceOpMatchesPyTorchInFloat64.
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
    return torch.tensor(j["data"], dtype=torch.float64).reshape(j["shape"]).clone()


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


INPLACE = {
    "add_(Tensor)": lambda t, w, p: t.add_(w), "sub_(Tensor)": lambda t, w, p: t.sub_(w),
    "mul_(Tensor)": lambda t, w, p: t.mul_(w), "div_(Tensor)": lambda t, w, p: t.div_(w),
    "add_(Tensor,double)": lambda t, w, p: t.add_(w, alpha=p[0]), "copy_(Tensor)": lambda t, w, p: t.copy_(w),
    "add_(double)": lambda t, w, p: t.add_(p[0]), "sub_(double)": lambda t, w, p: t.sub_(p[0]),
    "mul_(double)": lambda t, w, p: t.mul_(p[0]), "div_(double)": lambda t, w, p: t.div_(p[0]),
    "fill_(double)": lambda t, w, p: t.fill_(p[0]), "zero_()": lambda t, w, p: t.zero_(),
    "neg_()": lambda t, w, p: t.neg_(), "exp_()": lambda t, w, p: t.exp_(), "log_()": lambda t, w, p: t.log_(),
    "sqrt_()": lambda t, w, p: t.sqrt_(), "abs_()": lambda t, w, p: t.abs_(), "sin_()": lambda t, w, p: t.sin_(),
    "cos_()": lambda t, w, p: t.cos_(), "tanh_()": lambda t, w, p: t.tanh_(),
    "sigmoid_()": lambda t, w, p: t.sigmoid_(), "relu_()": lambda t, w, p: t.relu_(),
    "pow_(double)": lambda t, w, p: t.pow_(p[0]), "clamp_(double,double)": lambda t, w, p: t.clamp_(p[0], p[1]),
}


def inplace():
    """inplace.json's ops in float64: t = x.clone(); t.op_(...); t.backward(c) (or on x itself)."""
    with open(os.path.join(OUT, "inplace.json")) as f:
        ops = json.load(f)["ops"]
    out = {}
    for cid in sorted(ops):
        o = ops[cid]
        self_grad = o["self_requires_grad"]
        x = f64(o["self"]).requires_grad_(self_grad)
        w = f64(o["operand"]).requires_grad_(True) if o["operand"] is not None else None
        t = x.clone() if self_grad else x
        INPLACE[o["method"]](t, w, o["params"])
        t.backward(f64(o["upstream"]))
        out[cid] = dict(o)
        out[cid].update({
            "self": tj(f64(o["self"])), "operand": tj(f64(o["operand"])) if w is not None else None, "upstream": tj(f64(o["upstream"])),
            "out": tj(t), "grad_fn": type(t.grad_fn).__name__,
            "self_grad": tj(x.grad) if self_grad and x.grad is not None else None,
            "operand_grad": tj(w.grad) if w is not None and w.grad is not None else None})
    return out


def main():
    torch.set_default_dtype(torch.float64)
    mg.tj = tj
    cases = []
    for cases_of, runner, file in [(mg.CASES, mg.run_case, "rules.json"), (ig.CASES, ig.run_case, "indexing.json"),
                                   (lg.CASES + lg.LATE, ig.run_case, "layers.json")]:
        goldens = load(file)
        for cid, call, fn, args in cases_of:
            cases.append(rerun(runner, cid, call, fn, args, goldens[cid]))
    mg.write("rules_f64.json", {"torch": torch.__version__, "cases": cases, "inplace": inplace()})


if __name__ == "__main__":
    main()
