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

  /** xs[0] summed plus the squares of xs[from], xs[from + 1] ...: an index, xs.length, a constant index. */
  @Differentiable
  public static Tensor sumOfSquares(Tensor[] xs, int from) {
    Tensor s = xs[0].sum();
    for (int i = from; i < xs.length; i++) {
      s = s.add(xs[i].mul(xs[i]).sum());
    }
    return s;
  }
}
