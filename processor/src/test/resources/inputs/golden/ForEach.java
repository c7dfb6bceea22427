package golden;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;

/** Enhanced for over a Tensor[]: lowered to a counted loop, reversed by index. */
public final class ForEach {
  private ForEach() {}

  /** tanh(w * x_t + h) over the time steps, summed. */
  @Differentiable
  public static Tensor rnn(Tensor[] xs, Tensor w, Tensor h0) {
    Tensor h = h0;
    for (Tensor u : xs) {
      h = w.mul(u).add(h).tanh();
    }
    return h.sum();
  }

  /** The sum of squares of every element, through an index and xs.length. */
  @Differentiable
  public static Tensor sumOfSquares(Tensor[] xs, int from) {
    Tensor s = xs[from].mul(xs[from]).sum();
    for (int i = from + 1; i < xs.length; i++) {
      s = s.add(xs[i].mul(xs[i]).sum());
    }
    return s;
  }
}
