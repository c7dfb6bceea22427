package dev.adjoint.autograd;

import dev.adjoint.Tensor;

/**
 * Helpers for generated backward code with control flow, where a tensor adjoint is a mutable variable
 * that starts as {@code null} (the symbolic zero: nothing has flowed into it on this path).
 */
public final class Adjoints {
  private Adjoints() {}

  /**
   * Throws {@code error}, checked or not: the generated form of a {@code throw} in a
   * {@code @Differentiable} body (an input check). A call, not a {@code throw} statement, so the
   * statements the generated code adds after it stay reachable.
   *
   * @param <E> inferred as an unchecked type at the call site
   */
  @SuppressWarnings("unchecked")
  public static <E extends Throwable> void raise(Throwable error) throws E {
    throw (E) error;
  }

  /**
   * The size of each piece of {@code x.chunk(chunks, dim)} (the last may be smaller): {@code parts.get(k)} in
   * a {@code @Differentiable} body is read as {@code x.narrow(dim, splitStart(...), splitLength(...))} over
   * pieces of this size, the views {@code chunk} itself returns.
   */
  public static int chunkSize(Tensor x, int chunks, int dim) {
    if (chunks <= 0) {
      throw new IllegalArgumentException("chunk: chunk expects `chunks` to be greater than 0, got: " + chunks);
    }
    int n = x.size(dim);
    return (n + chunks - 1) / chunks;
  }

  /** How many pieces {@code x.split(size, dim)} has ({@code parts.size()} in a {@code @Differentiable} body). */
  public static int splitCount(Tensor x, int size, int dim) {
    int n = x.size(dim);
    if (size <= 0 && !(size == 0 && n == 0)) {
      throw new IllegalArgumentException("split: split_size can only be 0 if dimension size is 0, but got "
          + "split_size " + size + " for dimension size " + n);
    }
    return size == 0 ? 1 : Math.max(1, (n + size - 1) / size);
  }

  /** Where piece {@code k} of {@code x.split(size, dim)} starts along {@code dim}; throws when there is none. */
  public static int splitStart(Tensor x, int size, int dim, int k) {
    int count = splitCount(x, size, dim);
    if (k < 0 || k >= count) {
      throw new IndexOutOfBoundsException("split: piece " + k + " of " + count + " (size " + size + " along dim "
          + dim + " of shape " + java.util.Arrays.toString(x.shape()) + ")");
    }
    return k * size;
  }

  /** The length of piece {@code k} of {@code x.split(size, dim)} along {@code dim}. */
  public static int splitLength(Tensor x, int size, int dim, int k) {
    return Math.min(size, x.size(dim) - splitStart(x, size, dim, k));
  }

  /** {@code sum + g}, where a null {@code sum} or {@code g} is zero; never modifies either tensor. */
  public static Tensor add(Tensor sum, Tensor g) {
    return sum == null ? g : g == null ? sum : sum.add(g);
  }

  /**
   * {@code g}, or zeros shaped like {@code like} when {@code g} is null: a gradient component of a
   * composed {@code @Differentiable} call is null when that input cannot affect the callee's result.
   */
  public static Tensor orZeros(Tensor g, Tensor like) {
    return g != null ? g : Tensor.zeros(like.shape());
  }

  /**
   * The non-null tensors of {@code tensors}: what a pullback with control flow saves for version checks
   * (a variable of a branch or loop that did not run is still null).
   */
  public static Tensor[] present(Tensor... tensors) {
    return java.util.Arrays.stream(tensors).filter(java.util.Objects::nonNull).toArray(Tensor[]::new);
  }

  /**
   * The gradient of a {@code Tensor[]} input before anything flows into it: an array of the same length
   * whose entries are all null (an entry no gradient reaches stays null, as for a tensor input that
   * cannot affect the result).
   */
  public static Tensor[] like(Tensor[] primal) {
    return new Tensor[primal.length];
  }

  /**
   * The entries of a {@code Tensor[]} input's gradient for an autograd node: {@code grads} itself, or
   * {@code length} nulls when the whole gradient is null (no element affects the result).
   */
  public static Tensor[] entries(Tensor[] grads, int length) {
    if (grads != null && grads.length != length) {
      throw new IllegalArgumentException("Adjoints.entries: a gradient of " + grads.length
          + " tensors for an array of " + length);
    }
    return grads == null ? new Tensor[length] : grads;
  }

  /** The tensors of {@code parts} in order, as one array: an autograd node's flattened inputs or gradients. */
  public static Tensor[] flatten(Tensor[]... parts) {
    int n = 0;
    for (Tensor[] p : parts) {
      n += p.length;
    }
    Tensor[] all = new Tensor[n];
    int at = 0;
    for (Tensor[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }

  /**
   * The element count shared by tensors that each have one element or the same shape, for generated
   * fused loops; -1 if real broadcasting is involved or a tensor is not FLOAT32 (the fused loop reads
   * float32 storage), and the generated code then takes the tensor path.
   */
  public static int fusedLength(Tensor... tensors) {
    Tensor first = null;
    for (Tensor t : tensors) {
      if (t.dtype() != Tensor.DType.FLOAT32) {
        return -1; // the fused loop reads and writes float32 storage; other dtypes take the tensor path
      }
      if (t.numel() == 1) {
        continue;
      }
      if (first == null) {
        first = t;
      } else if (t.dim() != first.dim()) {
        return -1;
      } else {
        for (int d = 0; d < t.dim(); d++) {
          if (t.size(d) != first.size(d)) {
            return -1;
          }
        }
      }
    }
    return first == null ? 1 : first.numel();
  }
}
