package golden;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;

/** A @Differentiable method calling another one: composed through its pullback. */
final class Composed {
  private Composed() {}

  @Differentiable
  static Tensor model(Tensor tU, Tensor w, Tensor b) {
    return w.mul(tU).add(b);
  }

  @Differentiable
  static Tensor loss(Tensor tU, Tensor tC, Tensor w, Tensor b) {
    Tensor tP = model(tU, w, b);
    return tP.sub(tC).pow(2).mean();
  }
}
