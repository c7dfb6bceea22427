package dev.adjoint.kernel.vector;

import dev.adjoint.kernel.DoubleKernels;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float64 matrix product on the Vector API ({@code DoubleVector} at {@link VectorKernels}'s width): B
 * (made row-major k×n) is packed into panels of two vectors' width, and a 4×(2 vectors) register block of C
 * accumulates {@code A[i][p]·B[p][j..]} by FMA over k; the edges (rows past a multiple of 4, columns past a
 * multiple of the panel) go through {@link DoubleKernels#gemmScalar}. No masks in the hot loop
 * (TOOLCHAIN.md §4). Loaded reflectively by {@link DoubleKernels} when the vector kernels are chosen.
 */
public final class DoubleVectorGemm implements DoubleKernels.Gemm {
  /** The float kernels' width (the platform's, or the one {@code adjoint.vectorBitSize} forced). */
  private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, VectorKernels.S.vectorShape());
  private static final int MR = 4;

  /** For {@link DoubleKernels}. */
  public DoubleVectorGemm() {}

  /** Floating-point operations of one {@link #fmaPeak} run: 12 chains × lanes × 2. */
  public static long fmaPeakFlops(int iterations) {
    return 24L * D.length() * iterations;
  }

  /** 12 independent float64 FMA chains: the machine's float64 FMA peak through the Vector API (a benchmark stick). */
  public static double fmaPeak(int iterations, double seed) {
    DoubleVector x = DoubleVector.broadcast(D, 0.999999);
    DoubleVector y = DoubleVector.broadcast(D, 1e-7);
    DoubleVector a0 = DoubleVector.broadcast(D, seed);
    DoubleVector a1 = a0.add(1);
    DoubleVector a2 = a0.add(2);
    DoubleVector a3 = a0.add(3);
    DoubleVector a4 = a0.add(4);
    DoubleVector a5 = a0.add(5);
    DoubleVector a6 = a0.add(6);
    DoubleVector a7 = a0.add(7);
    DoubleVector a8 = a0.add(8);
    DoubleVector a9 = a0.add(9);
    DoubleVector a10 = a0.add(10);
    DoubleVector a11 = a0.add(11);
    for (int i = 0; i < iterations; i++) {
      a0 = a0.fma(x, y);
      a1 = a1.fma(x, y);
      a2 = a2.fma(x, y);
      a3 = a3.fma(x, y);
      a4 = a4.fma(x, y);
      a5 = a5.fma(x, y);
      a6 = a6.fma(x, y);
      a7 = a7.fma(x, y);
      a8 = a8.fma(x, y);
      a9 = a9.fma(x, y);
      a10 = a10.fma(x, y);
      a11 = a11.fma(x, y);
    }
    return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
        .reduceLanes(VectorOperators.ADD);
  }

  @Override
  public void axpy(double alpha, double[] x, int xOff, double[] y, int yOff, int n) {
    int l = D.length();
    int i = 0;
    DoubleVector va = DoubleVector.broadcast(D, alpha);
    for (; i <= n - l; i += l) {
      DoubleVector.fromArray(D, x, xOff + i).fma(va, DoubleVector.fromArray(D, y, yOff + i)).intoArray(y, yOff + i);
    }
    for (; i < n; i++) {
      y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
    }
  }

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k, double[] a, int aOff, double[] b,
      int bOff, double[] c, int cOff, boolean accumulate) {
    int l = D.length();
    int nr = 2 * l;
    int nFull = n / nr * nr;
    int mFull = m / MR * MR;
    if (m < MR || nFull == 0 || k == 0) {
      DoubleKernels.gemmScalar(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, accumulate);
      return;
    }
    if (!accumulate) {
      java.util.Arrays.fill(c, cOff, cOff + m * n, 0.0);
    }
    // pack B (as op(B), k×n row-major) into panels of nr columns: panel q holds B[p][q·nr .. q·nr+nr) for all p
    int panels = nFull / nr;
    double[] pb = new double[panels * k * nr];
    for (int q = 0; q < panels; q++) {
      int base = q * k * nr;
      for (int p = 0; p < k; p++) {
        for (int j = 0; j < nr; j++) {
          int col = q * nr + j;
          pb[base + p * nr + j] = transB ? b[bOff + col * k + p] : b[bOff + p * n + col];
        }
      }
    }
    // A rows packed per block of MR: pa[p·MR + r] = op(A)[i + r][p]
    double[] pa = new double[MR * k];
    for (int i = 0; i < mFull; i += MR) {
      for (int p = 0; p < k; p++) {
        for (int r = 0; r < MR; r++) {
          pa[p * MR + r] = transA ? a[aOff + p * m + i + r] : a[aOff + (i + r) * k + p];
        }
      }
      for (int q = 0; q < panels; q++) {
        block(pa, pb, q * k * nr, k, l, c, cOff + i * n + q * nr, n);
      }
    }
    // edges: the rows below mFull (all columns), and the columns right of nFull (rows above mFull)
    if (mFull < m) {
      edge(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, mFull, m, 0, n);
    }
    if (nFull < n) {
      edge(transA, transB, m, n, k, a, aOff, b, bOff, c, cOff, 0, mFull, nFull, n);
    }
  }

  private static void block(double[] pa, double[] pb, int pbOff, int k, int l, double[] c, int cOff, int n) {
    DoubleVector c00 = DoubleVector.zero(D);
    DoubleVector c01 = DoubleVector.zero(D);
    DoubleVector c10 = DoubleVector.zero(D);
    DoubleVector c11 = DoubleVector.zero(D);
    DoubleVector c20 = DoubleVector.zero(D);
    DoubleVector c21 = DoubleVector.zero(D);
    DoubleVector c30 = DoubleVector.zero(D);
    DoubleVector c31 = DoubleVector.zero(D);
    int nr = 2 * l;
    for (int p = 0; p < k; p++) {
      DoubleVector b0 = DoubleVector.fromArray(D, pb, pbOff + p * nr);
      DoubleVector b1 = DoubleVector.fromArray(D, pb, pbOff + p * nr + l);
      int ap = p * MR;
      DoubleVector a0 = DoubleVector.broadcast(D, pa[ap]);
      c00 = a0.fma(b0, c00);
      c01 = a0.fma(b1, c01);
      DoubleVector a1 = DoubleVector.broadcast(D, pa[ap + 1]);
      c10 = a1.fma(b0, c10);
      c11 = a1.fma(b1, c11);
      DoubleVector a2 = DoubleVector.broadcast(D, pa[ap + 2]);
      c20 = a2.fma(b0, c20);
      c21 = a2.fma(b1, c21);
      DoubleVector a3 = DoubleVector.broadcast(D, pa[ap + 3]);
      c30 = a3.fma(b0, c30);
      c31 = a3.fma(b1, c31);
    }
    c00.add(DoubleVector.fromArray(D, c, cOff)).intoArray(c, cOff);
    c01.add(DoubleVector.fromArray(D, c, cOff + l)).intoArray(c, cOff + l);
    c10.add(DoubleVector.fromArray(D, c, cOff + n)).intoArray(c, cOff + n);
    c11.add(DoubleVector.fromArray(D, c, cOff + n + l)).intoArray(c, cOff + n + l);
    c20.add(DoubleVector.fromArray(D, c, cOff + 2 * n)).intoArray(c, cOff + 2 * n);
    c21.add(DoubleVector.fromArray(D, c, cOff + 2 * n + l)).intoArray(c, cOff + 2 * n + l);
    c30.add(DoubleVector.fromArray(D, c, cOff + 3 * n)).intoArray(c, cOff + 3 * n);
    c31.add(DoubleVector.fromArray(D, c, cOff + 3 * n + l)).intoArray(c, cOff + 3 * n + l);
  }

  /** C[i0..i1) × [j0..j1) += op(A)·op(B) there, in scalar code. */
  private static void edge(boolean transA, boolean transB, int m, int n, int k, double[] a, int aOff, double[] b,
      int bOff, double[] c, int cOff, int i0, int i1, int j0, int j1) {
    for (int i = i0; i < i1; i++) {
      for (int j = j0; j < j1; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          double aip = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
          double bpj = transB ? b[bOff + j * k + p] : b[bOff + p * n + j];
          s = Math.fma(aip, bpj, s);
        }
        c[cOff + i * n + j] += s;
      }
    }
  }
}
