package dev.adjoint.rules;

import static dev.adjoint.rules.F64Rules.as;
import static dev.adjoint.rules.F64Rules.binary;
import static dev.adjoint.rules.F64Rules.d;
import static dev.adjoint.rules.F64Rules.f32;
import static dev.adjoint.rules.F64Rules.scalar;
import static dev.adjoint.rules.F64Rules.unary;
import static dev.adjoint.rules.F64Rules.unbroadcast;

import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;
import java.util.function.DoublePredicate;

/**
 * The float64 path of {@link ElementwiseRules}' clamps, maximum/minimum, tensor powers and alpha forms, and of
 * {@link ActivationRules}: the same formulas in double, with no rounding to float. Each rule there sends float64
 * operands here with one line, as {@link F64Rules} describes; a double parameter's gradient is a 0-d FLOAT64.
 */
public final class F64Elementwise {
  private F64Elementwise() {}

  private static double clamp(double x, double lo, double hi) {
    return Double.isNaN(x) ? x : Math.min(Math.max(x, lo), hi);
  }

  /** Σ g_i over the elements {@code a_i} that pass {@code where}, as a 0-d FLOAT64. */
  static Tensor sumWhere(Tensor g, Tensor a, DoublePredicate where) {
    double[] x = d(a);
    double[] gs = d(g);
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      if (where.test(x[i])) {
        s += gs[i];
      }
    }
    return scalar(s);
  }

  /** ∂a = g where {@code pass(a)}, 0 elsewhere. */
  static Tensor gradWhere(Tensor g, Tensor a, DoublePredicate pass) {
    return as(binary("grad", g, a, (gv, v) -> pass.test(v) ? gv : 0), a);
  }

  // ---- clamp

  public static Tensor clamp(Tensor a, double lo, double hi) {
    return unary(a, x -> clamp(x, lo, hi));
  }

  public static Grads clampVjp(Tensor g, Tensor a, double lo, double hi) {
    return Grads.lazy(3, i -> switch (i) {
      case 0 -> gradWhere(g, a, x -> x >= lo && x <= hi);
      case 1 -> sumWhere(g, a, x -> x < lo && lo < hi);
      default -> sumWhere(g, a, x -> x > hi || hi < lo);
    });
  }

  public static Tensor clampMin(Tensor a, double lo) {
    return unary(a, x -> Double.isNaN(x) ? x : Math.max(x, lo));
  }

  public static Grads clampMinVjp(Tensor g, Tensor a, double lo) {
    return Grads.lazy(2, i -> i == 0 ? gradWhere(g, a, x -> x >= lo) : sumWhere(g, a, x -> x < lo));
  }

  public static Tensor clampMax(Tensor a, double hi) {
    return unary(a, x -> Double.isNaN(x) ? x : Math.min(x, hi));
  }

  public static Grads clampMaxVjp(Tensor g, Tensor a, double hi) {
    return Grads.lazy(2, i -> i == 0 ? gradWhere(g, a, x -> x <= hi) : sumWhere(g, a, x -> x > hi));
  }

  // ---- maximum / minimum (ties split), pow, alpha

  public static Tensor extremum(Tensor a, Tensor b, int sign) {
    if (F64Rules.toF32(a, b)) {
      return sign > 0 ? ElementwiseRules.maximum(f32(a), f32(b)) : ElementwiseRules.minimum(f32(a), f32(b));
    }
    return binary(sign > 0 ? "maximum" : "minimum", a, b, (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN
        : sign > 0 ? Math.max(x, y) : Math.min(x, y));
  }

  public static Grads extremumVjp(Tensor g, Tensor a, Tensor b, int sign) {
    Tensor ga = binary("maximum", g, binary("cmp", a, b, (x, y) -> x == y ? 0.5 : (sign > 0 ? x > y : x < y) ? 1 : 0),
        (x, y) -> x * y);
    Tensor gb = binary("maximum", g, binary("cmp", a, b, (x, y) -> x == y ? 0.5 : (sign > 0 ? y > x : y < x) ? 1 : 0),
        (x, y) -> x * y);
    return Grads.of(as(unbroadcast(ga, a.shape()), a), as(unbroadcast(gb, b.shape()), b));
  }

  public static Tensor pow(Tensor a, Tensor e) {
    return F64Rules.toF32(a, e) ? ElementwiseRules.pow(f32(a), f32(e)) : binary("pow", a, e, Math::pow);
  }

  /** {@code (a, e)} broadcast to {@code g}'s shape, as double arrays. */
  private static double[][] expanded(Tensor g, Tensor a, Tensor e) {
    Tensor z = Tensor.zeros(g.shape(), Tensor.DType.FLOAT64);
    return new double[][] {d(binary("expand", a, z, (x, y) -> x)), d(binary("expand", e, z, (x, y) -> x))};
  }

  public static Grads powTensorVjp(Tensor g, Tensor out, Tensor a, Tensor e) {
    double[][] xe = expanded(g, a, e);
    double[] gs = d(g);
    double[] o = d(out);
    double[] ga = new double[gs.length];
    double[] ge = new double[gs.length];
    for (int i = 0; i < gs.length; i++) {
      double x = xe[0][i];
      double p = xe[1][i];
      ga[i] = p == 0 ? 0 : gs[i] * (p * Math.pow(x, p - 1));
      ge[i] = x == 0 && p >= 0 ? 0 : gs[i] * (o[i] * Math.log(x));
    }
    return Grads.of(as(unbroadcast(F64Rules.wrap(ga, g.shape()), a.shape()), a),
        as(unbroadcast(F64Rules.wrap(ge, g.shape()), e.shape()), e));
  }

  public static Tensor pow(double base, Tensor e) {
    return unary(e, y -> Math.pow(base, y));
  }

  public static Grads powScalarBaseVjp(Tensor g, Tensor out, double base, Tensor e) {
    return Grads.lazy(2, i -> {
      double[] p = d(e);
      double[] gs = d(g);
      if (i == 0) {
        double gb = 0;
        for (int k = 0; k < p.length; k++) {
          if (p[k] != 0) {
            gb += gs[k] * (p[k] * Math.pow(base, p[k] - 1));
          }
        }
        return scalar(gb);
      }
      double lnb = Math.log(base);
      double[] o = d(out);
      double[] ge = new double[p.length];
      for (int k = 0; k < p.length; k++) {
        ge[k] = base == 0 && p[k] >= 0 ? 0 : gs[k] * (o[k] * lnb);
      }
      return as(F64Rules.wrap(ge, e.shape()), e);
    });
  }

  /** {@code a + alpha·b}. */
  public static Tensor addAlpha(Tensor a, Tensor b, double alpha) {
    return F64Rules.toF32(a, b) ? ElementwiseRules.add(f32(a), f32(b), alpha)
        : binary("add", a, b, (x, y) -> Math.fma(alpha, y, x));
  }

  /** ∂a = unbroadcast(g), ∂b = unbroadcast(alpha·g), ∂alpha = Σ g·b (b broadcast). */
  public static Grads addAlphaVjp(Tensor g, Tensor a, Tensor b, double alpha) {
    return Grads.lazy(3, i -> switch (i) {
      case 0 -> as(unbroadcast(g, a.shape()), a);
      case 1 -> as(unbroadcast(F64Rules.affine(g, alpha, 0), b.shape()), b);
      default -> F64Rules.dotAll(unbroadcast(g, b.shape()), b);
    });
  }

  /** ∂a = unbroadcast(g), ∂b = -unbroadcast(alpha·g), ∂alpha = -Σ g·b (b broadcast). */
  public static Grads subAlphaVjp(Tensor g, Tensor a, Tensor b, double alpha) {
    Grads p = addAlphaVjp(g, a, b, -alpha);
    return Grads.lazy(3, i -> i < 2 ? p.get(i) : scalar(-p.get(2).itemDouble()));
  }

  // ---- activations

  public static Tensor leakyRelu(Tensor x, double slope) {
    return unary(x, v -> v > 0 ? v : v * slope);
  }

  public static Grads leakyReluVjp(Tensor g, Tensor x, double slope) {
    return Grads.lazy(2, i -> i == 0 ? as(binary("leakyRelu", g, x, (gv, v) -> v > 0 ? gv : gv * slope), x)
        : F64Rules.dotAll(g, unary(x, v -> v > 0 ? 0 : v)));
  }

  public static Tensor gelu(Tensor x, boolean tanh) {
    return unary(x, v -> tanh ? 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)))
        : v * ActivationRules.phi(v));
  }

  public static Grads geluVjp(Tensor g, Tensor x, boolean tanh) {
    double s2p = Math.sqrt(2 / Math.PI);
    return Grads.of(as(binary("gelu", g, x, (gv, v) -> {
      double dd;
      if (tanh) {
        double t = Math.tanh(s2p * (v + 0.044715 * v * v * v));
        dd = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * s2p * (1 + 3 * 0.044715 * v * v);
      } else {
        dd = ActivationRules.phi(v) + v / Math.sqrt(2 * Math.PI) * Math.exp(-0.5 * v * v);
      }
      return gv * dd;
    }), x), null);
  }

  public static Tensor silu(Tensor x) {
    return unary(x, v -> v * F64Rules.sigmoid(v));
  }

  public static Grads siluVjp(Tensor g, Tensor x) {
    return Grads.of(as(binary("silu", g, x, (gv, v) -> {
      double s = F64Rules.sigmoid(v);
      return gv * s * (1 + v * (1 - s));
    }), x));
  }

  private static double log1pExp(double z) {
    return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
  }

  public static Tensor softplus(Tensor x, double beta, double threshold) {
    return unary(x, v -> v * beta > threshold ? v : log1pExp(v * beta) / beta);
  }

  public static Grads softplusVjp(Tensor g, Tensor x, double beta, double threshold) {
    return Grads.lazy(3, i -> switch (i) {
      case 0 -> as(binary("softplus", g, x, (gv, v) -> v * beta > threshold ? gv : gv * F64Rules.sigmoid(v * beta)), x);
      case 1 -> {
        double[] v = d(x);
        double[] gs = d(g);
        double gb = 0;
        for (int k = 0; k < v.length; k++) {
          if (!(v[k] * beta > threshold)) {
            double z = v[k] * beta;
            gb += gs[k] * (v[k] * F64Rules.sigmoid(z) / beta - log1pExp(z) / (beta * beta));
          }
        }
        yield scalar(gb);
      }
      default -> scalar(0);
    });
  }

  public static Tensor elu(Tensor x, double alpha) {
    return unary(x, v -> v > 0 ? v : alpha * Math.expm1(v));
  }

  public static Grads eluVjp(Tensor g, Tensor x, double alpha) {
    return Grads.lazy(2, i -> i == 0 ? as(binary("elu", g, x, (gv, v) -> v > 0 ? gv : gv * alpha * Math.exp(v)), x)
        : F64Rules.dotAll(g, unary(x, v -> v > 0 ? 0 : Math.expm1(v))));
  }

  public static Tensor logSigmoid(Tensor x) {
    return unary(x, v -> Math.min(v, 0) - Math.log1p(Math.exp(-Math.abs(v))));
  }

  public static Grads logSigmoidVjp(Tensor g, Tensor x) {
    return Grads.of(as(binary("logSigmoid", g, x, (gv, v) -> gv * F64Rules.sigmoid(-v)), x));
  }

  public static Grads hardtanhVjp(Tensor g, Tensor x, double lo, double hi) {
    return Grads.lazy(3, i -> i == 0 ? gradWhere(g, x, v -> !(v <= lo || v >= hi)) : clampVjp(g, x, lo, hi).get(i));
  }
}
