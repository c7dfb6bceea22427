package zoo;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Derivative;
import dev.adjoint.annotation.Differentiable;

/** Static layers of the model zoo: tensors, doubles, a loop, a custom rule, wrt. */
public final class Layers {
  private Layers() {}

  @Differentiable
  public static Tensor affine(Tensor x, Tensor w, Tensor b) {
    return x.mul(w).add(b);
  }

  @Differentiable
  public static double sq(double x) {
    return x * x;
  }

  /** Not differentiable itself: its derivative is the rule below. */
  public static double softplus(double x) {
    return Math.log1p(Math.exp(x));
  }

  @Derivative(of = Layers.class, method = "softplus")
  public static double softplusVjp(double g, double out, double x) {
    return g / (1 + Math.exp(-x));
  }

  @Differentiable
  public static double smooth(double x, double y) {
    return softplus(x * y) + Math.sin(y);
  }

  @Differentiable
  public static Tensor power(Tensor x, int n) {
    Tensor y = x;
    for (int i = 1; i < n; i++) {
      y = y.mul(x);
    }
    return y;
  }

  @Differentiable(wrt = "x")
  public static Tensor scaled(Tensor x, Tensor s) {
    return x.mul(s.detach()).tanh();
  }
}
