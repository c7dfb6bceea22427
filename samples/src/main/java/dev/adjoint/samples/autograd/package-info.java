/**
 * Seeds 003–004: autograd basics ({@code matmul}, binary cross-entropy with logits, {@code gradFn},
 * {@code retainGraph}, the second-backward error) as a runnable {@code main} and its {@code @Differentiable}
 * form.
 */
package dev.adjoint.samples.autograd;
