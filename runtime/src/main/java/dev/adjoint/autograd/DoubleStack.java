package dev.adjoint.autograd;

import java.util.Arrays;

/**
 * A growable stack of {@code double}s for generated code with control flow: the forward sweep of a
 * {@code @Differentiable} method pushes values that later statements overwrite (Tangent's {@code _stack},
 * Tapenade's {@code PUSH}), the backward sweep pops them in reverse. {@code float} values are stored
 * widened (exact). One array, doubled when full: no allocation per push once warm.
 */
public final class DoubleStack {
  private double[] data;
  private int top;

  /** An empty stack. */
  public DoubleStack() {
    this(new double[16], 0);
  }

  private DoubleStack(double[] data, int top) {
    this.data = data;
    this.top = top;
  }

  /** Pushes {@code v}. */
  public void push(double v) {
    if (top == data.length) {
      data = Arrays.copyOf(data, data.length * 2);
    }
    data[top++] = v;
  }

  /** Pops the last value pushed and not yet popped. */
  public double pop() {
    if (top == 0) {
      throw new IllegalStateException("DoubleStack.pop() on an empty stack: the backward replays more values"
          + " than the forward recorded");
    }
    return data[--top];
  }

  /** The number of values on the stack. */
  public int size() {
    return top;
  }

  /**
   * A stack over the same values that pops independently, so a pullback's backward can run more than
   * once (PyTorch's {@code retain_graph}) without the forward recording again.
   */
  public DoubleStack replay() {
    return new DoubleStack(data, top);
  }
}
