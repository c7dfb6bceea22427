package dev.adjoint.linalg;

import dev.adjoint.Tensor;
import dev.adjoint.Tensor.DType;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.DoubleBackward;
import dev.adjoint.autograd.Function;
import dev.adjoint.autograd.GradMode;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Row;
import java.util.Arrays;

/**
 * {@code torch.linalg} on EJML: decompositions and solves in float64 (EJML's dense row-major {@code DDRM}
 * algorithms), batched over leading dimensions, each differentiable with PyTorch's backward formula and
 * failing with PyTorch's message on singular or non-positive-definite input. A float32 input is promoted,
 * computed in double and the result rounded to float32 (so float32 results are at least as accurate as
 * PyTorch's float32 LAPACK calls; see docs/DECISIONS.md).
 *
 * <p>The single-output operations are {@code @Primitive} rows ({@link DecompositionRules} holds forward and
 * adjoint), so {@code @Differentiable} code can call them; {@link #eigh}, {@link #qr} and {@link #svd}
 * have several outputs and record one node through {@link Function}, as PyTorch's
 * {@code LinalgEighBackward0} and friends. {@link #slogdet}, {@link #lstsq}, {@link #pinv} and the norms
 * are compositions of rows.
 */
public final class Linalg {
  private Linalg() {}

  static {
    // double backward (createGraph): each adjoint written with recorded operations, as PyTorch's formulas
    DoubleBackward.register(Linalg.class, "inv(Tensor)", (g, out, args) -> {
      Tensor it = out.transpose(-2, -1);
      return Grads.of(it.matmul(g).matmul(it).neg());
    });
    DoubleBackward.register(Linalg.class, "logdet(Tensor)", (g, out, args) ->
        Grads.of(inv((Tensor) args[0]).transpose(-2, -1).mul(g.unsqueeze(-1).unsqueeze(-1))));
    DoubleBackward.register(Linalg.class, "det(Tensor)", (g, out, args) ->
        Grads.of(inv((Tensor) args[0]).transpose(-2, -1).mul(g.mul(out).unsqueeze(-1).unsqueeze(-1))));
    DoubleBackward.register(Linalg.class, "solve(Tensor,Tensor)", (g, out, args) -> {
      Tensor a = (Tensor) args[0];
      Tensor gb = solve(a.transpose(-2, -1), g);
      if (((Tensor) args[1]).dim() != a.dim()) {
        // a batch of vectors: gA = -gB ⊗ X
        return Grads.of(gb.unsqueeze(-1).matmul(out.unsqueeze(-2)).neg(), gb);
      }
      return Grads.of(gb.matmul(out.transpose(-2, -1)).neg(), gb);
    });
    RecordedBackwards.register();
  }

  private static final Row CHOLESKY = Row.of(Linalg.class, "cholesky", Tensor.class);

  /**
   * The lower Cholesky factor L of each symmetric positive-definite A, {@code A = L Lᴴ}
   * ({@code torch.linalg.cholesky}); only A's lower triangle is read. Throws {@code ArithmeticException}
   * with PyTorch's message, naming the order of the first leading minor that is not positive-definite.
   */
  @Primitive(rules = DecompositionRules.class, vjp = "choleskyVjp", node = "LinalgCholeskyExBackward0",
      reads = {Primitive.OUT})
  public static Tensor cholesky(Tensor a) {
    return CHOLESKY.record(DecompositionRules.cholesky(a), a);
  }

  private static final Row CHOLESKY_SOLVE = Row.of(Linalg.class, "choleskySolve", Tensor.class, Tensor.class);

  /** {@code X = A^{-1} B} for {@code A = L Lᴴ} given its lower factor ({@code torch.cholesky_solve(B, L)}). */
  @Primitive(rules = DecompositionRules.class, vjp = "choleskySolveVjp", node = "CholeskySolveBackward0",
      reads = {1, Primitive.OUT})
  public static Tensor choleskySolve(Tensor b, Tensor l) {
    return CHOLESKY_SOLVE.record(DecompositionRules.choleskySolve(b, l), b, l);
  }

  private static final Row SOLVE_TRIANGULAR = Row.of(Linalg.class, "solveTriangular", Tensor.class, Tensor.class,
      boolean.class);

  /**
   * {@code X = A^{-1} B} for a triangular A, whose {@code upper} or lower triangle alone is read
   * ({@code torch.linalg.solve_triangular(A, B, upper=...)}, left side, not unit-triangular).
   */
  @Primitive(rules = DecompositionRules.class, vjp = "solveTriangularVjp", node = "LinalgSolveTriangularBackward0",
      reads = {0, Primitive.OUT})
  public static Tensor solveTriangular(Tensor a, Tensor b, boolean upper) {
    return SOLVE_TRIANGULAR.record(DecompositionRules.solveTriangular(a, b, upper), a, b, upper);
  }

  private static final Row SOLVE = Row.of(Linalg.class, "solve", Tensor.class, Tensor.class);

  /**
   * {@code X = A^{-1} B} ({@code torch.linalg.solve}), by LU with partial pivoting; B is [..., n, k] or a
   * batch of vectors [..., n]. A singular A throws PyTorch's "The solver failed because the input matrix is
   * singular."
   */
  @Primitive(rules = DecompositionRules.class, vjp = "solveVjp", node = "LinalgSolveExBackward0",
      reads = {0, Primitive.OUT})
  public static Tensor solve(Tensor a, Tensor b) {
    return SOLVE.record(DecompositionRules.solve(a, b), a, b);
  }

  private static final Row INV = Row.of(Linalg.class, "inv", Tensor.class);

  /** {@code A^{-1}} ({@code torch.linalg.inv}); a singular A throws PyTorch's message. */
  @Primitive(rules = DecompositionRules.class, vjp = "invVjp", node = "LinalgInvExBackward0",
      reads = {Primitive.OUT})
  public static Tensor inv(Tensor a) {
    return INV.record(DecompositionRules.inv(a), a);
  }

  private static final Row DET = Row.of(Linalg.class, "det", Tensor.class);

  /** {@code det A} ({@code torch.linalg.det}); differentiable at singular A too (through the adjugate). */
  @Primitive(rules = DecompositionRules.class, vjp = "detVjp", node = "LinalgDetBackward0",
      reads = {0, Primitive.OUT})
  public static Tensor det(Tensor a) {
    return DET.record(DecompositionRules.det(a), a);
  }

  private static final Row LOGABSDET = Row.of(Linalg.class, "logabsdet", Tensor.class);

  /** {@code log|det A|}: {@code slogdet(A).logabsdet()}, without overflow for large matrices. */
  @Primitive(rules = DecompositionRules.class, vjp = "logabsdetVjp", node = "LinalgSlogdetBackward0", reads = {0})
  public static Tensor logabsdet(Tensor a) {
    return LOGABSDET.record(DecompositionRules.logabsdet(a), a);
  }

  private static final Row LOGDET = Row.of(Linalg.class, "logdet", Tensor.class);

  /**
   * {@code log det A} ({@code torch.logdet}): NaN when the determinant is negative, -inf when zero. PyTorch
   * 1.13 composes it from slogdet and {@code where}, hence its node name.
   */
  @Primitive(rules = DecompositionRules.class, vjp = "logdetVjp", node = "WhereBackward0", reads = {0})
  public static Tensor logdet(Tensor a) {
    return LOGDET.record(DecompositionRules.logdet(a), a);
  }

  /** {@code torch.linalg.slogdet}'s result. */
  public record Slogdet(Tensor sign, Tensor logabsdet) {}

  /** The sign (not differentiable) and log|det A| ({@code torch.linalg.slogdet}). */
  public static Slogdet slogdet(Tensor a) {
    return new Slogdet(DecompositionRules.detSign(a), logabsdet(a));
  }

  private static final Row EIGVALSH = Row.of(Linalg.class, "eigvalsh", Tensor.class);

  /** The eigenvalues of each symmetric A, ascending ({@code torch.linalg.eigvalsh}); its lower triangle is read. */
  @Primitive(rules = DecompositionRules.class, vjp = "eigvalshVjp", node = "LinalgEighBackward0", reads = {0})
  public static Tensor eigvalsh(Tensor a) {
    return EIGVALSH.record(DecompositionRules.eigvalsh(a), a);
  }

  private static final Row SVDVALS = Row.of(Linalg.class, "svdvals", Tensor.class);

  /** The singular values of each A, descending ({@code torch.linalg.svdvals}). */
  @Primitive(rules = DecompositionRules.class, vjp = "svdvalsVjp", node = "LinalgSvdBackward0", reads = {0})
  public static Tensor svdvals(Tensor a) {
    return SVDVALS.record(DecompositionRules.svdvals(a), a);
  }

  // ---------------------------------------------------------------------------------------------
  // Several outputs: one node each through Function

  /** {@code torch.linalg.eigh}'s result: eigenvalues ascending, eigenvectors as columns. */
  public record Eigh(Tensor eigenvalues, Tensor eigenvectors) {}

  /**
   * Eigenvalues (ascending) and orthonormal eigenvectors of each symmetric A ({@code torch.linalg.eigh},
   * lower triangle read). An eigenvector's sign is arbitrary (LAPACK's too): here its largest component is
   * positive. Backward: PyTorch's {@code linalg_eig_backward} for Hermitian input,
   * {@code gA = V (diag(gL) + skew(Vᴴ gV) / E) Vᴴ}, {@code E_ij = L_j - L_i}.
   */
  public static Eigh eigh(Tensor a) {
    Tensor[] r = new EighFn().applyAll(a);
    return new Eigh(r[0], r[1]);
  }

  private static final class EighFn extends Function {
    @Override
    protected String nodeName() {
      return "LinalgEighBackward0";
    }

    @Override
    public Tensor[] forward(Ctx ctx, Object... in) {
      Tensor a = (Tensor) in[0];
      int n = DecompositionRules.square("linalg.eigh", a);
      double[] x = a.toDoubleArray();
      int nb = DecompositionRules.batches(a);
      double[] l = new double[nb * n];
      double[] v = new double[nb * n * n];
      DecompositionRules.forEachBatch(nb, b -> {
        double[][] e = DecompositionRules.eigh(DecompositionRules.block(x, b, n * n), n);
        System.arraycopy(e[0], 0, l, b * n, n);
        System.arraycopy(e[1], 0, v, b * n * n, n * n);
      });
      Tensor lt = DecompositionRules.out(l, Arrays.copyOf(a.shape(), a.dim() - 1), a);
      Tensor vt = DecompositionRules.out(v, a.shape(), a);
      ctx.saveForBackward(lt, vt);
      ctx.put("a", a);
      return new Tensor[] {lt, vt};
    }

    // kernels, or under createGraph the same formula with recorded operations (differentiable again)
    @Override
    public Tensor[] backward(Ctx ctx, Tensor... g) {
      Tensor a = ctx.get("a");
      Tensor[] saved = ctx.savedTensors();
      if (GradMode.isEnabled()) {
        Tensor gl = RecordedBackwards.defined(g[0], saved[0]);
        Tensor gv = RecordedBackwards.defined(g[1], saved[1]);
        return new Tensor[] {gl == null && gv == null ? Tensor.zerosLike(saved[1])
            : RecordedBackwards.eigh(saved[0], saved[1], gl, gv)};
      }
      int n = a.size(-1);
      double[] l = saved[0].toDoubleArray();
      double[] v = saved[1].toDoubleArray();
      double[] gl = g[0].toDoubleArray();
      double[] gv = g[1].toDoubleArray();
      double[] ga = new double[v.length];
      DecompositionRules.forEachBatch(DecompositionRules.batches(a), b -> {
        double[] vb = DecompositionRules.block(v, b, n * n);
        double[] m = Dense.mul(vb, true, DecompositionRules.block(gv, b, n * n), false, n, n, n);
        double[] inner = new double[n * n];
        for (int i = 0; i < n; i++) {
          for (int j = 0; j < n; j++) {
            inner[i * n + j] = i == j ? gl[b * n + i]
                : 0.5 * (m[i * n + j] - m[j * n + i]) / (l[b * n + j] - l[b * n + i]);
          }
        }
        double[] r = Dense.mul(Dense.mul(vb, false, inner, false, n, n, n), false, vb, true, n, n, n);
        System.arraycopy(r, 0, ga, b * n * n, n * n);
      });
      return new Tensor[] {DecompositionRules.out(ga, a.shape(), a)};
    }
  }

  /** {@code torch.linalg.qr}'s result (reduced mode). */
  public record Qr(Tensor q, Tensor r) {}

  /**
   * The reduced QR decomposition of each m×n A ({@code torch.linalg.qr(A)}): Q m×k with orthonormal columns,
   * R k×n upper triangular, k = min(m, n) (EJML's Householder QR; for m &lt; n that of the leading m×m block X,
   * and R = [R1 | QᵀY] for the rest Y). Backward, as PyTorch's {@code linalg_qr_backward}: for m ≥ n
   * {@code gA = (gQ + Q·copyltu(M)) R^{-H}}, {@code M = R gRᴴ - gQᴴ Q}, {@code copyltu(M) = tril(M) + tril(M,
   * -1)ᴴ}; for m &lt; n, {@code gY = Q gR2} and X's gradient is the square case's with {@code gQ + Y gR2ᴴ}.
   */
  public static Qr qr(Tensor a) {
    Tensor[] r = new QrFn().applyAll(a);
    return new Qr(r[0], r[1]);
  }

  private static final class QrFn extends Function {
    @Override
    protected String nodeName() {
      return "LinalgQrBackward0";
    }

    @Override
    public Tensor[] forward(Ctx ctx, Object... in) {
      Tensor a = (Tensor) in[0];
      int m = a.size(-2);
      int n = a.size(-1);
      int k = Math.min(m, n);
      double[] x = a.toDoubleArray();
      int nb = DecompositionRules.batches(a);
      double[] q = new double[nb * m * k];
      double[] r = new double[nb * k * n];
      DecompositionRules.forEachBatch(nb, b -> {
        double[] ab = DecompositionRules.block(x, b, m * n);
        if (m >= n) {
          double[][] f = DecompositionRules.qr(ab, m, n);
          System.arraycopy(f[0], 0, q, b * m * n, m * n);
          System.arraycopy(f[1], 0, r, b * n * n, n * n);
        } else {
          // A = [X | Y] with X m×m: X = Q R1 (Householder QR), and R = [R1 | QᵀY]
          double[][] f = DecompositionRules.qr(columns(ab, m, n, 0, m), m, m);
          double[] r2 = Dense.mul(f[0], true, columns(ab, m, n, m, n), false, m, m, n - m);
          System.arraycopy(f[0], 0, q, b * m * m, m * m);
          for (int i = 0; i < m; i++) {
            System.arraycopy(f[1], i * m, r, b * m * n + i * n, m);
            System.arraycopy(r2, i * (n - m), r, b * m * n + i * n + m, n - m);
          }
        }
      });
      int[] qs = a.shape();
      qs[qs.length - 1] = k;
      int[] rs = a.shape();
      rs[rs.length - 2] = k;
      Tensor qt = DecompositionRules.out(q, qs, a);
      Tensor rt = DecompositionRules.out(r, rs, a);
      ctx.saveForBackward(qt, rt);
      ctx.put("a", a);
      return new Tensor[] {qt, rt};
    }

    // kernels, or under createGraph the same formula with recorded operations (differentiable again)
    @Override
    public Tensor[] backward(Ctx ctx, Tensor... g) {
      Tensor a = ctx.get("a");
      Tensor[] saved = ctx.savedTensors();
      if (GradMode.isEnabled()) {
        Tensor gq = RecordedBackwards.defined(g[0], saved[0]);
        Tensor gr = RecordedBackwards.defined(g[1], saved[1]);
        return new Tensor[] {gq == null && gr == null ? Tensor.zerosLike(a)
            : RecordedBackwards.qr(a, saved[0], saved[1], gq, gr)};
      }
      int m = a.size(-2);
      int n = a.size(-1);
      int k = Math.min(m, n);
      double[] x = a.toDoubleArray();
      double[] q = saved[0].toDoubleArray();
      double[] r = saved[1].toDoubleArray();
      double[] gq = g[0].toDoubleArray();
      double[] gr = g[1].toDoubleArray();
      double[] ga = new double[x.length];
      DecompositionRules.forEachBatch(DecompositionRules.batches(a), b -> {
        double[] qb = DecompositionRules.block(q, b, m * k);
        double[] rb = DecompositionRules.block(r, b, k * n);
        double[] gqb = DecompositionRules.block(gq, b, m * k);
        double[] grb = DecompositionRules.block(gr, b, k * n);
        double[] res;
        if (m >= n) {
          res = squareOrTall(qb, rb, gqb, grb, m, n);
        } else {
          // PyTorch's wide case: Y = A[:, m:] has R2 = QᵀY, so gY = Q gR2 and Q also gets Y gR2ᵀ; then X as square
          double[] y = columns(DecompositionRules.block(x, b, m * n), m, n, m, n);
          double[] gr2 = columns(grb, m, n, m, n);
          double[] gqx = Dense.mul(y, false, gr2, true, m, n - m, m);
          for (int i = 0; i < gqx.length; i++) {
            gqx[i] += gqb[i];
          }
          double[] gx = squareOrTall(qb, columns(rb, m, n, 0, m), gqx, columns(grb, m, n, 0, m), m, m);
          double[] gy = Dense.mul(qb, false, gr2, false, m, m, n - m);
          res = new double[m * n];
          for (int i = 0; i < m; i++) {
            System.arraycopy(gx, i * m, res, i * n, m);
            System.arraycopy(gy, i * (n - m), res, i * n + m, n - m);
          }
        }
        System.arraycopy(res, 0, ga, b * m * n, m * n);
      });
      return new Tensor[] {DecompositionRules.out(ga, a.shape(), a)};
    }

    /** m ≥ n: {@code gA = (gQ + Q copyltu(M)) R^{-H}}, {@code M = R gRᴴ - gQᴴ Q}. */
    private static double[] squareOrTall(double[] qb, double[] rb, double[] gqb, double[] grb, int m, int n) {
      double[] mm = Dense.mul(rb, false, grb, true, n, n, n);
      double[] qtq = Dense.mul(gqb, true, qb, false, n, m, n);
      double[] c = new double[n * n];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          int lo = i >= j ? i * n + j : j * n + i; // copyltu: the lower triangle mirrored
          c[i * n + j] = mm[lo] - qtq[lo];
        }
      }
      double[] left = Dense.mul(qb, false, c, false, m, n, n);
      for (int i = 0; i < left.length; i++) {
        left[i] += gqb[i];
      }
      // (left) R^{-H}: solve X Rᴴ = left, i.e. R Xᴴ = leftᴴ
      return Dense.solveTriangularRight(rb, false, true, left, m, n);
    }

    /** Columns {@code [c0, c1)} of a row-major m×n matrix, as an m×(c1 − c0) one. */
    private static double[] columns(double[] a, int m, int n, int c0, int c1) {
      double[] r = new double[m * (c1 - c0)];
      for (int i = 0; i < m; i++) {
        System.arraycopy(a, i * n + c0, r, i * (c1 - c0), c1 - c0);
      }
      return r;
    }
  }

  /** {@code torch.linalg.svd(A, full_matrices=False)}'s result. */
  public record Svd(Tensor u, Tensor s, Tensor vh) {}

  /**
   * The thin SVD {@code A = U diag(S) Vh} of each A ({@code torch.linalg.svd(A, full_matrices=False)}),
   * singular values descending. Backward through U, S and Vh is PyTorch 1.13's {@code svd_backward} (see
   * {@link DecompositionRules#svdBackward}); it needs distinct singular values when a gradient reaches U or Vh
   * (and, for a rectangular A, non-zero ones), and throws naming them otherwise.
   */
  public static Svd svd(Tensor a) {
    Tensor[] r = new SvdFn().applyAll(a);
    return new Svd(r[0], r[1], r[2]);
  }

  private static final class SvdFn extends Function {
    @Override
    protected String nodeName() {
      return "LinalgSvdBackward0";
    }

    @Override
    public Tensor[] forward(Ctx ctx, Object... in) {
      Tensor a = (Tensor) in[0];
      int m = a.size(-2);
      int n = a.size(-1);
      int k = Math.min(m, n);
      double[] x = a.toDoubleArray();
      int nb = DecompositionRules.batches(a);
      double[] u = new double[nb * m * k];
      double[] s = new double[nb * k];
      double[] vh = new double[nb * k * n];
      DecompositionRules.forEachBatch(nb, b -> {
        double[][] f = DecompositionRules.svd(DecompositionRules.block(x, b, m * n), m, n);
        System.arraycopy(f[0], 0, u, b * m * k, m * k);
        System.arraycopy(f[1], 0, s, b * k, k);
        System.arraycopy(f[2], 0, vh, b * k * n, k * n);
      });
      int[] us = a.shape();
      us[us.length - 1] = k;
      int[] ss = Arrays.copyOf(a.shape(), a.dim() - 1);
      ss[ss.length - 1] = k;
      int[] vs = a.shape();
      vs[vs.length - 2] = k;
      ctx.put("a", a);
      ctx.put("u", u);
      ctx.put("s", s);
      ctx.put("vh", vh);
      Tensor[] out = {DecompositionRules.out(u, us, a), DecompositionRules.out(s, ss, a),
          DecompositionRules.out(vh, vs, a)};
      ctx.saveForBackward(out); // PyTorch saves U, S and Vh too; read by the recorded formula
      return out;
    }

    // kernels on the doubles kept by forward, or under createGraph the same formula with recorded operations
    @Override
    public Tensor[] backward(Ctx ctx, Tensor... g) {
      Tensor a = ctx.get("a");
      Tensor[] saved = ctx.savedTensors();
      if (GradMode.isEnabled()) {
        Tensor gu = RecordedBackwards.defined(g[0], saved[0]);
        Tensor gs = RecordedBackwards.defined(g[1], saved[1]);
        Tensor gvh = RecordedBackwards.defined(g[2], saved[2]);
        return new Tensor[] {gu == null && gs == null && gvh == null ? Tensor.zerosLike(a)
            : RecordedBackwards.svd(a, saved[0], saved[1], saved[2], gu, gs, gvh)};
      }
      int m = a.size(-2);
      int n = a.size(-1);
      int k = Math.min(m, n);
      double[] u = ctx.get("u");
      double[] s = ctx.get("s");
      double[] vh = ctx.get("vh");
      double[] gu = values(g[0]);
      double[] gs = values(g[1]);
      double[] gvh = values(g[2]);
      int nb = DecompositionRules.batches(a);
      double[] ga = new double[nb * m * n];
      DecompositionRules.forEachBatch(nb, b -> {
        double[] r = DecompositionRules.svdBackward(DecompositionRules.block(u, b, m * k),
            DecompositionRules.block(s, b, k), DecompositionRules.block(vh, b, k * n),
            gu == null ? null : DecompositionRules.block(gu, b, m * k),
            gs == null ? null : DecompositionRules.block(gs, b, k),
            gvh == null ? null : DecompositionRules.block(gvh, b, k * n), m, n, DecompositionRules.batchPrefix(a, b));
        System.arraycopy(r, 0, ga, b * m * n, m * n);
      });
      return new Tensor[] {DecompositionRules.out(ga, a.shape(), a)};
    }

    /** The gradient's doubles, or null when none reached the output or it is all zeros (PyTorch's undefined). */
    private static double[] values(Tensor g) {
      if (g == null) {
        return null;
      }
      double[] v = g.toDoubleArray();
      return Arrays.stream(v).allMatch(x -> x == 0) ? null : v;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Compositions

  /**
   * The least-squares solution X of {@code min ||A X - B||} for each full-column-rank A (m ≥ n), through
   * QR: {@code X = R^{-1} Qᴴ B} ({@code torch.linalg.lstsq(A, B).solution}); differentiable through
   * {@link #qr} and {@link #solveTriangular}.
   */
  @Primitive(rules = CompositeRules.class, vjp = "lstsqVjp", node = "LinalgLstsqBackward0",
      reads = {0, 1, Primitive.OUT})
  public static Tensor lstsq(Tensor a, Tensor b) {
    return LSTSQ.record(lstsq("lstsq", a.detach(), b.detach()), a, b);
  }

  private static final Row LSTSQ = Row.of(Linalg.class, "lstsq", Tensor.class, Tensor.class);

  private static Tensor lstsq(String op, Tensor a, Tensor b) {
    Qr f = qr(a);
    requireFullRank(op, a, f.r());
    return solveTriangular(f.r(), f.q().transpose(-2, -1).matmul(b), true);
  }

  /**
   * Throws when a diagonal entry of R (of A = QR) is below PyTorch's default cutoff, {@code max(m, n) · eps ·
   * max |R_ii|}: A is rank-deficient to working precision, and R⁻¹ would give values near 1/eps where PyTorch's
   * SVD-based pinv and lstsq cut the small singular values off.
   */
  private static void requireFullRank(String op, Tensor a, Tensor r) {
    int m = a.size(-2);
    int n = a.size(-1);
    double eps = a.dtype() == DType.FLOAT64 ? Math.ulp(1.0) : Math.ulp(1.0f);
    double[] v = r.detach().toDoubleArray();
    int k = r.size(-1);
    for (int base = 0; base < v.length; base += k * k) {
      double largest = 0;
      for (int i = 0; i < k; i++) {
        largest = Math.max(largest, Math.abs(v[base + i * k + i]));
      }
      double cutoff = Math.max(m, n) * eps * largest;
      for (int i = 0; i < k; i++) {
        double d = Math.abs(v[base + i * k + i]);
        if (d <= cutoff) {
          throw new IllegalArgumentException(op + ": the " + m + "×" + n + " matrix" + (v.length > k * k
              ? " number " + base / (k * k) : "") + " is rank-deficient to working precision (|R[" + i + "][" + i
              + "]| of its QR is " + d + ", at most max(m, n)·eps·max|R_ii| = " + cutoff + "); PyTorch would cut"
              + " that singular value off, this QR-based " + op + " supports full-rank matrices only. Remove the"
              + " dependent columns, or regularise (A + λI, or lstsq on [A; √λ I])");
        }
      }
    }
  }

  /**
   * The pseudo-inverse of each full-rank A ({@code torch.linalg.pinv}): {@code lstsq(A, I)} when m ≥ n, the
   * transpose of the transpose's otherwise. Rank-deficient input throws (see {@link #lstsq}). Its row's adjoint is
   * PyTorch's {@code pinv_backward} ({@link CompositeRules#pinvVjp}).
   */
  @Primitive(rules = CompositeRules.class, vjp = "pinvVjp", node = "LinalgPinvBackward0", reads = {0, Primitive.OUT})
  public static Tensor pinv(Tensor a) {
    return PINV.record(pinvValue(a.detach()), a);
  }

  private static final Row PINV = Row.of(Linalg.class, "pinv", Tensor.class);

  private static Tensor pinvValue(Tensor a) {
    int m = a.size(-2);
    int n = a.size(-1);
    if (m < n) {
      return pinvValue(a.transpose(-2, -1)).transpose(-2, -1).contiguous();
    }
    double[] eye = new double[m * m];
    for (int i = 0; i < m; i++) {
      eye[i * m + i] = 1;
    }
    Tensor id = Tensor.wrap(eye, m, m);
    if (a.dtype() != DType.FLOAT64) {
      id = id.to(a.dtype());
    }
    if (a.dim() > 2) {
      int[] s = a.shape();
      s[s.length - 1] = m;
      id = id.expand(s).contiguous();
    }
    return lstsq("pinv", a, id);
  }

  /**
   * The vector {@code ord}-norm of all elements ({@code torch.linalg.vector_norm(x, ord)}): 2 by default in
   * PyTorch, {@code Double.POSITIVE_INFINITY} for the largest magnitude, 1, or any p &gt; 0. The {@link
   * Tensor#norm(double)} row without a gradient for {@code ord}, named as PyTorch names it.
   */
  @Primitive(rules = CompositeRules.class, vjp = "vectorNormVjp", node = "LinalgVectorNormBackward0",
      reads = {0, Primitive.OUT})
  public static Tensor vectorNorm(Tensor x, double ord) {
    if (!(ord > 0)) {
      throw new IllegalArgumentException("linalg.vector_norm: ord " + ord + " is not supported (use p > 0 or inf)");
    }
    return VECTOR_NORM.record(dev.adjoint.rules.ReductionRules.norm(x, ord), x, ord);
  }

  private static final Row VECTOR_NORM = Row.of(Linalg.class, "vectorNorm", Tensor.class, double.class);

  /**
   * The vector {@code ord}-norm over {@code dims} (all when empty), keeping them with {@code keepDim}. Its gradient
   * where the norm is 0 is 0, as PyTorch's (its norm backward masks the zero norms): over all elements this is the
   * {@link Tensor#norm(double)} row; over some dimensions the root is taken of the positive sums only, the zero ones
   * giving a constant 0 (a root's slope at 0 is infinite, and 0·∞ would make the whole gradient NaN).
   */
  @Primitive(rules = CompositeRules.class, vjp = "vectorNormDimsVjp", node = "LinalgVectorNormBackward0",
      reads = {0, Primitive.OUT})
  public static Tensor vectorNorm(Tensor x, double ord, int[] dims, boolean keepDim) {
    return VECTOR_NORM_DIMS.record(vectorNormValue(x.detach(), ord, dims, keepDim), x, ord, dims, keepDim);
  }

  private static final Row VECTOR_NORM_DIMS = Row.of(Linalg.class, "vectorNorm", Tensor.class, double.class,
      int[].class, boolean.class);

  private static Tensor vectorNormValue(Tensor x, double ord, int[] dims, boolean keepDim) {
    if (!(ord > 0)) {
      throw new IllegalArgumentException("linalg.vector_norm: ord " + ord + " is not supported (use p > 0 or inf)");
    }
    if (dims.length == 0 && !keepDim) {
      return x.norm(ord);
    }
    if (ord == Double.POSITIVE_INFINITY) {
      return dims.length == 0 ? x.abs().max() : x.abs().amax(dims, keepDim);
    }
    if (ord == 1) {
      return x.abs().sum(dims, keepDim);
    }
    Tensor sum = ord == 2 ? x.square().sum(dims, keepDim) : x.abs().pow(ord).sum(dims, keepDim);
    Tensor positive = sum.gt(0);
    Tensor safe = Tensor.where(positive, sum, 1.0);
    return Tensor.where(positive, ord == 2 ? safe.sqrt() : safe.pow(1 / ord), 0.0);
  }

  /**
   * The matrix norm of each A over its last two dimensions ({@code torch.linalg.matrix_norm}): {@code "fro"}
   * (Frobenius), {@code "nuc"} (sum of singular values), {@code "2"} (the largest singular value) or
   * {@code "-2"} (the smallest). Its row's adjoint is the norm's gradient per matrix ({@link
   * CompositeRules#matrixNormVjp}).
   */
  @Primitive(rules = CompositeRules.class, vjp = "matrixNormVjp", node = "LinalgVectorNormBackward0",
      nodeOf = "matrixNormNode", reads = {0, Primitive.OUT})
  public static Tensor matrixNorm(Tensor a, String ord) {
    return MATRIX_NORM.record(matrixNormValue(a.detach(), ord), a, ord);
  }

  private static final Row MATRIX_NORM = Row.of(Linalg.class, "matrixNorm", Tensor.class, String.class);

  private static Tensor matrixNormValue(Tensor a, String ord) {
    return switch (ord) {
      case "fro" -> vectorNormValue(a, 2, new int[] {-2, -1}, false);
      case "nuc" -> svdvals(a).sum(-1);
      case "2" -> svdvals(a).select(-1, 0);
      case "-2" -> svdvals(a).select(-1, -1);
      default -> throw new IllegalArgumentException("linalg.matrix_norm: Order " + ord + " not supported "
          + "(use \"fro\", \"nuc\", \"2\" or \"-2\")");
    };
  }
}
