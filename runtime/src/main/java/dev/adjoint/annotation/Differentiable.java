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
   * differentiable type ({@code Tensor}, {@code double}, {@code float}).
   */
  String[] wrt() default {};
}
