package dev.adjoint.autograd;

import java.util.Arrays;

/**
 * A growable stack of references ({@code Tensor}s and other objects) for generated code with control
 * flow; see {@link DoubleStack}. Pushing a tensor saves the reference, not a copy: generated forward code
 * never changes a tensor in place, so the reference keeps the value.
 *
 * @param <T> the element type
 */
public final class ObjectStack<T> {
  private Object[] data;
  private int top;

  /** An empty stack. */
  public ObjectStack() {
    this(new Object[16], 0);
  }

  private ObjectStack(Object[] data, int top) {
    this.data = data;
    this.top = top;
  }

  /** Pushes {@code v} (may be null). */
  public void push(T v) {
    if (top == data.length) {
      data = Arrays.copyOf(data, data.length * 2);
    }
    data[top++] = v;
  }

  /** Pops the last value pushed and not yet popped. */
  @SuppressWarnings("unchecked")
  public T pop() {
    if (top == 0) {
      throw new IllegalStateException("ObjectStack.pop() on an empty stack: the backward replays more values"
          + " than the forward recorded");
    }
    return (T) data[--top];
  }

  /** The number of values on the stack. */
  public int size() {
    return top;
  }

  /** A stack over the same values that pops independently (see {@link DoubleStack#replay()}). */
  public ObjectStack<T> replay() {
    return new ObjectStack<>(data, top);
  }
}
