package dev.adjoint.rules;

import dev.adjoint.shape.Shapes;
import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;
import java.util.List;

/** Operations that move elements without arithmetic (transpose, reshape, index, slice, cat, stack). */
public final class ShapeRules {
  private ShapeRules() {}

  // ---- transpose

  /** The transpose of a tensor of at most 2 dimensions. */
  public static Tensor t(Tensor a) {
    if (F64Rules.any(a)) {
      return F64Rules.move(x -> t(x[0]), a);
    }
    if (a.dim() > 2) {
      throw new IllegalArgumentException("t: expects a tensor with <= 2 dimensions, but got shape "
          + Shapes.str(a.shape()) + "; use transpose(d0, d1)");
    }
    return a.dim() < 2 ? Tensor.wrap(a.storage().clone(), a.shape()) : swap(a, 0, 1);
  }

  /** ∂a = gᵀ. */
  public static Grads tVjp(Tensor g, Tensor out, Tensor a) {
    return Grads.of(a.dim() < 2 ? g : swap(g, 0, 1));
  }

  /** Swaps two dimensions. */
  public static Tensor transpose(Tensor a, int d0, int d1) {
    if (F64Rules.any(a)) {
      return F64Rules.move(x -> transpose(x[0], d0, d1), a);
    }
    int x = Shapes.dim("transpose", d0, a.dim());
    int y = Shapes.dim("transpose", d1, a.dim());
    return a.dim() < 2 ? Tensor.wrap(a.storage().clone(), a.shape()) : swap(a, x, y);
  }

  /** ∂a = g with the same two dimensions swapped back. */
  public static Grads transposeVjp(Tensor g, Tensor out, Tensor a, int d0, int d1) {
    if (a.dim() < 2) {
      return Grads.of(g, null, null);
    }
    return Grads.of(swap(g, Shapes.dim("transpose", d0, a.dim()), Shapes.dim("transpose", d1, a.dim())),
        null, null);
  }

  private static Tensor swap(Tensor a, int x, int y) {
    if (F64Rules.any(a)) {
      return F64Rules.move(v -> swap(v[0], x, y), a);
    }
    int[] s = a.shape();
    int[] os = s.clone();
    os[x] = s[y];
    os[y] = s[x];
    int[] inStrides = Shapes.strides(s);
    int[] st = inStrides.clone();
    st[x] = inStrides[y];
    st[y] = inStrides[x];
    float[] src = a.storage();
    float[] out = new float[src.length];
    if (s.length == 2) {
      int r = s[0];
      int c = s[1];
      for (int i = 0; i < r; i++) {
        for (int j = 0; j < c; j++) {
          out[j * r + i] = src[i * c + j];
        }
      }
      return Tensor.wrap(out, os);
    }
    int[] idx = new int[os.length];
    int off = 0;
    for (int i = 0; i < out.length; i++) {
      out[i] = src[off];
      for (int d = os.length - 1; d >= 0; d--) {
        off += st[d];
        if (++idx[d] < os[d]) {
          break;
        }
        off -= st[d] * os[d];
        idx[d] = 0;
      }
    }
    return Tensor.wrap(out, os);
  }

  // ---- reshape

  /** The same elements in a new shape; one size may be -1. */
  public static Tensor reshape(Tensor a, int... shape) {
    if (F64Rules.any(a)) {
      return F64Rules.move(x -> reshape(x[0], shape), a);
    }
    int[] s = resolve(a, shape);
    return Tensor.wrap(a.storage().clone(), s, a.dtype());
  }

  /** ∂a = g in a's shape. */
  public static Grads reshapeVjp(Tensor g, Tensor out, Tensor a, int... shape) {
    if (F64Rules.any(g)) {
      return Grads.of(Tensor.wrap(F64Rules.d(g), a.shape()), null);
    }
    return Grads.of(Tensor.wrap(g.storage(), a.shape()), null);
  }

  private static int[] resolve(Tensor a, int[] shape) {
    int[] s = shape.clone();
    int infer = -1;
    int known = 1;
    for (int i = 0; i < s.length; i++) {
      if (s[i] == -1) {
        if (infer >= 0) {
          throw new IllegalArgumentException("reshape: only one dimension can be inferred, got "
              + Shapes.str(shape));
        }
        infer = i;
      } else if (s[i] < 0) {
        throw new IllegalArgumentException("reshape: invalid shape dimension " + s[i] + " in " + Shapes.str(shape));
      } else {
        known *= s[i];
      }
    }
    if (infer >= 0 && known != 0 && a.numel() % known == 0) {
      s[infer] = a.numel() / known;
    }
    if (infer >= 0 && s[infer] == -1 || Shapes.numel(s) != a.numel()) {
      throw new IllegalArgumentException("reshape: shape " + Shapes.str(shape) + " is invalid for input of "
          + "size " + a.numel() + " (shape " + Shapes.str(a.shape()) + ")");
    }
    return s;
  }

  // ---- index

  /** Rows of {@code a} (along dimension 0) chosen by the INT64 tensor {@code idx}: {@code a[idx]}. */
  public static Tensor index(Tensor a, Tensor idx) {
    if (idx.dtype() != Tensor.DType.INT64) {
      throw new IllegalArgumentException("index: tensors used as indices must be INT64 (e.g. from randperm "
          + "or Tensor.indices), got " + idx.dtype() + " of shape " + Shapes.str(idx.shape()));
    }
    if (a.dim() == 0) {
      throw new IllegalArgumentException("index: cannot index a 0-d tensor");
    }
    int[] s = a.shape();
    int rows = s[0];
    int row = a.numel() / Math.max(rows, 1);
    int[] is = idx.shape();
    int[] os = new int[is.length + s.length - 1];
    System.arraycopy(is, 0, os, 0, is.length);
    System.arraycopy(s, 1, os, is.length, s.length - 1);
    float[] ix = idx.storage();
    float[] src = a.storage();
    float[] out = new float[ix.length * row];
    for (int i = 0; i < ix.length; i++) {
      int r = checkIndex(ix[i], rows);
      System.arraycopy(src, r * row, out, i * row, row);
    }
    return Tensor.wrap(out, os, a.dtype());
  }

  private static int checkIndex(float v, int rows) {
    int r = (int) v;
    if (r < 0) {
      r += rows;
    }
    if (r < 0 || r >= rows) {
      throw new IndexOutOfBoundsException("index: index " + (int) v + " is out of bounds for dimension 0 "
          + "with size " + rows);
    }
    return r;
  }

  /** ∂a = g scattered back to the chosen rows, summed where a row was chosen more than once. */
  public static Grads indexVjp(Tensor g, Tensor out, Tensor a, Tensor idx) {
    int rows = a.shape()[0];
    int row = a.numel() / Math.max(rows, 1);
    float[] ga = new float[a.numel()];
    float[] gs = g.storage();
    float[] ix = idx.storage();
    for (int i = 0; i < ix.length; i++) {
      int r = checkIndex(ix[i], rows);
      for (int j = 0; j < row; j++) {
        ga[r * row + j] += gs[i * row + j];
      }
    }
    return Grads.of(Tensor.wrapLike(ga, a), null);
  }

  // ---- slice

  /** Elements {@code start .. end-1} along {@code dim}, with Python's clamping of out-of-range bounds. */
  public static Tensor slice(Tensor a, int dim, int start, int end) {
    if (F64Rules.any(a)) {
      return F64Rules.move(x -> slice(x[0], dim, start, end), a);
    }
    if (a.dim() == 0) {
      throw new IllegalArgumentException("slice: cannot be applied to a 0-dim tensor (slice " + start + ":" + end
          + " along dimension " + dim + ")");
    }
    int d = Shapes.dim("slice", dim, a.dim());
    int[] s = a.shape();
    int[] r = range(s[d], start, end);
    int[] os = s.clone();
    os[d] = r[1] - r[0];
    int outer = 1;
    int inner = 1;
    for (int i = 0; i < d; i++) {
      outer *= s[i];
    }
    for (int i = d + 1; i < s.length; i++) {
      inner *= s[i];
    }
    float[] src = a.storage();
    float[] out = new float[Shapes.numel(os)];
    int len = os[d] * inner;
    for (int o = 0; o < outer; o++) {
      System.arraycopy(src, (o * s[d] + r[0]) * inner, out, o * len, len);
    }
    return Tensor.wrap(out, os, a.dtype());
  }

  private static int[] range(int size, int start, int end) {
    int lo = start < 0 ? Math.max(0, start + size) : Math.min(start, size);
    int hi = end < 0 ? Math.max(0, end + size) : Math.min(end, size);
    return new int[] {lo, Math.max(lo, hi)};
  }

  /** ∂a = g placed back at the sliced positions, 0 elsewhere. */
  public static Grads sliceVjp(Tensor g, Tensor out, Tensor a, int dim, int start, int end) {
    if (F64Rules.any(g)) {
      return Grads.of(F64Rules.move(x -> sliceVjp(x[0], out, a, dim, start, end).get(0), g), null, null, null);
    }
    int d = Shapes.dim("slice", dim, a.dim());
    int[] s = a.shape();
    int[] r = range(s[d], start, end);
    int outer = 1;
    int inner = 1;
    for (int i = 0; i < d; i++) {
      outer *= s[i];
    }
    for (int i = d + 1; i < s.length; i++) {
      inner *= s[i];
    }
    float[] ga = new float[a.numel()];
    int len = (r[1] - r[0]) * inner;
    float[] gs = g.storage();
    for (int o = 0; o < outer; o++) {
      System.arraycopy(gs, o * len, ga, (o * s[d] + r[0]) * inner, len);
    }
    return Grads.of(Tensor.wrap(ga, s), null, null, null);
  }

  // ---- cat and stack

  /** Joins tensors along an existing dimension. */
  public static Tensor cat(List<Tensor> tensors, int dim) {
    if (tensors.stream().anyMatch(F64Rules::any)) {
      return F64Rules.move(x -> cat(List.of(x), dim), tensors.toArray(Tensor[]::new));
    }
    if (tensors.isEmpty()) {
      throw new IllegalArgumentException("cat: expected a non-empty list of tensors");
    }
    Tensor first = tensors.get(0);
    for (int t = 0; t < tensors.size(); t++) {
      if (tensors.get(t).dim() == 0) {
        throw new IllegalArgumentException("cat: zero-dimensional tensor (at position " + t + ") cannot be "
            + "concatenated; use stack, or reshape(1) first");
      }
    }
    int d = Shapes.dim("cat", dim, first.dim());
    int[] os = first.shape();
    int total = 0;
    for (int t = 0; t < tensors.size(); t++) {
      int[] s = tensors.get(t).shape();
      if (s.length != os.length) {
        throw new IllegalArgumentException("cat: tensors must have the same number of dimensions: tensor 0 "
            + "has shape " + Shapes.str(os) + " and tensor " + t + " has shape " + Shapes.str(s));
      }
      for (int i = 0; i < s.length; i++) {
        if (i != d && s[i] != os[i]) {
          throw new IllegalArgumentException("cat: sizes of tensors must match except in dimension " + d
              + ": expected size " + os[i] + " but got size " + s[i] + " for tensor " + t + " (shape "
              + Shapes.str(s) + ")");
        }
      }
      total += s[d];
    }
    os[d] = total;
    int outer = 1;
    int inner = 1;
    for (int i = 0; i < d; i++) {
      outer *= os[i];
    }
    for (int i = d + 1; i < os.length; i++) {
      inner *= os[i];
    }
    float[] out = new float[Shapes.numel(os)];
    int pos = 0;
    for (Tensor t : tensors) {
      int len = t.shape()[d] * inner;
      float[] ts = t.storage();
      for (int o = 0; o < outer; o++) {
        System.arraycopy(ts, o * len, out, o * total * inner + pos, len);
      }
      pos += len;
    }
    return Tensor.wrap(out, os);
  }

  /** ∂tensors[i] = the slice of g that tensors[i] filled. */
  public static Grads catVjp(Tensor g, Tensor out, List<Tensor> tensors, int dim) {
    int d = Shapes.dim("cat", dim, out.dim());
    Tensor[] gs = new Tensor[tensors.size()];
    int pos = 0;
    for (int i = 0; i < gs.length; i++) {
      int n = tensors.get(i).shape()[d];
      gs[i] = slice(g, d, pos, pos + n);
      pos += n;
    }
    return Grads.of(gs);
  }

  /** Joins tensors of equal shape along a new dimension {@code dim}. */
  public static Tensor stack(List<Tensor> tensors, int dim) {
    if (tensors.stream().anyMatch(F64Rules::any)) {
      return F64Rules.move(x -> stack(List.of(x), dim), tensors.toArray(Tensor[]::new));
    }
    if (tensors.isEmpty()) {
      throw new IllegalArgumentException("stack: expected a non-empty list of tensors");
    }
    int[] s = tensors.get(0).shape();
    for (int t = 1; t < tensors.size(); t++) {
      if (!java.util.Arrays.equals(s, tensors.get(t).shape())) {
        throw new IllegalArgumentException("stack: expects each tensor to be equal size, but got "
            + Shapes.str(s) + " at entry 0 and " + Shapes.str(tensors.get(t).shape()) + " at entry " + t);
      }
    }
    int d = Shapes.dim("stack", dim, s.length + 1);
    int[] us = new int[s.length + 1];
    for (int i = 0, j = 0; i < us.length; i++) {
      us[i] = i == d ? 1 : s[j++];
    }
    Tensor[] parts = new Tensor[tensors.size()];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = Tensor.wrap(tensors.get(i).storage(), us);
    }
    return cat(List.of(parts), d);
  }

  /** ∂tensors[i] = g at index i of the new dimension. */
  public static Grads stackVjp(Tensor g, Tensor out, List<Tensor> tensors, int dim) {
    if (F64Rules.any(g)) {
      Tensor[] parts = new Tensor[tensors.size()];
      for (int i = 0; i < parts.length; i++) {
        int k = i;
        parts[i] = F64Rules.as(F64Rules.move(x -> stackVjp(x[0], out, tensors, dim).get(k), g), tensors.get(i));
      }
      return Grads.of(parts);
    }
    int d = Shapes.dim("stack", dim, out.dim());
    Tensor[] gs = new Tensor[tensors.size()];
    for (int i = 0; i < gs.length; i++) {
      gs[i] = Tensor.wrap(slice(g, d, i, i + 1).storage(), tensors.get(i).shape());
    }
    return Grads.of(gs);
  }

  // ---- forward mode (issue 16): shape operations are linear and apply themselves to the tangent.

  /** {@code ṫ = ȧᵀ}. */
  public static Tensor tJvp(Tensor ta, Tensor out, Tensor a) {
    return ta == null ? null : t(ta);
  }

  /** {@code ṫ = transpose(ȧ)}. */
  public static Tensor transposeJvp(Tensor ta, Tensor out, Tensor a, int d0, int d1) {
    return ta == null ? null : transpose(ta, d0, d1);
  }

  /** {@code ṫ = reshape(ȧ)}. */
  public static Tensor reshapeJvp(Tensor ta, Tensor out, Tensor a, int... shape) {
    return ta == null ? null : reshape(ta, shape);
  }
}
