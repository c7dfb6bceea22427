package dev.adjoint.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method whose reverse-mode derivative the Adjoint annotation processor writes at build time.
 *
 * <p>For a method {@code f} in class {@code C}, the processor generates {@code CDiff} in the same
 * package with a tracked forward {@code CDiff.f(...)} (one autograd node per call), a functional form
 * returning the value and a gradient record named after the parameters, and, for methods over
 * {@code double} only, a plain gradient method. Unsupported code in the body is a compile error at its
 * position.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface Differentiable {
  /**
   * Names of the parameters to differentiate with respect to; empty means every parameter of a
   * differentiable type ({@code Tensor}, {@code double}, {@code float}). The {@code Tensor} fields of
   * the object (a module's parameters) are always differentiated; {@code "this"} alone, as in Swift's
   * {@code @differentiable(wrt: self)}, means those fields and no parameter: a layer whose input is data
   * then skips that input's gradient. The tracked forward throws if a tensor left out requires grad, so a
   * gradient is never silently dropped.
   */
  String[] wrt() default {};
}
