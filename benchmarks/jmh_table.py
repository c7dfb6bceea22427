#!/usr/bin/env python3
"""Turns the JMH JSON results of MatmulBench, FmaPeakBench, MatmulFormsBench and ElementwiseBench into the
markdown tables of README.md. Medians over every measured sample (all forks); [min..max of per-fork medians].

usage: jmh_table.py matmul.json [forms.json] [elementwise.json]
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


BYTES = {"add": 12, "relu": 8, "exp": 8, "sigmoid": 8, "sum": 4, "softmaxRows": 20}


def elementwise(entries):
    t = {}
    for e in entries:
        op = e["benchmark"].rsplit(".", 1)[-1]
        p = e["params"]
        allv, _ = samples(e)
        t.setdefault((op, int(p["size"])), {})[p["impl"]] = statistics.median(allv)
    out = ["| op | floats | scalar µs | vector µs | vector speed-up | bandwidth bound µs | vector / bound |",
           "|---|---|---|---|---|---|---|"]
    for op in ["add", "relu", "exp", "sigmoid", "sum", "softmaxRows"]:
        for size in (16384, 1048576):
            r = t.get((op, size))
            if not r:
                continue
            copy = t.get(("copy", size), {})
            cp = statistics.median(copy.values()) if copy else None
            bound = cp * BYTES[op] / 8 if cp else None
            sc, ve = r.get("scalar"), r.get("vector")
            out.append(f"| {op} | {size // 1024}K | {sc:.2f} | {ve:.2f} | {sc / ve:.2f}x | "
                       + (f"{bound:.2f} | {ve / bound:.2f}x |" if bound else "– | – |"))
    copy16 = t.get(("copy", 16384), {})
    copy1m = t.get(("copy", 1048576), {})
    if copy1m:
        c = statistics.median(copy1m.values())
        out.append(f"\n`System.arraycopy` of 1M floats: {c:.1f} µs = {8 * 1048576 / c / 1e3:.1f} GB/s moved"
                   + (f"; of 16K floats: {statistics.median(copy16.values()):.2f} µs." if copy16 else "."))
    return "\n".join(out)


if __name__ == "__main__":
    for path in sys.argv[1:]:
        entries = load(path)
        names = {e["benchmark"].rsplit(".", 2)[-2] for e in entries}
        if "MatmulBench" in names or "FmaPeakBench" in names:
            print(matmul(entries))
        elif "MatmulFormsBench" in names:
            print(forms(entries))
        elif "ElementwiseBench" in names:
            print(elementwise(entries))
        print()
