/**
 * Derivative metadata for separate compilation: what another compilation needs to call a class's
 * {@code @Differentiable} methods, written by the emitter as {@code @AdjointGenerated(...)} on the
 * generated {@code <Class>Diff} and read back by {@link dev.adjoint.processor.meta.MetadataReader} from its
 * class file (through {@code Elements}) when a body calls a method whose class has no source in this
 * compilation. Input: the companion's {@code TypeElement}. Output: a
 * {@link dev.adjoint.processor.meta.DerivativeMetadata.Method}, or why the metadata cannot be used.
 */
package dev.adjoint.processor.meta;
