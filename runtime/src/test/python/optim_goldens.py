"""Writes runtime/src/test/resources/goldens/optim.json: PyTorch's optimizer trajectories and
learning-rate schedules, the oracle for dev.adjoint.optim (OptimGoldenTest, SchedulerGoldenTest).

Run with Debian's python3-torch (PyTorch 1.13, CPU, float32):
    /usr/bin/python3 runtime/src/test/python/optim_goldens.py
Every option is passed explicitly, so the goldens do not depend on 1.13's defaults where 2.x differs.
Problems (both with the loss built from tensor ops, so autograd produces the gradients):
  thermo: mean((w * t_un + b - t_c)^2) from params (1, 0)  (seed 000's model on t_un = 0.1 * t_u)
  rosen:  (1 - x)^2 + 100 (y - x^2)^2 from (-1.5, 2)
LBFGS with the strong-Wolfe line search also gets "lbfgs_traces": every closure evaluation (the point, the
loss and the gradient) of several configurations, which LbfgsTraceTest asserts bit for bit.
A configuration with "negate": true minimises by maximising -loss (for maximize=True).
"""
import json
import math
import os

import torch

torch.set_num_threads(1)
STEPS = 30

T_C = torch.tensor([0.5, 14.0, 15.0, 28.0, 11.0, 8.0, 3.0, -4.0, 6.0, 13.0, 21.0])
T_U = torch.tensor([35.7, 55.9, 58.2, 81.9, 56.3, 48.9, 33.9, 21.8, 48.4, 60.4, 68.4])
T_UN = T_U * 0.1


def thermo(p):
    w, b = p[0:1], p[1:2]
    return (w * T_UN + b - T_C).pow(2).mean()


def rosen(p):
    x, y = p[0:1], p[1:2]
    return ((1 - x).pow(2) + (y - x.pow(2)).pow(2) * 100).sum()


PROBLEMS = {"thermo": (thermo, [1.0, 0.0]), "rosen": (rosen, [-1.5, 2.0])}

# name -> (torch class, kwargs per problem); kwargs are given in full
OPT = []


def add(cls, kwargs, problems=("thermo", "rosen"), negate=False, lrs=None):
    for prob in problems:
        kw = dict(kwargs)
        if lrs is not None:
            kw["lr"] = lrs[prob]
        OPT.append((cls, kw, prob, negate))


sgd = dict(momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False)
lr_sgd = {"thermo": 1e-2, "rosen": 1e-3}
add("SGD", sgd, lrs=lr_sgd)
add("SGD", dict(sgd, momentum=0.9), lrs=lr_sgd)
add("SGD", dict(sgd, momentum=0.9, dampening=0.3), lrs=lr_sgd)
add("SGD", dict(sgd, momentum=0.9, nesterov=True), lrs=lr_sgd)
add("SGD", dict(sgd, weight_decay=0.1), lrs=lr_sgd)
add("SGD", dict(sgd, momentum=0.5, weight_decay=0.1, maximize=True), lrs=lr_sgd, negate=True)

adam = dict(betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False)
lr_adam = {"thermo": 1e-1, "rosen": 1e-2}
add("Adam", adam, lrs=lr_adam)
add("Adam", dict(adam, amsgrad=True), lrs=lr_adam)
add("Adam", dict(adam, weight_decay=0.1), lrs=lr_adam)
add("Adam", dict(adam, betas=(0.8, 0.9), eps=1e-6), lrs=lr_adam)
add("Adam", dict(adam, maximize=True), lrs=lr_adam, negate=True)
add("AdamW", dict(adam, weight_decay=1e-2), lrs=lr_adam)
add("AdamW", dict(adam, weight_decay=0.1, amsgrad=True), lrs=lr_adam)
add("AdamW", dict(adam, weight_decay=1e-2, maximize=True), lrs=lr_adam, negate=True)

adamax = dict(betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, maximize=False)
add("Adamax", adamax, lrs={"thermo": 2e-1, "rosen": 2e-2})
add("Adamax", dict(adamax, weight_decay=0.1, maximize=True), lrs={"thermo": 2e-1, "rosen": 2e-2}, negate=True)

adagrad = dict(lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10, maximize=False)
lr_adagrad = {"thermo": 5e-1, "rosen": 1e-1}
add("Adagrad", adagrad, lrs=lr_adagrad)
add("Adagrad", dict(adagrad, lr_decay=0.05, initial_accumulator_value=0.5), lrs=lr_adagrad)
add("Adagrad", dict(adagrad, weight_decay=0.1, maximize=True), lrs=lr_adagrad, negate=True)

adadelta = dict(rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False)
add("Adadelta", dict(adadelta, lr=1.0))
add("Adadelta", dict(adadelta, lr=0.5, rho=0.95, weight_decay=0.1, maximize=True), negate=True)

rms = dict(alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False, maximize=False)
lr_rms = {"thermo": 1e-2, "rosen": 1e-3}
add("RMSprop", rms, lrs=lr_rms)
add("RMSprop", dict(rms, momentum=0.9), lrs=lr_rms)
add("RMSprop", dict(rms, centered=True), lrs=lr_rms)
add("RMSprop", dict(rms, centered=True, momentum=0.5, weight_decay=0.1, maximize=True), lrs=lr_rms, negate=True)

rprop = dict(etas=(0.5, 1.2), step_sizes=(1e-6, 50.0), maximize=False)
add("Rprop", rprop, lrs={"thermo": 1e-2, "rosen": 1e-3})
add("Rprop", dict(rprop, etas=(0.3, 1.5), step_sizes=(1e-4, 0.05), maximize=True),
    lrs={"thermo": 1e-2, "rosen": 1e-3}, negate=True)

asgd = dict(lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0.0, maximize=False)
add("ASGD", asgd, lrs=lr_sgd)
add("ASGD", dict(asgd, lambd=1e-2, t0=10.0, weight_decay=0.1, maximize=True), lrs=lr_sgd, negate=True)

nadam = dict(betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3)
add("NAdam", nadam, lrs={"thermo": 1e-1, "rosen": 1e-2})
add("NAdam", dict(nadam, weight_decay=0.1, momentum_decay=1e-2), lrs={"thermo": 1e-1, "rosen": 1e-2})

radam = dict(betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
add("RAdam", radam, lrs={"thermo": 1e-1, "rosen": 1e-2})
add("RAdam", dict(radam, betas=(0.8, 0.9), weight_decay=0.1), lrs={"thermo": 1e-2, "rosen": 1e-2})

lbfgs = dict(max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9, history_size=100,
             line_search_fn=None)
add("LBFGS", dict(lbfgs, max_iter=4), lrs={"thermo": 0.1, "rosen": 0.01})
add("LBFGS", dict(lbfgs, line_search_fn="strong_wolfe", history_size=5), lrs={"thermo": 1.0, "rosen": 1.0})


def run_optimizer(cls, kw, prob, negate):
    fn, init = PROBLEMS[prob]
    p = torch.tensor(init, requires_grad=True)
    opt = getattr(torch.optim, cls)([p], **kw)
    sign = -1.0 if negate else 1.0
    params, losses = [], []

    def closure():
        opt.zero_grad(set_to_none=True)
        loss = fn(p) * sign if negate else fn(p)
        loss.backward()
        return loss

    for _ in range(STEPS):
        if cls == "LBFGS":
            loss = opt.step(closure)
        else:
            loss = closure()
            opt.step()
        losses.append(float(loss))
        params.append([float(v) for v in p.detach()])
    return {"optimizer": cls, "problem": prob, "negate": negate,
            "options": {k: (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()},
            "losses": losses, "params": params}


# ------------------------------------------------------------------------------------------------
# Schedulers: SGD(momentum 0.9) on two groups (lr 0.1 and 0.01), 30 x (optimizer.step(); scheduler.step())

from torch.optim import lr_scheduler as S

METRICS = [1.0, 0.9, 0.8, 0.8, 0.8, 0.8, 0.85, 0.79, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.7, 0.7,
           0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]


def sched_cases():
    yield "StepLR", dict(step_size=7, gamma=0.5), lambda o: S.StepLR(o, step_size=7, gamma=0.5)
    yield "MultiStepLR", dict(milestones=[3, 10, 10, 25], gamma=0.3), \
        lambda o: S.MultiStepLR(o, milestones=[3, 10, 10, 25], gamma=0.3)
    yield "ExponentialLR", dict(gamma=0.9), lambda o: S.ExponentialLR(o, gamma=0.9)
    yield "CosineAnnealingLR", dict(T_max=10, eta_min=0.001), lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001)
    yield "LinearLR", dict(start_factor=0.25, end_factor=1.0, total_iters=8), \
        lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=8)
    yield "LambdaLR", dict(fn="0.95 ** epoch / (1 + epoch // 10)"), \
        lambda o: S.LambdaLR(o, lr_lambda=lambda epoch: 0.95 ** epoch / (1 + epoch // 10))
    yield "OneCycleLR", dict(max_lr=[1.0, 0.1], total_steps=31, pct_start=0.3, anneal_strategy="cos",
                             base_momentum=0.85, max_momentum=0.95, div_factor=25.0, final_div_factor=1e4,
                             three_phase=False), \
        lambda o: S.OneCycleLR(o, max_lr=[1.0, 0.1], total_steps=31, pct_start=0.3, anneal_strategy="cos",
                               base_momentum=0.85, max_momentum=0.95, div_factor=25.0, final_div_factor=1e4,
                               three_phase=False)
    yield "OneCycleLR-linear-3phase", dict(max_lr=[1.0, 0.1], total_steps=31, pct_start=0.25,
                                           anneal_strategy="linear", base_momentum=0.8, max_momentum=0.9,
                                           div_factor=10.0, final_div_factor=100.0, three_phase=True), \
        lambda o: S.OneCycleLR(o, max_lr=[1.0, 0.1], total_steps=31, pct_start=0.25, anneal_strategy="linear",
                               base_momentum=0.8, max_momentum=0.9, div_factor=10.0, final_div_factor=100.0,
                               three_phase=True)
    yield "SequentialLR", dict(milestones=[5], schedulers="LinearLR(0.1, 1.0, 5), ExponentialLR(0.9)"), \
        lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=5),
                                     S.ExponentialLR(o, gamma=0.9)], milestones=[5])
    yield "SequentialLR-cosine", dict(milestones=[4, 12], schedulers="ConstantLR-like LinearLR(0.5,0.5,3), "
                                      "CosineAnnealingLR(8, 0.0), StepLR(5, 0.5)"), \
        lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.5, end_factor=0.5, total_iters=3),
                                     S.CosineAnnealingLR(o, T_max=8, eta_min=0.0),
                                     S.StepLR(o, step_size=5, gamma=0.5)], milestones=[4, 12])
    yield "ChainedScheduler", dict(schedulers="StepLR(5, 0.5), ExponentialLR(0.95)"), \
        lambda o: S.ChainedScheduler([S.StepLR(o, step_size=5, gamma=0.5), S.ExponentialLR(o, gamma=0.95)])
    yield "ReduceLROnPlateau", dict(mode="min", factor=0.5, patience=2, threshold=1e-4, threshold_mode="rel",
                                    cooldown=1, min_lr=[0.02, 0.0], eps=1e-8, metrics=METRICS), \
        lambda o: S.ReduceLROnPlateau(o, mode="min", factor=0.5, patience=2, threshold=1e-4,
                                      threshold_mode="rel", cooldown=1, min_lr=[0.02, 0.0], eps=1e-8)
    yield "ReduceLROnPlateau-max-abs", dict(mode="max", factor=0.1, patience=0, threshold=0.05,
                                            threshold_mode="abs", cooldown=0, min_lr=[0.0, 0.0], eps=1e-8,
                                            metrics=[-m for m in METRICS]), \
        lambda o: S.ReduceLROnPlateau(o, mode="max", factor=0.1, patience=0, threshold=0.05,
                                      threshold_mode="abs", cooldown=0, min_lr=0.0, eps=1e-8)


    # PyTorch 1.13's remaining epoch schedulers
    yield "MultiplicativeLR", dict(fn="0.9 ** (epoch % 3)"), \
        lambda o: S.MultiplicativeLR(o, lr_lambda=lambda epoch: 0.9 ** (epoch % 3))
    yield "ConstantLR", dict(factor=0.4, total_iters=6), lambda o: S.ConstantLR(o, factor=0.4, total_iters=6)
    yield "PolynomialLR", dict(total_iters=12, power=2.0), lambda o: S.PolynomialLR(o, total_iters=12, power=2.0)
    yield "PolynomialLR-sqrt", dict(total_iters=7, power=0.5), lambda o: S.PolynomialLR(o, total_iters=7, power=0.5)
    yield "CyclicLR", dict(base_lr=[0.01, 0.001], max_lr=[0.1, 0.01], step_size_up=4, mode="triangular",
                           base_momentum=0.8, max_momentum=0.9), \
        lambda o: S.CyclicLR(o, base_lr=[0.01, 0.001], max_lr=[0.1, 0.01], step_size_up=4, mode="triangular",
                             cycle_momentum=True, base_momentum=0.8, max_momentum=0.9)
    yield "CyclicLR-triangular2", dict(base_lr=0.01, max_lr=0.1, step_size_up=3, step_size_down=5,
                                       mode="triangular2", base_momentum=[0.85, 0.7], max_momentum=[0.95, 0.9]), \
        lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3, step_size_down=5, mode="triangular2",
                             cycle_momentum=True, base_momentum=[0.85, 0.7], max_momentum=[0.95, 0.9])
    yield "CyclicLR-exp_range", dict(base_lr=0.02, max_lr=0.2, step_size_up=5, mode="exp_range", gamma=0.9,
                                     cycle_momentum=False), \
        lambda o: S.CyclicLR(o, base_lr=0.02, max_lr=0.2, step_size_up=5, mode="exp_range", gamma=0.9,
                             cycle_momentum=False)
    yield "CyclicLR-scale_fn", dict(base_lr=0.01, max_lr=0.1, step_size_up=2, step_size_down=3,
                                    scale_fn="1 / (1 + 0.1 * x)", scale_mode="iterations"), \
        lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2, step_size_down=3,
                             scale_fn=lambda x: 1 / (1 + 0.1 * x), scale_mode="iterations")
    yield "CosineAnnealingWarmRestarts", dict(T_0=5, T_mult=1, eta_min=0.001), \
        lambda o: S.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=1, eta_min=0.001)
    yield "CosineAnnealingWarmRestarts-mult2", dict(T_0=3, T_mult=2, eta_min=0.0), \
        lambda o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.0)
    yield "CosineAnnealingWarmRestarts-epochs", dict(T_0=4, T_mult=2, eta_min=0.0005, epochs=WARM_EPOCHS), \
        lambda o: S.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2, eta_min=0.0005)
    yield "CosineAnnealingWarmRestarts-epochs-mult1", dict(T_0=4, T_mult=1, eta_min=0.0, epochs=WARM_EPOCHS), \
        lambda o: S.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=1, eta_min=0.0)


# fractional epochs for CosineAnnealingWarmRestarts.step(epoch) (per-batch stepping), including the
# restart points 4, 12 and 28 of T_0 = 4, T_mult = 2
WARM_EPOCHS = [0.5, 1.25, 2.0, 3.999, 4.0, 4.5, 7.75, 11.0, 12.0, 12.0, 3.0, 13.5, 20.25, 27.9, 28.0, 28.1,
               35.0, 50.0, 59.99, 60.0, 61.5, 100.0, 0.0, 1.0, 2.5, 124.0, 130.7, 200.0, 252.0, 253.0]


def run_scheduler(name, args, make):
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0], requires_grad=True)
    opt = torch.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.01}], lr=0.1, momentum=0.9)
    sched = make(opt)
    plateau = name.startswith("ReduceLROnPlateau")
    lrs = [[g["lr"] for g in opt.param_groups]]
    moms = [[g["momentum"] for g in opt.param_groups]]
    for i in range(STEPS):
        opt.zero_grad()
        (a.sum() + b.sum()).backward()
        opt.step()
        if plateau:
            sched.step(args["metrics"][i])
        elif "epochs" in args:
            sched.step(args["epochs"][i])
        else:
            sched.step()
        lrs.append([g["lr"] for g in opt.param_groups])
        moms.append([g["momentum"] for g in opt.param_groups])
    out = {"scheduler": name.split("-")[0], "name": name, "args": args, "lrs": lrs}
    if name.startswith("OneCycleLR") or name.startswith("CyclicLR"):
        out["momentums"] = moms
    return out


LBFGS_TRACES = [
    # problem, lr, max_iter, history_size, steps
    ("rosen", 1.0, 20, 5, 30),
    ("rosen", 1.0, 20, 100, 30),
    ("rosen", 0.5, 7, 3, 12),
    ("rosen", 2.0, 20, 1, 12),
    ("thermo", 1.0, 20, 100, 30),
    ("thermo", 0.3, 5, 2, 12),
]


def run_lbfgs_trace(prob, lr, max_iter, history_size, steps):
    fn, init = PROBLEMS[prob]
    p = torch.tensor(init, requires_grad=True)
    opt = torch.optim.LBFGS([p], lr=lr, max_iter=max_iter, max_eval=None, tolerance_grad=1e-7,
                            tolerance_change=1e-9, history_size=history_size, line_search_fn="strong_wolfe")
    evals, params = [], []

    def closure():
        opt.zero_grad(set_to_none=True)
        loss = fn(p)
        loss.backward()
        evals.append([float(v) for v in p.detach()] + [float(loss)] + [float(v) for v in p.grad])
        return loss

    for _ in range(steps):
        opt.step(closure)
        params.append([float(v) for v in p.detach()])
    return {"problem": prob, "lr": lr, "max_iter": max_iter, "history_size": history_size, "steps": steps,
            "evals": evals, "params": params}


def main():
    import warnings
    warnings.simplefilter("ignore")
    data = {"torch": torch.__version__, "steps": STEPS, "optimizers": [], "schedulers": [], "lbfgs_traces": []}
    for cls, kw, prob, negate in OPT:
        data["optimizers"].append(run_optimizer(cls, kw, prob, negate))
    for name, args, make in sched_cases():
        data["schedulers"].append(run_scheduler(name, args, make))
    for case in LBFGS_TRACES:
        data["lbfgs_traces"].append(run_lbfgs_trace(*case))
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "resources", "goldens", "optim.json")
    with open(out, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    print("wrote", os.path.normpath(out), len(data["optimizers"]), "optimizer runs,",
          len(data["schedulers"]), "schedules")


if __name__ == "__main__":
    main()
