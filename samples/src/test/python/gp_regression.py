#!/usr/bin/python3
"""The Gaussian-process regression sample in PyTorch (float64): the same program as
dev.adjoint.samples.gp.GaussianProcessSample, line for line. Prints the optimised hyperparameters and log
marginal likelihood, and writes samples/src/test/resources/goldens/gp_regression.json for
GaussianProcessSampleTest (tests never run Python). Rerun from the repository root:

    /usr/bin/python3 samples/src/test/python/gp_regression.py
"""
import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)
N = 24
ADAM_STEPS = 300
SGD_STEPS = 500


def data():
    """24 points of sin(1.5 x) on [0, 6] plus a deterministic sawtooth 'noise' (integer arithmetic)."""
    x = torch.linspace(0, 6, N)
    noise = ((torch.arange(N) * 7919 + 13) % 101).double() / 101 - 0.5
    return x, torch.sin(1.5 * x) + 0.3 * noise


def neg_log_marginal_likelihood(log_ell, log_sf, log_sn, sq_dist, eye, y_col):
    ell = log_ell.exp()
    sf = log_sf.exp()
    sn = log_sn.exp()
    k = sq_dist.div(ell * ell).mul(-0.5).exp().mul(sf * sf).add(eye.mul(sn * sn))
    l = torch.linalg.cholesky(k)
    alpha = torch.cholesky_solve(y_col, l)
    return (y_col * alpha).sum().mul(0.5).add(torch.diagonal(l).log().sum()).add(0.5 * N * math.log(2 * math.pi))


def main():
    x, y = data()
    sq_dist = (x[:, None] - x[None, :]) ** 2
    eye = torch.eye(N)
    y_col = y[:, None]
    params = [torch.tensor(0.0, requires_grad=True), torch.tensor(0.0, requires_grad=True),
              torch.tensor(math.log(0.5), requires_grad=True)]
    opt = torch.optim.Adam(params, lr=0.05)
    for _ in range(ADAM_STEPS):
        opt.zero_grad()
        loss = neg_log_marginal_likelihood(*params, sq_dist, eye, y_col)
        loss.backward()
        opt.step()
    opt = torch.optim.SGD(params, lr=0.02)
    for _ in range(SGD_STEPS):
        opt.zero_grad()
        loss = neg_log_marginal_likelihood(*params, sq_dist, eye, y_col)
        loss.backward()
        opt.step()
    with torch.no_grad():
        nll = neg_log_marginal_likelihood(*params, sq_dist, eye, y_col).item()
        ell, sf, sn = (p.exp().item() for p in params)
        # the posterior at a few test points
        xs = torch.tensor([0.5, 2.25, 4.0, 7.0])
        k = sf ** 2 * torch.exp(-0.5 * sq_dist / ell ** 2) + sn ** 2 * eye
        l = torch.linalg.cholesky(k)
        ks = sf ** 2 * torch.exp(-0.5 * (xs[:, None] - x[None, :]) ** 2 / ell ** 2)
        mean = ks @ torch.cholesky_solve(y_col, l)
        v = torch.linalg.solve_triangular(l, ks.T, upper=False)
        std = (sf ** 2 - (v * v).sum(0)).sqrt()
    print(f"lengthscale {ell!r}, signal std {sf!r}, noise std {sn!r}")
    print(f"log marginal likelihood {-nll!r}")
    out = {"lengthscale": ell, "signalStd": sf, "noiseStd": sn, "logMarginalLikelihood": -nll,
           "testX": xs.tolist(), "mean": mean.reshape(-1).tolist(), "std": std.tolist()}
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "goldens", "gp_regression.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
