package golden;

import dev.adjoint.annotation.Differentiable;

/**
 * Methods over numbers calling others: fHvp composed through the callees' own fHvp, and a caller of a method
 * without one (a loop), whose fJvp says why it has no fHvp.
 */
final class ScalarCalls {
  private ScalarCalls() {}

  @Differentiable
  static double rosen(double x, double y) {
    double a = 1 - x;
    double b = y - x * x;
    return a * a + 100 * b * b;
  }

  @Differentiable
  static double bowl(double x, double y) {
    return Math.exp(x * y) + x * x;
  }

  @Differentiable
  static double withCalls(double x, double y) {
    double r = rosen(x, y);
    return Math.log(1 + r) + bowl(y, x) * x;
  }

  @Differentiable
  static double loop(double x, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s = s + Math.sin(s + x);
    }
    return s;
  }

  @Differentiable
  static double callsLoop(double x, double y) {
    return loop(x, 3) * y;
  }
}
