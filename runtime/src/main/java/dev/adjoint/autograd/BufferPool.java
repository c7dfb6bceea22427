package dev.adjoint.autograd;

import dev.adjoint.Tensor;
import java.util.Arrays;

/**
 * Float arrays reused from one backward pass to the next, per thread: what PyTorch's caching allocator gets
 * from reference counts, for the gradients that flow between the nodes of a backward pass.
 *
 * <p><b>Who gives arrays back.</b> Only the engine, and only an array it knows to be dead: an upstream
 * gradient that a library rule made ({@link Grads#owned}: a new array that the rule keeps no reference to),
 * once the library node that read it has run and none of the gradients it returned shares the array, and
 * nothing but the engine saw it (no hook, no {@code retainGrad}, no captured {@code inputs} of
 * {@code backward}, no {@code Autograd.grad}, no {@code createGraph}); and a marked gradient that the
 * engine has just added into a leaf's {@code grad} or summed with another. A gradient that becomes a
 * {@code grad}, or that a hook, a custom {@code Function} or user code could keep, loses its mark first and is
 * never given back. So an array from {@link #floats} is never one that a reachable, user-visible tensor
 * still reads.
 *
 * <p><b>Who takes them.</b> Rules that make a gradient the engine passes on (a layer's input gradient, an
 * activation's adjoint, a convolution's or a pooling's input gradient) ask for it here instead of
 * {@code new float[n]}: in a training loop the second step finds the first step's arrays, so a step allocates
 * none of its inter-layer gradients (and none of the large arrays that G1 would place in humongous regions).
 * An array of fewer than {@link #MIN_FLOATS} elements is simply allocated: cheap, and not worth keeping.
 *
 * <p><b>Bounds.</b> Each thread keeps at most {@link #MAX_PER_SIZE} arrays of one length and
 * {@link #MAX_BYTES} bytes in all; more are left to the garbage collector. The pool belongs to its thread (no
 * locks); a thread that ends takes its arrays with it. {@code -Dadjoint.pool=off} turns it off (every
 * request allocates, nothing is kept), for A/B measurements.
 */
public final class BufferPool {
  /** Arrays shorter than this (16 KB of floats) are not pooled. */
  public static final int MIN_FLOATS = 4096;
  /** At most this many arrays of one length per thread. */
  public static final int MAX_PER_SIZE = 8;
  /** At most this many bytes per thread. */
  public static final long MAX_BYTES = 64L << 20;

  private static final boolean ENABLED = !"off".equals(System.getProperty("adjoint.pool"));
  private static final ThreadLocal<Pool> POOL = ThreadLocal.withInitial(Pool::new);
  private static final TensorAccess ACCESS = TensorAccess.get();

  private BufferPool() {}

  /**
   * An array of exactly {@code n} floats whose contents are unspecified (a reused one holds an old
   * gradient): for a caller that writes every element before reading any.
   */
  public static float[] floats(int n) {
    if (!ENABLED || n < MIN_FLOATS) {
      return new float[n];
    }
    float[] a = POOL.get().take(n);
    return a != null ? a : new float[n];
  }

  /** An array of exactly {@code n} floats, all {@code +0}, as {@code new float[n]}. */
  public static float[] zeros(int n) {
    if (!ENABLED || n < MIN_FLOATS) {
      return new float[n];
    }
    float[] a = POOL.get().take(n);
    if (a == null) {
      return new float[n];
    }
    Arrays.fill(a, 0f);
    return a;
  }

  /** Gives {@code a} back to this thread's pool; only for an array that nothing can read any more. */
  static void release(float[] a) {
    if (ENABLED && a.length >= MIN_FLOATS) {
      POOL.get().put(a);
    }
  }

  /**
   * For library rules: gives back a scratch array that the calling rule took from {@link #floats} or
   * {@link #zeros} on this thread, used within the call and shared with nothing (a partial sum, say).
   * Giving back an array that anything can still read corrupts it: this is the library's, not user code's.
   */
  public static void giveBack(float[] scratch) {
    release(scratch);
  }

  /**
   * For library containers ({@code nn.Sequential}): {@code t} is an activation between two of its layers that no
   * user code can reach (no hooks on the container or either layer, both layers library modules whose nodes save
   * what their adjoints read, no saved-tensor hooks active) and that {@code next}, the following layer's output,
   * does not share. Its array goes back to the pool now when no node saves it (the input of a ReLU, or any
   * activation under no-grad), else when the last node that saves it frees its saved tensors (after its backward,
   * unless {@code retainGraph}); a backward with {@code createGraph} keeps it for good. Giving this a tensor that
   * anything else can still read corrupts it: this is the library's, not user code's.
   */
  public static void activation(Tensor t, Tensor next) {
    if (!ENABLED || t.dtype() != Tensor.DType.FLOAT32 || t.numel() < MIN_FLOATS || !ACCESS.isDense(t)
        || ACCESS.array(t) == ACCESS.array(next) || SavedTensorHooks.current() != null) {
      return;
    }
    if (ACCESS.savedBy(t, 0) == 0) {
      retireAndRelease(t);
    } else {
      ACCESS.setInternal(t, true);
    }
  }

  /** For {@link Node}: {@code freed} are no longer among its saved tensors; gives back internal ones no node saves. */
  static void unsaved(Tensor[] freed) {
    for (Tensor t : freed) {
      if (t != null && ACCESS.savedBy(t, -1) == 0 && ACCESS.internal(t)) {
        retireAndRelease(t);
      }
    }
  }

  private static void retireAndRelease(Tensor t) {
    float[] a = (float[]) ACCESS.array(t);
    ACCESS.retire(t);
    release(a);
  }

  /** The bytes this thread's pool holds now (for tests and benchmarks). */
  public static long retainedBytes() {
    return POOL.get().bytes;
  }

  /** Whether the pool is on ({@code -Dadjoint.pool=off} turns it off). */
  public static boolean enabled() {
    return ENABLED;
  }

  /** Empties this thread's pool (for tests). */
  public static void clear() {
    Pool p = POOL.get();
    p.count = 0;
    p.bytes = 0;
    Arrays.fill(p.arrays, null);
  }

  /** One thread's arrays: a short list, searched from the newest (the warmest in cache). */
  private static final class Pool {
    private float[][] arrays = new float[16][];
    private int count;
    private long bytes;

    float[] take(int n) {
      for (int i = count - 1; i >= 0; i--) {
        float[] a = arrays[i];
        if (a.length == n) {
          System.arraycopy(arrays, i + 1, arrays, i, count - i - 1);
          arrays[--count] = null;
          bytes -= 4L * n;
          return a;
        }
      }
      return null;
    }

    void put(float[] a) {
      long size = 4L * a.length;
      int same = 0;
      for (int i = 0; i < count; i++) {
        if (arrays[i] == a) {
          throw new IllegalStateException("BufferPool: an array of " + a.length + " floats was given back twice"
              + " (a bug in the engine; please report it)");
        }
        if (arrays[i].length == a.length) {
          same++;
        }
      }
      if (same >= MAX_PER_SIZE || bytes + size > MAX_BYTES) {
        return; // left to the garbage collector
      }
      if (count == arrays.length) {
        arrays = Arrays.copyOf(arrays, count * 2);
      }
      arrays[count++] = a;
      bytes += size;
    }
  }
}
