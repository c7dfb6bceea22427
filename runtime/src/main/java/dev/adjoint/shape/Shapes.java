package dev.adjoint.shape;

import java.util.Arrays;

/** Shape arithmetic shared by the operations: element counts, broadcasting, dimension checks. */
public final class Shapes {
  private Shapes() {}

  /** The strides of every 0-D and of every 1-D dense tensor, shared (see {@link #strides}). */
  private static final int[] NO_STRIDES = {};
  private static final int[] UNIT_STRIDE = {1};

  /** The number of elements of a tensor of {@code shape} (1 for a 0-D shape). */
  public static int numel(int[] shape) {
    long n = 1;
    for (int s : shape) {
      n *= s;
    }
    if (n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("shape " + str(shape) + " has more than 2^31-1 elements");
    }
    return (int) n;
  }

  /** PyTorch's rendering of a shape, e.g. {@code [2, 3]}. */
  public static String str(int[] shape) {
    return Arrays.toString(shape);
  }

  /** Throws unless every size is non-negative. */
  public static void check(String op, int[] shape) {
    for (int s : shape) {
      if (s < 0) {
        throw new IllegalArgumentException(op + ": negative dimension " + s + " in shape " + str(shape));
      }
    }
  }

  /** Normalises a possibly negative dimension index for a tensor of {@code rank} dimensions. */
  public static int dim(String op, int d, int rank) {
    int r = Math.max(rank, 1);
    int nd = d < 0 ? d + r : d;
    if (nd < 0 || nd >= r) {
      throw new IndexOutOfBoundsException(op + ": dimension out of range (expected to be in range of ["
          + (-r) + ", " + (r - 1) + "], but got " + d + ")");
    }
    return nd;
  }

  /** The broadcast shape of {@code a} and {@code b}, or an error naming the operation and both shapes. */
  public static int[] broadcast(String op, int[] a, int[] b) {
    if (Arrays.equals(a, b)) {
      return a;
    }
    int n = Math.max(a.length, b.length);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      int da = i - (n - a.length) >= 0 ? a[i - (n - a.length)] : 1;
      int db = i - (n - b.length) >= 0 ? b[i - (n - b.length)] : 1;
      if (da != db && da != 1 && db != 1) {
        throw new IllegalArgumentException(op + ": the size of tensor a (" + da + ") must match the size of "
            + "tensor b (" + db + ") at non-singleton dimension " + i + " (shapes " + str(a) + " and "
            + str(b) + ")");
      }
      out[i] = da == 1 ? db : da;
    }
    return out;
  }

  /**
   * Whether a tensor of {@code shape} broadcasts to {@code target} (PyTorch's {@code is_expandable_to}): at most as
   * many dimensions, and each of its sizes, aligned from the right, equal to the target's or 1. A gradient of
   * {@code target}'s shape then sums back to {@code shape} over the broadcast dimensions ({@code sum_to}).
   */
  public static boolean expandableTo(int[] shape, int[] target) {
    if (shape.length > target.length) {
      return false;
    }
    for (int i = 1; i <= shape.length; i++) {
      int size = shape[shape.length - i];
      if (size != target[target.length - i] && size != 1) {
        return false;
      }
    }
    return true;
  }

  /**
   * Row-major strides of {@code shape}. For 0-D and 1-D shapes the array is shared (a tensor never writes
   * to its strides): callers that need an array to change must copy it.
   */
  public static int[] strides(int[] shape) {
    if (shape.length <= 1) {
      return shape.length == 0 ? NO_STRIDES : UNIT_STRIDE;
    }
    int[] st = new int[shape.length];
    int s = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      st[i] = s;
      s *= shape[i];
    }
    return st;
  }

  /**
   * Strides for reading a tensor of shape {@code from} as if it had the (broadcast) shape {@code to}:
   * 0 along broadcast dimensions.
   */
  public static int[] broadcastStrides(int[] from, int[] to) {
    int[] st = new int[to.length];
    int[] own = strides(from);
    int lead = to.length - from.length;
    for (int i = 0; i < to.length; i++) {
      int j = i - lead;
      st[i] = j < 0 || from[j] == 1 ? 0 : own[j];
    }
    return st;
  }

  /** {@code shape} with dimension {@code dim} removed, or set to 1 when {@code keepDim}. */
  public static int[] reduced(int[] shape, int dim, boolean keepDim) {
    if (keepDim) {
      int[] out = shape.clone();
      out[dim] = 1;
      return out;
    }
    int[] out = new int[shape.length - 1];
    for (int i = 0, j = 0; i < shape.length; i++) {
      if (i != dim) {
        out[j++] = shape[i];
      }
    }
    return out;
  }

  /**
   * Sizes around dimension {@code dim} of a row-major tensor: {@code {outer, n, inner}}, where
   * {@code outer} is the product of the sizes before {@code dim} and {@code inner} of those after; a
   * 0-dimensional shape gives {@code {1, 1, 1}}.
   */
  public static int[] split(int[] shape, int dim) {
    int outer = 1;
    int inner = 1;
    for (int i = 0; i < dim; i++) {
      outer *= shape[i];
    }
    for (int i = dim + 1; i < shape.length; i++) {
      inner *= shape[i];
    }
    return new int[] {outer, shape.length == 0 ? 1 : shape[dim], inner};
  }

  /**
   * The piece sizes of {@code split(size)} along a dimension of {@code n} elements: {@code size} each, the last
   * what remains; one empty piece when {@code size} is 0 (allowed only for {@code n = 0}). The eager views and
   * the generated code's {@code parts.get(k)} both read them here.
   */
  public static int[] splitSizes(int n, int size) {
    int pieces = size == 0 ? 1 : Math.max(1, (n + size - 1) / size);
    int[] sizes = new int[pieces];
    for (int i = 0; i < pieces; i++) {
      sizes[i] = Math.min(size, n - i * size);
    }
    return sizes;
  }

  /** The piece size of {@code chunk(chunks)} along a dimension of {@code n} elements: {@code ceil(n / chunks)}. */
  public static int chunkSize(int n, int chunks) {
    return (n + chunks - 1) / chunks;
  }
}
