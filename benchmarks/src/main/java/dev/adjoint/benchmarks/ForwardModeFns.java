package dev.adjoint.benchmarks;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;

/** Methods for {@link ForwardModeBench}: a straight-line scalar function with a Hessian, and a tensor layer. */
final class ForwardModeFns {
  private ForwardModeFns() {}

  /** Rosenbrock in four variables (three coupled terms): straight-line code, so it gets fHvp and fHessian. */
  @Differentiable
  static double rosenbrock4(double a, double b, double c, double d) {
    double t1 = b - a * a;
    double t2 = c - b * b;
    double t3 = d - c * c;
    return 100 * t1 * t1 + (1 - a) * (1 - a) + 100 * t2 * t2 + (1 - b) * (1 - b) + 100 * t3 * t3
        + (1 - c) * (1 - c) + Math.exp(0.1 * d) * Math.sin(a);
  }

  /** A tanh layer summed: matmul, broadcast add, tanh, sum. */
  @Differentiable
  static Tensor layer(Tensor w, Tensor x, Tensor b) {
    return w.matmul(x).add(b).tanh().sum();
  }

  /** The layer three times through a loop ({@code h ← tanh(W·h + b)}), summed (fHvp: generated). */
  @Differentiable
  static Tensor recurrent(Tensor w, Tensor x, Tensor b) {
    Tensor h = x;
    for (int i = 0; i < 3; i++) {
      h = w.matmul(h).add(b).tanh();
    }
    return h.sum();
  }
}
