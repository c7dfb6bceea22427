package dev.adjoint.autograd;

import dev.adjoint.Tensor;

/**
 * Internal: the few things the autograd package does to a tensor that its public API does not offer (make
 * it the result of a node, read its shape without a copy). {@code Tensor} installs the one implementation
 * when it is initialised, so this package needs no back door into {@code dev.adjoint} and the public API
 * gains no setter (the JDK's {@code SharedSecrets} pattern). Not for user code: a second
 * {@link #install} throws.
 */
public abstract class TensorAccess {
  private static volatile TensorAccess instance;

  /** For {@code Tensor}'s implementation only. */
  protected TensorAccess() {}

  /** Installs {@code Tensor}'s implementation; throws if one is installed already. */
  public static synchronized void install(TensorAccess access) {
    if (instance != null) {
      throw new IllegalStateException("TensorAccess: already installed");
    }
    instance = access;
  }

  /** The implementation, initialising {@code Tensor} first if no tensor exists yet. */
  static TensorAccess get() {
    TensorAccess a = instance;
    if (a == null) {
      try {
        Class.forName(Tensor.class.getName(), true, Tensor.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new AssertionError(e);
      }
      a = instance;
    }
    return a;
  }

  /** Makes {@code node} the tensor's {@code gradFn}: it requires grad and is no longer a leaf. */
  protected abstract void setGradFn(Tensor t, Node node);

  /** The tensor's shape array itself (not a copy): read it, never write it. */
  protected abstract int[] shape(Tensor t);

  /** Whether {@link Tensor#storage()} is the tensor's own backing array (contiguous, offset 0, alone). */
  protected abstract boolean isDense(Tensor t);

  /** How many times {@link Tensor#setData} replaced the tensor's data (not counted by its version). */
  protected abstract int dataSwaps(Tensor t);

  /** The engine task that may take the tensor as a leaf's gradient without a copy, or null ({@link Grads#owned}). */
  protected abstract Object gradOwner(Tensor t);

  /** Sets (or, with null, clears) {@link #gradOwner}. */
  protected abstract void setGradOwner(Tensor t, Object owner);

  /**
   * Whether {@code t} is a dense float32 tensor that {@link Tensor#zero_()} zeroed and that has not changed
   * since (by its version and array): all its elements are {@code +0}.
   */
  protected abstract boolean isKnownZero(Tensor t);

  /** The tensor's backing array ({@code float[]} or {@code double[]}), shared with its views: for identity checks. */
  protected abstract Object array(Tensor t);

  /**
   * Detaches {@code t} from its array, which the engine has given back to the {@link BufferPool}: a stray
   * reference that reads {@code t} afterwards fails (an index out of bounds) instead of reading another
   * gradient's values.
   */
  protected abstract void retire(Tensor t);

  /**
   * Adds {@code delta} to the number of nodes that hold {@code t} among their saved tensors (counted when a node is
   * made, uncounted when it frees them) and returns the new count: for {@link BufferPool#activation}.
   */
  protected abstract int savedBy(Tensor t, int delta);

  /** Whether {@code t} is an activation only the library can reach ({@link BufferPool#activation}). */
  protected abstract boolean internal(Tensor t);

  /** Sets {@link #internal}. */
  protected abstract void setInternal(Tensor t, boolean internal);
}
