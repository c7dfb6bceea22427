package dev.adjoint.kernel;

/**
 * The float64 kernels on dense row-major {@code double[]} buffers: the reference scalar loops, and the
 * matrix product through the Vector API ({@code DoubleVector}) when {@link KernelProvider} chose the vector
 * kernels, else a cache-blocked scalar loop. Every loop accumulates in double; nothing rounds to float.
 */
public final class DoubleKernels {
  private DoubleKernels() {}

  /** A float64 matrix product; the vector one comes from {@code dev.adjoint.kernel.vector}. */
  public interface Gemm {
    /**
     * {@code C[m×n] (+)= op(A)[m×k] · op(B)[k×n]} where {@code op} transposes when asked; A is stored m×k
     * (k×m when transposed) from {@code aOff}, B k×n (n×k) from {@code bOff}, C m×n from {@code cOff}.
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, double[] a, int aOff, double[] b, int bOff,
        double[] c, int cOff, boolean accumulate);

    /** {@code y[yOff..yOff+n) = fma(alpha, x[xOff..xOff+n), y[...])}; the ranges must not overlap. */
    default void axpy(double alpha, double[] x, int xOff, double[] y, int yOff, int n) {
      for (int i = 0; i < n; i++) {
        y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
      }
    }
  }

  private static final Gemm SCALAR = DoubleKernels::gemmScalar;

  private static final Gemm CHOSEN = choose();

  private static Gemm choose() {
    if (!(Kernels.get() instanceof ScalarKernels)) {
      try {
        return (Gemm) Class.forName("dev.adjoint.kernel.vector.DoubleVectorGemm").getDeclaredConstructor()
            .newInstance();
      } catch (ReflectiveOperationException | LinkageError e) {
        return SCALAR;
      }
    }
    return SCALAR;
  }

  /** The chosen product's class name ({@code DoubleVectorGemm}, or this class for the scalar loop). */
  public static String gemmName() {
    return CHOSEN == SCALAR ? "DoubleKernels" : CHOSEN.getClass().getSimpleName();
  }

  /** The product with the chosen kernel. */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k, double[] a, int aOff, double[] b,
      int bOff, double[] c, int cOff, boolean accumulate) {
    CHOSEN.gemm(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
  }

  /**
   * {@code y[yOff..yOff+n) += alpha·x[xOff..xOff+n)}, one FMA per element, with the chosen kernels (the Vector API
   * when chosen: the triangular solves' rows); the ranges may lie in one array but must not overlap.
   */
  public static void axpy(double alpha, double[] x, int xOff, double[] y, int yOff, int n) {
    CHOSEN.axpy(alpha, x, xOff, y, yOff, n);
  }

  /** The scalar reference product: i-p-j order over a B made row-major (n contiguous), blocks of 256 rows of k. */
  public static void gemmScalar(boolean transA, boolean transB, int m, int n, int k, double[] a, int aOff,
      double[] b, int bOff, double[] c, int cOff, boolean accumulate) {
    if (!accumulate) {
      java.util.Arrays.fill(c, cOff, cOff + m * n, 0.0);
    }
    double[] bt = b;
    int bo = bOff;
    if (transB) {
      bt = new double[k * n];
      bo = 0;
      for (int j = 0; j < n; j++) {
        for (int p = 0; p < k; p++) {
          bt[p * n + j] = b[bOff + j * k + p];
        }
      }
    }
    for (int i = 0; i < m; i++) {
      int ci = cOff + i * n;
      for (int p = 0; p < k; p++) {
        double aip = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
        if (aip == 0) {
          continue;
        }
        int bp = bo + p * n;
        for (int j = 0; j < n; j++) {
          c[ci + j] += aip * bt[bp + j];
        }
      }
    }
  }

  /** The sum of {@code x[off..off+n)}, pairwise in blocks so that long sums lose little. */
  public static double sum(double[] x, int off, int n) {
    if (n <= 64) {
      double s = 0;
      for (int i = off; i < off + n; i++) {
        s += x[i];
      }
      return s;
    }
    int h = n / 2;
    return sum(x, off, h) + sum(x, off + h, n - h);
  }

  /** {@code Σ x[i]·y[i]}. */
  public static double dot(double[] x, double[] y, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += x[i] * y[i];
    }
    return s;
  }

  /** {@code y += alpha·x}. */
  public static void axpy(double alpha, double[] x, double[] y, int n) {
    for (int i = 0; i < n; i++) {
      y[i] = Math.fma(alpha, x[i], y[i]);
    }
  }
}
