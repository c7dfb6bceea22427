package dev.adjoint.samples.thermometer;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;

/**
 * Seed 000's thermometer model and loss as {@code @Differentiable} methods: the processor writes
 * {@code ThermometerDiff}, whose {@code model} and {@code lossFn} record one autograd node each and run
 * generated backward code.
 */
public final class Thermometer {
  private Thermometer() {}

  /** The linear model {@code w * tU + b}. */
  @Differentiable
  public static Tensor model(Tensor tU, Tensor w, Tensor b) {
    return w.mul(tU).add(b);
  }

  /** The mean squared error. */
  @Differentiable
  public static Tensor lossFn(Tensor tP, Tensor tC) {
    Tensor squaredDiffs = tP.sub(tC).pow(2);
    return squaredDiffs.mean();
  }
}
