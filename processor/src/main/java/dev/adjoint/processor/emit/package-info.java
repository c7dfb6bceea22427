/**
 * Stage 8 (emit): {@link dev.adjoint.processor.emit.DiffClassGenerator} renders a companion
 * {@code <Class>Diff} with JavaPoet. Input: {@link dev.adjoint.processor.emit.MethodPlan}s (IR and the
 * results of the analyses and the transform). Output: a {@code JavaFile}, deterministic and readable.
 */
package dev.adjoint.processor.emit;
