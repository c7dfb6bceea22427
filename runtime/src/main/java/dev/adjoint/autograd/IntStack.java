package dev.adjoint.autograd;

import java.util.Arrays;

/**
 * A growable stack of {@code int}s for generated code with control flow: branch decisions, trip counts
 * of loops nested in loops, and overwritten {@code int}/{@code boolean} values (see {@link DoubleStack}).
 * One array, doubled when full: no allocation per push once warm.
 */
public final class IntStack {
  private int[] data;
  private int top;

  /** An empty stack. */
  public IntStack() {
    this(new int[16], 0);
  }

  private IntStack(int[] data, int top) {
    this.data = data;
    this.top = top;
  }

  /** Pushes {@code v}. */
  public void push(int v) {
    if (top == data.length) {
      data = Arrays.copyOf(data, data.length * 2);
    }
    data[top++] = v;
  }

  /** Pops the last value pushed and not yet popped. */
  public int pop() {
    if (top == 0) {
      throw new IllegalStateException("IntStack.pop() on an empty stack: the backward replays more values"
          + " than the forward recorded");
    }
    return data[--top];
  }

  /** Pushes a branch decision. */
  public void push(boolean v) {
    push(v ? 1 : 0);
  }

  /** Pops a branch decision. */
  public boolean popBoolean() {
    return pop() != 0;
  }

  /** The number of values on the stack. */
  public int size() {
    return top;
  }

  /**
   * A stack over the same values that pops independently, so a pullback's backward can run more than
   * once (PyTorch's {@code retain_graph}) without the forward recording again.
   */
  public IntStack replay() {
    return new IntStack(data, top);
  }
}
