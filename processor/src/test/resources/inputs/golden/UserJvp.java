package golden;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Derivative;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.autograd.Grads;

/** User JVPs beside user VJPs (@Derivative(kind = JVP)): fJvp calls the JVP, the pullback the VJP. */
final class UserJvp {
  private UserJvp() {}

  static double hypot(double x, double y) {
    return Math.sqrt(x * x + y * y);
  }

  @Derivative(of = UserJvp.class, method = "hypot", wrt = 0)
  static double hypotX(double g, double out, double x, double y) {
    return g * x / out;
  }

  @Derivative(of = UserJvp.class, method = "hypot", wrt = 1)
  static double hypotY(double g, double out, double x, double y) {
    return g * y / out;
  }

  @Derivative(of = UserJvp.class, method = "hypot", kind = Derivative.Kind.JVP)
  static double hypotJvp(double dx, double dy, double out, double x, double y) {
    return (x * dx + y * dy) / out;
  }

  static Tensor scaled(Tensor x, Tensor w, int n) {
    return x.mul(w).mul(n);
  }

  @Derivative(of = UserJvp.class, method = "scaled")
  static Grads scaledVjp(Tensor g, Tensor out, Tensor x, Tensor w, int n) {
    return Grads.of(g.mul(w).mul(n), g.mul(x).mul(n), null);
  }

  @Derivative(of = UserJvp.class, method = "scaled", kind = Derivative.Kind.JVP)
  static Tensor scaledJvp(Tensor dx, Tensor dw, Tensor out, Tensor x, Tensor w, int n) {
    return dx.mul(w).add(x.mul(dw)).mul(n);
  }

  @Differentiable
  static double radius(double x, double y) {
    return hypot(x * y, y) + x;
  }

  @Differentiable
  static Tensor energy(Tensor x, Tensor w) {
    return scaled(x, w, 2).sum();
  }

  @Differentiable(wrt = {"x", "v"})
  static Tensor onlyInput(Tensor x, Tensor w, Tensor v) {
    Tensor y = scaled(x, w.detach(), 3).add(v);
    for (int i = 0; i < 2; i++) {
      y = y.tanh();
    }
    return y.sum();
  }
}
