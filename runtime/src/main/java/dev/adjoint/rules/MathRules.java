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

  // ---- second order (issue 16): the JVP of each adjoint above with respect to its primal arguments,
  // {@code fooVjpJvp(g, out, inputs..., tOut, tInputs...)}. The part linear in g is the adjoint itself
  // (vjp(ġ, out, x)), so these give only ∂vjp/∂out·ṫout + Σ ∂vjp/∂x·ẋ; the processor's forward-over-reverse
  // Hessian-vector products (fHvp) read them. An adjoint without one has no fHvp.

  /** d(g·cos x) = -g·sin x·ẋ, with sin x = out (no second sine). */
  public static double sinVjpJvp(double g, double out, double x, double tOut, double tX) {
    return -g * out * tX;
  }

  /** d(-g·sin x) = -g·cos x·ẋ, with cos x = out. */
  public static double cosVjpJvp(double g, double out, double x, double tOut, double tX) {
    return -g * out * tX;
  }

  /** d(g·(1 + out²)) = 2g·out·ȯut. */
  public static double tanVjpJvp(double g, double out, double x, double tOut, double tX) {
    return 2 * g * out * tOut;
  }

  /** d(g·out) = g·ȯut. */
  public static double expVjpJvp(double g, double out, double x, double tOut, double tX) {
    return g * tOut;
  }

  /** d(g·(out + 1)) = g·ȯut. */
  public static double expm1VjpJvp(double g, double out, double x, double tOut, double tX) {
    return g * tOut;
  }

  /** d(g / x) = -g / x²·ẋ. */
  public static double logVjpJvp(double g, double out, double x, double tOut, double tX) {
    return -g / (x * x) * tX;
  }

  /** d(g / (1 + x)) = -g / (1 + x)²·ẋ. */
  public static double log1pVjpJvp(double g, double out, double x, double tOut, double tX) {
    return -g / ((1 + x) * (1 + x)) * tX;
  }

  /** d(g / (2·out)) = -g / (2·out²)·ȯut. */
  public static double sqrtVjpJvp(double g, double out, double x, double tOut, double tX) {
    return -g / (2 * out * out) * tOut;
  }

  /** d(g·(1 - out²)) = -2g·out·ȯut. */
  public static double tanhVjpJvp(double g, double out, double x, double tOut, double tX) {
    return -2 * g * out * tOut;
  }

  /** d(g·cosh x) = g·sinh x·ẋ, with sinh x = out. */
  public static double sinhVjpJvp(double g, double out, double x, double tOut, double tX) {
    return g * out * tX;
  }

  /** d(g·sinh x) = g·cosh x·ẋ, with cosh x = out. */
  public static double coshVjpJvp(double g, double out, double x, double tOut, double tX) {
    return g * out * tX;
  }

  /** d(g / (1 + x²)) = -2g·x / (1 + x²)²·ẋ. */
  public static double atanVjpJvp(double g, double out, double x, double tOut, double tX) {
    double d = 1 + x * x;
    return -2 * g * x / (d * d) * tX;
  }

  /** {@code abs}'s adjoint is piecewise constant in x. */
  public static double absVjpJvp(double g, double out, double x, double tOut, double tX) {
    return 0;
  }

  /** d(g·y·x^(y-1)) = g·y·(y-1)·x^(y-2)·ẋ + g·x^(y-1)·(1 + y·ln x)·ẏ (0 where y = 0, as the adjoint). */
  public static double powVjpBaseJvp(double g, double out, double x, double y, double tOut, double tX, double tY) {
    if (y == 0) {
      return 0;
    }
    double byX = tX == 0 ? 0 : g * y * (y - 1) * Math.pow(x, y - 2) * tX;
    double byY = tY == 0 ? 0 : g * Math.pow(x, y - 1) * (1 + y * Math.log(x)) * tY;
    return byX + byY;
  }

  /** d(g·out·ln x) = g·ln x·ȯut + g·out / x·ẋ (0 where x = 0, as the adjoint). */
  public static double powVjpExponentJvp(double g, double out, double x, double y, double tOut, double tX,
      double tY) {
    return x == 0 ? 0 : g * Math.log(x) * tOut + g * out / x * tX;
  }

  /** {@code floor}'s adjoint is zero. */
  public static double floorVjpJvp(double g, double out, double x, double tOut, double tX) {
    return 0;
  }

  /** {@code ceil}'s adjoint is zero. */
  public static double ceilVjpJvp(double g, double out, double x, double tOut, double tX) {
    return 0;
  }

  /** {@code rint}'s adjoint is zero. */
  public static double rintVjpJvp(double g, double out, double x, double tOut, double tX) {
    return 0;
  }

  /** {@code signum}'s adjoint is zero. */
  public static double signumVjpJvp(double g, double out, double x, double tOut, double tX) {
    return 0;
  }

  /** The selection of {@code max} is piecewise constant. */
  public static double maxVjpAJvp(double g, double out, double a, double b, double tOut, double tA, double tB) {
    return 0;
  }

  /** The selection of {@code max} is piecewise constant. */
  public static double maxVjpBJvp(double g, double out, double a, double b, double tOut, double tA, double tB) {
    return 0;
  }

  /** The selection of {@code min} is piecewise constant. */
  public static double minVjpAJvp(double g, double out, double a, double b, double tOut, double tA, double tB) {
    return 0;
  }

  /** The selection of {@code min} is piecewise constant. */
  public static double minVjpBJvp(double g, double out, double a, double b, double tOut, double tA, double tB) {
    return 0;
  }

  /** d(g / (x ln 10)) = -g / (x² ln 10)·ẋ. */
  public static double log10VjpJvp(double g, double out, double x, double tOut, double tX) {
    return -g / (x * x * Math.log(10)) * tX;
  }

  /** d(g / (3·out²)) = -2g / (3·out³)·ȯut. */
  public static double cbrtVjpJvp(double g, double out, double x, double tOut, double tX) {
    return -2 * g / (3 * out * out * out) * tOut;
  }

  /** d(g / √(1 - x²)) = g·x / (1 - x²)^(3/2)·ẋ. */
  public static double asinVjpJvp(double g, double out, double x, double tOut, double tX) {
    double d = 1 - x * x;
    return g * x / (d * Math.sqrt(d)) * tX;
  }

  /** d(-g / √(1 - x²)) = -g·x / (1 - x²)^(3/2)·ẋ. */
  public static double acosVjpJvp(double g, double out, double x, double tOut, double tX) {
    double d = 1 - x * x;
    return -g * x / (d * Math.sqrt(d)) * tX;
  }

  /** {@code toRadians} is linear. */
  public static double toRadiansVjpJvp(double g, double out, double x, double tOut, double tX) {
    return 0;
  }

  /** {@code toDegrees} is linear. */
  public static double toDegreesVjpJvp(double g, double out, double x, double tOut, double tX) {
    return 0;
  }
}
