/**
 * Stage 6 (simplify): {@link dev.adjoint.processor.simplify.DeadCode} prunes forward statements that
 * neither the result nor the backward needs. Input and output: IR statements. Zero adjoints are never
 * created in the first place (symbolic zeros in {@code reverse.ReverseTransform}).
 */
package dev.adjoint.processor.simplify;
