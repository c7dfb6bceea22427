package dev.adjoint.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares the annotated static method as the vector-Jacobian product (adjoint) of another method.
 *
 * <p>The adjoint takes the upstream gradient, the primal output, then the primal inputs in order, and
 * returns the gradient with respect to the inputs ({@code double} for a one-input scalar function,
 * {@link dev.adjoint.autograd.Grads} otherwise). The processor checks the signature at compile time
 * and uses the rule wherever a {@code @Differentiable} method calls {@code of}'s {@code method}.
 * Built-in rules for {@code java.lang.Math} are declared the same way in the runtime.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Derivative {
  /** The class declaring the method whose derivative this is. */
  Class<?> of();

  /** The name of the method whose derivative this is (overloads are told apart by parameter types). */
  String method();

  /**
   * The input this rule differentiates with respect to, or {@code -1} (the default) when the rule
   * returns the gradient of every input. A rule with {@code wrt = i} returns only the gradient of input
   * {@code i}; scalar rules of several inputs ({@code Math.pow}, {@code Math.atan2}) are written one per
   * input this way, so the generated {@code double} code allocates nothing.
   */
  int wrt() default -1;
}
