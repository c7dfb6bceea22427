package dev.adjoint.autograd;

import dev.adjoint.Tensor;

/**
 * An adjoint that also has a form written with recorded operations, for {@code createGraph}: the nodes of
 * in-place operations and {@code CopySlices}, which are not made by a row, carry their recorded formula
 * this way (a row's node carries its own). Under {@code createGraph} the engine calls {@link
 * #applyRecorded}; when that returns {@code null} the gradient is computed by {@link #apply} and marked
 * not differentiable again, as for any node without a formula.
 */
public interface RecordedVjp extends Vjp {
  /** The inputs' gradients for upstream {@code g}, written with recorded operations; or {@code null}. */
  Grads applyRecorded(Tensor g);

  /** {@code plain} for a first backward, {@code recorded} under {@code createGraph}. */
  static RecordedVjp of(Vjp plain, java.util.function.Function<Tensor, Grads> recorded) {
    return new RecordedVjp() {
      @Override
      public Grads apply(Tensor g) {
        return plain.apply(g);
      }

      @Override
      public Grads applyRecorded(Tensor g) {
        return recorded.apply(g);
      }
    };
  }
}
