package dev.adjoint.rules;

import dev.adjoint.annotation.Derivative;

/**
 * Derivative rules for {@link java.lang.Math}, read by the annotation processor exactly like a user's
 * {@code @Derivative} rules (there is no other list). Each rule takes the upstream gradient {@code g},
 * the primal output {@code out}, then the primal inputs, and returns the gradient of one input.
 * Subgradients follow PyTorch: {@code abs'(0) = 0}; {@code max}/{@code min} give a tie to the first
 * argument.
 */
public final class MathRules {
  private MathRules() {}

  /** ∂x = g·cos x. */
  @Derivative(of = Math.class, method = "sin")
  public static double sinVjp(double g, double out, double x) {
    return g * Math.cos(x);
  }

  /** ∂x = -g·sin x. */
  @Derivative(of = Math.class, method = "cos")
  public static double cosVjp(double g, double out, double x) {
    return -g * Math.sin(x);
  }

  /** ∂x = g·(1 + tan² x). */
  @Derivative(of = Math.class, method = "tan")
  public static double tanVjp(double g, double out, double x) {
    return g * (1 + out * out);
  }

  /** ∂x = g·eˣ. */
  @Derivative(of = Math.class, method = "exp")
  public static double expVjp(double g, double out, double x) {
    return g * out;
  }

  /** ∂x = g·eˣ. */
  @Derivative(of = Math.class, method = "expm1")
  public static double expm1Vjp(double g, double out, double x) {
    return g * (out + 1);
  }

  /** ∂x = g / x. */
  @Derivative(of = Math.class, method = "log")
  public static double logVjp(double g, double out, double x) {
    return g / x;
  }

  /** ∂x = g / (1 + x). */
  @Derivative(of = Math.class, method = "log1p")
  public static double log1pVjp(double g, double out, double x) {
    return g / (1 + x);
  }

  /** ∂x = g / (x ln 10). */
  @Derivative(of = Math.class, method = "log10")
  public static double log10Vjp(double g, double out, double x) {
    return g / (x * Math.log(10));
  }

  /** ∂x = g / (2√x). */
  @Derivative(of = Math.class, method = "sqrt")
  public static double sqrtVjp(double g, double out, double x) {
    return g / (2 * out);
  }

  /** ∂x = g / (3·∛x²). */
  @Derivative(of = Math.class, method = "cbrt")
  public static double cbrtVjp(double g, double out, double x) {
    return g / (3 * out * out);
  }

  /** ∂x = g·(1 - tanh² x). */
  @Derivative(of = Math.class, method = "tanh")
  public static double tanhVjp(double g, double out, double x) {
    return g * (1 - out * out);
  }

  /** ∂x = g·cosh x. */
  @Derivative(of = Math.class, method = "sinh")
  public static double sinhVjp(double g, double out, double x) {
    return g * Math.cosh(x);
  }

  /** ∂x = g·sinh x. */
  @Derivative(of = Math.class, method = "cosh")
  public static double coshVjp(double g, double out, double x) {
    return g * Math.sinh(x);
  }

  /** ∂x = g / (1 + x²). */
  @Derivative(of = Math.class, method = "atan")
  public static double atanVjp(double g, double out, double x) {
    return g / (1 + x * x);
  }

  /** ∂x = g / √(1 - x²). */
  @Derivative(of = Math.class, method = "asin")
  public static double asinVjp(double g, double out, double x) {
    return g / Math.sqrt(1 - x * x);
  }

  /** ∂x = -g / √(1 - x²). */
  @Derivative(of = Math.class, method = "acos")
  public static double acosVjp(double g, double out, double x) {
    return -g / Math.sqrt(1 - x * x);
  }

  /** ∂x = g·sign(x), 0 at 0 (PyTorch's subgradient). */
  @Derivative(of = Math.class, method = "abs")
  public static double absVjp(double g, double out, double x) {
    return x > 0 ? g : x < 0 ? -g : 0;
  }

  /** ∂x = g·y·x^(y-1) (0 where y = 0). */
  @Derivative(of = Math.class, method = "pow", wrt = 0)
  public static double powVjpBase(double g, double out, double x, double y) {
    if (y == 2) {
      return g * 2 * x; // the common square, without a general pow
    }
    return y == 0 ? 0 : g * y * Math.pow(x, y - 1);
  }

  /** ∂y = g·x^y·ln x (0 where x = 0, as PyTorch masks it). */
  @Derivative(of = Math.class, method = "pow", wrt = 1)
  public static double powVjpExponent(double g, double out, double x, double y) {
    return x == 0 ? 0 : g * out * Math.log(x);
  }

  /** ∂x = g·x / hypot(x, y). */
  @Derivative(of = Math.class, method = "hypot", wrt = 0)
  public static double hypotVjpX(double g, double out, double x, double y) {
    return out == 0 ? 0 : g * x / out;
  }

  /** ∂y = g·y / hypot(x, y). */
  @Derivative(of = Math.class, method = "hypot", wrt = 1)
  public static double hypotVjpY(double g, double out, double x, double y) {
    return out == 0 ? 0 : g * y / out;
  }

  /** ∂y = g·x / (x² + y²) for atan2(y, x). */
  @Derivative(of = Math.class, method = "atan2", wrt = 0)
  public static double atan2VjpY(double g, double out, double y, double x) {
    return g * x / (x * x + y * y);
  }

  /** ∂x = -g·y / (x² + y²) for atan2(y, x). */
  @Derivative(of = Math.class, method = "atan2", wrt = 1)
  public static double atan2VjpX(double g, double out, double y, double x) {
    return -g * y / (x * x + y * y);
  }

  /** ∂a = g where a ≥ b (ties go to the first argument). */
  @Derivative(of = Math.class, method = "max", wrt = 0)
  public static double maxVjpA(double g, double out, double a, double b) {
    return a >= b ? g : 0;
  }

  /** ∂b = g where b > a. */
  @Derivative(of = Math.class, method = "max", wrt = 1)
  public static double maxVjpB(double g, double out, double a, double b) {
    return a >= b ? 0 : g;
  }

  /** ∂a = g where a ≤ b (ties go to the first argument). */
  @Derivative(of = Math.class, method = "min", wrt = 0)
  public static double minVjpA(double g, double out, double a, double b) {
    return a <= b ? g : 0;
  }

  /** ∂b = g where b &lt; a. */
  @Derivative(of = Math.class, method = "min", wrt = 1)
  public static double minVjpB(double g, double out, double a, double b) {
    return a <= b ? 0 : g;
  }

  /** ∂x = 0: {@code floor} is piecewise constant (PyTorch's {@code floor} backward is zero). */
  @Derivative(of = Math.class, method = "floor")
  public static double floorVjp(double g, double out, double x) {
    return 0;
  }

  /** ∂x = 0: {@code ceil} is piecewise constant. */
  @Derivative(of = Math.class, method = "ceil")
  public static double ceilVjp(double g, double out, double x) {
    return 0;
  }

  /** ∂x = 0: {@code rint} is piecewise constant (PyTorch's {@code round} backward is zero). */
  @Derivative(of = Math.class, method = "rint")
  public static double rintVjp(double g, double out, double x) {
    return 0;
  }

  /** ∂x = 0: {@code signum} is piecewise constant (PyTorch's {@code sign} backward is zero). */
  @Derivative(of = Math.class, method = "signum")
  public static double signumVjp(double g, double out, double x) {
    return 0;
  }

  /** ∂x = g·π/180. */
  @Derivative(of = Math.class, method = "toRadians")
  public static double toRadiansVjp(double g, double out, double x) {
    return Math.toRadians(g);
  }

  /** ∂x = g·180/π. */
  @Derivative(of = Math.class, method = "toDegrees")
  public static double toDegreesVjp(double g, double out, double x) {
    return Math.toDegrees(g);
  }

  /** {@code fma(a, b, c) = a·b + c}: ∂a = g·b. */
  @Derivative(of = Math.class, method = "fma", wrt = 0)
  public static double fmaVjpA(double g, double out, double a, double b, double c) {
    return g * b;
  }

  /** ∂b = g·a. */
  @Derivative(of = Math.class, method = "fma", wrt = 1)
  public static double fmaVjpB(double g, double out, double a, double b, double c) {
    return g * a;
  }

  /** ∂c = g. */
  @Derivative(of = Math.class, method = "fma", wrt = 2)
  public static double fmaVjpC(double g, double out, double a, double b, double c) {
    return g;
  }
}
