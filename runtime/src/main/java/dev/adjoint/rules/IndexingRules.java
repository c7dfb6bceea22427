package dev.adjoint.rules;

import static dev.adjoint.rules.Rules.unbroadcast;

import dev.adjoint.shape.Shapes;
import dev.adjoint.Tensor;
import dev.adjoint.Tensor.DType;
import dev.adjoint.autograd.Grads;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Indexing with tensors, forward and adjoint together: advanced indexing ({@code x[i, :, j]}, masks),
 * {@code indexPut}, {@code gather}, {@code scatter}/{@code scatterAdd}, {@code indexSelect},
 * {@code maskedFill}, {@code maskedSelect}, {@code where}, the comparisons that make masks, and the
 * orderings ({@code sort}, {@code argsort}, {@code topk}) whose values are gathered at their indices.
 *
 * <p>Index tensors are {@link DType#INT64} (negative entries count from the end, as PyTorch), masks
 * {@link DType#BOOL}; neither is differentiable, so their entries in an adjoint's {@code Grads} are
 * {@code null}. Every tensor is read through {@link Tensor#storage()} (row-major), so these rules work on
 * views too. Errors use PyTorch's wording and name the operation and the shapes or values.
 */
public final class IndexingRules {
  private IndexingRules() {}

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** Throws unless {@code idx} is an INT64 index tensor. */
  static void requireLong(String op, String what, Tensor idx) {
    if (idx.dtype() != DType.INT64) {
      throw new IllegalArgumentException(op + ": Expected dtype int64 for " + what + " (got " + idx.dtype()
          + " of shape " + Shapes.str(idx.shape()) + ")");
    }
  }

  /** Throws unless {@code mask} is a BOOL tensor. */
  static void requireBool(String op, Tensor mask) {
    if (mask.dtype() != DType.BOOL) {
      throw new IllegalArgumentException(op + ": expected a BOOL mask (from a comparison such as x.gt(0)), got "
          + mask.dtype() + " of shape " + Shapes.str(mask.shape()));
    }
  }

  /**
   * {@code v} as an index into a dimension of {@code size}, bounds-checked, without wrapping negatives:
   * {@code gather}, {@code scatter} and {@code indexSelect} reject them, as PyTorch.
   */
  static int strict(String op, float v, int size, int dim) {
    int i = (int) v;
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException(op + ": index " + i + " is out of bounds for dimension " + dim
          + " with size " + size);
    }
    return i;
  }

  /** {@code v} as an index into a dimension of {@code size}: negatives count from the end; bounds-checked. */
  static int wrap(String op, float v, int size, int dim) {
    int i = (int) v;
    int r = i < 0 ? i + size : i;
    if (r < 0 || r >= size) {
      throw new IndexOutOfBoundsException(op + ": index " + i + " is out of bounds for dimension " + dim
          + " with size " + size);
    }
    return r;
  }

  static Tensor longs(float[] values, int[] shape) {
    return Tensor.wrap(values, shape, DType.INT64);
  }

  /** The row-major strides of {@code shape} (no copy of the tensor). */
  private static int[] strides(int[] shape) {
    return Shapes.strides(shape);
  }

  /** The coordinates of row-major element {@code flat} of {@code shape}, into {@code coord}. */
  private static void coords(int flat, int[] shape, int[] coord) {
    for (int d = shape.length - 1; d >= 0; d--) {
      int n = shape[d];
      coord[d] = n == 0 ? 0 : flat % n;
      flat = n == 0 ? 0 : flat / n;
    }
  }

  /** {@code t} broadcast to {@code shape} as a row-major array (no copy when the shapes agree). */
  static float[] expandTo(String op, Tensor t, int[] shape) {
    int[] ts = t.shape();
    float[] src = t.storage();
    if (Arrays.equals(ts, shape)) {
      return src;
    }
    int[] bs = Shapes.broadcast(op, ts, shape);
    if (!Arrays.equals(bs, shape)) {
      throw new IllegalArgumentException(op + ": shape " + Shapes.str(ts) + " cannot be broadcast to "
          + Shapes.str(shape));
    }
    int[] st = Shapes.broadcastStrides(ts, shape);
    float[] out = new float[Shapes.numel(shape)];
    int[] c = new int[shape.length];
    for (int i = 0; i < out.length; i++) {
      coords(i, shape, c);
      int off = 0;
      for (int d = 0; d < c.length; d++) {
        off += c[d] * st[d];
      }
      out[i] = src[off];
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Comparisons (BOOL masks; not differentiable)

  /** {@code a op b} elementwise with broadcasting, as a BOOL mask: op is one of gt lt ge le eq ne. */
  public static Tensor compare(String op, Tensor a, Tensor b) {
    if (F64Rules.any(a, b)) {
      if (F64Rules.toF32(a, b)) {
        return compare(op, F64Rules.f32(a), F64Rules.f32(b));
      }
      Tensor r = F64Rules.binary(op, a, b, (x, y) -> test64(op, x, y) ? 1 : 0);
      return Tensor.wrap(bools(F64Rules.d(r)), r.shape(), DType.BOOL);
    }
    Tensor r = Rules.broadcastBinary(op, a, b, (x, y) -> test(op, x, y) ? 1f : 0f);
    return Tensor.wrap(r.storage(), r.shape(), DType.BOOL);
  }

  /** {@code a op s} elementwise, as a BOOL mask. */
  public static Tensor compare(String op, Tensor a, double s) {
    if (F64Rules.any(a)) {
      double[] x = F64Rules.d(a);
      double[] t = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        t[i] = test64(op, x[i], s) ? 1 : 0;
      }
      return Tensor.wrap(bools(t), a.shape(), DType.BOOL);
    }
    float v = (float) s;
    float[] x = a.storage();
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = test(op, x[i], v) ? 1f : 0f;
    }
    return Tensor.wrap(out, a.shape(), DType.BOOL);
  }

  /** {@link #test} on doubles: the comparisons of float64 operands. */
  private static boolean test64(String op, double x, double y) {
    return switch (op) {
      case "gt" -> x > y;
      case "lt" -> x < y;
      case "ge" -> x >= y;
      case "le" -> x <= y;
      case "eq" -> x == y;
      case "ne" -> x != y;
      default -> throw new IllegalArgumentException("compare: unknown comparison " + op);
    };
  }

  private static float[] bools(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }

  private static boolean test(String op, float x, float y) {
    return switch (op) {
      case "gt" -> x > y;
      case "lt" -> x < y;
      case "ge" -> x >= y;
      case "le" -> x <= y;
      case "eq" -> x == y;
      case "ne" -> x != y;
      default -> throw new IllegalArgumentException("compare: unknown comparison " + op);
    };
  }

  /** The elementwise negation of a BOOL mask ({@code ~mask}, {@code logical_not}). */
  public static Tensor logicalNot(Tensor a) {
    float[] x = a.storage();
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] == 0 ? 1f : 0f;
    }
    return Tensor.wrap(out, a.shape(), DType.BOOL);
  }

  // ---------------------------------------------------------------------------------------------
  // Advanced indexing: x[indices] with INT64 index tensors, BOOL masks and null (a full slice ":")

  /**
   * Where each element of {@code x[indices]} comes from: the result's shape and, per result element in
   * row-major order, its offset in {@code x}'s row-major storage. PyTorch's rules: a mask of k dimensions
   * stands for the k index tensors of its non-zero positions; trailing dimensions without an index are
   * full slices; the index tensors broadcast together; when they are adjacent their broadcast shape takes
   * their place in the result, otherwise it comes first.
   */
  record Plan(int[] shape, int[] offsets) {}

  static Plan plan(String op, int[] shape, Tensor[] indices) {
    List<Tensor> idx = new ArrayList<>();
    for (Tensor t : indices) {
      if (t == null) {
        idx.add(null);
      } else if (t.dtype() == DType.BOOL) {
        int at = idx.size();
        int[] ms = t.shape();
        if (ms.length == 0) {
          throw new IllegalArgumentException(op + ": a 0-dimensional BOOL mask is not supported; use "
              + "unsqueeze or a 1-element mask");
        }
        for (int k = 0; k < ms.length; k++) {
          if (at + k >= shape.length || ms[k] != shape[at + k]) {
            throw new IndexOutOfBoundsException(op + ": The shape of the mask " + Shapes.str(ms) + " at index "
                + k + " does not match the shape of the indexed tensor " + Shapes.str(shape) + " at index "
                + (at + k));
          }
        }
        idx.addAll(Arrays.asList(nonzeroColumns(t)));
      } else if (t.dtype() == DType.INT64) {
        idx.add(t);
      } else {
        throw new IllegalArgumentException(op + ": tensors used as indices must be long, int, byte or bool "
            + "tensors: INT64 (Tensor.indices, randperm, argmax) or BOOL (a comparison), got " + t.dtype()
            + " of shape " + Shapes.str(t.shape()));
      }
    }
    if (idx.size() > shape.length) {
      throw new IndexOutOfBoundsException(op + ": too many indices for tensor of dimension " + shape.length
          + " (got " + idx.size() + ")");
    }
    while (idx.size() < shape.length) {
      idx.add(null);
    }
    int first = -1;
    int last = -1;
    int count = 0;
    int[] b = new int[0];
    for (int d = 0; d < idx.size(); d++) {
      if (idx.get(d) != null) {
        first = first < 0 ? d : first;
        last = d;
        count++;
        b = Shapes.broadcast(op, b, idx.get(d).shape());
      }
    }
    if (count == 0) {
      throw new IllegalArgumentException(op + ": at least one index must be a tensor (got only full slices)");
    }
    boolean adjacent = last - first + 1 == count;
    // result dims: for each, either a dimension of x (a slice) or a dimension of the broadcast shape b
    List<Integer> outShape = new ArrayList<>();
    List<Integer> xDimOf = new ArrayList<>(); // -1 - j for broadcast dim j
    if (adjacent) {
      for (int d = 0; d < first; d++) {
        outShape.add(shape[d]);
        xDimOf.add(d);
      }
      for (int j = 0; j < b.length; j++) {
        outShape.add(b[j]);
        xDimOf.add(-1 - j);
      }
      for (int d = last + 1; d < shape.length; d++) {
        outShape.add(shape[d]);
        xDimOf.add(d);
      }
    } else {
      for (int j = 0; j < b.length; j++) {
        outShape.add(b[j]);
        xDimOf.add(-1 - j);
      }
      for (int d = 0; d < shape.length; d++) {
        if (idx.get(d) == null) {
          outShape.add(shape[d]);
          xDimOf.add(d);
        }
      }
    }
    int[] os = outShape.stream().mapToInt(Integer::intValue).toArray();
    int[] xs = strides(shape);
    int n = Shapes.numel(os);
    int[] offsets = new int[n];
    int[] c = new int[os.length];
    int[] bc = new int[b.length];
    float[][] iv = new float[shape.length][];
    int[][] ist = new int[shape.length][];
    for (int d = 0; d < shape.length; d++) {
      if (idx.get(d) != null) {
        iv[d] = idx.get(d).storage();
        ist[d] = Shapes.broadcastStrides(idx.get(d).shape(), b);
      }
    }
    for (int o = 0; o < n; o++) {
      coords(o, os, c);
      int off = 0;
      for (int k = 0; k < c.length; k++) {
        int x = xDimOf.get(k);
        if (x >= 0) {
          off += c[k] * xs[x];
        } else {
          bc[-1 - x] = c[k];
        }
      }
      for (int d = 0; d < shape.length; d++) {
        if (iv[d] != null) {
          int at = 0;
          for (int j = 0; j < b.length; j++) {
            at += bc[j] * ist[d][j];
          }
          off += wrap(op, iv[d][at], shape[d], d) * xs[d];
        }
      }
      offsets[o] = off;
    }
    return new Plan(os, offsets);
  }

  /** The k INT64 index tensors of the non-zero positions of a k-dimensional mask, in row-major order. */
  static Tensor[] nonzeroColumns(Tensor mask) {
    int[] ms = mask.shape();
    float[] m = mask.storage();
    int nnz = 0;
    for (float v : m) {
      if (v != 0) {
        nnz++;
      }
    }
    float[][] cols = new float[ms.length][nnz];
    int[] c = new int[ms.length];
    int k = 0;
    for (int i = 0; i < m.length; i++) {
      if (m[i] != 0) {
        coords(i, ms, c);
        for (int d = 0; d < ms.length; d++) {
          cols[d][k] = c[d];
        }
        k++;
      }
    }
    Tensor[] out = new Tensor[ms.length];
    for (int d = 0; d < ms.length; d++) {
      out[d] = longs(cols[d], new int[] {nnz});
    }
    return out;
  }

  /** The positions of the non-zero elements, an INT64 tensor of shape (nnz, dim) ({@code torch.nonzero}). */
  public static Tensor nonzero(Tensor a) {
    Tensor[] cols = nonzeroColumns(a.dim() == 0 ? Tensor.wrap(a.storage(), new int[] {1}) : a);
    int k = a.dim();
    int nnz = cols[0].numel();
    float[] out = new float[nnz * k];
    for (int d = 0; d < k; d++) {
      float[] col = cols[d].storage();
      for (int i = 0; i < nnz; i++) {
        out[i * k + d] = col[i];
      }
    }
    return longs(out, new int[] {nnz, k});
  }

  /** {@code a[indices]}: see {@link #plan}. */
  public static Tensor index(Tensor a, Tensor[] indices) {
    if (F64Rules.any(a)) {
      return F64Rules.move(x -> index(x[0], indices), a);
    }
    Plan p = plan("index", a.shape(), indices);
    float[] src = a.storage();
    float[] out = new float[p.offsets.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = src[p.offsets[i]];
    }
    return Tensor.wrap(out, p.shape, a.dtype());
  }

  /** {@code a[idx]} with one index tensor or mask. */
  public static Tensor index(Tensor a, Tensor idx) {
    return index(a, new Tensor[] {idx});
  }

  /** ∂a = g added back at the positions read, summed where a position was read more than once. */
  public static Grads indexVjp(Tensor g, Tensor out, Tensor a, Tensor... indices) {
    if (F64Rules.any(g, a)) {
      return F64Rules.moveVjp(g, x -> index(x[0], indices), a, null);
    }
    return Grads.of(scatterBack("index", g, a.shape(), indices), null);
  }

  /** ∂a of {@code a[idx]}. */
  public static Grads indexOneVjp(Tensor g, Tensor out, Tensor a, Tensor idx) {
    if (F64Rules.any(g, a)) {
      return F64Rules.moveVjp(g, x -> index(x[0], new Tensor[] {idx}), a, null);
    }
    return Grads.of(scatterBack("index", g, a.shape(), new Tensor[] {idx}), null);
  }

  private static Tensor scatterBack(String op, Tensor g, int[] shape, Tensor[] indices) {
    Plan p = plan(op, shape, indices);
    float[] gs = g.storage();
    float[] ga = new float[Shapes.numel(shape)];
    for (int i = 0; i < p.offsets.length; i++) {
      ga[p.offsets[i]] += gs[i];
    }
    return Tensor.wrap(ga, shape);
  }

  /**
   * {@code a[indices] = values} on a copy of {@code a} ({@code index_put}), {@code values} broadcast to the
   * shape of {@code a[indices]}; with {@code accumulate}, {@code a[indices] += values}, summing repeated
   * positions. Without it, the last write to a repeated position wins (PyTorch leaves that unspecified).
   */
  public static Tensor indexPut(Tensor a, Tensor[] indices, Tensor values, boolean accumulate) {
    if (F64Rules.any(a, values)) {
      return indexPutF64(a, indices, values, accumulate);
    }
    Plan p = plan("indexPut_", a.shape(), indices);
    float[] v = expandValues(p, values);
    float[] out = a.storage().clone();
    for (int i = 0; i < p.offsets.length; i++) {
      if (accumulate) {
        out[p.offsets[i]] += v[i];
      } else {
        out[p.offsets[i]] = v[i];
      }
    }
    return Tensor.wrap(out, a.shape(), a.dtype());
  }

  /** {@link #indexPut} in double (the values promoted to the result's FLOAT64). */
  private static Tensor indexPutF64(Tensor a, Tensor[] indices, Tensor values, boolean accumulate) {
    Plan p = plan("indexPut_", a.shape(), indices);
    expandValues(p, Tensor.zeros(values.shape()));
    double[] v = F64Rules.d(F64Rules.binary("indexPut_", values, Tensor.zeros(p.shape, DType.FLOAT64), (x, y) -> x));
    double[] out = a.toDoubleArray();
    for (int i = 0; i < p.offsets.length; i++) {
      out[p.offsets[i]] = accumulate ? out[p.offsets[i]] + v[i] : v[i];
    }
    return Tensor.wrap(out, a.shape());
  }

  private static Grads indexPutVjpF64(Tensor g, Tensor a, Plan p, Tensor values, boolean accumulate) {
    double[] gs = F64Rules.d(g);
    double[] ga = gs.clone();
    double[] gv = new double[p.offsets.length];
    for (int i = 0; i < gv.length; i++) {
      gv[i] = gs[p.offsets[i]];
    }
    if (!accumulate) {
      for (int off : p.offsets) {
        ga[off] = 0;
      }
    }
    return Grads.of(F64Rules.as(Tensor.wrap(ga, a.shape()), a), null,
        F64Rules.as(F64Rules.unbroadcast(Tensor.wrap(gv, p.shape), values.shape()), values), null);
  }

  private static float[] expandValues(Plan p, Tensor values) {
    int[] vs = values.shape();
    int[] bs;
    try {
      bs = Shapes.broadcast("indexPut_", vs, p.shape);
    } catch (IllegalArgumentException e) {
      bs = null;
    }
    if (bs == null || !Arrays.equals(bs, p.shape)) {
      throw new IllegalArgumentException("indexPut_: shape mismatch: value tensor of shape " + Shapes.str(vs)
          + " cannot be broadcast to indexing result of shape " + Shapes.str(p.shape));
    }
    return expandTo("indexPut_", values, p.shape);
  }

  /**
   * ∂a = g, zero at the positions written (unless {@code accumulate}); ∂values = g at those positions,
   * summed over the dimensions along which {@code values} was broadcast.
   */
  public static Grads indexPutVjp(Tensor g, Tensor out, Tensor a, Tensor[] indices, Tensor values,
      boolean accumulate) {
    Plan p = plan("indexPut_", a.shape(), indices);
    if (F64Rules.any(g, a, values)) {
      return indexPutVjpF64(g, a, p, values, accumulate);
    }
    float[] gs = g.storage();
    Tensor ga;
    if (accumulate) {
      ga = g;
    } else {
      float[] d = gs.clone();
      for (int off : p.offsets) {
        d[off] = 0;
      }
      ga = Tensor.wrapLike(d, a);
    }
    float[] gv = new float[p.offsets.length];
    for (int i = 0; i < gv.length; i++) {
      gv[i] = gs[p.offsets[i]];
    }
    return Grads.of(ga, null, unbroadcast(Tensor.wrap(gv, p.shape), values), null);
  }

  // ---------------------------------------------------------------------------------------------
  // gather, scatter, scatterAdd, indexSelect

  /**
   * For every element of {@code index} (row-major), its offset in a tensor of {@code shape} with the
   * element's coordinate along {@code dim} replaced by the index value ({@code target}) or kept
   * ({@code target == null}, the source side of scatter).
   */
  private static int[] alongDim(String op, int[] shape, int dim, Tensor index, boolean useIndex) {
    int[] is = index.shape();
    int[] st = strides(shape);
    float[] iv = index.storage();
    int[] offs = new int[iv.length];
    int[] c = new int[is.length];
    for (int k = 0; k < iv.length; k++) {
      coords(k, is, c);
      int off = 0;
      for (int d = 0; d < c.length; d++) {
        off += (d == dim && useIndex ? strict(op, iv[k], shape.length == 0 ? 1 : shape[d], d) : c[d])
            * (shape.length == 0 ? 0 : st[d]);
      }
      offs[k] = off;
    }
    return offs;
  }

  /** PyTorch's shape checks for gather/scatter: same rank, and index no larger than the others off {@code dim}. */
  private static int checkAlong(String op, Tensor self, int dim, Tensor index, Tensor src) {
    requireLong(op, "index", index);
    int rank = Math.max(self.dim(), 1);
    int d = Shapes.dim(op, dim, rank);
    if (Math.max(index.dim(), 1) != rank || src != null && Math.max(src.dim(), 1) != rank) {
      throw new IllegalArgumentException(op + ": Index tensor must have the same number of dimensions as "
          + (src == null ? "input" : "self and src") + " tensor (self " + Shapes.str(self.shape()) + ", index "
          + Shapes.str(index.shape()) + (src == null ? "" : ", src " + Shapes.str(src.shape())) + ")");
    }
    int[] is = index.shape();
    for (int k = 0; k < is.length; k++) {
      if (k != d && self.dim() > 0 && is[k] > self.shape()[k]) {
        throw new IllegalArgumentException(op + ": Size does not match at dimension " + k + " expected index "
            + Shapes.str(is) + " to be smaller than self " + Shapes.str(self.shape()) + " apart from dimension "
            + d);
      }
      if (src != null && src.dim() > 0 && is[k] > src.shape()[k]) {
        throw new IllegalArgumentException(op + ": Size does not match at dimension " + k + " expected index "
            + Shapes.str(is) + " to be smaller than src " + Shapes.str(src.shape()));
      }
    }
    return d;
  }

  /** {@code out[i][j] = a[index[i][j]][j]} for dim 0, and so on ({@code torch.gather}); out has index's shape. */
  public static Tensor gather(Tensor a, int dim, Tensor index) {
    if (F64Rules.any(a)) {
      return F64Rules.move(x -> gather(x[0], dim, index), a);
    }
    int d = checkAlong("gather", a, dim, index, null);
    int[] offs = alongDim("gather", a.shape(), d, index, true);
    float[] src = a.storage();
    float[] out = new float[offs.length];
    for (int k = 0; k < out.length; k++) {
      out[k] = src[offs[k]];
    }
    return Tensor.wrap(out, index.shape(), a.dtype());
  }

  /** ∂a = g added at the gathered positions (a scatter-add into zeros). */
  public static Grads gatherVjp(Tensor g, Tensor out, Tensor a, int dim, Tensor index) {
    if (F64Rules.any(g, a)) {
      return F64Rules.moveVjp(g, x -> gather(x[0], dim, index), a, null, null);
    }
    int d = Shapes.dim("gather", dim, Math.max(a.dim(), 1));
    int[] offs = alongDim("gather", a.shape(), d, index, true);
    float[] gs = g.storage();
    float[] ga = new float[a.numel()];
    for (int k = 0; k < offs.length; k++) {
      ga[offs[k]] += gs[k];
    }
    return Grads.of(Tensor.wrapLike(ga, a), null, null);
  }

  /**
   * A copy of {@code a} with {@code src}'s elements written at the positions {@code index} gives along
   * {@code dim} ({@code torch.scatter}); {@code add} sums into them instead ({@code scatter_add}). A
   * repeated position keeps the last write without {@code add} (PyTorch leaves that unspecified).
   */
  public static Tensor scatter(Tensor a, int dim, Tensor index, Tensor src, boolean add) {
    if (F64Rules.any(a, src)) {
      return scatterF64(a, dim, index, src, add, 0);
    }
    String op = add ? "scatterAdd" : "scatter";
    int d = checkAlong(op, a, dim, index, src);
    int[] to = alongDim(op, a.shape(), d, index, true);
    int[] from = alongDim(op, src.shape(), d, index, false);
    float[] s = src.storage();
    float[] out = a.storage().clone();
    for (int k = 0; k < to.length; k++) {
      if (add) {
        out[to[k]] += s[from[k]];
      } else {
        out[to[k]] = s[from[k]];
      }
    }
    return Tensor.wrap(out, a.shape(), a.dtype());
  }

  /** {@code a} with {@code value} written at the positions {@code index} gives along {@code dim}. */
  public static Tensor scatter(Tensor a, int dim, Tensor index, double value) {
    if (F64Rules.any(a)) {
      return scatterF64(a, dim, index, null, false, value);
    }
    int d = checkAlong("scatter", a, dim, index, null);
    int[] to = alongDim("scatter", a.shape(), d, index, true);
    float[] out = a.storage().clone();
    for (int off : to) {
      out[off] = (float) value;
    }
    return Tensor.wrap(out, a.shape(), a.dtype());
  }

  /** ∂a = g, zero where written; ∂src = g gathered at the written positions (zero where src was not read). */
  public static Grads scatterVjp(Tensor g, Tensor out, Tensor a, int dim, Tensor index, Tensor src) {
    if (F64Rules.any(g, a, src)) {
      return scatterVjpF64(g, a, dim, index, src, true);
    }
    int d = Shapes.dim("scatter", dim, Math.max(a.dim(), 1));
    int[] to = alongDim("scatter", a.shape(), d, index, true);
    return Grads.of(zeroAt(g, to), null, null, gatherInto(g, to, src.shape(), d, index));
  }

  /** ∂a = g, zero where written. */
  public static Grads scatterValueVjp(Tensor g, Tensor out, Tensor a, int dim, Tensor index, double value) {
    if (F64Rules.any(g, a)) {
      return scatterVjpF64(g, a, dim, index, null, true);
    }
    int d = Shapes.dim("scatter", dim, Math.max(a.dim(), 1));
    int[] to = alongDim("scatter", a.shape(), d, index, true);
    float[] gs = g.storage();
    java.util.BitSet seen = new java.util.BitSet();
    double sum = 0;
    for (int off : to) {
      if (!seen.get(off)) {
        seen.set(off);
        sum += gs[off];
      }
    }
    return Grads.of(zeroAt(g, to), null, null, Tensor.scalar(sum));
  }

  /** ∂a = g; ∂src = g gathered at the positions added to. */
  public static Grads scatterAddVjp(Tensor g, Tensor out, Tensor a, int dim, Tensor index, Tensor src) {
    if (F64Rules.any(g, a, src)) {
      return scatterVjpF64(g, a, dim, index, src, false);
    }
    int d = Shapes.dim("scatterAdd", dim, Math.max(a.dim(), 1));
    int[] to = alongDim("scatterAdd", a.shape(), d, index, true);
    return Grads.of(g, null, null, gatherInto(g, to, src.shape(), d, index));
  }

  private static Tensor zeroAt(Tensor g, int[] offsets) {
    float[] d = g.storage().clone();
    for (int off : offsets) {
      d[off] = 0;
    }
    return Tensor.wrapLike(d, g);
  }

  private static Tensor gatherInto(Tensor g, int[] to, int[] srcShape, int dim, Tensor index) {
    int[] from = alongDim("scatter", srcShape, dim, index, false);
    float[] gs = g.storage();
    float[] out = new float[Shapes.numel(srcShape)];
    for (int k = 0; k < to.length; k++) {
      out[from[k]] = gs[to[k]];
    }
    return Tensor.wrap(out, srcShape);
  }

  /** {@link #scatter} in double: {@code src} (or {@code value} when null) written, or added, at the positions. */
  private static Tensor scatterF64(Tensor a, int dim, Tensor index, Tensor src, boolean add, double value) {
    String op = add ? "scatterAdd" : "scatter";
    int d = checkAlong(op, a, dim, index, src);
    int[] to = alongDim(op, a.shape(), d, index, true);
    int[] from = src == null ? to : alongDim(op, src.shape(), d, index, false);
    double[] s = src == null ? null : F64Rules.d(src);
    double[] out = a.toDoubleArray();
    for (int k = 0; k < to.length; k++) {
      double v = s == null ? value : s[from[k]];
      out[to[k]] = add ? out[to[k]] + v : v;
    }
    return Tensor.wrap(out, a.shape());
  }

  /**
   * The adjoint of {@link #scatter} ({@code overwrite}: ∂a = g, zero where written) or scatterAdd (∂a = g), in
   * double; ∂src = g gathered at the written positions, or for a scalar value the sum of g there (each once).
   */
  private static Grads scatterVjpF64(Tensor g, Tensor a, int dim, Tensor index, Tensor src, boolean overwrite) {
    int d = Shapes.dim("scatter", dim, Math.max(a.dim(), 1));
    int[] to = alongDim("scatter", a.shape(), d, index, true);
    double[] gs = F64Rules.d(g);
    double[] ga = gs.clone();
    java.util.BitSet seen = new java.util.BitSet();
    double sum = 0;
    for (int off : to) {
      if (!seen.get(off)) {
        seen.set(off);
        sum += gs[off];
      }
      if (overwrite) {
        ga[off] = 0;
      }
    }
    Tensor gSrc;
    if (src == null) {
      gSrc = F64Rules.scalar(sum);
    } else {
      int[] from = alongDim("scatter", src.shape(), d, index, false);
      double[] gsrc = new double[src.numel()];
      for (int k = 0; k < to.length; k++) {
        gsrc[from[k]] = gs[to[k]];
      }
      gSrc = F64Rules.as(Tensor.wrap(gsrc, src.shape()), src);
    }
    return Grads.of(F64Rules.as(Tensor.wrap(ga, a.shape()), a), null, null, gSrc);
  }

  /** maskedFill's value as a 0-d FLOAT64 operand, after the mask's checks ({@link #maskFor}). */
  private static Tensor maskedFillValue(Tensor mask, Tensor a, double value) {
    maskFor("maskedFill", mask, a.shape());
    return F64Rules.scalar(value);
  }

  /** The slices of {@code a} along {@code dim} that a 1-D (or 0-D) INT64 {@code index} names ({@code index_select}). */
  public static Tensor indexSelect(Tensor a, int dim, Tensor index) {
    if (F64Rules.any(a)) {
      return F64Rules.move(x -> indexSelect(x[0], dim, index), a);
    }
    requireLong("indexSelect", "index", index);
    if (index.dim() > 1) {
      throw new IllegalArgumentException("indexSelect: Index is supposed to be a vector (got shape "
          + Shapes.str(index.shape()) + ")");
    }
    if (a.dim() == 0) {
      Shapes.dim("indexSelect", dim, 1);
      strict("indexSelect", index.storage()[0], 1, 0);
      return Tensor.wrap(a.storage().clone(), new int[0], a.dtype());
    }
    int d = Shapes.dim("indexSelect", dim, a.dim());
    int[] s = Shapes.split(a.shape(), d);
    float[] iv = index.storage();
    int[] os = a.shape();
    os[d] = iv.length;
    float[] src = a.storage();
    float[] out = new float[s[0] * iv.length * s[2]];
    for (int j = 0; j < iv.length; j++) {
      int r = strict("indexSelect", iv[j], s[1], d);
      for (int o = 0; o < s[0]; o++) {
        System.arraycopy(src, (o * s[1] + r) * s[2], out, (o * iv.length + j) * s[2], s[2]);
      }
    }
    return Tensor.wrap(out, os, a.dtype());
  }

  /** ∂a = g's slices added back at the selected positions ({@code index_add} into zeros). */
  public static Grads indexSelectVjp(Tensor g, Tensor out, Tensor a, int dim, Tensor index) {
    if (F64Rules.any(g, a)) {
      return F64Rules.moveVjp(g, x -> indexSelect(x[0], dim, index), a, null, null);
    }
    if (a.dim() == 0) {
      return Grads.of(Tensor.wrap(g.storage().clone(), new int[0]), null, null);
    }
    int d = Shapes.dim("indexSelect", dim, a.dim());
    int[] s = Shapes.split(a.shape(), d);
    float[] iv = index.storage();
    float[] gs = g.storage();
    float[] ga = new float[a.numel()];
    for (int j = 0; j < iv.length; j++) {
      int r = strict("indexSelect", iv[j], s[1], d);
      for (int o = 0; o < s[0]; o++) {
        int from = (o * iv.length + j) * s[2];
        int to = (o * s[1] + r) * s[2];
        for (int i = 0; i < s[2]; i++) {
          ga[to + i] += gs[from + i];
        }
      }
    }
    return Grads.of(Tensor.wrapLike(ga, a), null, null);
  }

  // ---------------------------------------------------------------------------------------------
  // maskedFill, maskedSelect, where

  /** The mask broadcast to {@code shape}, which must be the shape of the tensor it masks. */
  private static float[] maskFor(String op, Tensor mask, int[] shape) {
    requireBool(op, mask);
    int[] bs = Shapes.broadcast(op, mask.shape(), shape);
    if (!Arrays.equals(bs, shape)) {
      throw new IllegalArgumentException(op + ": the mask of shape " + Shapes.str(mask.shape())
          + " cannot be broadcast to the tensor's shape " + Shapes.str(shape));
    }
    return expandTo(op, mask, shape);
  }

  /** {@code a} with {@code value} where {@code mask} (broadcast to a's shape) is true ({@code masked_fill}). */
  public static Tensor maskedFill(Tensor a, Tensor mask, double value) {
    if (F64Rules.any(a)) {
      return F64Rules.move(x -> where(mask, x[1], x[0]), a, maskedFillValue(mask, a, value));
    }
    float[] m = maskFor("maskedFill", mask, a.shape());
    float[] out = a.storage().clone();
    for (int i = 0; i < out.length; i++) {
      if (m[i] != 0) {
        out[i] = (float) value;
      }
    }
    return Tensor.wrap(out, a.shape(), a.dtype());
  }

  /** ∂a = g where the mask is false, 0 where it is true; the value's (0-d) gradient is the sum of g where it is true. */
  public static Grads maskedFillVjp(Tensor g, Tensor out, Tensor a, Tensor mask, double value) {
    if (F64Rules.any(g, a)) {
      return F64Rules.moveVjp(g, x -> where(mask, x[2], x[0]), a, null, maskedFillValue(mask, a, value));
    }
    float[] m = maskFor("maskedFill", mask, a.shape());
    float[] d = g.storage().clone();
    double sum = 0;
    for (int i = 0; i < d.length; i++) {
      if (m[i] != 0) {
        sum += d[i];
        d[i] = 0;
      }
    }
    return Grads.of(Tensor.wrapLike(d, a), null, Tensor.scalar(sum));
  }

  /** The elements of {@code a} where {@code mask} is true, a 1-D tensor (both broadcast; {@code masked_select}). */
  public static Tensor maskedSelect(Tensor a, Tensor mask) {
    if (F64Rules.any(a)) {
      return F64Rules.move(x -> maskedSelect(x[0], mask), a);
    }
    requireBool("maskedSelect", mask);
    int[] s = Shapes.broadcast("maskedSelect", a.shape(), mask.shape());
    float[] x = expandTo("maskedSelect", a, s);
    float[] m = expandTo("maskedSelect", mask, s);
    int n = 0;
    for (float v : m) {
      n += v != 0 ? 1 : 0;
    }
    float[] out = new float[n];
    int k = 0;
    for (int i = 0; i < m.length; i++) {
      if (m[i] != 0) {
        out[k++] = x[i];
      }
    }
    return Tensor.wrap(out, new int[] {n}, a.dtype());
  }

  /** ∂a = g put back at the selected positions, summed over the dimensions along which a was broadcast. */
  public static Grads maskedSelectVjp(Tensor g, Tensor out, Tensor a, Tensor mask) {
    if (F64Rules.any(g, a)) {
      return F64Rules.moveVjp(g, x -> maskedSelect(x[0], mask), a, null);
    }
    int[] s = Shapes.broadcast("maskedSelect", a.shape(), mask.shape());
    float[] m = expandTo("maskedSelect", mask, s);
    float[] gs = g.storage();
    float[] full = new float[m.length];
    int k = 0;
    for (int i = 0; i < m.length; i++) {
      if (m[i] != 0) {
        full[i] = gs[k++];
      }
    }
    return Grads.of(unbroadcast(Tensor.wrap(full, s), a), null);
  }

  /** {@code cond ? a : b} elementwise, all three broadcast together ({@code torch.where}). */
  public static Tensor where(Tensor cond, Tensor a, Tensor b) {
    if (F64Rules.any(a, b)) {
      return F64Rules.move(x -> where(cond, x[0], x[1]), a, b);
    }
    requireBool("where", cond);
    int[] s = Shapes.broadcast("where", Shapes.broadcast("where", cond.shape(), a.shape()), b.shape());
    float[] c = expandTo("where", cond, s);
    float[] x = expandTo("where", a, s);
    float[] y = expandTo("where", b, s);
    float[] out = new float[c.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = c[i] != 0 ? x[i] : y[i];
    }
    return Tensor.wrap(out, s, a.dtype() == b.dtype() ? a.dtype() : DType.FLOAT32);
  }

  /** ∂a = g where cond, ∂b = g elsewhere, each summed to its input's shape. */
  public static Grads whereVjp(Tensor g, Tensor out, Tensor cond, Tensor a, Tensor b) {
    if (F64Rules.any(g, a, b)) {
      return F64Rules.moveVjp(g, x -> where(cond, x[1], x[2]), null, a, b);
    }
    return Grads.lazy(3, i -> i == 0 ? null : unbroadcast(select(g, cond, i == 1), i == 1 ? a.shape() : b.shape()));
  }

  /** {@code cond ? a : b} for a scalar {@code b}. */
  public static Tensor where(Tensor cond, Tensor a, double b) {
    if (F64Rules.any(a)) {
      return where(cond, a, F64Rules.scalar(b));
    }
    return where(cond, a, Tensor.scalar(b));
  }

  /** ∂a = g where cond; the scalar's (0-d) gradient is the sum of g elsewhere. */
  public static Grads whereScalarOtherVjp(Tensor g, Tensor out, Tensor cond, Tensor a, double b) {
    if (F64Rules.any(g, a)) {
      return F64Rules.moveVjp(g, x -> where(cond, x[1], x[2]), null, a, F64Rules.scalar(b));
    }
    return Grads.lazy(3, i -> i == 0 ? null
        : i == 1 ? unbroadcast(select(g, cond, true), a) : Rules.sumAll(select(g, cond, false)));
  }

  /** {@code cond ? a : b} for a scalar {@code a}. */
  public static Tensor where(Tensor cond, double a, Tensor b) {
    if (F64Rules.any(b)) {
      return where(cond, F64Rules.scalar(a), b);
    }
    return where(cond, Tensor.scalar(a), b);
  }

  /** ∂b = g where not cond; the scalar's (0-d) gradient is the sum of g where cond. */
  public static Grads whereScalarSelfVjp(Tensor g, Tensor out, Tensor cond, double a, Tensor b) {
    if (F64Rules.any(g, b)) {
      return F64Rules.moveVjp(g, x -> where(cond, x[1], x[2]), null, F64Rules.scalar(a), b);
    }
    return Grads.lazy(3, i -> i == 0 ? null
        : i == 2 ? unbroadcast(select(g, cond, false), b) : Rules.sumAll(select(g, cond, true)));
  }

  /** g where cond (when {@code where}) or where not cond, 0 elsewhere, in g's shape. */
  private static Tensor select(Tensor g, Tensor cond, boolean where) {
    float[] c = expandTo("where", cond, g.shape());
    float[] d = g.storage().clone();
    for (int i = 0; i < d.length; i++) {
      if ((c[i] != 0) != where) {
        d[i] = 0;
      }
    }
    return Tensor.wrapLike(d, g);
  }

  // ---------------------------------------------------------------------------------------------
  // Orderings: sort, argsort, topk (indices computed here; values gathered at them)

  /**
   * The indices that sort {@code a} along {@code dim} ({@code argsort}), stably: equal values keep their
   * order, in both directions. NaN sorts above every number (last ascending, first descending), and -0.0
   * equals 0.0, as PyTorch.
   */
  public static Tensor argsort(Tensor a, int dim, boolean descending) {
    if (F64Rules.any(a)) {
      return argsort(F64Rules.ranks(a), dim, descending);
    }
    if (a.dim() == 0) {
      Shapes.dim("sort", dim, 1);
      return longs(new float[] {0}, new int[0]);
    }
    int d = Shapes.dim("sort", dim, a.dim());
    int[] s = Shapes.split(a.shape(), d);
    float[] x = a.storage();
    float[] out = new float[x.length];
    Integer[] order = new Integer[s[1]];
    float[] row = new float[s[1]];
    for (int o = 0; o < s[0]; o++) {
      for (int i = 0; i < s[2]; i++) {
        for (int j = 0; j < s[1]; j++) {
          order[j] = j;
          row[j] = x[(o * s[1] + j) * s[2] + i];
        }
        Arrays.sort(order, (p, q) -> descending ? compareValues(row[q], row[p]) : compareValues(row[p], row[q]));
        for (int j = 0; j < s[1]; j++) {
          out[(o * s[1] + j) * s[2] + i] = order[j];
        }
      }
    }
    return longs(out, a.shape());
  }

  /** Orders NaN above every number and -0.0 equal to 0.0. */
  private static int compareValues(float p, float q) {
    if (p < q) {
      return -1;
    }
    if (p > q) {
      return 1;
    }
    boolean pn = Float.isNaN(p);
    boolean qn = Float.isNaN(q);
    return pn == qn ? 0 : pn ? 1 : -1;
  }

  /** The first {@code k} indices along {@code dim} of the order {@link #argsort} gives ({@code topk}'s indices). */
  public static Tensor topkIndices(Tensor a, int k, int dim, boolean largest) {
    if (F64Rules.any(a)) {
      return topkIndices(F64Rules.ranks(a), k, dim, largest);
    }
    int rank = Math.max(a.dim(), 1);
    int d = Shapes.dim("topk", dim, rank);
    int n = a.dim() == 0 ? 1 : a.shape()[d];
    if (k < 0 || k > n) {
      throw new IllegalArgumentException("topk: selected index k out of range (k = " + k + ", dimension " + d
          + " of shape " + Shapes.str(a.shape()) + ")");
    }
    Tensor order = argsort(a, dim, largest);
    if (a.dim() == 0) {
      return k == 1 ? order : longs(new float[0], new int[] {0});
    }
    int[] s = Shapes.split(a.shape(), d);
    float[] o = order.storage();
    float[] out = new float[s[0] * k * s[2]];
    for (int b = 0; b < s[0]; b++) {
      System.arraycopy(o, b * s[1] * s[2], out, b * k * s[2], k * s[2]);
    }
    int[] os = a.shape();
    os[d] = k;
    return longs(out, os);
  }

  /**
   * The elements of {@code a} at {@code indices} along {@code dim}: the values of {@code sort} and
   * {@code topk} ({@code gather}, with the node name of the operation that chose the indices).
   */
  public static Tensor valuesAt(Tensor a, int dim, Tensor indices) {
    if (F64Rules.any(a)) {
      return F64Rules.move(x -> valuesAt(x[0], dim, indices), a);
    }
    if (a.dim() == 0) {
      return indices.dim() == 0 ? Tensor.wrap(a.storage().clone(), new int[0], a.dtype())
          : Tensor.wrap(new float[0], indices.shape(), a.dtype());
    }
    return gather(a, dim, indices);
  }

  /** ∂a = g put back at the chosen indices (each index is chosen at most once per slice). */
  public static Grads valuesAtVjp(Tensor g, Tensor out, Tensor a, int dim, Tensor indices) {
    if (F64Rules.any(g, a)) {
      return F64Rules.moveVjp(g, x -> valuesAt(x[0], dim, indices), a, null, null);
    }
    if (a.dim() == 0) {
      return Grads.of(indices.numel() == 0 ? Tensor.zeros() : Tensor.wrap(g.storage().clone(), new int[0]),
          null, null);
    }
    return gatherVjp(g, out, a, dim, indices);
  }

  /** ∂a of the values of {@code sort}: {@link #valuesAtVjp}. */
  public static Grads sortValuesVjp(Tensor g, Tensor out, Tensor a, int dim, boolean stable, Tensor indices) {
    return Grads.of(valuesAtVjp(g, out, a, dim, indices).get(0), null, null, null);
  }

  /** PyTorch's node for sort's values: {@code SortBackward1} for the {@code stable} overload, else {@code SortBackward0}. */
  public static String sortNode(Tensor a, int dim, boolean stable, Tensor indices) {
    return stable ? "SortBackward1" : "SortBackward0";
  }
}
