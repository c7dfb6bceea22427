package dev.adjoint.rules;

import dev.adjoint.shape.Shapes;
import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;
import dev.adjoint.kernel.Kernels;
import java.util.Arrays;

/**
 * Matrix products with PyTorch's {@code matmul} semantics and their adjoints. A 1-D left operand is a
 * row vector and a 1-D right operand a column vector (the added dimension is removed from the result);
 * leading dimensions are batch dimensions and broadcast.
 */
public final class LinalgRules {
  private LinalgRules() {}

  /** The operands seen as batches of matrices: shapes (batch..., m, k) and (batch..., k, n). */
  record Plan(int[] aBatch, int[] bBatch, int[] batch, int m, int k, int n, int[] outShape) {
    static Plan of(int[] as, int[] bs) {
      if (as.length == 0 || bs.length == 0) {
        throw new IllegalArgumentException("matmul: both arguments need at least 1 dimension, got shapes "
            + Shapes.str(as) + " and " + Shapes.str(bs));
      }
      int[] a = as.length == 1 ? new int[] {1, as[0]} : as;
      int[] b = bs.length == 1 ? new int[] {bs[0], 1} : bs;
      int m = a[a.length - 2];
      int k = a[a.length - 1];
      int k2 = b[b.length - 2];
      int n = b[b.length - 1];
      if (k != k2) {
        throw new IllegalArgumentException("matmul: shapes " + Shapes.str(as) + " and " + Shapes.str(bs)
            + " cannot be multiplied (" + m + "x" + k + " and " + k2 + "x" + n + ")");
      }
      int[] aBatch = Arrays.copyOf(a, a.length - 2);
      int[] bBatch = Arrays.copyOf(b, b.length - 2);
      int[] batch = Shapes.broadcast("matmul", aBatch, bBatch);
      int[] out = Arrays.copyOf(batch, batch.length + 2);
      out[batch.length] = m;
      out[batch.length + 1] = n;
      if (as.length == 1 && bs.length == 1) {
        out = new int[0];
      } else if (as.length == 1) {
        out = dropAt(out, batch.length);
      } else if (bs.length == 1) {
        out = dropAt(out, batch.length + 1);
      }
      return new Plan(aBatch, bBatch, batch, m, k, n, out);
    }

    private static int[] dropAt(int[] s, int i) {
      int[] r = new int[s.length - 1];
      for (int j = 0, q = 0; j < s.length; j++) {
        if (j != i) {
          r[q++] = s[j];
        }
      }
      return r;
    }

    int batches() {
      return Shapes.numel(batch);
    }

    /** Matrix offsets (in matrices) of a and b for output batch {@code i}. */
    int[] offsets(int i) {
      int[] sa = Shapes.broadcastStrides(aBatch, batch);
      int[] sb = Shapes.broadcastStrides(bBatch, batch);
      int oa = 0;
      int ob = 0;
      int rem = i;
      for (int d = batch.length - 1; d >= 0; d--) {
        int idx = rem % batch[d];
        rem /= batch[d];
        oa += idx * sa[d];
        ob += idx * sb[d];
      }
      return new int[] {oa, ob};
    }
  }

  /** Whether an operand's batch dimensions are the whole batch or a single matrix. */
  private static boolean regular(int[] operandBatch, int batches) {
    int n = Shapes.numel(operandBatch);
    return n == batches || n == 1;
  }

  /** {@code a @ b}. */
  public static Tensor matmul(Tensor a, Tensor b) {
    if (F64Rules.any(a, b)) {
      return F64Rules.matmul(a, b);
    }
    Plan p = Plan.of(a.shape(), b.shape());
    float[] out = new float[Shapes.numel(p.outShape())];
    Kernels kern = Kernels.get();
    int mk = p.m() * p.k();
    int kn = p.k() * p.n();
    int mn = p.m() * p.n();
    if (p.batch().length == 0) {
      // out is fresh (zeros): accumulating into it skips the kernel's zero fill, with the same bits (the
      // kernels fill C with zeros and then add to it when not accumulating)
      kern.gemm(false, false, p.m(), p.n(), p.k(), a.storage(), 0, b.storage(), 0, out, 0, true);
    } else if (regular(p.aBatch(), p.batches()) && regular(p.bBatch(), p.batches())) {
      // each operand spans the batch or is one matrix broadcast over it (stride 0): one batched call
      int aStride = Shapes.numel(p.aBatch()) == 1 ? 0 : mk;
      int bStride = Shapes.numel(p.bBatch()) == 1 ? 0 : kn;
      kern.gemmBatched(false, false, p.batches(), p.m(), p.n(), p.k(),
          a.storage(), 0, aStride, b.storage(), 0, bStride, out, 0, mn, false);
    } else {
      for (int i = 0; i < p.batches(); i++) {
        int[] o = p.offsets(i);
        kern.gemm(false, false, p.m(), p.n(), p.k(), a.storage(), o[0] * mk, b.storage(), o[1] * kn,
            out, i * mn, false);
      }
    }
    return Tensor.wrap(out, p.outShape());
  }

  /**
   * {@code op(A)·op(B)} for float32 matrices read where they lie: {@code A} is {@code m×k} at {@code a[aOff..]}, row
   * major, or its transpose stored {@code k×m} when {@code transA}; likewise {@code B} ({@code k×n}). For
   * {@code Tensor.matmul} on transposed views ({@code w.t()}, as the recorded backward of a product writes
   * them), which would otherwise be copied out first: the kernels read the transposed layout directly and give
   * the same bits as {@link #matmul} on the copies.
   */
  public static Tensor matmulStrided(float[] a, int aOff, boolean transA, float[] b, int bOff, boolean transB, int m,
      int k, int n) {
    float[] out = new float[m * n];
    Kernels.get().gemm(transA, transB, m, n, k, a, aOff, b, bOff, out, 0, true);
    return Tensor.wrap(out, m, n);
  }

  /** PyTorch's node name for {@code a @ b}, which depends on the operands' dimensions. */
  public static String matmulNode(Tensor a, Tensor b) {
    return a.dim() == 1 && b.dim() == 1 ? "DotBackward0"
        : a.dim() == 2 && b.dim() == 2 ? "MmBackward0"
        : a.dim() <= 2 && b.dim() <= 2 ? "MvBackward0" : "BmmBackward0";
  }

  /** ∂a = g·bᵀ, ∂b = aᵀ·g, summed over broadcast batch dimensions. */
  public static Grads matmulVjp(Tensor g, Tensor out, Tensor a, Tensor b) {
    if (F64Rules.any(g, a, b)) {
      return F64Rules.matmulVjp(g, a, b);
    }
    Plan p = Plan.of(a.shape(), b.shape());
    float[] ga = new float[a.numel()];
    float[] gb = new float[b.numel()];
    float[] gs = g.storage();
    Kernels kern = Kernels.get();
    int mk = p.m() * p.k();
    int kn = p.k() * p.n();
    int mn = p.m() * p.n();
    int batches = p.batches();
    for (int i = 0; i < batches; i++) {
      int[] o = p.offsets(i);
      // g is m×n; b is k×n: ga (m×k) += g · bᵀ
      kern.gemm(false, true, p.m(), p.k(), p.n(), gs, i * mn, b.storage(), o[1] * kn, ga, o[0] * mk, true);
      // a is m×k: gb (k×n) += aᵀ · g
      kern.gemm(true, false, p.k(), p.n(), p.m(), a.storage(), o[0] * mk, gs, i * mn, gb, o[1] * kn, true);
    }
    return Grads.of(Tensor.wrapLike(ga, a), Tensor.wrapLike(gb, b));
  }

  // ---- forward mode (issue 16)

  /**
   * {@code ṫ = ȧ·b + a·ḃ}. A tangent that is all zeros (as {@code fJvp} makes for an input given no tangent)
   * costs no product: the scan stops at the first nonzero element, so a real tangent pays almost nothing for
   * it. Skipping differs from multiplying the zeros only where that product is not zero: {@code 0·∞} and
   * {@code 0·NaN} in the other operand (the directional derivative along zero is zero) and signed zeros.
   */
  public static Tensor matmulJvp(Tensor ta, Tensor tb, Tensor out, Tensor a, Tensor b) {
    if (ta != null && tb != null && a.dim() == 2 && b.dim() == 2 && ta.sameShape(a) && tb.sameShape(b)
        && !F64Rules.any(ta, tb, a, b)) {
      // both tangents of a matrix product: ȧ·b, then a·ḃ accumulated into the same result (no third pass)
      int m = a.shape()[0];
      int k = a.shape()[1];
      int n = b.shape()[1];
      float[] tas = ta.storage();
      float[] tbs = tb.storage();
      float[] t = new float[m * n];
      Kernels kern = Kernels.get();
      // t is fresh (zeros): accumulate, as matmul does, to skip the zero fill
      if (!allZero(tas)) {
        kern.gemm(false, false, m, n, k, tas, 0, b.storage(), 0, t, 0, true);
      }
      if (!allZero(tbs)) {
        kern.gemm(false, false, m, n, k, a.storage(), 0, tbs, 0, t, 0, true);
      }
      return Tensor.wrap(t, m, n);
    }
    return Jvps.plus(out, ta == null ? null : matmul(ta, b), tb == null ? null : matmul(a, tb));
  }

  /**
   * {@code a @ b} and its tangent {@code ȧ·b + a·ḃ} together (forward mode, fused; see {@link Jvps.Dual}): for
   * dense float32 matrices the three products go through {@link Kernels#gemmJvp} (or, with one tangent,
   * {@link Kernels#gemmShared} for the two that share {@code a}), which may read each operand once for all. The values are
   * {@code a.matmul(b)}'s and {@link #matmulJvp}'s to the last bit (every element of the tangent sums
   * {@code ȧ·b} first, as there); an all-zero tangent costs no product, as there.
   */
  public static Jvps.Dual matmulDual(Tensor a, Tensor b, Tensor ta, Tensor tb) {
    if (a.dim() == 2 && b.dim() == 2 && a.shape()[1] == b.shape()[0] && a.isContiguous() && b.isContiguous()
        && (ta == null || ta.sameShape(a)) && (tb == null || tb.sameShape(b)) && !F64Rules.any(a, b, ta, tb)) {
      int m = a.shape()[0];
      int k = a.shape()[1];
      int n = b.shape()[1];
      float[] as = a.storage();
      float[] bs = b.storage();
      float[] out = new float[m * n];
      if (ta == null && tb == null) {
        Kernels.get().gemm(false, false, m, n, k, as, 0, bs, 0, out, 0, true);
        return new Jvps.Dual(Tensor.wrap(out, m, n), null);
      }
      float[] t = new float[m * n];
      Kernels kern = Kernels.get();
      // out and t are fresh (zeros): accumulate, as matmul and matmulJvp do, to skip the zero fill
      boolean byA = ta != null && !allZero(ta.storage());
      boolean byB = tb != null && !allZero(tb.storage());
      if (byA && byB) {
        kern.gemmJvp(m, n, k, as, ta.storage(), bs, tb.storage(), out, t);
        return new Jvps.Dual(Tensor.wrap(out, m, n), Tensor.wrap(t, m, n));
      }
      if (byA) {
        kern.gemm(false, false, m, n, k, ta.storage(), 0, bs, 0, t, 0, true);
      }
      if (byB) {
        kern.gemmShared(m, n, k, as, bs, tb.storage(), out, t);
      } else {
        kern.gemm(false, false, m, n, k, as, 0, bs, 0, out, 0, true);
      }
      return new Jvps.Dual(Tensor.wrap(out, m, n), Tensor.wrap(t, m, n));
    }
    Tensor out = a.matmul(b);
    return new Jvps.Dual(out, ta == null && tb == null ? null : matmulJvp(ta, tb, out, a, b));
  }

  /** Whether every element is zero (either sign); stops at the first that is not. */
  private static boolean allZero(float[] x) {
    for (float v : x) {
      if (v != 0f) {
        return false;
      }
    }
    return true;
  }

  /** ∂(g·bᵀ) = g·ḃᵀ, ∂(aᵀ·g) = ȧᵀ·g: the adjoint itself on the tangents (bilinear). */
  public static Grads matmulVjpJvp(Tensor g, Tensor out, Tensor a, Tensor b, Tensor tOut, Tensor ta, Tensor tb) {
    if (ta == null && tb == null) {
      return null;
    }
    Grads both = matmulVjp(g, out, ta == null ? Tensor.zerosLike(a) : ta, tb == null ? Tensor.zerosLike(b) : tb);
    return Grads.of(tb == null ? null : both.get(0), ta == null ? null : both.get(1));
  }
}
