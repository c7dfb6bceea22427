/**
 * The annotations: {@link dev.adjoint.annotation.Differentiable} (a method the processor differentiates),
 * {@link dev.adjoint.annotation.Primitive} (the row of a runtime primitive: adjoint, node name, what it
 * reads, and how to add one), {@link dev.adjoint.annotation.Derivative} (a user's rule) and the generated
 * code's marker.
 *
 * <p>Stage: metadata, read by the annotation processor (through {@code Elements}) and by the eager
 * recorder and the rule tests (by reflection). Depends on nothing.
 */
package dev.adjoint.annotation;
