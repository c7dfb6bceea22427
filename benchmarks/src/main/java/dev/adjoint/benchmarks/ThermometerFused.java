package dev.adjoint.benchmarks;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;

/**
 * The thermometer model and loss as one {@code @Differentiable} method: an elementwise chain and a
 * mean, which the processor fuses into one loop ({@code ThermometerFusedDiff.lossValueAndGrad}).
 */
public final class ThermometerFused {
  private ThermometerFused() {}

  /** {@code mean((w * tU + b - tC)²)}. */
  @Differentiable(wrt = {"w", "b"})
  public static Tensor loss(Tensor tU, Tensor tC, Tensor w, Tensor b) {
    Tensor tP = w.mul(tU).add(b);
    return tP.sub(tC).pow(2).mean();
  }
}
