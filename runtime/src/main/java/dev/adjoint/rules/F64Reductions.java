package dev.adjoint.rules;

import static dev.adjoint.rules.F64Rules.d;
import static dev.adjoint.rules.ReductionRules.reducedDims;
import static dev.adjoint.rules.ReductionRules.reducedShape;
import static dev.adjoint.rules.ReductionRules.slotOf;

import dev.adjoint.shape.Shapes;
import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;

/**
 * The float64 path of {@link ReductionRules}' max/min over a dimension, argmax/argmin, amax/amin, logsumexp,
 * prod, var/std, norm, cumsum and cumprod: the same methods with {@code double} where those have {@code float}
 * (written from them by replacing the element type; keep the two in step), so nothing is rounded to float.
 * Each rule there sends a float64 operand here with one line ({@link F64Rules}); indices stay INT64.
 */
public final class F64Reductions {
  private F64Reductions() {}


  /** The largest values over {@code dim}. */
  public static Tensor max(Tensor a, int dim, boolean keepDim) {
    return extremeDim(Extreme.MAX, a, dim, keepDim);
  }

  /** {@code max(dim)}: the adjoint of {@code max(dim, false)}. */
  public static Grads maxDimVjp(Tensor g, Tensor out, Tensor a, int dim) {
    return Grads.of(maxDimVjp(g, out, a, dim, false).get(0), null);
  }

  /** ∂a = g at the first position of each maximum along {@code dim}, 0 elsewhere. */
  public static Grads maxDimVjp(Tensor g, Tensor out, Tensor a, int dim, boolean keepDim) {
    return extremeDimVjp(Extreme.MAX, g, a, dim, keepDim);
  }

  /** The index of the first maximum over {@code dim} (INT64, not recorded). */
  public static Tensor argmax(Tensor a, int dim, boolean keepDim) {
    int d = Shapes.dim("argmax", dim, a.dim());
    if (a.dim() == 0) {
      return Tensor.wrap(new float[] {0}, new int[0], Tensor.DType.INT64);
    }
    int[] s = Shapes.split(a.shape(), d);
    if (s[1] == 0) {
      throw new IllegalArgumentException("argmax: cannot reduce over a zero-size dimension " + d
          + " (shape " + Shapes.str(a.shape()) + ")");
    }
    double[] x = d(a);
    float[] out = new float[s[0] * s[2]];
    for (int o = 0; o < s[0]; o++) {
      for (int i = 0; i < s[2]; i++) {
        int best = 0;
        double bv = x[o * s[1] * s[2] + i];
        for (int j = 1; j < s[1] && !Double.isNaN(bv); j++) {
          double v = x[(o * s[1] + j) * s[2] + i];
          if (v > bv || Double.isNaN(v)) {
            bv = v;
            best = j;
          }
        }
        out[o * s[2] + i] = best;
      }
    }
    return Tensor.wrap(out, Shapes.reduced(a.shape(), d, keepDim), Tensor.DType.INT64);
  }

  /** {@link Shapes#split} of {@code a}'s shape at {@code d}; a 0-D tensor is one slice of one element. */
  private static int[] split0(Tensor a, int d) {
    return a.dim() == 0 ? new int[] {1, 1, 1} : Shapes.split(a.shape(), d);
  }

  // ---- min

  /** The smallest values over {@code dim}. */
  public static Tensor min(Tensor a, int dim, boolean keepDim) {
    return extremeDim(Extreme.MIN, a, dim, keepDim);
  }

  /** {@code min(dim)}: the adjoint of {@code min(dim, false)}. */
  public static Grads minDimVjp(Tensor g, Tensor out, Tensor a, int dim) {
    return Grads.of(minDimVjp(g, out, a, dim, false).get(0), null);
  }

  /** ∂a = g at the first position of each minimum along {@code dim}, 0 elsewhere. */
  public static Grads minDimVjp(Tensor g, Tensor out, Tensor a, int dim, boolean keepDim) {
    return extremeDimVjp(Extreme.MIN, g, a, dim, keepDim);
  }

  /** {@code max(dim)} or {@code min(dim)}: the operation's name, its node and the index of its extremes. */
  private enum Extreme {
    MAX("max"),
    MIN("min");

    final String op;

    Extreme(String op) {
      this.op = op;
    }

    /** The index of the first extreme over {@code dim}: {@link #argmax} or {@link #argmin}. */
    Tensor index(Tensor a, int dim, boolean keepDim) {
      return this == MAX ? argmax(a, dim, keepDim) : argmin(a, dim, keepDim);
    }
  }

  /** The extreme values over {@code dim}, gathered at the positions {@link Extreme#index} gives. */
  private static Tensor extremeDim(Extreme e, Tensor a, int dim, boolean keepDim) {
    int d = Shapes.dim(e.op, dim, a.dim());
    if (a.dim() == 0) {
      return F64Rules.scalar(a.itemDouble());
    }
    Tensor idx = e.index(a, dim, keepDim);
    double[] x = d(a);
    int[] s = Shapes.split(a.shape(), d);
    double[] out = new double[s[0] * s[2]];
    double[] ix = d(idx);
    for (int o = 0; o < s[0]; o++) {
      for (int i = 0; i < s[2]; i++) {
        out[o * s[2] + i] = x[(o * s[1] + (int) ix[o * s[2] + i]) * s[2] + i];
      }
    }
    return Tensor.wrap(out, Shapes.reduced(a.shape(), d, keepDim));
  }

  /** ∂a = g at the first position of each extreme along {@code dim}, 0 elsewhere. */
  private static Grads extremeDimVjp(Extreme e, Tensor g, Tensor a, int dim, boolean keepDim) {
    int d = Shapes.dim(e.op, dim, a.dim());
    if (a.dim() == 0) {
      return Grads.of(g, null, null);
    }
    Tensor idx = e.index(a, dim, keepDim);
    int[] s = Shapes.split(a.shape(), d);
    double[] ga = new double[a.numel()];
    double[] gs = d(g);
    double[] ix = d(idx);
    for (int o = 0; o < s[0]; o++) {
      for (int i = 0; i < s[2]; i++) {
        ga[(o * s[1] + (int) ix[o * s[2] + i]) * s[2] + i] = gs[o * s[2] + i];
      }
    }
    return Grads.of(Tensor.wrap(ga, a.shape()), null, null);
  }

  /** The index of the first minimum over {@code dim} (INT64, not recorded); NaN counts as the minimum. */
  public static Tensor argmin(Tensor a, int dim, boolean keepDim) {
    return argmax(F64Rules.unary(a, v -> -v), dim, keepDim);
  }

  // ---- amax / amin

  /** The largest values over {@code dims} (empty: all); NaN propagates. */
  public static Tensor amax(Tensor a, int[] dims, boolean keepDim) {
    return extremum("amax", a, dims, keepDim, 1);
  }

  /** ∂a = g shared evenly among the elements equal to their slice's maximum (PyTorch's {@code scale_grad_by_count}). */
  public static Grads amaxVjp(Tensor g, Tensor out, Tensor a, int[] dims, boolean keepDim) {
    return Grads.of(shareAmongTies("amax", g, out, a, dims), null, null);
  }

  /** The smallest values over {@code dims} (empty: all); NaN propagates. */
  public static Tensor amin(Tensor a, int[] dims, boolean keepDim) {
    return extremum("amin", a, dims, keepDim, -1);
  }

  /** ∂a = g shared evenly among the elements equal to their slice's minimum. */
  public static Grads aminVjp(Tensor g, Tensor out, Tensor a, int[] dims, boolean keepDim) {
    return Grads.of(shareAmongTies("amin", g, out, a, dims), null, null);
  }

  private static Tensor extremum(String op, Tensor a, int[] dims, boolean keepDim, int sign) {
    boolean[] red = reducedDims(op, dims, a.dim());
    int[] slot = slotOf(a.shape(), red);
    int[] os = reducedShape(a.shape(), red, keepDim);
    double[] o = new double[Shapes.numel(os)];
    if (a.numel() == 0 && o.length > 0) {
      throw new IllegalArgumentException(op + ": cannot reduce over a zero-size dimension (shape "
          + Shapes.str(a.shape()) + ")");
    }
    java.util.Arrays.fill(o, sign > 0 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
    double[] x = d(a);
    for (int i = 0; i < x.length; i++) {
      double v = x[i];
      int k = slot[i];
      if (Double.isNaN(v) || Double.isNaN(o[k])) {
        o[k] = Double.NaN;
      } else {
        o[k] = sign > 0 ? Math.max(o[k], v) : Math.min(o[k], v);
      }
    }
    return Tensor.wrap(o, os);
  }

  private static Tensor shareAmongTies(String op, Tensor g, Tensor out, Tensor a, int[] dims) {
    boolean[] red = reducedDims(op, dims, a.dim());
    int[] slot = slotOf(a.shape(), red);
    double[] x = d(a);
    double[] o = d(out);
    double[] gs = d(g);
    int[] count = new int[o.length];
    for (int i = 0; i < x.length; i++) {
      if (x[i] == o[slot[i]]) {
        count[slot[i]]++;
      }
    }
    double[] ga = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      if (x[i] == o[slot[i]]) {
        ga[i] = gs[slot[i]] / count[slot[i]];
      }
    }
    return Tensor.wrap(ga, a.shape());
  }

  // ---- logsumexp

  /** {@code log Σ exp(a)} over {@code dim}, computed stably (an infinite maximum is not subtracted). */
  public static Tensor logsumexp(Tensor a, int dim, boolean keepDim) {
    int[] dims = {dim};
    boolean[] red = reducedDims("logsumexp", dims, a.dim());
    int[] slot = slotOf(a.shape(), red);
    int[] os = reducedShape(a.shape(), red, keepDim);
    double[] x = d(a);
    int n = Shapes.numel(os);
    double[] m = new double[n];
    java.util.Arrays.fill(m, Double.NEGATIVE_INFINITY);
    for (int i = 0; i < x.length; i++) {
      m[slot[i]] = Math.max(m[slot[i]], x[i]);
    }
    double[] s = new double[n];
    for (int i = 0; i < x.length; i++) {
      double shift = Double.isInfinite(m[slot[i]]) ? 0 : m[slot[i]];
      s[slot[i]] += Math.exp(x[i] - shift);
    }
    double[] o = new double[n];
    for (int k = 0; k < n; k++) {
      double shift = Double.isInfinite(m[k]) ? 0 : m[k];
      o[k] = (Math.log(s[k]) + shift);
    }
    return Tensor.wrap(o, os);
  }

  /** {@code logsumexp(dim)}: the adjoint of {@code logsumexp(dim, false)}. */
  public static Grads logsumexpVjp(Tensor g, Tensor out, Tensor a, int dim) {
    return Grads.of(logsumexpVjp(g, out, a, dim, false).get(0), null);
  }

  /** ∂a = g·exp(a − out): the softmax along {@code dim} times g. */
  public static Grads logsumexpVjp(Tensor g, Tensor out, Tensor a, int dim, boolean keepDim) {
    int[] slot = slotOf(a.shape(), reducedDims("logsumexp", new int[] {dim}, a.dim()));
    double[] x = d(a);
    double[] o = d(out);
    double[] gs = d(g);
    double[] ga = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      ga[i] = (gs[slot[i]] * Math.exp(x[i] - o[slot[i]]));
    }
    return Grads.of(Tensor.wrap(ga, a.shape()), null, null);
  }

  // ---- prod

  /** The product of all elements (0-D). */
  public static Tensor prod(Tensor a) {
    double p = 1;
    for (double v : d(a)) {
      p *= v;
    }
    return F64Rules.scalar(p);
  }

  /**
   * ∂a_i = g·Π_{j≠i} a_j, by prefix and suffix products: exact with zeros in the input (one zero: only its
   * position gets a gradient; two or more: all zero), as PyTorch's {@code prod_backward}.
   */
  public static Grads prodVjp(Tensor g, Tensor out, Tensor a) {
    double[] ga = new double[a.numel()];
    othersProduct(d(a), g.itemDouble(), ga, 0, a.numel(), 1);
    return Grads.of(Tensor.wrap(ga, a.shape()));
  }

  /** The product over {@code dim}. */
  public static Tensor prod(Tensor a, int dim, boolean keepDim) {
    int d = Shapes.dim("prod", dim, a.dim());
    int[] s = split0(a, d);
    double[] x = d(a);
    double[] o = new double[s[0] * s[2]];
    for (int q = 0; q < s[0]; q++) {
      for (int i = 0; i < s[2]; i++) {
        double p = 1;
        for (int j = 0; j < s[1]; j++) {
          p *= x[(q * s[1] + j) * s[2] + i];
        }
        o[q * s[2] + i] = p;
      }
    }
    return Tensor.wrap(o, a.dim() == 0 ? new int[0] : Shapes.reduced(a.shape(), d, keepDim));
  }

  /** {@code prod(dim)}: the adjoint of {@code prod(dim, false)}. */
  public static Grads prodDimVjp(Tensor g, Tensor out, Tensor a, int dim) {
    return Grads.of(prodDimVjp(g, out, a, dim, false).get(0), null);
  }

  /** ∂a = g·(product of the other elements of the slice along {@code dim}), exact with zeros. */
  public static Grads prodDimVjp(Tensor g, Tensor out, Tensor a, int dim, boolean keepDim) {
    int d = Shapes.dim("prod", dim, a.dim());
    int[] s = split0(a, d);
    double[] gs = d(g);
    double[] ga = new double[a.numel()];
    double[] x = d(a);
    for (int q = 0; q < s[0]; q++) {
      for (int i = 0; i < s[2]; i++) {
        othersProduct(x, gs[q * s[2] + i], ga, q * s[1] * s[2] + i, s[1], s[2]);
      }
    }
    return Grads.of(Tensor.wrap(ga, a.shape()), null, null);
  }

  /** {@code ga[k] = g·Π_{j≠k} x[j]} over the {@code n} elements {@code off + j·stride}. */
  private static void othersProduct(double[] x, double g, double[] ga, int off, int n, int stride) {
    double[] prefix = new double[n + 1];
    prefix[0] = 1;
    for (int j = 0; j < n; j++) {
      prefix[j + 1] = prefix[j] * x[off + j * stride];
    }
    double suffix = 1;
    for (int j = n - 1; j >= 0; j--) {
      ga[off + j * stride] = (g * (prefix[j] * suffix));
      suffix *= x[off + j * stride];
    }
  }

  // ---- var / std

  /**
   * The variance over {@code dims} (empty: all) with {@code correction} (Bessel's 1 by default): Σ(x − mean)²
   * / max(0, n − correction).
   */
  public static Tensor var(Tensor a, int[] dims, int correction, boolean keepDim) {
    return moments("var", a, dims, correction, keepDim, false);
  }

  /** The adjoint of {@code var()} (all elements, correction 1). */
  public static Grads varVjp(Tensor g, Tensor out, Tensor a) {
    return Grads.of(varGrad("var", g, null, a, new int[0], 1));
  }

  /** ∂a = g·2(a − mean)/(n − correction). */
  public static Grads varVjp(Tensor g, Tensor out, Tensor a, int[] dims, int correction, boolean keepDim) {
    return Grads.of(varGrad("var", g, null, a, dims, correction), null, null, null);
  }

  /** The standard deviation over {@code dims} (empty: all) with {@code correction}: the square root of {@link #var}. */
  public static Tensor std(Tensor a, int[] dims, int correction, boolean keepDim) {
    return moments("std", a, dims, correction, keepDim, true);
  }

  /** The adjoint of {@code std()} (all elements, correction 1). */
  public static Grads stdVjp(Tensor g, Tensor out, Tensor a) {
    return Grads.of(varGrad("std", g, out, a, new int[0], 1));
  }

  /** ∂a = g·(a − mean)/((n − correction)·out), PyTorch's {@code var_backward(g / (2·out))}. */
  public static Grads stdVjp(Tensor g, Tensor out, Tensor a, int[] dims, int correction, boolean keepDim) {
    return Grads.of(varGrad("std", g, out, a, dims, correction), null, null, null);
  }

  private static double[] means(double[] x, int[] slot, int n, double count) {
    double[] m = new double[n];
    for (int i = 0; i < x.length; i++) {
      m[slot[i]] += x[i];
    }
    for (int k = 0; k < n; k++) {
      m[k] /= count;
    }
    return m;
  }

  private static Tensor moments(String op, Tensor a, int[] dims, int correction, boolean keepDim, boolean sqrt) {
    boolean[] red = reducedDims(op, dims, a.dim());
    int[] slot = slotOf(a.shape(), red);
    int[] os = reducedShape(a.shape(), red, keepDim);
    int n = Shapes.numel(os);
    double[] x = d(a);
    double count = n == 0 ? 0 : x.length / n;
    double[] m = means(x, slot, n, count);
    double[] ss = new double[n];
    for (int i = 0; i < x.length; i++) {
      double dv = x[i] - m[slot[i]];
      ss[slot[i]] += dv * dv;
    }
    double[] o = new double[n];
    for (int k = 0; k < n; k++) {
      double v = ss[k] / Math.max(0, count - correction);
      o[k] = (sqrt ? Math.sqrt(v) : v);
    }
    return Tensor.wrap(o, os);
  }

  private static Tensor varGrad(String op, Tensor g, Tensor stdOut, Tensor a, int[] dims, int correction) {
    boolean[] red = reducedDims(op, dims, a.dim());
    int[] slot = slotOf(a.shape(), red);
    double[] x = d(a);
    double[] gs = d(g);
    int n = g.numel();
    double count = n == 0 ? 0 : x.length / n;
    double[] m = means(x, slot, n, count);
    double scale = 2.0 / (count - correction);
    double[] ga = new double[x.length];
    double[] sd = stdOut == null ? null : d(stdOut);
    for (int i = 0; i < x.length; i++) {
      // a zero standard deviation gives 0, as PyTorch's std_backward (masked_fill(result == 0, 0)), not g/0 · 0
      double gi = sd == null ? gs[slot[i]] : sd[slot[i]] == 0 ? 0 : gs[slot[i]] / (2.0 * sd[slot[i]]);
      ga[i] = (scale * gi * (x[i] - m[slot[i]]));
    }
    return Tensor.wrap(ga, a.shape());
  }

  // ---- norm

  /**
   * The p-norm of all elements, {@code (Σ|x|^p)^(1/p)} (0-D): {@code p = ∞} is the largest |x|, {@code p = 0}
   * the number of non-zero elements.
   */
  public static Tensor norm(Tensor a, double p) {
    double[] x = d(a);
    double r;
    if (p == Double.POSITIVE_INFINITY) {
      r = 0;
      for (double v : x) {
        r = Math.max(r, Math.abs(v));
      }
    } else if (p == 0) {
      r = 0;
      for (double v : x) {
        r += v != 0 ? 1 : 0;
      }
    } else {
      double s = 0;
      for (double v : x) {
        s += p == 2 ? v * v : Math.pow(Math.abs(v), p);
      }
      r = p == 2 ? Math.sqrt(s) : p == 1 ? s : Math.pow(s, 1 / p);
    }
    return F64Rules.scalar(r);
  }

  /**
   * ∂a = g·sign(a)·|a|^(p−1)/out^(p−1) (0 where out = 0; for ∞ shared evenly among the largest |a|, for 0
   * none); ∂p = g·out·(Σ|a|^p·ln|a| / (p·Σ|a|^p) − ln(Σ|a|^p)/p²) for finite p > 0, else 0.
   */
  public static Grads normVjp(Tensor g, Tensor out, Tensor a, double p) {
    return Grads.lazy(2, i -> i == 0 ? normInputGrad(g, out, a, p) : normOrderGrad(g, out, a, p));
  }

  private static Tensor normOrderGrad(Tensor g, Tensor out, Tensor a, double p) {
    double gp = 0;
    if (p > 0 && p != Double.POSITIVE_INFINITY && out.itemDouble() != 0) {
      double s = 0;
      double sl = 0;
      for (double v : d(a)) {
        if (v != 0) {
          double t = Math.pow(Math.abs(v), p);
          s += t;
          sl += t * Math.log(Math.abs(v));
        }
      }
      gp = g.itemDouble() * out.itemDouble() * (sl / (p * s) - Math.log(s) / (p * p));
    }
    return F64Rules.scalar(gp);
  }

  /** The adjoint of {@code norm()} (p = 2). */
  public static Grads normVjp(Tensor g, Tensor out, Tensor a) {
    return Grads.of(normInputGrad(g, out, a, 2));
  }

  private static Tensor normInputGrad(Tensor g, Tensor out, Tensor a, double p) {
    double[] x = d(a);
    double[] ga = new double[x.length];
    double n = out.itemDouble();
    double gv = g.itemDouble();
    if (p == Double.POSITIVE_INFINITY) {
      int count = 0;
      for (double v : x) {
        count += Math.abs(v) == n ? 1 : 0;
      }
      for (int i = 0; i < x.length; i++) {
        ga[i] = Math.abs(x[i]) == n ? (gv * Math.signum(x[i]) / count) : 0.0;
      }
    } else if (p != 0 && n != 0) {
      for (int i = 0; i < x.length; i++) {
        double v = x[i];
        ga[i] = (p == 2 ? gv * v / n
            : p == 1 ? gv * Math.signum(v) : gv * Math.signum(v) * Math.pow(Math.abs(v), p - 1) / Math.pow(n, p - 1));
      }
    }
    return Tensor.wrap(ga, a.shape());
  }

  // ---- cumulative sum / product

  /** The running sum along {@code dim}. */
  public static Tensor cumsum(Tensor a, int dim) {
    return running(a, dim, false);
  }

  /** ∂a = the running sum of g along {@code dim} taken from the end. */
  public static Grads cumsumVjp(Tensor g, Tensor out, Tensor a, int dim) {
    int[] s = split0(a, Shapes.dim("cumsum", dim, a.dim()));
    double[] gs = d(g);
    double[] ga = new double[gs.length];
    for (int q = 0; q < s[0]; q++) {
      for (int i = 0; i < s[2]; i++) {
        double acc = 0;
        for (int j = s[1] - 1; j >= 0; j--) {
          int k = (q * s[1] + j) * s[2] + i;
          acc += gs[k];
          ga[k] = acc;
        }
      }
    }
    return Grads.of(Tensor.wrap(ga, a.shape()), null);
  }

  /** The running product along {@code dim}. */
  public static Tensor cumprod(Tensor a, int dim) {
    return running(a, dim, true);
  }

  /**
   * ∂a_k = Σ_{j≥k} g_j·Π_{i≤j, i≠k} a_i along {@code dim}. Before the first zero of a slice that is
   * (Σ_{j≥k} g_j·out_j)/a_k; at the first zero the products skip it; after it everything is 0.
   */
  public static Grads cumprodVjp(Tensor g, Tensor out, Tensor a, int dim) {
    int[] s = split0(a, Shapes.dim("cumprod", dim, a.dim()));
    double[] x = d(a);
    double[] gs = d(g);
    double[] o = d(out);
    double[] ga = new double[x.length];
    for (int q = 0; q < s[0]; q++) {
      for (int i = 0; i < s[2]; i++) {
        int base = q * s[1] * s[2] + i;
        int st = s[2];
        int n = s[1];
        int zero = n;
        for (int j = 0; j < n; j++) {
          if (x[base + j * st] == 0) {
            zero = j;
            break;
          }
        }
        // before the first zero: (Σ_{j≥k} g_j out_j) / x_k, with out_j = 0 from the zero on
        double acc = 0;
        for (int j = n - 1; j >= 0; j--) {
          acc += gs[base + j * st] * o[base + j * st];
          if (j < zero) {
            ga[base + j * st] = (acc / x[base + j * st]);
          }
        }
        if (zero < n) {
          // at the zero: Σ_{j≥z} g_j·Π_{i<z} x_i·Π_{z<i≤j} x_i
          double left = zero == 0 ? 1 : runningProduct(x, base, st, zero);
          double run = left;
          double sum = 0;
          for (int j = zero; j < n; j++) {
            if (j > zero) {
              run *= x[base + j * st];
            }
            sum += gs[base + j * st] * run;
          }
          ga[base + zero * st] = sum;
        }
      }
    }
    return Grads.of(Tensor.wrap(ga, a.shape()), null);
  }

  private static double runningProduct(double[] x, int base, int st, int n) {
    double p = 1;
    for (int j = 0; j < n; j++) {
      p *= x[base + j * st];
    }
    return p;
  }

  private static Tensor running(Tensor a, int dim, boolean product) {
    int[] s = split0(a, Shapes.dim(product ? "cumprod" : "cumsum", dim, a.dim()));
    double[] x = d(a);
    double[] o = new double[x.length];
    for (int q = 0; q < s[0]; q++) {
      for (int i = 0; i < s[2]; i++) {
        double acc = product ? 1 : 0;
        for (int j = 0; j < s[1]; j++) {
          int k = (q * s[1] + j) * s[2] + i;
          acc = product ? acc * x[k] : acc + x[k];
          o[k] = acc;
        }
      }
    }
    return Tensor.wrap(o, a.shape());
  }
}
