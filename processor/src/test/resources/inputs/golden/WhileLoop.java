package golden;

import dev.adjoint.annotation.Differentiable;

/** A while loop whose trip count depends on an active value, and a do/while. */
final class WhileLoop {
  private WhileLoop() {}

  @Differentiable(wrt = {"x", "rate"})
  static double grow(double x, double rate, double limit) {
    double y = x;
    while (y < limit) {
      y = y * rate;
    }
    return y;
  }

  @Differentiable
  static double halve(double x) {
    double y = x;
    do {
      y = y * 0.5 + 0.1 * y * y;
    } while (y > 1);
    return y;
  }
}
