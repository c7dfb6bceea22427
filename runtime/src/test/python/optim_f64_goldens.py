"""Writes runtime/src/test/resources/goldens/optim_f64.json: optim_goldens.py's optimizer trajectories again with
float64 parameters (PyTorch 1.13, CPU), the oracle for OptimF64GoldenTest (1e-8 relative), and the LBFGS
strong-Wolfe traces of optim_goldens.py in float64 ("lbfgs_traces": every closure evaluation and the parameters
after every step), the oracle for LbfgsTraceTest's float64 cases (1e-10 relative). The data tensors stay float32, as
in the Java test (a float64 parameter times them computes in float64).

    /usr/bin/python3 runtime/src/test/python/optim_f64_goldens.py
"""
import json
import os
import sys
import warnings

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import optim_goldens as og  # noqa: E402


def main():
    warnings.simplefilter("ignore")
    torch.set_default_dtype(torch.float64)
    runs = [og.run_optimizer(cls, kw, prob, negate) for cls, kw, prob, negate in og.OPT if cls != "LBFGS"]
    runs += [og.run_optimizer(cls, kw, prob, negate) for cls, kw, prob, negate in og.OPT if cls == "LBFGS"]
    traces = [og.run_lbfgs_trace(*case) for case in og.LBFGS_TRACES]
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "goldens", "optim_f64.json")
    with open(out, "w") as f:
        json.dump({"torch": torch.__version__, "optimizers": runs, "lbfgs_traces": traces}, f, indent=1)
        f.write("\n")
    print("wrote", os.path.normpath(out), len(runs), "optimizer runs,", len(traces), "LBFGS traces")


if __name__ == "__main__":
    main()
