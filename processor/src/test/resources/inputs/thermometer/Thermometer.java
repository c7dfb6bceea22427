package thermometer;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;

/** Seed 000's thermometer model and loss. */
final class Thermometer {
  private Thermometer() {}

  @Differentiable
  static Tensor model(Tensor tU, Tensor w, Tensor b) {
    return w.mul(tU).add(b);
  }

  @Differentiable
  static Tensor lossFn(Tensor tP, Tensor tC) {
    Tensor squaredDiffs = tP.sub(tC).pow(2);
    return squaredDiffs.mean();
  }
}
