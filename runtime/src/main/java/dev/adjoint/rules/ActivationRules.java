package dev.adjoint.rules;

import static dev.adjoint.rules.Rules.broadcastBinary;
import static dev.adjoint.rules.Rules.unary;

import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;

/**
 * Activation functions of {@code torch.nn.functional} and their adjoints, side by side, with PyTorch's
 * subgradients and thresholds. Each forward only computes; the {@code @Primitive} row on {@code nn.F} names
 * the {@code *Vjp} method next to it, and {@code F} records the node from that row. A {@code double} parameter (a slope, a
 * bound, {@code beta}) gets a 0-d gradient, as a 0-d tensor in its place would; a threshold the result
 * does not depend on gets 0. Forwards and adjoints compute each element in double and round once.
 */
public final class ActivationRules {
  private ActivationRules() {}

  private static final double SQRT1_2 = Math.sqrt(0.5);
  /** 1/√(2π), the standard normal density at 0. */
  private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
  /** √(2/π), the tanh approximation's scale. */
  private static final double SQRT_2_PI = Math.sqrt(2 / Math.PI);
  private static final double KAPPA = 0.044715;

  // ---- leaky relu

  /** {@code x > 0 ? x : slope·x}. */
  public static Tensor leakyRelu(Tensor x, double slope) {
    if (F64Rules.any(x)) {
      return F64Elementwise.leakyRelu(x, slope);
    }
    float s = (float) slope;
    return unary(x, v -> v > 0 ? v : v * s);
  }

  /** ∂x = g where x > 0, slope·g elsewhere (x = 0 included, as PyTorch); ∂slope = Σ g·x where x ≤ 0. */
  public static Grads leakyReluVjp(Tensor g, Tensor out, Tensor x, double slope) {
    if (F64Rules.any(g, x)) {
      return F64Elementwise.leakyReluVjp(g, x, slope);
    }
    return Grads.lazy(2, i -> i == 0 ? leakyReluGrad(g, x, (float) slope) : leakyReluSlopeGrad(g, x));
  }

  private static Tensor leakyReluSlopeGrad(Tensor g, Tensor x) {
    float[] v = x.storage();
    float[] gs = g.storage();
    double gslope = 0;
    for (int i = 0; i < v.length; i++) {
      if (!(v[i] > 0)) {
        gslope += (double) gs[i] * v[i];
      }
    }
    return Tensor.scalar(gslope);
  }

  /** The adjoint of {@code leakyRelu(x)} (slope 0.01). */
  public static Grads leakyReluVjp(Tensor g, Tensor out, Tensor x) {
    if (F64Rules.any(g, x)) {
      return Grads.of(F64Elementwise.leakyReluVjp(g, x, 0.01).get(0));
    }
    return Grads.of(leakyReluGrad(g, x, 0.01f));
  }

  private static Tensor leakyReluGrad(Tensor g, Tensor x, float s) {
    return broadcastBinary("leakyRelu", g, x, (gv, v) -> v > 0 ? gv : gv * s);
  }

  // ---- gelu

  /** The error function, to double precision: Taylor series below 2.5, Laplace's continued fraction above. */
  public static double erf(double z) {
    double a = Math.abs(z);
    double r = a < 2.5 ? erfSeries(a) : 1 - erfcFraction(a);
    return z < 0 ? -r : r;
  }

  /** The complementary error function {@code 1 - erf(z)}, without cancellation for large z. */
  public static double erfc(double z) {
    if (z < 0) {
      return 2 - erfc(-z);
    }
    return z < 2.5 ? 1 - erfSeries(z) : erfcFraction(z);
  }

  private static double erfSeries(double a) {
    double x2 = a * a;
    double term = a;
    double sum = a;
    for (int n = 1; n < 200; n++) {
      term *= -x2 / n;
      double t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) {
        break;
      }
    }
    return sum * 2 / Math.sqrt(Math.PI);
  }

  private static double erfcFraction(double a) {
    double f = a;
    for (int k = 80; k >= 1; k--) {
      f = a + (k / 2.0) / f;
    }
    return Math.exp(-a * a) / (Math.sqrt(Math.PI) * f);
  }

  /** The standard normal distribution function Φ(x). */
  static double phi(double x) {
    return 0.5 * erfc(-x * SQRT1_2);
  }

  /** {@code x·Φ(x)} ({@code approximate = "none"}) or its tanh approximation ({@code "tanh"}). */
  public static Tensor gelu(Tensor x, String approximate) {
    if (F64Rules.any(x)) {
      return F64Elementwise.gelu(x, tanhApproximation(approximate));
    }
    boolean tanh = tanhApproximation(approximate);
    return unary(x, v -> (float) (tanh ? geluTanh(v) : v * phi(v)));
  }

  private static boolean tanhApproximation(String approximate) {
    return switch (approximate) {
      case "none" -> false;
      case "tanh" -> true;
      default -> throw new IllegalArgumentException("gelu: approximate argument must be either none or tanh, got \""
          + approximate + "\"");
    };
  }

  private static double geluTanh(double v) {
    return 0.5 * v * (1 + Math.tanh(SQRT_2_PI * (v + KAPPA * v * v * v)));
  }

  /** ∂x = g·(Φ(x) + x·φ(x)), or the derivative of the tanh form; the string gets none. */
  public static Grads geluVjp(Tensor g, Tensor out, Tensor x, String approximate) {
    if (F64Rules.any(g, x)) {
      return F64Elementwise.geluVjp(g, x, tanhApproximation(approximate));
    }
    return Grads.of(geluGrad(g, x, tanhApproximation(approximate)), null);
  }

  /** The adjoint of the exact {@code gelu(x)}. */
  public static Grads geluVjp(Tensor g, Tensor out, Tensor x) {
    if (F64Rules.any(g, x)) {
      return Grads.of(F64Elementwise.geluVjp(g, x, false).get(0));
    }
    return Grads.of(geluGrad(g, x, false));
  }

  private static Tensor geluGrad(Tensor g, Tensor x, boolean tanh) {
    return broadcastBinary("gelu", g, x, (gv, v) -> {
      double d;
      if (tanh) {
        double t = Math.tanh(SQRT_2_PI * (v + KAPPA * v * v * v));
        d = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * SQRT_2_PI * (1 + 3 * KAPPA * v * v);
      } else {
        d = phi(v) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v);
      }
      return (float) (gv * d);
    });
  }

  // ---- silu

  /** {@code x·σ(x)}. */
  public static Tensor silu(Tensor x) {
    if (F64Rules.any(x)) {
      return F64Elementwise.silu(x);
    }
    return unary(x, v -> (float) (v * sigmoid(v)));
  }

  /** ∂x = g·σ(x)·(1 + x·(1 - σ(x))). */
  public static Grads siluVjp(Tensor g, Tensor out, Tensor x) {
    if (F64Rules.any(g, x)) {
      return F64Elementwise.siluVjp(g, x);
    }
    return Grads.of(broadcastBinary("silu", g, x, (gv, v) -> {
      double s = sigmoid(v);
      return (float) (gv * s * (1 + v * (1 - s)));
    }));
  }

  static double sigmoid(double v) {
    if (v >= 0) {
      return 1 / (1 + Math.exp(-v));
    }
    double e = Math.exp(v);
    return e / (1 + e);
  }

  // ---- softplus

  /** {@code log(1 + e^(beta·x)) / beta}, and {@code x} itself where {@code beta·x > threshold}. */
  public static Tensor softplus(Tensor x, double beta, double threshold) {
    if (F64Rules.any(x)) {
      return F64Elementwise.softplus(x, beta, threshold);
    }
    float b = (float) beta;
    float th = (float) threshold;
    return unary(x, v -> v * b > th ? v : (float) (log1pExp(v * (double) b) / b));
  }

  /** {@code log(1 + e^z)} without overflow. */
  private static double log1pExp(double z) {
    return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
  }

  /**
   * ∂x = g·σ(beta·x), and g where {@code beta·x > threshold}; ∂beta = Σ g·(x·σ(beta·x)/beta − softplus/beta)
   * below the threshold; ∂threshold = 0 (the result is piecewise constant in it).
   */
  public static Grads softplusVjp(Tensor g, Tensor out, Tensor x, double beta, double threshold) {
    if (F64Rules.any(g, x)) {
      return F64Elementwise.softplusVjp(g, x, beta, threshold);
    }
    float b = (float) beta;
    float th = (float) threshold;
    return Grads.lazy(3, i -> switch (i) {
      case 0 -> softplusGrad(g, x, b, th);
      case 1 -> softplusBetaGrad(g, x, b, th);
      default -> Tensor.scalar(0);
    });
  }

  private static Tensor softplusBetaGrad(Tensor g, Tensor x, float b, float th) {
    float[] v = x.storage();
    float[] gs = g.storage();
    double gb = 0;
    for (int i = 0; i < v.length; i++) {
      if (!(v[i] * b > th)) {
        double z = v[i] * (double) b;
        gb += gs[i] * (v[i] * sigmoid(z) / b - log1pExp(z) / ((double) b * b));
      }
    }
    return Tensor.scalar(gb);
  }

  /** The adjoint of {@code softplus(x)} (beta 1, threshold 20). */
  public static Grads softplusVjp(Tensor g, Tensor out, Tensor x) {
    if (F64Rules.any(g, x)) {
      return Grads.of(F64Elementwise.softplusVjp(g, x, 1, 20).get(0));
    }
    return Grads.of(softplusGrad(g, x, 1f, 20f));
  }

  private static Tensor softplusGrad(Tensor g, Tensor x, float b, float th) {
    return broadcastBinary("softplus", g, x, (gv, v) -> v * b > th ? gv : (float) (gv * sigmoid(v * (double) b)));
  }

  // ---- elu

  /** {@code x > 0 ? x : alpha·(e^x − 1)}. */
  public static Tensor elu(Tensor x, double alpha) {
    if (F64Rules.any(x)) {
      return F64Elementwise.elu(x, alpha);
    }
    return unary(x, v -> v > 0 ? v : (float) (alpha * Math.expm1(v)));
  }

  /** ∂x = g where x > 0, g·alpha·e^x elsewhere (x = 0 included, as PyTorch); ∂alpha = Σ g·(e^x − 1) where x ≤ 0. */
  public static Grads eluVjp(Tensor g, Tensor out, Tensor x, double alpha) {
    if (F64Rules.any(g, x)) {
      return F64Elementwise.eluVjp(g, x, alpha);
    }
    return Grads.lazy(2, i -> i == 0 ? eluGrad(g, x, alpha) : eluAlphaGrad(g, x));
  }

  private static Tensor eluAlphaGrad(Tensor g, Tensor x) {
    float[] v = x.storage();
    float[] gs = g.storage();
    double ga = 0;
    for (int i = 0; i < v.length; i++) {
      if (!(v[i] > 0)) {
        ga += gs[i] * Math.expm1(v[i]);
      }
    }
    return Tensor.scalar(ga);
  }

  /** The adjoint of {@code elu(x)} (alpha 1). */
  public static Grads eluVjp(Tensor g, Tensor out, Tensor x) {
    if (F64Rules.any(g, x)) {
      return Grads.of(F64Elementwise.eluVjp(g, x, 1).get(0));
    }
    return Grads.of(eluGrad(g, x, 1));
  }

  private static Tensor eluGrad(Tensor g, Tensor x, double alpha) {
    return broadcastBinary("elu", g, x, (gv, v) -> v > 0 ? gv : (float) (gv * alpha * Math.exp(v)));
  }

  // ---- log-sigmoid

  /** {@code log σ(x) = min(x, 0) − log(1 + e^−|x|)}, stable for large |x|. */
  public static Tensor logSigmoid(Tensor x) {
    if (F64Rules.any(x)) {
      return F64Elementwise.logSigmoid(x);
    }
    return unary(x, v -> (float) (Math.min(v, 0) - Math.log1p(Math.exp(-Math.abs(v)))));
  }

  /** ∂x = g·σ(−x). */
  public static Grads logSigmoidVjp(Tensor g, Tensor out, Tensor x) {
    if (F64Rules.any(g, x)) {
      return F64Elementwise.logSigmoidVjp(g, x);
    }
    return Grads.of(broadcastBinary("logSigmoid", g, x, (gv, v) -> (float) (gv * sigmoid(-(double) v))));
  }

  // ---- hardtanh

  /** {@code clamp(x, min, max)} with hardtanh's gradient: it passes only strictly inside {@code (min, max)}. */
  public static Tensor hardtanh(Tensor x, double min, double max) {
    if (F64Rules.any(x)) {
      return F64Elementwise.clamp(x, min, max);
    }
    float lo = (float) min;
    float hi = (float) max;
    return unary(x, v -> InPlaceRules.clamp(v, lo, hi));
  }

  /**
   * ∂x = g where {@code min < x < max} (0 at the bounds, as PyTorch's {@code hardtanh_backward}); ∂min and
   * ∂max as for {@code clamp} with tensor bounds: Σ g where {@code x < min < max}, Σ g where {@code x > max}
   * or {@code max < min}.
   */
  public static Grads hardtanhVjp(Tensor g, Tensor out, Tensor x, double min, double max) {
    if (F64Rules.any(g, x)) {
      return F64Elementwise.hardtanhVjp(g, x, min, max);
    }
    float lo = (float) min;
    float hi = (float) max;
    return Grads.lazy(3, i -> i == 0 ? hardtanhGrad(g, x, lo, hi)
        : ElementwiseRules.clampVjp(g, out, x, min, max).get(i));
  }

  /** The adjoint of {@code hardtanh(x)} (bounds -1, 1). */
  public static Grads hardtanhVjp(Tensor g, Tensor out, Tensor x) {
    if (F64Rules.any(g, x)) {
      return Grads.of(F64Elementwise.hardtanhVjp(g, x, -1, 1).get(0));
    }
    return Grads.of(hardtanhGrad(g, x, -1f, 1f));
  }

  private static Tensor hardtanhGrad(Tensor g, Tensor x, float lo, float hi) {
    return broadcastBinary("hardtanh", g, x, (gv, v) -> v <= lo || v >= hi ? 0f : gv);
  }
}
