package dev.adjoint.linalg;

import dev.adjoint.Tensor;
import dev.adjoint.autograd.DoubleBackward;
import dev.adjoint.autograd.Grads;
import java.util.Arrays;
import java.util.List;

/**
 * The linear-algebra backwards written with recorded operations, for {@code createGraph} (see
 * {@link DoubleBackward}): PyTorch's formulas from {@code FunctionsManual.cpp} ({@code cholesky_backward},
 * {@code linalg_solve_triangular_backward}, {@code cholesky_solve_backward}, {@code slogdet_backward},
 * {@code linalg_eig_backward}, {@code svd_backward}, {@code linalg_qr_backward}) composed of matmul, transposes,
 * constant triangular masks and the recorded triangular solves, so that the gradient they return is differentiable
 * again (to any order: each solve's own formula is written the same way). Without {@code createGraph} the kernels
 * of {@link DecompositionRules} and {@link Linalg}'s functions run instead; these formulas give the same values.
 * The symmetric decompositions read one triangle and return a symmetric gradient, as PyTorch's (the gradient of
 * the function of a symmetric matrix, not of the triangle's entries).
 */
final class RecordedBackwards {
  private RecordedBackwards() {}

  /** Registers the rows' formulas; called from {@link Linalg}'s static initialiser. */
  static void register() {
    DoubleBackward.register(Linalg.class, "cholesky(Tensor)", (g, out, a) -> Grads.of(cholesky(g, out)));
    DoubleBackward.register(Linalg.class, "solveTriangular(Tensor,Tensor,boolean)",
        (g, out, a) -> solveTriangular(g, out, (Tensor) a[0], (Boolean) a[2]));
    DoubleBackward.register(Linalg.class, "choleskySolve(Tensor,Tensor)", (g, out, a) -> {
      // cholesky_solve_backward: gB = cholesky_solve(gX, L), C = gB Xᴴ + X gBᴴ, gL = -C L
      Tensor l = (Tensor) a[1];
      Tensor gb = Linalg.choleskySolve(g, l);
      Tensor c = gb.matmul(mT(out));
      return Grads.of(gb, c.add(mT(c)).matmul(l).neg());
    });
    // slogdet_backward: gA = g·A^{-H}
    DoubleBackward.register(Linalg.class, "logabsdet(Tensor)", (g, out, a) ->
        Grads.of(mT(Linalg.inv((Tensor) a[0])).mul(g.unsqueeze(-1).unsqueeze(-1))));
    // eigvalsh and svdvals: the eigenvectors and singular vectors, recomputed through eigh and svd so that they
    // carry the decomposition's node (their own backward is recorded below)
    DoubleBackward.register(Linalg.class, "eigvalsh(Tensor)", (g, out, a) -> {
      Tensor v = Linalg.eigh((Tensor) a[0]).eigenvectors();
      return Grads.of(v.mul(g.unsqueeze(-2)).matmul(mT(v)));
    });
    // the composites' rows: their adjoints are written with recorded operations already
    DoubleBackward.register(Linalg.class, "lstsq(Tensor,Tensor)",
        (g, out, a) -> CompositeRules.lstsqVjp(g, out, (Tensor) a[0], (Tensor) a[1]));
    DoubleBackward.register(Linalg.class, "pinv(Tensor)", (g, out, a) -> CompositeRules.pinvVjp(g, out, (Tensor) a[0]));
    DoubleBackward.register(Linalg.class, "matrixNorm(Tensor,String)",
        (g, out, a) -> CompositeRules.matrixNormVjp(g, out, (Tensor) a[0], (String) a[1]));
    DoubleBackward.register(Linalg.class, "vectorNorm(Tensor,double,int[],boolean)", (g, out, a) ->
        CompositeRules.vectorNormDimsVjp(g, out, (Tensor) a[0], (Double) a[1], (int[]) a[2], (Boolean) a[3]));
    DoubleBackward.register(Linalg.class, "vectorNorm(Tensor,double)", (g, out, a) -> {
      Grads norm = DoubleBackward.of("Tensor.norm(double)").apply(g, out, a);
      return norm == null ? null : Grads.of(norm.get(0), null);
    });
    DoubleBackward.register(Linalg.class, "svdvals(Tensor)", (g, out, a) -> {
      Linalg.Svd f = Linalg.svd((Tensor) a[0]);
      return Grads.of(svdValuesOnly(f.u(), g, f.vh()));
    });
  }

  private static Tensor mT(Tensor x) {
    return x.transpose(-2, -1);
  }

  /**
   * A constant n×n matrix of {@code like}'s floating dtype: 1 where {@code j - i <= k} when {@code lower}
   * ({@code tril(ones, k)}), where {@code j - i >= k} otherwise ({@code triu(ones, k)}).
   */
  private static Tensor mask(int n, boolean lower, int k, Tensor like) {
    double[] m = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        m[i * n + j] = (lower ? j - i <= k : j - i >= k) ? 1 : 0;
      }
    }
    return DecompositionRules.out(m, new int[] {n, n}, like);
  }

  private static Tensor eye(int n, Tensor like) {
    double[] m = new double[n * n];
    for (int i = 0; i < n; i++) {
      m[i * n + i] = 1;
    }
    return DecompositionRules.out(m, new int[] {n, n}, like);
  }

  /**
   * A gradient reaching an output of a decomposition, or {@code null} where PyTorch's would be undefined: none
   * reached it, or it is a constant zero (the zeros a Function's backward receives for an unused output).
   */
  static Tensor defined(Tensor g, Tensor like) {
    if (g == null || !g.requiresGrad() && Arrays.stream(g.toDoubleArray()).allMatch(x -> x == 0)) {
      return null;
    }
    return g.dtype() == like.dtype() ? g : g.to(like.dtype());
  }

  /** {@code X R^{-H}} for an upper-triangular R (its upper triangle read): {@code (R^{-1} Xᴴ)ᴴ}. */
  private static Tensor rightSolveUpperH(Tensor x, Tensor r) {
    return mT(Linalg.solveTriangular(r, mT(x), true));
  }

  /**
   * PyTorch's {@code cholesky_backward}: {@code gA = L^{-H} Φ L^{-1}}, {@code Φ = ½(P + tril(P, -1)ᴴ)},
   * {@code P = tril(Lᴴ gL)}.
   */
  static Tensor cholesky(Tensor g, Tensor l) {
    int n = l.size(-1);
    Tensor lh = mT(l);
    Tensor p = lh.matmul(g).mul(mask(n, true, 0, l));
    Tensor phi = p.add(mT(p.mul(mask(n, true, -1, l)))).mul(0.5);
    Tensor left = Linalg.solveTriangular(lh, phi, true); // L^{-H} Φ
    return mT(Linalg.solveTriangular(lh, mT(left), true)); // (L^{-H} Φ) L^{-1} = (L^{-H} (L^{-H} Φ)ᴴ)ᴴ
  }

  /**
   * PyTorch's {@code linalg_solve_triangular_backward} (left, not unit-triangular): {@code gB = A^{-H} gX},
   * {@code gA = -gB Xᴴ} restricted to A's triangle.
   */
  static Grads solveTriangular(Tensor g, Tensor x, Tensor a, boolean upper) {
    Tensor gb = Linalg.solveTriangular(mT(a), g, !upper);
    Tensor ga = gb.matmul(mT(x)).neg().mul(mask(a.size(-1), !upper, 0, a));
    return Grads.of(ga, gb, null);
  }

  /** {@code U diag(gS) Vh} (svd_backward with only the singular values' gradient). */
  static Tensor svdValuesOnly(Tensor u, Tensor gs, Tensor vh) {
    return u.size(-2) >= vh.size(-1) ? u.matmul(gs.unsqueeze(-1).mul(vh)) : u.mul(gs.unsqueeze(-2)).matmul(vh);
  }

  /**
   * PyTorch's {@code linalg_eig_backward} for a symmetric A with eigenvalues L and eigenvectors V:
   * {@code gA = V (diag(gL) + skew(Vᴴ gV) / E) Vᴴ}, {@code skew(M) = ½(M − Mᴴ)}, {@code E_ij = L_j − L_i}
   * ({@code E_ii = 1}, where the skew part is 0); {@code gL}, {@code gV} null when undefined.
   */
  static Tensor eigh(Tensor l, Tensor v, Tensor gl, Tensor gv) {
    if (gv == null) {
      return v.mul(gl.unsqueeze(-2)).matmul(mT(v));
    }
    int n = v.size(-1);
    Tensor eye = eye(n, v);
    Tensor vhgv = mT(v).matmul(gv);
    Tensor e = l.unsqueeze(-2).sub(l.unsqueeze(-1)).add(eye);
    Tensor inner = vhgv.sub(mT(vhgv)).mul(0.5).div(e);
    if (gl != null) {
      inner = inner.add(gl.unsqueeze(-1).mul(eye));
    }
    return v.matmul(inner).matmul(mT(v));
  }

  /**
   * PyTorch's {@code svd_backward} (see {@link DecompositionRules#svdBackward} for the formula and for what is not
   * defined, which throws the same way here), with recorded operations; {@code a} is the input (its shape and
   * batch), the gradients null when undefined.
   */
  static Tensor svd(Tensor a, Tensor u, Tensor s, Tensor vh, Tensor gu, Tensor gs, Tensor gvh) {
    int m = u.size(-2);
    int n = vh.size(-1);
    int k = s.size(-1);
    if (gu == null && gvh == null) {
      return svdValuesOnly(u, gs, vh);
    }
    Tensor sRow = s.unsqueeze(-2);
    Tensor sCol = s.unsqueeze(-1);
    Tensor num = null;
    if (gu != null) {
      Tensor uhgu = mT(u).matmul(gu);
      num = uhgu.sub(mT(uhgu)).mul(sRow);
    }
    if (gvh != null) {
      Tensor vhgv = vh.matmul(mT(gvh));
      Tensor t = sCol.mul(vhgv.sub(mT(vhgv)));
      num = num == null ? t : num.add(t);
    }
    Tensor s2 = s.mul(s);
    Tensor e = s2.unsqueeze(-2).sub(s2.unsqueeze(-1));
    Tensor x = num.div(e.add(ones(e, num, a)));
    if (gs != null) {
      x = x.add(gs.unsqueeze(-1).mul(eye(k, u)));
    }
    if (m > n && gu != null) {
      // gA = [U X + (I − U Uᴴ) gU S⁻¹] Vh
      nonZero(s, a, "U");
      Tensor gusinv = gu.div(sRow);
      return u.matmul(x).add(gusinv).sub(u.matmul(mT(u).matmul(gusinv))).matmul(vh);
    }
    if (m < n && gvh != null) {
      // gA = U [X Vh + S⁻¹ gVh (I − Vhᴴ Vh)]
      nonZero(s, a, "Vh");
      Tensor sinvgvh = gvh.div(sCol);
      return u.matmul(x.matmul(vh).add(sinvgvh).sub(sinvgvh.matmul(mT(vh)).matmul(vh)));
    }
    return u.matmul(x).matmul(vh);
  }

  /**
   * The constant added to E so that the division is defined: 1 on the diagonal and where two singular values are
   * equal with a zero numerator (0 / 1 = 0, as the kernels skip those terms); a non-zero numerator over equal
   * singular values throws, as the kernels do.
   */
  private static Tensor ones(Tensor e, Tensor num, Tensor a) {
    int k = e.size(-1);
    double[] ev = e.toDoubleArray();
    double[] nv = num.toDoubleArray();
    double[] fix = new double[ev.length];
    for (int b = 0; b < ev.length / (k * k); b++) {
      for (int i = 0; i < k; i++) {
        for (int j = 0; j < k; j++) {
          int at = b * k * k + i * k + j;
          if (i == j || ev[at] == 0 && nv[at] == 0) {
            fix[at] = 1;
          } else if (ev[at] == 0) {
            throw new ArithmeticException("linalg.svd backward: " + DecompositionRules.batchPrefix(a, b)
                + "singular values " + i + " and " + j + " are equal, so the gradient through U and Vh is not "
                + "defined (the singular vectors of a repeated singular value can be any basis of its subspace; "
                + "PyTorch returns inf/NaN here)");
          }
        }
      }
    }
    return DecompositionRules.out(fix, e.shape(), e);
  }

  private static void nonZero(Tensor s, Tensor a, String what) {
    double[] v = s.toDoubleArray();
    int k = s.size(-1);
    for (int at = 0; at < v.length; at++) {
      if (v[at] == 0) {
        throw new ArithmeticException("linalg.svd backward: " + DecompositionRules.batchPrefix(a, at / k)
            + "singular value " + at % k + " is 0, so the gradient through " + what + " of a rank-deficient "
            + "rectangular matrix is not defined (PyTorch returns inf/NaN here)");
      }
    }
  }

  /**
   * PyTorch's {@code linalg_qr_backward} (reduced) with recorded operations: for m ≥ n
   * {@code gA = (gQ + Q copyltu(M)) R^{-H}}, {@code M = R gRᴴ − gQᴴ Q}; for m &lt; n, with {@code A = [X | Y]},
   * {@code gY = Q gR2} and X's gradient the square case's with {@code gQ + Y gR2ᴴ}. Gradients null when
   * undefined (not both).
   */
  static Tensor qr(Tensor a, Tensor q, Tensor r, Tensor gq, Tensor gr) {
    int m = q.size(-2);
    int n = r.size(-1);
    if (m >= n) {
      return squareOrTall(q, r, gq, gr);
    }
    Tensor y = a.narrow(-1, m, n - m);
    Tensor gr1 = gr == null ? null : gr.narrow(-1, 0, m);
    Tensor gr2 = gr == null ? null : gr.narrow(-1, m, n - m);
    Tensor gqx = gq;
    if (gr2 != null) {
      Tensor t = y.matmul(mT(gr2));
      gqx = gqx == null ? t : gqx.add(t);
    }
    Tensor gx = squareOrTall(q, r.narrow(-1, 0, m), gqx, gr1);
    Tensor gy = gr2 == null ? Tensor.zerosLike(y) : q.matmul(gr2);
    return Tensor.cat(List.of(gx, gy), -1);
  }

  private static Tensor squareOrTall(Tensor q, Tensor r, Tensor gq, Tensor gr) {
    int n = r.size(-1);
    Tensor mm = gr == null ? null : r.matmul(mT(gr));
    if (gq != null) {
      Tensor t = mT(gq).matmul(q);
      mm = mm == null ? t.neg() : mm.sub(t);
    }
    // copyltu(M) = tril(M) + tril(M, -1)ᴴ
    Tensor c = mm.mul(mask(n, true, 0, r)).add(mT(mm.mul(mask(n, true, -1, r))));
    Tensor left = q.matmul(c);
    return rightSolveUpperH(gq == null ? left : left.add(gq), r);
  }
}
