package dev.adjoint.autograd;

/**
 * Anomaly-detection state ({@code torch.autograd.set_detect_anomaly}; global, as in PyTorch). While on, each
 * node records the stack of the forward call that made it, and the engine checks every gradient a node
 * returns for NaN, naming the node and that stack.
 */
public final class Anomaly {
  private static volatile boolean enabled;

  private Anomaly() {}

  /** Whether anomaly detection is on. */
  public static boolean isEnabled() {
    return enabled;
  }

  private static volatile boolean checkNan = true;

  /** Turns anomaly detection on or off; returns the previous setting, for a scope to restore. */
  public static boolean set(boolean on) {
    boolean previous = enabled;
    enabled = on;
    return previous;
  }

  /** Whether backward checks the gradients for NaN while anomaly detection is on ({@code check_nan}). */
  public static boolean checkNan() {
    return checkNan;
  }

  /** Sets {@code check_nan}; returns the previous setting, for a scope to restore. */
  public static boolean setCheckNan(boolean on) {
    boolean previous = checkNan;
    checkNan = on;
    return previous;
  }

  private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

  /**
   * The caller's stack without the runtime's own frames (classes loaded from the same place as
   * {@code Tensor}) and the JDK's, so the user's line comes first.
   */
  static String trace() {
    java.security.CodeSource runtime = dev.adjoint.Tensor.class.getProtectionDomain().getCodeSource();
    StringBuilder b = new StringBuilder();
    WALKER.forEach(f -> {
      Class<?> c = f.getDeclaringClass();
      java.security.CodeSource cs = c.getProtectionDomain().getCodeSource();
      boolean ours = runtime != null && cs != null && runtime.getLocation().equals(cs.getLocation());
      String n = c.getName();
      if (!ours && !n.startsWith("java.") && !n.startsWith("jdk.") && !n.startsWith("sun.")) {
        b.append("  at ").append(f.toStackTraceElement()).append('\n');
      }
    });
    return b.toString();
  }
}
