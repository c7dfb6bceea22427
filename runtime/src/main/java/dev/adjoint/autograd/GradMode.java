package dev.adjoint.autograd;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The grad-mode state: whether operations are recorded on this thread (thread-local, as in PyTorch). Users
 * change it through {@code dev.adjoint.Autograd}'s scopes ({@code noGrad()}, {@code setGradEnabled});
 * the recorder ({@link Row}) and the engine ({@link Engine}) read it here.
 *
 * <p>Every recorded operation asks, so the common answer is fast: {@link #DISABLED} counts the threads whose
 * mode is off, and while it is zero no thread-local is read. A thread that turned the mode off has counted
 * itself before it asks, so it always reaches its own flag.
 */
public final class GradMode {
  private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});
  /** The number of threads whose grad mode is off (a thread that ends with it off stays counted: then slower). */
  private static final AtomicInteger DISABLED = new AtomicInteger();

  private GradMode() {}

  /** Whether operations are recorded on this thread. */
  public static boolean isEnabled() {
    return DISABLED.get() == 0 || ENABLED.get()[0];
  }

  /** Sets the mode on this thread and returns the previous one, for a scope to restore. */
  public static boolean set(boolean enabled) {
    boolean[] flag = ENABLED.get();
    boolean previous = flag[0];
    if (previous != enabled) {
      if (!enabled) {
        DISABLED.incrementAndGet();
      }
      flag[0] = enabled;
      if (enabled) {
        DISABLED.decrementAndGet();
      }
    }
    return previous;
  }
}
