package dev.adjoint.rules;

import static dev.adjoint.rules.Rules.broadcastBinary;
import static dev.adjoint.rules.Rules.unary;

import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;

/**
 * More first-week elementwise functions (session 10): the error function {@code erf}, linear interpolation
 * {@code lerp} and the two remainders {@code fmod} (C's, the sign of the dividend) and {@code remainder} (Python's,
 * the sign of the divisor), each a forward in float32 and float64, its adjoint and its JVP with PyTorch's formulas
 * ({@code tools/autograd/derivatives.yaml}). A number argument gets a gradient, as PyTorch gives it for a 0-d tensor
 * in its place (the row convention of {@code mul(double)}).
 */
public final class PointwiseRules {
  private PointwiseRules() {}

  /** 2/√π, the factor of erf's derivative. */
  private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

  // ---- erf

  /** {@code erf(a)}, to double precision ({@link ActivationRules#erf}). */
  public static Tensor erf(Tensor a) {
    return F64Rules.any(a) ? F64Rules.unary(a, ActivationRules::erf) : unary(a, x -> (float) ActivationRules.erf(x));
  }

  /** ∂a = g·2/√π·e^(−a²). */
  public static Grads erfVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.unaryVjp(g, out, a, (x, o) -> TWO_OVER_SQRT_PI * Math.exp(-x * x));
    }
    return Grads.of(broadcastBinary("erf", g, a, (gv, x) -> (float) (gv * TWO_OVER_SQRT_PI * Math.exp(-x * x))));
  }

  /** ṫ = ȧ·2/√π·e^(−a²). */
  public static Tensor erfJvp(Tensor ta, Tensor out, Tensor a) {
    return ta == null ? null : erfVjp(ta, out, a).get(0);
  }

  /**
   * The second-order rule beside {@link #erfVjp} (the part of its tangent that moves with {@code a} at fixed
   * {@code g}): ∂(g·2/√π·e^(−a²)) = g·2/√π·e^(−a²)·(−2a)·ȧ.
   */
  public static Grads erfVjpJvp(Tensor g, Tensor out, Tensor a, Tensor tOut, Tensor ta) {
    if (ta == null) {
      return null;
    }
    Tensor first = erfVjp(ElementwiseRules.mul(g, ta), out, a).get(0);
    return Grads.of(ElementwiseRules.mul(first, ElementwiseRules.mul(a, -2)));
  }

  // ---- lerp with a number weight

  /**
   * {@code a + w·(end − a)} with broadcasting, computed as PyTorch does ({@code end − (end − a)·(1 − w)} when
   * {@code |w| ≥ 0.5}, so that {@code w = 1} gives {@code end} exactly).
   */
  public static Tensor lerp(Tensor a, Tensor end, double w) {
    if (F64Rules.any(a, end)) {
      return F64Rules.binary("lerp", a, end, (x, y) -> lerp(x, y, w));
    }
    float fw = (float) w;
    return broadcastBinary("lerp", a, end, (x, y) -> Math.abs(fw) < 0.5f ? x + fw * (y - x) : y - (y - x) * (1 - fw));
  }

  private static double lerp(double x, double y, double w) {
    return Math.abs(w) < 0.5 ? x + w * (y - x) : y - (y - x) * (1 - w);
  }

  /** ∂a = g·(1 − w), ∂end = g·w, each summed to its input's shape; ∂w = Σ g·(end − a). */
  public static Grads lerpVjp(Tensor g, Tensor out, Tensor a, Tensor end, double w) {
    return Grads.lazy(3, i -> switch (i) {
      case 0 -> to(ElementwiseRules.mul(g, 1 - w), a);
      case 1 -> to(ElementwiseRules.mul(g, w), end);
      default -> Rules.sumAll(ElementwiseRules.mul(g, ElementwiseRules.sub(end, a)));
    });
  }

  /** ṫ = ȧ·(1 − w) + ėnd·w + ẇ·(end − a). */
  public static Tensor lerpJvp(Tensor ta, Tensor tend, double tw, Tensor out, Tensor a, Tensor end, double w) {
    Tensor t = Jvps.plus(out, ta == null ? null : ElementwiseRules.mul(ta, 1 - w),
        tend == null ? null : ElementwiseRules.mul(tend, w));
    return tw == 0 ? t : Jvps.plus(out, t, ElementwiseRules.mul(ElementwiseRules.sub(end, a), tw));
  }

  // ---- lerp with a tensor weight

  /** {@code a + w·(end − a)} elementwise with broadcasting over all three. */
  public static Tensor lerp(Tensor a, Tensor end, Tensor w) {
    Tensor d = ElementwiseRules.sub(end, a);
    Tensor out = ElementwiseRules.add(a, ElementwiseRules.mul(w, d));
    // PyTorch's form for |w| ≥ 0.5, element by element
    Tensor far = ElementwiseRules.sub(end, ElementwiseRules.mul(d, ElementwiseRules.rsub(w, 1)));
    return IndexingRules.where(IndexingRules.compare("lt", ElementwiseRules.abs(w), 0.5), out, far);
  }

  /** ∂a = g·(1 − w), ∂end = g·w, ∂w = g·(end − a), each summed to its input's shape. */
  public static Grads lerpTensorVjp(Tensor g, Tensor out, Tensor a, Tensor end, Tensor w) {
    return Grads.lazy(3, i -> switch (i) {
      case 0 -> to(ElementwiseRules.mul(g, ElementwiseRules.rsub(w, 1)), a);
      case 1 -> to(ElementwiseRules.mul(g, w), end);
      default -> to(ElementwiseRules.mul(g, ElementwiseRules.sub(end, a)), w);
    });
  }

  /** ṫ = ȧ·(1 − w) + ėnd·w + ẇ·(end − a). */
  public static Tensor lerpTensorJvp(Tensor ta, Tensor tend, Tensor tw, Tensor out, Tensor a, Tensor end,
      Tensor w) {
    Tensor t = Jvps.plus(out, ta == null ? null : ElementwiseRules.mul(ta, ElementwiseRules.rsub(w, 1)),
        tend == null ? null : ElementwiseRules.mul(tend, w));
    return tw == null ? t : Jvps.plus(out, t, ElementwiseRules.mul(tw, ElementwiseRules.sub(end, a)));
  }

  // ---- fmod and remainder by a number

  /** {@code fmod(a, s)}: {@code a − s·trunc(a/s)}, the sign of {@code a} (Java's {@code %}, exact). */
  public static Tensor fmod(Tensor a, double s) {
    if (F64Rules.any(a)) {
      return F64Rules.unary(a, x -> x % s);
    }
    float fs = (float) s;
    return unary(a, x -> x % fs);
  }

  /** ∂a = g, ∂s = −Σ g·trunc(a/s). */
  public static Grads fmodVjp(Tensor g, Tensor out, Tensor a, double s) {
    return Grads.lazy(2, i -> i == 0 ? to(g, a) : Rules.dotAll(quotient(a, s, true), g));
  }

  /** ṫ = ȧ − ṡ·trunc(a/s). */
  public static Tensor fmodJvp(Tensor ta, double ts, Tensor out, Tensor a, double s) {
    Tensor t = ta == null ? null : Jvps.plus(out, ta, null);
    return ts == 0 ? t : Jvps.plus(out, t, ElementwiseRules.mul(quotient(a, s, true), ts));
  }

  /** {@code remainder(a, s)}: {@code a − s·floor(a/s)}, the sign of {@code s} (Python's {@code %}). */
  public static Tensor remainder(Tensor a, double s) {
    if (F64Rules.any(a)) {
      return F64Rules.unary(a, x -> remainder(x, s));
    }
    float fs = (float) s;
    return unary(a, x -> {
      float r = x % fs;
      return r != 0 && (r < 0) != (fs < 0) ? r + fs : r;
    });
  }

  private static double remainder(double x, double s) {
    double r = x % s;
    return r != 0 && (r < 0) != (s < 0) ? r + s : r;
  }

  /** ∂a = g, ∂s = −Σ g·floor(a/s). */
  public static Grads remainderVjp(Tensor g, Tensor out, Tensor a, double s) {
    return Grads.lazy(2, i -> i == 0 ? to(g, a) : Rules.dotAll(quotient(a, s, false), g));
  }

  /** ṫ = ȧ − ṡ·floor(a/s). */
  public static Tensor remainderJvp(Tensor ta, double ts, Tensor out, Tensor a, double s) {
    Tensor t = ta == null ? null : Jvps.plus(out, ta, null);
    return ts == 0 ? t : Jvps.plus(out, t, ElementwiseRules.mul(quotient(a, s, false), ts));
  }

  /** {@code −trunc(a/s)} or {@code −floor(a/s)}: the derivative of the remainder by its divisor. */
  private static Tensor quotient(Tensor a, double s, boolean trunc) {
    if (F64Rules.any(a)) {
      return F64Rules.unary(a, x -> -(trunc ? truncate(x / s) : Math.floor(x / s)));
    }
    float fs = (float) s;
    return unary(a, x -> (float) -(trunc ? truncate(x / fs) : Math.floor(x / fs)));
  }

  private static double truncate(double q) {
    return q < 0 ? Math.ceil(q) : Math.floor(q);
  }

  /** {@code g} summed to {@code like}'s shape, in its dtype. */
  private static Tensor to(Tensor g, Tensor like) {
    return F64Rules.as(Rules.unbroadcast(g, like.shape()), like);
  }
}
