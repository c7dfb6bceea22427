package dev.adjoint.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A tensor's shape, checked by the annotation processor through a {@code @Differentiable} method's forward and
 * its generated backward: {@code @Shape("B, 784") Tensor x}. Each dimension is an integer literal, a symbol
 * ({@code B}, {@code N}: one size throughout the method, the same symbol in two places is the same size, a symbol
 * stands for a size other than 1 when broadcasting), or {@code _} (unknown: not checked). {@code ""} is a
 * 0-dimensional tensor.
 *
 * <p>On a parameter, its shape; on a method, its result's; on a local variable, its value's wherever it is
 * assigned (and known from there on, which gives a shape to a value the processor cannot follow); on a module field holding a tensor, the tensor's; on a field holding a {@code Linear}, its
 * weight's ({@code out, in}, as {@code fc1.weight.shape} prints; without it, {@code new Linear(784, 128)} in the
 * field's initializer gives the same). Unannotated code is unaffected: an unknown shape propagates as unknown, and
 * a mismatch is reported only between shapes the processor knows. See {@code dev.adjoint.shape}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.PARAMETER, ElementType.METHOD, ElementType.FIELD, ElementType.LOCAL_VARIABLE})
public @interface Shape {
  /** The dimensions, comma-separated: {@code "B, 784"}. */
  String value();
}
