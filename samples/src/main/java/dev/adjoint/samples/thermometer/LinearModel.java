package dev.adjoint.samples.thermometer;

import dev.adjoint.Tensor;

/**
 * The thermometer model {@code t_p = w * t_u + b} and its mean-squared-error loss, as the seeds write them.
 *
 * <p>These are ordinary (eager) Java: every operation records one autograd node, as in PyTorch. The
 * {@code @Differentiable} form of the same two functions, whose gradient code the annotation processor
 * writes at build time, is {@code Thermometer} in this package (its companion is {@code ThermometerDiff}).
 */
public final class LinearModel {
  private LinearModel() {}

  /** {@code model(t_u, w, b) = w * t_u + b}; {@code w} and {@code b} broadcast over {@code t_u}. */
  public static Tensor model(Tensor tU, Tensor w, Tensor b) {
    return w.mul(tU).add(b);
  }

  /** {@code model(t_u, *params)}: {@code params} holds {@code [w, b]}. */
  public static Tensor model(Tensor tU, Tensor params) {
    return model(tU, params.slice(0, 0, 1), params.slice(0, 1, 2));
  }

  /** {@code loss_fn(t_p, t_c) = mean((t_p - t_c)²)}. */
  public static Tensor lossFn(Tensor tP, Tensor tC) {
    Tensor squaredDiffs = tP.sub(tC).pow(2);
    return squaredDiffs.mean();
  }
}
