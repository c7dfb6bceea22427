package dev.adjoint.benchmarks;

import dev.adjoint.annotation.Differentiable;

/** The scalar recurrence of {@link RecurrenceBench}: x_{t+1} = x_t + h sin(a x_t), compiled by Adjoint. */
public final class Recurrence {
  private Recurrence() {}

  /** {@code steps} steps of the recurrence from {@code x}; differentiable in x, a and h. */
  @Differentiable
  public static double simulate(double x, double a, double h, int steps) {
    for (int i = 0; i < steps; i++) {
      x = x + h * Math.sin(a * x);
    }
    return x;
  }
}
