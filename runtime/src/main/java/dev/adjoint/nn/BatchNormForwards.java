package dev.adjoint.nn;

import dev.adjoint.Tensor;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * What each forward of a batch-norm module used, kept by its output (weakly) for the adjoint: the mode, and in
 * eval mode the running statistics as they were. The adjoint otherwise would read the module as it is when the
 * backward runs, and a forward in training mode followed by {@code eval()} (or a training forward that updates
 * the running statistics in place) before the backward would give another mode's gradient, silently. PyTorch's
 * node keeps both at forward time too.
 */
final class BatchNormForwards {
  /** The mode of one forward, and its running statistics in eval mode (null in training). */
  record Used(boolean training, Tensor runningMean, Tensor runningVar) {}

  private final Map<Tensor, Used> byOutput = Collections.synchronizedMap(new WeakHashMap<>());

  /** Remembers what the forward that made {@code out} used; returns {@code out}. */
  Tensor remember(Tensor out, boolean training, Tensor runningMean, Tensor runningVar) {
    byOutput.put(out, training ? new Used(true, null, null)
        : new Used(false, runningMean.detach().clone(), runningVar.detach().clone()));
    return out;
  }

  /** What the forward that made {@code out} used; the module's current state for an output it did not make. */
  Used of(Tensor out, boolean training, Tensor runningMean, Tensor runningVar) {
    Used u = byOutput.get(out);
    return u != null ? u : new Used(training, runningMean, runningVar);
  }
}
