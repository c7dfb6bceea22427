package dev.adjoint.linalg;

import dev.adjoint.kernel.DoubleKernels;
import org.ejml.data.DMatrixRMaj;

/**
 * Row-major {@code double[]} matrix helpers for the linear-algebra rules: products (through {@link
 * DoubleKernels#gemm}), transposes, triangular parts, and substitution with a triangular factor. The
 * decompositions themselves are EJML's ({@link DecompositionRules}).
 */
final class Dense {
  private Dense() {}

  /** A copy of the {@code m×n} block at {@code off} as an EJML matrix. */
  static DMatrixRMaj ejml(double[] a, int off, int m, int n) {
    DMatrixRMaj d = new DMatrixRMaj(m, n);
    System.arraycopy(a, off, d.data, 0, m * n);
    return d;
  }

  /** {@code a·b} for {@code a} m×k, {@code b} k×n; {@code ta}/{@code tb} use the transposes instead. */
  static double[] mul(double[] a, boolean ta, double[] b, boolean tb, int m, int k, int n) {
    double[] c = new double[m * n];
    DoubleKernels.gemm(ta, tb, m, n, k, a, 0, b, 0, c, 0, false);
    return c;
  }

  /** The transpose of the {@code m×n} matrix {@code a}. */
  static double[] t(double[] a, int m, int n) {
    double[] r = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        r[j * m + i] = a[i * n + j];
      }
    }
    return r;
  }

  /** The lower ({@code lower}) or upper triangle of the square {@code a}, diagonal included, zeros elsewhere. */
  static double[] triangle(double[] a, int n, boolean lower) {
    double[] r = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = lower ? 0 : i; j < (lower ? i + 1 : n); j++) {
        r[i * n + j] = a[i * n + j];
      }
    }
    return r;
  }

  /** Below this order a triangular solve is plain substitution; above, the off-diagonal blocks go through GEMM. */
  static final int SUBSTITUTION = 64;

  /**
   * Solves {@code op(T)·X = B} in place of {@code b} (n×k) for the triangular {@code t} (n×n, only its lower
   * or upper triangle read), {@code op} the transpose when {@code trans}. Recursive halving (LAPACK's
   * {@code trsm} by blocks): the diagonal blocks are solved by substitution, the off-diagonal updates
   * {@code B2 -= M21·X1} are matrix products ({@link DoubleKernels#gemm}), where the flops are.
   */
  static void solveTriangular(double[] t, boolean lower, boolean trans, double[] b, int n, int k) {
    boolean forward = lower != trans; // op(T) is lower triangular: rows are solved top to bottom
    double[] m = t; // read only inside op(T)'s triangle, so T itself serves when not transposed
    if (trans) {
      m = new double[n * n];
      for (int i = 0; i < n; i++) {
        for (int j = forward ? 0 : i; j < (forward ? i + 1 : n); j++) {
          m[i * n + j] = t[j * n + i];
        }
      }
    }
    if (k == 1) {
      substituteVector(m, n, forward, b);
      return;
    }
    solve(m, n, 0, n, forward, b, k);
  }

  /** One right-hand side: each row is a dot product of the solved part of the row of M with the solution so far. */
  private static void substituteVector(double[] m, int n, boolean forward, double[] b) {
    for (int s = 0; s < n; s++) {
      int i = forward ? s : n - 1 - s;
      double v = b[i];
      if (forward) {
        for (int j = 0; j < i; j++) {
          v -= m[i * n + j] * b[j];
        }
      } else {
        for (int j = n - 1; j > i; j--) {
          v -= m[i * n + j] * b[j];
        }
      }
      b[i] = v / m[i * n + i];
    }
  }

  /** Solves rows {@code r0 .. r0+n} of the triangular system {@code M X = B} (M with leading dimension ld). */
  private static void solve(double[] m, int ld, int r0, int n, boolean forward, double[] b, int k) {
    if (n <= SUBSTITUTION) {
      substitute(m, ld, r0, n, forward, b, k);
      return;
    }
    int n1 = n / 2;
    int n2 = n - n1;
    if (forward) {
      solve(m, ld, r0, n1, true, b, k);
      DoubleKernels.gemm(false, false, n2, k, n1, negatedBlock(m, ld, r0 + n1, r0, n2, n1), 0, b, r0 * k, b,
          (r0 + n1) * k, true);
      solve(m, ld, r0 + n1, n2, true, b, k);
    } else {
      solve(m, ld, r0 + n1, n2, false, b, k);
      DoubleKernels.gemm(false, false, n1, k, n2, negatedBlock(m, ld, r0, r0 + n1, n1, n2), 0, b, (r0 + n1) * k,
          b, r0 * k, true);
      solve(m, ld, r0, n1, false, b, k);
    }
  }

  private static double[] negatedBlock(double[] m, int ld, int r, int c, int rows, int cols) {
    double[] out = new double[rows * cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        out[i * cols + j] = -m[(r + i) * ld + c + j];
      }
    }
    return out;
  }

  private static void substitute(double[] m, int ld, int r0, int n, boolean forward, double[] b, int k) {
    for (int s = 0; s < n; s++) {
      int i = r0 + (forward ? s : n - 1 - s);
      int bi = i * k;
      for (int q = 0; q < s; q++) {
        int j = r0 + (forward ? q : n - 1 - q);
        double mij = m[i * ld + j];
        if (mij != 0) {
          DoubleKernels.axpy(-mij, b, j * k, b, bi, k); // row i -= m_ij · row j, vectorised
        }
      }
      double d = m[i * ld + i];
      for (int c = 0; c < k; c++) {
        b[bi + c] /= d;
      }
    }
  }

  /** {@code X·op(T) = B} in place of {@code b} (k×n): the transposed system {@code op(T)ᵀ·Xᵀ = Bᵀ}. */
  static double[] solveTriangularRight(double[] t, boolean lower, boolean trans, double[] b, int k, int n) {
    double[] bt = t(b, k, n);
    solveTriangular(t, lower, !trans, bt, n, k);
    return t(bt, n, k);
  }

  /** {@code a + aᵀ} of the square {@code a}. */
  static double[] symSum(double[] a, int n) {
    double[] r = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        r[i * n + j] = a[i * n + j] + a[j * n + i];
      }
    }
    return r;
  }

  static void scale(double[] a, double s) {
    for (int i = 0; i < a.length; i++) {
      a[i] *= s;
    }
  }
}
