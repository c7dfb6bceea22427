/**
 * The Vector API kernels: the only package of Adjoint that imports {@code jdk.incubator.vector}.
 *
 * <p>Stage: numeric kernels. Input: dense row-major {@code float[]} buffers from the rules in
 * {@code dev.adjoint.rules}. Output: the same buffers, written in place. {@code KernelProvider} loads
 * {@link dev.adjoint.kernel.vector.VectorKernels} reflectively, and only when the module is present and
 * C2 is on; nothing outside this package names a vector type, so the runtime's public API needs no
 * incubator module to compile against or to run.
 */
package dev.adjoint.kernel.vector;
