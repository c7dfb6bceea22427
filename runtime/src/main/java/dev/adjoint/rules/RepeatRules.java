package dev.adjoint.rules;

import dev.adjoint.shape.Shapes;
import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;

/**
 * Operations that copy elements to new places, forward and adjoint together: {@code repeat}, {@code tile},
 * {@code flip} and {@code roll}. Each is a map from result positions to input positions; the adjoint sums
 * the upstream gradient back along the same map. Tensors are read through {@link Tensor#storage()}.
 */
public final class RepeatRules {
  private RepeatRules() {}

  /** For every element of the result (row-major), the input element it copies. */
  @FunctionalInterface
  private interface Source {
    int of(int[] coord);
  }

  private static int[] map(int[] outShape, Source source) {
    int n = Shapes.numel(outShape);
    int[] from = new int[n];
    int[] c = new int[outShape.length];
    for (int i = 0; i < n; i++) {
      from[i] = source.of(c);
      for (int d = c.length - 1; d >= 0; d--) {
        if (++c[d] < outShape[d]) {
          break;
        }
        c[d] = 0;
      }
    }
    return from;
  }

  private static Tensor gatherFrom(Tensor a, int[] outShape, int[] from) {
    float[] x = a.storage();
    float[] out = new float[from.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = x[from[i]];
    }
    return Tensor.wrap(out, outShape, a.dtype());
  }

  private static Tensor sumBack(Tensor g, int[] shape, int[] from) {
    float[] gs = g.storage();
    float[] ga = new float[Shapes.numel(shape)];
    for (int i = 0; i < from.length; i++) {
      ga[from[i]] += gs[i];
    }
    return Tensor.wrap(ga, shape);
  }

  // ---- repeat, tile

  private static int[] repeatMap(String op, int[] shape, int[] repeats, int[][] outShapeHolder) {
    if (repeats.length < shape.length) {
      throw new IllegalArgumentException(op + ": Number of dimensions of repeat dims can not be smaller than "
          + "number of dimensions of tensor (repeats " + Shapes.str(repeats) + ", shape " + Shapes.str(shape) + ")");
    }
    int lead = repeats.length - shape.length;
    int[] padded = new int[repeats.length];
    int[] os = new int[repeats.length];
    for (int d = 0; d < repeats.length; d++) {
      if (repeats[d] < 0) {
        throw new IllegalArgumentException(op + ": Trying to create tensor with negative dimension "
            + repeats[d] + " (repeats " + Shapes.str(repeats) + ")");
      }
      padded[d] = d < lead ? 1 : shape[d - lead];
      os[d] = padded[d] * repeats[d];
    }
    int[] st = Shapes.strides(padded);
    outShapeHolder[0] = os;
    return map(os, c -> {
      int off = 0;
      for (int d = 0; d < c.length; d++) {
        off += (c[d] % padded[d]) * st[d];
      }
      return off;
    });
  }

  /** {@code a} repeated {@code repeats[d]} times along each dimension, new leading dimensions first ({@code repeat}). */
  public static Tensor repeat(Tensor a, int... repeats) {
    if (F64Rules.any(a)) {
      return F64Rules.move(x -> repeat(x[0], repeats), a);
    }
    int[][] os = new int[1][];
    int[] from = repeatMap("repeat", a.shape(), repeats, os);
    return gatherFrom(a, os[0], from);
  }

  /** ∂a = the sum of g over the copies. */
  public static Grads repeatVjp(Tensor g, Tensor out, Tensor a, int... repeats) {
    if (F64Rules.any(g, a)) {
      return F64Rules.moveVjp(g, x -> repeat(x[0], repeats), a, null);
    }
    int[][] os = new int[1][];
    int[] from = repeatMap("repeat", a.shape(), repeats, os);
    return Grads.of(sumBack(g, a.shape(), from), null);
  }

  /** {@code dims} padded with leading 1s to {@code a}'s rank: {@code tile} is then {@code repeat}. */
  private static int[] tileRepeats(Tensor a, int... dims) {
    if (dims.length >= a.dim()) {
      return dims;
    }
    int[] r = new int[a.dim()];
    java.util.Arrays.fill(r, 1);
    System.arraycopy(dims, 0, r, a.dim() - dims.length, dims.length);
    return r;
  }

  /** {@code torch.tile}: {@link #repeat} with {@code dims} padded by leading 1s when shorter than a's rank. */
  public static Tensor tile(Tensor a, int... dims) {
    if (F64Rules.any(a)) {
      return F64Rules.move(x -> tile(x[0], dims), a);
    }
    return repeat(a, tileRepeats(a, dims));
  }

  /** ∂a, as for {@link #repeat}. */
  public static Grads tileVjp(Tensor g, Tensor out, Tensor a, int... dims) {
    if (F64Rules.any(g, a)) {
      return F64Rules.moveVjp(g, x -> tile(x[0], dims), a, null);
    }
    return repeatVjp(g, out, a, tileRepeats(a, dims));
  }

  // ---- flip

  private static boolean[] flipped(String op, int[] dims, int rank) {
    boolean[] f = new boolean[rank];
    for (int d : dims) {
      int k = Shapes.dim(op, d, Math.max(rank, 1));
      if (rank == 0) {
        continue;
      }
      if (f[k]) {
        throw new IllegalArgumentException(op + ": dim " + k + " appears multiple times in the list of dims "
            + Shapes.str(dims));
      }
      f[k] = true;
    }
    return f;
  }

  private static int[] flipMap(int[] shape, int[] dims) {
    boolean[] f = flipped("flip", dims, shape.length);
    int[] st = Shapes.strides(shape);
    return map(shape, c -> {
      int off = 0;
      for (int d = 0; d < c.length; d++) {
        off += (f[d] ? shape[d] - 1 - c[d] : c[d]) * st[d];
      }
      return off;
    });
  }

  /** {@code a} with the order of elements reversed along each of {@code dims} ({@code torch.flip}). */
  public static Tensor flip(Tensor a, int... dims) {
    if (F64Rules.any(a)) {
      return F64Rules.move(x -> flip(x[0], dims), a);
    }
    return gatherFrom(a, a.shape(), flipMap(a.shape(), dims));
  }

  /** ∂a = g flipped back along the same dimensions. */
  public static Grads flipVjp(Tensor g, Tensor out, Tensor a, int... dims) {
    if (F64Rules.any(g, a)) {
      return F64Rules.moveVjp(g, x -> flip(x[0], dims), a, null);
    }
    return Grads.of(sumBack(g, a.shape(), flipMap(a.shape(), dims)), null);
  }

  // ---- roll

  private static int[] rollMap(int[] shape, int[] shifts, int[] dims) {
    if (dims.length == 0) {
      if (shifts.length != 1) {
        throw new IllegalArgumentException("roll: shifts and dimensions must align (shifts " + Shapes.str(shifts)
            + ", no dims)");
      }
      int n = Shapes.numel(shape);
      int s = n == 0 ? 0 : Math.floorMod(shifts[0], n);
      return map(new int[] {n}, c -> Math.floorMod(c[0] - s, n));
    }
    if (shifts.length != dims.length) {
      throw new IllegalArgumentException("roll: shifts and dimensions must align. shifts: " + shifts.length
          + ", dims: " + dims.length);
    }
    int[] by = new int[shape.length];
    for (int i = 0; i < dims.length; i++) {
      int d = Shapes.dim("roll", dims[i], shape.length);
      by[d] += shifts[i];
    }
    int[] st = Shapes.strides(shape);
    return map(shape, c -> {
      int off = 0;
      for (int d = 0; d < c.length; d++) {
        off += Math.floorMod(c[d] - by[d], shape[d]) * st[d];
      }
      return off;
    });
  }

  /**
   * {@code a} with its elements shifted by {@code shifts[i]} along {@code dims[i]}, wrapping around
   * ({@code torch.roll}); with no {@code dims}, over the flattened tensor, restoring the shape.
   */
  public static Tensor roll(Tensor a, int[] shifts, int[] dims) {
    if (F64Rules.any(a)) {
      return F64Rules.move(x -> roll(x[0], shifts, dims), a);
    }
    int[] from = rollMap(a.shape(), shifts, dims);
    return gatherFrom(a, a.shape(), from);
  }

  /** ∂a = g rolled back. */
  public static Grads rollVjp(Tensor g, Tensor out, Tensor a, int[] shifts, int[] dims) {
    if (F64Rules.any(g, a)) {
      return F64Rules.moveVjp(g, x -> roll(x[0], shifts, dims), a, null, null);
    }
    return Grads.of(sumBack(g, a.shape(), rollMap(a.shape(), shifts, dims)), null, null);
  }
}
