package dev.adjoint.corpus;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;

/**
 * Shrunk programs from this session's outside user and differential fuzzer, each a silent wrong gradient
 * before its fix; {@code RegressionsTest} checks every generated form against the analytic derivative.
 */
final class Regressions {
  private Regressions() {}

  // ---- straight-line code ending in a division by an int: fGrad's seed was the int literal 1, so the
  // adjoint of 'x * x / 2' was '1 / 2', an int division giving 0 (fGrad, fHvp and fHessian were all 0)

  @Differentiable
  static double halfSquare(double x) {
    return x * x / 2;
  }

  @Differentiable
  static double meanOfSquare(double x, int count) {
    return x * x / count;
  }

  @Differentiable
  static double average(double a, double b) {
    int k = 2;
    return (a + b) / k;
  }

  @Differentiable
  static float halfSquareF(float x) {
    return x * x / 2;
  }

  /** The fuzzer's shrunk program (seed 7). */
  @Differentiable
  static double plusYOverThree(double y, int n) {
    return +y / 3;
  }

  // ---- a static final Tensor in an elementwise chain: the fused per-element loop read it as one number
  // ('x - Const.MEAN' on a double), so the generated code did not compile; such a method is not fused now

  static final Tensor MEAN = Tensor.of(0.485f, 0.456f, 0.406f);

  @Differentiable
  static Tensor centered(Tensor x) {
    return x.sub(MEAN).pow(2).sum();
  }

  // ---- the fuzzer (seed 4, session 8): the left operand of '/' was read after the right operand's ?: had made the
  // variable mutable and assigned it, so the generated value was 1.0 where Java's is value / 1.0

  @Differentiable
  static double assignedInALaterTernary(double value) {
    value += 1.0;
    return value / ((value = 1.0) < -0.5 ? 1.0 : 1.0);
  }
}
