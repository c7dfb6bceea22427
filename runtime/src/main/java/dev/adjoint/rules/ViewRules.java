package dev.adjoint.rules;

import dev.adjoint.shape.Shapes;
import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;

/**
 * The adjoints of the view operations of {@link Tensor} ({@code view}, {@code permute}, {@code expand},
 * {@code select}, {@code diagonal}, {@code asStrided}, ...), and the geometry helpers they share with the
 * forwards in {@code dev.adjoint.Views}. A view moves no element, so each adjoint places the upstream
 * gradient back where the view's elements sit in its input: a reshape, the inverse permutation, a sum over
 * expanded dimensions, or a scatter into zeros. Gradients are dense row-major tensors; the upstream
 * gradient may be any tensor (a view too) and is read through {@link Tensor#storage()}.
 */
public final class ViewRules {
  private ViewRules() {}

  // ---- shapes and indices

  /**
   * {@code requested} with one {@code -1} inferred so that it holds {@code numel} elements; throws with
   * PyTorch's message naming {@code op} otherwise.
   */
  public static int[] inferShape(String op, int numel, int[] shape, int[] requested) {
    int[] s = requested.clone();
    int infer = -1;
    int known = 1;
    for (int i = 0; i < s.length; i++) {
      if (s[i] == -1) {
        if (infer >= 0) {
          throw new IllegalArgumentException(op + ": only one dimension can be inferred, got "
              + Shapes.str(requested));
        }
        infer = i;
      } else if (s[i] < 0) {
        throw new IllegalArgumentException(op + ": invalid shape dimension " + s[i] + " in " + Shapes.str(requested));
      } else {
        known *= s[i];
      }
    }
    if (infer >= 0 && known != 0 && numel % known == 0) {
      s[infer] = numel / known;
    }
    if (infer >= 0 && s[infer] == -1 || Shapes.numel(s) != numel) {
      throw new IllegalArgumentException(op + ": shape " + Shapes.str(requested) + " is invalid for input of size "
          + numel + " (shape " + Shapes.str(shape) + ")");
    }
    return s;
  }

  /** {@code dims} as a permutation of {@code 0 .. rank-1} (negatives count from the end); throws otherwise. */
  public static int[] permutation(int rank, int[] dims) {
    if (dims.length != rank) {
      throw new IllegalArgumentException("permute: number of dimensions in the tensor input does not match the "
          + "length of the desired ordering of dimensions i.e. input.dim() = " + rank + " is not equal to "
          + "len(dims) = " + dims.length);
    }
    int[] p = new int[rank];
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < rank; i++) {
      p[i] = Shapes.dim("permute", dims[i], rank);
      if (seen[p[i]]) {
        throw new IllegalArgumentException("permute: repeated dim in permute (dims " + Shapes.str(dims) + ")");
      }
      seen[p[i]] = true;
    }
    return p;
  }

  /** {@code index} (negative counts from the end) checked against dimension {@code d} of {@code shape}. */
  public static int checkIndex(String op, int[] shape, int d, int index) {
    int i = index < 0 ? index + shape[d] : index;
    if (i < 0 || i >= shape[d]) {
      throw new IndexOutOfBoundsException(op + ": index " + index + " out of range for tensor of size "
          + Shapes.str(shape) + " at dimension " + d);
    }
    return i;
  }

  /** {@code [start, end)} clamped to {@code [0, size]} as Python slices are (negatives count from the end). */
  public static int[] range(int size, int start, int end) {
    int lo = start < 0 ? Math.max(0, start + size) : Math.min(start, size);
    int hi = end < 0 ? Math.max(0, end + size) : Math.min(end, size);
    return new int[] {lo, Math.max(lo, hi)};
  }

  /** The storage index of every element of the geometry ({@code offset}, {@code shape}, {@code strides}), row-major. */
  public static int[] positions(int offset, int[] shape, int[] strides) {
    int n = Shapes.numel(shape);
    int[] pos = new int[n];
    int rank = shape.length;
    int[] idx = new int[rank];
    int off = offset;
    for (int i = 0; i < n; i++) {
      pos[i] = off;
      for (int d = rank - 1; d >= 0; d--) {
        off += strides[d];
        if (++idx[d] < shape[d]) {
          break;
        }
        off -= strides[d] * shape[d];
        idx[d] = 0;
      }
    }
    return pos;
  }

  /** {@code g}'s elements (row-major) as a dense tensor of {@code shape}. */
  static Tensor reshaped(Tensor g, int[] shape) {
    if (F64Rules.any(g)) {
      return Tensor.wrap(F64Rules.d(g), shape);
    }
    return Tensor.wrap(g.storage(), shape);
  }

  // ---- adjoints

  /** {@code view(shape)}: ∂a = g in a's shape. */
  public static Grads viewVjp(Tensor g, Tensor out, Tensor a, int... shape) {
    return Grads.of(reshaped(g, a.shape()), null);
  }

  /** {@code viewAs(other)}: ∂a = g in a's shape; {@code other} gives only a shape (its gradient is 0). */
  public static Grads viewAsVjp(Tensor g, Tensor out, Tensor a, Tensor other) {
    return Grads.lazy(2, i -> i == 0 ? reshaped(g, a.shape()) : Tensor.zeros(other.shape()));
  }

  /** {@code clone()}, {@code contiguous()}: ∂a = g. */
  public static Grads cloneVjp(Tensor g, Tensor out, Tensor a) {
    return Grads.of(g);
  }

  /** {@code flatten(start, end)}: ∂a = g in a's shape. */
  public static Grads flattenVjp(Tensor g, Tensor out, Tensor a, int start, int end) {
    return Grads.of(reshaped(g, a.shape()), null, null);
  }

  /** {@code flatten()}: ∂a = g in a's shape. */
  public static Grads flattenAllVjp(Tensor g, Tensor out, Tensor a) {
    return Grads.of(reshaped(g, a.shape()));
  }

  /** {@code unflatten(dim, sizes)}: ∂a = g in a's shape. */
  public static Grads unflattenVjp(Tensor g, Tensor out, Tensor a, int dim, int... sizes) {
    return Grads.of(reshaped(g, a.shape()), null, null);
  }

  /** {@code squeeze()}: ∂a = g in a's shape. */
  public static Grads squeezeVjp(Tensor g, Tensor out, Tensor a) {
    return Grads.of(reshaped(g, a.shape()));
  }

  /** {@code squeeze(dim)}: ∂a = g in a's shape. */
  public static Grads squeezeDimVjp(Tensor g, Tensor out, Tensor a, int dim) {
    return Grads.of(reshaped(g, a.shape()), null);
  }

  /** {@code unsqueeze(dim)}: ∂a = g in a's shape. */
  public static Grads unsqueezeVjp(Tensor g, Tensor out, Tensor a, int dim) {
    return Grads.of(reshaped(g, a.shape()), null);
  }

  /** {@code permute(dims)}: ∂a = g permuted back by the inverse permutation. */
  public static Grads permuteVjp(Tensor g, Tensor out, Tensor a, int... dims) {
    int[] p = permutation(a.dim(), dims);
    int[] inverse = new int[p.length];
    for (int i = 0; i < p.length; i++) {
      inverse[p[i]] = i;
    }
    if (F64Rules.any(g)) {
      return Grads.of(Tensor.wrap(g.detach().permute(inverse).toDoubleArray(), a.shape()), null);
    }
    return Grads.of(Tensor.wrap(g.detach().permute(inverse).toFloatArray(), a.shape()), null);
  }

  /** {@code expand(sizes)}: ∂a = g summed over the new and the expanded dimensions. */
  public static Grads expandVjp(Tensor g, Tensor out, Tensor a, int... sizes) {
    return Grads.of(Rules.unbroadcast(g, a), null);
  }

  /** {@code expandAs(other)}: as {@link #expandVjp}; {@code other} gives only a shape (its gradient is 0). */
  public static Grads expandAsVjp(Tensor g, Tensor out, Tensor a, Tensor other) {
    return Grads.lazy(2, i -> i == 0 ? Rules.unbroadcast(g, a) : Tensor.zeros(other.shape()));
  }

  /** {@code select(dim, index)}: ∂a = zeros with g at {@code index} along {@code dim}. */
  public static Grads selectVjp(Tensor g, Tensor out, Tensor a, int dim, int index) {
    int d = Shapes.dim("select", dim, a.dim());
    return Grads.of(selectGrad(g, a.shape(), d, checkIndex("select", a.shape(), d, index)), null, null);
  }

  /** Zeros of {@code shape} with {@code g} at index {@code i} of dimension {@code d}. */
  public static Tensor selectGrad(Tensor g, int[] shape, int d, int i) {
    if (F64Rules.any(g)) {
      return F64Rules.move(x -> selectGrad(x[0], shape, d, i), g);
    }
    float[] out = new float[Shapes.numel(shape)];
    int[] st = Shapes.strides(shape);
    int[] pos = positions(i * st[d], remove(shape, d), remove(st, d));
    float[] gs = g.storage();
    for (int k = 0; k < pos.length; k++) {
      out[pos[k]] = gs[k];
    }
    return Tensor.wrap(out, shape);
  }

  /** Zeros of a's shape with {@code g} placed from index {@code from} along dimension {@code d}. */
  public static Tensor narrowGrad(Tensor g, Tensor a, int d, int from) {
    return stepGrad(g, a.shape(), d, from, 1);
  }

  private static Tensor stepGrad(Tensor g, int[] shape, int d, int from, int step) {
    if (F64Rules.any(g)) {
      return F64Rules.move(x -> stepGrad(x[0], shape, d, from, step), g);
    }
    float[] out = new float[Shapes.numel(shape)];
    int[] st = Shapes.strides(shape);
    int[] vst = st.clone();
    vst[d] = st[d] * step;
    int[] pos = positions(from * st[d], g.shape(), vst);
    float[] gs = g.storage();
    for (int k = 0; k < pos.length; k++) {
      out[pos[k]] = gs[k];
    }
    return Tensor.wrap(out, shape);
  }

  /** {@code narrow(dim, start, length)}: ∂a = zeros with g at {@code start .. start+length-1} along {@code dim}. */
  public static Grads narrowVjp(Tensor g, Tensor out, Tensor a, int dim, int start, int length) {
    int d = Shapes.dim("narrow", dim, a.dim());
    int s = start < 0 ? start + a.shape()[d] : start;
    return Grads.of(narrowGrad(g, a, d, s), null, null, null);
  }

  /** {@code slice(dim, start, end, step)}: ∂a = zeros with g at the sliced positions. */
  public static Grads sliceStepVjp(Tensor g, Tensor out, Tensor a, int dim, int start, int end, int step) {
    int d = Shapes.dim("slice", dim, a.dim());
    int[] r = range(a.shape()[d], start, end);
    return Grads.of(stepGrad(g, a.shape(), d, r[0], step), null, null, null, null);
  }

  /** {@code diagonal()}: {@link #diagonalVjp} of {@code diagonal(0, 0, 1)}. */
  public static Grads diagonalMainVjp(Tensor g, Tensor out, Tensor a) {
    return Grads.of(diagonalVjp(g, out, a, 0, 0, 1).get(0));
  }

  /** {@code diagonal(offset, dim1, dim2)}: ∂a = zeros with g on that diagonal. */
  public static Grads diagonalVjp(Tensor g, Tensor out, Tensor a, int offset, int dim1, int dim2) {
    if (F64Rules.any(g)) {
      return Grads.of(F64Rules.move(x -> diagonalVjp(x[0], out, a, offset, dim1, dim2).get(0), g), null, null, null);
    }
    int[] s = a.shape();
    int x = Shapes.dim("diagonal", dim1, s.length);
    int y = Shapes.dim("diagonal", dim2, s.length);
    int[] st = Shapes.strides(s);
    int len = g.shape()[g.dim() - 1];
    int off = len == 0 ? 0 : offset >= 0 ? offset * st[y] : -offset * st[x];
    int[] vs = new int[s.length - 1];
    int[] vst = new int[s.length - 1];
    for (int i = 0, j = 0; i < s.length; i++) {
      if (i != x && i != y) {
        vs[j] = s[i];
        vst[j++] = st[i];
      }
    }
    vs[vs.length - 1] = len;
    vst[vst.length - 1] = st[x] + st[y];
    float[] ga = new float[Shapes.numel(s)];
    int[] pos = positions(off, vs, vst);
    float[] gs = g.storage();
    for (int k = 0; k < pos.length; k++) {
      ga[pos[k]] = gs[k];
    }
    return Grads.of(Tensor.wrap(ga, s), null, null, null);
  }

  /** {@code asStrided(size, stride, storageOffset)}: see {@link #asStridedGrad}. */
  public static Grads asStridedVjp(Tensor g, Tensor out, Tensor a, int[] size, int[] stride, int storageOffset) {
    return Grads.of(asStridedGrad(g, a.shape(), a.strides(), a.storageOffset(), size, stride, storageOffset),
        null, null, null);
  }

  /**
   * PyTorch's {@code as_strided_backward}: the gradient of an input with geometry ({@code inShape},
   * {@code inStrides}, {@code inOffset}) for an output read from the same storage with geometry
   * ({@code outShape}, {@code outStrides}, {@code outOffset}). The upstream {@code g} is added into the
   * storage at the output's locations (several outputs on one location add up); where the input's own
   * elements share a location, that location's sum is divided among them; each input element then reads
   * its location. Output locations outside the input get no gradient.
   */
  public static Tensor asStridedGrad(Tensor g, int[] inShape, int[] inStrides, int inOffset, int[] outShape,
      int[] outStrides, int outOffset) {
    if (F64Rules.any(g)) {
      return F64Rules.asStridedGrad(g, positions(inOffset, inShape, inStrides), positions(outOffset, outShape, outStrides), inShape);
    }
    int[] ip = positions(inOffset, inShape, inStrides);
    int[] op = positions(outOffset, outShape, outStrides);
    int lo = Integer.MAX_VALUE;
    int hi = Integer.MIN_VALUE;
    for (int p : ip) {
      lo = Math.min(lo, p);
      hi = Math.max(hi, p);
    }
    float[] result = new float[ip.length];
    if (ip.length == 0) {
      return Tensor.wrap(result, inShape);
    }
    double[] store = new double[hi - lo + 1];
    float[] gs = g.storage();
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
      result[j] = (float) (store[p] / count[p]);
    }
    return Tensor.wrap(result, inShape);
  }

  static int[] remove(int[] a, int i) {
    int[] r = new int[a.length - 1];
    System.arraycopy(a, 0, r, 0, i);
    System.arraycopy(a, i + 1, r, i, a.length - i - 1);
    return r;
  }

  // ---- the pieces of split/chunk as generated code reads them

  /**
   * The size of each piece of {@code x.chunk(chunks, dim)} (the last may be smaller): {@code parts.get(k)} in
   * a {@code @Differentiable} body is read as {@code x.narrow(dim, splitStart(...), splitLength(...))} over
   * pieces of this size, the views {@code chunk} itself returns ({@link Shapes#chunkSize}; the processor emits these calls).
   */
  public static int chunkSize(Tensor x, int chunks, int dim) {
    if (chunks <= 0) {
      throw new IllegalArgumentException("chunk: chunk expects `chunks` to be greater than 0, got: " + chunks);
    }
    return Shapes.chunkSize(x.size(dim), chunks);
  }

  /** How many pieces {@code x.split(size, dim)} has ({@code parts.size()} in a {@code @Differentiable} body). */
  public static int splitCount(Tensor x, int size, int dim) {
    return pieces(x, size, dim).length;
  }

  /** Where piece {@code k} of {@code x.split(size, dim)} starts along {@code dim}; throws when there is none. */
  public static int splitStart(Tensor x, int size, int dim, int k) {
    piece(x, size, dim, k);
    return k * size;
  }

  /** The length of piece {@code k} of {@code x.split(size, dim)} along {@code dim}. */
  public static int splitLength(Tensor x, int size, int dim, int k) {
    return piece(x, size, dim, k);
  }

  /**
   * The sizes of {@code x.split(sizes, dim)}, checked ({@code split_with_sizes}: none negative, summing to the
   * dimension's size) and copied: {@link Tensor#split(int[], int)} reads them, and generated code keeps the copy
   * so that {@code parts.get(k)} is {@code x.narrow(dim, splitStart(sizes, k), splitLength(sizes, k))}.
   */
  public static int[] splitSizes(Tensor x, int[] sizes, int dim) {
    int d = Shapes.dim("split", dim, x.dim());
    int total = 0;
    for (int s : sizes) {
      if (s < 0) {
        throw new IllegalArgumentException("split: split_with_sizes expects split_sizes have only non-negative "
            + "entries, but got split_sizes=" + Shapes.str(sizes));
      }
      total += s;
    }
    if (total != x.shape()[d]) {
      throw new IllegalArgumentException("split: split_with_sizes expects split_sizes to sum exactly to "
          + x.shape()[d] + " (input tensor's size at dimension " + d + "), but got split_sizes=" + Shapes.str(sizes));
    }
    return sizes.clone();
  }

  /** Where piece {@code k} of a split into {@code sizes} starts; throws when there is none. */
  public static int splitStart(int[] sizes, int k) {
    splitLength(sizes, k);
    int start = 0;
    for (int i = 0; i < k; i++) {
      start += sizes[i];
    }
    return start;
  }

  /** The length of piece {@code k} of a split into {@code sizes}; throws when there is none. */
  public static int splitLength(int[] sizes, int k) {
    if (k < 0 || k >= sizes.length) {
      throw new IndexOutOfBoundsException("split: piece " + k + " of " + sizes.length + " (sizes "
          + Shapes.str(sizes) + ")");
    }
    return sizes[k];
  }

  /** The piece sizes of {@code x.split(size, dim)}, as {@link Tensor#split(int, int)} makes them. */
  private static int[] pieces(Tensor x, int size, int dim) {
    int n = x.size(dim);
    if (size <= 0 && !(size == 0 && n == 0)) {
      throw new IllegalArgumentException("split: split_size can only be 0 if dimension size is 0, but got "
          + "split_size " + size + " for dimension size " + n);
    }
    return Shapes.splitSizes(n, size);
  }

  private static int piece(Tensor x, int size, int dim, int k) {
    int[] sizes = pieces(x, size, dim);
    if (k < 0 || k >= sizes.length) {
      throw new IndexOutOfBoundsException("split: piece " + k + " of " + sizes.length + " (size " + size
          + " along dim " + dim + " of shape " + Shapes.str(x.shape()) + ")");
    }
    return sizes[k];
  }
}
