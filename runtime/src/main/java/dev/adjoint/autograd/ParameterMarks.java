package dev.adjoint.autograd;

import java.lang.ref.WeakReference;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;

/**
 * Modules whose parameter fields have not been made to require grad yet, marked before the next operation is
 * recorded. A module's parameters are its {@code Tensor} fields, which become leaves that require grad when first
 * visited; {@code Module.call} and the generated forward visit them first, but a {@code @Differentiable forward}
 * called directly ({@code net.forward(x)}) runs the user's own body, which no generated code precedes. So a module
 * with generated members registers here when constructed, and {@link Row#record} marks the registered ones before
 * it decides whether anything requires grad: {@code new Net().forward(x).sum().backward()} then fills every
 * parameter's gradient, as {@code nn.Parameter} requires grad from construction. When nothing is pending this costs
 * {@link Row#record} one volatile read.
 *
 * <p>A module is marked only once every parameter field is assigned (the marker says whether it was): an operation
 * inside its constructor, before the last field is set, leaves it pending. Modules are held weakly.
 */
public final class ParameterMarks {
  private ParameterMarks() {}

  private static final ConcurrentLinkedQueue<Pending> QUEUE = new ConcurrentLinkedQueue<>();
  private static volatile boolean pending;

  private record Pending(WeakReference<Object> module, Predicate<Object> marker) {}

  /**
   * Registers {@code module}, to be marked by {@code marker} before the next recorded operation; {@code marker}
   * returns whether it is done with the module (false: try again before the next one).
   */
  public static void add(Object module, Predicate<Object> marker) {
    QUEUE.add(new Pending(new WeakReference<>(module), marker));
    pending = true;
  }

  /** Marks the pending modules, if any. */
  static void markPending() {
    if (!pending) {
      return;
    }
    pending = false;
    boolean left = false;
    for (Iterator<Pending> it = QUEUE.iterator(); it.hasNext();) {
      Pending p = it.next();
      Object m = p.module().get();
      if (m == null || p.marker().test(m)) {
        it.remove();
      } else {
        left = true;
      }
    }
    if (left) {
      pending = true;
    }
  }
}
