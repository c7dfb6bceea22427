/**
 * Autograd: the graph ({@link dev.adjoint.autograd.Node}, {@link dev.adjoint.autograd.Grads}), the eager
 * recorder of the primitives ({@link dev.adjoint.autograd.Row}, one per {@code @Primitive} method, read
 * from its annotation), the backward pass ({@link dev.adjoint.autograd.Engine}), the grad-mode state
 * ({@link dev.adjoint.autograd.GradMode}; users change it through {@code Autograd}'s scopes) and helpers
 * for generated code ({@link dev.adjoint.autograd.Adjoints}, the tape stacks).
 *
 * <p>Stage: recording and backward. Input: a primitive's result and inputs (record), a root and its
 * gradient (backward). Output: nodes; gradients accumulated into leaves. Depends on {@code annotation} and
 * {@code kernel}, and on {@code Tensor} as the value type; {@link dev.adjoint.autograd.TensorAccess} is
 * how {@code Tensor} lets this package set what its public API does not.
 */
package dev.adjoint.autograd;
