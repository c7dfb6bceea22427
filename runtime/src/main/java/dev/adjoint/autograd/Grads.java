package dev.adjoint.autograd;

import dev.adjoint.Tensor;

/**
 * The result of an adjoint: one gradient per input of a primitive, {@code null} where the input is
 * not differentiable or receives no gradient (a symbolic zero).
 */
public final class Grads {
  private static final Grads NONE = new Grads(new Tensor[0]);
  private final Tensor[] grads;
  /** For {@link #lazy}: computes entry i on its first {@link #get}; null once every entry is known. */
  private java.util.function.IntFunction<Tensor> compute;
  private boolean[] known;

  private Grads(Tensor[] grads) {
    this.grads = grads;
  }

  /**
   * Gradients computed on demand: entry {@code i} is {@code compute.apply(i)}, evaluated on the first
   * {@link #get(int) get(i)} and kept. An adjoint whose entries cost separate products (a linear layer's
   * input and weight gradients) returns this, so generated code that never reads an entry (the data input
   * of a {@code @Differentiable(wrt = "this")} module) never pays for it. Not thread-safe, like a node.
   */
  public static Grads lazy(int n, java.util.function.IntFunction<Tensor> compute) {
    Grads g = new Grads(new Tensor[n]);
    g.compute = compute;
    g.known = new boolean[n];
    return g;
  }

  /**
   * Marks {@code g} as a gradient that the calling rule has just allocated and keeps no reference to, and
   * returns it: the backward pass running on this thread may then make it a leaf's {@code grad} as it is
   * instead of copying it, as PyTorch's {@code AccumulateGrad} steals a gradient no one else holds. The mark
   * is for that one backward pass (outside one it does nothing), and the engine drops it wherever the
   * gradient could become visible to anyone else (hooks, retained or captured gradients, one tensor given
   * to two inputs). Only for a dense tensor over a new array that nothing else holds: marking a tensor
   * that something else keeps would make a {@code grad} alias it.
   */
  public static Tensor owned(Tensor g) {
    if (g != null) {
      Engine.own(g);
    }
    return g;
  }

  /**
   * The buffer into which the calling adjoint may write the gradient of its input {@code input}, or null:
   * {@code input}'s own {@code grad}, when {@code input} is a float32 leaf whose {@code grad} a
   * {@code zeroGrad()} left all zeros, the backward pass running this adjoint is a plain {@code backward()}
   * that accumulates, and this adjoint's node is the only one that sends {@code input} a gradient in it (no
   * hooks on the leaf). Then {@code grad += gradient} is {@code grad = gradient}: a rule that gets a buffer
   * adds its gradient onto it ({@code +0} plus each element, the bits of a fresh array) and returns that very
   * tensor as {@code input}'s gradient; the engine then skips the copy and the add, so a training step
   * allocates no gradient for its parameters (PyTorch's {@code AccumulateGrad} adds into the existing
   * {@code grad} in place; this also spares the temporary). Whatever the adjoint returns for {@code input}
   * instead, {@code grad} ends as exactly that (the engine copies it over), so code that goes on to combine
   * the buffer with other terms stays right. At most one buffer per input and pass.
   */
  public static Tensor into(Tensor input) {
    return input == null ? null : Engine.destination(input);
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
    if (i >= grads.length) {
      return null;
    }
    if (compute != null && !known[i]) {
      grads[i] = compute.apply(i);
      known[i] = true;
    }
    return grads[i];
  }

  /** The number of entries. */
  public int size() {
    return grads.length;
  }
}
