package dev.adjoint.autograd;

import dev.adjoint.Tensor;

/**
 * The result of an adjoint: one gradient per input of a primitive, {@code null} where the input is
 * not differentiable or receives no gradient (a symbolic zero).
 */
public final class Grads {
  private static final Grads NONE = new Grads(new Tensor[0]);
  private final Tensor[] grads;

  private Grads(Tensor[] grads) {
    this.grads = grads;
  }

  /** The gradients, in input order ({@code null} entries allowed). */
  public static Grads of(Tensor... grads) {
    return new Grads(grads);
  }

  /** No input receives a gradient. */
  public static Grads none() {
    return NONE;
  }

  /** The gradient of input {@code i}, or {@code null} for a zero or non-differentiable input. */
  public Tensor get(int i) {
    return i < grads.length ? grads[i] : null;
  }

  /** The number of entries. */
  public int size() {
    return grads.length;
  }
}
