package dev.adjoint.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares the annotated static method as the vector-Jacobian product (adjoint) of another method, or, with
 * {@code kind = Kind.JVP}, as its Jacobian-vector product (forward mode).
 *
 * <p>The adjoint takes the upstream gradient, the primal output, then the primal inputs in order, and
 * returns the gradient with respect to the inputs ({@code double} for a one-input scalar function,
 * {@link dev.adjoint.autograd.Grads} otherwise). The processor checks the signature at compile time
 * and uses the rule wherever a {@code @Differentiable} method calls {@code of}'s {@code method}.
 * Built-in rules for {@code java.lang.Math} are declared the same way in the runtime.
 *
 * <p>A JVP takes one tangent per input that has one ({@code Tensor}, {@code double} or {@code float}, each of
 * its input's type; an input that does not move gets zeros), then the primal output and the primal inputs
 * in order, and returns the output's tangent: {@code static double fJvp(double dx, double dy, double out,
 * double x, double y)} for {@code double f(double x, double y)}. The generated {@code fJvp} calls it instead
 * of deriving a JVP from the adjoint. A JVP and a VJP may both be declared for one method (JAX forbids that);
 * the generated checks ({@code -Aadjoint.checks=true}) then test them against each other by the dot-product
 * test, so a wrong one of the two is caught.
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

  /** Whether the rule is the adjoint ({@link Kind#VJP}, the default) or the JVP ({@link Kind#JVP}). */
  Kind kind() default Kind.VJP;

  /** Which product of the Jacobian a rule computes. */
  enum Kind {
    /** The vector-Jacobian product (reverse mode): {@code (g, out, inputs...)} → the inputs' gradients. */
    VJP,
    /**
     * The Jacobian-vector product (forward mode): {@code (tangents..., out, inputs...)} → the output's tangent;
     * {@code wrt} must stay {@code -1}.
     */
    JVP
  }
}
