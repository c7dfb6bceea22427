/**
 * Adjoint's runtime: tensors, autograd, the derivative rules, kernels, {@code nn}, {@code optim} and {@code data}.
 *
 * <p>The Vector API is optional ({@code requires static}): the kernels use it when {@code jdk.incubator.vector} is
 * in the boot layer (start java with {@code --add-modules jdk.incubator.vector}) and fall back to scalar Java, with
 * one log line, when it is not. Every package is exported except the Vector API kernels, which are reached only
 * through {@link dev.adjoint.kernel.Kernels}; the {@code *Diff} classes the processor writes call into
 * {@code dev.adjoint.autograd}, {@code dev.adjoint.rules} and {@code dev.adjoint.nn}.
 */
module dev.adjoint.runtime {
  requires static jdk.incubator.vector;
  // KernelProvider reads the JIT settings (TieredStopAtLevel, UseCompiler) to pick scalar kernels without C2
  requires java.management;
  requires jdk.management;

  exports dev.adjoint;
  exports dev.adjoint.annotation;
  exports dev.adjoint.autograd;
  exports dev.adjoint.data;
  exports dev.adjoint.kernel;
  exports dev.adjoint.nn;
  exports dev.adjoint.optim;
  exports dev.adjoint.optim.lr;
  exports dev.adjoint.rules;
}
