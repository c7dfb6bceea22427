package dev.adjoint.corpus;

import dev.adjoint.annotation.Derivative;
import dev.adjoint.annotation.Differentiable;

/** Differentiable methods over {@code double} (and {@code float}): Java arithmetic and {@code Math.*}. */
final class ScalarCorpus {
  private ScalarCorpus() {}

  static final double K = 0.75;

  @Differentiable
  static double rosenbrock(double x, double y) {
    double a = 1 - x;
    double b = y - x * x;
    return a * a + 100 * b * b;
  }

  @Differentiable
  static double polynomial(double x) {
    return 3 * x * x * x - 2 * x * x + x - 5;
  }

  /** Rosenbrock in four variables, for the HVP goldens and ForwardModeBench's PyTorch comparison. */
  @Differentiable
  static double rosenbrock4(double a, double b, double c, double d) {
    double t1 = b - a * a;
    double t2 = c - b * b;
    double t3 = d - c * c;
    return 100 * t1 * t1 + (1 - a) * (1 - a) + 100 * t2 * t2 + (1 - b) * (1 - b) + 100 * t3 * t3
        + (1 - c) * (1 - c) + Math.exp(0.1 * d) * Math.sin(a);
  }

  @Differentiable
  static double trig(double x, double y) {
    return Math.sin(x) * Math.cos(y) + Math.tan(x * y);
  }

  @Differentiable
  static double expLog(double x) {
    return Math.exp(x) * Math.log(1 + x * x);
  }

  @Differentiable
  static double norms(double x, double y) {
    return Math.sqrt(x * x + y * y) + Math.hypot(x, y) + Math.cbrt(x);
  }

  @Differentiable
  static double powers(double x, double y) {
    return Math.pow(x, y) + Math.pow(y, 2);
  }

  @Differentiable
  static double tanhChain(double x) {
    return Math.tanh(Math.tanh(x) * 2);
  }

  @Differentiable
  static double reassigned(double x, double y) {
    double z = x;
    z = z * y;
    z += x;
    z -= y / 2;
    z *= z;
    return z;
  }

  @Differentiable
  static float floats(float x, double y) {
    float a = x * x;
    double b = a * y;
    return (float) b + x;
  }

  @Differentiable
  static double angles(double x, double y) {
    return Math.atan2(y, x) + Math.sinh(x) * Math.cosh(y) + Math.atan(x * y);
  }

  @Differentiable
  static double kinks(double x, double y) {
    return Math.abs(x - y) + Math.max(x, y) * Math.min(x, 2 * y);
  }

  @Differentiable
  static double quotient(double x, double y) {
    return (x - y) / (x * y + 1);
  }

  @Differentiable
  static double composed(double x, double y) {
    return rosenbrock(x, y) + rosenbrock(y, x) * K;
  }

  /** Calls whose results feed nonlinear terms: fHvp composed through the callees' own fHvp (issue 16, session 11). */
  @Differentiable
  static double calls(double x, double y) {
    double r = rosenbrock(x, y);
    return Math.log(1 + r) + trig(y, x) * x + expLog(x * y);
  }

  @Differentiable
  static double passiveInt(double x, int n) {
    int m = n * 2 + 1;
    return x * m + n / 2;
  }

  @Differentiable
  static double negations(double x, double y) {
    return -x * -(y + 1) - -3.5;
  }

  static double softplus(double x) {
    return Math.log1p(Math.exp(x));
  }

  @Derivative(of = ScalarCorpus.class, method = "softplus")
  static double softplusVjp(double g, double out, double x) {
    return g / (1 + Math.exp(-x));
  }

  @Differentiable
  static double userRule(double x, double y) {
    return softplus(x * y) + Math.expm1(y) + Math.log1p(x * x);
  }
}
