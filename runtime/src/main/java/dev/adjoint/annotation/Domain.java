package dev.adjoint.annotation;

import dev.adjoint.Tensor;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Where the generated derivative checks ({@code -Aadjoint.checks=true}, {@code <Class>DiffChecks}) draw a
 * parameter of a {@code @Differentiable} method: uniformly in {@code [min, max]} (every element, for a tensor,
 * of shape {@link #shape()} and dtype {@link #dtype()}). Without it a number is drawn in [-1, 1], a tensor of
 * shape [3] likewise, an {@code int} is 2. Declare it where the method is not smooth or not defined everywhere
 * ({@code log}, {@code sqrt}: a positive domain), and where it needs another shape than [3] (a matrix).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.PARAMETER)
public @interface Domain {
  /** The lower end. */
  double min() default -1;

  /** The upper end. */
  double max() default 1;

  /** A tensor parameter's shape. */
  int[] shape() default {3};

  /**
   * A tensor parameter's dtype, {@code FLOAT32} or {@code FLOAT64}. Left out, it is inferred: tensors are drawn
   * in float32, unless the method's value at float32 inputs is float64 (it computes in float64, e.g. with a
   * {@code Tensor.eye(n, n, DType.FLOAT64)} constant), and then in float64. A float64 check uses central
   * differences with a step of 1e-6 and a relative tolerance of 1e-5 (float32: 1e-2 and 3e-2).
   */
  Tensor.DType dtype() default Tensor.DType.FLOAT32;
}
