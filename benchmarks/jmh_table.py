#!/usr/bin/env python3
"""Turns the JMH JSON results of MatmulBench, FmaPeakBench, MatmulFormsBench and ElementwiseBench into the
markdown tables of README.md. Medians over every measured sample (all forks); [min..max of per-fork medians].

usage: jmh_table.py matmul.json [forms.json] [elementwise.json] [elementwise-nosw.json] [broadcast.json]
"""
import json
import statistics
import sys

FMA_FLOPS = 24 << 21  # FmaPeakBench.FLOPS


def samples(entry):
    raw = entry["primaryMetric"]["rawData"]
    return [x for fork in raw for x in fork], [statistics.median(f) for f in raw]


def load(path):
    with open(path) as f:
        return json.load(f)


def flops(shape):
    m, k, n = (int(x) for x in shape.split("x"))
    return 2.0 * m * n * k


def fmt(x):
    return f"{x:.1f}" if x < 100 else f"{x:.0f}"


def matmul(entries):
    peak = {}
    cells = {}
    for e in entries:
        name = e["benchmark"].rsplit(".", 2)
        allv, forks = samples(e)
        if name[-2] == "FmaPeakBench":
            # throughput with @Threads(2) is summed over threads by JMH
            peak[name[-1]] = (statistics.median(allv) * FMA_FLOPS / 1e9, [x * FMA_FLOPS / 1e9 for x in forks])
        elif name[-2] == "MatmulBench":
            p = e["params"]
            f = flops(p["shape"]) / 1e9
            cells[(p["shape"], p["impl"])] = (statistics.median(allv) * f, [x * f for x in forks])
    shapes = ["64x784x512", "64x512x512", "512x512x512", "1024x1024x1024"]
    out = []
    if peak:
        p1 = peak.get("peak1Thread")
        p2 = peak.get("peak2Threads")
        out.append("FMA peak measured in the same run (12 independent Vector API FMA chains): "
                   + (f"1 thread **{fmt(p1[0])}** GFLOP/s" if p1 else "")
                   + (f", 2 threads **{fmt(p2[0])}** GFLOP/s" if p2 else "") + ".\n")
    out.append("| M×K×N | Adjoint 1 thread | Adjoint 2 threads | 2t / 1t | EJML `mult` | EJML `MT.mult` (2t) "
               "| Adjoint 1t / EJML | 1t % of peak |")
    out.append("|---|---|---|---|---|---|---|---|")
    for s in shapes:
        def cell(impl):
            v = cells.get((s, impl))
            if not v:
                return "–"
            lo, hi = min(v[1]), max(v[1])
            return f"**{fmt(v[0])}** [{fmt(lo)}..{fmt(hi)}]" if impl.startswith("adjoint") else fmt(v[0])
        a1 = cells.get((s, "adjoint-1t"))
        a2 = cells.get((s, "adjoint-2t"))
        ej = cells.get((s, "ejml"))
        ratio = f"{a2[0] / a1[0]:.2f}x" if a1 and a2 else "–"
        vs = f"{a1[0] / ej[0]:.1f}x" if a1 and ej else "–"
        pk = f"{100 * a1[0] / peak['peak1Thread'][0]:.0f}%" if a1 and "peak1Thread" in peak else "–"
        out.append(f"| {s} | {cell('adjoint-1t')} | {cell('adjoint-2t')} | {ratio} | {cell('ejml')} "
                   f"| {cell('ejml-mt')} | {vs} | {pk} |")
    return "\n".join(out)


def forms(entries):
    rows = {}
    for e in entries:
        p = e["params"]
        allv, _ = samples(e)
        rows.setdefault(p["shape"], {})[p["form"]] = statistics.median(allv) * flops(p["shape"]) / 1e9
    out = ["| M×K×N, 1 thread | A·B (NN) | G·Bᵀ (NT) | Aᵀ·G (TN) |", "|---|---|---|---|"]
    for s, r in rows.items():
        out.append(f"| {s} | " + " | ".join(fmt(r.get(f, float('nan'))) for f in ("NN", "NT", "TN")) + " |")
    return "\n".join(out)


BYTES = {"add": 12, "addRow": 8, "relu": 8, "exp": 8, "sigmoid": 8, "sum": 4, "softmaxRows": 20}

OPS = ["add", "addRow", "relu", "exp", "sigmoid", "sum", "softmaxRows"]


def elementwise(entries, nosw=None):
    """nosw: ElementwiseNoSuperWordBench entries (impl=scalar, C2's auto-vectoriser off), or None."""
    t = {}
    for e in entries + (nosw or []):
        cls, op = e["benchmark"].rsplit(".", 2)[-2:]
        p = e["params"]
        allv, _ = samples(e)
        impl = "nosw" if cls == "ElementwiseNoSuperWordBench" else p["impl"]
        t.setdefault((op, int(p["size"])), {})[impl] = statistics.median(allv)
    copy = {}
    for size in (16384, 1048576):
        c = t.get(("copy", size), {})
        # the copy yardstick on one thread: System.arraycopy does not depend on the kernels' threads
        copy[size] = statistics.median(c.values()) if c else None
    out = ["| op | floats | scalar loop µs (no SuperWord) | scalar µs (C2 auto-vectorised) | vector 1t µs "
           "| vector 2t µs | 1t vs scalar loop | 1t vs auto-vectorised | bound µs | 1t / bound | 2t / bound |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]

    def f(x):
        return f"{x:.2f}" if x is not None else "–"

    def ratio(x, y):
        return f"{x / y:.2f}x" if x is not None and y else "–"

    for op in OPS:
        for size in (16384, 1048576):
            r = t.get((op, size))
            if not r:
                continue
            bound = copy[size] * BYTES[op] / 8 if copy[size] else None
            ns, sc, v1, v2 = r.get("nosw"), r.get("scalar"), r.get("vector-1t"), r.get("vector")
            out.append(f"| {op} | {size // 1024}K | {f(ns)} | {f(sc)} | {f(v1)} | {f(v2)} | {ratio(ns, v1)} "
                       f"| {ratio(sc, v1)} | {f(bound)} | {ratio(v1, bound)} | {ratio(v2, bound)} |")
    for size in (16384, 1048576):
        if copy[size]:
            out.append(f"\n`System.arraycopy` of {size // 1024}K floats: {copy[size]:.2f} µs = "
                       f"{8 * size / copy[size] / 1e3:.1f} GB/s moved.")
    return "\n".join(out)


def broadcast(entries):
    out = ["| `Tensor.add`, 32×512 | µs |", "|---|---|"]
    for e in entries:
        out.append(f"| {e['benchmark'].rsplit('.', 1)[-1]} | {statistics.median(samples(e)[0]):.2f} |")
    return "\n".join(out)


if __name__ == "__main__":
    nosw = []
    for path in sys.argv[1:]:
        for e in load(path):
            if e["benchmark"].rsplit(".", 2)[-2] == "ElementwiseNoSuperWordBench":
                nosw.append(e)
    for path in sys.argv[1:]:
        entries = load(path)
        names = {e["benchmark"].rsplit(".", 2)[-2] for e in entries}
        if "MatmulBench" in names or "FmaPeakBench" in names:
            print(matmul(entries))
        elif "MatmulFormsBench" in names:
            print(forms(entries))
        elif "ElementwiseBench" in names:
            print(elementwise(entries, nosw))
        elif "BroadcastBench" in names:
            print(broadcast(entries))
        else:
            continue
        print()
