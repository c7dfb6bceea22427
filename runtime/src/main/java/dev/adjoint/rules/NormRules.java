package dev.adjoint.rules;

import dev.adjoint.shape.Shapes;
import dev.adjoint.Tensor;
import dev.adjoint.autograd.BufferPool;
import dev.adjoint.autograd.Grads;
import dev.adjoint.kernel.Kernels;
import java.util.Arrays;

/**
 * Normalisation layers and the embedding lookup, forward and adjoint: {@code batch_norm}
 * ({@code NativeBatchNormBackward0}), {@code layer_norm} ({@code NativeLayerNormBackward0}),
 * {@code group_norm} ({@code NativeGroupNormBackward0}) and {@code embedding} ({@code EmbeddingBackward0}).
 *
 * <p>Each normalises groups of elements by their mean and biased variance, {@code x̂ = (x - μ)·rstd} with
 * {@code rstd = 1/√(σ² + eps)}; the statistics are accumulated in double. The adjoints recompute the
 * statistics from the input (the rows read the input, as PyTorch's nodes save it beside {@code mean} and
 * {@code rstd}) and use the standard form {@code ∂x = rstd·(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂))} with {@code ĝ} the
 * upstream gradient times the affine weight.
 */
public final class NormRules {
  private NormRules() {}

  /** Mean and rstd of {@code count} elements of {@code x} at {@code off + i·stride + j}, {@code i < outer, j < inner}. */
  private static double[] stats(float[] x, int off, int outer, int outerStride, int inner, double eps) {
    double sum = 0;
    for (int i = 0; i < outer; i++) {
      sum += sum(x, off + i * outerStride, inner);
    }
    long count = (long) outer * inner;
    double mean = sum / count;
    double sq = 0;
    for (int i = 0; i < outer; i++) {
      sq += squares(x, off + i * outerStride, inner, mean);
    }
    double var = sq / count;
    return new double[] {mean, 1 / Math.sqrt(var + eps), var};
  }

  /**
   * {@link #stats} in one pass over {@code x} instead of two: the sums of {@code d = x - K} and {@code d²} with
   * {@code K} the first element, in double, then {@code var = (Σd² - (Σd)²/count) / count}. Shifting by an element
   * of the data keeps {@code Σd²} within a few times {@code count·var} unless the data sit far from every element of
   * theirs, so the subtraction loses nothing that matters in double for float inputs (batch norm: a pass less in
   * its forward and in its adjoint).
   */
  private static double[] statsOnePass(float[] x, int off, int outer, int outerStride, int inner, double eps) {
    double shift = x[off];
    double[] sums = new double[2];
    Kernels k = Kernels.get();
    k.shiftedSums(x, off, outer, outerStride, inner, shift, sums);
    long count = (long) outer * inner;
    double meanD = sums[0] / count;
    double var = Math.max(0, sums[1] / count - meanD * meanD);
    return new double[] {shift + meanD, 1 / Math.sqrt(var + eps), var};
  }

  /**
   * {@code Σ x[off + j]}, {@code j < n}, in double with four independent partial sums (one chain of dependent
   * double additions would take the adder's latency per element).
   */
  private static double sum(float[] x, int off, int n) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int j = 0;
    for (; j + 3 < n; j += 4) {
      s0 += x[off + j];
      s1 += x[off + j + 1];
      s2 += x[off + j + 2];
      s3 += x[off + j + 3];
    }
    for (; j < n; j++) {
      s0 += x[off + j];
    }
    return (s0 + s1) + (s2 + s3);
  }

  /** {@code Σ (x[off + j] - mean)²}, {@code j < n}, in double with four partial sums. */
  private static double squares(float[] x, int off, int n, double mean) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int j = 0;
    for (; j + 3 < n; j += 4) {
      double d0 = x[off + j] - mean;
      double d1 = x[off + j + 1] - mean;
      double d2 = x[off + j + 2] - mean;
      double d3 = x[off + j + 3] - mean;
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (; j < n; j++) {
      double d = x[off + j] - mean;
      s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
  }

  // ---- batch norm

  /** {@code (N, C, S)}: batch, channels, the product of the remaining dimensions. */
  private static int[] ncs(String op, Tensor x) {
    if (x.dim() < 2) {
      throw new IllegalArgumentException(op + ": expected an input of at least 2 dimensions (N, C, ...), got "
          + Shapes.str(x.shape()));
    }
    int[] s = x.shape();
    return new int[] {s[0], s[1], x.numel() / Math.max(1, s[0] * s[1])};
  }

  private static void channels(String op, String what, Tensor t, int c) {
    if (t != null && (t.numel() != c)) {
      throw new IllegalArgumentException(op + ": " + what + " should contain " + c + " elements not " + t.numel());
    }
  }

  /**
   * {@code batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)} over dimension 1
   * of {@code (N, C, ...)}. In training the batch's statistics normalise, and the running statistics (when
   * given) move by {@code momentum} towards the batch mean and the <em>unbiased</em> batch variance, in
   * place; otherwise the running statistics normalise. {@code weight}, {@code bias} and the running
   * statistics may be null.
   */
  public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
      boolean training, double momentum, double eps) {
    if (F64Rules.any(x)) {
      return F64Norms.batchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps);
    }
    int[] d = ncs("batchNorm", x);
    int n = d[0];
    int c = d[1];
    int s = d[2];
    channels("batchNorm", "running_mean", runningMean, c);
    channels("batchNorm", "running_var", runningVar, c);
    channels("batchNorm", "weight", weight, c);
    channels("batchNorm", "bias", bias, c);
    if (training && (long) n * s <= 1) {
      throw new IllegalArgumentException("batchNorm: Expected more than 1 value per channel when training, got "
          + "input size " + Shapes.str(x.shape()));
    }
    if (!training && (runningMean == null || runningVar == null)) {
      throw new IllegalArgumentException("batchNorm: running_mean and running_var must be defined in evaluation mode");
    }
    float[] in = x.storage();
    float[] w = weight == null ? null : weight.storage();
    float[] b = bias == null ? null : bias.storage();
    float[] out = new float[in.length];
    float[] rm = runningMean == null ? null
        : training ? runningMean.mutableStorage("batchNorm") : runningMean.storage();
    float[] rv = runningVar == null ? null
        : training ? runningVar.mutableStorage("batchNorm") : runningVar.storage();
    Kernels.get().parallelFor(c, ch -> {
      double mean;
      double rstd;
      if (training) {
        double[] st = statsOnePass(in, ch * s, n, c * s, s, eps);
        mean = st[0];
        rstd = st[1];
        if (rm != null) {
          long count = (long) n * s;
          rm[ch] = (float) ((1 - momentum) * rm[ch] + momentum * mean);
          rv[ch] = (float) ((1 - momentum) * rv[ch] + momentum * st[2] * count / (count - 1));
        }
      } else {
        mean = rm[ch];
        rstd = 1 / Math.sqrt(rv[ch] + eps);
      }
      // out = x·alpha + beta, PyTorch's form
      float alpha = (float) (rstd * (w == null ? 1 : w[ch]));
      float beta = (float) ((b == null ? 0 : b[ch]) - mean * rstd * (w == null ? 1 : w[ch]));
      for (int i = 0; i < n; i++) {
        int base = (i * c + ch) * s;
        for (int j = 0; j < s; j++) {
          out[base + j] = in[base + j] * alpha + beta;
        }
      }
    });
    if (training && runningMean != null) {
      runningMean.bumpVersion();
      runningVar.bumpVersion();
    }
    return Tensor.wrapLike(out, x);
  }

  /**
   * ∂x, ∂weight, ∂bias of {@link #batchNorm} (none for the running statistics): in training, through the
   * batch statistics; in evaluation, the affine map by the running statistics.
   */
  public static Grads batchNormVjp(Tensor gOut, Tensor out, Tensor x, Tensor runningMean, Tensor runningVar,
      Tensor weight, Tensor bias, boolean training, double momentum, double eps) {
    if (F64Rules.any(gOut, x)) {
      return F64Norms.batchNormVjp(gOut, out, x, runningMean, runningVar, weight, bias, training, momentum, eps);
    }
    int[] d = ncs("batchNorm", x);
    int n = d[0];
    int c = d[1];
    int s = d[2];
    float[] in = x.storage();
    float[] g = gOut.storage();
    float[] w = weight == null ? null : weight.storage();
    float[] rm = training ? null : runningMean.storage();
    float[] rv = training ? null : runningVar.storage();
    float[] dx = BufferPool.floats(in.length); // every element written below
    float[] dw = new float[c];
    float[] db = new float[c];
    long count = (long) n * s;
    double[] dEps = new double[c];
    Kernels k = Kernels.get();
    k.parallelFor(c, ch -> {
      double mean;
      double rstd;
      if (training) {
        double[] st = statsOnePass(in, ch * s, n, c * s, s, eps);
        mean = st[0];
        rstd = st[1];
      } else {
        mean = rm[ch];
        rstd = 1 / Math.sqrt(rv[ch] + eps);
      }
      double[] sums = new double[2];
      k.gradSums(g, in, ch * s, n, c * s, s, mean, sums);
      double sumG = sums[0];
      double dot = sums[1];
      double wc = w == null ? 1 : w[ch];
      dEps[ch] = -0.5 * wc * dot * rstd * rstd * rstd;
      dw[ch] = (float) (dot * rstd);
      db[ch] = (float) sumG;
      if (training) {
        // dx = (g - mean(g) - (x - mean)·proj)·rstd·w as one float affine map of g and x per channel
        // (PyTorch's CPU kernel computes it in float too), which the JIT vectorises
        double gMean = sumG / count;
        double proj = dot * rstd * rstd / count;
        float a = (float) (rstd * wc);
        float bx = (float) (-proj * rstd * wc);
        float c0 = (float) ((mean * proj - gMean) * rstd * wc);
        for (int i = 0; i < n; i++) {
          int base = (i * c + ch) * s;
          for (int j = base; j < base + s; j++) {
            dx[j] = g[j] * a + in[j] * bx + c0;
          }
        }
      } else {
        float a = (float) (rstd * wc);
        for (int i = 0; i < n; i++) {
          int base = (i * c + ch) * s;
          for (int j = base; j < base + s; j++) {
            dx[j] = g[j] * a;
          }
        }
      }
    });
    return Grads.of(Grads.owned(Tensor.wrapLike(dx, x)), null, null,
        weight == null ? null : Tensor.wrapLike(dw, weight), bias == null ? null : Tensor.wrapLike(db, bias), null,
        Tensor.scalar(0), Tensor.scalar(sum(dEps)));
  }

  private static double sum(double[] v) {
    double s = 0;
    for (double d : v) {
      s += d;
    }
    return s;
  }

  // ---- layer norm and group norm: rows of x normalised alone, an affine map per column or per channel

  /**
   * {@code layer_norm(x, normalized_shape, weight, bias, eps)}: each of the last {@code normalizedShape.length}
   * dimensions' blocks normalised alone, then scaled and shifted elementwise by {@code weight} and
   * {@code bias} (of {@code normalizedShape}, or null).
   */
  public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
    if (F64Rules.any(x)) {
      return F64Norms.layerNorm(x, normalizedShape, weight, bias, eps);
    }
    int m = layerSize(x, normalizedShape, weight, bias);
    return Tensor.wrap(normRows(x.storage(), x.numel() / m, m, 1, weight, bias, eps), x.shape());
  }

  private static int layerSize(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias) {
    int k = normalizedShape.length;
    int[] s = x.shape();
    if (k == 0 || k > s.length
        || !Arrays.equals(normalizedShape, Arrays.copyOfRange(s, s.length - k, s.length))) {
      throw new IllegalArgumentException("layerNorm: Given normalized_shape=" + Arrays.toString(normalizedShape)
          + ", expected input with shape [*, " + Arrays.toString(normalizedShape).replaceAll("[\\[\\]]", "")
          + "], but got input of size" + Shapes.str(s));
    }
    for (Tensor t : new Tensor[] {weight, bias}) {
      if (t != null && !Arrays.equals(t.shape(), normalizedShape)) {
        throw new IllegalArgumentException("layerNorm: Expected weight and bias of shape "
            + Arrays.toString(normalizedShape) + ", got " + Shapes.str(t.shape()));
      }
    }
    return Shapes.numel(normalizedShape);
  }

  /**
   * Normalises {@code rows} rows of {@code m} elements; the affine parameters are indexed by
   * {@code (column / per)} within the row ({@code per = 1}: per element, layer norm) or, with {@code channels}
   * set, by {@code row % groups · cPerGroup + column / spatial} for group norm (handled by the caller's index).
   */
  private static float[] normRows(float[] in, int rows, int m, int per, Tensor weight, Tensor bias, double eps) {
    float[] w = weight == null ? null : weight.storage();
    float[] b = bias == null ? null : bias.storage();
    float[] out = new float[in.length];
    Kernels.get().parallelFor(rows, r -> {
      double[] st = stats(in, r * m, 1, 0, m, eps);
      float mean = (float) st[0];
      float rstd = (float) st[1];
      int waOff = 0;
      for (int j = 0; j < m; j++) {
        int a = waOff + j / per;
        float y = (in[r * m + j] - mean) * rstd;
        out[r * m + j] = y * (w == null ? 1f : w[a]) + (b == null ? 0f : b[a]);
      }
    });
    return out;
  }

  /** ∂x, ∂weight, ∂bias of {@link #layerNorm} (none for the shape). */
  public static Grads layerNormVjp(Tensor gOut, Tensor out, Tensor x, int[] normalizedShape, Tensor weight,
      Tensor bias, double eps) {
    if (F64Rules.any(gOut, x)) {
      return F64Norms.layerNormVjp(gOut, out, x, normalizedShape, weight, bias, eps);
    }
    int m = layerSize(x, normalizedShape, weight, bias);
    int rows = x.numel() / m;
    float[] in = x.storage();
    float[] g = gOut.storage();
    float[] w = weight == null ? null : weight.storage();
    float[] dx = new float[in.length];
    Kernels.get().parallelFor(rows, r -> rowGrad(in, g, w, r * m, m, 1, 0, eps, dx));
    float[] dw = new float[m];
    float[] db = new float[m];
    // the parameters' gradients sum over rows, in row order
    double[] sw = new double[m];
    double[] sb = new double[m];
    double dEps = 0;
    for (int r = 0; r < rows; r++) {
      double[] st = stats(in, r * m, 1, 0, m, eps);
      float mean = (float) st[0];
      float rstd = (float) st[1];
      double acc = 0;
      for (int j = 0; j < m; j++) {
        float gv = g[r * m + j];
        sw[j] += gv * ((in[r * m + j] - mean) * rstd);
        sb[j] += gv;
        acc += (double) gv * (w == null ? 1 : w[j]) * (in[r * m + j] - mean);
      }
      dEps += -0.5 * acc * st[1] * st[1] * st[1];
    }
    for (int j = 0; j < m; j++) {
      dw[j] = (float) sw[j];
      db[j] = (float) sb[j];
    }
    return Grads.of(Tensor.wrapLike(dx, x), null, weight == null ? null : Tensor.wrapLike(dw, weight),
        bias == null ? null : Tensor.wrapLike(db, bias), Tensor.scalar(dEps));
  }

  /**
   * ∂x of one normalised row {@code [off, off + m)}: {@code rstd·(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂))}, where
   * {@code ĝ_j = g_j · w[wOff + j / per]} (no weight: {@code g}).
   */
  private static void rowGrad(float[] in, float[] g, float[] w, int off, int m, int per, int wOff, double eps,
      float[] dx) {
    double[] st = stats(in, off, 1, 0, m, eps);
    float mean = (float) st[0];
    float rstd = (float) st[1];
    double sumG = 0;
    double sumGx = 0;
    for (int j = 0; j < m; j++) {
      double gh = g[off + j] * (w == null ? 1f : w[wOff + j / per]);
      sumG += gh;
      sumGx += gh * ((in[off + j] - mean) * rstd);
    }
    double mg = sumG / m;
    double mgx = sumGx / m;
    for (int j = 0; j < m; j++) {
      double gh = g[off + j] * (w == null ? 1f : w[wOff + j / per]);
      double xh = (in[off + j] - mean) * rstd;
      dx[off + j] = (float) (rstd * (gh - mg - xh * mgx));
    }
  }

  private static int[] groupDims(Tensor x, int groups, Tensor weight, Tensor bias) {
    int[] d = ncs("groupNorm", x);
    if (groups <= 0 || d[1] % groups != 0) {
      throw new IllegalArgumentException("groupNorm: Expected number of channels in input to be divisible by "
          + "num_groups, but got input of shape " + Shapes.str(x.shape()) + " and num_groups=" + groups);
    }
    channels("groupNorm", "weight", weight, d[1]);
    channels("groupNorm", "bias", bias, d[1]);
    return d;
  }

  /**
   * {@code group_norm(x, num_groups, weight, bias, eps)} on {@code (N, C, ...)}: the channels of each sample
   * in {@code numGroups} groups, each group normalised alone, then a per-channel affine map.
   */
  public static Tensor groupNorm(Tensor x, int numGroups, Tensor weight, Tensor bias, double eps) {
    if (F64Rules.any(x)) {
      return F64Norms.groupNorm(x, numGroups, weight, bias, eps);
    }
    int[] d = groupDims(x, numGroups, weight, bias);
    int c = d[1];
    int s = d[2];
    int cg = c / numGroups;
    int m = cg * s;
    float[] in = x.storage();
    float[] w = weight == null ? null : weight.storage();
    float[] b = bias == null ? null : bias.storage();
    float[] out = new float[in.length];
    Kernels.get().parallelFor(d[0] * numGroups, r -> {
      double[] st = stats(in, r * m, 1, 0, m, eps);
      float mean = (float) st[0];
      float rstd = (float) st[1];
      int ch0 = (r % numGroups) * cg;
      for (int j = 0; j < m; j++) {
        int ch = ch0 + j / s;
        float y = (in[r * m + j] - mean) * rstd;
        out[r * m + j] = y * (w == null ? 1f : w[ch]) + (b == null ? 0f : b[ch]);
      }
    });
    return Tensor.wrapLike(out, x);
  }

  /** ∂x, ∂weight, ∂bias of {@link #groupNorm}. */
  public static Grads groupNormVjp(Tensor gOut, Tensor out, Tensor x, int numGroups, Tensor weight, Tensor bias,
      double eps) {
    if (F64Rules.any(gOut, x)) {
      return F64Norms.groupNormVjp(gOut, out, x, numGroups, weight, bias, eps);
    }
    int[] d = groupDims(x, numGroups, weight, bias);
    int n = d[0];
    int c = d[1];
    int s = d[2];
    int cg = c / numGroups;
    int m = cg * s;
    float[] in = x.storage();
    float[] g = gOut.storage();
    float[] w = weight == null ? null : weight.storage();
    float[] dx = new float[in.length];
    Kernels.get().parallelFor(n * numGroups, r -> rowGrad(in, g, w, r * m, m, s, (r % numGroups) * cg, eps, dx));
    double[] sw = new double[c];
    double[] sb = new double[c];
    double dEps = 0;
    for (int r = 0; r < n * numGroups; r++) {
      double[] st = stats(in, r * m, 1, 0, m, eps);
      float mean = (float) st[0];
      float rstd = (float) st[1];
      int ch0 = (r % numGroups) * cg;
      double acc = 0;
      for (int j = 0; j < m; j++) {
        float gv = g[r * m + j];
        sw[ch0 + j / s] += gv * ((in[r * m + j] - mean) * rstd);
        sb[ch0 + j / s] += gv;
        acc += (double) gv * (w == null ? 1 : w[ch0 + j / s]) * (in[r * m + j] - mean);
      }
      dEps += -0.5 * acc * st[1] * st[1] * st[1];
    }
    float[] dw = new float[c];
    float[] db = new float[c];
    for (int j = 0; j < c; j++) {
      dw[j] = (float) sw[j];
      db[j] = (float) sb[j];
    }
    return Grads.of(Tensor.wrapLike(dx, x), null, weight == null ? null : Tensor.wrapLike(dw, weight),
        bias == null ? null : Tensor.wrapLike(db, bias), Tensor.scalar(dEps));
  }

  // ---- embedding

  private static void checkEmbedding(Tensor input, Tensor weight, int paddingIdx) {
    if (input.dtype() != Tensor.DType.INT64) {
      throw new IllegalArgumentException("embedding: Expected tensor for argument #1 'indices' to have scalar type "
          + "Long; but got " + input.dtype() + " instead");
    }
    if (weight.dim() != 2) {
      throw new IllegalArgumentException("embedding: 'weight' must be 2-D, got " + Shapes.str(weight.shape()));
    }
    int rows = weight.shape()[0];
    if (paddingIdx != NO_PADDING && (paddingIdx < -rows || paddingIdx >= rows)) {
      throw new IllegalArgumentException("embedding: Padding_idx must be within num_embeddings, got " + paddingIdx
          + " for " + rows + " embeddings");
    }
    for (float f : input.storage()) {
      if (f < 0 || f >= rows) {
        throw new IndexOutOfBoundsException("embedding: index out of range in self (index " + (long) f + ", "
            + rows + " embeddings)");
      }
    }
  }

  /** No padding index: PyTorch's {@code padding_idx=None}. */
  public static final int NO_PADDING = Integer.MIN_VALUE;

  /** {@code embedding(input, weight, padding_idx)}: rows of {@code weight} picked by the INT64 {@code input}. */
  public static Tensor embedding(Tensor input, Tensor weight, int paddingIdx) {
    if (F64Rules.any(weight)) {
      return F64Norms.embedding(input, weight, paddingIdx);
    }
    checkEmbedding(input, weight, paddingIdx);
    int dim = weight.shape()[1];
    float[] idx = input.storage();
    float[] w = weight.storage();
    float[] out = new float[idx.length * dim];
    for (int i = 0; i < idx.length; i++) {
      System.arraycopy(w, (int) idx[i] * dim, out, i * dim, dim);
    }
    int[] shape = Arrays.copyOf(input.shape(), input.dim() + 1);
    shape[input.dim()] = dim;
    return Tensor.wrap(out, shape);
  }

  /** ∂weight: each output row's gradient added to the row it was read from, except the padding row's. */
  public static Grads embeddingVjp(Tensor gOut, Tensor out, Tensor input, Tensor weight, int paddingIdx) {
    if (F64Rules.any(gOut, weight)) {
      return F64Norms.embeddingVjp(gOut, out, input, weight, paddingIdx);
    }
    int rows = weight.shape()[0];
    int dim = weight.shape()[1];
    int pad = paddingIdx == NO_PADDING ? -1 : paddingIdx < 0 ? paddingIdx + rows : paddingIdx;
    float[] idx = input.storage();
    float[] g = gOut.storage();
    float[] dw = new float[rows * dim];
    for (int i = 0; i < idx.length; i++) {
      int r = (int) idx[i];
      if (r == pad) {
        continue;
      }
      for (int j = 0; j < dim; j++) {
        dw[r * dim + j] += g[i * dim + j];
      }
    }
    return Grads.of(null, Tensor.wrapLike(dw, weight), null);
  }
  // ---- forward mode (issue 16): the modules' JVPs call these

  /**
   * The tangent of {@link #layerNorm}: {@code ẏ = x̂̇·w + x̂·ẇ + ḃ} with, over each normalised block,
   * {@code x̂̇ = rstd·(ẋ − mean(ẋ) − x̂·mean(x̂·ẋ))}; any tangent may be null (zero), and so may weight and bias.
   */
  public static Tensor layerNormTangent(Tensor tx, Tensor tw, Tensor tb, Tensor out, Tensor x, int[] normalizedShape,
      Tensor weight, Tensor bias, double eps) {
    int[] dims = new int[normalizedShape.length];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = x.dim() - dims.length + i;
    }
    return normTangent(tx, out, x, dims, null, null, weight, tw, tb, eps);
  }

  /**
   * The tangent of {@link #batchNorm} in the mode the forward used: in training through the batch statistics
   * (as {@link #layerNormTangent}, over every dimension but 1), in evaluation the affine map by the running
   * statistics, {@code ẏ = ẋ·rstd·w + x̂·ẇ + ḃ}. The running statistics' in-place update has no tangent.
   */
  public static Tensor batchNormTangent(Tensor tx, Tensor tw, Tensor tb, Tensor out, Tensor x, Tensor runningMean,
      Tensor runningVar, Tensor weight, Tensor bias, boolean training, double eps) {
    int[] dims = new int[x.dim() - 1];
    int[] channel = new int[x.dim()];
    Arrays.fill(channel, 1);
    channel[1] = x.shape()[1];
    for (int i = 0, j = 0; i < x.dim(); i++) {
      if (i != 1) {
        dims[j++] = i;
      }
    }
    Tensor w = weight == null ? null : ShapeRules.reshape(weight, channel);
    Tensor tW = tw == null ? null : ShapeRules.reshape(tw, channel);
    Tensor tB = tb == null ? null : ShapeRules.reshape(tb, channel);
    if (training) {
      return normTangent(tx, out, x, dims, null, null, w, tW, tB, eps);
    }
    return normTangent(tx, out, x, dims, ShapeRules.reshape(runningMean, channel),
        ShapeRules.reshape(runningVar, channel), w, tW, tB, eps);
  }

  /**
   * {@code x̂ = (x − μ)·rstd} over {@code dims} (the batch's statistics, or {@code mean}/{@code var} given:
   * constants), then {@code ẏ = x̂̇·w + x̂·ẇ + ḃ}; {@code w}, {@code tWeight} and {@code tBias} already broadcast.
   */
  private static Tensor normTangent(Tensor tx, Tensor out, Tensor x, int[] dims, Tensor mean, Tensor var, Tensor w,
      Tensor tWeight, Tensor tBias, double eps) {
    boolean batch = mean == null;
    Tensor mu = batch ? ReductionRules.mean(x, dims, true) : mean;
    Tensor xc = ElementwiseRules.sub(x, mu);
    Tensor v = batch ? ReductionRules.mean(ElementwiseRules.mul(xc, xc), dims, true) : var;
    Tensor rstd = ElementwiseRules.rsqrt(ElementwiseRules.add(v, eps));
    Tensor xhat = ElementwiseRules.mul(xc, rstd);
    Tensor byX = null;
    if (tx != null) {
      Tensor txhat = batch
          ? ElementwiseRules.mul(rstd, ElementwiseRules.sub(ElementwiseRules.sub(tx, ReductionRules.mean(tx, dims, true)),
              ElementwiseRules.mul(xhat, ReductionRules.mean(ElementwiseRules.mul(xhat, tx), dims, true))))
          : ElementwiseRules.mul(tx, rstd);
      byX = w == null ? txhat : ElementwiseRules.mul(txhat, w);
    }
    Tensor byW = tWeight == null ? null : ElementwiseRules.mul(xhat, tWeight);
    return Jvps.plus(out, Jvps.plus(out, byX, byW), tBias);
  }
}
