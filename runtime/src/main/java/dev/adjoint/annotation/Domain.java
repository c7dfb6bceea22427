package dev.adjoint.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Where the generated derivative checks ({@code -Aadjoint.checks=true}, {@code <Class>DiffChecks}) draw a
 * parameter of a {@code @Differentiable} method: uniformly in {@code [min, max]} (every element, for a tensor,
 * of shape {@link #shape()}). Without it a number is drawn in [-1, 1], a tensor of shape [3] likewise, an
 * {@code int} is 2. Declare it where the method is not smooth or not defined everywhere ({@code log},
 * {@code sqrt}: a positive domain).
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
}
