package golden;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;

/** if/else on a passive value and on an active value read through item(). */
final class Branch {
  private Branch() {}

  @Differentiable
  static double softClip(double x, double limit) {
    double y = x * x;
    if (y > limit) {
      y = limit + Math.log(y - limit + 1);
    } else {
      y = y * 0.5;
    }
    return y * x;
  }

  @Differentiable
  static Tensor leaky(Tensor w, Tensor x) {
    Tensor z = w.mul(x).sum();
    if (z.item() < 0) {
      z = z.mul(0.1);
    }
    return z;
  }
}
