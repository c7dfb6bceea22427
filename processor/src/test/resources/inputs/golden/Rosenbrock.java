package golden;

import dev.adjoint.annotation.Differentiable;

/** The Rosenbrock function over double. */
final class Rosenbrock {
  private Rosenbrock() {}

  @Differentiable
  static double rosenbrock(double x, double y) {
    double a = 1 - x;
    double b = y - x * x;
    return a * a + 100 * b * b;
  }
}
