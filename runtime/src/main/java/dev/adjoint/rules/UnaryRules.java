package dev.adjoint.rules;

import static dev.adjoint.rules.ElementwiseRules.add;
import static dev.adjoint.rules.ElementwiseRules.div;
import static dev.adjoint.rules.ElementwiseRules.mul;
import static dev.adjoint.rules.ElementwiseRules.rsub;
import static dev.adjoint.rules.ElementwiseRules.square;
import static dev.adjoint.rules.Rules.broadcastBinary;
import static dev.adjoint.rules.Rules.unary;

import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;

/**
 * The elementwise functions a PyTorch user reaches for in the first week beyond {@link ElementwiseRules}: the
 * other trigonometric and hyperbolic functions ({@code tan asin acos atan sinh cosh}) and the rounding family
 * ({@code sign floor ceil round trunc}), each a forward in float32 and float64 and its adjoint, with PyTorch's
 * formulas ({@code tools/autograd/derivatives.yaml}). The rounding functions are piecewise constant: PyTorch
 * gives them a zero gradient (not an error), and so do these adjoints.
 */
public final class UnaryRules {
  private UnaryRules() {}

  /** {@code tan(a)}. */
  public static Tensor tan(Tensor a) {
    return F64Rules.any(a) ? F64Rules.unary(a, Math::tan) : unary(a, x -> (float) Math.tan(x));
  }

  /** ∂a = g·(1 + out²), PyTorch's form. Reads only {@code out}. */
  public static Grads tanVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, out)) {
      return F64Rules.unaryVjp(g, out, a, (x, o) -> 1 + o * o);
    }
    return Grads.of(broadcastBinary("tan", g, out, (x, y) -> x * (1f + y * y)));
  }

  /** {@code asin(a)}, NaN outside [-1, 1]. */
  public static Tensor asin(Tensor a) {
    return F64Rules.any(a) ? F64Rules.unary(a, Math::asin) : unary(a, x -> (float) Math.asin(x));
  }

  /** ∂a = g / sqrt(1 - a²). */
  public static Grads asinVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.unaryVjp(g, out, a, (x, o) -> 1 / Math.sqrt(1 - x * x));
    }
    return Grads.of(broadcastBinary("asin", g, a, (x, y) -> (float) (x / Math.sqrt(1 - y * y))));
  }

  /** {@code acos(a)}, NaN outside [-1, 1]. */
  public static Tensor acos(Tensor a) {
    return F64Rules.any(a) ? F64Rules.unary(a, Math::acos) : unary(a, x -> (float) Math.acos(x));
  }

  /** ∂a = -g / sqrt(1 - a²). */
  public static Grads acosVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.unaryVjp(g, out, a, (x, o) -> -1 / Math.sqrt(1 - x * x));
    }
    return Grads.of(broadcastBinary("acos", g, a, (x, y) -> (float) (-x / Math.sqrt(1 - y * y))));
  }

  /** {@code atan(a)}. */
  public static Tensor atan(Tensor a) {
    return F64Rules.any(a) ? F64Rules.unary(a, Math::atan) : unary(a, x -> (float) Math.atan(x));
  }

  /** ∂a = g / (1 + a²). */
  public static Grads atanVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.unaryVjp(g, out, a, (x, o) -> 1 / (1 + x * x));
    }
    return Grads.of(broadcastBinary("atan", g, a, (x, y) -> x / (1f + y * y)));
  }

  /** {@code sinh(a)}. */
  public static Tensor sinh(Tensor a) {
    return F64Rules.any(a) ? F64Rules.unary(a, Math::sinh) : unary(a, x -> (float) Math.sinh(x));
  }

  /** ∂a = g·cosh(a). */
  public static Grads sinhVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.unaryVjp(g, out, a, (x, o) -> Math.cosh(x));
    }
    return Grads.of(broadcastBinary("sinh", g, a, (x, y) -> (float) (x * Math.cosh(y))));
  }

  /** {@code cosh(a)}. */
  public static Tensor cosh(Tensor a) {
    return F64Rules.any(a) ? F64Rules.unary(a, Math::cosh) : unary(a, x -> (float) Math.cosh(x));
  }

  /** ∂a = g·sinh(a). */
  public static Grads coshVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.unaryVjp(g, out, a, (x, o) -> Math.sinh(x));
    }
    return Grads.of(broadcastBinary("cosh", g, a, (x, y) -> (float) (x * Math.sinh(y))));
  }

  // ---- piecewise constant: a zero gradient, as PyTorch's (zeros_like(grad))

  /** {@code -1, 0 or 1} by the sign of {@code a}; NaN stays NaN ({@code torch.sign}). */
  public static Tensor sign(Tensor a) {
    return F64Rules.any(a) ? F64Rules.unary(a, Math::signum) : unary(a, Math::signum);
  }

  /** {@code floor(a)}. */
  public static Tensor floor(Tensor a) {
    return F64Rules.any(a) ? F64Rules.unary(a, Math::floor) : unary(a, x -> (float) Math.floor(x));
  }

  /** {@code ceil(a)}. */
  public static Tensor ceil(Tensor a) {
    return F64Rules.any(a) ? F64Rules.unary(a, Math::ceil) : unary(a, x -> (float) Math.ceil(x));
  }

  /** {@code a} rounded to the nearest integer, halves to even ({@code torch.round}, {@code Math.rint}). */
  public static Tensor round(Tensor a) {
    return F64Rules.any(a) ? F64Rules.unary(a, Math::rint) : unary(a, x -> (float) Math.rint(x));
  }

  /** {@code a} rounded toward zero. */
  public static Tensor trunc(Tensor a) {
    return F64Rules.any(a) ? F64Rules.unary(a, UnaryRules::truncate) : unary(a, x -> (float) truncate(x));
  }

  private static double truncate(double x) {
    return x < 0 ? Math.ceil(x) : Math.floor(x);
  }

  /** ∂a = 0 (sign, floor, ceil, round, trunc): zeros shaped and typed as the input. Reads nothing. */
  public static Grads zeroVjp(Tensor g, Tensor out, Tensor a) {
    return Grads.of(Tensor.zeros(g.shape(), a == null ? g.dtype() : a.dtype()));
  }

  // ---- binary, broadcasting: atan2, hypot, logaddexp (in this class to keep the first-week functions together)

  /** {@code atan2(a, b)}: the angle of the point (b, a), broadcasting. */
  public static Tensor atan2(Tensor a, Tensor b) {
    return F64Rules.any(a, b) ? F64Rules.binary("atan2", a, b, Math::atan2)
        : broadcastBinary("atan2", a, b, (y, x) -> (float) Math.atan2(y, x));
  }

  /** ∂a = g·b / (a² + b²), ∂b = -g·a / (a² + b²), each summed to its input's shape. */
  public static Grads atan2Vjp(Tensor g, Tensor out, Tensor a, Tensor b) {
    Tensor r = add(square(a), square(b));
    return Grads.of(to(div(mul(g, b), r), a), to(div(mul(g, a), mul(r, -1)), b));
  }

  /** ṫ = (ȧ·b - ḃ·a) / (a² + b²). */
  public static Tensor atan2Jvp(Tensor ta, Tensor tb, Tensor out, Tensor a, Tensor b) {
    Tensor r = add(square(a), square(b));
    return Jvps.plus(out, ta == null ? null : div(mul(ta, b), r), tb == null ? null : div(mul(tb, a), mul(r, -1)));
  }

  /** {@code sqrt(a² + b²)} without overflow ({@code Math.hypot}), broadcasting. */
  public static Tensor hypot(Tensor a, Tensor b) {
    return F64Rules.any(a, b) ? F64Rules.binary("hypot", a, b, Math::hypot)
        : broadcastBinary("hypot", a, b, (x, y) -> (float) Math.hypot(x, y));
  }

  /** ∂a = g·a / out, ∂b = g·b / out, each summed to its input's shape. */
  public static Grads hypotVjp(Tensor g, Tensor out, Tensor a, Tensor b) {
    Tensor q = div(g, out);
    return Grads.of(to(mul(q, a), a), to(mul(q, b), b));
  }

  /** ṫ = (ȧ·a + ḃ·b) / out. */
  public static Tensor hypotJvp(Tensor ta, Tensor tb, Tensor out, Tensor a, Tensor b) {
    return Jvps.plus(out, ta == null ? null : div(mul(ta, a), out), tb == null ? null : div(mul(tb, b), out));
  }

  /** {@code log(e^a + e^b)}, stable ({@code max + log1p(e^-|a-b|)}), broadcasting; {@code -inf} with {@code -inf}. */
  public static Tensor logaddexp(Tensor a, Tensor b) {
    return F64Rules.any(a, b) ? F64Rules.binary("logaddexp", a, b, UnaryRules::logaddexp)
        : broadcastBinary("logaddexp", a, b, (x, y) -> (float) logaddexp(x, y));
  }

  private static double logaddexp(double x, double y) {
    if (x == y && Double.isInfinite(x)) {
      return x;
    }
    double m = Math.max(x, y);
    return m + Math.log1p(Math.exp(-Math.abs(x - y)));
  }

  /** ∂a = g·e^(a - out), ∂b = g·e^(b - out), each summed to its input's shape. */
  public static Grads logaddexpVjp(Tensor g, Tensor out, Tensor a, Tensor b) {
    return Grads.of(to(mul(g, ElementwiseRules.exp(ElementwiseRules.sub(a, out))), a),
        to(mul(g, ElementwiseRules.exp(ElementwiseRules.sub(b, out))), b));
  }

  /** ṫ = ȧ·e^(a - out) + ḃ·e^(b - out). */
  public static Tensor logaddexpJvp(Tensor ta, Tensor tb, Tensor out, Tensor a, Tensor b) {
    return Jvps.plus(out, ta == null ? null : mul(ta, ElementwiseRules.exp(ElementwiseRules.sub(a, out))),
        tb == null ? null : mul(tb, ElementwiseRules.exp(ElementwiseRules.sub(b, out))));
  }

  /** {@code g} summed to {@code like}'s shape, in its dtype. */
  private static Tensor to(Tensor g, Tensor like) {
    return F64Rules.as(Rules.unbroadcast(g, like.shape()), like);
  }

  // ---- forward over reverse: second-order rules {@code fooVjpJvp(g, out, a, tOut, ta)}, the adjoint's tangent
  // at fixed g (see ElementwiseRules); a null tangent is zero, a null result is zero

  /** ∂(g·(1 + out²)) = 2·g·out·ȯut. */
  public static Grads tanVjpJvp(Tensor g, Tensor out, Tensor a, Tensor tOut, Tensor ta) {
    return tOut == null ? null : Grads.of(mul(mul(g, out), mul(tOut, 2)));
  }

  /** ∂(g / sqrt(1 - a²)) = g·a·ȧ / (1 - a²)^(3/2). */
  public static Grads asinVjpJvp(Tensor g, Tensor out, Tensor a, Tensor tOut, Tensor ta) {
    return ta == null ? null : Grads.of(asinCurvature(g, a, ta));
  }

  /** ∂(-g / sqrt(1 - a²)) = -g·a·ȧ / (1 - a²)^(3/2). */
  public static Grads acosVjpJvp(Tensor g, Tensor out, Tensor a, Tensor tOut, Tensor ta) {
    return ta == null ? null : Grads.of(mul(asinCurvature(g, a, ta), -1));
  }

  private static Tensor asinCurvature(Tensor g, Tensor a, Tensor ta) {
    Tensor oneMinus = rsub(square(a), 1);
    return div(mul(mul(g, a), ta), mul(oneMinus, ElementwiseRules.sqrt(oneMinus)));
  }

  /** ∂(g / (1 + a²)) = -2·g·a·ȧ / (1 + a²)². */
  public static Grads atanVjpJvp(Tensor g, Tensor out, Tensor a, Tensor tOut, Tensor ta) {
    if (ta == null) {
      return null;
    }
    Tensor onePlus = add(square(a), 1);
    return Grads.of(div(mul(mul(g, a), mul(ta, -2)), square(onePlus)));
  }

  /** ∂(g·cosh a) = g·sinh(a)·ȧ. */
  public static Grads sinhVjpJvp(Tensor g, Tensor out, Tensor a, Tensor tOut, Tensor ta) {
    return ta == null ? null : Grads.of(mul(mul(g, ta), out));
  }

  /** ∂(g·sinh a) = g·cosh(a)·ȧ. */
  public static Grads coshVjpJvp(Tensor g, Tensor out, Tensor a, Tensor tOut, Tensor ta) {
    return ta == null ? null : Grads.of(mul(mul(g, ta), out));
  }

  /** The zero adjoint does not move: zero. */
  public static Grads zeroVjpJvp(Tensor g, Tensor out, Tensor a, Tensor tOut, Tensor ta) {
    return null;
  }

  /** ṫ = 0 (sign, floor, ceil, round, trunc): a zero tangent. */
  public static Tensor zeroJvp(Tensor ta, Tensor out, Tensor a) {
    return Tensor.zeros(out.shape(), out.dtype());
  }
}
