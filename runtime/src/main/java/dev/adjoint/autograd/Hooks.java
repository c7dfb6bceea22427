package dev.adjoint.autograd;

import dev.adjoint.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/** Internal: ordered hook lists with removable entries, and running gradient hooks. */
public final class Hooks {
  private Hooks() {}

  /** One registered hook. */
  static final class Entry {
    final UnaryOperator<Tensor> hook;

    Entry(UnaryOperator<Tensor> hook) {
      this.hook = hook;
    }
  }

  /** Appends {@code hook} to {@code list}; the handle removes exactly this registration. */
  static RemovableHandle add(List<Entry> list, UnaryOperator<Tensor> hook) {
    Entry e = new Entry(hook);
    list.add(e);
    return () -> list.removeIf(x -> x == e);
  }

  /**
   * Runs the hooks in registration order: each sees the gradient as the previous one left it and may return
   * a replacement (PyTorch's "return a new gradient") or {@code null} to keep it. A replacement of another
   * shape throws, naming {@code where}.
   */
  static Tensor run(List<Entry> list, Tensor g, String where) {
    for (Entry e : list.toArray(new Entry[0])) {
      Tensor r = e.hook.apply(g);
      if (r != null) {
        if (!Arrays.equals(r.shape(), g.shape())) {
          throw new IllegalArgumentException("hook: a hook on " + where + " returned a gradient of shape "
              + Arrays.toString(r.shape()) + " for a gradient of shape " + Arrays.toString(g.shape()));
        }
        g = r;
      }
    }
    return g;
  }
}
