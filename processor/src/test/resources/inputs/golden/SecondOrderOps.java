package golden;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.annotation.Shape;
import dev.adjoint.nn.F;

/** Session 12 (FINDINGS11 §2, §9): which methods over tensors get an fHvp, and why not. */
final class SecondOrderOps {
  private SecondOrderOps() {}

  /** bmm, the softmax method and F.softmax (one rule, one row for the tangent): forward over the gradient. */
  @Differentiable
  static Tensor batched(Tensor x, Tensor y) {
    Tensor s = x.bmm(y);
    return s.softmax(2).mul(s.logSoftmax(1)).sum().add(F.softmax(s, 0).mul(s).sum());
  }

  /** A result declared with a batch dimension: fJvp, and its javadoc says why there is no fHvp. */
  @Differentiable
  @Shape("B, 4")
  static Tensor features(@Shape("B, 3") Tensor x, @Shape("3, 4") Tensor w) {
    return x.matmul(w).tanh();
  }
}
