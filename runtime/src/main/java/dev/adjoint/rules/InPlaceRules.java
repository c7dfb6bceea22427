package dev.adjoint.rules;

import static dev.adjoint.rules.Rules.broadcastBinary;
import static dev.adjoint.rules.Rules.unbroadcast;

import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;
import dev.adjoint.kernel.Kernels;

/**
 * The forwards and adjoints of the in-place operations of {@link Tensor} ({@code add_}, {@code exp_},
 * ...). An in-place operation is recorded as PyTorch records it: a node whose inputs are the tensor's
 * value before the change and the operands. Each adjoint here returns the gradients of those inputs and
 * gives the same values (bit for bit where the arithmetic is the same) as the out-of-place rule in
 * {@link ElementwiseRules}; what it reads is either an operand, the changed tensor itself (its result),
 * or a private copy of the value before the change, as PyTorch's {@code original_self}.
 */
public final class InPlaceRules {
  private InPlaceRules() {}

  /** What an in-place unary operation's adjoint reads, and so what its node keeps. */
  public enum Saves {
    /** Nothing: the derivative is a constant ({@code neg_}). */
    NOTHING,
    /** The result, i.e. the changed tensor itself, checked by its version ({@code exp_}, {@code relu_}). */
    RESULT,
    /** A private copy of the value before the change ({@code log_}, {@code sin_}, {@code clamp_}). */
    INPUT
  }

  /** The in-place unary operations, with the method name and the node name PyTorch shows. */
  public enum Unary {
    NEG("neg_", "NegBackward0", Saves.NOTHING),
    EXP("exp_", "ExpBackward0", Saves.RESULT),
    LOG("log_", "LogBackward0", Saves.INPUT),
    SQRT("sqrt_", "SqrtBackward0", Saves.RESULT),
    ABS("abs_", "AbsBackward0", Saves.INPUT),
    SIN("sin_", "SinBackward0", Saves.INPUT),
    COS("cos_", "CosBackward0", Saves.INPUT),
    TANH("tanh_", "TanhBackward0", Saves.RESULT),
    SIGMOID("sigmoid_", "SigmoidBackward0", Saves.RESULT),
    RELU("relu_", "ReluBackward0", Saves.RESULT),
    /** {@code pow_(p)}: parameter {@code p} is the exponent. */
    POW("pow_", "PowBackward0", Saves.INPUT),
    /** {@code clamp_(min, max)}: parameters {@code p} and {@code q} are the bounds. */
    CLAMP("clamp_", "ClampBackward1", Saves.INPUT);

    /** The method name, for messages. */
    public final String label;
    /** The node name, as PyTorch 1.13 shows it in {@code grad_fn}. */
    public final String node;
    /** What the adjoint reads. */
    public final Saves saves;

    Unary(String label, String node, Saves saves) {
      this.label = label;
      this.node = node;
      this.saves = saves;
    }
  }

  /**
   * Applies {@code op} to every element of {@code d} in place, computing what the out-of-place form
   * computes (the same kernel, so the same bits). {@code p} is {@code pow_}'s exponent or {@code clamp_}'s
   * lower bound, {@code q} {@code clamp_}'s upper bound; other operations ignore them.
   */
  public static void forward(Unary op, float[] d, double p, double q) {
    Kernels k = Kernels.get();
    int n = d.length;
    switch (op) {
      case NEG -> k.affine(d, -1f, 0f, d, n);
      case EXP -> k.exp(d, d, n);
      case LOG -> k.log(d, d, n);
      case TANH -> k.tanh(d, d, n);
      case SIGMOID -> k.sigmoid(d, d, n);
      case RELU -> k.relu(d, d, n);
      case SQRT -> {
        for (int i = 0; i < n; i++) {
          d[i] = (float) Math.sqrt(d[i]);
        }
      }
      case ABS -> {
        for (int i = 0; i < n; i++) {
          d[i] = Math.abs(d[i]);
        }
      }
      case SIN -> {
        for (int i = 0; i < n; i++) {
          d[i] = (float) Math.sin(d[i]);
        }
      }
      case COS -> {
        for (int i = 0; i < n; i++) {
          d[i] = (float) Math.cos(d[i]);
        }
      }
      case POW -> {
        if (p == 2) {
          k.mul(d, d, d, n);
        } else {
          for (int i = 0; i < n; i++) {
            d[i] = (float) Math.pow(d[i], p);
          }
        }
      }
      case CLAMP -> {
        float lo = (float) p;
        float hi = (float) q;
        for (int i = 0; i < n; i++) {
          d[i] = clamp(d[i], lo, hi);
        }
      }
    }
  }

  /**
   * {@code min(max(x, lo), hi)} as PyTorch's {@code clamp}: NaN stays NaN, and {@code lo > hi} gives
   * {@code hi} everywhere.
   */
  static float clamp(float x, float lo, float hi) {
    if (Float.isNaN(x)) {
      return x;
    }
    return Math.min(Math.max(x, lo), hi);
  }

  /**
   * The gradient of the value before {@code op} from upstream {@code g}. {@code result} is the tensor
   * after the change (read by {@link Saves#RESULT} operations), {@code before} a copy of the value before
   * it (read by {@link Saves#INPUT} operations; may be null otherwise); {@code p}, {@code q} as in
   * {@link #forward}.
   */
  public static Grads unaryVjp(Unary op, Tensor g, Tensor result, Tensor before, double p, double q) {
    return switch (op) {
      case NEG -> ElementwiseRules.negVjp(g, result, before);
      case EXP -> ElementwiseRules.expVjp(g, result, before);
      case LOG -> ElementwiseRules.logVjp(g, result, before);
      case SQRT -> ElementwiseRules.sqrtVjp(g, result, before);
      case ABS -> ElementwiseRules.absVjp(g, result, before);
      case SIN -> ElementwiseRules.sinVjp(g, result, before);
      case COS -> ElementwiseRules.cosVjp(g, result, before);
      case TANH -> ElementwiseRules.tanhVjp(g, result, before);
      case SIGMOID -> ElementwiseRules.sigmoidVjp(g, result, before);
      case RELU -> ElementwiseRules.reluVjp(g, result, before);
      case POW -> Grads.of(ElementwiseRules.powInputGrad(g, before, p));
      case CLAMP -> Grads.of(clampGrad(g, before, (float) p, (float) q));
    };
  }

  /** ∂x of {@code clamp(x, lo, hi)}: g where {@code lo ≤ x ≤ hi} (bounds included, as PyTorch), else 0. */
  static Tensor clampGrad(Tensor g, Tensor x, float lo, float hi) {
    float[] gs = g.storage();
    float[] xs = x.storage();
    float[] out = new float[gs.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = xs[i] >= lo && xs[i] <= hi ? gs[i] : 0f;
    }
    return Tensor.wrapLike(out, g);
  }

  // ---- binary, with a tensor operand: the node's inputs are (self before, other)

  /** {@code self.add_(other, alpha)}: ∂self = g, ∂other = unbroadcast(alpha·g). */
  public static Grads addAlphaVjp(Tensor g, Tensor self, Tensor other, double alpha) {
    return Grads.lazy(2, i -> i == 0 ? unbroadcast(g, self)
        : unbroadcast(alpha == 1 ? g : ElementwiseRules.affine(g, alpha, 0), other));
  }

  /**
   * {@code self.mul_(other)}: ∂self = unbroadcast(g·other), ∂other = unbroadcast(g·before), where
   * {@code before} is a copy of self before the change (null when other needs no gradient).
   */
  public static Grads mulVjp(Tensor g, Tensor self, Tensor before, Tensor other) {
    return Grads.lazy(2, i -> i == 0 ? unbroadcast(ElementwiseRules.times(g, other), self)
        : unbroadcast(ElementwiseRules.times(g, before), other));
  }

  /**
   * {@code self.div_(other)}: ∂self = unbroadcast(g / other), ∂other = unbroadcast(-g·before / other²),
   * where {@code before} is a copy of self before the change (null when other needs no gradient): the
   * out-of-place {@link ElementwiseRules#divVjp} on the old value, bit for bit.
   */
  public static Grads divVjp(Tensor g, Tensor self, Tensor before, Tensor other) {
    return Grads.lazy(2, i -> {
      if (i == 0) {
        return unbroadcast(broadcastBinary("div", g, other, (x, y) -> x / y), self);
      }
      return ElementwiseRules.divVjp(g, null, before, other).get(1);
    });
  }

  /** {@code self.copy_(src)}: ∂self = 0 (the old value is overwritten), ∂src = unbroadcast(g). */
  public static Grads copyVjp(Tensor g, Tensor self, Tensor src) {
    return Grads.lazy(2, i -> i == 0 ? Tensor.zeros(self.shape()) : unbroadcast(g, src));
  }

  /** {@code fill_}, {@code zero_}: ∂self = 0, a tensor of zeros as PyTorch gives (not an absent gradient). */
  public static Grads overwriteVjp(Tensor g) {
    return Grads.of(Tensor.zerosLike(g));
  }

  /** {@code self.mul_(s)}: ∂self = g·s. */
  public static Grads scaleVjp(Tensor g, double s) {
    return Grads.of(ElementwiseRules.affine(g, s, 0));
  }

  /** {@code self.div_(s)}: ∂self = g / s. */
  public static Grads divScalarVjp(Tensor g, double s) {
    float fs = (float) s;
    return Grads.of(Rules.unary(g, x -> x / fs));
  }

  /** {@code add_(s)}, {@code sub_(s)}: ∂self = g. */
  public static Grads identityVjp(Tensor g) {
    return Grads.of(g);
  }
}
