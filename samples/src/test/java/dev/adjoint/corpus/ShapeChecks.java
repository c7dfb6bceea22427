package dev.adjoint.corpus;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.annotation.Shape;

/** {@code @Shape}s the processor cannot decide alone: symbols equated with sizes, checked at entry. */
final class ShapeChecks {
  private ShapeChecks() {}

  /** {@code N} must be 784: one check at entry. */
  @Differentiable
  @Shape("B, 10")
  static Tensor features(@Shape("B, N") Tensor x, @Shape("784, 10") Tensor w) {
    return x.matmul(w);
  }

  /** {@code K} must equal {@code M}: one check reading both inputs. */
  @Differentiable
  @Shape("B, J")
  static Tensor chained(@Shape("B, K") Tensor x, @Shape("M, J") Tensor w) {
    return x.matmul(w).relu();
  }
}
