package dev.adjoint.rules;

import static dev.adjoint.rules.Rules.broadcastBinary;
import static dev.adjoint.rules.Rules.dotAll;
import static dev.adjoint.rules.Rules.sumAll;
import static dev.adjoint.rules.Rules.unary;
import static dev.adjoint.rules.Rules.unbroadcast;

import dev.adjoint.Tensor;
import dev.adjoint.autograd.BufferPool;
import dev.adjoint.autograd.Grads;
import dev.adjoint.kernel.Kernels;
import java.util.Arrays;

/**
 * Elementwise operations and their adjoints, side by side. Each forward only computes; {@link Tensor}'s
 * {@code @Primitive} row names the {@code *Vjp} method next to it, and the facade records the node from
 * that row. Adjoint signature: {@code (g, out, inputs...) -> Grads}; a scalar parameter's gradient is
 * computed lazily, as eager nodes never read it.
 */
public final class ElementwiseRules {
  private ElementwiseRules() {}

  private static boolean sameShape(Tensor a, Tensor b) {
    return a.sameShape(b);
  }

  private static Tensor kernel2(Tensor a, Tensor b, int which) {
    float[] out = new float[a.numel()];
    Kernels k = Kernels.get();
    switch (which) {
      case 0 -> k.add(a.storage(), b.storage(), out, out.length);
      case 1 -> k.sub(a.storage(), b.storage(), out, out.length);
      case 2 -> k.mul(a.storage(), b.storage(), out, out.length);
      default -> k.div(a.storage(), b.storage(), out, out.length);
    }
    return Tensor.wrapLike(out, a);
  }

  static Tensor affine(Tensor a, double s, double t) {
    if (F64Rules.any(a)) {
      return F64Rules.affine(a, s, t);
    }
    float[] out = new float[a.numel()];
    Kernels.get().affine(a.storage(), (float) s, (float) t, out, out.length);
    return Tensor.wrapLike(out, a);
  }

  // ---- add

  /** {@code a + b} with broadcasting. */
  public static Tensor add(Tensor a, Tensor b) {
    if (F64Rules.any(a, b)) {
      return F64Rules.add(a, b);
    }
    return sameShape(a, b) ? kernel2(a, b, 0)
        : Rules.isRowOf(b, a) ? Rules.addRow(a, b)
        : Rules.isColumnOf(b, a) ? Rules.addColumn(a, b)
        : Rules.isColumnOf(a, b) ? Rules.addColumn(b, a) : broadcastBinary("add", a, b, Float::sum);
  }

  /** ∂a = unbroadcast(g), ∂b = unbroadcast(g). */
  public static Grads addVjp(Tensor g, Tensor out, Tensor a, Tensor b) {
    if (F64Rules.any(g, a, b)) {
      return F64Rules.addSubVjp(g, a, b, 1);
    }
    return Grads.lazy(2, i -> i == 0 ? unbroadcast(g, a) : unbroadcast(g, b));
  }

  /** {@code a + s}. */
  public static Tensor add(Tensor a, double s) {
    if (F64Rules.any(a)) {
      return F64Rules.affine(a, 1, s);
    }
    return affine(a, 1, s);
  }

  /** ∂a = g, ∂s = Σg. */
  public static Grads addScalarVjp(Tensor g, Tensor out, Tensor a, double s) {
    if (F64Rules.any(g, a)) {
      return F64Rules.shiftScalarVjp(g, a, 1, 1);
    }
    return Grads.lazy(2, i -> i == 0 ? g : sumAll(g));
  }

  // ---- sub

  /** {@code a - b} with broadcasting. */
  public static Tensor sub(Tensor a, Tensor b) {
    if (F64Rules.any(a, b)) {
      return F64Rules.sub(a, b);
    }
    return sameShape(a, b) ? kernel2(a, b, 1) : broadcastBinary("sub", a, b, (x, y) -> x - y);
  }

  /** ∂a = unbroadcast(g), ∂b = -unbroadcast(g). */
  public static Grads subVjp(Tensor g, Tensor out, Tensor a, Tensor b) {
    if (F64Rules.any(g, a, b)) {
      return F64Rules.addSubVjp(g, a, b, -1);
    }
    return Grads.lazy(2, i -> i == 0 ? unbroadcast(g, a) : negate(unbroadcast(g, b)));
  }

  /** {@code a - s}. */
  public static Tensor sub(Tensor a, double s) {
    if (F64Rules.any(a)) {
      return F64Rules.affine(a, 1, -s);
    }
    return affine(a, 1, -s);
  }

  /** ∂a = g, ∂s = -Σg. */
  public static Grads subScalarVjp(Tensor g, Tensor out, Tensor a, double s) {
    if (F64Rules.any(g, a)) {
      return F64Rules.shiftScalarVjp(g, a, 1, -1);
    }
    return Grads.lazy(2, i -> i == 0 ? g : Tensor.scalar(-sumAll(g).item()));
  }

  /** {@code s - a}. */
  public static Tensor rsub(Tensor a, double s) {
    if (F64Rules.any(a)) {
      return F64Rules.affine(a, -1, s);
    }
    return affine(a, -1, s);
  }

  /** ∂a = -g, ∂s = Σg. */
  public static Grads rsubVjp(Tensor g, Tensor out, Tensor a, double s) {
    if (F64Rules.any(g, a)) {
      return F64Rules.shiftScalarVjp(g, a, -1, 1);
    }
    return Grads.lazy(2, i -> i == 0 ? negate(g) : sumAll(g));
  }

  // ---- mul

  /** {@code a * b} with broadcasting. */
  public static Tensor mul(Tensor a, Tensor b) {
    if (F64Rules.any(a, b)) {
      return F64Rules.mul(a, b);
    }
    return sameShape(a, b) ? kernel2(a, b, 2) : broadcastBinary("mul", a, b, (x, y) -> x * y);
  }

  /** ∂a = unbroadcast(g·b), ∂b = unbroadcast(g·a). */
  public static Grads mulVjp(Tensor g, Tensor out, Tensor a, Tensor b) {
    if (F64Rules.any(g, a, b)) {
      return F64Rules.mulVjp(g, a, b);
    }
    return Grads.lazy(2, i -> i == 0 ? unbroadcast(times(g, b), a) : unbroadcast(times(g, a), b));
  }

  /** {@code a * s}. */
  public static Tensor mul(Tensor a, double s) {
    if (F64Rules.any(a)) {
      return F64Rules.affine(a, s, 0);
    }
    Tensor out = affine(a, s, 0);
    return out;
  }

  /** ∂a = g·s, ∂s = Σ g·a. */
  public static Grads mulScalarVjp(Tensor g, Tensor out, Tensor a, double s) {
    if (F64Rules.any(g, a)) {
      return F64Rules.mulScalarVjp(g, a, s);
    }
    return Grads.lazy(2, i -> i == 0 ? affine(g, s, 0) : dotAll(g, a));
  }

  // ---- div

  /** {@code a / b} with broadcasting. */
  public static Tensor div(Tensor a, Tensor b) {
    if (F64Rules.any(a, b)) {
      return F64Rules.div(a, b);
    }
    Tensor out = sameShape(a, b) ? kernel2(a, b, 3) : broadcastBinary("div", a, b, (x, y) -> x / y);
    return out;
  }

  /** ∂a = unbroadcast(g / b), ∂b = unbroadcast(-g·a / b²) (reads a and b, as PyTorch saves them). */
  public static Grads divVjp(Tensor g, Tensor out, Tensor a, Tensor b) {
    if (F64Rules.any(g, a, b)) {
      return F64Rules.divVjp(g, a, b);
    }
    Tensor gb = broadcastBinary("div", g, b, (x, y) -> x / y);
    return Grads.lazy(2, i -> i == 0 ? unbroadcast(gb, a)
        : unbroadcast(broadcastBinary("div", broadcastBinary("div", gb, a, (x, y) -> -x * y), b, (x, y) -> x / y),
            b.shape()));
  }

  /** {@code a / s}. */
  public static Tensor div(Tensor a, double s) {
    if (F64Rules.any(a)) {
      return F64Rules.div(a, s);
    }
    float fs = (float) s;
    return unary(a, x -> x / fs);
  }

  /** ∂a = g / s, ∂s = -Σ g·a / s². */
  public static Grads divScalarVjp(Tensor g, Tensor out, Tensor a, double s) {
    if (F64Rules.any(g, a)) {
      return F64Rules.divScalarVjp(g, a, s);
    }
    float fs = (float) s;
    return Grads.lazy(2, i -> i == 0 ? unary(g, x -> x / fs) : Tensor.scalar(-dotAll(g, a).item() / (s * s)));
  }

  // ---- pow

  /** {@code a ** p}. */
  public static Tensor pow(Tensor a, double p) {
    if (F64Rules.any(a)) {
      return F64Rules.pow(a, p);
    }
    Tensor out = p == 2 ? kernel2(a, a, 2) : unary(a, x -> (float) Math.pow(x, p));
    return out;
  }

  /**
   * ∂a = g·p·a^(p-1) (0 where p = 0), ∂p = Σ g·a^p·ln a (terms with a = 0 contribute 0, as
   * PyTorch masks them).
   */
  public static Grads powVjp(Tensor g, Tensor out, Tensor a, double p) {
    if (F64Rules.any(g, a)) {
      return F64Rules.powVjp(g, out, a, p);
    }
    return Grads.lazy(2, i -> i == 0 ? powInputGrad(g, a, p) : powExponentGrad(g, out, a));
  }

  private static Tensor powExponentGrad(Tensor g, Tensor out, Tensor a) {
    float[] x = a.storage();
    float[] gs = g.storage();
    float[] o = out.storage();
    double gp = 0;
    for (int i = 0; i < x.length; i++) {
      if (x[i] != 0) {
        gp += gs[i] * (double) o[i] * Math.log(x[i]);
      }
    }
    return Tensor.scalar(gp);
  }

  /** ∂a of {@code a ** p}: g·p·a^(p-1), 0 where p = 0. */
  static Tensor powInputGrad(Tensor g, Tensor a, double p) {
    if (F64Rules.any(g, a)) {
      return F64Rules.powVjp(g, null, a, p).get(0);
    }
    float[] x = a.storage();
    float[] gs = g.storage();
    float[] ga = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      ga[i] = p == 0 ? 0f : p == 2 ? (float) (gs[i] * 2.0 * x[i]) : (float) (gs[i] * p * Math.pow(x[i], p - 1));
    }
    return Tensor.wrapLike(ga, a);
  }

  // ---- unary

  /** {@code -a}. */
  public static Tensor neg(Tensor a) {
    if (F64Rules.any(a)) {
      return F64Rules.affine(a, -1, 0);
    }
    return negate(a);
  }

  /** ∂a = -g. */
  public static Grads negVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.unaryVjp(g, out, a, (x, o) -> -1);
    }
    return Grads.of(negate(g));
  }

  /** {@code exp(a)}. */
  public static Tensor exp(Tensor a) {
    if (F64Rules.any(a)) {
      return F64Rules.unary(a, Math::exp);
    }
    float[] o = new float[a.numel()];
    Kernels.get().exp(a.storage(), o, o.length);
    return Tensor.wrapLike(o, a);
  }

  /** ∂a = g·exp(a) = g·out. */
  public static Grads expVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.unaryVjp(g, out, a, (x, o) -> o);
    }
    return Grads.of(times(g, out));
  }

  /** {@code ln(a)}. */
  public static Tensor log(Tensor a) {
    if (F64Rules.any(a)) {
      return F64Rules.unary(a, Math::log);
    }
    return Rules.unaryKernel(a, Kernels.get()::log);
  }

  /** ∂a = g / a. */
  public static Grads logVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.unaryVjp(g, out, a, (x, o) -> 1 / x);
    }
    return Grads.of(kernel2(g, a, 3));
  }

  /** {@code sqrt(a)}. */
  public static Tensor sqrt(Tensor a) {
    if (F64Rules.any(a)) {
      return F64Rules.unary(a, Math::sqrt);
    }
    return unary(a, x -> (float) Math.sqrt(x));
  }

  /** ∂a = g / (2·sqrt(a)) = g / (2·out). */
  public static Grads sqrtVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.unaryVjp(g, out, a, (x, o) -> 1 / (2 * o));
    }
    return Grads.of(broadcastBinary("sqrt", g, out, (x, y) -> x / (2f * y)));
  }

  /** {@code |a|}. */
  public static Tensor abs(Tensor a) {
    if (F64Rules.any(a)) {
      return F64Rules.unary(a, Math::abs);
    }
    return unary(a, Math::abs);
  }

  /** ∂a = g·sign(a), with sign(0) = 0 as in PyTorch. */
  public static Grads absVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.unaryVjp(g, out, a, (x, o) -> Math.signum(x));
    }
    return Grads.of(broadcastBinary("abs", g, a, (x, y) -> x * Math.signum(y)));
  }

  /** {@code sin(a)}. */
  public static Tensor sin(Tensor a) {
    if (F64Rules.any(a)) {
      return F64Rules.unary(a, Math::sin);
    }
    return unary(a, x -> (float) Math.sin(x));
  }

  /** ∂a = g·cos(a). */
  public static Grads sinVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.unaryVjp(g, out, a, (x, o) -> Math.cos(x));
    }
    return Grads.of(broadcastBinary("sin", g, a, (x, y) -> (float) (x * Math.cos(y))));
  }

  /** {@code cos(a)}. */
  public static Tensor cos(Tensor a) {
    if (F64Rules.any(a)) {
      return F64Rules.unary(a, Math::cos);
    }
    return unary(a, x -> (float) Math.cos(x));
  }

  /** ∂a = -g·sin(a). */
  public static Grads cosVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.unaryVjp(g, out, a, (x, o) -> -Math.sin(x));
    }
    return Grads.of(broadcastBinary("cos", g, a, (x, y) -> (float) (-x * Math.sin(y))));
  }

  /** {@code tanh(a)}. */
  public static Tensor tanh(Tensor a) {
    if (F64Rules.any(a)) {
      return F64Rules.unary(a, Math::tanh);
    }
    return Rules.unaryKernel(a, Kernels.get()::tanh);
  }

  /** ∂a = g·(1 - out²). */
  public static Grads tanhVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.unaryVjp(g, out, a, (x, o) -> 1 - o * o);
    }
    if (sameShape(g, out)) {
      float[] o = new float[g.numel()];
      Kernels.get().tanhBackward(g.storage(), out.storage(), o, o.length);
      return Grads.of(Tensor.wrapLike(o, g));
    }
    return Grads.of(broadcastBinary("tanh", g, out, (x, y) -> x * (1f - y * y)));
  }

  /** {@code 1 / (1 + exp(-a))}. */
  public static Tensor sigmoid(Tensor a) {
    if (F64Rules.any(a)) {
      return F64Rules.unary(a, F64Rules::sigmoid);
    }
    return Rules.unaryKernel(a, Kernels.get()::sigmoid);
  }

  /** The logistic function of one value, stable for large |x|. */
  public static float sigmoid(float x) {
    if (x >= 0) {
      return (float) (1.0 / (1.0 + Math.exp(-x)));
    }
    double e = Math.exp(x);
    return (float) (e / (1.0 + e));
  }

  /** ∂a = g·out·(1 - out). */
  public static Grads sigmoidVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.unaryVjp(g, out, a, (x, o) -> o * (1 - o));
    }
    if (sameShape(g, out)) {
      float[] o = new float[g.numel()];
      Kernels.get().sigmoidBackward(g.storage(), out.storage(), o, o.length);
      return Grads.of(Tensor.wrapLike(o, g));
    }
    return Grads.of(broadcastBinary("sigmoid", g, out, (x, y) -> x * y * (1f - y)));
  }

  /** {@code max(a, 0)}. */
  public static Tensor relu(Tensor a) {
    if (F64Rules.any(a)) {
      return F64Rules.unary(a, x -> x > 0 ? x : 0);
    }
    float[] o = BufferPool.floats(a.numel()); // every element written
    Kernels.get().relu(a.storage(), o, o.length);
    return Tensor.wrapLike(o, a);
  }

  /** ∂a = g where out > 0, else 0 (relu'(0) = 0). Reads only {@code out}. */
  public static Grads reluVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.unaryVjp(g, out, a, (x, o) -> o > 0 ? 1 : 0);
    }
    float[] o = BufferPool.floats(g.numel()); // every element written
    Kernels.get().reluBackward(g.storage(), out.storage(), o, o.length);
    return Grads.of(Grads.owned(Tensor.wrapLike(o, g)));
  }

  // ---- issue 13: more elementwise operations

  /** {@code ln(1 + a)}, accurate near 0. */
  public static Tensor log1p(Tensor a) {
    if (F64Rules.any(a)) {
      return F64Rules.unary(a, Math::log1p);
    }
    return unary(a, x -> (float) Math.log1p(x));
  }

  /** ∂a = g / (1 + a). */
  public static Grads log1pVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.unaryVjp(g, out, a, (x, o) -> 1 / (1 + x));
    }
    return Grads.of(broadcastBinary("log1p", g, a, (x, y) -> x / (y + 1f)));
  }

  /** {@code e^a - 1}, accurate near 0. */
  public static Tensor expm1(Tensor a) {
    if (F64Rules.any(a)) {
      return F64Rules.unary(a, Math::expm1);
    }
    return unary(a, x -> (float) Math.expm1(x));
  }

  /** ∂a = g·(out + 1). */
  public static Grads expm1Vjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.unaryVjp(g, out, a, (x, o) -> o + 1);
    }
    return Grads.of(broadcastBinary("expm1", g, out, (x, y) -> x * (y + 1f)));
  }

  /** {@code a²}; PyTorch computes it as {@code pow(a, 2)} and names the node {@code PowBackward0}. */
  public static Tensor square(Tensor a) {
    if (F64Rules.any(a)) {
      return F64Rules.unary(a, x -> x * x);
    }
    return kernel2(a, a, 2);
  }

  /** ∂a = g·2a. */
  public static Grads squareVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.unaryVjp(g, out, a, (x, o) -> 2 * x);
    }
    return Grads.of(broadcastBinary("square", g, a, (x, y) -> x * (2f * y)));
  }

  /** {@code 1 / a}. */
  public static Tensor reciprocal(Tensor a) {
    if (F64Rules.any(a)) {
      return F64Rules.unary(a, x -> 1 / x);
    }
    return unary(a, x -> 1f / x);
  }

  /** ∂a = -g·out². */
  public static Grads reciprocalVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.unaryVjp(g, out, a, (x, o) -> -o * o);
    }
    return Grads.of(broadcastBinary("reciprocal", g, out, (x, y) -> -(x * (y * y))));
  }

  /** {@code 1 / sqrt(a)}. */
  public static Tensor rsqrt(Tensor a) {
    if (F64Rules.any(a)) {
      return F64Rules.unary(a, x -> 1 / Math.sqrt(x));
    }
    return unary(a, x -> (float) (1.0 / Math.sqrt(x)));
  }

  /** ∂a = -g·out³ / 2. */
  public static Grads rsqrtVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.unaryVjp(g, out, a, (x, o) -> -0.5 * o * o * o);
    }
    return Grads.of(broadcastBinary("rsqrt", g, out, (x, y) -> -0.5f * x * (y * y * y)));
  }

  // ---- clamp

  /** {@code min(max(a, lo), hi)} as PyTorch's {@code clamp}: NaN stays NaN, {@code lo > hi} gives {@code hi}. */
  public static Tensor clamp(Tensor a, double lo, double hi) {
    if (F64Rules.any(a)) {
      return F64Elementwise.clamp(a, lo, hi);
    }
    float fl = (float) lo;
    float fh = (float) hi;
    return unary(a, x -> InPlaceRules.clamp(x, fl, fh));
  }

  /**
   * ∂a = g where {@code lo ≤ a ≤ hi} (bounds included), ∂lo = Σ g where {@code a < lo} and {@code lo < hi},
   * ∂hi = Σ g where {@code a > hi} or {@code hi < lo}: PyTorch's rule for tensor bounds.
   */
  public static Grads clampVjp(Tensor g, Tensor out, Tensor a, double lo, double hi) {
    if (F64Rules.any(g, a)) {
      return F64Elementwise.clampVjp(g, a, lo, hi);
    }
    float fl = (float) lo;
    float fh = (float) hi;
    return Grads.lazy(3, i -> switch (i) {
      case 0 -> InPlaceRules.clampGrad(g, a, fl, fh);
      case 1 -> Tensor.scalar(sumWhere(g, a, x -> x < fl && fl < fh));
      default -> Tensor.scalar(sumWhere(g, a, x -> x > fh || fh < fl));
    });
  }

  /** A test of one float element. */
  private interface FloatTest {
    boolean test(float x);
  }

  /** Σ g_i over the elements {@code a_i} that pass {@code where}, in element order, in double: a bound's gradient. */
  private static double sumWhere(Tensor g, Tensor a, FloatTest where) {
    float[] x = a.storage();
    float[] gs = g.storage();
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      if (where.test(x[i])) {
        sum += gs[i];
      }
    }
    return sum;
  }

  /** {@code max(a, lo)} ({@code clamp_min}); NaN stays NaN. */
  public static Tensor clampMin(Tensor a, double lo) {
    if (F64Rules.any(a)) {
      return F64Elementwise.clampMin(a, lo);
    }
    float fl = (float) lo;
    return unary(a, x -> Float.isNaN(x) ? x : Math.max(x, fl));
  }

  /** ∂a = g where {@code a ≥ lo}, ∂lo = Σ g where {@code a < lo}. */
  public static Grads clampMinVjp(Tensor g, Tensor out, Tensor a, double lo) {
    if (F64Rules.any(g, a)) {
      return F64Elementwise.clampMinVjp(g, a, lo);
    }
    float fl = (float) lo;
    return Grads.lazy(2, i -> i == 0 ? clampMinGrad(g, a, fl) : Tensor.scalar(sumWhere(g, a, x -> x < fl)));
  }

  private static Tensor clampMinGrad(Tensor g, Tensor a, float lo) {
    return broadcastBinary("clampMin", g, a, (x, y) -> y >= lo ? x : 0f);
  }

  /** {@code min(a, hi)} ({@code clamp_max}); NaN stays NaN. */
  public static Tensor clampMax(Tensor a, double hi) {
    if (F64Rules.any(a)) {
      return F64Elementwise.clampMax(a, hi);
    }
    float fh = (float) hi;
    return unary(a, x -> Float.isNaN(x) ? x : Math.min(x, fh));
  }

  /** ∂a = g where {@code a ≤ hi}, ∂hi = Σ g where {@code a > hi}. */
  public static Grads clampMaxVjp(Tensor g, Tensor out, Tensor a, double hi) {
    if (F64Rules.any(g, a)) {
      return F64Elementwise.clampMaxVjp(g, a, hi);
    }
    float fh = (float) hi;
    return Grads.lazy(2, i -> i == 0 ? clampMaxGrad(g, a, fh) : Tensor.scalar(sumWhere(g, a, x -> x > fh)));
  }

  private static Tensor clampMaxGrad(Tensor g, Tensor a, float hi) {
    return broadcastBinary("clampMax", g, a, (x, y) -> y <= hi ? x : 0f);
  }

  // ---- maximum / minimum

  /** {@code a} and {@code b} broadcast to {@code shape} (copies; shape is their broadcast shape). */
  private static Tensor[] expandBoth(Tensor a, Tensor b, int[] shape) {
    Tensor z = Tensor.zeros(shape);
    Tensor ea = Arrays.equals(a.shape(), shape) ? a : broadcastBinary("expand", a, z, (x, y) -> x);
    Tensor eb = Arrays.equals(b.shape(), shape) ? b : broadcastBinary("expand", b, z, (x, y) -> x);
    return new Tensor[] {ea, eb};
  }

  /** The larger of {@code a} and {@code b}, elementwise with broadcasting; NaN propagates. */
  public static Tensor maximum(Tensor a, Tensor b) {
    if (F64Rules.any(a, b)) {
      return F64Elementwise.extremum(a, b, 1);
    }
    return broadcastBinary("maximum", a, b, (x, y) -> Float.isNaN(x) || Float.isNaN(y) ? Float.NaN : Math.max(x, y));
  }

  /** ∂a = g where a &gt; b, g/2 where a = b (PyTorch splits ties), 0 where a &lt; b; ∂b likewise. */
  public static Grads maximumVjp(Tensor g, Tensor out, Tensor a, Tensor b) {
    if (F64Rules.any(g)) {
      return F64Elementwise.extremumVjp(g, a, b, 1);
    }
    return extremumGrads(g, a, b, 1);
  }

  /** The smaller of {@code a} and {@code b}, elementwise with broadcasting; NaN propagates. */
  public static Tensor minimum(Tensor a, Tensor b) {
    if (F64Rules.any(a, b)) {
      return F64Elementwise.extremum(a, b, -1);
    }
    return broadcastBinary("minimum", a, b, (x, y) -> Float.isNaN(x) || Float.isNaN(y) ? Float.NaN : Math.min(x, y));
  }

  /** ∂a = g where a &lt; b, g/2 where a = b, 0 where a &gt; b; ∂b likewise. */
  public static Grads minimumVjp(Tensor g, Tensor out, Tensor a, Tensor b) {
    if (F64Rules.any(g)) {
      return F64Elementwise.extremumVjp(g, a, b, -1);
    }
    return extremumGrads(g, a, b, -1);
  }

  /**
   * PyTorch's {@code where(a == b, g / 2, g).masked_fill_(a < b, 0)} for the first operand of maximum
   * ({@code sign} 1; minimum masks {@code a > b}) and the mirror for the second, summed to each shape.
   */
  private static Grads extremumGrads(Tensor g, Tensor a, Tensor b, int sign) {
    Tensor[] e = expandBoth(a, b, g.shape());
    float[] x = e[0].storage();
    float[] y = e[1].storage();
    float[] gs = g.storage();
    float[] ga = new float[gs.length];
    float[] gb = new float[gs.length];
    for (int i = 0; i < gs.length; i++) {
      float v = x[i] == y[i] ? gs[i] / 2f : gs[i];
      boolean aLoses = sign > 0 ? x[i] < y[i] : x[i] > y[i];
      boolean bLoses = sign > 0 ? x[i] > y[i] : x[i] < y[i];
      ga[i] = aLoses ? 0f : v;
      gb[i] = bLoses ? 0f : v;
    }
    return Grads.of(unbroadcast(Tensor.wrapLike(ga, g), a),
        unbroadcast(Tensor.wrapLike(gb, g), b));
  }

  // ---- pow with a tensor exponent, and a scalar base

  /** {@code a ** e}, elementwise with broadcasting. */
  public static Tensor pow(Tensor a, Tensor e) {
    if (F64Rules.any(a, e)) {
      return F64Elementwise.pow(a, e);
    }
    return broadcastBinary("pow", a, e, (x, y) -> (float) Math.pow(x, y));
  }

  /**
   * ∂a = g·e·a^(e-1) (0 where e = 0), ∂e = g·out·ln a (0 where a = 0 and e ≥ 0), each summed to its
   * operand's shape: PyTorch's {@code pow_backward_self} and {@code pow_backward_exponent}.
   */
  public static Grads powTensorVjp(Tensor g, Tensor out, Tensor a, Tensor e) {
    if (F64Rules.any(g)) {
      return F64Elementwise.powTensorVjp(g, out, a, e);
    }
    Tensor[] ex = expandBoth(a, e, g.shape());
    float[] x = ex[0].storage();
    float[] p = ex[1].storage();
    float[] gs = g.storage();
    float[] o = out.storage();
    float[] ga = new float[gs.length];
    float[] ge = new float[gs.length];
    for (int i = 0; i < gs.length; i++) {
      ga[i] = p[i] == 0f ? 0f : gs[i] * (p[i] * (float) Math.pow(x[i], p[i] - 1f));
      ge[i] = x[i] == 0f && p[i] >= 0f ? 0f : gs[i] * (o[i] * (float) Math.log(x[i]));
    }
    return Grads.of(unbroadcast(Tensor.wrapLike(ga, g), a),
        unbroadcast(Tensor.wrapLike(ge, g), e));
  }

  /** {@code base ** e} for a scalar base ({@code torch.pow(base, e)}). */
  public static Tensor pow(double base, Tensor e) {
    if (F64Rules.any(e)) {
      return F64Elementwise.pow(base, e);
    }
    float b = (float) base;
    return unary(e, y -> (float) Math.pow(b, y));
  }

  /** ∂base = Σ g·e·base^(e-1) (terms with e = 0 are 0), ∂e = g·out·ln base (0 where base = 0 and e ≥ 0). */
  public static Grads powScalarBaseVjp(Tensor g, Tensor out, double base, Tensor e) {
    if (F64Rules.any(g, e)) {
      return F64Elementwise.powScalarBaseVjp(g, out, base, e);
    }
    float b = (float) base;
    return Grads.lazy(2, i -> i == 0 ? powBaseGrad(g, b, e) : powBaseExponentGrad(g, out, b, e));
  }

  private static Tensor powBaseGrad(Tensor g, float b, Tensor e) {
    float[] p = e.storage();
    float[] gs = g.storage();
    double gb = 0;
    for (int i = 0; i < p.length; i++) {
      if (p[i] != 0f) {
        gb += gs[i] * (p[i] * (float) Math.pow(b, p[i] - 1f));
      }
    }
    return Tensor.scalar(gb);
  }

  private static Tensor powBaseExponentGrad(Tensor g, Tensor out, float b, Tensor e) {
    float lnb = (float) Math.log(b);
    float[] p = e.storage();
    float[] gs = g.storage();
    float[] o = out.storage();
    float[] ge = new float[p.length];
    for (int i = 0; i < p.length; i++) {
      ge[i] = b == 0f && p[i] >= 0f ? 0f : gs[i] * (o[i] * lnb);
    }
    return Tensor.wrapLike(ge, e);
  }

  // ---- add / sub with alpha

  /** {@code a + alpha·b} with broadcasting ({@code torch.add(a, b, alpha=...)}), one rounding per element. */
  public static Tensor add(Tensor a, Tensor b, double alpha) {
    if (F64Rules.any(a, b)) {
      return F64Elementwise.addAlpha(a, b, alpha);
    }
    float al = (float) alpha;
    return broadcastBinary("add", a, b, (x, y) -> Math.fma(al, y, x));
  }

  /** ∂a = unbroadcast(g), ∂b = unbroadcast(alpha·g), ∂alpha = Σ g·b (b broadcast). */
  public static Grads addAlphaVjp(Tensor g, Tensor out, Tensor a, Tensor b, double alpha) {
    if (F64Rules.any(g)) {
      return F64Elementwise.addAlphaVjp(g, a, b, alpha);
    }
    float al = (float) alpha;
    return Grads.lazy(3, i -> switch (i) {
      case 0 -> unbroadcast(g, a);
      case 1 -> unbroadcast(affine(g, al, 0), b);
      default -> dotAll(unbroadcast(g, b), b);
    });
  }

  /** {@code a - alpha·b} with broadcasting ({@code torch.sub(a, b, alpha=...)}), one rounding per element. */
  public static Tensor sub(Tensor a, Tensor b, double alpha) {
    if (F64Rules.any(a, b)) {
      return F64Elementwise.addAlpha(a, b, -alpha);
    }
    float al = (float) -alpha;
    return broadcastBinary("sub", a, b, (x, y) -> Math.fma(al, y, x));
  }

  /** ∂a = unbroadcast(g), ∂b = -unbroadcast(alpha·g), ∂alpha = -Σ g·b (b broadcast). */
  public static Grads subAlphaVjp(Tensor g, Tensor out, Tensor a, Tensor b, double alpha) {
    if (F64Rules.any(g)) {
      return F64Elementwise.subAlphaVjp(g, a, b, alpha);
    }
    float al = (float) -alpha;
    return Grads.lazy(3, i -> switch (i) {
      case 0 -> unbroadcast(g, a);
      case 1 -> unbroadcast(affine(g, al, 0), b);
      default -> Tensor.scalar(-dotAll(unbroadcast(g, b), b).item());
    });
  }

  /** Elementwise comparison: sign 1 for {@code >}, -1 for {@code <}, 0 for {@code ==}; 0/1 result. */
  public static Tensor compare(Tensor a, Tensor b, int sign) {
    return broadcastBinary("compare", a, b, (x, y) -> (sign > 0 ? x > y : sign < 0 ? x < y : x == y) ? 1f : 0f);
  }

  // ---- helpers

  static Tensor negate(Tensor a) {
    return affine(a, -1, 0);
  }

  static Tensor times(Tensor a, Tensor b) {
    if (F64Rules.any(a, b)) {
      return F64Rules.binary("mul", a, b, (x, y) -> x * y);
    }
    return sameShape(a, b) ? kernel2(a, b, 2) : broadcastBinary("mul", a, b, (x, y) -> x * y);
  }

  // ---- forward mode (issue 16): Jacobian-vector products, {@code fooJvp(tangents..., out, inputs...)}; a
  // null tangent is zero (see Jvps). Elementwise operations of one tensor with a Math scalar form need none:
  // the processor applies their adjoint to the tangent.

  /** {@code ṫ = ȧ + ḃ}. */
  public static Tensor addJvp(Tensor ta, Tensor tb, Tensor out, Tensor a, Tensor b) {
    return Jvps.plus(out, ta, tb);
  }

  /** {@code ṫ = ȧ + ṡ}. */
  public static Tensor addScalarJvp(Tensor ta, double ts, Tensor out, Tensor a, double s) {
    return Jvps.plus(out, ta, Jvps.scalar(ts, out));
  }

  /** {@code ṫ = ȧ - ḃ}. */
  public static Tensor subJvp(Tensor ta, Tensor tb, Tensor out, Tensor a, Tensor b) {
    return Jvps.minus(out, ta, tb);
  }

  /** {@code ṫ = ȧ - ṡ}. */
  public static Tensor subScalarJvp(Tensor ta, double ts, Tensor out, Tensor a, double s) {
    return Jvps.minus(out, ta, Jvps.scalar(ts, out));
  }

  /** {@code ṫ = ṡ - ȧ} for {@code s - a}. */
  public static Tensor rsubJvp(Tensor ta, double ts, Tensor out, Tensor a, double s) {
    return Jvps.minus(out, Jvps.scalar(ts, out), ta);
  }

  /** {@code ṫ = ȧ·b + a·ḃ}. */
  public static Tensor mulJvp(Tensor ta, Tensor tb, Tensor out, Tensor a, Tensor b) {
    return Jvps.plus(out, ta == null ? null : mul(ta, b), tb == null ? null : mul(a, tb));
  }

  /** {@code ṫ = ȧ·s + a·ṡ}. */
  public static Tensor mulScalarJvp(Tensor ta, double ts, Tensor out, Tensor a, double s) {
    return Jvps.plus(out, ta == null ? null : mul(ta, s), ts == 0 ? null : mul(a, ts));
  }

  /** {@code ṫ = ȧ / b - out·ḃ / b}. */
  public static Tensor divJvp(Tensor ta, Tensor tb, Tensor out, Tensor a, Tensor b) {
    return Jvps.minus(out, ta == null ? null : div(ta, b), tb == null ? null : div(mul(out, tb), b));
  }

  /** {@code ṫ = ȧ / s - out·ṡ / s}. */
  public static Tensor divScalarJvp(Tensor ta, double ts, Tensor out, Tensor a, double s) {
    return Jvps.minus(out, ta == null ? null : div(ta, s), ts == 0 ? null : mul(out, ts / s));
  }

  /**
   * {@code ṫ = ȧ·p·a^(p-1) + ṗ·out·ln a}, the first term through the adjoint (diagonal), the second 0 where
   * {@code a = 0}, as the adjoint masks it.
   */
  public static Tensor powJvp(Tensor ta, double tp, Tensor out, Tensor a, double p) {
    Tensor byBase = ta == null ? null : powVjp(ta, out, a, p).get(0);
    Tensor byExponent = null;
    if (tp != 0) {
      float[] x = a.storage();
      float[] o = out.storage();
      float[] r = new float[x.length];
      for (int i = 0; i < r.length; i++) {
        r[i] = x[i] == 0 ? 0 : (float) (tp * o[i] * Math.log(x[i]));
      }
      byExponent = Tensor.wrapLike(r, out);
    }
    return Jvps.plus(out, byBase, byExponent);
  }

  /** {@code ṫ = ȧ} where {@code out > 0} (diagonal: the adjoint applied to the tangent). */
  public static Tensor reluJvp(Tensor ta, Tensor out, Tensor a) {
    return ta == null ? null : reluVjp(ta, out, a).get(0);
  }

  /** {@code ṫ = 2a·ȧ}. */
  public static Tensor squareJvp(Tensor ta, Tensor out, Tensor a) {
    return ta == null ? null : squareVjp(ta, out, a).get(0);
  }

  /** {@code ṫ = ȧ·out·(1 - out)} (diagonal: the adjoint applied to the tangent). */
  public static Tensor sigmoidJvp(Tensor ta, Tensor out, Tensor a) {
    return ta == null ? null : sigmoidVjp(ta, out, a).get(0);
  }

  /** {@code ṫ = -ȧ·out²} (diagonal). */
  public static Tensor reciprocalJvp(Tensor ta, Tensor out, Tensor a) {
    return ta == null ? null : reciprocalVjp(ta, out, a).get(0);
  }

  /** {@code ṫ = -ȧ·out³ / 2} (diagonal). */
  public static Tensor rsqrtJvp(Tensor ta, Tensor out, Tensor a) {
    return ta == null ? null : rsqrtVjp(ta, out, a).get(0);
  }

  // ---- forward mode, fused (issue 16): an activation and its tangent in one pass, {@code <op>Dual(inputs...,
  // tangents...)} (see Jvps.Dual); the bias form {@code <op>Dual(a, b, ta, tb)} is the activation of {@code a + b},
  // the add's tangent folded in. Values to the last bit those of the operations and JVPs they replace.

  /** The one-pass forward-mode kernels of an activation ({@link Kernels#tanhJvp} and its siblings). */
  @FunctionalInterface
  private interface DualKernel {
    void apply(Kernels k, float[] x, float[] t, float[] y, float[] ty, int n);
  }

  /**
   * {@code op(z)} and its tangent {@code ż·op'(z)} for a fresh {@code z} whose tangent is {@code tz} ({@code owned}:
   * a fresh array this may overwrite): float32 tensors of one shape through the one-pass kernel, in place where it
   * may; otherwise {@code forward} and {@code jvp} (the operation and the adjoint applied to the tangent).
   */
  private static Jvps.Dual dual(Tensor z, Tensor tz, boolean zOwned, boolean tzOwned, DualKernel kernel,
      java.util.function.UnaryOperator<Tensor> forward, JvpOf jvp) {
    if (tz == null || F64Rules.any(z, tz) || !sameShape(z, tz)) {
      Tensor y = forward.apply(z);
      return new Jvps.Dual(y, tz == null ? null : jvp.of(tz, y, z));
    }
    float[] x = z.storage();
    float[] t = tz.storage();
    int n = x.length;
    float[] y = zOwned ? x : new float[n];
    float[] ty = tzOwned ? t : new float[n];
    kernel.apply(Kernels.get(), x, t, y, ty, n);
    return new Jvps.Dual(zOwned ? z : Tensor.wrapLike(y, z), tzOwned ? tz : Tensor.wrapLike(ty, z));
  }

  /** The tangent of an activation from its tangent input, result and input. */
  @FunctionalInterface
  private interface JvpOf {
    Tensor of(Tensor ta, Tensor out, Tensor a);
  }

  /**
   * {@code z = a + b} with its tangent {@code ȧ + ḃ} (the add row and {@link #addJvp}), for the bias forms, and
   * whether each is a fresh array of its own that the one-pass kernel may write over ({@link Jvps#plus} returns a
   * tangent itself, not a copy, when the other is {@code null} and the shapes agree).
   */
  private record Biased(Tensor z, Tensor tz, boolean zOwned, boolean tzOwned) {
    static Biased of(Tensor a, Tensor b, Tensor ta, Tensor tb) {
      Tensor z = add(a, b);
      Tensor tz = addJvp(ta, tb, z, a, b);
      return new Biased(z, tz, z != a && z != b, tz != null && tz != ta && tz != tb);
    }

    Jvps.Dual dual(DualKernel kernel, java.util.function.UnaryOperator<Tensor> forward, JvpOf jvp) {
      return ElementwiseRules.dual(z, tz, zOwned, tzOwned, kernel, forward, jvp);
    }
  }

  /**
   * {@code tanh(a)} and its tangent {@code ȧ·(1 − tanh²a)} in one pass ({@link Kernels#tanhJvp}); the values of
   * {@link #tanh} and {@link #tanhVjp} applied to {@code ȧ}. {@code ȧ} {@code null} is zero.
   */
  public static Jvps.Dual tanhDual(Tensor a, Tensor ta) {
    return dual(a, ta, false, false, Kernels::tanhJvp, ElementwiseRules::tanh,
        (t, out, x) -> tanhVjp(t, out, x).get(0));
  }

  /**
   * {@code tanh(a + b)} and its tangent, the add's tangent {@code ȧ + ḃ} folded into the pass: a bias and tanh. A
   * float32 bias that is a column ({@code [m, 1]} against {@code [m, n]}) or a row ({@code [n]} against
   * {@code [..., n]}) of {@code a}, with both tangents, goes through {@link Kernels#tanhJvpBias} (one pass, no
   * {@code a + b} in memory); other shapes add first.
   */
  public static Jvps.Dual tanhDual(Tensor a, Tensor b, Tensor ta, Tensor tb) {
    if (ta != null && tb != null && !F64Rules.any(a, b, ta, tb) && ta.sameShape(a) && tb.sameShape(b)) {
      boolean perRow = Rules.isColumnOf(b, a);
      if (perRow || Rules.isRowOf(b, a)) {
        int per = b.numel();
        int n = a.numel();
        int rows = perRow ? per : (per == 0 ? 0 : n / per);
        int cols = perRow ? (per == 0 ? 0 : n / per) : per;
        float[] y = new float[n];
        float[] ty = new float[n];
        Kernels.get().tanhJvpBias(a.storage(), ta.storage(), b.storage(), tb.storage(), perRow, y, ty, rows, cols);
        return new Jvps.Dual(Tensor.wrapLike(y, a), Tensor.wrapLike(ty, a));
      }
    }
    return Biased.of(a, b, ta, tb).dual(Kernels::tanhJvp, ElementwiseRules::tanh,
        (t, out, x) -> tanhVjp(t, out, x).get(0));
  }

  /** {@code sigmoid(a)} and its tangent {@code ȧ·σ·(1 − σ)} in one pass ({@link Kernels#sigmoidJvp}). */
  public static Jvps.Dual sigmoidDual(Tensor a, Tensor ta) {
    return dual(a, ta, false, false, Kernels::sigmoidJvp, ElementwiseRules::sigmoid, ElementwiseRules::sigmoidJvp);
  }

  /** {@code sigmoid(a + b)} and its tangent, the add's tangent folded in. */
  public static Jvps.Dual sigmoidDual(Tensor a, Tensor b, Tensor ta, Tensor tb) {
    return Biased.of(a, b, ta, tb).dual(Kernels::sigmoidJvp, ElementwiseRules::sigmoid, ElementwiseRules::sigmoidJvp);
  }

  /** {@code relu(a)} and its tangent {@code ȧ} where the result is positive, in one pass ({@link Kernels#reluJvp}). */
  public static Jvps.Dual reluDual(Tensor a, Tensor ta) {
    return dual(a, ta, false, false, Kernels::reluJvp, ElementwiseRules::relu, ElementwiseRules::reluJvp);
  }

  /** {@code relu(a + b)} and its tangent, the add's tangent folded in. */
  public static Jvps.Dual reluDual(Tensor a, Tensor b, Tensor ta, Tensor tb) {
    return Biased.of(a, b, ta, tb).dual(Kernels::reluJvp, ElementwiseRules::relu, ElementwiseRules::reluJvp);
  }

  // ---- forward over reverse (issue 16): second-order rules {@code fooVjpJvp(g, out, inputs..., tOut,
  // tInputs...)}, the part of the adjoint's tangent that moves with the inputs at fixed g (see Hvps); a null
  // tangent is zero, a null result is zero.

  /** ∂(g·b) = g·ḃ, ∂(g·a) = g·ȧ, each reduced to its input's shape. */
  public static Grads mulVjpJvp(Tensor g, Tensor out, Tensor a, Tensor b, Tensor tOut, Tensor ta, Tensor tb) {
    if (ta == null && tb == null) {
      return null;
    }
    return Grads.of(tb == null ? null : Rules.unbroadcast(mul(g, tb), a.shape()),
        ta == null ? null : Rules.unbroadcast(mul(g, ta), b.shape()));
  }

  /** ∂(g·s) = g·ṡ, ∂(Σ g·a) = Σ g·ȧ. */
  public static Grads mulScalarVjpJvp(Tensor g, Tensor out, Tensor a, double s, Tensor tOut, Tensor ta,
      double ts) {
    if (ta == null && ts == 0) {
      return null;
    }
    return Grads.of(ts == 0 ? null : mul(g, ts), ta == null ? null : ReductionRules.sum(mul(g, ta)));
  }

  /** ∂(g·(1 - out²)) = -2·g·out·ȯut. */
  public static Grads tanhVjpJvp(Tensor g, Tensor out, Tensor a, Tensor tOut, Tensor ta) {
    return tOut == null ? null : Grads.of(mul(mul(g, out), mul(tOut, -2)));
  }

  /** ∂(g·out·(1 - out)) = g·(1 - 2·out)·ȯut. */
  public static Grads sigmoidVjpJvp(Tensor g, Tensor out, Tensor a, Tensor tOut, Tensor ta) {
    return tOut == null ? null : Grads.of(mul(mul(g, tOut), add(mul(out, -2), 1)));
  }

  /** ∂(g·out) = g·ȯut. */
  public static Grads expVjpJvp(Tensor g, Tensor out, Tensor a, Tensor tOut, Tensor ta) {
    return tOut == null ? null : Grads.of(mul(g, tOut));
  }

  /** ∂(g / a) = -g·ȧ / a². */
  public static Grads logVjpJvp(Tensor g, Tensor out, Tensor a, Tensor tOut, Tensor ta) {
    return ta == null ? null : Grads.of(neg(div(mul(g, ta), mul(a, a))));
  }

  /**
   * ∂(g·p·a^(p-1)) = g·p·(p-1)·a^(p-2)·ȧ, the input's entry, through the adjoint of {@code a^(p-1)} (so 0 where
   * the adjoint masks); a moving exponent is not supported.
   */
  public static Grads powVjpJvp(Tensor g, Tensor out, Tensor a, double p, Tensor tOut, Tensor ta, double tp) {
    if (tp != 0) {
      throw new UnsupportedOperationException("fHvp: pow's exponent " + p + " is differentiated; the second-order"
          + " tangent of a tensor power with respect to a number exponent is not supported");
    }
    if (ta == null) {
      return null;
    }
    Tensor inner = powVjp(mul(g, ta), pow(a, p - 1), a, p - 1).get(0);
    return Grads.of(mul(inner, p), null);
  }

  /** abs's sign is constant almost everywhere: zero. */
  public static Grads absVjpJvp(Tensor g, Tensor out, Tensor a, Tensor tOut, Tensor ta) {
    return null;
  }

  /** relu's mask is constant almost everywhere: zero. */
  public static Grads reluVjpJvp(Tensor g, Tensor out, Tensor a, Tensor tOut, Tensor ta) {
    return null;
  }

  /** ∂(2·g·a) = 2·g·ȧ. */
  public static Grads squareVjpJvp(Tensor g, Tensor out, Tensor a, Tensor tOut, Tensor ta) {
    return ta == null ? null : Grads.of(mul(mul(g, ta), 2));
  }
}
