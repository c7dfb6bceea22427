package dev.adjoint.samples.thermometer;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.annotation.Shape;

/**
 * Seed 000's thermometer model and loss as {@code @Differentiable} methods: the processor writes
 * {@code ThermometerDiff}, whose {@code model} and {@code lossFn} record one autograd node each and run
 * generated backward code.
 */
public final class Thermometer {
  private Thermometer() {}

  /** The linear model {@code w * tU + b}. */
  @Differentiable
  @Shape("N")
  public static Tensor model(@Shape("N") Tensor tU, @Shape("1") Tensor w, @Shape("1") Tensor b) {
    return w.mul(tU).add(b);
  }

  /** The mean squared error. */
  @Differentiable
  @Shape("")
  public static Tensor lossFn(@Shape("N") Tensor tP, @Shape("N") Tensor tC) {
    Tensor squaredDiffs = tP.sub(tC).pow(2);
    return squaredDiffs.mean();
  }
}
