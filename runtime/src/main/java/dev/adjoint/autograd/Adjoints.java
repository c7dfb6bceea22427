package dev.adjoint.autograd;

import dev.adjoint.Tensor;

/**
 * Helpers for generated backward code with control flow, where a tensor adjoint is a mutable variable
 * that starts as {@code null} (the symbolic zero: nothing has flowed into it on this path).
 */
public final class Adjoints {
  private Adjoints() {}

  /**
   * Throws {@code error}, checked or not: the generated form of a {@code throw} in a
   * {@code @Differentiable} body (an input check). A call, not a {@code throw} statement, so the
   * statements the generated code adds after it stay reachable.
   *
   * @param <E> inferred as an unchecked type at the call site
   */
  @SuppressWarnings("unchecked")
  public static <E extends Throwable> void raise(Throwable error) throws E {
    throw (E) error;
  }

  /** {@code sum + g}, where a null {@code sum} or {@code g} is zero; never modifies either tensor. */
  public static Tensor add(Tensor sum, Tensor g) {
    return sum == null ? g : g == null ? sum : sum.add(g);
  }

  /**
   * The gradient a user's {@code @Derivative} rule returned for one of its inputs, taken as PyTorch's engine takes
   * a node's gradients ({@code validate_outputs}): itself when it has the input's shape; summed over the broadcast
   * dimensions when the input's shape broadcasts to it (a rule that returns the gradient of a broadcast unreduced,
   * {@code [2, 3]} for a {@code [3]} input, gets the column sums, as {@code torch.autograd.Function} does); else
   * an error naming the rule, the input, both shapes and the user's call. {@code null} (no gradient) stays null.
   *
   * @param grad what the rule returned for the input
   * @param input the input's value at the call
   * @param rule the rule, {@code Rules.swishVjp}
   * @param param the rule's parameter for the input, {@code beta}
   * @param site the user's statement calling the rule's method, {@code Rules.java:47}
   */
  public static Tensor fromRule(Tensor grad, Tensor input, String rule, String param, String site) {
    if (grad == null || java.util.Arrays.equals(grad.shape(), input.shape())) {
      return grad;
    }
    if (dev.adjoint.shape.Shapes.expandableTo(input.shape(), grad.shape())) {
      return DoubleBackward.sumTo(grad, input);
    }
    throw new IllegalStateException(rule + " returned a gradient of shape " + java.util.Arrays.toString(grad.shape())
        + " for " + param + ", whose shape is " + java.util.Arrays.toString(input.shape()) + " (called at " + site
        + "): a gradient must have its input's shape, or a shape the input broadcasts to (it is then summed back, as"
        + " PyTorch sums it); fix the @Derivative rule");
  }

  /**
   * {@code g}, or zeros shaped like {@code like} when {@code g} is null: a gradient component of a
   * composed {@code @Differentiable} call is null when that input cannot affect the callee's result.
   */
  public static Tensor orZeros(Tensor g, Tensor like) {
    return g != null ? g : Tensor.zeros(like.shape());
  }

  /**
   * The non-null tensors of {@code tensors}: what a pullback with control flow saves for version checks
   * (a variable of a branch or loop that did not run is still null).
   */
  public static Tensor[] present(Tensor... tensors) {
    return java.util.Arrays.stream(tensors).filter(java.util.Objects::nonNull).toArray(Tensor[]::new);
  }

  /**
   * The gradient of a {@code Tensor[]} input before anything flows into it: an array of the same length
   * whose entries are all null (an entry no gradient reaches stays null, as for a tensor input that
   * cannot affect the result).
   */
  public static Tensor[] like(Tensor[] primal) {
    return new Tensor[primal.length];
  }

  /**
   * The entries of a {@code Tensor[]} input's gradient for an autograd node: {@code grads} itself, or
   * {@code length} nulls when the whole gradient is null (no element affects the result).
   */
  public static Tensor[] entries(Tensor[] grads, int length) {
    if (grads != null && grads.length != length) {
      throw new IllegalArgumentException("Adjoints.entries: a gradient of " + grads.length
          + " tensors for an array of " + length);
    }
    return grads == null ? new Tensor[length] : grads;
  }

  /** The tensors of {@code parts} in order, as one array: an autograd node's flattened inputs or gradients. */
  public static Tensor[] flatten(Tensor[]... parts) {
    int n = 0;
    for (Tensor[] p : parts) {
      n += p.length;
    }
    Tensor[] all = new Tensor[n];
    int at = 0;
    for (Tensor[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }

  /**
   * The element count shared by tensors that each have one element or the same shape, for generated
   * fused loops; -1 if real broadcasting is involved or a tensor is not FLOAT32 (the fused loop reads
   * float32 storage), and the generated code then takes the tensor path.
   */
  public static int fusedLength(Tensor... tensors) {
    Tensor first = null;
    for (Tensor t : tensors) {
      if (t.dtype() != Tensor.DType.FLOAT32) {
        return -1; // the fused loop reads and writes float32 storage; other dtypes take the tensor path
      }
      if (t.numel() == 1) {
        continue;
      }
      if (first == null) {
        first = t;
      } else if (t.dim() != first.dim()) {
        return -1;
      } else {
        for (int d = 0; d < t.dim(); d++) {
          if (t.size(d) != first.size(d)) {
            return -1;
          }
        }
      }
    }
    return first == null ? 1 : first.numel();
  }
}
