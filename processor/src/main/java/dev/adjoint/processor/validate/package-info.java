/**
 * Stage 1 (validate): {@link dev.adjoint.processor.validate.SignatureValidator} checks a method's
 * signature and {@link dev.adjoint.processor.validate.DerivativeValidator} a {@code @Derivative} rule's;
 * the body is validated while {@code front.BodyReader} lowers it. Input: elements and trees. Output: a
 * {@link dev.adjoint.processor.diag.ValidationReport} holding every problem, not only the first.
 */
package dev.adjoint.processor.validate;
