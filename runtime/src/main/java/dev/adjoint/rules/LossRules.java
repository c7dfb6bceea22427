package dev.adjoint.rules;

import dev.adjoint.shape.Shapes;
import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;
import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * Elementwise losses of {@code torch.nn.functional} with a {@code reduction} ({@code "none"}, {@code "sum"},
 * {@code "mean"}; {@link #klDiv} also {@code "batchmean"}) and their adjoints. Each loss computes its
 * per-element terms in double, reduces them in double and rounds once; the adjoint spreads the upstream
 * gradient (one value, or one per element for {@code "none"}) over the elements. Node names are PyTorch's:
 * the native losses keep theirs for every reduction; {@code l1_loss} and {@code kl_div}, which PyTorch
 * 1.13 composes from other operations, are named after the last of them, which depends on the reduction.
 */
public final class LossRules {
  private LossRules() {}

  enum Reduction { NONE, SUM, MEAN, BATCHMEAN }

  static Reduction reduction(String op, String r, boolean batchmean) {
    return switch (r) {
      case "none" -> Reduction.NONE;
      case "sum" -> Reduction.SUM;
      case "mean" -> Reduction.MEAN;
      case "batchmean" -> {
        if (!batchmean) {
          throw new IllegalArgumentException(op + ": \"batchmean\" is not a valid value for reduction");
        }
        yield Reduction.BATCHMEAN;
      }
      default -> throw new IllegalArgumentException(op + ": \"" + r + "\" is not a valid value for reduction"
          + " (expected \"none\", \"sum\" or \"mean\")");
    };
  }

  private static void sameShape(String op, Tensor input, Tensor target) {
    if (!Arrays.equals(input.shape(), target.shape())) {
      throw new IllegalArgumentException(op + ": target size " + Shapes.str(target.shape())
          + " must be the same as input size " + Shapes.str(input.shape()));
    }
  }

  /** The per-element terms reduced as {@code r} says: the terms themselves, their sum or their mean. */
  private static Tensor reduce(double[] terms, Tensor like, Reduction r) {
    int[] shape = like.shape();
    if (r == Reduction.NONE) {
      return wrap(terms, like);
    }
    double s = 0;
    for (double t : terms) {
      s += t;
    }
    return scalar(s / divisor(terms.length, shape, r), like);
  }

  private static double divisor(int n, int[] shape, Reduction r) {
    return switch (r) {
      case MEAN -> n;
      case BATCHMEAN -> shape.length == 0 ? 1 : shape[0];
      default -> 1;
    };
  }

  /** The upstream gradient of element {@code i}: g_i for "none", g (divided by n for "mean"). */
  private static double[] upstream(Tensor g, int n, int[] shape, Reduction r) {
    double[] u = new double[n];
    if (r == Reduction.NONE) {
      double[] gs = F64Rules.d(g);
      for (int i = 0; i < n; i++) {
        u[i] = gs[i];
      }
    } else {
      Arrays.fill(u, g.itemDouble() / divisor(n, shape, r));
    }
    return u;
  }

  /** A 0-d tensor of {@code like}'s floating dtype (FLOAT64 for a float64 input, else FLOAT32). */
  private static Tensor scalar(double v, Tensor like) {
    return F64Rules.any(like) ? F64Rules.scalar(v) : Tensor.scalar(v);
  }

  /** {@code v} in {@code like}'s shape and floating dtype (rounded to float unless {@code like} is FLOAT64). */
  private static Tensor wrap(double[] v, Tensor like) {
    int[] shape = like.shape();
    if (F64Rules.any(like)) {
      return Tensor.wrap(v, shape);
    }
    float[] o = new float[v.length];
    for (int i = 0; i < o.length; i++) {
      o[i] = (float) v[i];
    }
    return Tensor.wrap(o, shape);
  }

  /** The per-element terms {@code term(input_i, target_i)}, each float operand widened to double. */
  private static double[] terms(Tensor input, Tensor target, DoubleBinaryOperator term) {
    double[] x = F64Rules.d(input);
    double[] y = F64Rules.d(target);
    double[] t = new double[x.length];
    for (int i = 0; i < t.length; i++) {
      t[i] = term.applyAsDouble(x[i], y[i]);
    }
    return t;
  }

  /** The two-operand adjoint of a loss recorded with a scalar parameter: ∂input and ∂target only. */
  private static Grads inputAndTarget(Grads all) {
    return Grads.of(all.get(0), all.get(1));
  }

  /** The parameter's share of one element's gradient: {@code u} upstream, {@code z = |d|}. */
  private interface ParameterTerm {
    double at(double u, double z);
  }

  /**
   * The adjoint of a loss of {@code d = input − target} with a scalar parameter: ∂input = u·slope(d),
   * ∂target = −∂input, ∂parameter = Σ parameter(u, |d|) in element order.
   */
  private static Grads differenceVjp(Tensor g, Tensor input, Tensor target, Reduction r, DoubleUnaryOperator slope,
      ParameterTerm parameter) {
    double[] x = F64Rules.d(input);
    double[] y = F64Rules.d(target);
    double[] u = upstream(g, x.length, input.shape(), r);
    double[] gi = new double[x.length];
    double[] gt = new double[x.length];
    double gp = 0;
    for (int i = 0; i < x.length; i++) {
      double d = x[i] - y[i];
      double z = Math.abs(d);
      gi[i] = u[i] * slope.applyAsDouble(d);
      gt[i] = -gi[i];
      gp += parameter.at(u[i], z);
    }
    return Grads.of(wrap(gi, input), wrap(gt, target), null, scalar(gp, input));
  }

  private static String composedName(Reduction r, String none) {
    return switch (r) {
      case NONE -> none;
      case SUM -> "SumBackward0";
      case MEAN -> "MeanBackward0";
      case BATCHMEAN -> "DivBackward0";
    };
  }

  // ---- l1

  /** PyTorch 1.13's node name for {@code l1_loss(input, target, reduction)}: its composition's last operation. */
  public static String l1LossNode(Tensor input, Tensor target, String reduction) {
    return composedName(reduction("l1Loss", reduction, false), "AbsBackward0");
  }

  /** {@code |input − target|}, reduced. */
  public static Tensor l1Loss(Tensor input, Tensor target, String reduction) {
    Reduction r = reduction("l1Loss", reduction, false);
    sameShape("l1Loss", input, target);
    double[] t = terms(input, target, (x, y) -> Math.abs(x - y));
    return reduce(t, input, r);
  }

  /** The adjoint of {@code l1Loss(input, target)} (mean). */
  public static Grads l1LossVjp(Tensor g, Tensor out, Tensor input, Tensor target) {
    return inputAndTarget(l1LossVjp(g, out, input, target, "mean"));
  }

  /** ∂input = g·sign(input − target) (0 where equal), ∂target = −∂input. */
  public static Grads l1LossVjp(Tensor g, Tensor out, Tensor input, Tensor target, String reduction) {
    Reduction r = reduction("l1Loss", reduction, false);
    double[] x = F64Rules.d(input);
    double[] y = F64Rules.d(target);
    double[] u = upstream(g, x.length, input.shape(), r);
    double[] gi = new double[x.length];
    double[] gt = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      gi[i] = u[i] * Math.signum(x[i] - y[i]);
      gt[i] = -gi[i];
    }
    return Grads.of(wrap(gi, input), wrap(gt, target), null);
  }

  // ---- smooth l1 and huber

  /** {@code 0.5·d²/beta} where {@code |d| < beta}, else {@code |d| − 0.5·beta}, d = input − target; reduced. */
  public static Tensor smoothL1Loss(Tensor input, Tensor target, String reduction, double beta) {
    Reduction r = reduction("smoothL1Loss", reduction, false);
    sameShape("smoothL1Loss", input, target);
    if (beta < 0) {
      throw new IllegalArgumentException("smoothL1Loss: beta must be non-negative, got " + beta);
    }
    double[] t = terms(input, target, (x, y) -> {
      double z = Math.abs(x - y);
      return z < beta ? 0.5 * z * z / beta : z - 0.5 * beta;
    });
    return reduce(t, input, r);
  }

  /** The adjoint of {@code smoothL1Loss(input, target)} (mean, beta 1). */
  public static Grads smoothL1LossVjp(Tensor g, Tensor out, Tensor input, Tensor target) {
    return inputAndTarget(smoothL1LossVjp(g, out, input, target, "mean", 1));
  }

  /**
   * ∂input = g·clamp(d/beta, −1, 1) (sign(d) for beta = 0, as PyTorch's {@code l1} path), ∂target = −∂input,
   * ∂beta = Σ g·(−0.5·d²/beta² inside, −0.5 outside).
   */
  public static Grads smoothL1LossVjp(Tensor g, Tensor out, Tensor input, Tensor target, String reduction,
      double beta) {
    Reduction r = reduction("smoothL1Loss", reduction, false);
    return differenceVjp(g, input, target, r, d -> d < -beta ? -1 : d > beta ? 1 : beta == 0 ? 0 : d / beta,
        (u, z) -> u * (z < beta ? -0.5 * z * z / (beta * beta) : -0.5));
  }

  /** {@code 0.5·d²} where {@code |d| < delta}, else {@code delta·(|d| − 0.5·delta)}; reduced. */
  public static Tensor huberLoss(Tensor input, Tensor target, String reduction, double delta) {
    Reduction r = reduction("huberLoss", reduction, false);
    sameShape("huberLoss", input, target);
    if (!(delta > 0)) {
      throw new IllegalArgumentException("huberLoss: delta must be positive, got " + delta);
    }
    double[] t = terms(input, target, (x, y) -> {
      double z = Math.abs(x - y);
      return z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta);
    });
    return reduce(t, input, r);
  }

  /** The adjoint of {@code huberLoss(input, target)} (mean, delta 1). */
  public static Grads huberLossVjp(Tensor g, Tensor out, Tensor input, Tensor target) {
    return inputAndTarget(huberLossVjp(g, out, input, target, "mean", 1));
  }

  /** ∂input = g·clamp(d, −delta, delta), ∂target = −∂input, ∂delta = Σ g·(|d| − delta) outside, 0 inside. */
  public static Grads huberLossVjp(Tensor g, Tensor out, Tensor input, Tensor target, String reduction,
      double delta) {
    Reduction r = reduction("huberLoss", reduction, false);
    return differenceVjp(g, input, target, r, d -> d < -delta ? -delta : d > delta ? delta : d,
        (u, z) -> z < delta ? 0 : u * (z - delta));
  }

  // ---- binary cross-entropy on probabilities

  /**
   * {@code −w·(t·log x + (1 − t)·log(1 − x))} with each log clamped at −100 as PyTorch (so x = 0 or 1 gives a
   * finite loss); {@code weight} (the input's shape) or {@code null}; reduced.
   */
  public static Tensor binaryCrossEntropy(Tensor input, Tensor target, Tensor weight, String reduction) {
    Reduction r = reduction("binaryCrossEntropy", reduction, false);
    sameShape("binaryCrossEntropy", input, target);
    if (weight != null) {
      sameShape("binaryCrossEntropy (weight)", input, weight);
    }
    double[] x = F64Rules.d(input);
    for (double v : x) {
      if (!(v >= 0 && v <= 1)) {
        throw new IllegalArgumentException("binaryCrossEntropy: all elements of input should be between 0 and 1");
      }
    }
    double[] t = bceTerms(x, F64Rules.d(target), weight);
    return reduce(t, input, r);
  }

  private static double[] bceTerms(double[] x, double[] y, Tensor weight) {
    double[] t = new double[x.length];
    double[] ws = weight == null ? null : F64Rules.d(weight);
    for (int i = 0; i < t.length; i++) {
      double lx = Math.max(Math.log(x[i]), -100);
      double l1x = Math.max(Math.log1p(-x[i]), -100);
      t[i] = -(y[i] * lx + (1 - y[i]) * l1x) * (ws == null ? 1 : ws[i]);
    }
    return t;
  }

  /** The adjoint of {@code binaryCrossEntropy(input, target)} (no weight, mean). */
  public static Grads binaryCrossEntropyVjp(Tensor g, Tensor out, Tensor input, Tensor target) {
    return inputAndTarget(binaryCrossEntropyVjp(g, out, input, target, null, "mean"));
  }

  /**
   * ∂input = g·w·(x − t)/max(x·(1 − x), 1e-12) (PyTorch's EPSILON), ∂target = −g·w·logit(x) (PyTorch's, not
   * clamped: ±∞ at x = 1 and 0), ∂weight = g·(the unweighted term).
   */
  public static Grads binaryCrossEntropyVjp(Tensor g, Tensor out, Tensor input, Tensor target, Tensor weight,
      String reduction) {
    Reduction r = reduction("binaryCrossEntropy", reduction, false);
    double[] x = F64Rules.d(input);
    double[] y = F64Rules.d(target);
    double[] u = upstream(g, x.length, input.shape(), r);
    double[] gi = new double[x.length];
    double[] gt = new double[x.length];
    double[] unweighted = bceTerms(x, y, null);
    double[] gw = new double[x.length];
    double[] ws = weight == null ? null : F64Rules.d(weight);
    for (int i = 0; i < x.length; i++) {
      double w = ws == null ? 1 : ws[i];
      double xi = x[i];
      gi[i] = u[i] * w * (xi - y[i]) / Math.max((1 - xi) * xi, 1e-12);
      gt[i] = -u[i] * w * Math.log(xi / (1 - xi)); // PyTorch's -logit(x), unclamped (±inf at 0 and 1)
      gw[i] = u[i] * unweighted[i];
    }
    return Grads.of(wrap(gi, input), wrap(gt, target),
        weight == null ? null : wrap(gw, weight), null);
  }

  // ---- Kullback-Leibler divergence

  /** PyTorch 1.13's node name for {@code kl_div}: its composition's last operation. */
  public static String klDivNode(Tensor input, Tensor target, String reduction, boolean logTarget) {
    return composedName(reduction("klDiv", reduction, true), logTarget ? "MulBackward0" : "SubBackward0");
  }

  /**
   * The pointwise KL divergence of log-probabilities {@code input} from {@code target}: {@code t·(log t − x)}
   * (0 where t = 0), or {@code e^t·(t − x)} when {@code logTarget}; reduced ({@code "batchmean"} divides the
   * sum by the first dimension).
   */
  public static Tensor klDiv(Tensor input, Tensor target, String reduction, boolean logTarget) {
    Reduction r = reduction("klDiv", reduction, true);
    sameShape("klDiv", input, target);
    double[] t = terms(input, target,
        (x, yi) -> logTarget ? Math.exp(yi) * (yi - x) : (yi == 0 ? 0 : yi * Math.log(yi)) - yi * x);
    return reduce(t, input, r);
  }

  /**
   * ∂input = −g·t (−g·e^t when {@code logTarget}); ∂target = g·(log t + 1 − x), or g·e^t·(t − x + 1). At
   * t = 0 the log term is taken as 0 (PyTorch's {@code xlogy} gives NaN there, 0/0).
   */
  public static Grads klDivVjp(Tensor g, Tensor out, Tensor input, Tensor target, String reduction,
      boolean logTarget) {
    Reduction r = reduction("klDiv", reduction, true);
    double[] x = F64Rules.d(input);
    double[] y = F64Rules.d(target);
    double[] u = upstream(g, x.length, input.shape(), r);
    double[] gi = new double[x.length];
    double[] gt = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double yi = y[i];
      if (logTarget) {
        double e = Math.exp(yi);
        gi[i] = -u[i] * e;
        gt[i] = u[i] * e * (yi - x[i] + 1);
      } else {
        gi[i] = -u[i] * yi;
        gt[i] = u[i] * ((yi == 0 ? 0 : Math.log(yi)) + 1 - x[i]);
      }
    }
    return Grads.of(wrap(gi, input), wrap(gt, target), null, null);
  }
}
