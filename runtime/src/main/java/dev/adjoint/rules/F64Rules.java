package dev.adjoint.rules;

import dev.adjoint.shape.Shapes;
import dev.adjoint.Tensor;
import dev.adjoint.Tensor.DType;
import dev.adjoint.autograd.Grads;
import dev.adjoint.kernel.DoubleKernels;
import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * The float64 path of the everyday rules: each ported rule of {@link ElementwiseRules},
 * {@link ReductionRules}, {@link LinalgRules} and {@link NnRules} starts with one line that sends float64
 * operands here ({@code if (F64Rules.any(a, b)) return F64Rules.add(a, b);}), so the float32 bodies stay as
 * they were and a rule that has no such line reads {@code storage()}, which throws for FLOAT64: no operation
 * computes a float64 tensor in float32 silently.
 *
 * <p>Operands are promoted as PyTorch does ({@link DTypeRules#resultType}): when the result type is
 * FLOAT64 everything is read as double; when it is FLOAT32 (a float32 tensor with a 0-dimensional float64
 * one), the float64 operand is rounded first and the float32 rule computes, as PyTorch's TensorIterator
 * casts inputs to the common dtype. Gradients are returned in each input's dtype.
 */
public final class F64Rules {
  private F64Rules() {}

  /** Whether any of {@code ts} (nulls skipped) is FLOAT64: the rule takes the float64 path. */
  public static boolean any(Tensor... ts) {
    for (Tensor t : ts) {
      if (t != null && t.dtype() == DType.FLOAT64) {
        return true;
      }
    }
    return false;
  }

  /** The elements of {@code t} as doubles: its own array when dense FLOAT64 (read only), else a copy. */
  static double[] d(Tensor t) {
    return t.dtype() == DType.FLOAT64 ? t.storageF64() : t.toDoubleArray();
  }

  static Tensor wrap(double[] v, int[] shape) {
    return Tensor.wrap(v, shape);
  }

  static Tensor scalar(double v) {
    return Tensor.scalar(v, DType.FLOAT64);
  }

  /** {@code g} in {@code like}'s dtype (a gradient for that input), or {@code null} for null. */
  static Tensor as(Tensor g, Tensor like) {
    return g == null || like == null || g.dtype() == like.dtype() || !like.dtype().isFloatingPoint() ? g
        : DTypeRules.to(g, like.dtype());
  }

  static Tensor f32(Tensor t) {
    return t.dtype() == DType.FLOAT64 ? DTypeRules.to(t, DType.FLOAT32) : t;
  }

  // ---------------------------------------------------------------------------------------------
  // Loops

  /** {@code f(a, b)} elementwise in double with broadcasting; the result is FLOAT64. */
  public static Tensor binary(String op, Tensor a, Tensor b, DoubleBinaryOperator f) {
    int[] as = a.shape();
    int[] bs = b.shape();
    int[] os = Shapes.broadcast(op, as, bs);
    double[] x = d(a);
    double[] y = d(b);
    double[] out = new double[Shapes.numel(os)];
    if (x.length == out.length && y.length == out.length) {
      for (int i = 0; i < out.length; i++) {
        out[i] = f.applyAsDouble(x[i], y[i]);
      }
    } else if (y.length == 1 && x.length == out.length) {
      for (int i = 0; i < out.length; i++) {
        out[i] = f.applyAsDouble(x[i], y[0]);
      }
    } else if (x.length == 1 && y.length == out.length) {
      for (int i = 0; i < out.length; i++) {
        out[i] = f.applyAsDouble(x[0], y[i]);
      }
    } else if (out.length > 0) {
      int[] sa = Shapes.broadcastStrides(as, os);
      int[] sb = Shapes.broadcastStrides(bs, os);
      int[] idx = new int[os.length];
      int oa = 0;
      int ob = 0;
      for (int o = 0; o < out.length; o++) {
        out[o] = f.applyAsDouble(x[oa], y[ob]);
        for (int dd = os.length - 1; dd >= 0; dd--) {
          oa += sa[dd];
          ob += sb[dd];
          if (++idx[dd] < os[dd]) {
            break;
          }
          oa -= sa[dd] * os[dd];
          ob -= sb[dd] * os[dd];
          idx[dd] = 0;
        }
      }
    }
    return wrap(out, os);
  }

  /** {@code f(x)} elementwise in double. */
  public static Tensor unary(Tensor a, DoubleUnaryOperator f) {
    double[] x = d(a);
    double[] out = new double[x.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = f.applyAsDouble(x[i]);
    }
    return wrap(out, a.shape());
  }

  /** Sums {@code g} down to {@code shape} over broadcast dimensions, in double; {@code g} itself if equal. */
  public static Tensor unbroadcast(Tensor g, int[] shape) {
    int[] gs = g.shape();
    if (Arrays.equals(gs, shape)) {
      return g.dtype() == DType.FLOAT64 ? g : DTypeRules.to(g, DType.FLOAT64);
    }
    double[] src = d(g);
    double[] out = new double[Shapes.numel(shape)];
    if (out.length == 1) {
      out[0] = DoubleKernels.sum(src, 0, src.length);
      return wrap(out, shape);
    }
    int[] st = Shapes.broadcastStrides(shape, gs);
    int[] idx = new int[gs.length];
    int off = 0;
    for (int i = 0; i < src.length; i++) {
      out[off] += src[i];
      for (int dd = gs.length - 1; dd >= 0; dd--) {
        off += st[dd];
        if (++idx[dd] < gs[dd]) {
          break;
        }
        off -= st[dd] * gs[dd];
        idx[dd] = 0;
      }
    }
    return wrap(out, shape);
  }

  static Tensor sumAll(Tensor g) {
    double[] x = d(g);
    return scalar(DoubleKernels.sum(x, 0, x.length));
  }

  static Tensor dotAll(Tensor a, Tensor b) {
    double[] x = d(a);
    double[] y = d(b);
    return scalar(DoubleKernels.dot(x, y, x.length));
  }

  // ---------------------------------------------------------------------------------------------
  // Data movement

  /**
   * Runs a float rule that only moves elements (slice, transpose, cat, a view's adjoint that places
   * {@code g} into zeros) on floating operands exactly, in float64: each floating operand is replaced by a
   * FLOAT32 tensor of element numbers (1, 2, ... over all of them, exact below 2^24), the rule moves the
   * numbers, and each number of the result picks its double (0, where the rule wrote a zero, is 0.0).
   * Other operands (index tensors) pass unchanged.
   */
  public static Tensor move(java.util.function.Function<Tensor[], Tensor> rule, Tensor... operands) {
    int[] base = new int[operands.length];
    Tensor r = ids(rule, base, operands);
    double[] values = new double[1];
    for (int i = 0; i < operands.length; i++) {
      Tensor t = operands[i];
      if (t != null && t.dtype().isFloatingPoint()) {
        double[] v = t.toDoubleArray();
        if (values.length < base[i] + 1 + v.length) {
          values = Arrays.copyOf(values, base[i] + 1 + v.length);
        }
        System.arraycopy(v, 0, values, base[i] + 1, v.length);
      }
    }
    float[] id = r.storage();
    double[] out = new double[id.length];
    for (int k = 0; k < out.length; k++) {
      out[k] = values[(int) id[k]];
    }
    return wrap(out, r.shape());
  }


  /**
   * The element numbers {@link #move} sees: {@code rule} run on the floating operands replaced by their element
   * numbers (operand i's elements are {@code base[i] + 1 ... base[i] + numel}); the result's numbers, 0 where the
   * rule wrote a zero. {@code base} receives each operand's offset (its length is the number of operands).
   */
  static Tensor ids(java.util.function.Function<Tensor[], Tensor> rule, int[] base, Tensor... operands) {
    long total = 0;
    for (Tensor t : operands) {
      total += t != null && t.dtype().isFloatingPoint() ? t.numel() : 0;
    }
    if (total >= 1 << 24) {
      throw new IllegalStateException("float64 data movement of " + total + " elements: not implemented for "
          + "FLOAT64 beyond 2^24 elements per operation");
    }
    Tensor[] encoded = operands.clone();
    int next = 1;
    for (int i = 0; i < operands.length; i++) {
      Tensor t = operands[i];
      base[i] = next - 1;
      if (t == null || !t.dtype().isFloatingPoint()) {
        continue;
      }
      float[] num = new float[t.numel()];
      for (int k = 0; k < num.length; k++) {
        num[k] = next++;
      }
      encoded[i] = Tensor.wrap(num, t.shape());
    }
    return rule.apply(encoded);
  }

  /**
   * The adjoint of a {@link #move}: {@code g} added back at the element each result element came from, one
   * gradient per floating operand (in its dtype; null for the others), summed in double where an element was
   * read more than once. Exact for any rule that only moves elements.
   */
  public static Grads moveVjp(Tensor g, java.util.function.Function<Tensor[], Tensor> rule, Tensor... operands) {
    int[] base = new int[operands.length];
    float[] id = ids(rule, base, operands).storage();
    double[] gs = d(g);
    double[][] acc = new double[operands.length][];
    for (int i = 0; i < operands.length; i++) {
      if (operands[i] != null && operands[i].dtype().isFloatingPoint()) {
        acc[i] = new double[operands[i].numel()];
      }
    }
    for (int k = 0; k < id.length; k++) {
      int n = (int) id[k];
      if (n == 0) {
        continue;
      }
      int i = operands.length - 1;
      while (acc[i] == null || n <= base[i]) {
        i--;
      }
      acc[i][n - 1 - base[i]] += gs[k];
    }
    Tensor[] r = new Tensor[operands.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = acc[i] == null ? null : as(wrap(acc[i], operands[i].shape()), operands[i]);
    }
    return Grads.of(r);
  }

  /**
   * The dense ranks of {@code a}'s elements as a FLOAT32 tensor (1 for the smallest; equal values, -0.0 and 0.0
   * included, share a rank; NaN stays NaN), exact below 2^24 distinct values: a float rule that only compares
   * and moves elements (argsort, topk, argmax) gives on the ranks what it would give on the doubles.
   */
  public static Tensor ranks(Tensor a) {
    double[] x = d(a);
    double[] sorted = Arrays.stream(x).filter(v -> !Double.isNaN(v)).map(v -> v == 0 ? 0.0 : v).sorted().distinct()
        .toArray();
    float[] r = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      r[i] = Double.isNaN(x[i]) ? Float.NaN : Arrays.binarySearch(sorted, x[i] == 0 ? 0.0 : x[i]) + 1;
    }
    return Tensor.wrap(r, a.shape());
  }

  /** {@link ViewRules#asStridedGrad} in double: g added into the storage locations, shared ones divided. */
  public static Tensor asStridedGrad(Tensor g, int[] ip, int[] op, int[] inShape) {
    int lo = Integer.MAX_VALUE;
    int hi = Integer.MIN_VALUE;
    for (int p : ip) {
      lo = Math.min(lo, p);
      hi = Math.max(hi, p);
    }
    double[] result = new double[ip.length];
    if (ip.length == 0) {
      return wrap(result, inShape);
    }
    double[] store = new double[hi - lo + 1];
    double[] gs = d(g);
    for (int k = 0; k < op.length; k++) {
      int p = op[k] - lo;
      if (p >= 0 && p < store.length) {
        store[p] += gs[k];
      }
    }
    int[] count = new int[store.length];
    for (int p : ip) {
      count[p - lo]++;
    }
    for (int j = 0; j < ip.length; j++) {
      int p = ip[j] - lo;
      result[j] = store[p] / count[p];
    }
    return wrap(result, inShape);
  }

  // ---------------------------------------------------------------------------------------------
  // Binary arithmetic (tensor, tensor): promotion first

  static boolean toF32(Tensor a, Tensor b) {
    return DTypeRules.resultType(a, b) != DType.FLOAT64;
  }

  /** {@code a + b}. */
  public static Tensor add(Tensor a, Tensor b) {
    return toF32(a, b) ? ElementwiseRules.add(f32(a), f32(b)) : binary("add", a, b, Double::sum);
  }

  /** {@code a - b}. */
  public static Tensor sub(Tensor a, Tensor b) {
    return toF32(a, b) ? ElementwiseRules.sub(f32(a), f32(b)) : binary("sub", a, b, (x, y) -> x - y);
  }

  /** {@code a * b}. */
  public static Tensor mul(Tensor a, Tensor b) {
    return toF32(a, b) ? ElementwiseRules.mul(f32(a), f32(b)) : binary("mul", a, b, (x, y) -> x * y);
  }

  /** {@code a / b}. */
  public static Tensor div(Tensor a, Tensor b) {
    return toF32(a, b) ? ElementwiseRules.div(f32(a), f32(b)) : binary("div", a, b, (x, y) -> x / y);
  }

  /** ∂a = unbroadcast(g), ∂b = ±unbroadcast(g). */
  public static Grads addSubVjp(Tensor g, Tensor a, Tensor b, double sign) {
    Tensor gb = unbroadcast(g, b.shape());
    return Grads.of(as(unbroadcast(g, a.shape()), a), as(sign > 0 ? gb : unary(gb, x -> -x), b));
  }

  /** ∂a = unbroadcast(g·b), ∂b = unbroadcast(g·a). */
  public static Grads mulVjp(Tensor g, Tensor a, Tensor b) {
    return Grads.of(as(unbroadcast(binary("mul", g, b, (x, y) -> x * y), a.shape()), a),
        as(unbroadcast(binary("mul", g, a, (x, y) -> x * y), b.shape()), b));
  }

  /** ∂a = unbroadcast(g / b), ∂b = unbroadcast(-g·a / b²). */
  public static Grads divVjp(Tensor g, Tensor a, Tensor b) {
    Tensor gb = binary("div", g, b, (x, y) -> x / y);
    Tensor q = binary("div", binary("mul", gb, a, (x, y) -> -x * y), b, (x, y) -> x / y);
    return Grads.of(as(unbroadcast(gb, a.shape()), a), as(unbroadcast(q, b.shape()), b));
  }

  // ---------------------------------------------------------------------------------------------
  // With a Java scalar (a FLOAT64 tensor stays FLOAT64)

  /** {@code s·a + t}. */
  public static Tensor affine(Tensor a, double s, double t) {
    return unary(a, x -> s * x + t);
  }

  /** ∂a = g·s, ∂s = Σ g·a (the gradient of a scalar {@code mul}). */
  public static Grads mulScalarVjp(Tensor g, Tensor a, double s) {
    return Grads.lazy(2, i -> i == 0 ? as(affine(g, s, 0), a) : dotAll(g, a));
  }

  /** {@code a / s}. */
  public static Tensor div(Tensor a, double s) {
    return unary(a, x -> x / s);
  }

  /** ∂a = g / s, ∂s = -Σ g·a / s². */
  public static Grads divScalarVjp(Tensor g, Tensor a, double s) {
    return Grads.lazy(2, i -> i == 0 ? as(div(g, s), a) : scalar(-dotAll(g, a).itemDouble() / (s * s)));
  }

  /** ∂a = ±g, ∂s = ±Σg ({@code add}, {@code sub}, {@code rsub} with a scalar). */
  public static Grads shiftScalarVjp(Tensor g, Tensor a, double signA, double signS) {
    return Grads.lazy(2, i -> i == 0 ? as(signA > 0 ? g : affine(g, -1, 0), a)
        : scalar(signS * sumAll(g).itemDouble()));
  }

  /** {@code a ** p}. */
  public static Tensor pow(Tensor a, double p) {
    return p == 2 ? unary(a, x -> x * x) : unary(a, x -> Math.pow(x, p));
  }

  /** ∂a = g·p·a^(p-1) (0 where p = 0), ∂p = Σ g·out·ln a over a ≠ 0. */
  public static Grads powVjp(Tensor g, Tensor out, Tensor a, double p) {
    return Grads.lazy(2, i -> {
      if (i == 0) {
        return as(binary("pow", g, a, (x, y) -> p == 0 ? 0 : p == 2 ? x * 2 * y : x * p * Math.pow(y, p - 1)), a);
      }
      double[] x = d(a);
      double[] gs = d(g);
      double[] o = d(out);
      double s = 0;
      for (int j = 0; j < x.length; j++) {
        if (x[j] != 0) {
          s += gs[j] * o[j] * Math.log(x[j]);
        }
      }
      return scalar(s);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Unary math: forward f, adjoint g·f'(x, out)

  /** A unary function's derivative from its input and output. */
  @FunctionalInterface
  public interface Derivative {
    double at(double x, double out);
  }

  /** ∂a = g·f'(a, out), elementwise. */
  public static Grads unaryVjp(Tensor g, Tensor out, Tensor a, Derivative df) {
    double[] gs = d(g);
    // an in-place operation's node keeps only what its derivative reads: the input or the result
    double[] x = a == null ? d(out) : d(a);
    double[] o = out == null ? x : d(out);
    double[] r = new double[gs.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = gs[i] * df.at(x[i], o[i]);
    }
    return Grads.of(as(wrap(r, g.shape()), a));
  }

  /** The logistic function, stable for large |x|. */
  public static double sigmoid(double x) {
    if (x >= 0) {
      return 1.0 / (1.0 + Math.exp(-x));
    }
    double e = Math.exp(x);
    return e / (1.0 + e);
  }

  // ---------------------------------------------------------------------------------------------
  // Reductions

  /** The sum of all elements (0-D FLOAT64). */
  public static Tensor sum(Tensor a) {
    return sumAll(a);
  }

  /** The sum or mean over the dimensions in {@code dims} (all when empty). */
  public static Tensor reduce(Tensor a, int[] dims, boolean keepDim, boolean mean) {
    int r = a.dim();
    boolean[] reduced = new boolean[r];
    if (dims.length == 0) {
      Arrays.fill(reduced, true);
    }
    for (int dim : dims) {
      if (r > 0) {
        reduced[Shapes.dim(mean ? "mean" : "sum", dim, r)] = true;
      }
    }
    int[] shape = a.shape();
    int[] keep = shape.clone();
    int count = 1;
    for (int i = 0; i < r; i++) {
      if (reduced[i]) {
        count *= shape[i];
        keep[i] = 1;
      }
    }
    double[] x = d(a);
    double[] out = new double[Shapes.numel(keep)];
    int[] st = Shapes.broadcastStrides(keep, shape);
    int[] idx = new int[r];
    int off = 0;
    for (int i = 0; i < x.length; i++) {
      out[off] += x[i];
      for (int dd = r - 1; dd >= 0; dd--) {
        off += st[dd];
        if (++idx[dd] < shape[dd]) {
          break;
        }
        off -= st[dd] * shape[dd];
        idx[dd] = 0;
      }
    }
    if (mean) {
      for (int i = 0; i < out.length; i++) {
        out[i] = count == 0 ? Double.NaN : out[i] / count;
      }
    }
    if (keepDim || r == 0) {
      return wrap(out, keep);
    }
    int[] squeezed = new int[r - (int) java.util.stream.IntStream.range(0, r).filter(i -> reduced[i]).count()];
    for (int i = 0, j = 0; i < r; i++) {
      if (!reduced[i]) {
        squeezed[j++] = shape[i];
      }
    }
    return wrap(out, squeezed);
  }

  /** ∂a of a sum or mean over {@code dims}: g (with the reduced dimensions restored) broadcast, / count. */
  public static Grads reduceVjp(Tensor g, Tensor a, int[] dims, boolean keepDim, boolean mean) {
    int r = a.dim();
    int[] shape = a.shape();
    boolean[] reduced = new boolean[r];
    if (dims.length == 0) {
      Arrays.fill(reduced, true);
    }
    for (int dim : dims) {
      if (r > 0) {
        reduced[Shapes.dim("sum", dim, r)] = true;
      }
    }
    int[] keep = shape.clone();
    int count = 1;
    for (int i = 0; i < r; i++) {
      if (reduced[i]) {
        count *= shape[i];
        keep[i] = 1;
      }
    }
    double scale = mean ? 1.0 / count : 1.0;
    Tensor gk = wrap(d(g), keep);
    Tensor out = binary("expand", gk, Tensor.zeros(shape, DType.FLOAT64), (x, y) -> x * scale);
    return Grads.of(as(out, a));
  }

  /** The largest ({@code sign} 1) or smallest (-1) element, NaN if any is NaN (0-D FLOAT64). */
  public static Tensor extreme(Tensor a, int sign) {
    double[] x = d(a);
    double m = x[0];
    for (double v : x) {
      if (Double.isNaN(v)) {
        return scalar(Double.NaN);
      }
      m = sign > 0 ? Math.max(m, v) : Math.min(m, v);
    }
    return scalar(m);
  }

  /** ∂a = g shared evenly among the elements equal to the extreme (PyTorch's tie rule). */
  public static Grads extremeVjp(Tensor g, Tensor out, Tensor a) {
    double m = out.itemDouble();
    double[] x = d(a);
    int count = 0;
    for (double v : x) {
      if (v == m || Double.isNaN(m) && Double.isNaN(v)) {
        count++;
      }
    }
    double share = g.itemDouble() / count;
    double[] ga = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      if (x[i] == m || Double.isNaN(m) && Double.isNaN(x[i])) {
        ga[i] = share;
      }
    }
    return Grads.of(as(wrap(ga, a.shape()), a));
  }

  // ---------------------------------------------------------------------------------------------
  // Matrix product

  /** PyTorch's products do not promote: both operands must have one dtype. */
  static void sameDtype(String op, Tensor a, Tensor b) {
    if (a.dtype() != b.dtype()) {
      throw new IllegalArgumentException(op + ": expected both operands to have the same dtype, but got "
          + a.dtype() + " and " + b.dtype() + " (shapes " + Shapes.str(a.shape()) + " and " + Shapes.str(b.shape())
          + "); convert one with to(dtype)");
    }
  }

  /** {@code a @ b} in double (promoting a float32 operand), batched and broadcast as {@link LinalgRules#matmul}. */
  public static Tensor matmul(Tensor a, Tensor b) {
    sameDtype("matmul", a, b);
    LinalgRules.Plan p = LinalgRules.Plan.of(a.shape(), b.shape());
    double[] x = d(a);
    double[] y = d(b);
    double[] out = new double[Shapes.numel(p.outShape())];
    int mk = p.m() * p.k();
    int kn = p.k() * p.n();
    int mn = p.m() * p.n();
    for (int i = 0; i < Math.max(1, p.batches()); i++) {
      int[] o = p.batch().length == 0 ? new int[2] : p.offsets(i);
      DoubleKernels.gemm(false, false, p.m(), p.n(), p.k(), x, o[0] * mk, y, o[1] * kn, out, i * mn, false);
    }
    return wrap(out, p.outShape());
  }

  /** ∂a = g·bᵀ, ∂b = aᵀ·g, summed over broadcast batch dimensions. */
  public static Grads matmulVjp(Tensor g, Tensor a, Tensor b) {
    LinalgRules.Plan p = LinalgRules.Plan.of(a.shape(), b.shape());
    double[] ga = new double[a.numel()];
    double[] gb = new double[b.numel()];
    double[] gs = d(g);
    double[] x = d(a);
    double[] y = d(b);
    int mk = p.m() * p.k();
    int kn = p.k() * p.n();
    int mn = p.m() * p.n();
    for (int i = 0; i < Math.max(1, p.batches()); i++) {
      int[] o = p.batch().length == 0 ? new int[2] : p.offsets(i);
      DoubleKernels.gemm(false, true, p.m(), p.k(), p.n(), gs, i * mn, y, o[1] * kn, ga, o[0] * mk, true);
      DoubleKernels.gemm(true, false, p.k(), p.n(), p.m(), x, o[0] * mk, gs, i * mn, gb, o[1] * kn, true);
    }
    return Grads.of(as(wrap(ga, a.shape()), a), as(wrap(gb, b.shape()), b));
  }

  /** {@code x·Wᵀ + b} in double, x of shape [..., in]; {@code bias} may be null. */
  public static Tensor linear(Tensor x, Tensor w, Tensor bias) {
    sameDtype("linear", x, w);
    if (bias != null) {
      sameDtype("linear", x, bias);
    }
    int in = w.size(1);
    int outF = w.size(0);
    int rows = in == 0 ? 0 : x.numel() / in;
    double[] o = new double[rows * outF];
    if (bias != null) {
      double[] b = d(bias);
      for (int r = 0; r < rows; r++) {
        System.arraycopy(b, 0, o, r * outF, outF);
      }
    }
    DoubleKernels.gemm(false, true, rows, outF, in, d(x), 0, d(w), 0, o, 0, true);
    int[] os = x.shape();
    os[os.length - 1] = outF;
    return wrap(o, os);
  }

  /** ∂x = g·W, ∂W = gᵀ·x, ∂b = Σ_rows g. */
  public static Grads linearVjp(Tensor g, Tensor x, Tensor w, Tensor bias) {
    int in = w.size(1);
    int outF = w.size(0);
    int rows = in == 0 ? 0 : x.numel() / in;
    double[] gs = d(g);
    return Grads.lazy(3, i -> {
      if (i == 0) {
        double[] gx = new double[rows * in];
        DoubleKernels.gemm(false, false, rows, in, outF, gs, 0, d(w), 0, gx, 0, false);
        return as(wrap(gx, x.shape()), x);
      }
      if (i == 1) {
        double[] gw = new double[outF * in];
        DoubleKernels.gemm(true, false, outF, in, rows, gs, 0, d(x), 0, gw, 0, false);
        return as(wrap(gw, w.shape()), w);
      }
      if (bias == null) {
        return null;
      }
      double[] gb = new double[outF];
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < outF; c++) {
          gb[c] += gs[r * outF + c];
        }
      }
      return as(wrap(gb, bias.shape()), bias);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // softmax, logSoftmax, mseLoss

  /** softmax ({@code log} false) or logSoftmax along {@code dim}, stably, in double. */
  public static Tensor softmax(Tensor x, int dim, boolean log) {
    int[] s = Shapes.split(x.shape(), x.dim() == 0 ? 0 : Shapes.dim("softmax", dim, x.dim()));
    double[] v = d(x);
    double[] out = new double[v.length];
    for (int a = 0; a < s[0]; a++) {
      for (int i = 0; i < s[2]; i++) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < s[1]; j++) {
          max = Math.max(max, v[(a * s[1] + j) * s[2] + i]);
        }
        double sum = 0;
        for (int j = 0; j < s[1]; j++) {
          sum += Math.exp(v[(a * s[1] + j) * s[2] + i] - max);
        }
        double lse = Math.log(sum);
        for (int j = 0; j < s[1]; j++) {
          int q = (a * s[1] + j) * s[2] + i;
          out[q] = log ? v[q] - max - lse : Math.exp(v[q] - max) / sum;
        }
      }
    }
    return wrap(out, x.shape());
  }

  /** softmax: ∂x = out·(g - Σ g·out); logSoftmax: ∂x = g - exp(out)·Σ g; along {@code dim}. */
  public static Grads softmaxVjp(Tensor g, Tensor out, Tensor x, int dim, boolean log) {
    int[] s = Shapes.split(x.shape(), x.dim() == 0 ? 0 : Shapes.dim("softmax", dim, x.dim()));
    double[] gs = d(g);
    double[] o = d(out);
    double[] gx = new double[o.length];
    for (int a = 0; a < s[0]; a++) {
      for (int i = 0; i < s[2]; i++) {
        double acc = 0;
        for (int j = 0; j < s[1]; j++) {
          int q = (a * s[1] + j) * s[2] + i;
          acc += log ? gs[q] : gs[q] * o[q];
        }
        for (int j = 0; j < s[1]; j++) {
          int q = (a * s[1] + j) * s[2] + i;
          gx[q] = log ? gs[q] - Math.exp(o[q]) * acc : o[q] * (gs[q] - acc);
        }
      }
    }
    return Grads.of(as(wrap(gx, x.shape()), x), null);
  }

  /** {@code mean((input - target)²)} in double. */
  public static Tensor mseLoss(Tensor input, Tensor target) {
    double[] x = d(input);
    double[] y = d(target);
    double acc = 0;
    for (int i = 0; i < x.length; i++) {
      double e = x[i] - y[i];
      acc += e * e;
    }
    return scalar(acc / x.length);
  }

  /** ∂input = 2·g·(input - target)/n, ∂target = -∂input. */
  public static Grads mseLossVjp(Tensor g, Tensor input, Tensor target) {
    double[] x = d(input);
    double[] y = d(target);
    double scale = 2 * g.itemDouble() / x.length;
    double[] gi = new double[x.length];
    double[] gt = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      gi[i] = scale * (x[i] - y[i]);
      gt[i] = -gi[i];
    }
    return Grads.of(as(wrap(gi, input.shape()), input), as(wrap(gt, target.shape()), target));
  }
}
