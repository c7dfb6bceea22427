package dev.adjoint.benchmarks;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;

/** For {@link SecondOrderBench}: methods whose {@code fHvp} is generated since session 11 (issue 16). */
final class SecondOrderFns {
  private SecondOrderFns() {}

  /** {@link ForwardModeFns#rosenbrock4} called twice, its results fed to nonlinear terms: fHvp through the calls. */
  @Differentiable
  static double calls(double a, double b, double c, double d) {
    double r = ForwardModeFns.rosenbrock4(a, b, c, d);
    return Math.log(1 + r) + ForwardModeFns.rosenbrock4(b, c, d, a) * Math.sin(a);
  }

  /** The rounding functions beside smooth terms (the outside user's {@code Fwd.piecewise}), 4096 elements. */
  @Differentiable
  static Tensor piecewise(Tensor x) {
    Tensor q = x.mul(x.floor()).add(x.round().mul(x.square())).add(x.sign().mul(x.exp()));
    return q.add(x.trunc().mul(x)).add(x.ceil().mul(x.sin())).sum();
  }
}
