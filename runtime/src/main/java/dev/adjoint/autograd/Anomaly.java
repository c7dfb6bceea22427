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

  /** How many threads record node traces outside anomaly mode ({@link #traceOnThisThread}). */
  private static volatile int tracingThreads;
  private static final ThreadLocal<Boolean> TRACING = new ThreadLocal<>();

  /**
   * Whether a node made now records the stack of the forward call that made it: in anomaly mode, or on a thread
   * inside {@link #traceOnThisThread}.
   */
  static boolean recordsTrace() {
    return enabled || tracingThreads > 0 && TRACING.get() != null;
  }

  /**
   * Runs {@code body} with every node made on this thread recording its forward stack, as in anomaly mode but
   * without its checks and without affecting other threads: for locating, after a failure, the user's line of
   * an operation (an {@code fHvp} reaching an operation without double backward runs the method again here).
   */
  static <T> T traceOnThisThread(java.util.function.Supplier<T> body) {
    if (TRACING.get() != null) {
      return body.get();
    }
    synchronized (Anomaly.class) {
      tracingThreads++;
    }
    TRACING.set(Boolean.TRUE);
    try {
      return body.get();
    } finally {
      TRACING.remove();
      synchronized (Anomaly.class) {
        tracingThreads--;
      }
    }
  }

  /** The first line of a {@link #trace}: the user's frame that made the node, or null. */
  static String firstFrame(String trace) {
    if (trace == null || trace.isEmpty()) {
      return null;
    }
    int end = trace.indexOf('\n');
    return trace.substring(0, end < 0 ? trace.length() : end).replaceFirst("^\\s*at ", "");
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
