package dev.adjoint.linalg;

import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;
import dev.adjoint.rules.ReductionRules;

/**
 * The rows of the linear-algebra functions that compute through other decompositions ({@link Linalg#lstsq},
 * {@link Linalg#pinv}, {@link Linalg#vectorNorm(Tensor, double)}, {@link Linalg#matrixNorm}): their forward is
 * the composition (QR and a triangular solve; the singular values), their adjoint and JVP are PyTorch's closed
 * forms ({@code linalg_lstsq_backward}, {@code pinv_backward}, {@code linalg_vector_norm_backward}, the norms'
 * {@code svd_backward}), so that generated code calls them as it calls {@link Linalg#solve}. The adjoints and JVPs
 * are written with recorded operations (matmul, transposes, {@link Linalg#solve}, {@link Linalg#svd}): the same
 * formulas serve {@code createGraph}, and the gradient they return is differentiable again.
 */
public final class CompositeRules {
  private CompositeRules() {}

  // ---------------------------------------------------------------------------------------------
  // lstsq: X = A⁺B for a full-column-rank A (m ≥ n); dX = (AᵀA)⁻¹ (dAᵀ R + Aᵀ (dB − dA X)), R = B − A X

  /** ∂A = R Zᵀ − A Z Xᵀ and ∂B = A Z, with {@code Z = (AᵀA)⁻¹ G} and the residual {@code R = B − A X}. */
  public static Grads lstsqVjp(Tensor g, Tensor out, Tensor a, Tensor b) {
    g = g.to(out.dtype());
    Tensor z = Linalg.solve(mT(a).matmul(a), g);
    Tensor az = a.matmul(z);
    Tensor r = b.sub(a.matmul(out));
    Tensor ga = r.matmul(mT(z)).sub(az.matmul(mT(out)));
    return Grads.of(sumTo(ga, a), sumTo(az, b));
  }

  /** {@code Ẋ = (AᵀA)⁻¹ (Ȧᵀ R + Aᵀ (Ḃ − Ȧ X))}; a {@code null} tangent is zero. */
  public static Tensor lstsqJvp(Tensor ta, Tensor tb, Tensor out, Tensor a, Tensor b) {
    if (ta == null && tb == null) {
      return null;
    }
    Tensor at = mT(a);
    Tensor rhs = null;
    if (ta != null) {
      ta = ta.to(a.dtype());
      Tensor r = b.sub(a.matmul(out));
      rhs = mT(ta).matmul(r).sub(at.matmul(ta.matmul(out)));
    }
    if (tb != null) {
      Tensor t = at.matmul(tb.to(a.dtype()));
      rhs = rhs == null ? t : rhs.add(t);
    }
    return Linalg.solve(at.matmul(a), rhs);
  }

  // ---------------------------------------------------------------------------------------------
  // pinv of a full-rank A: dP = −P dA P + P Pᵀ dAᵀ (I − A P) + (I − P A) dAᵀ Pᵀ P (the middle term vanishes
  // when m < n, A P = I; the last when m ≥ n, P A = I)

  /**
   * PyTorch's {@code pinv_backward}: {@code ∂A = −Pᵀ G Pᵀ + (I − A P) Gᵀ P Pᵀ + Pᵀ P Gᵀ (I − P A)}, the term that
   * vanishes for a full-rank A left out.
   */
  public static Grads pinvVjp(Tensor g, Tensor out, Tensor a) {
    g = g.to(out.dtype());
    Tensor pt = mT(out);
    Tensor gt = mT(g);
    Tensor ga = pt.matmul(g).matmul(pt).neg();
    if (a.size(-2) >= a.size(-1)) {
      Tensor m = gt.matmul(out).matmul(pt);
      ga = ga.add(m.sub(a.matmul(out.matmul(m))));
    } else {
      Tensor n = pt.matmul(out).matmul(gt);
      ga = ga.add(n.sub(n.matmul(out).matmul(a)));
    }
    return Grads.of(ga);
  }

  /** {@code Ṗ = −P Ȧ P + P Pᵀ Ȧᵀ (I − A P) + (I − P A) Ȧᵀ Pᵀ P}, the vanishing term left out. */
  public static Tensor pinvJvp(Tensor ta, Tensor out, Tensor a) {
    if (ta == null) {
      return null;
    }
    ta = ta.to(a.dtype());
    Tensor tat = mT(ta);
    Tensor dp = out.matmul(ta).matmul(out).neg();
    if (a.size(-2) >= a.size(-1)) {
      Tensor m = out.matmul(mT(out)).matmul(tat);
      return dp.add(m.sub(m.matmul(a).matmul(out)));
    }
    Tensor n = tat.matmul(mT(out)).matmul(out);
    return dp.add(n.sub(out.matmul(a).matmul(n)));
  }

  // ---------------------------------------------------------------------------------------------
  // vectorNorm over all elements: the norm(p) row's adjoint, without a gradient for the order

  /** ∂x of {@code ‖x‖_ord} ({@link ReductionRules#normVjp(Tensor, Tensor, Tensor, double)}); none for ord. */
  public static Grads vectorNormVjp(Tensor g, Tensor out, Tensor x, double ord) {
    return Grads.of(ReductionRules.normVjp(g, out, x, ord).get(0), null);
  }

  /**
   * {@code ⟨∂‖x‖/∂x, ẋ⟩}; the order's tangent counts for nothing ({@code torch.linalg.vector_norm} does not
   * differentiate it, and the adjoint gives it no gradient).
   */
  public static Tensor vectorNormJvp(Tensor tx, double tord, Tensor out, Tensor x, double ord) {
    if (tx == null) {
      return tord == 0 ? null : Tensor.zerosLike(out);
    }
    Tensor slope = ReductionRules.normVjp(Tensor.onesLike(out), out, x, ord).get(0);
    return slope.mul(tx.to(x.dtype())).sum();
  }

  /**
   * ∂x of {@code ‖x‖_ord} over {@code dims} (all when empty), PyTorch's {@code linalg_vector_norm_backward}:
   * {@code g · sign(x)|x|^(ord−1) / ‖x‖^(ord−1)} (x/‖x‖ for 2, sign(x) for 1, shared evenly among the largest |x|
   * for ∞), 0 where the norm is 0; none for the other inputs.
   */
  public static Grads vectorNormDimsVjp(Tensor g, Tensor out, Tensor x, double ord, int[] dims, boolean keepDim) {
    int[] ds = reduced(dims, x.dim());
    Tensor gk = g.to(out.dtype());
    if (!keepDim) {
      for (int d : ds) {
        gk = gk.unsqueeze(d);
      }
    }
    return Grads.of(normSlope(out, x, ord, ds, keepDim).mul(gk), null, null, null);
  }

  /** {@code Σ_dims ∂‖x‖/∂x ⊙ ẋ}; the order's tangent counts for nothing, as in {@link #vectorNormJvp}. */
  public static Tensor vectorNormDimsJvp(Tensor tx, double tord, Tensor out, Tensor x, double ord, int[] dims,
      boolean keepDim) {
    if (tx == null) {
      return tord == 0 ? null : Tensor.zerosLike(out);
    }
    int[] ds = reduced(dims, x.dim());
    return normSlope(out, x, ord, ds, keepDim).mul(tx.to(x.dtype())).sum(ds, keepDim);
  }

  /** The dimensions a vector norm reduces, ascending and non-negative (all for none). */
  private static int[] reduced(int[] dims, int rank) {
    if (dims.length == 0) {
      return java.util.stream.IntStream.range(0, rank).toArray();
    }
    return java.util.Arrays.stream(dims).map(d -> d < 0 ? d + rank : d).sorted().distinct().toArray();
  }

  /** ∂‖x‖_ord/∂x over dimensions {@code ds}, with {@code out} the norm (its dimensions kept or not). */
  private static Tensor normSlope(Tensor out, Tensor x, double ord, int[] ds, boolean keepDim) {
    Tensor ok = out;
    if (!keepDim) {
      for (int d : ds) {
        ok = ok.unsqueeze(d);
      }
    }
    if (ord == Double.POSITIVE_INFINITY) {
      Tensor largest = x.abs().eq(ok);
      Tensor count = Tensor.where(largest, Tensor.onesLike(x), 0.0).sum(ds, true);
      return Tensor.where(largest, x.sign(), 0.0).div(count);
    }
    if (ord == 1) {
      return x.sign();
    }
    Tensor positive = ok.gt(0);
    Tensor safe = Tensor.where(positive, ok, 1.0);
    Tensor slope = ord == 2 ? x.div(safe) : x.sign().mul(x.abs().pow(ord - 1)).div(safe.pow(ord - 1));
    return Tensor.where(positive.expand(x.shape()), slope, 0.0);
  }

  // ---------------------------------------------------------------------------------------------
  // matrixNorm: ∂‖A‖ = W with W = A/‖A‖ (fro, 0 at a zero norm), U Vh (nuc), u₁v₁ᵀ (2), u_k v_kᵀ (−2)

  /** PyTorch's node for {@code matrixNorm(a, ord)}: the last operation of its composition. */
  public static String matrixNormNode(Tensor a, String ord) {
    return switch (ord) {
      case "nuc" -> "SumBackward1";
      case "2" -> "AmaxBackward0";
      case "-2" -> "AminBackward0";
      default -> "LinalgVectorNormBackward0";
    };
  }

  /** {@code ∂A = g · W}, W the norm's gradient at A per matrix ({@link #slope}). */
  public static Grads matrixNormVjp(Tensor g, Tensor out, Tensor a, String ord) {
    return Grads.of(slope(out, a, ord).mul(g.to(out.dtype()).unsqueeze(-1).unsqueeze(-1)), null);
  }

  /** {@code Σ W ⊙ Ȧ} over each matrix. */
  public static Tensor matrixNormJvp(Tensor ta, Tensor out, Tensor a, String ord) {
    return ta == null ? null : slope(out, a, ord).mul(ta.to(a.dtype())).sum(new int[] {-2, -1}, false);
  }

  /**
   * The gradient of each matrix's norm with respect to it: {@code A/‖A‖} for {@code "fro"} (0 where the norm is 0,
   * as PyTorch's masked norm backward), {@code U Vh} for {@code "nuc"}, {@code u₁ v₁ᵀ} for {@code "2"} and
   * {@code u_k v_kᵀ} (the smallest singular value's vectors) for {@code "-2"}.
   */
  private static Tensor slope(Tensor out, Tensor a, String ord) {
    if (ord.equals("fro")) {
      Tensor positive = out.gt(0);
      Tensor scale = Tensor.where(positive, Tensor.where(positive, out, 1.0).reciprocal(), 0.0);
      return a.mul(scale.unsqueeze(-1).unsqueeze(-1));
    }
    Linalg.Svd f = Linalg.svd(a);
    if (ord.equals("nuc")) {
      return f.u().matmul(f.vh());
    }
    int i = ord.equals("2") ? 0 : f.s().size(-1) - 1;
    return f.u().select(-1, i).unsqueeze(-1).matmul(f.vh().select(-2, i).unsqueeze(-2));
  }

  private static Tensor mT(Tensor x) {
    return x.transpose(-2, -1);
  }

  /** {@code g} summed over the leading dimensions it has beyond {@code like}'s (broadcast batch dimensions). */
  private static Tensor sumTo(Tensor g, Tensor like) {
    if (java.util.Arrays.equals(g.shape(), like.shape())) {
      return g;
    }
    int lead = g.dim() - like.dim();
    for (int i = 0; i < lead; i++) {
      g = g.sum(0);
    }
    for (int d = 0; d < like.dim(); d++) {
      if (like.size(d) == 1 && g.size(d) != 1) {
        g = g.sum(new int[] {d}, true);
      }
    }
    return g;
  }
}
