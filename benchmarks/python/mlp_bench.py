#!/usr/bin/python3
"""PyTorch peer of dev.adjoint.benchmarks.MlpBench: the FashionMNIST MLP (784-512-512-10, batch 64).

Run with Debian's python3-torch in the same session as the Java benchmark:

    /usr/bin/python3 benchmarks/python/mlp_bench.py                 # 1 thread, then one per core
    /usr/bin/python3 benchmarks/python/mlp_bench.py --threads 1 2   # the same, explicitly

Threads. Debian's torch does its matrix products in OpenBLAS (the openblas-pthread flavour), whose own
thread pool ignores torch.set_num_threads(): a "1 thread" run in one process used both cores for every GEMM.
So each thread count runs in a child process started with OPENBLAS_NUM_THREADS, OMP_NUM_THREADS and
MKL_NUM_THREADS set to it (OpenBLAS reads its variable once, when the library is loaded with torch), and the
child prints the thread counts actually in effect: torch's (at::get_num_threads) and OpenBLAS's
(openblas_get_num_threads, asked of the loaded library).

Training step: forward, CrossEntropyLoss, backward, optimizer.step() (SGD lr 1e-3), zero_grad().
Inference step: forward under torch.no_grad() in eval mode. Warm-up, then the median of timed samples,
as in the Java harness. Peak memory is the process's peak resident set (ru_maxrss).
"""
import argparse
import ctypes
import os
import resource
import subprocess
import sys
import time

THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def make_model():
    from torch import nn

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28 * 28, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    return NeuralNetwork()


def blas_threads():
    """(library, threads) for each OpenBLAS loaded into this process, asked of the library itself."""
    with open("/proc/self/maps") as f:
        libs = sorted({line.split()[-1] for line in f if "openblas" in line.lower() and ".so" in line})
    found = []
    for lib in libs:
        try:
            found.append((os.path.basename(lib), ctypes.CDLL(lib).openblas_get_num_threads()))
        except (OSError, AttributeError):
            pass
    return found or [("no OpenBLAS loaded", None)]


def measure(name, step, batch, warmup, seconds, samples):
    end = time.perf_counter() + warmup
    warm = 0
    while time.perf_counter() < end or warm < 3:
        step()
        warm += 1
    rates = []
    for _ in range(samples):
        t0 = time.perf_counter()
        n = 0
        while True:
            step()
            n += 1
            t = time.perf_counter()
            if t - t0 >= seconds:
                break
        rates.append(n * batch / (t - t0))
    rates.sort()
    print(f"{name:<9} median {rates[len(rates) // 2]:8.0f} samples/s  [{rates[0]:.0f} .. {rates[-1]:.0f}]  "
          f"({warm} warm-up steps)")
    return rates[len(rates) // 2]


def run(threads, warmup, seconds, samples, make=None, lr=1e-3, name="mlp_bench", shape="784-512-512-10"):
    """One child's measurement of the network make() builds (this script's MLP by default), trained by SGD."""
    import torch
    from torch import nn

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    batch, nb = 64, 16
    xs = [torch.rand(batch, 1, 28, 28) for _ in range(nb)]
    ys = [torch.randint(0, 10, (batch,)) for _ in range(nb)]
    model = (make or make_model)()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    k = [0]

    def train():
        i = k[0] % nb
        k[0] += 1
        loss = loss_fn(model(xs[i]), ys[i])
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

    def infer():
        i = k[0] % nb
        k[0] += 1
        with torch.no_grad():
            model(xs[i])

    blas = ", ".join(f"{lib}={n}" for lib, n in blas_threads())
    env = " ".join(f"{v}={os.environ.get(v, '(unset)')}" for v in THREAD_VARS)
    print(f"{name}: torch {torch.__version__}, torch threads={torch.get_num_threads()}, "
          f"OpenBLAS threads: {blas}; {env}; mkldnn={torch.backends.mkldnn.is_available()}; batch={batch}, {shape}",
          flush=True)
    model.train()
    tr = measure("training", train, batch, warmup, seconds, samples)
    model.eval()
    inf = measure("inference", infer, batch, warmup, seconds, samples)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"RESULT torch threads={threads} blas_threads={blas_threads()[0][1]} training_samples_per_s={tr:.0f} inference_samples_per_s={inf:.0f} "
          f"peak_rss_mb={peak:.1f}")


def main(child=run, script=__file__):
    """Runs child (one measurement) in a fresh process per thread count, started from script."""
    p = argparse.ArgumentParser()
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--warmup", type=float, default=5)
    p.add_argument("--seconds", type=float, default=2)
    p.add_argument("--samples", type=int, default=5)
    p.add_argument("--threads", nargs="*", default=None,
                   help="thread counts to run (default: 1, then every core); T:B runs torch's own "
                        "(OpenMP) pool with T threads and OpenBLAS with B, e.g. 1:2, which is what a "
                        "plain torch.set_num_threads(1) gave in one process")
    a = p.parse_args()
    if a.child:
        child(int(a.threads[0]), a.warmup, a.seconds, a.samples)
        return
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    for spec in a.threads or [str(t) for t in sorted({1, cores})]:
        t, _, b = spec.partition(":")
        # a fresh process per thread count: the BLAS thread pool is sized when torch loads OpenBLAS
        env = dict(os.environ, **{v: str(t) for v in THREAD_VARS})
        env["OPENBLAS_NUM_THREADS"] = b or t
        sys.stdout.flush()
        subprocess.run([sys.executable, os.path.abspath(script), "--child", "--threads", t,
                        "--warmup", str(a.warmup), "--seconds", str(a.seconds), "--samples", str(a.samples)],
                       env=env, check=True)


if __name__ == "__main__":
    main()
