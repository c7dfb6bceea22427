package dev.adjoint.benchmarks;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.nn.F;

/**
 * One eager training step of a 784-128-10 MLP on a batch of 64 (forward, cross-entropy, backward, SGD update),
 * with the update written in place as PyTorch users and our optimizers write it ({@code p.sub_(p.grad().mul(lr))}
 * under no-grad, then {@code setGrad(null)}) against its out-of-place form (each parameter replaced by
 * {@code p.sub(g.mul(lr)).detach().requiresGrad(true)}), alternating the two in the same process.
 *
 * <pre>
 * mvn -pl benchmarks -am -DskipTests package exec:exec -Dbench=dev.adjoint.benchmarks.InPlaceStepBench -Dbench.args="5"
 * </pre>
 *
 * <p>Plain harness: per round, 1 s warm-up of each form, then 7 samples of at least 0.3 s each; the ratio of the
 * medians (out-of-place time / in-place time) per round.
 */
public final class InPlaceStepBench {
  private InPlaceStepBench() {}

  private static final float LR = 0.01f;

  /** The network's parameters and a fixed batch. */
  private static final class Net {
    Tensor w1;
    Tensor b1;
    Tensor w2;
    Tensor b2;
    final Tensor x;
    final Tensor y;

    Net(long seed) {
      Generator g = new Generator(seed);
      w1 = Tensor.randn(g, 128, 784).mul(0.03).requiresGrad(true);
      b1 = Tensor.zeros(128).requiresGrad(true);
      w2 = Tensor.randn(g, 10, 128).mul(0.08).requiresGrad(true);
      b2 = Tensor.zeros(10).requiresGrad(true);
      x = Tensor.rand(g, 64, 784);
      float[] labels = new float[64];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = i % 10;
      }
      y = Tensor.wrap(labels, new int[] {64}, Tensor.DType.INT64);
    }

    Tensor loss() {
      Tensor h = F.relu(F.linear(x, w1, b1));
      return F.crossEntropy(F.linear(h, w2, b2), y);
    }

    void stepInPlace() {
      loss().backward();
      try (var g = Autograd.noGrad()) {
        for (Tensor p : new Tensor[] {w1, b1, w2, b2}) {
          p.sub_(p.grad().mul(LR));
          p.setGrad(null);
        }
      }
    }

    void stepOutOfPlace() {
      loss().backward();
      try (var g = Autograd.noGrad()) {
        w1 = next(w1);
        b1 = next(b1);
        w2 = next(w2);
        b2 = next(b2);
      }
    }

    private static Tensor next(Tensor p) {
      return p.sub(p.grad().mul(LR)).detach().requiresGrad(true);
    }
  }

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Net a = new Net(0);
    Net b = new Net(0);
    System.out.println("MLP 784-128-10, batch 64, one eager SGD step; median µs per step");
    for (int r = 1; r <= rounds; r++) {
      double inPlace = time(a::stepInPlace);
      double outOfPlace = time(b::stepOutOfPlace);
      System.out.printf("round %d: in place %8.1f µs   out of place %8.1f µs   out-of-place / in-place = %.3f%n",
          r, inPlace / 1e3, outOfPlace / 1e3, outOfPlace / inPlace);
    }
  }

  /**
   * Nanoseconds per call of {@code step}: one second of warm-up, then the median of 7 samples of 0.3 s each
   * (shared with {@link InPlaceRecordBench}).
   */
  static double time(Runnable step) {
    long end = System.nanoTime() + 1_000_000_000L;
    while (System.nanoTime() < end) {
      step.run();
    }
    double[] samples = new double[7];
    for (int s = 0; s < samples.length; s++) {
      long n = 0;
      long t0 = System.nanoTime();
      long t1;
      do {
        step.run();
        n++;
        t1 = System.nanoTime();
      } while (t1 - t0 < 300_000_000L);
      samples[s] = (double) (t1 - t0) / n;
    }
    java.util.Arrays.sort(samples);
    return samples[samples.length / 2];
  }
}
