package dev.adjoint.rules;

import static dev.adjoint.rules.Rules.unbroadcast;

import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;
import dev.adjoint.kernel.Kernels;

/**
 * The forwards of the in-place operations of {@link Tensor} ({@code exp_}, {@code clamp_}, ...), computing what
 * the out-of-place forms compute (the same kernels, so the same bits), and the rows of the three in-place
 * operations that have no out-of-place primitive ({@code copy_}, {@code fill_}, {@code zero_}). Their gradients
 * are not here: an in-place operation records through its out-of-place primitive's row ({@code exp_} through
 * {@code exp}'s), so each operation has one adjoint and one node name.
 */
public final class InPlaceRules {
  private InPlaceRules() {}

  /** The in-place unary operations, with their method names. */
  public enum Unary {
    NEG("neg_"),
    EXP("exp_"),
    LOG("log_"),
    SQRT("sqrt_"),
    ABS("abs_"),
    SIN("sin_"),
    COS("cos_"),
    TANH("tanh_"),
    SIGMOID("sigmoid_"),
    RELU("relu_"),
    /** {@code pow_(p)}: parameter {@code p} is the exponent. */
    POW("pow_"),
    /** {@code clamp_(min, max)}: parameters {@code p} and {@code q} are the bounds. */
    CLAMP("clamp_");

    /** The method name, for messages. */
    public final String label;

    Unary(String label) {
      this.label = label;
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

  /** {@link #forward} on a FLOAT64 tensor's doubles, with no rounding to float. */
  public static void forward64(Unary op, double[] d, double p, double q) {
    for (int i = 0; i < d.length; i++) {
      double x = d[i];
      d[i] = switch (op) {
        case NEG -> -x;
        case EXP -> Math.exp(x);
        case LOG -> Math.log(x);
        case TANH -> Math.tanh(x);
        case SIGMOID -> F64Rules.sigmoid(x);
        case RELU -> x > 0 || Double.isNaN(x) ? x : 0;
        case SQRT -> Math.sqrt(x);
        case ABS -> Math.abs(x);
        case SIN -> Math.sin(x);
        case COS -> Math.cos(x);
        case POW -> p == 2 ? x * x : Math.pow(x, p);
        case CLAMP -> Double.isNaN(x) ? x : Math.min(Math.max(x, p), q);
      };
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

  // ---- the rows of the in-place operations with no out-of-place primitive (Tensor.copyFrom, filled, zeroed)

  /** What {@code self.copy_(src)} writes: {@code src} broadcast to self's shape, in self's dtype. */
  public static Tensor copyFrom(Tensor self, Tensor src) {
    Tensor r = ElementwiseRules.mul(Tensor.ones(self.shape(), self.dtype()), src);
    return r.dtype() == self.dtype() ? r : r.detach().to(self.dtype());
  }

  /** {@code self.copy_(src)}: ∂self = 0 (the old value is overwritten), ∂src = unbroadcast(g). */
  public static Grads copyFromVjp(Tensor g, Tensor out, Tensor self, Tensor src) {
    return Grads.lazy(2, i -> i == 0 ? Tensor.zeros(self.shape(), self.dtype())
        : F64Rules.as(unbroadcast(g, src.shape()), src));
  }

  /** {@code fill_(value)}: ∂self = 0, a tensor of zeros as PyTorch gives (not an absent gradient); ∂value = 0. */
  public static Grads filledVjp(Tensor g, Tensor out, Tensor self, double value) {
    return Grads.lazy(2, i -> i == 0 ? Tensor.zerosLike(g) : Tensor.zeros(new int[0], g.dtype()));
  }

  /** {@code zero_()}: ∂self = 0, a tensor of zeros as PyTorch gives. */
  public static Grads zeroedVjp(Tensor g, Tensor out, Tensor self) {
    return Grads.of(Tensor.zerosLike(g));
  }
}
