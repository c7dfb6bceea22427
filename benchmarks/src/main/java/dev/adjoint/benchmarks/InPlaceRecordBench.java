package dev.adjoint.benchmarks;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;

/**
 * The recorded in-place path (issue 13: in-place operations record through their out-of-place primitive's
 * row): a chain of six recorded in-place operations on a non-leaf of 64 floats and a backward through it, per
 * iteration {@code y = w.mul(1); y.add_(x); y.mul_(w); y.clamp_(0, 3); y.sub_(0.5); y.sin_(); y.exp_();
 * y.sum().backward()} (exp_ last: its node saves its result, which a later in-place change would invalidate),
 * against the same chain written out of place, alternating in one process.
 *
 * <pre>
 * mvn -pl benchmarks -am -DskipTests package exec:exec -Dbench=dev.adjoint.benchmarks.InPlaceRecordBench -Dbench.args="5"
 * </pre>
 *
 * <p>Plain harness, as {@link InPlaceStepBench}: per round, 1 s warm-up of each form, then 7 samples of at least
 * 0.3 s each; the medians in ns per iteration.
 */
public final class InPlaceRecordBench {
  private InPlaceRecordBench() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Generator g = new Generator(0);
    Tensor w = Tensor.rand(g, 64).requiresGrad(true);
    Tensor x = Tensor.rand(g, 64);
    Runnable inPlace = () -> {
      Tensor y = w.mul(1.0);
      y.add_(x);
      y.mul_(w);
      y.clamp_(0, 3);
      y.sub_(0.5);
      y.sin_();
      y.exp_();
      y.sum().backward();
      w.setGrad(null);
    };
    Runnable outOfPlace = () -> {
      Tensor y = w.mul(1.0).add(x).mul(w).clamp(0, 3).sub(0.5).sin().exp();
      y.sum().backward();
      w.setGrad(null);
    };
    System.out.println("six recorded in-place operations on 64 floats and a backward; median ns per iteration");
    for (int r = 1; r <= rounds; r++) {
      double a = InPlaceStepBench.time(inPlace);
      double b = InPlaceStepBench.time(outOfPlace);
      System.out.printf("round %d: in place %8.1f ns   out of place %8.1f ns   in-place / out-of-place = %.3f%n",
          r, a, b, a / b);
    }
  }
}
