package golden;

import dev.adjoint.annotation.Differentiable;

/** break, continue (labelled too) in nested loops, and an early return. */
final class Exits {
  private Exits() {}

  @Differentiable
  static double nested(double x, int n) {
    double y = x;
    outer:
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        if (j == i) {
          continue outer;
        }
        y = y * x + j;
        if (y > 100) {
          break;
        }
      }
    }
    return y;
  }

  @Differentiable
  static double earlyReturn(double x, int n) {
    double y = x;
    for (int i = 0; i < n; i++) {
      y = Math.sin(y) + x;
      if (y > 1.5) {
        return y * 2;
      }
    }
    return y;
  }
}
