/**
 * The numeric kernels behind every tensor operation: one interface ({@link dev.adjoint.kernel.Kernels}),
 * the scalar reference ({@link dev.adjoint.kernel.ScalarKernels}), and the choice made once per JVM
 * ({@link dev.adjoint.kernel.KernelProvider}, which logs it in one line). The Vector API implementation
 * lives in {@code dev.adjoint.kernel.vector}.
 *
 * <p>Stage: numeric kernels. Input: dense row-major {@code float[]} buffers. Output: the same.
 * Contracts every implementation keeps: float sums of fewer than {@link
 * dev.adjoint.kernel.Kernels#SEQUENTIAL_SUM} terms are strictly sequential (this reproduces PyTorch's
 * printed numbers bit-exactly), {@code axpy} is one FMA rounding, elementwise arithmetic is bit-identical
 * across implementations.
 */
package dev.adjoint.kernel;
