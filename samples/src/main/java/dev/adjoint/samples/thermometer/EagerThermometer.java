package dev.adjoint.samples.thermometer;

import dev.adjoint.Tensor;

/**
 * The eager form of {@link Thermometer}: the same model and loss as ordinary Java, where every operation
 * records its own autograd node as in PyTorch ({@code MulBackward0}, {@code AddBackward0}, ...). The samples
 * train through {@code ThermometerDiff}, which records one node per method and runs backward code the
 * annotation processor wrote; this class is here to compare the two.
 */
public final class EagerThermometer {
  private EagerThermometer() {}

  /** {@code model(t_u, w, b) = w * t_u + b}; {@code w} and {@code b} broadcast over {@code t_u}. */
  public static Tensor model(Tensor tU, Tensor w, Tensor b) {
    return w.mul(tU).add(b);
  }

  /** {@code loss_fn(t_p, t_c) = mean((t_p - t_c)²)}. */
  public static Tensor lossFn(Tensor tP, Tensor tC) {
    Tensor squaredDiffs = tP.sub(tC).pow(2);
    return squaredDiffs.mean();
  }
}
