package dev.adjoint.rules;

import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;
import dev.adjoint.shape.Shapes;

/**
 * The products PyTorch names apart from {@code matmul} (session 10): {@code mm}, {@code mv}, {@code bmm} and
 * {@code dot} are {@code matmul} restricted to one pair of ranks (no broadcasting), checked here with PyTorch's
 * messages and computed and differentiated by {@link LinalgRules}' matmul rows; {@code outer} and {@code addmm}
 * have forwards and adjoints of their own. Float32 and float64, as {@link LinalgRules#matmul}.
 */
public final class ProductRules {
  private ProductRules() {}

  /** {@code a @ b} for two matrices ({@code torch.mm}). */
  public static Tensor mm(Tensor a, Tensor b) {
    if (a.dim() != 2) {
      throw new IllegalArgumentException("mm: self must be a matrix, got " + a.dim() + "-D shape " + Shapes.str(a.shape()));
    }
    if (b.dim() != 2) {
      throw new IllegalArgumentException("mm: mat2 must be a matrix, got " + b.dim() + "-D shape " + Shapes.str(b.shape()));
    }
    sizes("mm", a, b);
    return LinalgRules.matmul(a, b);
  }

  /** {@code a @ v} for a matrix and a vector ({@code torch.mv}). */
  public static Tensor mv(Tensor a, Tensor v) {
    if (a.dim() != 2 || v.dim() != 1) {
      throw new IllegalArgumentException("mv: vector + matrix @ vector expected, got a " + a.dim() + "-D matrix "
          + Shapes.str(a.shape()) + " and a " + v.dim() + "-D vector " + Shapes.str(v.shape()));
    }
    sizes("mv", a, v);
    return LinalgRules.matmul(a, v);
  }

  /** {@code a @ b} for two batches of matrices of the same batch size ({@code torch.bmm}, no broadcasting). */
  public static Tensor bmm(Tensor a, Tensor b) {
    if (a.dim() != 3) {
      throw new IllegalArgumentException("bmm: batch1 must be a 3D tensor, got shape " + Shapes.str(a.shape()));
    }
    if (b.dim() != 3) {
      throw new IllegalArgumentException("bmm: batch2 must be a 3D tensor, got shape " + Shapes.str(b.shape()));
    }
    if (a.size(0) != b.size(0) || a.size(2) != b.size(1)) {
      throw new IllegalArgumentException("bmm: expected size for first two dimensions of batch2 tensor to be: ["
          + a.size(0) + ", " + a.size(2) + "] but got: [" + b.size(0) + ", " + b.size(1) + "] (batch1 "
          + Shapes.str(a.shape()) + ", batch2 " + Shapes.str(b.shape()) + ")");
    }
    return LinalgRules.matmul(a, b);
  }

  /** {@code Σ a_i·b_i} of two vectors of one length, a 0-D tensor ({@code torch.dot}). */
  public static Tensor dot(Tensor a, Tensor b) {
    if (a.dim() != 1 || b.dim() != 1) {
      throw new IllegalArgumentException("dot: 1D tensors expected, but got " + a.dim() + "D and " + b.dim()
          + "D tensors (shapes " + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape()) + ")");
    }
    if (a.numel() != b.numel()) {
      throw new IllegalArgumentException("dot: inconsistent tensor size, expected tensor " + Shapes.str(a.shape())
          + " and src " + Shapes.str(b.shape()) + " to have the same number of elements, but got " + a.numel()
          + " and " + b.numel() + " elements respectively");
    }
    return LinalgRules.matmul(a, b);
  }

  private static void sizes(String op, Tensor a, Tensor b) {
    int k = b.dim() == 1 ? b.size(0) : b.size(0);
    if (a.size(1) != k) {
      throw new IllegalArgumentException(op + ": mat1 and mat2 shapes cannot be multiplied (" + a.size(0) + "x"
          + a.size(1) + " and " + (b.dim() == 1 ? b.size(0) : b.size(0) + "x" + b.size(1)) + ")");
    }
  }

  // ---- outer

  /** {@code out[i][j] = a[i]·b[j]} for two vectors ({@code torch.outer}). */
  public static Tensor outer(Tensor a, Tensor b) {
    if (a.dim() != 1 || b.dim() != 1) {
      throw new IllegalArgumentException("outer: 1D tensors expected, but got " + a.dim() + "D and " + b.dim()
          + "D tensors (shapes " + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape()) + ")");
    }
    int n = a.numel();
    int m = b.numel();
    if (F64Rules.any(a, b)) {
      double[] x = F64Rules.d(a);
      double[] y = F64Rules.d(b);
      double[] out = new double[n * m];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < m; j++) {
          out[i * m + j] = x[i] * y[j];
        }
      }
      return Tensor.wrap(out, n, m);
    }
    float[] x = a.storage();
    float[] y = b.storage();
    float[] out = new float[n * m];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        out[i * m + j] = x[i] * y[j];
      }
    }
    return Tensor.wrap(out, n, m);
  }

  /** ∂a = g·b, ∂b = gᵀ·a (each a matrix-vector product). */
  public static Grads outerVjp(Tensor g, Tensor out, Tensor a, Tensor b) {
    return Grads.lazy(2, i -> i == 0 ? F64Rules.as(LinalgRules.matmul(g, b), a)
        : F64Rules.as(LinalgRules.matmul(transposed(g), a), b));
  }

  /**
   * The second-order rule beside {@link #outerVjp}: its adjoint is bilinear, so at fixed {@code g} the entry of
   * {@code a} ({@code g·b}) moves by {@code g·ḃ} and the entry of {@code b} ({@code gᵀ·a}) by {@code gᵀ·ȧ}.
   */
  public static Grads outerVjpJvp(Tensor g, Tensor out, Tensor a, Tensor b, Tensor tOut, Tensor ta, Tensor tb) {
    if (ta == null && tb == null) {
      return null;
    }
    return Grads.of(tb == null ? null : outerVjp(g, out, a, tb).get(0), ta == null ? null : outerVjp(g, out, ta, b)
        .get(1));
  }

  /** ṫ = ȧ⊗b + a⊗ḃ. */
  public static Tensor outerJvp(Tensor ta, Tensor tb, Tensor out, Tensor a, Tensor b) {
    return Jvps.plus(out, ta == null ? null : outer(ta, b), tb == null ? null : outer(a, tb));
  }

  /** A dense copy of a matrix's transpose. */
  private static Tensor transposed(Tensor g) {
    int n = g.size(0);
    int m = g.size(1);
    if (F64Rules.any(g)) {
      double[] x = F64Rules.d(g);
      double[] t = new double[n * m];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < m; j++) {
          t[j * n + i] = x[i * m + j];
        }
      }
      return Tensor.wrap(t, m, n);
    }
    float[] x = g.storage();
    float[] t = new float[n * m];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        t[j * n + i] = x[i * m + j];
      }
    }
    return Tensor.wrap(t, m, n);
  }

  // ---- addmm

  /** {@code self + m1 @ m2} for matrices, {@code self} broadcast to the product's shape ({@code torch.addmm}). */
  public static Tensor addmm(Tensor self, Tensor m1, Tensor m2) {
    Tensor p = mm(m1, m2);
    int[] s = self.shape();
    int[] ps = p.shape();
    boolean fits = s.length <= 2;
    for (int d = 0; fits && d < s.length; d++) {
      int want = ps[ps.length - s.length + d];
      fits = s[d] == want || s[d] == 1;
    }
    if (!fits) {
      throw new IllegalArgumentException("addmm: the input of shape " + Shapes.str(s)
          + " cannot be broadcast to the product's shape " + Shapes.str(ps) + " (mat1 " + Shapes.str(m1.shape())
          + ", mat2 " + Shapes.str(m2.shape()) + ")");
    }
    return ElementwiseRules.add(self, p);
  }

  /** ∂self = g summed to self's shape, ∂m1 = g·m2ᵀ, ∂m2 = m1ᵀ·g. */
  public static Grads addmmVjp(Tensor g, Tensor out, Tensor self, Tensor m1, Tensor m2) {
    Grads[] product = new Grads[1];
    return Grads.lazy(3, i -> {
      if (i == 0) {
        return F64Rules.as(Rules.unbroadcast(g, self.shape()), self);
      }
      if (product[0] == null) {
        product[0] = LinalgRules.matmulVjp(g, out, m1, m2);
      }
      return product[0].get(i - 1);
    });
  }

  /**
   * The second-order rule beside {@link #addmmVjp}: the entry of {@code self} ({@code g}, summed to its shape)
   * does not move; those of {@code m1} and {@code m2} move as matmul's ({@link LinalgRules#matmulVjpJvp}).
   */
  public static Grads addmmVjpJvp(Tensor g, Tensor out, Tensor self, Tensor m1, Tensor m2, Tensor tOut,
      Tensor tself, Tensor tm1, Tensor tm2) {
    Grads product = LinalgRules.matmulVjpJvp(g, out, m1, m2, tOut, tm1, tm2);
    return product == null ? null : Grads.of(null, product.get(0), product.get(1));
  }

  /** ṫ = ṡelf + ṁ1·m2 + m1·ṁ2. */
  public static Tensor addmmJvp(Tensor tself, Tensor tm1, Tensor tm2, Tensor out, Tensor self, Tensor m1,
      Tensor m2) {
    Tensor t = Jvps.plus(out, tm1 == null ? null : LinalgRules.matmul(tm1, m2),
        tm2 == null ? null : LinalgRules.matmul(m1, tm2));
    return tself == null ? t : Jvps.plus(out, t, tself);
  }

  // ---- cross

  /** The cross product along {@code dim} (size 3) of two tensors of one shape. */
  public static Tensor cross(Tensor a, Tensor b, int dim) {
    if (!java.util.Arrays.equals(a.shape(), b.shape())) {
      throw new IllegalArgumentException("cross: the operands must have one shape, got " + Shapes.str(a.shape())
          + " and " + Shapes.str(b.shape()) + " (broadcasting is not supported)");
    }
    int d = Shapes.dim("cross", dim, a.dim());
    if (a.size(d) != 3) {
      throw new IllegalArgumentException("linalg.cross: inputs dimension " + dim + " must have length 3. Got "
          + a.size(d) + " and " + b.size(d));
    }
    int inner = 1;
    for (int k = d + 1; k < a.dim(); k++) {
      inner *= a.size(k);
    }
    int outer = a.numel() / (3 * Math.max(inner, 1));
    double[] x = F64Rules.d(a);
    double[] y = F64Rules.d(b);
    double[] out = new double[x.length];
    for (int o = 0; o < outer; o++) {
      for (int in = 0; in < inner; in++) {
        int i0 = o * 3 * inner + in;
        int i1 = i0 + inner;
        int i2 = i1 + inner;
        out[i0] = x[i1] * y[i2] - x[i2] * y[i1];
        out[i1] = x[i2] * y[i0] - x[i0] * y[i2];
        out[i2] = x[i0] * y[i1] - x[i1] * y[i0];
      }
    }
    return F64Rules.any(a, b) ? Tensor.wrap(out, a.shape()) : floats(out, a.shape());
  }

  /** ∂a = b × g, ∂b = g × a. */
  public static Grads crossVjp(Tensor g, Tensor out, Tensor a, Tensor b, int dim) {
    return Grads.lazy(3, i -> i == 0 ? F64Rules.as(cross(b, g, dim), a) : i == 1 ? F64Rules.as(cross(g, a, dim), b)
        : null);
  }

  /** ṫ = ȧ × b + a × ḃ. */
  public static Tensor crossJvp(Tensor ta, Tensor tb, Tensor out, Tensor a, Tensor b, int dim) {
    return Jvps.plus(out, ta == null ? null : cross(ta, b, dim), tb == null ? null : cross(a, tb, dim));
  }

  private static Tensor floats(double[] v, int[] shape) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return Tensor.wrap(f, shape);
  }

  // ---- diag

  /** A vector's diagonal matrix, or a matrix's diagonal {@code k} as a vector ({@code torch.diag}). */
  public static Tensor diag(Tensor a, int k) {
    double[] x = F64Rules.d(a);
    if (a.dim() == 1) {
      int n = a.size(0);
      int m = n + Math.abs(k);
      double[] out = new double[m * m];
      for (int i = 0; i < n; i++) {
        out[(k >= 0 ? i : i - k) * m + (k >= 0 ? i + k : i)] = x[i];
      }
      return F64Rules.any(a) ? Tensor.wrap(out, m, m) : floats(out, new int[] {m, m});
    }
    if (a.dim() != 2) {
      throw new IllegalArgumentException("diag: expected a 1-D or 2-D tensor, got shape " + Shapes.str(a.shape()));
    }
    int rows = a.size(0);
    int cols = a.size(1);
    int len = Math.max(0, k >= 0 ? Math.min(rows, cols - k) : Math.min(rows + k, cols));
    double[] out = new double[len];
    for (int i = 0; i < len; i++) {
      out[i] = x[(k >= 0 ? i : i - k) * cols + (k >= 0 ? i + k : i)];
    }
    return F64Rules.any(a) ? Tensor.wrap(out, len) : floats(out, new int[] {len});
  }

  /** Of a vector: g's diagonal {@code k}; of a matrix: g placed on diagonal {@code k} of zeros of its shape. */
  public static Grads diagVjp(Tensor g, Tensor out, Tensor a, int k) {
    if (a.dim() == 1) {
      return Grads.of(F64Rules.as(diag(g, k), a), null);
    }
    int cols = a.size(1);
    double[] gs = F64Rules.d(g);
    double[] r = new double[a.numel()];
    for (int i = 0; i < gs.length; i++) {
      r[(k >= 0 ? i : i - k) * cols + (k >= 0 ? i + k : i)] = gs[i];
    }
    return Grads.of(a.dtype() == Tensor.DType.FLOAT64 ? Tensor.wrap(r, a.shape()) : floats(r, a.shape()), null);
  }

  /** ṫ = diag(ȧ, k) (linear). */
  public static Tensor diagJvp(Tensor ta, Tensor out, Tensor a, int k) {
    return ta == null ? null : diag(ta, k);
  }
}
