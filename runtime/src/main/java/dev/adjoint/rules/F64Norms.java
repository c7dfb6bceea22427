package dev.adjoint.rules;

import static dev.adjoint.rules.F64Rules.d;

import dev.adjoint.shape.Shapes;
import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;
import dev.adjoint.kernel.Kernels;
import java.util.Arrays;

/**
 * The float64 path of {@link NormRules} (batch, layer and group norm, embedding): the same methods with
 * {@code double} where those have {@code float} (written from them by replacing the element type; keep the
 * two in step), so nothing is rounded to float. The running statistics of a float64 batch norm are FLOAT64
 * and move in place as the float32 ones do.
 */
public final class F64Norms {
  private F64Norms() {}

  /** Mean and rstd of {@code count} elements of {@code x} at {@code off + i·stride + j}, {@code i < outer, j < inner}. */
  private static double[] stats(double[] x, int off, int outer, int outerStride, int inner, double eps) {
    double sum = 0;
    for (int i = 0; i < outer; i++) {
      int b = off + i * outerStride;
      for (int j = 0; j < inner; j++) {
        sum += x[b + j];
      }
    }
    long count = (long) outer * inner;
    double mean = sum / count;
    double sq = 0;
    for (int i = 0; i < outer; i++) {
      int b = off + i * outerStride;
      for (int j = 0; j < inner; j++) {
        double d = x[b + j] - mean;
        sq += d * d;
      }
    }
    double var = sq / count;
    return new double[] {mean, 1 / Math.sqrt(var + eps), var};
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
    double[] in = d(x);
    double[] w = weight == null ? null : d(weight);
    double[] b = bias == null ? null : d(bias);
    double[] out = new double[in.length];
    double[] rm = runningMean == null ? null
        : training ? runningMean.mutableStorageF64("batchNorm") : d(runningMean);
    double[] rv = runningVar == null ? null
        : training ? runningVar.mutableStorageF64("batchNorm") : d(runningVar);
    Kernels.get().parallelFor(c, ch -> {
      double mean;
      double rstd;
      if (training) {
        double[] st = stats(in, ch * s, n, c * s, s, eps);
        mean = st[0];
        rstd = st[1];
        if (rm != null) {
          long count = (long) n * s;
          rm[ch] = ((1 - momentum) * rm[ch] + momentum * mean);
          rv[ch] = ((1 - momentum) * rv[ch] + momentum * st[2] * count / (count - 1));
        }
      } else {
        mean = rm[ch];
        rstd = 1 / Math.sqrt(rv[ch] + eps);
      }
      // out = x·alpha + beta, PyTorch's form
      double alpha = (rstd * (w == null ? 1 : w[ch]));
      double beta = ((b == null ? 0 : b[ch]) - mean * rstd * (w == null ? 1 : w[ch]));
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
    return Tensor.wrap(out, x.shape());
  }

  /**
   * ∂x, ∂weight, ∂bias of {@link #batchNorm} (none for the running statistics): in training, through the
   * batch statistics; in evaluation, the affine map by the running statistics.
   */
  public static Grads batchNormVjp(Tensor gOut, Tensor out, Tensor x, Tensor runningMean, Tensor runningVar,
      Tensor weight, Tensor bias, boolean training, double momentum, double eps) {
    int[] d = ncs("batchNorm", x);
    int n = d[0];
    int c = d[1];
    int s = d[2];
    double[] in = d(x);
    double[] g = d(gOut);
    double[] w = weight == null ? null : d(weight);
    double[] rm = training ? null : d(runningMean);
    double[] rv = training ? null : d(runningVar);
    double[] dx = new double[in.length];
    double[] dw = new double[c];
    double[] db = new double[c];
    long count = (long) n * s;
    double[] dEps = new double[c];
    Kernels.get().parallelFor(c, ch -> {
      double mean;
      double rstd;
      if (training) {
        double[] st = stats(in, ch * s, n, c * s, s, eps);
        mean = st[0];
        rstd = st[1];
      } else {
        mean = rm[ch];
        rstd = 1 / Math.sqrt(rv[ch] + eps);
      }
      double sumG = 0;
      double dot = 0;
      for (int i = 0; i < n; i++) {
        int base = (i * c + ch) * s;
        for (int j = 0; j < s; j++) {
          sumG += g[base + j];
          dot += g[base + j] * (in[base + j] - mean);
        }
      }
      double wc = w == null ? 1 : w[ch];
      dEps[ch] = -0.5 * wc * dot * rstd * rstd * rstd;
      dw[ch] = (dot * rstd);
      db[ch] = sumG;
      if (training) {
        double gMean = sumG / count;
        double proj = dot * rstd * rstd / count;
        for (int i = 0; i < n; i++) {
          int base = (i * c + ch) * s;
          for (int j = 0; j < s; j++) {
            dx[base + j] = ((g[base + j] - gMean - (in[base + j] - mean) * proj) * rstd * wc);
          }
        }
      } else {
        for (int i = 0; i < n; i++) {
          int base = (i * c + ch) * s;
          for (int j = 0; j < s; j++) {
            dx[base + j] = (g[base + j] * rstd * wc);
          }
        }
      }
    });
    return Grads.of(Tensor.wrap(dx, x.shape()), null, null, weight == null ? null : Tensor.wrap(dw, weight.shape()),
        bias == null ? null : Tensor.wrap(db, bias.shape()), null, F64Rules.scalar(0), F64Rules.scalar(sum(dEps)));
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
    int m = layerSize(x, normalizedShape, weight, bias);
    return Tensor.wrap(normRows(d(x), x.numel() / m, m, 1, weight, bias, eps), x.shape());
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
  private static double[] normRows(double[] in, int rows, int m, int per, Tensor weight, Tensor bias, double eps) {
    double[] w = weight == null ? null : d(weight);
    double[] b = bias == null ? null : d(bias);
    double[] out = new double[in.length];
    Kernels.get().parallelFor(rows, r -> {
      double[] st = stats(in, r * m, 1, 0, m, eps);
      double mean = st[0];
      double rstd = st[1];
      int waOff = 0;
      for (int j = 0; j < m; j++) {
        int a = waOff + j / per;
        double y = (in[r * m + j] - mean) * rstd;
        out[r * m + j] = y * (w == null ? 1.0 : w[a]) + (b == null ? 0.0 : b[a]);
      }
    });
    return out;
  }

  /** ∂x, ∂weight, ∂bias of {@link #layerNorm} (none for the shape). */
  public static Grads layerNormVjp(Tensor gOut, Tensor out, Tensor x, int[] normalizedShape, Tensor weight,
      Tensor bias, double eps) {
    int m = layerSize(x, normalizedShape, weight, bias);
    int rows = x.numel() / m;
    double[] in = d(x);
    double[] g = d(gOut);
    double[] w = weight == null ? null : d(weight);
    double[] dx = new double[in.length];
    Kernels.get().parallelFor(rows, r -> rowGrad(in, g, w, r * m, m, 1, 0, eps, dx));
    double[] dw = new double[m];
    double[] db = new double[m];
    // the parameters' gradients sum over rows, in row order
    double[] sw = new double[m];
    double[] sb = new double[m];
    double dEps = 0;
    for (int r = 0; r < rows; r++) {
      double[] st = stats(in, r * m, 1, 0, m, eps);
      double mean = st[0];
      double rstd = st[1];
      double acc = 0;
      for (int j = 0; j < m; j++) {
        double gv = g[r * m + j];
        sw[j] += gv * ((in[r * m + j] - mean) * rstd);
        sb[j] += gv;
        acc += gv * (w == null ? 1 : w[j]) * (in[r * m + j] - mean);
      }
      dEps += -0.5 * acc * st[1] * st[1] * st[1];
    }
    for (int j = 0; j < m; j++) {
      dw[j] = sw[j];
      db[j] = sb[j];
    }
    return Grads.of(Tensor.wrap(dx, x.shape()), null, weight == null ? null : Tensor.wrap(dw, weight.shape()),
        bias == null ? null : Tensor.wrap(db, bias.shape()), F64Rules.scalar(dEps));
  }

  /**
   * ∂x of one normalised row {@code [off, off + m)}: {@code rstd·(ĝ - mean(ĝ) - x̂·mean(ĝ·x̂))}, where
   * {@code ĝ_j = g_j · w[wOff + j / per]} (no weight: {@code g}).
   */
  private static void rowGrad(double[] in, double[] g, double[] w, int off, int m, int per, int wOff, double eps,
      double[] dx) {
    double[] st = stats(in, off, 1, 0, m, eps);
    double mean = st[0];
    double rstd = st[1];
    double sumG = 0;
    double sumGx = 0;
    for (int j = 0; j < m; j++) {
      double gh = g[off + j] * (w == null ? 1.0 : w[wOff + j / per]);
      sumG += gh;
      sumGx += gh * ((in[off + j] - mean) * rstd);
    }
    double mg = sumG / m;
    double mgx = sumGx / m;
    for (int j = 0; j < m; j++) {
      double gh = g[off + j] * (w == null ? 1.0 : w[wOff + j / per]);
      double xh = (in[off + j] - mean) * rstd;
      dx[off + j] = (rstd * (gh - mg - xh * mgx));
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
    int[] d = groupDims(x, numGroups, weight, bias);
    int c = d[1];
    int s = d[2];
    int cg = c / numGroups;
    int m = cg * s;
    double[] in = d(x);
    double[] w = weight == null ? null : d(weight);
    double[] b = bias == null ? null : d(bias);
    double[] out = new double[in.length];
    Kernels.get().parallelFor(d[0] * numGroups, r -> {
      double[] st = stats(in, r * m, 1, 0, m, eps);
      double mean = st[0];
      double rstd = st[1];
      int ch0 = (r % numGroups) * cg;
      for (int j = 0; j < m; j++) {
        int ch = ch0 + j / s;
        double y = (in[r * m + j] - mean) * rstd;
        out[r * m + j] = y * (w == null ? 1.0 : w[ch]) + (b == null ? 0.0 : b[ch]);
      }
    });
    return Tensor.wrap(out, x.shape());
  }

  /** ∂x, ∂weight, ∂bias of {@link #groupNorm}. */
  public static Grads groupNormVjp(Tensor gOut, Tensor out, Tensor x, int numGroups, Tensor weight, Tensor bias,
      double eps) {
    int[] d = groupDims(x, numGroups, weight, bias);
    int n = d[0];
    int c = d[1];
    int s = d[2];
    int cg = c / numGroups;
    int m = cg * s;
    double[] in = d(x);
    double[] g = d(gOut);
    double[] w = weight == null ? null : d(weight);
    double[] dx = new double[in.length];
    Kernels.get().parallelFor(n * numGroups, r -> rowGrad(in, g, w, r * m, m, s, (r % numGroups) * cg, eps, dx));
    double[] sw = new double[c];
    double[] sb = new double[c];
    double dEps = 0;
    for (int r = 0; r < n * numGroups; r++) {
      double[] st = stats(in, r * m, 1, 0, m, eps);
      double mean = st[0];
      double rstd = st[1];
      int ch0 = (r % numGroups) * cg;
      double acc = 0;
      for (int j = 0; j < m; j++) {
        double gv = g[r * m + j];
        sw[ch0 + j / s] += gv * ((in[r * m + j] - mean) * rstd);
        sb[ch0 + j / s] += gv;
        acc += gv * (w == null ? 1 : w[ch0 + j / s]) * (in[r * m + j] - mean);
      }
      dEps += -0.5 * acc * st[1] * st[1] * st[1];
    }
    double[] dw = new double[c];
    double[] db = new double[c];
    for (int j = 0; j < c; j++) {
      dw[j] = sw[j];
      db[j] = sb[j];
    }
    return Grads.of(Tensor.wrap(dx, x.shape()), null, weight == null ? null : Tensor.wrap(dw, weight.shape()),
        bias == null ? null : Tensor.wrap(db, bias.shape()), F64Rules.scalar(dEps));
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
    if (paddingIdx != NormRules.NO_PADDING && (paddingIdx < -rows || paddingIdx >= rows)) {
      throw new IllegalArgumentException("embedding: Padding_idx must be within num_embeddings, got " + paddingIdx
          + " for " + rows + " embeddings");
    }
    for (double f : input.storage()) {
      if (f < 0 || f >= rows) {
        throw new IndexOutOfBoundsException("embedding: index out of range in self (index " + (long) f + ", "
            + rows + " embeddings)");
      }
    }
  }


  /** {@code embedding(input, weight, padding_idx)}: rows of {@code weight} picked by the INT64 {@code input}. */
  public static Tensor embedding(Tensor input, Tensor weight, int paddingIdx) {
    checkEmbedding(input, weight, paddingIdx);
    int dim = weight.shape()[1];
    double[] idx = input.toDoubleArray();
    double[] w = d(weight);
    double[] out = new double[idx.length * dim];
    for (int i = 0; i < idx.length; i++) {
      System.arraycopy(w, (int) idx[i] * dim, out, i * dim, dim);
    }
    int[] shape = Arrays.copyOf(input.shape(), input.dim() + 1);
    shape[input.dim()] = dim;
    return Tensor.wrap(out, shape);
  }

  /** ∂weight: each output row's gradient added to the row it was read from, except the padding row's. */
  public static Grads embeddingVjp(Tensor gOut, Tensor out, Tensor input, Tensor weight, int paddingIdx) {
    int rows = weight.shape()[0];
    int dim = weight.shape()[1];
    int pad = paddingIdx == NormRules.NO_PADDING ? -1 : paddingIdx < 0 ? paddingIdx + rows : paddingIdx;
    double[] idx = input.toDoubleArray();
    double[] g = d(gOut);
    double[] dw = new double[rows * dim];
    for (int i = 0; i < idx.length; i++) {
      int r = (int) idx[i];
      if (r == pad) {
        continue;
      }
      for (int j = 0; j < dim; j++) {
        dw[r * dim + j] += g[i * dim + j];
      }
    }
    return Grads.of(null, Tensor.wrap(dw, weight.shape()), null);
  }
}
