package golden;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.F;

/** Seed 003: z = x·w + b, loss = binary_cross_entropy_with_logits(z, y). */
final class BceWithLogits {
  private BceWithLogits() {}

  @Differentiable(wrt = {"w", "b"})
  static Tensor loss(Tensor x, Tensor w, Tensor b, Tensor y) {
    Tensor z = x.matmul(w).add(b);
    return F.binaryCrossEntropyWithLogits(z, y);
  }
}
