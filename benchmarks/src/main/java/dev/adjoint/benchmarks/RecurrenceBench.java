package dev.adjoint.benchmarks;

import dev.adjoint.Tensor;
import java.util.Arrays;

/**
 * The gradient of a 10,000-step scalar recurrence x_{t+1} = x_t + h sin(a x_t) (issue 4): the plain
 * forward (the user's method), the generated gradient ({@code RecurrenceDiff.simulateGrad}: forward
 * sweep pushing what the backward reads, backward replaying the counted loop by index), and eager
 * Adjoint on 0-D tensors (one graph node per operation, {@code backward()}). Prints µs per call (median
 * and best of the timed rounds) and the ratios to the plain forward. The PyTorch peer is
 * {@code python/recurrence.py}.
 *
 * <p>Usage: {@code RecurrenceBench [rounds]}.
 */
public final class RecurrenceBench {
  private static final int STEPS = 10_000;
  private static final double X0 = 0.3;
  private static final double A = 1.7;
  private static final double H = 0.01;
  private static double sink;

  private RecurrenceBench() {}

  /** Runs the benchmark. */
  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 21;
    var g = RecurrenceDiff.simulateGrad(X0, A, H, STEPS);
    double[] eager = eager();
    System.out.printf("generated gradient dx=%.9f da=%.9f dh=%.9f%n", g.x(), g.a(), g.h());
    System.out.printf("eager     gradient dx=%.9f da=%.9f dh=%.9f%n", eager[0], eager[1], eager[2]);
    double forward = time("plain forward", rounds, 200, () -> sink += Recurrence.simulate(X0, A, H, STEPS));
    double grad = time("generated fGrad", rounds, 100, () -> sink += RecurrenceDiff.simulateGrad(X0, A, H, STEPS).a());
    double pullback = time("generated pullback", rounds, 100,
        () -> sink += RecurrenceDiff.simulatePullback(X0, A, H, STEPS).backward(1).a());
    double eagerUs = time("eager Adjoint (0-D tensors)", Math.max(5, rounds / 3), 3, () -> sink += eager()[1]);
    System.out.printf("ratios to the plain forward: fGrad %.2fx, pullback %.2fx, eager %.0fx (sink %s)%n",
        grad / forward, pullback / forward, eagerUs / forward, sink != 0);
  }

  private static double[] eager() {
    Tensor x0 = Tensor.scalar(X0).requiresGrad(true);
    Tensor a = Tensor.scalar(A).requiresGrad(true);
    Tensor h = Tensor.scalar(H).requiresGrad(true);
    Tensor x = x0;
    for (int i = 0; i < STEPS; i++) {
      x = x.add(h.mul(a.mul(x).sin()));
    }
    x.backward();
    return new double[] {x0.grad().item(), a.grad().item(), h.grad().item()};
  }

  /** Median µs per call over {@code rounds} rounds of {@code calls} calls, after warm-up. */
  private static double time(String what, int rounds, int calls, Runnable r) {
    for (int i = 0; i < Math.max(calls, 20); i++) {
      r.run();
    }
    double[] us = new double[rounds];
    for (int k = 0; k < rounds; k++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < calls; i++) {
        r.run();
      }
      us[k] = (System.nanoTime() - t0) / 1e3 / calls;
    }
    Arrays.sort(us);
    System.out.printf("%-30s %10.1f us/call median, %10.1f best (%d rounds of %d)%n", what, us[rounds / 2], us[0],
        rounds, calls);
    return us[rounds / 2];
  }
}
