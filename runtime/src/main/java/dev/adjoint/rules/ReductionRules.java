package dev.adjoint.rules;

import dev.adjoint.shape.Shapes;
import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;
import dev.adjoint.kernel.Kernels;

/** Reductions (sum, mean, max) over all elements or one dimension, with their adjoints. */
public final class ReductionRules {
  private ReductionRules() {}

  /** Spreads {@code g} (the reduced shape) back over {@code dim} of {@code shape}, times {@code scale}. */
  private static Tensor expand(Tensor g, int[] shape, int dim, float scale) {
    int[] s = Shapes.split(shape, dim);
    float[] src = g.storage();
    float[] out = new float[Shapes.numel(shape)];
    for (int o = 0; o < s[0]; o++) {
      for (int j = 0; j < s[1]; j++) {
        int base = (o * s[1] + j) * s[2];
        for (int i = 0; i < s[2]; i++) {
          out[base + i] = src[o * s[2] + i] * scale;
        }
      }
    }
    return Tensor.wrap(out, shape);
  }

  private static Tensor reduceDim(Tensor a, int dim, boolean keepDim, boolean mean) {
    int[] shape = a.shape();
    int[] s = Shapes.split(shape, dim);
    float[] out = new float[s[0] * s[2]];
    Kernels.get().sumAxis(a.storage(), s[0], s[1], s[2], out);
    if (mean) {
      for (int i = 0; i < out.length; i++) {
        out[i] /= s[1];
      }
    }
    return Tensor.wrap(out, Shapes.reduced(shape, dim, keepDim));
  }

  // ---- sum

  /** The sum of all elements (0-D). */
  public static Tensor sum(Tensor a) {
    if (F64Rules.any(a)) {
      return F64Rules.sum(a);
    }
    return Tensor.scalar(Kernels.get().sum(a.storage(), 0, a.numel()));
  }

  /** ∂a = g broadcast to a's shape. */
  public static Grads sumVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.reduceVjp(g, a, new int[0], false, false);
    }
    return Grads.of(Tensor.full(g.item(), a.shape()));
  }

  /** The sum over {@code dim}. */
  public static Tensor sum(Tensor a, int dim, boolean keepDim) {
    if (F64Rules.any(a)) {
      return F64Rules.reduce(a, new int[] {dim}, keepDim, false);
    }
    int d = Shapes.dim("sum", dim, a.dim());
    return a.dim() == 0 ? Tensor.scalar(a.item()) : reduceDim(a, d, keepDim, false);
  }

  /** {@code sum(dim)}: the adjoint of {@code sum(dim, false)}. */
  public static Grads sumDimVjp(Tensor g, Tensor out, Tensor a, int dim) {
    return Grads.of(sumDimVjp(g, out, a, dim, false).get(0), null);
  }

  /** ∂a = g repeated along {@code dim}. */
  public static Grads sumDimVjp(Tensor g, Tensor out, Tensor a, int dim, boolean keepDim) {
    if (F64Rules.any(g, a)) {
      return Grads.of(F64Rules.reduceVjp(g, a, new int[] {dim}, keepDim, false).get(0), null, null);
    }
    if (a.dim() == 0) {
      return Grads.of(g, null, null);
    }
    return Grads.of(expand(g, a.shape(), Shapes.dim("sum", dim, a.dim()), 1f), null, null);
  }

  // ---- mean

  /** The mean of all elements (0-D). */
  public static Tensor mean(Tensor a) {
    if (F64Rules.any(a)) {
      return F64Rules.reduce(a, new int[0], false, true);
    }
    if (a.numel() == 0) {
      return Tensor.scalar(Float.NaN);
    }
    return Tensor.scalar(Kernels.get().sum(a.storage(), 0, a.numel()) / (float) a.numel());
  }

  /** ∂a = g / n everywhere. */
  public static Grads meanVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.reduceVjp(g, a, new int[0], false, true);
    }
    return Grads.of(Tensor.full(g.item() / (float) a.numel(), a.shape()));
  }

  /** The mean over {@code dim}. */
  public static Tensor mean(Tensor a, int dim, boolean keepDim) {
    if (F64Rules.any(a)) {
      return F64Rules.reduce(a, new int[] {dim}, keepDim, true);
    }
    int d = Shapes.dim("mean", dim, a.dim());
    return a.dim() == 0 ? Tensor.scalar(a.item()) : reduceDim(a, d, keepDim, true);
  }

  /** {@code mean(dim)}: the adjoint of {@code mean(dim, false)}. */
  public static Grads meanDimVjp(Tensor g, Tensor out, Tensor a, int dim) {
    return Grads.of(meanDimVjp(g, out, a, dim, false).get(0), null);
  }

  /** ∂a = g / n repeated along {@code dim}. */
  public static Grads meanDimVjp(Tensor g, Tensor out, Tensor a, int dim, boolean keepDim) {
    if (F64Rules.any(g, a)) {
      return Grads.of(F64Rules.reduceVjp(g, a, new int[] {dim}, keepDim, true).get(0), null, null);
    }
    if (a.dim() == 0) {
      return Grads.of(g, null, null);
    }
    int d = Shapes.dim("mean", dim, a.dim());
    return Grads.of(expand(g, a.shape(), d, 1f / a.shape()[d]), null, null);
  }

  // ---- max

  /** The largest element (0-D). */
  public static Tensor max(Tensor a) {
    if (a.numel() == 0) {
      throw new IllegalArgumentException("max: expected a non-empty tensor (shape " + Shapes.str(a.shape()) + ")");
    }
    if (F64Rules.any(a)) {
      return F64Rules.extreme(a, 1);
    }
    return Tensor.scalar(Kernels.get().max(a.storage(), 0, a.numel()));
  }

  /** ∂a = g shared evenly among the elements equal to the maximum (PyTorch's tie rule). */
  public static Grads maxVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.extremeVjp(g, out, a);
    }
    float m = out.item();
    float[] x = a.storage();
    int count = 0;
    for (float v : x) {
      if (v == m || (Float.isNaN(m) && Float.isNaN(v))) {
        count++;
      }
    }
    float share = g.item() / count;
    float[] ga = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      if (x[i] == m || (Float.isNaN(m) && Float.isNaN(x[i]))) {
        ga[i] = share;
      }
    }
    return Grads.of(Tensor.wrapLike(ga, a));
  }

  /** The largest values over {@code dim}. */
  public static Tensor max(Tensor a, int dim, boolean keepDim) {
    if (F64Rules.any(a)) {
      return F64Reductions.max(a, dim, keepDim);
    }
    return extremeDim(Extreme.MAX, a, dim, keepDim);
  }

  /** {@code max(dim)}: the adjoint of {@code max(dim, false)}. */
  public static Grads maxDimVjp(Tensor g, Tensor out, Tensor a, int dim) {
    return Grads.of(maxDimVjp(g, out, a, dim, false).get(0), null);
  }

  /** ∂a = g at the first position of each maximum along {@code dim}, 0 elsewhere. */
  public static Grads maxDimVjp(Tensor g, Tensor out, Tensor a, int dim, boolean keepDim) {
    if (F64Rules.any(g, a)) {
      return F64Reductions.maxDimVjp(g, out, a, dim, keepDim);
    }
    return extremeDimVjp(Extreme.MAX, g, a, dim, keepDim);
  }

  /** The index of the first maximum over {@code dim} (INT64, not recorded). */
  public static Tensor argmax(Tensor a, int dim, boolean keepDim) {
    if (F64Rules.any(a)) {
      return F64Reductions.argmax(a, dim, keepDim);
    }
    int d = Shapes.dim("argmax", dim, a.dim());
    if (a.dim() == 0) {
      return Tensor.wrap(new float[] {0}, new int[0], Tensor.DType.INT64);
    }
    int[] s = Shapes.split(a.shape(), d);
    if (s[1] == 0) {
      throw new IllegalArgumentException("argmax: cannot reduce over a zero-size dimension " + d
          + " (shape " + Shapes.str(a.shape()) + ")");
    }
    float[] x = a.storage();
    float[] out = new float[s[0] * s[2]];
    for (int o = 0; o < s[0]; o++) {
      for (int i = 0; i < s[2]; i++) {
        int best = 0;
        float bv = x[o * s[1] * s[2] + i];
        for (int j = 1; j < s[1] && !Float.isNaN(bv); j++) {
          float v = x[(o * s[1] + j) * s[2] + i];
          if (v > bv || Float.isNaN(v)) {
            bv = v;
            best = j;
          }
        }
        out[o * s[2] + i] = best;
      }
    }
    return Tensor.wrap(out, Shapes.reduced(a.shape(), d, keepDim), Tensor.DType.INT64);
  }

  // ---------------------------------------------------------------------------------------------
  // Issue 13: reductions over several dimensions, min, amax/amin, logsumexp, prod, var/std, norm, cumsum,
  // cumprod. Accumulation is in double, rounded once (PyTorch's CPU accumulation type for float).

  /** Which dimensions {@code dims} reduces (negatives count from the end; empty means all, as PyTorch's {@code dim=[]}). */
  static boolean[] reducedDims(String op, int[] dims, int rank) {
    boolean[] red = new boolean[rank];
    if (dims.length == 0) {
      java.util.Arrays.fill(red, true);
      return red;
    }
    for (int d : dims) {
      int k = Shapes.dim(op, d, Math.max(rank, 1));
      if (rank == 0) {
        continue;
      }
      if (red[k]) {
        throw new IllegalArgumentException(op + ": dim " + k + " appears multiple times in the list of dims");
      }
      red[k] = true;
    }
    return red;
  }

  /** The shape with reduced dimensions kept as size 1 ({@code keepDim}) or removed. */
  static int[] reducedShape(int[] shape, boolean[] red, boolean keepDim) {
    int n = 0;
    for (int d = 0; d < shape.length; d++) {
      if (!red[d] || keepDim) {
        n++;
      }
    }
    int[] out = new int[n];
    for (int d = 0, j = 0; d < shape.length; d++) {
      if (!red[d]) {
        out[j++] = shape[d];
      } else if (keepDim) {
        out[j++] = 1;
      }
    }
    return out;
  }

  /** For each element of {@code shape}, the flat index of its reduced slot (the same with or without keepDim). */
  static int[] slotOf(int[] shape, boolean[] red) {
    int n = Shapes.numel(shape);
    int[] slot = new int[n];
    int[] idx = new int[shape.length];
    int[] kept = reducedShape(shape, red, true);
    int[] st = new int[shape.length];
    for (int d = shape.length - 1, acc = 1; d >= 0; d--) {
      st[d] = red[d] ? 0 : acc;
      acc *= kept[d];
    }
    int off = 0;
    for (int i = 0; i < n; i++) {
      slot[i] = off;
      for (int d = shape.length - 1; d >= 0; d--) {
        off += st[d];
        if (++idx[d] < shape[d]) {
          break;
        }
        off -= st[d] * shape[d];
        idx[d] = 0;
      }
    }
    return slot;
  }

  /** {@code g} (the reduced shape) repeated over the reduced dimensions, times {@code scale}. */
  private static Tensor spread(Tensor g, int[] shape, int[] slot, double scale) {
    float[] gs = g.storage();
    float[] out = new float[slot.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (gs[slot[i]] * scale);
    }
    return Tensor.wrap(out, shape);
  }

  /** {@link Shapes#split} of {@code a}'s shape at {@code d}; a 0-D tensor is one slice of one element. */
  private static int[] split0(Tensor a, int d) {
    return a.dim() == 0 ? new int[] {1, 1, 1} : Shapes.split(a.shape(), d);
  }

  // ---- sum / mean over several dimensions

  /** The sum over {@code dims} (empty: all), keeping them with size 1 when {@code keepDim}. */
  public static Tensor sum(Tensor a, int[] dims, boolean keepDim) {
    if (F64Rules.any(a)) {
      return F64Rules.reduce(a, dims, keepDim, false);
    }
    return sumOrMean("sum", a, dims, keepDim, false);
  }

  /** ∂a = g repeated over {@code dims}. */
  public static Grads sumDimsVjp(Tensor g, Tensor out, Tensor a, int[] dims, boolean keepDim) {
    if (F64Rules.any(g, a)) {
      return Grads.of(F64Rules.reduceVjp(g, a, dims, keepDim, false).get(0), null, null);
    }
    boolean[] red = reducedDims("sum", dims, a.dim());
    return Grads.of(spread(g, a.shape(), slotOf(a.shape(), red), 1), null, null);
  }

  /** The mean over {@code dims} (empty: all), keeping them with size 1 when {@code keepDim}. */
  public static Tensor mean(Tensor a, int[] dims, boolean keepDim) {
    if (F64Rules.any(a)) {
      return F64Rules.reduce(a, dims, keepDim, true);
    }
    return sumOrMean("mean", a, dims, keepDim, true);
  }

  /** ∂a = g / n repeated over {@code dims}, n the number of elements each result averages. */
  public static Grads meanDimsVjp(Tensor g, Tensor out, Tensor a, int[] dims, boolean keepDim) {
    if (F64Rules.any(g, a)) {
      return Grads.of(F64Rules.reduceVjp(g, a, dims, keepDim, true).get(0), null, null);
    }
    boolean[] red = reducedDims("mean", dims, a.dim());
    int outN = Shapes.numel(reducedShape(a.shape(), red, true));
    double n = outN == 0 ? 0 : (double) a.numel() / outN;
    return Grads.of(spread(g, a.shape(), slotOf(a.shape(), red), 1 / n), null, null);
  }

  private static Tensor sumOrMean(String op, Tensor a, int[] dims, boolean keepDim, boolean mean) {
    boolean[] red = reducedDims(op, dims, a.dim());
    int[] slot = slotOf(a.shape(), red);
    int[] os = reducedShape(a.shape(), red, keepDim);
    double[] acc = new double[Shapes.numel(os)];
    float[] x = a.storage();
    for (int i = 0; i < x.length; i++) {
      acc[slot[i]] += x[i];
    }
    double n = acc.length == 0 ? 0 : (double) x.length / acc.length;
    float[] o = new float[acc.length];
    for (int i = 0; i < o.length; i++) {
      o[i] = (float) (mean ? acc[i] / n : acc[i]);
    }
    return Tensor.wrap(o, os);
  }

  // ---- min

  /** The smallest element (0-D); NaN if any element is NaN. */
  public static Tensor min(Tensor a) {
    if (a.numel() == 0) {
      throw new IllegalArgumentException("min: expected a non-empty tensor (shape " + Shapes.str(a.shape()) + ")");
    }
    if (F64Rules.any(a)) {
      return F64Rules.extreme(a, -1);
    }
    float m = Float.POSITIVE_INFINITY;
    for (float v : a.storage()) {
      if (Float.isNaN(v)) {
        m = v;
        break;
      }
      m = Math.min(m, v);
    }
    return Tensor.scalar(m);
  }

  /** ∂a = g shared evenly among the elements equal to the minimum (PyTorch's tie rule, as for max). */
  public static Grads minVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Rules.extremeVjp(g, out, a);
    }
    return maxVjp(g, out, a);
  }

  /** The smallest values over {@code dim}. */
  public static Tensor min(Tensor a, int dim, boolean keepDim) {
    if (F64Rules.any(a)) {
      return F64Reductions.min(a, dim, keepDim);
    }
    return extremeDim(Extreme.MIN, a, dim, keepDim);
  }

  /** {@code min(dim)}: the adjoint of {@code min(dim, false)}. */
  public static Grads minDimVjp(Tensor g, Tensor out, Tensor a, int dim) {
    return Grads.of(minDimVjp(g, out, a, dim, false).get(0), null);
  }

  /** ∂a = g at the first position of each minimum along {@code dim}, 0 elsewhere. */
  public static Grads minDimVjp(Tensor g, Tensor out, Tensor a, int dim, boolean keepDim) {
    if (F64Rules.any(g, a)) {
      return F64Reductions.minDimVjp(g, out, a, dim, keepDim);
    }
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
      return Tensor.scalar(a.item());
    }
    Tensor idx = e.index(a, dim, keepDim);
    float[] x = a.storage();
    int[] s = Shapes.split(a.shape(), d);
    float[] out = new float[s[0] * s[2]];
    float[] ix = idx.storage();
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
    float[] ga = new float[a.numel()];
    float[] gs = g.storage();
    float[] ix = idx.storage();
    for (int o = 0; o < s[0]; o++) {
      for (int i = 0; i < s[2]; i++) {
        ga[(o * s[1] + (int) ix[o * s[2] + i]) * s[2] + i] = gs[o * s[2] + i];
      }
    }
    return Grads.of(Tensor.wrapLike(ga, a), null, null);
  }

  /** The index of the first minimum over {@code dim} (INT64, not recorded); NaN counts as the minimum. */
  public static Tensor argmin(Tensor a, int dim, boolean keepDim) {
    if (F64Rules.any(a)) {
      return F64Reductions.argmin(a, dim, keepDim);
    }
    return argmax(Rules.unary(a, v -> -v), dim, keepDim);
  }

  // ---- amax / amin

  /** The largest values over {@code dims} (empty: all); NaN propagates. */
  public static Tensor amax(Tensor a, int[] dims, boolean keepDim) {
    if (F64Rules.any(a)) {
      return F64Reductions.amax(a, dims, keepDim);
    }
    return extremum("amax", a, dims, keepDim, 1);
  }

  /** ∂a = g shared evenly among the elements equal to their slice's maximum (PyTorch's {@code scale_grad_by_count}). */
  public static Grads amaxVjp(Tensor g, Tensor out, Tensor a, int[] dims, boolean keepDim) {
    if (F64Rules.any(g, a)) {
      return F64Reductions.amaxVjp(g, out, a, dims, keepDim);
    }
    return Grads.of(shareAmongTies("amax", g, out, a, dims), null, null);
  }

  /** The smallest values over {@code dims} (empty: all); NaN propagates. */
  public static Tensor amin(Tensor a, int[] dims, boolean keepDim) {
    if (F64Rules.any(a)) {
      return F64Reductions.amin(a, dims, keepDim);
    }
    return extremum("amin", a, dims, keepDim, -1);
  }

  /** ∂a = g shared evenly among the elements equal to their slice's minimum. */
  public static Grads aminVjp(Tensor g, Tensor out, Tensor a, int[] dims, boolean keepDim) {
    if (F64Rules.any(g, a)) {
      return F64Reductions.aminVjp(g, out, a, dims, keepDim);
    }
    return Grads.of(shareAmongTies("amin", g, out, a, dims), null, null);
  }

  private static Tensor extremum(String op, Tensor a, int[] dims, boolean keepDim, int sign) {
    boolean[] red = reducedDims(op, dims, a.dim());
    int[] slot = slotOf(a.shape(), red);
    int[] os = reducedShape(a.shape(), red, keepDim);
    float[] o = new float[Shapes.numel(os)];
    if (a.numel() == 0 && o.length > 0) {
      throw new IllegalArgumentException(op + ": cannot reduce over a zero-size dimension (shape "
          + Shapes.str(a.shape()) + ")");
    }
    java.util.Arrays.fill(o, sign > 0 ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY);
    float[] x = a.storage();
    for (int i = 0; i < x.length; i++) {
      float v = x[i];
      int k = slot[i];
      if (Float.isNaN(v) || Float.isNaN(o[k])) {
        o[k] = Float.NaN;
      } else {
        o[k] = sign > 0 ? Math.max(o[k], v) : Math.min(o[k], v);
      }
    }
    return Tensor.wrap(o, os);
  }

  private static Tensor shareAmongTies(String op, Tensor g, Tensor out, Tensor a, int[] dims) {
    boolean[] red = reducedDims(op, dims, a.dim());
    int[] slot = slotOf(a.shape(), red);
    float[] x = a.storage();
    float[] o = out.storage();
    float[] gs = g.storage();
    int[] count = new int[o.length];
    for (int i = 0; i < x.length; i++) {
      if (x[i] == o[slot[i]]) {
        count[slot[i]]++;
      }
    }
    float[] ga = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      if (x[i] == o[slot[i]]) {
        ga[i] = gs[slot[i]] / count[slot[i]];
      }
    }
    return Tensor.wrapLike(ga, a);
  }

  // ---- logsumexp

  /** {@code log Σ exp(a)} over {@code dim}, computed stably (an infinite maximum is not subtracted). */
  public static Tensor logsumexp(Tensor a, int dim, boolean keepDim) {
    if (F64Rules.any(a)) {
      return F64Reductions.logsumexp(a, dim, keepDim);
    }
    int[] dims = {dim};
    boolean[] red = reducedDims("logsumexp", dims, a.dim());
    int[] slot = slotOf(a.shape(), red);
    int[] os = reducedShape(a.shape(), red, keepDim);
    float[] x = a.storage();
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
    float[] o = new float[n];
    for (int k = 0; k < n; k++) {
      double shift = Double.isInfinite(m[k]) ? 0 : m[k];
      o[k] = (float) (Math.log(s[k]) + shift);
    }
    return Tensor.wrap(o, os);
  }

  /** {@code logsumexp(dim)}: the adjoint of {@code logsumexp(dim, false)}. */
  public static Grads logsumexpVjp(Tensor g, Tensor out, Tensor a, int dim) {
    return Grads.of(logsumexpVjp(g, out, a, dim, false).get(0), null);
  }

  /** ∂a = g·exp(a − out): the softmax along {@code dim} times g. */
  public static Grads logsumexpVjp(Tensor g, Tensor out, Tensor a, int dim, boolean keepDim) {
    if (F64Rules.any(g, a)) {
      return F64Reductions.logsumexpVjp(g, out, a, dim, keepDim);
    }
    int[] slot = slotOf(a.shape(), reducedDims("logsumexp", new int[] {dim}, a.dim()));
    float[] x = a.storage();
    float[] o = out.storage();
    float[] gs = g.storage();
    float[] ga = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      ga[i] = (float) (gs[slot[i]] * Math.exp((double) x[i] - o[slot[i]]));
    }
    return Grads.of(Tensor.wrapLike(ga, a), null, null);
  }

  // ---- prod

  /** The product of all elements (0-D). */
  public static Tensor prod(Tensor a) {
    if (F64Rules.any(a)) {
      return F64Reductions.prod(a);
    }
    double p = 1;
    for (float v : a.storage()) {
      p *= v;
    }
    return Tensor.scalar(p);
  }

  /**
   * ∂a_i = g·Π_{j≠i} a_j, by prefix and suffix products: exact with zeros in the input (one zero: only its
   * position gets a gradient; two or more: all zero), as PyTorch's {@code prod_backward}.
   */
  public static Grads prodVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Reductions.prodVjp(g, out, a);
    }
    float[] ga = new float[a.numel()];
    othersProduct(a.storage(), g.item(), ga, 0, a.numel(), 1);
    return Grads.of(Tensor.wrapLike(ga, a));
  }

  /** The product over {@code dim}. */
  public static Tensor prod(Tensor a, int dim, boolean keepDim) {
    if (F64Rules.any(a)) {
      return F64Reductions.prod(a, dim, keepDim);
    }
    int d = Shapes.dim("prod", dim, a.dim());
    int[] s = split0(a, d);
    float[] x = a.storage();
    float[] o = new float[s[0] * s[2]];
    for (int q = 0; q < s[0]; q++) {
      for (int i = 0; i < s[2]; i++) {
        double p = 1;
        for (int j = 0; j < s[1]; j++) {
          p *= x[(q * s[1] + j) * s[2] + i];
        }
        o[q * s[2] + i] = (float) p;
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
    if (F64Rules.any(g, a)) {
      return F64Reductions.prodDimVjp(g, out, a, dim, keepDim);
    }
    int d = Shapes.dim("prod", dim, a.dim());
    int[] s = split0(a, d);
    float[] gs = g.storage();
    float[] ga = new float[a.numel()];
    float[] x = a.storage();
    for (int q = 0; q < s[0]; q++) {
      for (int i = 0; i < s[2]; i++) {
        othersProduct(x, gs[q * s[2] + i], ga, q * s[1] * s[2] + i, s[1], s[2]);
      }
    }
    return Grads.of(Tensor.wrapLike(ga, a), null, null);
  }

  /** {@code ga[k] = g·Π_{j≠k} x[j]} over the {@code n} elements {@code off + j·stride}. */
  private static void othersProduct(float[] x, float g, float[] ga, int off, int n, int stride) {
    double[] prefix = new double[n + 1];
    prefix[0] = 1;
    for (int j = 0; j < n; j++) {
      prefix[j + 1] = prefix[j] * x[off + j * stride];
    }
    double suffix = 1;
    for (int j = n - 1; j >= 0; j--) {
      ga[off + j * stride] = (float) (g * (prefix[j] * suffix));
      suffix *= x[off + j * stride];
    }
  }

  // ---- var / std

  /**
   * The variance over {@code dims} (empty: all) with {@code correction} (Bessel's 1 by default): Σ(x − mean)²
   * / max(0, n − correction).
   */
  public static Tensor var(Tensor a, int[] dims, int correction, boolean keepDim) {
    if (F64Rules.any(a)) {
      return F64Reductions.var(a, dims, correction, keepDim);
    }
    return moments("var", a, dims, correction, keepDim, false);
  }

  /** The adjoint of {@code var()} (all elements, correction 1). */
  public static Grads varVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Reductions.varVjp(g, out, a);
    }
    return Grads.of(varGrad("var", g, null, a, new int[0], 1));
  }

  /** ∂a = g·2(a − mean)/(n − correction). */
  public static Grads varVjp(Tensor g, Tensor out, Tensor a, int[] dims, int correction, boolean keepDim) {
    if (F64Rules.any(g, a)) {
      return F64Reductions.varVjp(g, out, a, dims, correction, keepDim);
    }
    return Grads.of(varGrad("var", g, null, a, dims, correction), null, null, null);
  }

  /** The standard deviation over {@code dims} (empty: all) with {@code correction}: the square root of {@link #var}. */
  public static Tensor std(Tensor a, int[] dims, int correction, boolean keepDim) {
    if (F64Rules.any(a)) {
      return F64Reductions.std(a, dims, correction, keepDim);
    }
    return moments("std", a, dims, correction, keepDim, true);
  }

  /** The adjoint of {@code std()} (all elements, correction 1). */
  public static Grads stdVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Reductions.stdVjp(g, out, a);
    }
    return Grads.of(varGrad("std", g, out, a, new int[0], 1));
  }

  /** ∂a = g·(a − mean)/((n − correction)·out), PyTorch's {@code var_backward(g / (2·out))}. */
  public static Grads stdVjp(Tensor g, Tensor out, Tensor a, int[] dims, int correction, boolean keepDim) {
    if (F64Rules.any(g, a)) {
      return F64Reductions.stdVjp(g, out, a, dims, correction, keepDim);
    }
    return Grads.of(varGrad("std", g, out, a, dims, correction), null, null, null);
  }

  private static double[] means(float[] x, int[] slot, int n, double count) {
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
    float[] x = a.storage();
    double count = n == 0 ? 0 : (double) x.length / n;
    double[] m = means(x, slot, n, count);
    double[] ss = new double[n];
    for (int i = 0; i < x.length; i++) {
      double dv = x[i] - m[slot[i]];
      ss[slot[i]] += dv * dv;
    }
    float[] o = new float[n];
    for (int k = 0; k < n; k++) {
      double v = ss[k] / Math.max(0, count - correction);
      o[k] = (float) (sqrt ? Math.sqrt(v) : v);
    }
    return Tensor.wrap(o, os);
  }

  private static Tensor varGrad(String op, Tensor g, Tensor stdOut, Tensor a, int[] dims, int correction) {
    boolean[] red = reducedDims(op, dims, a.dim());
    int[] slot = slotOf(a.shape(), red);
    float[] x = a.storage();
    float[] gs = g.storage();
    int n = g.numel();
    double count = n == 0 ? 0 : (double) x.length / n;
    double[] m = means(x, slot, n, count);
    double scale = 2.0 / (count - correction);
    float[] ga = new float[x.length];
    float[] sd = stdOut == null ? null : stdOut.storage();
    for (int i = 0; i < x.length; i++) {
      // a zero standard deviation gives 0, as PyTorch's std_backward (masked_fill(result == 0, 0)), not g/0 · 0
      double gi = sd == null ? gs[slot[i]] : sd[slot[i]] == 0 ? 0 : gs[slot[i]] / (2.0 * sd[slot[i]]);
      ga[i] = (float) (scale * gi * (x[i] - m[slot[i]]));
    }
    return Tensor.wrapLike(ga, a);
  }

  // ---- norm

  /**
   * The p-norm of all elements, {@code (Σ|x|^p)^(1/p)} (0-D): {@code p = ∞} is the largest |x|, {@code p = 0}
   * the number of non-zero elements.
   */
  public static Tensor norm(Tensor a, double p) {
    if (F64Rules.any(a)) {
      return F64Reductions.norm(a, p);
    }
    float[] x = a.storage();
    double r;
    if (p == Double.POSITIVE_INFINITY) {
      r = 0;
      for (float v : x) {
        r = Math.max(r, Math.abs(v));
      }
    } else if (p == 0) {
      r = 0;
      for (float v : x) {
        r += v != 0 ? 1 : 0;
      }
    } else {
      double s = 0;
      for (float v : x) {
        s += p == 2 ? (double) v * v : Math.pow(Math.abs(v), p);
      }
      r = p == 2 ? Math.sqrt(s) : p == 1 ? s : Math.pow(s, 1 / p);
    }
    return Tensor.scalar(r);
  }

  /**
   * ∂a = g·sign(a)·|a|^(p−1)/out^(p−1) (0 where out = 0; for ∞ shared evenly among the largest |a|, for 0
   * none); ∂p = g·out·(Σ|a|^p·ln|a| / (p·Σ|a|^p) − ln(Σ|a|^p)/p²) for finite p > 0, else 0.
   */
  public static Grads normVjp(Tensor g, Tensor out, Tensor a, double p) {
    if (F64Rules.any(g, a)) {
      return F64Reductions.normVjp(g, out, a, p);
    }
    return Grads.lazy(2, i -> i == 0 ? normInputGrad(g, out, a, p) : normOrderGrad(g, out, a, p));
  }

  private static Tensor normOrderGrad(Tensor g, Tensor out, Tensor a, double p) {
    double gp = 0;
    if (p > 0 && p != Double.POSITIVE_INFINITY && out.item() != 0) {
      double s = 0;
      double sl = 0;
      for (float v : a.storage()) {
        if (v != 0) {
          double t = Math.pow(Math.abs(v), p);
          s += t;
          sl += t * Math.log(Math.abs(v));
        }
      }
      gp = g.item() * out.item() * (sl / (p * s) - Math.log(s) / (p * p));
    }
    return Tensor.scalar(gp);
  }

  /** The adjoint of {@code norm()} (p = 2). */
  public static Grads normVjp(Tensor g, Tensor out, Tensor a) {
    if (F64Rules.any(g, a)) {
      return F64Reductions.normVjp(g, out, a);
    }
    return Grads.of(normInputGrad(g, out, a, 2));
  }

  private static Tensor normInputGrad(Tensor g, Tensor out, Tensor a, double p) {
    float[] x = a.storage();
    float[] ga = new float[x.length];
    double n = out.item();
    double gv = g.item();
    if (p == Double.POSITIVE_INFINITY) {
      int count = 0;
      for (float v : x) {
        count += Math.abs(v) == n ? 1 : 0;
      }
      for (int i = 0; i < x.length; i++) {
        ga[i] = Math.abs(x[i]) == n ? (float) (gv * Math.signum(x[i]) / count) : 0f;
      }
    } else if (p != 0 && n != 0) {
      for (int i = 0; i < x.length; i++) {
        double v = x[i];
        ga[i] = (float) (p == 2 ? gv * v / n
            : p == 1 ? gv * Math.signum(v) : gv * Math.signum(v) * Math.pow(Math.abs(v), p - 1) / Math.pow(n, p - 1));
      }
    }
    return Tensor.wrapLike(ga, a);
  }

  // ---- cumulative sum / product

  /** The running sum along {@code dim}. */
  public static Tensor cumsum(Tensor a, int dim) {
    if (F64Rules.any(a)) {
      return F64Reductions.cumsum(a, dim);
    }
    return running(a, dim, false);
  }

  /** ∂a = the running sum of g along {@code dim} taken from the end. */
  public static Grads cumsumVjp(Tensor g, Tensor out, Tensor a, int dim) {
    if (F64Rules.any(g, a)) {
      return F64Reductions.cumsumVjp(g, out, a, dim);
    }
    int[] s = split0(a, Shapes.dim("cumsum", dim, a.dim()));
    float[] gs = g.storage();
    float[] ga = new float[gs.length];
    for (int q = 0; q < s[0]; q++) {
      for (int i = 0; i < s[2]; i++) {
        double acc = 0;
        for (int j = s[1] - 1; j >= 0; j--) {
          int k = (q * s[1] + j) * s[2] + i;
          acc += gs[k];
          ga[k] = (float) acc;
        }
      }
    }
    return Grads.of(Tensor.wrapLike(ga, a), null);
  }

  /** The running product along {@code dim}. */
  public static Tensor cumprod(Tensor a, int dim) {
    if (F64Rules.any(a)) {
      return F64Reductions.cumprod(a, dim);
    }
    return running(a, dim, true);
  }

  /**
   * ∂a_k = Σ_{j≥k} g_j·Π_{i≤j, i≠k} a_i along {@code dim}. Before the first zero of a slice that is
   * (Σ_{j≥k} g_j·out_j)/a_k; at the first zero the products skip it; after it everything is 0.
   */
  public static Grads cumprodVjp(Tensor g, Tensor out, Tensor a, int dim) {
    if (F64Rules.any(g, a)) {
      return F64Reductions.cumprodVjp(g, out, a, dim);
    }
    int[] s = split0(a, Shapes.dim("cumprod", dim, a.dim()));
    float[] x = a.storage();
    float[] gs = g.storage();
    float[] o = out.storage();
    float[] ga = new float[x.length];
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
          acc += (double) gs[base + j * st] * o[base + j * st];
          if (j < zero) {
            ga[base + j * st] = (float) (acc / x[base + j * st]);
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
          ga[base + zero * st] = (float) sum;
        }
      }
    }
    return Grads.of(Tensor.wrapLike(ga, a), null);
  }

  private static double runningProduct(float[] x, int base, int st, int n) {
    double p = 1;
    for (int j = 0; j < n; j++) {
      p *= x[base + j * st];
    }
    return p;
  }

  private static Tensor running(Tensor a, int dim, boolean product) {
    int[] s = split0(a, Shapes.dim(product ? "cumprod" : "cumsum", dim, a.dim()));
    float[] x = a.storage();
    float[] o = new float[x.length];
    for (int q = 0; q < s[0]; q++) {
      for (int i = 0; i < s[2]; i++) {
        double acc = product ? 1 : 0;
        for (int j = 0; j < s[1]; j++) {
          int k = (q * s[1] + j) * s[2] + i;
          acc = product ? acc * x[k] : acc + x[k];
          o[k] = (float) acc;
        }
      }
    }
    return Tensor.wrapLike(o, a);
  }

  // ---- forward mode (issue 16): linear operations apply themselves to the tangent.

  /** {@code ṫ = Σȧ}. */
  public static Tensor sumJvp(Tensor ta, Tensor out, Tensor a) {
    return ta == null ? null : sum(ta);
  }

  /** {@code ṫ = Σ_dim ȧ}. */
  public static Tensor sumDimJvp(Tensor ta, Tensor out, Tensor a, int dim) {
    return ta == null ? null : sum(ta, dim, false);
  }

  /** {@code ṫ = Σ_dim ȧ}. */
  public static Tensor sumDimJvp(Tensor ta, Tensor out, Tensor a, int dim, boolean keepDim) {
    return ta == null ? null : sum(ta, dim, keepDim);
  }

  /** {@code ṫ = mean ȧ}. */
  public static Tensor meanJvp(Tensor ta, Tensor out, Tensor a) {
    return ta == null ? null : mean(ta);
  }

  /** {@code ṫ = mean_dim ȧ}. */
  public static Tensor meanDimJvp(Tensor ta, Tensor out, Tensor a, int dim) {
    return ta == null ? null : mean(ta, dim, false);
  }

  /** {@code ṫ = mean_dim ȧ}. */
  public static Tensor meanDimJvp(Tensor ta, Tensor out, Tensor a, int dim, boolean keepDim) {
    return ta == null ? null : mean(ta, dim, keepDim);
  }

  // ---- forward over reverse (issue 16): the adjoints of max and min route g to the selected entries, a choice
  // that does not move with the input (almost everywhere), so their second-order part is zero (see Hvps).

  /** Zero: the selection is constant almost everywhere. */
  public static Grads maxVjpJvp(Tensor g, Tensor out, Tensor a, Tensor tOut, Tensor ta) {
    return null;
  }

  /** Zero: the selection is constant almost everywhere. */
  public static Grads maxDimVjpJvp(Tensor g, Tensor out, Tensor a, int dim, Tensor tOut, Tensor ta) {
    return null;
  }

  /** Zero: the selection is constant almost everywhere. */
  public static Grads maxDimVjpJvp(Tensor g, Tensor out, Tensor a, int dim, boolean keepDim, Tensor tOut,
      Tensor ta) {
    return null;
  }

  /** Zero: the selection is constant almost everywhere. */
  public static Grads minVjpJvp(Tensor g, Tensor out, Tensor a, Tensor tOut, Tensor ta) {
    return null;
  }

  /** Zero: the selection is constant almost everywhere. */
  public static Grads minDimVjpJvp(Tensor g, Tensor out, Tensor a, int dim, Tensor tOut, Tensor ta) {
    return null;
  }

  /** Zero: the selection is constant almost everywhere. */
  public static Grads minDimVjpJvp(Tensor g, Tensor out, Tensor a, int dim, boolean keepDim, Tensor tOut,
      Tensor ta) {
    return null;
  }
}
