package golden;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.annotation.Shape;

/** A symbol the shapes equate with a size: one entry check in every generated entry point. */
final class ShapeChecked {
  private ShapeChecked() {}

  @Differentiable
  @Shape("")
  static Tensor score(@Shape("B, N") Tensor x, @Shape("784, 10") Tensor w) {
    Tensor h = x.matmul(w).tanh();
    return h.mul(h).sum();
  }
}
