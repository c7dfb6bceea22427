package dev.adjoint.autograd;

/**
 * The grad-mode state: whether operations are recorded on this thread (thread-local, as in PyTorch). Users
 * change it through {@code dev.adjoint.Autograd}'s scopes ({@code noGrad()}, {@code setGradEnabled});
 * the recorder ({@link Row}) and the engine ({@link Engine}) read it here.
 */
public final class GradMode {
  private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

  private GradMode() {}

  /** Whether operations are recorded on this thread. */
  public static boolean isEnabled() {
    return ENABLED.get()[0];
  }

  /** Sets the mode on this thread and returns the previous one, for a scope to restore. */
  public static boolean set(boolean enabled) {
    boolean[] flag = ENABLED.get();
    boolean previous = flag[0];
    flag[0] = enabled;
    return previous;
  }
}
