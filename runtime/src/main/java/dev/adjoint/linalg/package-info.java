/**
 * Linear algebra on EJML ({@code torch.linalg}): {@link dev.adjoint.linalg.Linalg} holds the differentiable
 * operations (rows of {@link dev.adjoint.linalg.DecompositionRules}, forward and PyTorch's adjoint side by
 * side); EJML computes the decompositions in float64. Depends on {@code Tensor}, {@code rules} and
 * {@code autograd}; nothing in the runtime depends on it.
 */
package dev.adjoint.linalg;
