package dev.adjoint.kernel;

/**
 * The numeric kernels behind every tensor operation, on dense row-major {@code float[]} buffers.
 *
 * <p>There is a scalar reference ({@link ScalarKernels}) and a Vector API implementation; {@link
 * #get()} returns the one chosen once at start-up. Unless a method says otherwise, output arrays may
 * alias inputs element for element ({@code out == a} is allowed), and only the first {@code n}
 * elements are read or written.
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
}
