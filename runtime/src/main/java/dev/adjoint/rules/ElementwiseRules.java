package dev.adjoint.rules;

import static dev.adjoint.rules.Rules.broadcastBinary;
import static dev.adjoint.rules.Rules.dotAll;
import static dev.adjoint.rules.Rules.sumAll;
import static dev.adjoint.rules.Rules.unary;
import static dev.adjoint.rules.Rules.unbroadcast;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;
import dev.adjoint.kernel.Kernels;
import java.util.Arrays;

/**
 * Elementwise operations and their adjoints, side by side. Each forward records a node whose adjoint
 * is the {@code *Vjp} method next to it; {@link Tensor}'s {@code @Primitive} metadata names the same
 * method for the annotation processor. Adjoint signature: {@code (g, out, inputs...) -> Grads}.
 */
public final class ElementwiseRules {
  private ElementwiseRules() {}

  private static final Tensor[] NOTHING = new Tensor[0];

  private static boolean sameShape(Tensor a, Tensor b) {
    return Arrays.equals(a.shape(), b.shape());
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
    return Tensor.wrap(out, a.shape());
  }

  static Tensor affine(Tensor a, double s, double t) {
    float[] out = new float[a.numel()];
    Kernels.get().affine(a.storage(), (float) s, (float) t, out, out.length);
    return Tensor.wrap(out, a.shape());
  }

  // ---- add

  /** {@code a + b} with broadcasting. */
  public static Tensor add(Tensor a, Tensor b) {
    Tensor out = sameShape(a, b) ? kernel2(a, b, 0)
        : Rules.isRowOf(b, a) ? Rules.addRow(a, b) : broadcastBinary("add", a, b, Float::sum);
    return Autograd.record("AddBackward0", null, out, new Tensor[] {a, b}, new Tensor[0],
        g -> addVjp(g, out, a, b));
  }

  /** ∂a = unbroadcast(g), ∂b = unbroadcast(g). */
  public static Grads addVjp(Tensor g, Tensor out, Tensor a, Tensor b) {
    return Grads.of(unbroadcast(g, a.shape()), unbroadcast(g, b.shape()));
  }

  /** {@code a + s}. */
  public static Tensor add(Tensor a, double s) {
    Tensor out = affine(a, 1, s);
    return Autograd.record("AddBackward0", null, out, new Tensor[] {a}, new Tensor[0],
        g -> addScalarVjp(g, out, a, s));
  }

  /** ∂a = g, ∂s = Σg. */
  public static Grads addScalarVjp(Tensor g, Tensor out, Tensor a, double s) {
    return Grads.of(g, sumAll(g));
  }

  // ---- sub

  /** {@code a - b} with broadcasting. */
  public static Tensor sub(Tensor a, Tensor b) {
    Tensor out = sameShape(a, b) ? kernel2(a, b, 1) : broadcastBinary("sub", a, b, (x, y) -> x - y);
    return Autograd.record("SubBackward0", null, out, new Tensor[] {a, b}, new Tensor[0],
        g -> subVjp(g, out, a, b));
  }

  /** ∂a = unbroadcast(g), ∂b = -unbroadcast(g). */
  public static Grads subVjp(Tensor g, Tensor out, Tensor a, Tensor b) {
    return Grads.of(unbroadcast(g, a.shape()), negate(unbroadcast(g, b.shape())));
  }

  /** {@code a - s}. */
  public static Tensor sub(Tensor a, double s) {
    Tensor out = affine(a, 1, -s);
    return Autograd.record("SubBackward0", null, out, new Tensor[] {a}, new Tensor[0],
        g -> subScalarVjp(g, out, a, s));
  }

  /** ∂a = g, ∂s = -Σg. */
  public static Grads subScalarVjp(Tensor g, Tensor out, Tensor a, double s) {
    return Grads.of(g, Tensor.scalar(-sumAll(g).item()));
  }

  /** {@code s - a}. */
  public static Tensor rsub(Tensor a, double s) {
    Tensor out = affine(a, -1, s);
    return Autograd.record("RsubBackward1", null, out, new Tensor[] {a}, new Tensor[0],
        g -> rsubVjp(g, out, a, s));
  }

  /** ∂a = -g, ∂s = Σg. */
  public static Grads rsubVjp(Tensor g, Tensor out, Tensor a, double s) {
    return Grads.of(negate(g), sumAll(g));
  }

  // ---- mul

  /** {@code a * b} with broadcasting. */
  public static Tensor mul(Tensor a, Tensor b) {
    Tensor out = sameShape(a, b) ? kernel2(a, b, 2) : broadcastBinary("mul", a, b, (x, y) -> x * y);
    return Autograd.record("MulBackward0", null, out, new Tensor[] {a, b}, Rules.savedForProduct(a, b),
        g -> mulVjp(g, out, a, b));
  }

  /** ∂a = unbroadcast(g·b), ∂b = unbroadcast(g·a). */
  public static Grads mulVjp(Tensor g, Tensor out, Tensor a, Tensor b) {
    return Grads.of(unbroadcast(times(g, b), a.shape()), unbroadcast(times(g, a), b.shape()));
  }

  /** {@code a * s}. */
  public static Tensor mul(Tensor a, double s) {
    Tensor out = affine(a, s, 0);
    // saves nothing, as PyTorch: ∂a = g·s needs no input (∂s, which reads a, is not used eagerly)
    return Autograd.record("MulBackward0", null, out, new Tensor[] {a}, NOTHING, g -> mulScalarVjp(g, out, a, s));
  }

  /** ∂a = g·s, ∂s = Σ g·a. */
  public static Grads mulScalarVjp(Tensor g, Tensor out, Tensor a, double s) {
    return Grads.of(affine(g, s, 0), dotAll(g, a));
  }

  // ---- div

  /** {@code a / b} with broadcasting. */
  public static Tensor div(Tensor a, Tensor b) {
    Tensor out = sameShape(a, b) ? kernel2(a, b, 3) : broadcastBinary("div", a, b, (x, y) -> x / y);
    Tensor[] saved = b.requiresGrad() ? new Tensor[] {b, out} : new Tensor[] {b};
    return Autograd.record("DivBackward0", null, out, new Tensor[] {a, b}, saved,
        g -> divVjp(g, out, a, b));
  }

  /** ∂a = unbroadcast(g / b), ∂b = unbroadcast(-g·a / b²) = unbroadcast(-g·out / b). */
  public static Grads divVjp(Tensor g, Tensor out, Tensor a, Tensor b) {
    Tensor ga = unbroadcast(broadcastBinary("div", g, b, (x, y) -> x / y), a.shape());
    Tensor q = broadcastBinary("div", times(g, out), b, (x, y) -> -x / y);
    return Grads.of(ga, unbroadcast(q, b.shape()));
  }

  /** {@code a / s}. */
  public static Tensor div(Tensor a, double s) {
    float fs = (float) s;
    Tensor out = unary(a, x -> x / fs);
    return Autograd.record("DivBackward0", null, out, new Tensor[] {a}, NOTHING, g -> divScalarVjp(g, out, a, s));
  }

  /** ∂a = g / s, ∂s = -Σ g·a / s². */
  public static Grads divScalarVjp(Tensor g, Tensor out, Tensor a, double s) {
    float fs = (float) s;
    return Grads.of(unary(g, x -> x / fs), Tensor.scalar(-dotAll(g, a).item() / (s * s)));
  }

  // ---- pow

  /** {@code a ** p}. */
  public static Tensor pow(Tensor a, double p) {
    Tensor out = p == 2 ? kernel2(a, a, 2) : unary(a, x -> (float) Math.pow(x, p));
    // eagerly only ∂a is used: skip ∂p's logarithms (powVjp = this plus ∂p; RuleGradientTest checks both agree)
    return Autograd.record("PowBackward0", null, out, new Tensor[] {a}, new Tensor[] {a},
        g -> Grads.of(powInputGrad(g, a, p)));
  }

  /**
   * ∂a = g·p·a^(p-1) (0 where p = 0), ∂p = Σ g·a^p·ln a (terms with a = 0 contribute 0, as
   * PyTorch masks them).
   */
  public static Grads powVjp(Tensor g, Tensor out, Tensor a, double p) {
    float[] x = a.storage();
    float[] gs = g.storage();
    float[] o = out.storage();
    double gp = 0;
    for (int i = 0; i < x.length; i++) {
      if (x[i] != 0) {
        gp += gs[i] * (double) o[i] * Math.log(x[i]);
      }
    }
    return Grads.of(powInputGrad(g, a, p), Tensor.scalar(gp));
  }

  /** ∂a of {@code a ** p}: g·p·a^(p-1), 0 where p = 0. */
  static Tensor powInputGrad(Tensor g, Tensor a, double p) {
    float[] x = a.storage();
    float[] gs = g.storage();
    float[] ga = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      ga[i] = p == 0 ? 0f : p == 2 ? (float) (gs[i] * 2.0 * x[i]) : (float) (gs[i] * p * Math.pow(x[i], p - 1));
    }
    return Tensor.wrap(ga, a.shape());
  }

  // ---- unary

  /** {@code -a}. */
  public static Tensor neg(Tensor a) {
    Tensor out = negate(a);
    return Autograd.record("NegBackward0", null, out, new Tensor[] {a}, new Tensor[0], g -> negVjp(g, out, a));
  }

  /** ∂a = -g. */
  public static Grads negVjp(Tensor g, Tensor out, Tensor a) {
    return Grads.of(negate(g));
  }

  /** {@code exp(a)}. */
  public static Tensor exp(Tensor a) {
    float[] o = new float[a.numel()];
    Kernels.get().exp(a.storage(), o, o.length);
    Tensor out = Tensor.wrap(o, a.shape());
    return Autograd.record("ExpBackward0", null, out, new Tensor[] {a}, new Tensor[] {out},
        g -> expVjp(g, out, a));
  }

  /** ∂a = g·exp(a) = g·out. */
  public static Grads expVjp(Tensor g, Tensor out, Tensor a) {
    return Grads.of(times(g, out));
  }

  /** {@code ln(a)}. */
  public static Tensor log(Tensor a) {
    Tensor out = Rules.unaryKernel(a, Kernels.get()::log);
    return Autograd.record("LogBackward0", out, g -> logVjp(g, out, a), a);
  }

  /** ∂a = g / a. */
  public static Grads logVjp(Tensor g, Tensor out, Tensor a) {
    return Grads.of(kernel2(g, a, 3));
  }

  /** {@code sqrt(a)}. */
  public static Tensor sqrt(Tensor a) {
    Tensor out = unary(a, x -> (float) Math.sqrt(x));
    return Autograd.record("SqrtBackward0", null, out, new Tensor[] {a}, new Tensor[] {out},
        g -> sqrtVjp(g, out, a));
  }

  /** ∂a = g / (2·sqrt(a)) = g / (2·out). */
  public static Grads sqrtVjp(Tensor g, Tensor out, Tensor a) {
    return Grads.of(broadcastBinary("sqrt", g, out, (x, y) -> x / (2f * y)));
  }

  /** {@code |a|}. */
  public static Tensor abs(Tensor a) {
    Tensor out = unary(a, Math::abs);
    return Autograd.record("AbsBackward0", out, g -> absVjp(g, out, a), a);
  }

  /** ∂a = g·sign(a), with sign(0) = 0 as in PyTorch. */
  public static Grads absVjp(Tensor g, Tensor out, Tensor a) {
    return Grads.of(broadcastBinary("abs", g, a, (x, y) -> x * Math.signum(y)));
  }

  /** {@code sin(a)}. */
  public static Tensor sin(Tensor a) {
    Tensor out = unary(a, x -> (float) Math.sin(x));
    return Autograd.record("SinBackward0", out, g -> sinVjp(g, out, a), a);
  }

  /** ∂a = g·cos(a). */
  public static Grads sinVjp(Tensor g, Tensor out, Tensor a) {
    return Grads.of(broadcastBinary("sin", g, a, (x, y) -> (float) (x * Math.cos(y))));
  }

  /** {@code cos(a)}. */
  public static Tensor cos(Tensor a) {
    Tensor out = unary(a, x -> (float) Math.cos(x));
    return Autograd.record("CosBackward0", out, g -> cosVjp(g, out, a), a);
  }

  /** ∂a = -g·sin(a). */
  public static Grads cosVjp(Tensor g, Tensor out, Tensor a) {
    return Grads.of(broadcastBinary("cos", g, a, (x, y) -> (float) (-x * Math.sin(y))));
  }

  /** {@code tanh(a)}. */
  public static Tensor tanh(Tensor a) {
    Tensor out = Rules.unaryKernel(a, Kernels.get()::tanh);
    return Autograd.record("TanhBackward0", null, out, new Tensor[] {a}, new Tensor[] {out},
        g -> tanhVjp(g, out, a));
  }

  /** ∂a = g·(1 - out²). */
  public static Grads tanhVjp(Tensor g, Tensor out, Tensor a) {
    if (sameShape(g, out)) {
      float[] o = new float[g.numel()];
      Kernels.get().tanhBackward(g.storage(), out.storage(), o, o.length);
      return Grads.of(Tensor.wrap(o, g.shape()));
    }
    return Grads.of(broadcastBinary("tanh", g, out, (x, y) -> x * (1f - y * y)));
  }

  /** {@code 1 / (1 + exp(-a))}. */
  public static Tensor sigmoid(Tensor a) {
    Tensor out = Rules.unaryKernel(a, Kernels.get()::sigmoid);
    return Autograd.record("SigmoidBackward0", null, out, new Tensor[] {a}, new Tensor[] {out},
        g -> sigmoidVjp(g, out, a));
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
    if (sameShape(g, out)) {
      float[] o = new float[g.numel()];
      Kernels.get().sigmoidBackward(g.storage(), out.storage(), o, o.length);
      return Grads.of(Tensor.wrap(o, g.shape()));
    }
    return Grads.of(broadcastBinary("sigmoid", g, out, (x, y) -> x * y * (1f - y)));
  }

  /** {@code max(a, 0)}. */
  public static Tensor relu(Tensor a) {
    float[] o = new float[a.numel()];
    Kernels.get().relu(a.storage(), o, o.length);
    Tensor out = Tensor.wrap(o, a.shape());
    return Autograd.record("ReluBackward0", null, out, new Tensor[] {a}, new Tensor[] {out},
        g -> reluVjp(g, out, a));
  }

  /** ∂a = g where out > 0, else 0 (relu'(0) = 0). Reads only {@code out}. */
  public static Grads reluVjp(Tensor g, Tensor out, Tensor a) {
    float[] o = new float[g.numel()];
    Kernels.get().reluBackward(g.storage(), out.storage(), o, o.length);
    return Grads.of(Tensor.wrap(o, g.shape()));
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
    return sameShape(a, b) ? kernel2(a, b, 2) : broadcastBinary("mul", a, b, (x, y) -> x * y);
  }
}
