/**
 * The public surface: {@link dev.adjoint.Tensor} (creation, inspection, the differentiable operations and
 * their in-place forms, PyTorch's names in camelCase), {@link dev.adjoint.Autograd} (grad-mode scopes, and
 * recording for generated code), {@link dev.adjoint.Generator} and {@link dev.adjoint.Adjoint}.
 *
 * <p>Stage: the facade. Input: user calls. Output: tensors; with grad mode on, each differentiable call
 * computes with its rule's forward ({@code dev.adjoint.rules}) and hands the result to its row
 * ({@code dev.adjoint.autograd.Row}), which records the node. Dependencies run one way:
 * {@code Tensor → rules → kernel}, {@code Tensor → autograd}; {@code rules} and {@code autograd} use
 * {@code Tensor} as their value type only and never call back into this package's recording
 * ({@code PackageCyclesTest}).
 */
package dev.adjoint;
