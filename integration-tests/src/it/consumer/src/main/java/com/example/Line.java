package com.example;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;

/** A line fitted by least squares; Adjoint writes {@code LineDiff} from these methods at compile time. */
public final class Line {
  private Line() {}

  /** The mean squared error of the line {@code w x + b} on the points {@code (x, y)}. */
  @Differentiable(wrt = {"w", "b"})
  public static Tensor loss(Tensor w, Tensor b, Tensor x, Tensor y) {
    Tensor residual = w.mul(x).add(b).sub(y);
    return residual.pow(2).mean();
  }

  /** A scalar function: {@code LineDiff.softSquareGrad} allocates nothing but its result. */
  @Differentiable
  public static double softSquare(double x, double y) {
    return x * x * y + Math.sin(x);
  }
}
