package dev.adjoint.kernel;

/**
 * The numeric kernels behind every tensor operation, on dense row-major {@code float[]} buffers.
 *
 * <p>There is a scalar reference ({@link ScalarKernels}) and a Vector API implementation
 * ({@code dev.adjoint.kernel.vector.VectorKernels}, the only code that imports
 * {@code jdk.incubator.vector}); {@link #get()} returns the one chosen once at start-up (see {@link
 * KernelProvider} for the rules and the system properties). Elementwise arithmetic ({@code add},
 * {@code sub}, {@code mul}, {@code div}, {@code affine}, {@code axpy}, {@code relu}, the backward rules)
 * is bit-identical across implementations; transcendental functions ({@code exp}, {@code log},
 * {@code tanh}, {@code sigmoid}, softmax) may differ by a few ulps; sums of
 * {@link #SEQUENTIAL_SUM} or more terms and matrix products may differ by reassociation.
 *
 * <p>Unless a method says otherwise, output arrays may alias inputs element for element
 * ({@code out == a} is allowed), and only the first {@code n} elements are read or written.
 */
public interface Kernels {

  /** The kernels chosen for this JVM (see {@link KernelProvider}). */
  static Kernels get() {
    return KernelProvider.KERNELS;
  }

  /** A short name for logs and benchmarks, e.g. {@code "scalar"} or {@code "vector-256"}. */
  String name();

  /**
   * General matrix multiply: {@code C = op(A)·op(B)} or, with {@code accumulate}, {@code C += op(A)·op(B)}.
   * {@code op(A)} is {@code m×k} and {@code op(B)} is {@code k×n}; {@code A} is stored row-major as
   * {@code m×k} or, when {@code transA}, as {@code k×m} (likewise {@code B}). {@code C} is {@code m×n}
   * row-major. Modified: {@code c}. Not modified: {@code a}, {@code b}. {@code c} must not alias them.
   */
  void gemm(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, boolean accumulate);

  /**
   * The right operand {@code op(B)} ({@code k×n}) of {@link #gemm} prepared once for many products with
   * different left operands (a layer's weight at inference): see {@link #packB} and {@link #gemmPacked}.
   * Opaque and immutable; only the {@code Kernels} that made it can use it.
   */
  interface PackedB {
    /** Rows of {@code op(B)}, the products' depth. */
    int k();

    /** Columns of {@code op(B)}, the products' output columns. */
    int n();
  }

  /**
   * Prepares {@code op(B)} ({@code k×n}; {@code B} stored {@code k×n}, or {@code n×k} when {@code transB})
   * for {@link #gemmPacked}. The result describes {@code b} as it is now: after {@code b} changes, pack
   * it again (the implementation may keep a copy or a reference). Not modified: {@code b}. The default
   * keeps a reference and packs nothing.
   */
  default PackedB packB(boolean transB, int k, int n, float[] b, int bOff) {
    return new RawB(transB, k, n, b, bOff);
  }

  /**
   * {@code C = op(A)·B} or, with {@code accumulate}, {@code C += op(A)·B}, where {@code B} was prepared by
   * {@link #packB} of these kernels; otherwise as {@link #gemm}. The result equals
   * {@code gemm(transA, transB, m, b.n(), b.k(), a, aOff, B, ...)} to the last bit.
   */
  default void gemmPacked(boolean transA, int m, float[] a, int aOff, PackedB b, float[] c, int cOff,
      boolean accumulate) {
    if (!(b instanceof RawB r)) {
      throw new IllegalArgumentException("gemmPacked: " + b.getClass().getSimpleName()
          + " was packed by other kernels than " + name());
    }
    gemm(transA, r.transB(), m, r.n(), r.k(), a, aOff, r.b(), r.bOff(), c, cOff, accumulate);
  }

  /** The default {@link PackedB}: a reference to the unpacked operand. */
  record RawB(boolean transB, int k, int n, float[] b, int bOff) implements PackedB {}

  /** {@code out[i] = a[i] + b[i]}. */
  void add(float[] a, float[] b, float[] out, int n);

  /** {@code out[i] = a[i] - b[i]}. */
  void sub(float[] a, float[] b, float[] out, int n);

  /** {@code out[i] = a[i] * b[i]}. */
  void mul(float[] a, float[] b, float[] out, int n);

  /** {@code out[i] = a[i] / b[i]}. */
  void div(float[] a, float[] b, float[] out, int n);

  /** {@code out[i] = a[i] * s + t} (scale and shift; {@code s = 1} or {@code t = 0} give add and mul). */
  void affine(float[] a, float s, float t, float[] out, int n);

  /**
   * {@code y[i] = fma(alpha, x[i], y[i])}, one rounding, as PyTorch's vectorised {@code add_(x, alpha)}
   * (so optimizer trajectories match PyTorch's to the last bit). Modified: {@code y}.
   */
  void axpy(float alpha, float[] x, float[] y, int n);

  /** {@code out[i] = max(a[i], 0)}. */
  void relu(float[] a, float[] out, int n);

  /** {@code out[i] = x[i] > 0 ? g[i] : 0}, the backward of relu (relu'(0) = 0 as in PyTorch). */
  void reluBackward(float[] g, float[] x, float[] out, int n);

  /** {@code out[i] = exp(a[i])}. */
  void exp(float[] a, float[] out, int n);

  /**
   * The sum of {@code a[off .. off+n)} in float32. Below {@link #SEQUENTIAL_SUM} elements the order is
   * strictly sequential in every implementation, so small reductions are bit-identical everywhere and
   * reproduce the numbers PyTorch printed in the seeds (its CPU kernels of that era summed small rows
   * sequentially); above, implementations may reassociate (blocked or lane-wise partial sums).
   */
  float sum(float[] a, int off, int n);

  /** The sum of the float products {@code a[i] * b[i]} over {@code i < n}, ordered as {@link #sum}. */
  float dot(float[] a, float[] b, int n);

  /** Reductions shorter than this are summed strictly left to right in float32 by every implementation. */
  int SEQUENTIAL_SUM = 256;

  /** The largest of {@code a[off .. off+n)}; NaN if any element is NaN. {@code n > 0}. */
  float max(float[] a, int off, int n);

  // ---- batched matrix products

  /**
   * {@code batch} independent {@link #gemm}s: product {@code i} reads {@code a} at {@code aOff + i·aStride},
   * {@code b} at {@code bOff + i·bStride} and writes {@code c} at {@code cOff + i·cStride}. A stride of 0
   * reuses one operand for every product (broadcasting). Modified: {@code c}. The products' {@code c}
   * regions must not overlap each other or the operands.
   */
  default void gemmBatched(boolean transA, boolean transB, int batch, int m, int n, int k,
      float[] a, int aOff, int aStride, float[] b, int bOff, int bStride,
      float[] c, int cOff, int cStride, boolean accumulate) {
    for (int i = 0; i < batch; i++) {
      gemm(transA, transB, m, n, k, a, aOff + i * aStride, b, bOff + i * bStride, c, cOff + i * cStride,
          accumulate);
    }
  }

  // ---- more elementwise functions and the backward rules of activations

  /** {@code out[i] = ln(a[i])}. */
  void log(float[] a, float[] out, int n);

  /** {@code out[i] = tanh(a[i])}. */
  void tanh(float[] a, float[] out, int n);

  /** {@code out[i] = 1 / (1 + exp(-a[i]))}, the logistic function. */
  void sigmoid(float[] a, float[] out, int n);

  /** {@code out[i] = g[i] * y[i] * (1 - y[i])} where {@code y = sigmoid(x)}: the backward of sigmoid. */
  void sigmoidBackward(float[] g, float[] y, float[] out, int n);

  /** {@code out[i] = g[i] * (1 - y[i]²)} where {@code y = tanh(x)}: the backward of tanh. */
  void tanhBackward(float[] g, float[] y, float[] out, int n);

  /**
   * {@code out[r·n + j] = a[r·n + j] + row[j]} for {@code r < rows}, {@code j < n}: a bias added to every row
   * (the broadcast in a linear layer). Modified: {@code out} (may be {@code a}). Not modified: {@code row}.
   */
  void addRow(float[] a, float[] row, float[] out, int rows, int n);

  /**
   * {@code out[r·n + j] = a[r·n + j] + column[r]} for {@code r < rows}, {@code j < n}: one value added to each
   * row (a column broadcast, {@code [rows, n] + [rows, 1]}, as in {@code W·X + b} with {@code b} of shape
   * {@code [m, 1]}). Modified: {@code out} (may be {@code a}). Not modified: {@code column}.
   */
  void addColumn(float[] a, float[] column, float[] out, int rows, int n);

  // ---- forward mode: an elementwise function and its tangent in one pass (issue 16)

  /**
   * {@code y[i] = tanh(x[i])} and {@code ty[i] = t[i]·(1 − y[i]²)}: {@link #tanh} and {@link #tanhBackward}
   * of the tangent in one pass, with the same values to the last bit (the default is those two calls).
   * Modified: {@code y}, {@code ty}. {@code y} may be {@code x} and {@code ty} may be {@code t}; {@code ty}
   * must not alias {@code x} or {@code y}.
   */
  default void tanhJvp(float[] x, float[] t, float[] y, float[] ty, int n) {
    tanh(x, y, n);
    tanhBackward(t, y, ty, n);
  }

  /**
   * {@link #tanhJvp} of a biased input, the bias add and its tangent's folded into the pass: {@code z = p + bias},
   * {@code ż = tp + tBias}, {@code y = tanh(z)}, {@code ty = ż·(1 − y²)} over a row-major {@code rows × n} block,
   * where {@code bias} and {@code tBias} hold one value per row ({@code perRow}: the column broadcast of
   * {@link #addColumn}, {@code W·X + b}) or one per column (the row broadcast of {@link #addRow}, a linear layer's
   * bias). The values are those of the two adds, then {@link #tanhJvp}, to the last bit (the default is those
   * calls). Modified: {@code y}, {@code ty}, which must not alias anything else.
   */
  default void tanhJvpBias(float[] p, float[] tp, float[] bias, float[] tBias, boolean perRow, float[] y,
      float[] ty, int rows, int n) {
    if (perRow) {
      addColumn(p, bias, y, rows, n);
      addColumn(tp, tBias, ty, rows, n);
    } else {
      addRow(p, bias, y, rows, n);
      addRow(tp, tBias, ty, rows, n);
    }
    tanhJvp(y, ty, y, ty, rows * n);
  }

  /**
   * {@code y[i] = sigmoid(x[i])} and {@code ty[i] = t[i]·y[i]·(1 − y[i])}: {@link #sigmoid} and
   * {@link #sigmoidBackward} of the tangent in one pass, the same values to the last bit. Aliasing as
   * {@link #tanhJvp}.
   */
  default void sigmoidJvp(float[] x, float[] t, float[] y, float[] ty, int n) {
    sigmoid(x, y, n);
    sigmoidBackward(t, y, ty, n);
  }

  /**
   * {@code y[i] = max(x[i], 0)} and {@code ty[i] = y[i] > 0 ? t[i] : 0}: {@link #relu} and
   * {@link #reluBackward} of the tangent in one pass, the same values to the last bit. Aliasing as
   * {@link #tanhJvp}.
   */
  default void reluJvp(float[] x, float[] t, float[] y, float[] ty, int n) {
    relu(x, y, n);
    reluBackward(t, y, ty, n);
  }

  /**
   * Two products that share their left operand: {@code C1 += A·B1} and {@code C2 += A·B2}, all row-major and
   * untransposed, {@code A} {@code m×k}, {@code B1} and {@code B2} {@code k×n} (as a matrix product and the
   * tangent {@code A·Ḃ} of forward mode). Each of {@code c1}, {@code c2} gets exactly the values of
   * {@code gemm(false, false, m, n, k, a, 0, b, 0, c, 0, true)} (the default makes those two calls); an
   * implementation may read {@code A} once for both. Modified: {@code c1}, {@code c2} (which must not alias
   * each other or the operands).
   */
  default void gemmShared(int m, int n, int k, float[] a, float[] b1, float[] b2, float[] c1, float[] c2) {
    gemm(false, false, m, n, k, a, 0, b1, 0, c1, 0, true);
    gemm(false, false, m, n, k, a, 0, b2, 0, c2, 0, true);
  }

  /**
   * A matrix product with its forward-mode tangent: {@code C += A·B} and {@code TC += TA·B}, then
   * {@code TC += A·TB} (all row-major, untransposed; {@code A}, {@code TA} {@code m×k}, {@code B}, {@code TB}
   * {@code k×n}): the values of those three {@link #gemm} calls in that order, to the last bit (the default makes
   * them, the second two through {@link #gemmShared}); an implementation may read each operand once for all three.
   * Modified: {@code c}, {@code tc} (which must not alias each other or the operands).
   */
  default void gemmJvp(int m, int n, int k, float[] a, float[] ta, float[] b, float[] tb, float[] c, float[] tc) {
    gemm(false, false, m, n, k, ta, 0, b, 0, tc, 0, true);
    gemmShared(m, n, k, a, b, tb, c, tc);
  }

  // ---- reductions along one dimension, softmax

  /**
   * Sums a row-major {@code (outer, n, inner)} block over its middle dimension:
   * {@code out[o·inner + i] = Σ_j x[(o·n + j)·inner + i]}. Each output follows the order contract of
   * {@link #sum}: strictly left to right in {@code j} below {@link #SEQUENTIAL_SUM} terms. Modified:
   * {@code out} (must not alias {@code x}). Summing a {@code (rows, n)} matrix over its rows is
   * {@code sumAxis(x, 1, rows, n, out)} (the bias gradient of a linear layer).
   */
  void sumAxis(float[] x, int outer, int n, int inner, float[] out);

  /**
   * Softmax ({@code log = false}: {@code out = exp(x - max) / Σ exp(x - max)}) or log-softmax
   * ({@code log = true}: {@code out = x - max - ln Σ exp(x - max)}) of each of {@code rows} contiguous rows
   * of length {@code n} starting at 0. Modified: {@code out} (must not alias {@code x}).
   */
  void softmaxRows(float[] x, float[] out, int rows, int n, boolean log);

  /**
   * The backward of {@link #softmaxRows} per row, given upstream {@code g} and the forward output
   * {@code y}: softmax {@code out = y·(g - Σ g·y)}, log-softmax {@code out = g - exp(y)·Σ g}. Modified:
   * {@code out} (may be {@code g}).
   */
  void softmaxBackwardRows(float[] g, float[] y, float[] out, int rows, int n, boolean log);

  /**
   * Runs {@code part.accept(0) .. part.accept(parts - 1)}, in any order, on at most this implementation's
   * threads (the caller among them; the vector kernels use the one gang their products use). For kernels
   * whose parts write disjoint memory (im2col rows, col2im channels): each part computes alone, so the result
   * does not depend on the split. The default runs them in order on the caller.
   */
  default void parallelFor(int parts, java.util.function.IntConsumer part) {
    for (int p = 0; p < parts; p++) {
      part.accept(p);
    }
  }

  // ---- batch norm's sums, in double

  /**
   * Adds {@code Σ (x - shift)} and {@code Σ (x - shift)²} over the elements {@code x[off + i·stride + j]},
   * {@code i < rows}, {@code j < n}, in double, to {@code into[0]} and {@code into[1]} (batch norm's statistics of one
   * channel in one pass). The order of the sums is the implementation's, fixed by the arguments (this default: row by
   * row, four scalar partial sums each, added to {@code into}). Modified: {@code into}.
   */
  default void shiftedSums(float[] x, int off, int rows, int stride, int n, double shift, double[] into) {
    for (int i = 0; i < rows; i++) {
      shiftedRowSums(x, off + i * stride, n, shift, into);
    }
  }

  private static void shiftedRowSums(float[] x, int off, int n, double shift, double[] into) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    double q0 = 0;
    double q1 = 0;
    double q2 = 0;
    double q3 = 0;
    int j = 0;
    for (; j + 3 < n; j += 4) {
      double d0 = x[off + j] - shift;
      double d1 = x[off + j + 1] - shift;
      double d2 = x[off + j + 2] - shift;
      double d3 = x[off + j + 3] - shift;
      s0 += d0;
      s1 += d1;
      s2 += d2;
      s3 += d3;
      q0 += d0 * d0;
      q1 += d1 * d1;
      q2 += d2 * d2;
      q3 += d3 * d3;
    }
    for (; j < n; j++) {
      double d = x[off + j] - shift;
      s0 += d;
      q0 += d * d;
    }
    into[0] += (s0 + s1) + (s2 + s3);
    into[1] += (q0 + q1) + (q2 + q3);
  }

  /**
   * Adds {@code Σ g} and {@code Σ g·(x - mean)} over the elements at {@code off + i·stride + j}, {@code i < rows},
   * {@code j < n}, in double, to {@code into[0]} and {@code into[1]} (batch norm's adjoint); order as
   * {@link #shiftedSums}. Modified: {@code into}.
   */
  default void gradSums(float[] g, float[] x, int off, int rows, int stride, int n, double mean, double[] into) {
    for (int i = 0; i < rows; i++) {
      gradRowSums(g, x, off + i * stride, n, mean, into);
    }
  }

  private static void gradRowSums(float[] g, float[] x, int off, int n, double mean, double[] into) {
    double g0 = 0;
    double g1 = 0;
    double g2 = 0;
    double g3 = 0;
    double d0 = 0;
    double d1 = 0;
    double d2 = 0;
    double d3 = 0;
    int j = 0;
    for (; j + 3 < n; j += 4) {
      int i = off + j;
      g0 += g[i];
      g1 += g[i + 1];
      g2 += g[i + 2];
      g3 += g[i + 3];
      d0 += g[i] * (x[i] - mean);
      d1 += g[i + 1] * (x[i + 1] - mean);
      d2 += g[i + 2] * (x[i + 2] - mean);
      d3 += g[i + 3] * (x[i + 3] - mean);
    }
    for (; j < n; j++) {
      int i = off + j;
      g0 += g[i];
      d0 += g[i] * (x[i] - mean);
    }
    into[0] += (g0 + g1) + (g2 + g3);
    into[1] += (d0 + d1) + (d2 + d3);
  }

  // ---- direct convolution: stride 1, on a zero-padded image read in place (issue 18)

  /**
   * Floats that {@link #convDirect} and {@link #convWeightGrad} may read past
   * {@code imgOff + max(rowOff) + oh·ws} (their loops run whole vectors): the caller's padded image is that much
   * longer.
   */
  int CONV_SLACK = 64;

  /**
   * One image's stride-1 convolution as a product whose right operand is read in place from the zero-padded
   * image: for {@code o < m}, {@code y < oh}, {@code x < ow},
   * {@code out[outOff + (o·oh + y)·ow + x] = bias[o] + Σ_{p<k} w[wOff + o·k + p] · img[imgOff + rowOff[p] + y·ws + x]}
   * ({@code 0 +} without a bias), the sum one {@code fma} chain in {@code p} order from 0 (the micro-kernel's
   * order), then the bias added: every implementation gives the same bits. {@code rowOff[p]} is where the padded
   * image's row holding tap {@code p} starts (a tap is a channel and kernel position), {@code ws} (a multiple of
   * 16) the padded image's row stride; the columns {@code ow..ws} of the "wide" output are computed and dropped.
   * Reads {@code img} up to {@code imgOff + max(rowOff) + oh·ws + }{@link #CONV_SLACK}. Modified: {@code out}
   * (each of its {@code m} planes written whole). Not modified: the rest; {@code out} must not alias them.
   */
  default void convDirect(int m, int k, float[] w, int wOff, int[] rowOff, float[] img, int imgOff, int ws, int oh,
      int ow, float[] bias, float[] out, int outOff) {
    for (int o = 0; o < m; o++) {
      int wo = wOff + o * k;
      for (int y = 0; y < oh; y++) {
        int dst = outOff + (o * oh + y) * ow;
        for (int x = 0; x < ow; x++) {
          int f = imgOff + y * ws + x;
          float acc = 0f;
          for (int p = 0; p < k; p++) {
            acc = Math.fma(w[wo + p], img[f + rowOff[p]], acc);
          }
          out[dst + x] = bias == null ? acc : bias[o] + acc;
        }
      }
    }
  }

  /**
   * The partial sums {@link #convWeightGrad} keeps per channel and tap: the lanes of a vector (1 in this default).
   */
  default int convLanes() {
    return 1;
  }

  /**
   * The weight gradient of {@link #convDirect} over {@code count} images, as {@link #convLanes} partial sums per
   * channel and tap: {@code Σ_l acc[accOff + (o·k + p)·lanes + l]} grows by
   * {@code Σ_{s<count} Σ_{f<fLen} g[gOff + s·gStride + o·fLen + f] · img[imgOff + s·imgStride + rowOff[p] + f]}, with
   * {@code g} the upstream gradient in the wide layout (row stride {@code ws}, zero in the dropped columns) and
   * {@code fLen = oh·ws} (a multiple of 16). Which partial sum takes which term, and the order of each, are the
   * implementation's, fixed by the arguments alone (never by threads); the caller adds the lanes. Reads {@code img}
   * as {@link #convDirect}. Modified: {@code acc}. Not modified: the rest.
   */
  default void convWeightGrad(int m, int k, float[] g, int gOff, int gStride, int[] rowOff, float[] img,
      int imgOff, int imgStride, int count, int fLen, float[] acc, int accOff) {
    int lanes = convLanes();
    for (int o = 0; o < m; o++) {
      for (int p = 0; p < k; p++) {
        float sum = 0f;
        for (int s = 0; s < count; s++) {
          int gi = gOff + s * gStride + o * fLen;
          int xi = imgOff + s * imgStride + rowOff[p];
          for (int f = 0; f < fLen; f++) {
            sum = Math.fma(g[gi + f], img[xi + f], sum);
          }
        }
        acc[accOff + (o * k + p) * lanes] += sum;
      }
    }
  }

  /**
   * {@link #packB(boolean, int, int, float[], int)}, allowed to overwrite the storage of {@code reuse} (a
   * result of an earlier call that the caller no longer reads; may be {@code null}) instead of allocating:
   * for an operand that changes between products of the same shape, such as a weight packed on every
   * training step. The packed values, and so the products, are those of {@code packB}. The default ignores
   * {@code reuse}.
   */
  default PackedB packB(boolean transB, int k, int n, float[] b, int bOff, PackedB reuse) {
    return packB(transB, k, n, b, bOff);
  }
}
