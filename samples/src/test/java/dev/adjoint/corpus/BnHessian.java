package dev.adjoint.corpus;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.BatchNorm1d;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;

/**
 * A module whose forward moves its buffers (BatchNorm1d in training mode), the outside user's {@code BnLoop}
 * (FINDINGS11 §1): its {@code fHessian}, one {@code fHvp} per element, must leave the running statistics and
 * {@code num_batches_tracked} as one forward does ({@code BnHessianTest}).
 */
final class BnHessian extends Module {
  final Linear fc = new Linear(3, 3);
  final BatchNorm1d bn = new BatchNorm1d(3);

  BnHessian() {
    super(BnHessianDiff.MEMBERS);
  }

  /** Through a loop: {@code n} batch-norm updates per forward. */
  @Differentiable(wrt = {"this", "x"})
  Tensor run(Tensor x, int n) {
    Tensor h = x;
    for (int i = 0; i < n; i++) {
      h = bn.forward(fc.forward(h)).tanh();
    }
    return h.square().sum();
  }

  /** Straight-line: forward over the generated gradient. */
  @Differentiable(wrt = {"this", "x"})
  Tensor once(Tensor x) {
    return bn.forward(fc.forward(x)).tanh().square().sum();
  }
}
