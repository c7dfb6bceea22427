package golden;

import dev.adjoint.annotation.Differentiable;

/** A counted loop: x_{t+1} = x_t + h sin(a x_t). */
final class Recurrence {
  private Recurrence() {}

  @Differentiable
  static double simulate(double x, double a, double h, int steps) {
    for (int i = 0; i < steps; i++) {
      x = x + h * Math.sin(a * x);
    }
    return x;
  }
}
