/**
 * The derivative rules: for each primitive, a forward that only computes and its adjoint
 * ({@code Grads fooVjp(Tensor g, Tensor out, inputs...)}) side by side, grouped by family (elementwise,
 * reduction, shape, linear algebra, activations, losses); the in-place forms' adjoints
 * ({@link dev.adjoint.rules.InPlaceRules}); {@link dev.adjoint.rules.MathRules}, the {@code java.lang.Math}
 * rules of scalar code.
 *
 * <p>Stage: numerics of the rows. Input: tensors. Output: new tensors and gradients. Never records, never
 * reads or changes grad mode except {@code LinearRules.linearRelu}'s guard: the row on the facade method
 * ({@code @Primitive}) names the adjoint, and the facade records. Depends on {@code kernel} and
 * {@code autograd.Grads}, and on {@code Tensor} as the value type; nothing here imports {@code nn}.
 */
package dev.adjoint.rules;
