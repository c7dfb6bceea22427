package dev.adjoint.linalg;

import dev.adjoint.shape.Shapes;
import dev.adjoint.Tensor;
import dev.adjoint.Tensor.DType;
import dev.adjoint.autograd.Grads;
import dev.adjoint.kernel.DoubleKernels;
import dev.adjoint.rules.DTypeRules;
import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.decomposition.lu.LUDecompositionAlt_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.ejml.interfaces.decomposition.QRDecomposition;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * The linear-algebra primitives' forwards (EJML's decompositions, in double) and adjoints (PyTorch's
 * formulas from {@code FunctionsManual.cpp}), side by side, batched over leading dimensions. A float32
 * input is promoted, computed in double and the result rounded to float32 (its gradient likewise).
 * {@link Linalg} holds the rows.
 */
public final class DecompositionRules {
  private DecompositionRules() {}

  // ---------------------------------------------------------------------------------------------
  // Shapes and batches

  /** The size n of the square matrices of {@code a} ([..., n, n]), or PyTorch's error. */
  static int square(String op, Tensor a) {
    if (a.dim() < 2) {
      throw new IllegalArgumentException(op + ": The input tensor A must have at least 2 dimensions. (shape "
          + Shapes.str(a.shape()) + ")");
    }
    int m = a.size(-2);
    int n = a.size(-1);
    if (m != n) {
      throw new IllegalArgumentException(op + ": A must be batches of square matrices, but they are " + m + " by "
          + n + " matrices");
    }
    return n;
  }

  static int batches(Tensor a) {
    int m = a.size(-2);
    int n = a.size(-1);
    return m * n == 0 ? 0 : a.numel() / (m * n);
  }

  static double[] d(Tensor t) {
    return t.toDoubleArray();
  }

  /** {@code v} of {@code shape} in the dtype of {@code like} (FLOAT64, or FLOAT32 rounded). */
  static Tensor out(double[] v, int[] shape, Tensor like) {
    Tensor r = Tensor.wrap(v, shape);
    return like.dtype() == DType.FLOAT64 ? r : DTypeRules.to(r, DType.FLOAT32);
  }

  static String batchPrefix(Tensor a, int b) {
    return a.dim() > 2 ? "(Batch element " + b + "): " : "";
  }

  /**
   * Runs {@code body(b)} for every batch element {@code b < nb} over the kernels' gang. Each element writes only
   * its own slice of the results, and is computed alone in a fixed order, so the results are bit-identical
   * whatever the split; when elements fail, the first one's exception in batch order is thrown (as a sequential
   * loop would).
   */
  static void forEachBatch(int nb, java.util.function.IntConsumer body) {
    if (nb <= 1) {
      for (int b = 0; b < nb; b++) {
        body.accept(b);
      }
      return;
    }
    RuntimeException[] failed = new RuntimeException[nb];
    dev.adjoint.kernel.Kernels.get().parallelFor(nb, b -> {
      try {
        body.accept(b);
      } catch (RuntimeException e) {
        failed[b] = e;
      }
    });
    for (RuntimeException e : failed) {
      if (e != null) {
        throw e;
      }
    }
  }

  static double[] block(double[] all, int b, int size) {
    return Arrays.copyOfRange(all, b * size, (b + 1) * size);
  }

  /** The elements of {@code t} to read, not write: a dense FLOAT64 tensor's own array, else a copy. */
  static double[] read(Tensor t) {
    return t.dtype() == DType.FLOAT64 ? t.storageF64() : t.toDoubleArray();
  }

  /** Batch element {@code b} of {@code all} to read, not write: {@code all} itself when it is the only one. */
  static double[] readBlock(double[] all, int b, int size) {
    return b == 0 && size == all.length ? all : block(all, b, size);
  }

  // ---------------------------------------------------------------------------------------------
  // cholesky

  /** The lower Cholesky factor L of each symmetric positive-definite A (only A's lower triangle is read). */
  public static Tensor cholesky(Tensor a) {
    int n = square("linalg.cholesky", a);
    double[] x = read(a);
    double[] out = new double[x.length];
    int nn = n * n;
    forEachBatch(batches(a), b -> {
      // symmetric from the lower triangle, as LAPACK's potrf('L'), straight into EJML's matrix (one copy)
      DMatrixRMaj m = new DMatrixRMaj(n, n);
      double[] md = m.data;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j <= i; j++) {
          double v = x[b * nn + i * n + j];
          md[i * n + j] = v;
          md[j * n + i] = v;
        }
      }
      CholeskyDecomposition_F64<DMatrixRMaj> chol = DecompositionFactory_DDRM.chol(n, true);
      DMatrixRMaj t = chol.decompose(m) ? chol.getT(null) : null;
      if (t == null || !finiteDiagonal(t.data, n)) {
        throw new ArithmeticException("linalg.cholesky: " + batchPrefix(a, b) + "The factorization could not be "
            + "completed because the input is not positive-definite (the leading minor of order "
            + failingMinor(block(x, b, nn), n) + " is not positive-definite).");
      }
      double[] td = t.data;
      for (int i = 0; i < n; i++) { // the lower triangle; above it out stays 0
        System.arraycopy(td, i * n, out, b * nn + i * n, i + 1);
      }
    });
    return out(out, a.shape(), a);
  }

  private static boolean finiteDiagonal(double[] l, int n) {
    for (int i = 0; i < n; i++) {
      if (!(l[i * n + i] > 0) || !Double.isFinite(l[i * n + i])) {
        return false;
      }
    }
    return true;
  }

  /** The order (from 1) of the first leading minor that is not positive-definite: only for the error. */
  private static int failingMinor(double[] a, int n) {
    double[] l = new double[n * n];
    for (int j = 0; j < n; j++) {
      double s = a[j * n + j];
      for (int k = 0; k < j; k++) {
        s -= l[j * n + k] * l[j * n + k];
      }
      if (!(s > 0)) {
        return j + 1;
      }
      l[j * n + j] = Math.sqrt(s);
      for (int i = j + 1; i < n; i++) {
        double t = a[i * n + j];
        for (int k = 0; k < j; k++) {
          t -= l[i * n + k] * l[j * n + k];
        }
        l[i * n + j] = t / l[j * n + j];
      }
    }
    return n;
  }

  /**
   * PyTorch's {@code cholesky_backward}: {@code gA = L^{-H} Φ L^{-1}} with {@code Φ = ½(P + tril(P, -1)ᴴ)},
   * {@code P = tril(Lᴴ gL)}.
   */
  public static Grads choleskyVjp(Tensor g, Tensor out, Tensor a) {
    int n = a.size(-1);
    int nn = n * n;
    double[] gs = read(g);
    double[] ls = read(out);
    double[] ga = new double[gs.length];
    forEachBatch(batches(a), b -> {
      double[] l = readBlock(ls, b, nn);
      double[] p = Dense.mul(l, true, readBlock(gs, b, nn), false, n, n, n);
      double[] phi = p; // Φ = ½(tril(P) + tril(P, -1)ᴴ), in place: each entry reads only the lower triangle
      for (int i = 0; i < n; i++) {
        for (int j = 0; j <= i; j++) {
          double v = 0.5 * p[i * n + j];
          phi[i * n + j] = v;
          if (j < i) {
            phi[j * n + i] = v;
          }
        }
      }
      Dense.solveTriangular(l, true, true, phi, n, n); // L^{-H} Φ
      double[] r = Dense.solveTriangularRight(l, true, false, phi, n, n); // (L^{-H} Φ) L^{-1}
      System.arraycopy(r, 0, ga, b * nn, nn);
    });
    return Grads.of(out(ga, a.shape(), a));
  }

  // ---------------------------------------------------------------------------------------------
  // triangular solves: solveTriangular, choleskySolve

  static void sameBatch(String op, Tensor a, Tensor b) {
    if (a.dim() != b.dim() || !Arrays.equals(Arrays.copyOf(a.shape(), a.dim() - 2),
        Arrays.copyOf(b.shape(), b.dim() - 2)) || b.size(-2) != a.size(-1)) {
      throw new IllegalArgumentException(op + ": Incompatible shapes of A and B for the equation AX = B ("
          + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape()) + "; batch dimensions must match)");
    }
  }

  /** {@code X = A^{-1} B} for triangular A (its {@code upper} or lower triangle read), B [..., n, k]. */
  public static Tensor solveTriangular(Tensor a, Tensor bm, boolean upper) {
    int n = square("linalg.solve_triangular", a);
    sameBatch("linalg.solve_triangular", a, bm);
    int k = bm.size(-1);
    double[] x = d(a);
    double[] y = d(bm);
    forEachBatch(batches(a), b -> {
      double[] rhs = block(y, b, n * k);
      Dense.solveTriangular(block(x, b, n * n), !upper, false, rhs, n, k);
      System.arraycopy(rhs, 0, y, b * n * k, n * k);
    });
    return out(y, bm.shape(), promoted(a, bm));
  }

  static Tensor promoted(Tensor a, Tensor b) {
    return a.dtype() == DType.FLOAT64 ? a : b;
  }

  /**
   * PyTorch's {@code linalg_solve_triangular_backward} (left, not unitriangular): {@code gB = A^{-H} gX},
   * {@code gA = -gB Xᴴ} restricted to A's triangle.
   */
  public static Grads solveTriangularVjp(Tensor g, Tensor out, Tensor a, Tensor bm, boolean upper) {
    int n = a.size(-1);
    int k = bm.size(-1);
    double[] x = d(a);
    double[] gs = d(g);
    double[] xs = d(out);
    double[] ga = new double[x.length];
    double[] gb = new double[gs.length];
    forEachBatch(batches(a), b -> {
      double[] gbb = block(gs, b, n * k);
      Dense.solveTriangular(block(x, b, n * n), !upper, true, gbb, n, k);
      System.arraycopy(gbb, 0, gb, b * n * k, n * k);
      double[] gab = Dense.triangle(Dense.mul(gbb, false, block(xs, b, n * k), true, n, k, n), n, !upper);
      Dense.scale(gab, -1);
      System.arraycopy(gab, 0, ga, b * n * n, n * n);
    });
    return Grads.of(out(ga, a.shape(), a), out(gb, bm.shape(), bm), null);
  }

  /** {@code torch.cholesky_solve(B, L)}: {@code X = (L Lᴴ)^{-1} B} for the lower factor L. */
  public static Tensor choleskySolve(Tensor bm, Tensor l) {
    int n = square("cholesky_solve", l);
    sameBatch("cholesky_solve", l, bm);
    int k = bm.size(-1);
    double[] ls = read(l);
    double[] y = d(bm);
    forEachBatch(batches(l), b -> {
      double[] lb = readBlock(ls, b, n * n);
      double[] rhs = readBlock(y, b, n * k); // y is this call's own copy: solved in place when unbatched
      Dense.solveTriangular(lb, true, false, rhs, n, k);
      Dense.solveTriangular(lb, true, true, rhs, n, k);
      if (rhs != y) {
        System.arraycopy(rhs, 0, y, b * n * k, n * k);
      }
    });
    return out(y, bm.shape(), promoted(l, bm));
  }

  /**
   * PyTorch's {@code cholesky_solve_backward}: {@code gB = cholesky_solve(gX, L)}, {@code C = gB Xᴴ + X gBᴴ},
   * {@code gL = -C L}.
   */
  public static Grads choleskySolveVjp(Tensor g, Tensor out, Tensor bm, Tensor l) {
    int n = l.size(-1);
    int k = bm.size(-1);
    Tensor gbT = choleskySolve(g.dtype() == DType.FLOAT64 ? g : Tensor.wrap(d(g), g.shape()),
        Tensor.wrap(d(l), l.shape()));
    double[] gb = gbT.toDoubleArray();
    double[] xs = read(out);
    double[] ls = read(l);
    double[] gl = new double[ls.length];
    forEachBatch(batches(l), b -> {
      double[] c = Dense.symSum(Dense.mul(readBlock(gb, b, n * k), false, readBlock(xs, b, n * k), true, n, k, n),
          n);
      Dense.scale(c, -1);
      DoubleKernels.gemm(false, false, n, n, n, c, 0, readBlock(ls, b, n * n), 0, gl, b * n * n, false); // -C L
    });
    return Grads.of(out(gb, bm.shape(), bm), out(gl, l.shape(), l));
  }

  // ---------------------------------------------------------------------------------------------
  // LU: solve, inv, det, slogdet, logdet

  /** An LU factorisation of one matrix (EJML), with PyTorch's view of singularity: an exact zero pivot. */
  record Lu(LUDecompositionAlt_DDRM lu, int n, int zeroPivot) {
    static Lu of(double[] a, int n) {
      LUDecompositionAlt_DDRM lu = new LUDecompositionAlt_DDRM();
      lu.decompose(Dense.ejml(a, 0, n, n));
      double[] f = lu.getLU().data;
      int zero = 0;
      for (int i = 0; i < n; i++) {
        if (f[i * n + i] == 0) {
          zero = i + 1;
          break;
        }
      }
      return new Lu(lu, n, zero);
    }

    /** Solves {@code A X = B} for B n×k (row-major), column by column. */
    double[] solve(double[] bm, int k) {
      double[] x = new double[n * k];
      double[] col = new double[n];
      for (int c = 0; c < k; c++) {
        for (int i = 0; i < n; i++) {
          col[i] = bm[i * k + c];
        }
        lu._solveVectorInternal(col);
        for (int i = 0; i < n; i++) {
          x[i * k + c] = col[i];
        }
      }
      return x;
    }

    double[] inverse() {
      double[] eye = new double[n * n];
      for (int i = 0; i < n; i++) {
        eye[i * n + i] = 1;
      }
      return solve(eye, n);
    }

    /** log|det A| and the sign of det A (0 when singular), without overflow. */
    double[] slogdet() {
      double[] f = lu.getLU().data;
      double log = 0;
      double sign = parity(lu.getPivot(), n);
      for (int i = 0; i < n; i++) {
        double u = f[i * n + i];
        log += Math.log(Math.abs(u));
        sign *= Math.signum(u);
      }
      return new double[] {sign, log};
    }

    private static double parity(int[] pivot, int n) {
      boolean[] seen = new boolean[n];
      double s = 1;
      for (int i = 0; i < n; i++) {
        if (!seen[i]) {
          int len = 0;
          for (int j = i; !seen[j]; j = pivot[j]) {
            seen[j] = true;
            len++;
          }
          if (len % 2 == 0) {
            s = -s;
          }
        }
      }
      return s;
    }
  }

  /** Whether {@code b} is a batch of vectors for A (PyTorch's rule: B.dim() == A.dim() - 1 and B's last size n). */
  static boolean vectorRhs(Tensor a, Tensor b) {
    return b.dim() == a.dim() - 1 && b.size(-1) == a.size(-1);
  }

  /** {@code X = A^{-1} B} ({@code torch.linalg.solve}); B [..., n, k] or a batch of vectors [..., n]. */
  public static Tensor solve(Tensor a, Tensor bm) {
    int n = square("torch.linalg.solve", a);
    boolean vec = vectorRhs(a, bm);
    if (!vec) {
      sameBatch("torch.linalg.solve", a, bm);
    }
    int k = vec ? 1 : bm.size(-1);
    double[] x = d(a);
    double[] y = d(bm);
    double[] out = new double[y.length];
    forEachBatch(batches(a), b -> {
      Lu lu = Lu.of(block(x, b, n * n), n);
      if (lu.zeroPivot() > 0) {
        throw new ArithmeticException("torch.linalg.solve: " + batchPrefix(a, b) + "The solver failed because the "
            + "input matrix is singular.");
      }
      System.arraycopy(lu.solve(block(y, b, n * k), k), 0, out, b * n * k, n * k);
    });
    return out(out, bm.shape(), promoted(a, bm));
  }

  /** PyTorch's {@code linalg_solve_backward}: {@code gB = A^{-H} gX}, {@code gA = -gB Xᴴ}. */
  public static Grads solveVjp(Tensor g, Tensor out, Tensor a, Tensor bm) {
    int n = a.size(-1);
    boolean vec = vectorRhs(a, bm);
    int k = vec ? 1 : bm.size(-1);
    double[] x = d(a);
    double[] gs = d(g);
    double[] xs = d(out);
    double[] ga = new double[x.length];
    double[] gb = new double[gs.length];
    forEachBatch(batches(a), b -> {
      Lu luT = Lu.of(Dense.t(block(x, b, n * n), n, n), n);
      double[] gbb = luT.solve(block(gs, b, n * k), k);
      System.arraycopy(gbb, 0, gb, b * n * k, n * k);
      double[] gab = Dense.mul(gbb, false, block(xs, b, n * k), true, n, k, n);
      Dense.scale(gab, -1);
      System.arraycopy(gab, 0, ga, b * n * n, n * n);
    });
    return Grads.of(out(ga, a.shape(), a), out(gb, bm.shape(), bm));
  }

  /** {@code A^{-1}}. */
  public static Tensor inv(Tensor a) {
    int n = square("linalg.inv", a);
    double[] x = d(a);
    double[] out = new double[x.length];
    forEachBatch(batches(a), b -> {
      Lu lu = Lu.of(block(x, b, n * n), n);
      if (lu.zeroPivot() > 0) {
        throw new ArithmeticException("linalg.inv: " + batchPrefix(a, b) + "The diagonal element " + lu.zeroPivot()
            + " is zero, the inversion could not be completed because the input matrix is singular.");
      }
      System.arraycopy(lu.inverse(), 0, out, b * n * n, n * n);
    });
    return out(out, a.shape(), a);
  }

  /** {@code gA = -A^{-H} gInv A^{-H}} (from the saved inverse). */
  public static Grads invVjp(Tensor g, Tensor out, Tensor a) {
    int n = a.size(-1);
    double[] gs = d(g);
    double[] inv = d(out);
    double[] ga = new double[gs.length];
    forEachBatch(batches(a), b -> {
      double[] ib = block(inv, b, n * n);
      double[] r = Dense.mul(Dense.mul(ib, true, block(gs, b, n * n), false, n, n, n), false, ib, true, n, n, n);
      Dense.scale(r, -1);
      System.arraycopy(r, 0, ga, b * n * n, n * n);
    });
    return Grads.of(out(ga, a.shape(), a));
  }

  private static int[] batchShape(Tensor a) {
    return Arrays.copyOf(a.shape(), a.dim() - 2);
  }

  /** {@code det A}, shape [...]. */
  public static Tensor det(Tensor a) {
    int n = square("linalg.det", a);
    double[] x = d(a);
    double[] out = new double[batches(a)];
    forEachBatch(out.length, b -> {
      double[] s = Lu.of(block(x, b, n * n), n).slogdet();
      out[b] = s[0] == 0 ? 0.0 : s[0] * Math.exp(s[1]);
    });
    return out(out, batchShape(a), a);
  }

  /**
   * {@code gA = g·det·A^{-H}} when A is invertible; for a singular A the cofactor matrix from the SVD
   * {@code A = U S Vᴴ}: {@code gA = g·det(U)det(V)·U diag(Π_{j≠i} s_j) Vᴴ}, which is what the adjugate gives.
   */
  public static Grads detVjp(Tensor g, Tensor out, Tensor a) {
    int n = a.size(-1);
    double[] x = d(a);
    double[] gs = d(g);
    double[] dets = d(out);
    double[] ga = new double[x.length];
    forEachBatch(batches(a), b -> {
      double[] ab = block(x, b, n * n);
      Lu lu = Lu.of(ab, n);
      double[] r;
      if (lu.zeroPivot() == 0 && dets[b] != 0) {
        r = Dense.t(lu.inverse(), n, n);
        Dense.scale(r, gs[b] * dets[b]);
      } else {
        r = cofactor(ab, n);
        Dense.scale(r, gs[b]);
      }
      System.arraycopy(r, 0, ga, b * n * n, n * n);
    });
    return Grads.of(out(ga, a.shape(), a));
  }

  /** The cofactor matrix (the transposed adjugate) of {@code a} from its SVD, valid when singular. */
  private static double[] cofactor(double[] a, int n) {
    SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(n, n, true, true, false);
    svd.decompose(Dense.ejml(a, 0, n, n));
    double[] s = svd.getSingularValues();
    DMatrixRMaj u = svd.getU(null, false);
    DMatrixRMaj v = svd.getV(null, false);
    double du = Lu.of(u.data, n).slogdet()[0];
    double dv = Lu.of(v.data, n).slogdet()[0];
    double[] us = u.data.clone();
    for (int j = 0; j < n; j++) {
      double p = 1;
      for (int i = 0; i < n; i++) {
        if (i != j) {
          p *= s[i];
        }
      }
      for (int i = 0; i < n; i++) {
        us[i * n + j] *= p * du * dv;
      }
    }
    return Dense.mul(us, false, v.data, true, n, n, n);
  }

  /** log|det A| ({@code slogdet(A).logabsdet}), shape [...]. */
  public static Tensor logabsdet(Tensor a) {
    int n = square("linalg.slogdet", a);
    double[] x = d(a);
    double[] out = new double[batches(a)];
    forEachBatch(out.length, b -> {
      out[b] = Lu.of(block(x, b, n * n), n).slogdet()[1];
    });
    return out(out, batchShape(a), a);
  }

  /** The sign of det A ({@code slogdet(A).sign}): -1, 0 or 1; not differentiable. */
  public static Tensor detSign(Tensor a) {
    int n = square("linalg.slogdet", a);
    double[] x = d(a);
    double[] out = new double[batches(a)];
    forEachBatch(out.length, b -> {
      out[b] = Lu.of(block(x, b, n * n), n).slogdet()[0];
    });
    return out(out, batchShape(a), a);
  }

  /** {@code gA = g·A^{-H}} (of log|det A|, and of log det A). */
  public static Grads logabsdetVjp(Tensor g, Tensor out, Tensor a) {
    int n = a.size(-1);
    double[] x = d(a);
    double[] gs = d(g);
    double[] ga = new double[x.length];
    forEachBatch(batches(a), b -> {
      double[] r = Dense.t(Lu.of(block(x, b, n * n), n).inverse(), n, n);
      Dense.scale(r, gs[b]);
      System.arraycopy(r, 0, ga, b * n * n, n * n);
    });
    return Grads.of(out(ga, a.shape(), a));
  }

  /** {@code log det A} ({@code torch.logdet}): NaN for a negative determinant, -inf for a zero one. */
  public static Tensor logdet(Tensor a) {
    int n = square("logdet", a);
    double[] x = d(a);
    double[] out = new double[batches(a)];
    forEachBatch(out.length, b -> {
      double[] s = Lu.of(block(x, b, n * n), n).slogdet();
      out[b] = s[0] < 0 ? Double.NaN : s[0] == 0 ? Double.NEGATIVE_INFINITY : s[1];
    });
    return out(out, batchShape(a), a);
  }

  /** As {@link #logabsdetVjp}. */
  public static Grads logdetVjp(Tensor g, Tensor out, Tensor a) {
    return logabsdetVjp(g, out, a);
  }

  // ---------------------------------------------------------------------------------------------
  // eigh, svdvals, qr

  /** Eigenvalues (ascending) and eigenvectors (columns) of each symmetric matrix, from its lower triangle. */
  static double[][] eigh(double[] a, int n) {
    double[] sym = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        sym[i * n + j] = a[i * n + j];
        sym[j * n + i] = a[i * n + j];
      }
    }
    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
    if (!eig.decompose(Dense.ejml(sym, 0, n, n))) {
      throw new ArithmeticException("linalg.eigh: the algorithm failed to converge");
    }
    Integer[] order = new Integer[n];
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
      w[i] = eig.getEigenvalue(i).real;
    }
    Arrays.sort(order, (p, q) -> Double.compare(w[p], w[q]));
    double[] values = new double[n];
    double[] vectors = new double[n * n];
    for (int c = 0; c < n; c++) {
      values[c] = w[order[c]];
      DMatrixRMaj v = eig.getEigenVector(order[c]);
      // LAPACK's sign is not specified either; make the largest component positive, so it is deterministic
      int big = 0;
      for (int i = 1; i < n; i++) {
        if (Math.abs(v.data[i]) > Math.abs(v.data[big])) {
          big = i;
        }
      }
      double s = v.data[big] < 0 ? -1 : 1;
      for (int i = 0; i < n; i++) {
        vectors[i * n + c] = s * v.data[i];
      }
    }
    return new double[][] {values, vectors};
  }

  /** The eigenvalues of each symmetric A ({@code torch.linalg.eigvalsh}), ascending, shape [..., n]. */
  public static Tensor eigvalsh(Tensor a) {
    int n = square("linalg.eigh", a);
    double[] x = d(a);
    double[] out = new double[batches(a) * n];
    forEachBatch(batches(a), b -> {
      System.arraycopy(eigh(block(x, b, n * n), n)[0], 0, out, b * n, n);
    });
    return out(out, Arrays.copyOf(a.shape(), a.dim() - 1), a);
  }

  /** PyTorch's eigh backward with only the eigenvalues' gradient: {@code gA = V diag(gL) Vᴴ}. */
  public static Grads eigvalshVjp(Tensor g, Tensor out, Tensor a) {
    int n = a.size(-1);
    double[] x = d(a);
    double[] gs = d(g);
    double[] ga = new double[x.length];
    forEachBatch(batches(a), b -> {
      double[] v = eigh(block(x, b, n * n), n)[1];
      double[] vd = v.clone();
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          vd[i * n + j] *= gs[b * n + j];
        }
      }
      System.arraycopy(Dense.mul(vd, false, v, true, n, n, n), 0, ga, b * n * n, n * n);
    });
    return Grads.of(out(ga, a.shape(), a));
  }

  /** The thin SVD of one m×n matrix: {U (m×k), S (k, descending), Vh (k×n)}, k = min(m, n). */
  static double[][] svd(double[] a, int m, int n) {
    int k = Math.min(m, n);
    SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(m, n, true, true, true);
    if (!svd.decompose(Dense.ejml(a, 0, m, n))) {
      throw new ArithmeticException("linalg.svd: the algorithm failed to converge");
    }
    DMatrixRMaj u = svd.getU(null, false);
    DMatrixRMaj vt = svd.getV(null, true);
    double[] s = svd.getSingularValues();
    Integer[] order = new Integer[k];
    for (int i = 0; i < k; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (p, q) -> Double.compare(s[q], s[p]));
    double[] us = new double[m * k];
    double[] ss = new double[k];
    double[] vh = new double[k * n];
    for (int c = 0; c < k; c++) {
      int o = order[c];
      ss[c] = s[o];
      for (int i = 0; i < m; i++) {
        us[i * k + c] = u.get(i, o);
      }
      for (int j = 0; j < n; j++) {
        vh[c * n + j] = vt.get(o, j);
      }
    }
    return new double[][] {us, ss, vh};
  }

  /** The singular values of each A ({@code torch.linalg.svdvals}), descending, shape [..., min(m, n)]. */
  public static Tensor svdvals(Tensor a) {
    int m = a.size(-2);
    int n = a.size(-1);
    int k = Math.min(m, n);
    double[] x = d(a);
    double[] out = new double[batches(a) * k];
    forEachBatch(batches(a), b -> {
      System.arraycopy(svd(block(x, b, m * n), m, n)[1], 0, out, b * k, k);
    });
    int[] s = Arrays.copyOf(a.shape(), a.dim() - 1);
    s[s.length - 1] = k;
    return out(out, s, a);
  }

  /** PyTorch's svd backward with only the singular values' gradient: {@code gA = U diag(gS) Vh}. */
  public static Grads svdvalsVjp(Tensor g, Tensor out, Tensor a) {
    int m = a.size(-2);
    int n = a.size(-1);
    int k = Math.min(m, n);
    double[] x = d(a);
    double[] gs = d(g);
    double[] ga = new double[x.length];
    forEachBatch(batches(a), b -> {
      double[][] usv = svd(block(x, b, m * n), m, n);
      double[] ud = usv[0].clone();
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < k; j++) {
          ud[i * k + j] *= gs[b * k + j];
        }
      }
      System.arraycopy(Dense.mul(ud, false, usv[2], false, m, k, n), 0, ga, b * m * n, m * n);
    });
    return Grads.of(out(ga, a.shape(), a));
  }

  /**
   * PyTorch 1.13's {@code svd_backward} for one real m×n matrix with thin SVD {@code U (m×k), S (k), Vh (k×n)} and
   * the gradients reaching them (null: none): with {@code E_ij = S_j² − S_i²},
   * {@code X = (skew(UᵀgU)·diag(S) + diag(S)·skew(Vh gVhᵀ)) / E + diag(gS)} (off the diagonal;
   * skew(M) = M − Mᵀ), {@code gA = U X Vh}, plus {@code (I − UUᵀ) gU S⁻¹ Vh} when m &gt; n and
   * {@code U S⁻¹ gVh (I − VhᵀVh)} when m &lt; n.
   * With no gradient on U and Vh it is {@code U diag(gS) Vh}. A term that divides a non-zero numerator by
   * {@code S_i = S_j} (or by {@code S_j = 0}) is not defined: PyTorch returns inf/NaN there; this throws naming the
   * values (the real counterpart of PyTorch's complex gauge check).
   */
  static double[] svdBackward(double[] u, double[] s, double[] vh, double[] gu, double[] gs, double[] gvh, int m, int n,
      String where) {
    int k = Math.min(m, n);
    double[] x = new double[k * k];
    if (gu != null || gvh != null) {
      double[] uhgu = gu == null ? new double[k * k] : skew(Dense.mul(u, true, gu, false, k, m, k), k);
      double[] vhgv = gvh == null ? new double[k * k] : skew(Dense.mul(vh, false, gvh, true, k, n, k), k);
      for (int i = 0; i < k; i++) {
        for (int j = 0; j < k; j++) {
          double num = uhgu[i * k + j] * s[j] + s[i] * vhgv[i * k + j];
          if (i == j || num == 0) {
            continue;
          }
          double e = s[j] * s[j] - s[i] * s[i];
          if (e == 0) {
            throw new ArithmeticException("linalg.svd backward: " + where + "singular values " + i + " and " + j
                + " are equal (" + s[i] + "), so the gradient through U and Vh is not defined (the singular "
                + "vectors of a repeated singular value can be any basis of its subspace; PyTorch returns inf/NaN "
                + "here)");
          }
          x[i * k + j] = num / e;
        }
      }
    }
    if (gs != null) {
      for (int i = 0; i < k; i++) {
        x[i * k + i] += gs[i];
      }
    }
    if (m > n && gu != null) {
      // gA = [U X + (I − U Uᵀ) gU S⁻¹] Vh
      double[] gusinv = new double[m * k];
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < k; j++) {
          gusinv[i * k + j] = gu[i * k + j] / nonZero(s[j], j, "U", where);
        }
      }
      double[] proj = Dense.mul(u, false, Dense.mul(u, true, gusinv, false, k, m, k), false, m, k, k);
      double[] left = Dense.mul(u, false, x, false, m, k, k);
      for (int i = 0; i < left.length; i++) {
        left[i] += gusinv[i] - proj[i];
      }
      return Dense.mul(left, false, vh, false, m, k, n);
    }
    if (m < n && gvh != null) {
      // gA = U [X Vh + S⁻¹ gVh (I − Vhᵀ Vh)]
      double[] sinvgvh = new double[k * n];
      for (int i = 0; i < k; i++) {
        for (int j = 0; j < n; j++) {
          sinvgvh[i * n + j] = gvh[i * n + j] / nonZero(s[i], i, "Vh", where);
        }
      }
      double[] proj = Dense.mul(Dense.mul(sinvgvh, false, vh, true, k, n, k), false, vh, false, k, k, n);
      double[] right = Dense.mul(x, false, vh, false, k, k, n);
      for (int i = 0; i < right.length; i++) {
        right[i] += sinvgvh[i] - proj[i];
      }
      return Dense.mul(u, false, right, false, m, k, n);
    }
    return Dense.mul(Dense.mul(u, false, x, false, m, k, k), false, vh, false, m, k, n);
  }

  private static double nonZero(double sj, int j, String what, String where) {
    if (sj == 0) {
      throw new ArithmeticException("linalg.svd backward: " + where + "singular value " + j + " is 0, so the gradient "
          + "through " + what + " of a rank-deficient rectangular matrix is not defined (PyTorch returns inf/NaN "
          + "here)");
    }
    return sj;
  }

  /** {@code M − Mᵀ} of a k×k matrix. */
  private static double[] skew(double[] mm, int k) {
    double[] r = new double[k * k];
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < k; j++) {
        r[i * k + j] = mm[i * k + j] - mm[j * k + i];
      }
    }
    return r;
  }

  /**
   * The reduced QR of one m×n matrix, m ≥ n: {Q (m×n), R (n×n)}, with LAPACK's Householder signs
   * ({@code R[i][i]} has the opposite sign of the pivot column's leading entry when it is reduced).
   */
  static double[][] qr(double[] a, int m, int n) {
    QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(m, n);
    if (!qr.decompose(Dense.ejml(a, 0, m, n))) {
      throw new ArithmeticException("linalg.qr: the decomposition failed");
    }
    double[] q = qr.getQ(null, true).data;
    double[] r = qr.getR(null, true).data;
    if (m == n) {
      // the last column of a square matrix has nothing below its diagonal: LAPACK's dlarfg leaves it unreflected
      // (H = I, R[n-1][n-1] keeps its sign), EJML reflects it; flip that column of Q and row of R to match
      for (int i = 0; i < m; i++) {
        q[i * n + n - 1] = -q[i * n + n - 1];
      }
      for (int j = 0; j < n; j++) {
        r[(n - 1) * n + j] = -r[(n - 1) * n + j];
      }
    }
    return new double[][] {q, r};
  }
}
