package golden;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;

/** Tensor methods with a loop (fHvp by forward over the generated pullback) and with a call (the eager double backward). */
final class TensorLoop {
  private TensorLoop() {}

  @Differentiable
  static Tensor unrolled(Tensor x, Tensor w, int steps) {
    Tensor h = x;
    for (int i = 0; i < steps; i++) {
      h = h.matmul(w).tanh();
    }
    return h.square().sum();
  }

  @Differentiable
  static Tensor energy(Tensor h) {
    return h.square().sum();
  }

  @Differentiable
  static Tensor layerEnergy(Tensor x, Tensor w) {
    return energy(x.matmul(w).tanh());
  }
}
