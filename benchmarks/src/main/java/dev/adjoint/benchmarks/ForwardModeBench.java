package dev.adjoint.benchmarks;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Forward mode and Hessian-vector products (issue 16), each as a ratio to a baseline timed in the same process:
 * {@code fJvp} against the plain forward (the user's method) for the 10,000-step scalar recurrence and for a
 * tanh layer over tensors (target ≤ 2x); {@code fHvp} (forward over the generated gradient) against
 * {@code fGrad} for a four-variable Rosenbrock (target ≤ 3x); then the PyTorch peer {@code python/hvp.py}
 * (the same function's HVP by {@code torch.autograd.functional.hvp}, double backward, float64 0-D tensors). Also
 * the generated {@code fHvp} of a loop against its gradient, and a Linear module's own JVP against the reflective
 * {@code Jvps.viaVjp} it replaced. For the layer it also times the forward's pieces (the product alone, the
 * elementwise rest) beside the float32 FMA peak, which bound the three-tangent {@code fJvp} from below.
 *
 * <p>Usage: {@code ForwardModeBench [rounds] [python]}; {@code -Dadjoint.bench.cpu=true} times the calling thread's
 * CPU time instead of wall time.
 */
public final class ForwardModeBench {
  private static double sink;
  /** The best (minimum) µs per call of each timed line. */
  private static final java.util.Map<String, Double> best = new java.util.HashMap<>();

  private ForwardModeBench() {}

  /** Runs the benchmark. */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 21;
    String python = args.length > 1 ? args[1] : "/usr/bin/python3";
    double forward = time("recurrence: plain forward", rounds, 200,
        () -> sink += Recurrence.simulate(0.3, 1.7, 0.01, 10_000));
    double jvp = time("recurrence: fJvp (3 tangents)", rounds, 200,
        () -> sink += RecurrenceDiff.simulateJvp(0.3, 1.7, 0.01, 10_000, 1, 0.5, -0.25).tangent());
    double grad = time("recurrence: fGrad", rounds, 100, () -> sink += RecurrenceDiff.simulateGrad(0.3, 1.7, 0.01,
        10_000).a());
    System.out.printf("recurrence ratios to the plain forward: fJvp %.2fx, fGrad %.2fx%n", jvp / forward,
        grad / forward);

    Generator g = new Generator(16);
    Tensor w = Tensor.randn(g, 64, 64);
    Tensor x = Tensor.randn(g, 64, 32);
    Tensor b = Tensor.randn(g, 64, 1);
    Tensor tw = Tensor.randn(g, 64, 64);
    Tensor tx = Tensor.randn(g, 64, 32);
    Tensor tb = Tensor.randn(g, 64, 1);
    double layer = time("layer 64x64 @ 64x32: plain forward", rounds, 200,
        () -> sink += ForwardModeFns.layer(w, x, b).item());
    double layerJvp = time("layer: fJvp (tangents for w, x, b)", rounds, 200,
        () -> sink += ForwardModeFnsDiff.layerJvp(w, x, b, tw, tx, tb).tangent().item());
    double layerGrad = time("layer: fValueAndGrad", rounds, 200,
        () -> sink += ForwardModeFnsDiff.layerValueAndGrad(w, x, b).value().item());
    double layerBest = best.get("layer 64x64 @ 64x32: plain forward");
    double layerJvp1 = time("layer: fJvp (tangent for w only)", rounds, 200,
        () -> sink += ForwardModeFnsDiff.layerJvp(w, x, b, tw, null, null).tangent().item());
    double layerHvp = time("layer: fHvp (directions for w, x, b)", rounds, 200,
        () -> sink += ForwardModeFnsDiff.layerHvp(w, x, b, tw, tx, tb).w().get(0, 0));
    System.out.printf("layer ratios to the plain forward (median / best): fJvp %.2fx / %.2fx, fJvp one tangent"
        + " %.2fx / %.2fx, fValueAndGrad %.2fx / %.2fx; fHvp / fValueAndGrad %.2fx / %.2fx%n", layerJvp / layer,
        best.get("layer: fJvp (tangents for w, x, b)") / layerBest, layerJvp1 / layer,
        best.get("layer: fJvp (tangent for w only)") / layerBest, layerGrad / layer,
        best.get("layer: fValueAndGrad") / layerBest, layerHvp / layerGrad,
        best.get("layer: fHvp (directions for w, x, b)") / best.get("layer: fValueAndGrad"));

    // the bound of the three-tangent fJvp: its value is the forward, and its tangent adds two products of the
    // forward's size, so fJvp / forward >= 1 + 2p with p the product's share of the forward (timed alone here,
    // beside the float32 FMA peak of this core in the same JVM)
    Tensor mm = w.matmul(x);
    double product = time("layer pieces: matmul 64x64 @ 64x32", rounds, 200,
        () -> sink += w.matmul(x).get(0, 0));
    double rest = time("layer pieces: add, tanh, sum", rounds, 200,
        () -> sink += mm.add(b).tanh().sum().item());
    int fmaIters = 20_000;
    time("FMA peak (12 chains)", rounds, 20,
        () -> sink += dev.adjoint.kernel.vector.FmaPeak.run(fmaIters, 1f));
    double peakGflops = dev.adjoint.kernel.vector.FmaPeak.flops(fmaIters) / (best.get("FMA peak (12 chains)") * 1e3);
    double productBest = best.get("layer pieces: matmul 64x64 @ 64x32");
    double share = productBest / (productBest + best.get("layer pieces: add, tanh, sum"));
    System.out.printf("layer product %.2f us best = %.0f%% of the FMA peak (%.1f GFLOP/s, %.2f us at peak);"
        + " product share of the forward p = %.2f (median %.2f): fJvp with 3 tangents >= 1 + 2p = %.2fx%n",
        productBest, 100 * (2.0 * 64 * 64 * 32 / (productBest * 1e3)) / peakGflops, peakGflops,
        2.0 * 64 * 64 * 32 / (peakGflops * 1e3), share, product / (product + rest), 1 + 2 * share);

    // the fused fJvp's pieces (issue 16, fjvp16d): the three products in one call (W·X and W·Ẋ sharing W, then
    // Ẇ·X), and the bias, tanh and tangent in one pass, against the forward's pieces above
    Tensor tmm = dev.adjoint.rules.LinalgRules.matmulJvp(tw, tx, mm, w, x);
    double products = time("fJvp pieces: matmulDual (3 products)", rounds, 200,
        () -> sink += dev.adjoint.rules.LinalgRules.matmulDual(w, x, tw, tx).tangent().get(0, 0));
    double fusedRest = time("fJvp pieces: tanhDual(P, b, dP, db), 2 sums", rounds, 200, () -> {
      var d = dev.adjoint.rules.ElementwiseRules.tanhDual(mm, b, tmm, tb);
      sink += d.value().sum().item() + d.tangent().sum().item();
    });
    System.out.printf("fJvp pieces / forward pieces (best): products %.2fx of one product, elementwise %.2fx;"
        + " fJvp pieces %.2f us against forward pieces %.2f us = %.2fx (median %.2fx)%n",
        best.get("fJvp pieces: matmulDual (3 products)") / productBest,
        best.get("fJvp pieces: tanhDual(P, b, dP, db), 2 sums") / best.get("layer pieces: add, tanh, sum"),
        best.get("fJvp pieces: matmulDual (3 products)") + best.get("fJvp pieces: tanhDual(P, b, dP, db), 2 sums"),
        productBest + best.get("layer pieces: add, tanh, sum"),
        (best.get("fJvp pieces: matmulDual (3 products)") + best.get("fJvp pieces: tanhDual(P, b, dP, db), 2 sums"))
            / (productBest + best.get("layer pieces: add, tanh, sum")), (products + fusedRest) / (product + rest));

    // the loop: fHvp by forward over the generated pullback (tangents on its tape), against its own gradient
    double recGrad = time("recurrent (3 layers, loop): fValueAndGrad", rounds, 100,
        () -> sink += ForwardModeFnsDiff.recurrentValueAndGrad(w, x, b).value().item());
    double recHvp = time("recurrent: fHvp (generated through the loop)", rounds, 100,
        () -> sink += ForwardModeFnsDiff.recurrentHvp(w, x, b, tw, tx, tb).w().get(0, 0));
    System.out.printf("recurrent (loop) fHvp / fValueAndGrad %.2fx median, %.2fx best%n", recHvp / recGrad,
        best.get("recurrent: fHvp (generated through the loop)") / best.get("recurrent (3 layers, loop): fValueAndGrad"));

    // a module row's JVP: Linear's own forwardJvp against the reflective fallback it replaced
    dev.adjoint.nn.Linear lin = new dev.adjoint.nn.Linear(16, 8, true, g);
    Tensor xs = Tensor.randn(g, 32, 16);
    Tensor txs = Tensor.randn(g, 32, 16);
    Tensor tlw = Tensor.randn(g, 8, 16);
    Tensor tlb = Tensor.randn(g, 8);
    try (var noGrad = dev.adjoint.Autograd.noGrad()) {
      Tensor out = lin.forward(xs);
      double linF = time("Linear 32x16 -> 8: forward", rounds, 200, () -> sink += lin.forward(xs).get(0, 0));
      double linOwn = time("Linear: own forwardJvp", rounds, 200, () -> sink += dev.adjoint.nn.Linear.forwardJvp(
          txs, tlw, tlb, out, lin, xs, lin.weight(), lin.bias()).get(0, 0));
      double linVia = time("Linear: Jvps.viaVjp (before)", rounds, 20, () -> sink += dev.adjoint.rules.Jvps.viaVjp(
          dev.adjoint.nn.Linear.class, "forwardVjp", out, dev.adjoint.rules.Jvps.of(lin, xs, lin.weight(), lin.bias()),
          dev.adjoint.rules.Jvps.of(null, txs, tlw, tlb)).get(0, 0));
      System.out.printf("Linear JVP / forward: own %.2fx median (%.2fx best), Jvps.viaVjp %.0fx median%n",
          linOwn / linF, best.get("Linear: own forwardJvp") / best.get("Linear 32x16 -> 8: forward"),
          linVia / linF);
    }

    double rf = time("rosenbrock4: plain forward", rounds, 20_000,
        () -> sink += ForwardModeFns.rosenbrock4(0.3, -0.7, 1.1, 0.5));
    double rg = time("rosenbrock4: fGrad", rounds, 20_000,
        () -> sink += ForwardModeFnsDiff.rosenbrock4Grad(0.3, -0.7, 1.1, 0.5).a());
    double rh = time("rosenbrock4: fHvp", rounds, 20_000,
        () -> sink += ForwardModeFnsDiff.rosenbrock4Hvp(0.3, -0.7, 1.1, 0.5, 1, -1, 0.5, 2).a());
    double rH = time("rosenbrock4: fHessian (4 HVPs)", rounds, 5_000,
        () -> sink += ForwardModeFnsDiff.rosenbrock4Hessian(0.3, -0.7, 1.1, 0.5)[1][2]);
    var hv = ForwardModeFnsDiff.rosenbrock4Hvp(0.3, -0.7, 1.1, 0.5, 1, -1, 0.5, 2);
    System.out.printf("rosenbrock4 ratios: fHvp / fGrad %.2fx, fHessian / fGrad %.2fx, fGrad / forward %.2fx;"
        + " Hv = [%.9f, %.9f, %.9f, %.9f]%n", rh / rg, rH / rg, rg / rf, hv.a(), hv.b(), hv.c(), hv.d());
    Process p = new ProcessBuilder(python, "python/hvp.py", Integer.toString(rounds)).redirectErrorStream(true)
        .start();
    String torchLine = null;
    String torchLayerHvp = null;
    try (var in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        System.out.println("  pytorch | " + line);
        if (line.startsWith("hvp us ")) {
          torchLine = line;
        }
        if (line.startsWith("layer hvp us ")) {
          torchLayerHvp = line;
        }
      }
    }
    p.waitFor();
    if (torchLine != null) {
      double torchUs = Double.parseDouble(torchLine.split(" ")[2]);
      System.out.printf("HVP: PyTorch double backward %.1f us vs Adjoint fHvp %.3f us: %.0fx (sink %s)%n", torchUs, rh,
          torchUs / rh, sink != 0);
    }
    if (torchLayerHvp != null) {
      String[] f = torchLayerHvp.split(" ");
      double torchMedian = Double.parseDouble(f[3]);
      double torchBest = Double.parseDouble(f[5]);
      System.out.printf("layer HVP: PyTorch double backward %.1f us median (%.1f best) vs Adjoint fHvp %.1f us"
          + " median (%.1f best): PyTorch / Adjoint %.2fx median, %.2fx best%n", torchMedian, torchBest, layerHvp,
          best.get("layer: fHvp (directions for w, x, b)"), torchMedian / layerHvp,
          torchBest / best.get("layer: fHvp (directions for w, x, b)"));
    }
  }

  /**
   * Median µs per call over {@code rounds} rounds of {@code calls} calls, after warm-up. With
   * {@code -Dadjoint.bench.cpu=true} the calling thread's CPU time instead of wall time (every timed call runs on
   * it), which waiting for a core on a shared machine does not inflate.
   */
  static double time(String what, int rounds, int calls, Runnable r) {
    for (int i = 0; i < Math.max(calls, 20) * 3; i++) {
      r.run();
    }
    double[] us = new double[rounds];
    for (int k = 0; k < rounds; k++) {
      long t0 = now();
      for (int i = 0; i < calls; i++) {
        r.run();
      }
      us[k] = (now() - t0) / 1e3 / calls;
    }
    Arrays.sort(us);
    best.put(what, us[0]);
    System.out.printf("%-40s %10.3f us/call median, %10.3f best%s%n", what, us[rounds / 2], us[0],
        CPU ? " (CPU)" : "");
    return us[rounds / 2];
  }

  private static final boolean CPU = Boolean.getBoolean("adjoint.bench.cpu");
  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  private static long now() {
    return CPU ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
  }
}
