package com.example.modular;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;

/** A @Differentiable method in a named module; Adjoint writes {@code QuadraticDiff} beside it. */
public final class Quadratic {
  private Quadratic() {}

  /** {@code sum((a x - y)^2)}. */
  @Differentiable(wrt = "a")
  public static Tensor loss(Tensor a, Tensor x, Tensor y) {
    return a.mul(x).sub(y).pow(2).sum();
  }
}
