package dev.adjoint.autograd;

import dev.adjoint.Tensor;

/**
 * Helpers for generated backward code with control flow, where a tensor adjoint is a mutable variable
 * that starts as {@code null} (the symbolic zero: nothing has flowed into it on this path).
 */
public final class Adjoints {
  private Adjoints() {}

  /** {@code sum + g}, where a null {@code sum} is zero; never modifies either tensor. */
  public static Tensor add(Tensor sum, Tensor g) {
    return sum == null ? g : sum.add(g);
  }

  /**
   * The non-null tensors of {@code tensors}: what a pullback with control flow saves for version checks
   * (a variable of a branch or loop that did not run is still null).
   */
  public static Tensor[] present(Tensor... tensors) {
    return java.util.Arrays.stream(tensors).filter(java.util.Objects::nonNull).toArray(Tensor[]::new);
  }
}
