package dev.adjoint.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Marks a class written by the Adjoint annotation processor; {@link #from()} names its source. */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface AdjointGenerated {
  /** The class whose {@code @Differentiable} methods this class differentiates. */
  String from();
}
