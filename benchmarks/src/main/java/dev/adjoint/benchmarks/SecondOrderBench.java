package dev.adjoint.benchmarks;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.util.Arrays;

/**
 * Times the {@code fHvp}s generated since session 11 (issue 16) against their gradients, interleaved within each
 * round (gradient, then HVP, same number of calls) so that a load change on the shared machine hits both: a
 * method over numbers composed through calls ({@link SecondOrderFns#calls}), a straight-line module method through
 * Linear and LayerNorm ({@link SecondOrderNet#loss}; the same body in a one-step loop, forward over the pullback, and
 * the eager double backward of the method, {@code Hvps.byDoubleBackward}, as references), and the rounding
 * functions ({@link SecondOrderFns#piecewise}). Prints per-what median and best µs per call and the median and best of
 * the per-round ratios HVP / gradient.
 *
 * <p>Usage: {@code SecondOrderBench [rounds]}; {@code -Dadjoint.bench.cpu=true} times the calling thread's CPU time.
 */
public final class SecondOrderBench {
  private SecondOrderBench() {}

  private static double sink;

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    pair("calls (2 x rosenbrock4): fGrad", "calls: fHvp (through the callees' fHvp)", rounds, 20_000,
        () -> sink += SecondOrderFnsDiff.callsGrad(0.3, -0.7, 1.1, 0.5).a(),
        () -> sink += SecondOrderFnsDiff.callsHvp(0.3, -0.7, 1.1, 0.5, 1, -1, 0.5, 2).a());
    Generator g = new Generator(11);
    SecondOrderNet net = new SecondOrderNet(g);
    Tensor x = Tensor.randn(g, 32, 64);
    Tensor y = Tensor.randn(g, 32, 1);
    Tensor tx = Tensor.randn(g, 32, 64);
    Tensor tw1 = Tensor.randn(g, 64, 64);
    Tensor tb1 = Tensor.randn(g, 64);
    Tensor tg = Tensor.randn(g, 64);
    Tensor tbeta = Tensor.randn(g, 64);
    Tensor ts = Tensor.randn(g, 64);
    Tensor tw2 = Tensor.randn(g, 1, 64);
    Tensor tb2 = Tensor.randn(g, 1);
    pair("module loss 32x64: fValueAndGrad", "module loss: fHvp (generated, straight line)", rounds, 200,
        () -> sink += SecondOrderNetDiff.lossValueAndGrad(net, x, y).value().item(),
        () -> sink += SecondOrderNetDiff.lossHvp(net, x, y, tx, tw1, tb1, tg, tbeta, ts, tw2, tb2).x().get(0, 0));
    pair("module loss in a 1-step loop: fValueAndGrad", "loop: fHvp (generated through the loop)", rounds, 200,
        () -> sink += SecondOrderNetDiff.lossLoopValueAndGrad(net, x, y, 1).value().item(),
        () -> sink += SecondOrderNetDiff.lossLoopHvp(net, x, y, 1, tx, tw1, tb1, tg, tbeta, ts, tw2, tb2).x()
            .get(0, 0));
    pair("module loss: fValueAndGrad (again)", "module loss: eager double backward (Hvps)", rounds, 200,
        () -> sink += SecondOrderNetDiff.lossValueAndGrad(net, x, y).value().item(),
        () -> sink += dev.adjoint.autograd.Hvps.byDoubleBackward(a -> net.loss(a[0], y),
            new Tensor[] {x, net.fc1.weight(), net.fc1.bias(), net.ln.weight(), net.ln.bias(), net.scale,
                net.fc2.weight(), net.fc2.bias()},
            new boolean[] {true, false, false, false, false, false, false, false},
            new Tensor[] {tx, tw1, tb1, tg, tbeta, ts, tw2, tb2})[0].get(0, 0));
    Tensor p = Tensor.randn(g, 64, 64).mul(3);
    Tensor tp = Tensor.randn(g, 64, 64);
    pair("piecewise 64x64: fValueAndGrad", "piecewise: fHvp (generated)", rounds, 200,
        () -> sink += SecondOrderFnsDiff.piecewiseValueAndGrad(p).value().item(),
        () -> sink += SecondOrderFnsDiff.piecewiseHvp(p, tp).x().get(0, 0));
    System.out.println("(sink " + (sink == 42 ? "!" : ".") + ")");
  }

  /** Times {@code base} and {@code other} in alternation, each round the same calls; prints times and ratios. */
  private static void pair(String baseName, String otherName, int rounds, int calls, Runnable base, Runnable other) {
    for (int i = 0; i < Math.max(calls, 20) * 3; i++) {
      base.run();
      other.run();
    }
    double[] a = new double[rounds];
    double[] b = new double[rounds];
    double[] ratio = new double[rounds];
    for (int k = 0; k < rounds; k++) {
      a[k] = perCall(base, calls);
      b[k] = perCall(other, calls);
      ratio[k] = b[k] / a[k];
    }
    Arrays.sort(a);
    Arrays.sort(b);
    double[] sorted = ratio.clone();
    Arrays.sort(sorted);
    System.out.printf("%-46s %10.3f us/call median, %10.3f best%s%n", baseName, a[rounds / 2], a[0],
        CPU ? " (CPU)" : "");
    System.out.printf("%-46s %10.3f us/call median, %10.3f best%s%n", otherName, b[rounds / 2], b[0],
        CPU ? " (CPU)" : "");
    System.out.printf("  ratio: per-round median %.2fx, best/best %.2fx, per-round range %.2f-%.2fx%n",
        sorted[rounds / 2], b[0] / a[0], sorted[0], sorted[rounds - 1]);
  }

  private static double perCall(Runnable r, int calls) {
    long t0 = now();
    for (int i = 0; i < calls; i++) {
      r.run();
    }
    return (now() - t0) / 1e3 / calls;
  }

  private static final boolean CPU = Boolean.getBoolean("adjoint.bench.cpu");
  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  private static long now() {
    return CPU ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
  }
}
