package dev.adjoint.rules;

import dev.adjoint.shape.Shapes;
import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;

/**
 * {@code nllLoss} and {@code crossEntropy} in full, forward and adjoint together: inputs {@code (C)},
 * {@code (N, C)} or {@code (N, C, d1, ...)} (classes along dimension 1), class {@code weight}, {@code
 * ignoreIndex}, every reduction, label smoothing, and probability targets for {@code crossEntropy} — PyTorch
 * 1.13's {@code nll_loss_nd} and {@code cross_entropy_loss} formulas. Sums are accumulated in double.
 *
 * <p>With class targets element {@code i} (one per sample and position) has weight {@code w_i =
 * weight[t_i]} (1 without weights; 0 when {@code t_i == ignoreIndex}); {@code "mean"} divides by {@code
 * Σ w_i}, as PyTorch. Label smoothing {@code ε} adds {@code ε/C · Σ_c weight[c]·(−logp_ic)} per element,
 * whose mean divides by {@code Σ w_i} with weights and by the element count without. A probability target
 * {@code T} (float, the input's shape) gives {@code −Σ_c weight[c]·T'_ic·logp_ic} with {@code T' = (1−ε)T
 * + ε/C}, whose mean divides by the element count. The weight's gradient (PyTorch does not differentiate
 * it for class targets) is the formula's, so that a {@code double}-style check holds.
 */
public final class ClassLossRules {
  private ClassLossRules() {}

  /** The layout of an input: samples N, classes C, positions S per sample; element (n, c, s) at (n·C + c)·S + s. */
  private record Layout(int n, int c, int s, int[] targetShape) {
    int at(int sample, int cls, int pos) {
      return (sample * c + cls) * this.s + pos;
    }
  }

  private static Layout layout(String op, Tensor input) {
    int[] sh = input.shape();
    if (sh.length == 0) {
      throw new IllegalArgumentException(op + ": input tensor should be 1D or more (got a 0-d tensor)");
    }
    if (sh.length == 1) {
      return new Layout(1, sh[0], 1, new int[0]);
    }
    int s = 1;
    int[] ts = new int[sh.length - 1];
    ts[0] = sh[0];
    for (int d = 2; d < sh.length; d++) {
      s *= sh[d];
      ts[d - 1] = sh[d];
    }
    return new Layout(sh[0], sh[1], s, ts);
  }

  private static int classDim(Tensor input) {
    return input.dim() == 1 ? 0 : 1;
  }

  private static void checkWeight(String op, Tensor weight, Layout l) {
    if (weight != null && (weight.dim() != 1 || weight.numel() != l.c)) {
      throw new IllegalArgumentException(op + ": weight tensor should be defined either for all " + l.c
          + " classes or no classes but got weight tensor of shape: " + Shapes.str(weight.shape()));
    }
  }

  /** The class of each element, -1 where ignored; checks the target's shape and range. */
  private static int[] classes(String op, Tensor target, int ignoreIndex, Layout l) {
    IndexingRules.requireLong(op, "target", target);
    if (!java.util.Arrays.equals(target.shape(), l.targetShape)) {
      throw new IllegalArgumentException(op + ": expected target of shape " + Shapes.str(l.targetShape)
          + ", got " + Shapes.str(target.shape()));
    }
    double[] t = F64Rules.d(target);
    int[] cls = new int[t.length];
    for (int i = 0; i < t.length; i++) {
      int k = (int) t[i];
      if (k == ignoreIndex) {
        cls[i] = -1;
      } else if (k < 0 || k >= l.c) {
        throw new IndexOutOfBoundsException(op + ": Target " + k + " is out of bounds (" + l.c + " classes)");
      } else {
        cls[i] = k;
      }
    }
    return cls;
  }

  private static double weightOf(double[] w, int c) {
    return w == null ? 1 : w[c];
  }

  private static Tensor reduce(double[] perElement, double sum, double denominator, LossRules.Reduction r,
      int[] shape, Tensor like) {
    return switch (r) {
      case NONE -> floats(perElement, shape, like);
      case SUM -> scalar(sum, like);
      default -> scalar(sum / denominator, like);
    };
  }

  /** A 0-d tensor in {@code like}'s floating dtype (FLOAT64 for float64 input, else FLOAT32). */
  private static Tensor scalar(double v, Tensor like) {
    return F64Rules.any(like) ? F64Rules.scalar(v) : Tensor.scalar(v);
  }

  // ---------------------------------------------------------------------------------------------
  // nllLoss

  /** The negative log-likelihood of log-probabilities {@code input} at class targets, weighted and reduced. */
  public static Tensor nllLoss(Tensor input, Tensor target, Tensor weight, int ignoreIndex, String reduction) {
    LossRules.Reduction r = LossRules.reduction("nllLoss", reduction, false);
    Layout l = layout("nllLoss", input);
    checkWeight("nllLoss", weight, l);
    int[] cls = classes("nllLoss", target, ignoreIndex, l);
    double[] x = F64Rules.d(input);
    double[] w = weight == null ? null : F64Rules.d(weight);
    double[] loss = new double[cls.length];
    double sum = 0;
    double wsum = 0;
    for (int n = 0; n < l.n; n++) {
      for (int s = 0; s < l.s; s++) {
        int i = n * l.s + s;
        if (cls[i] >= 0) {
          double wi = weightOf(w, cls[i]);
          loss[i] = -wi * x[l.at(n, cls[i], s)];
          sum += loss[i];
          wsum += wi;
        }
      }
    }
    return reduce(loss, sum, wsum, r, l.targetShape, input);
  }

  /** ∂input = −w_i·(upstream of element i) at each target class; ∂weight by the formula. */
  public static Grads nllLossVjp(Tensor g, Tensor out, Tensor input, Tensor target, Tensor weight, int ignoreIndex,
      String reduction) {
    LossRules.Reduction r = LossRules.reduction("nllLoss", reduction, false);
    Layout l = layout("nllLoss", input);
    int[] cls = classes("nllLoss", target, ignoreIndex, l);
    double[] x = F64Rules.d(input);
    double[] w = weight == null ? null : F64Rules.d(weight);
    double[] gs = F64Rules.d(g);
    double wsum = 0;
    double lossSum = 0;
    for (int n = 0; n < l.n; n++) {
      for (int s = 0; s < l.s; s++) {
        int i = n * l.s + s;
        if (cls[i] >= 0) {
          wsum += weightOf(w, cls[i]);
          lossSum += -weightOf(w, cls[i]) * x[l.at(n, cls[i], s)];
        }
      }
    }
    double mean = lossSum / wsum;
    double[] gx = new double[x.length];
    double[] gw = new double[l.c];
    for (int n = 0; n < l.n; n++) {
      for (int s = 0; s < l.s; s++) {
        int i = n * l.s + s;
        if (cls[i] < 0) {
          continue;
        }
        double a = switch (r) {
          case NONE -> gs[i];
          case SUM -> gs[0];
          default -> gs[0] / wsum;
        };
        int at = l.at(n, cls[i], s);
        gx[at] = (-weightOf(w, cls[i]) * a);
        gw[cls[i]] += a * (-x[at] - (r == LossRules.Reduction.MEAN ? mean : 0));
      }
    }
    return Grads.of(floats(gx, input.shape(), input), null,
        weight == null ? null : floats(gw, weight.shape(), weight), null, null);
  }

  /**
   * PyTorch 1.13's node for {@code nll_loss}: {@code NllLossBackward0} for inputs of at most 2 dimensions,
   * else {@code NllLoss2DBackward0}, except that a 3-D or 5-D+ input with reduction "none" ends in the
   * {@code ViewBackward0} that reshapes the result.
   */
  public static String nllLossNode(Tensor input, Tensor target, Tensor weight, int ignoreIndex, String reduction) {
    if (input.dim() <= 2) {
      return "NllLossBackward0";
    }
    return input.dim() != 4 && reduction.equals("none") ? "ViewBackward0" : "NllLoss2DBackward0";
  }

  // ---------------------------------------------------------------------------------------------
  // crossEntropy

  /** The cross-entropy of logits {@code input} against class targets (INT64) or probabilities (float). */
  public static Tensor crossEntropy(Tensor input, Tensor target, Tensor weight, int ignoreIndex, String reduction,
      double labelSmoothing) {
    LossRules.Reduction r = LossRules.reduction("crossEntropy", reduction, false);
    Layout l = layout("crossEntropy", input);
    checkWeight("crossEntropy", weight, l);
    if (labelSmoothing < 0 || labelSmoothing > 1) {
      throw new IllegalArgumentException("crossEntropy: label_smoothing must be between 0.0 and 1.0. Got: "
          + labelSmoothing);
    }
    double[] lp = F64Rules.d(NnRules.logSoftmax(input, classDim(input)));
    double[] w = weight == null ? null : F64Rules.d(weight);
    double eps = labelSmoothing;
    if (target.dtype().isFloatingPoint()) {
      double[] t = probabilities(input, target, ignoreIndex);
      double[] loss = new double[l.n * l.s];
      double sum = 0;
      for (int n = 0; n < l.n; n++) {
        for (int s = 0; s < l.s; s++) {
          double v = 0;
          for (int c = 0; c < l.c; c++) {
            int at = l.at(n, c, s);
            v -= weightOf(w, c) * ((1 - eps) * t[at] + eps / l.c) * lp[at];
          }
          loss[n * l.s + s] = v;
          sum += v;
        }
      }
      return reduce(loss, sum, (double) l.n * l.s, r, l.targetShape, input);
    }
    int[] cls = classes("crossEntropy", target, ignoreIndex, l);
    double[] loss = new double[cls.length];
    double sumN = 0;
    double sumS = 0;
    double wsum = 0;
    for (int n = 0; n < l.n; n++) {
      for (int s = 0; s < l.s; s++) {
        int i = n * l.s + s;
        if (cls[i] < 0) {
          continue;
        }
        double wi = weightOf(w, cls[i]);
        double nll = -wi * lp[l.at(n, cls[i], s)];
        double smooth = 0;
        if (eps > 0) {
          for (int c = 0; c < l.c; c++) {
            smooth -= weightOf(w, c) * lp[l.at(n, c, s)];
          }
        }
        loss[i] = (1 - eps) * nll + eps / l.c * smooth;
        sumN += nll;
        sumS += smooth;
        wsum += wi;
      }
    }
    if (r != LossRules.Reduction.MEAN) {
      return reduce(loss, (1 - eps) * sumN + eps / l.c * sumS, 1, r, l.targetShape, input);
    }
    double smoothDen = w == null ? (double) l.n * l.s : wsum;
    return scalar((1 - eps) * (sumN / wsum) + (eps > 0 ? eps / l.c * (sumS / smoothDen) : 0), input);
  }

  private static double[] probabilities(Tensor input, Tensor target, int ignoreIndex) {
    if (!java.util.Arrays.equals(input.shape(), target.shape())) {
      throw new IllegalArgumentException("crossEntropy: a probability target must have the input's shape "
          + Shapes.str(input.shape()) + ", got " + Shapes.str(target.shape()));
    }
    if (ignoreIndex != -100) {
      throw new IllegalArgumentException("crossEntropy: ignore_index is not supported for floating point target"
          + " (got ignoreIndex " + ignoreIndex + ")");
    }
    return F64Rules.d(target);
  }

  /** Gradients of {@link #crossEntropy}: input (through log-softmax), a probability target, the weight. */
  public static Grads crossEntropyVjp(Tensor g, Tensor out, Tensor input, Tensor target, Tensor weight,
      int ignoreIndex, String reduction, double labelSmoothing) {
    LossRules.Reduction r = LossRules.reduction("crossEntropy", reduction, false);
    Layout l = layout("crossEntropy", input);
    double[] lp = F64Rules.d(NnRules.logSoftmax(input, classDim(input)));
    double[] w = weight == null ? null : F64Rules.d(weight);
    double[] gs = F64Rules.d(g);
    double eps = labelSmoothing;
    double[] gl = new double[lp.length]; // ∂L/∂logp
    double[] gw = new double[l.c];
    double[] gt = null;
    double geps = 0; // the label smoothing's gradient
    if (target.dtype().isFloatingPoint()) {
      double[] t = probabilities(input, target, ignoreIndex);
      gt = new double[t.length];
      for (int n = 0; n < l.n; n++) {
        for (int s = 0; s < l.s; s++) {
          int i = n * l.s + s;
          double si = switch (r) {
            case NONE -> gs[i];
            case SUM -> gs[0];
            default -> gs[0] / ((double) l.n * l.s);
          };
          for (int c = 0; c < l.c; c++) {
            int at = l.at(n, c, s);
            double tp = (1 - eps) * t[at] + eps / l.c;
            gl[at] = -si * weightOf(w, c) * tp;
            gt[at] = -si * weightOf(w, c) * lp[at] * (1 - eps);
            gw[c] += -si * tp * lp[at];
            geps += -si * weightOf(w, c) * lp[at] * (1.0 / l.c - t[at]);
          }
        }
      }
    } else {
      int[] cls = classes("crossEntropy", target, ignoreIndex, l);
      double wsum = 0;
      double sumN = 0;
      double sumS = 0;
      int[] count = new int[l.c];
      for (int n = 0; n < l.n; n++) {
        for (int s = 0; s < l.s; s++) {
          int i = n * l.s + s;
          if (cls[i] >= 0) {
            double wi = weightOf(w, cls[i]);
            wsum += wi;
            count[cls[i]]++;
            sumN -= wi * lp[l.at(n, cls[i], s)];
            for (int c = 0; c < l.c; c++) {
              sumS -= weightOf(w, c) * lp[l.at(n, c, s)];
            }
          }
        }
      }
      boolean mean = r == LossRules.Reduction.MEAN;
      double smoothDen = w == null ? (double) l.n * l.s : wsum;
      for (int n = 0; n < l.n; n++) {
        for (int s = 0; s < l.s; s++) {
          int i = n * l.s + s;
          if (cls[i] < 0) {
            continue;
          }
          double up = r == LossRules.Reduction.NONE ? gs[i] : gs[0];
          double a = mean ? up / wsum : up;
          double b = mean ? up / smoothDen : up;
          int at = l.at(n, cls[i], s);
          gl[at] -= (1 - eps) * a * weightOf(w, cls[i]);
          gw[cls[i]] += (1 - eps) * a * -lp[at];
          double smooth = 0;
          for (int c = 0; c < l.c; c++) {
            smooth -= weightOf(w, c) * lp[l.at(n, c, s)];
          }
          geps += -a * weightOf(w, cls[i]) * -lp[at] + b / l.c * smooth;
          if (eps > 0) {
            for (int c = 0; c < l.c; c++) {
              int ac = l.at(n, c, s);
              gl[ac] -= eps / l.c * b * weightOf(w, c);
              gw[c] += eps / l.c * b * -lp[ac];
            }
          }
        }
      }
      if (mean && w != null) {
        // the mean's denominator Σ w_i depends on the weights too
        for (int c = 0; c < l.c; c++) {
          gw[c] -= count[c] * gs[0] * ((1 - eps) * sumN / (wsum * wsum) + (eps > 0 ? eps / l.c * sumS / (wsum * wsum) : 0));
        }
      }
    }
    // back through log-softmax along the class dimension: ∂x = G − softmax · Σ_c G
    double[] gx = new double[lp.length];
    for (int n = 0; n < l.n; n++) {
      for (int s = 0; s < l.s; s++) {
        double total = 0;
        for (int c = 0; c < l.c; c++) {
          total += gl[l.at(n, c, s)];
        }
        for (int c = 0; c < l.c; c++) {
          int at = l.at(n, c, s);
          gx[at] = (gl[at] - Math.exp(lp[at]) * total);
        }
      }
    }
    return Grads.of(floats(gx, input.shape(), input), gt == null ? null : floats(gt, target.shape(), target),
        weight == null ? null : floats(gw, weight.shape(), weight), null, null, scalar(geps, input));
  }

  /**
   * PyTorch 1.13's node for {@code cross_entropy}: a probability target ends in {@code DivBackward1} (mean)
   * or {@code NegBackward0}; label smoothing in {@code AddBackward0}; otherwise {@link #nllLossNode}.
   */
  public static String crossEntropyNode(Tensor input, Tensor target, Tensor weight, int ignoreIndex, String reduction,
      double labelSmoothing) {
    if (target.dtype().isFloatingPoint()) {
      return reduction.equals("mean") ? "DivBackward1" : "NegBackward0";
    }
    if (labelSmoothing > 0) {
      return "AddBackward0";
    }
    return nllLossNode(input, target, weight, ignoreIndex, reduction);
  }

  /** {@code v} in {@code like}'s floating dtype: as is for FLOAT64, else rounded to float. */
  private static Tensor floats(double[] v, int[] shape, Tensor like) {
    if (F64Rules.any(like)) {
      return Tensor.wrap(v, shape);
    }
    float[] f = new float[v.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) v[i];
    }
    return Tensor.wrap(f, shape);
  }
}
