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

  /**
   * Solves {@code op(T)·X = B} in place of {@code b} (n×k) for the triangular {@code t} (n×n, only its lower
   * or upper triangle read), {@code op} the transpose when {@code trans}: forward or back substitution
   * column block by column block (each row update is an axpy over the k right-hand sides).
   */
  static void solveTriangular(double[] t, boolean lower, boolean trans, double[] b, int n, int k) {
    // op(T) is lower triangular when (lower and not trans) or (upper and trans)
    boolean forward = lower != trans;
    for (int s = 0; s < n; s++) {
      int i = forward ? s : n - 1 - s;
      int bi = i * k;
      for (int q = 0; q < s; q++) {
        int j = forward ? q : n - 1 - q;
        double tij = trans ? t[j * n + i] : t[i * n + j];
        if (tij != 0) {
          int bj = j * k;
          for (int c = 0; c < k; c++) {
            b[bi + c] -= tij * b[bj + c];
          }
        }
      }
      double d = t[i * n + i];
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
