package golden;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Derivative;
import dev.adjoint.annotation.Differentiable;

/** User-supplied rules: @Derivative for a double function and for a Tensor function. */
final class Softplus {
  private Softplus() {}

  static double softplus(double x) {
    return Math.log1p(Math.exp(x));
  }

  @Derivative(of = Softplus.class, method = "softplus")
  static double softplusVjp(double g, double out, double x) {
    return g / (1 + Math.exp(-x));
  }

  static Tensor cube(Tensor x) {
    return x.mul(x).mul(x);
  }

  @Derivative(of = Softplus.class, method = "cube")
  static Tensor cubeVjp(Tensor g, Tensor out, Tensor x) {
    return g.mul(x.mul(x)).mul(3);
  }

  @Differentiable
  static double smooth(double x, double y) {
    return softplus(x * y) + Math.sin(x);
  }

  @Differentiable
  static Tensor cubed(Tensor x, double scale) {
    return cube(x).mul(scale).sum();
  }
}
