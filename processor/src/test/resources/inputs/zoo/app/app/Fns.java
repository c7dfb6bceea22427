package app;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import zoo.Layers;

/** Static application methods calling zoo methods: tensors, doubles, a custom rule, loops, wrt. */
public final class Fns {
  private Fns() {}

  @Differentiable
  public static Tensor loss(Tensor x, Tensor w, Tensor b) {
    return Layers.affine(x, w, b).mul(Layers.power(x, 3)).sum();
  }

  @Differentiable
  public static double f(double x, double y) {
    return Layers.sq(x) + Layers.smooth(x, y) * Layers.softplus(y);
  }

  @Differentiable
  public static Tensor unrolled(Tensor x, Tensor w, Tensor b, int n) {
    Tensor y = x;
    for (int i = 0; i < n; i++) {
      y = Layers.scaled(Layers.affine(y, w, b), w.detach()); // scaled is wrt x only: s takes no gradient
    }
    return y.sum();
  }
}
