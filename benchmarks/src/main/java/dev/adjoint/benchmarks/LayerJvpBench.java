package dev.adjoint.benchmarks;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * The layer's and the loop's {@code fJvp} (issue 16) against their plain forwards, in interleaved rounds after a
 * long warm-up of all four, in the calling thread's CPU time: {@code tanh(W·X + b).sum()} (64×64 · 64×32, tangents
 * for W, X and b) and the same layer three times through a loop. {@link ForwardModeBench} times each line alone
 * after a short warm-up, and its plain forward, timed first, often runs before C2 has settled (9–11 µs there against
 * 6.2–6.5 µs here on the same machine); here each round times the four one after another, so a JIT or load change
 * reaches all of them.
 *
 * <p>Usage: {@code LayerJvpBench [rounds]}; prints the median and best µs per call and the two ratios.
 */
public final class LayerJvpBench {
  private static double sink;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private LayerJvpBench() {}

  /** Runs the benchmark. */
  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 25;
    Generator g = new Generator(16);
    Tensor w = Tensor.randn(g, 64, 64);
    Tensor x = Tensor.randn(g, 64, 32);
    Tensor b = Tensor.randn(g, 64, 1);
    Tensor tw = Tensor.randn(g, 64, 64);
    Tensor tx = Tensor.randn(g, 64, 32);
    Tensor tb = Tensor.randn(g, 64, 1);
    String[] names = {"layer forward", "layer fJvp", "recurrent forward", "recurrent fJvp"};
    Runnable[] calls = {
        () -> sink += ForwardModeFns.layer(w, x, b).item(),
        () -> sink += ForwardModeFnsDiff.layerJvp(w, x, b, tw, tx, tb).tangent().item(),
        () -> sink += ForwardModeFns.recurrent(w, x, b).item(),
        () -> sink += ForwardModeFnsDiff.recurrentJvp(w, x, b, tw, tx, tb).tangent().item()};
    for (int i = 0; i < 3000; i++) {
      for (Runnable c : calls) {
        c.run();
      }
    }
    double[][] us = new double[calls.length][rounds];
    for (int k = 0; k < rounds; k++) {
      for (int j = 0; j < calls.length; j++) {
        long t0 = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < 200; i++) {
          calls[j].run();
        }
        us[j][k] = (THREADS.getCurrentThreadCpuTime() - t0) / 1e3 / 200;
      }
    }
    for (double[] u : us) {
      Arrays.sort(u);
    }
    for (int j = 0; j < calls.length; j++) {
      System.out.printf("%-18s %8.2f us/call median, %8.2f best (CPU)%n", names[j], us[j][rounds / 2], us[j][0]);
    }
    System.out.printf("fJvp / forward, median / best: layer %.2fx / %.2fx, recurrent %.2fx / %.2fx (sink %s)%n",
        us[1][rounds / 2] / us[0][rounds / 2], us[1][0] / us[0][0], us[3][rounds / 2] / us[2][rounds / 2],
        us[3][0] / us[2][0], sink != 0);
  }
}
