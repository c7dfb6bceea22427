/**
 * Adjoint's runtime: tensors, the autograd engine, kernels, {@code nn}, optimizers, data loading and linear algebra.
 *
 * <p>This descriptor is compiled a second time, for class-file version 61 (Java 17), so that
 * Maven's own JDK (17 or later) can package it; the classes it describes are Java 25 (docs/DECISIONS.md, "Modules").
 * The Vector API kernels in {@code dev.adjoint.kernel.vector} are loaded only when {@code jdk.incubator.vector} is
 * resolved ({@code --add-modules jdk.incubator.vector}); without it the runtime runs its scalar kernels. EJML has no
 * module name of its own, so its modules are named after its jar files.
 */
@SuppressWarnings("requires-automatic")
module dev.adjoint.runtime {
  requires static jdk.incubator.vector;
  requires ejml.core;
  requires ejml.ddense;
  requires java.management; // KernelProvider: is C2 on (the Vector API kernels need it)?
  requires jdk.management;

  exports dev.adjoint;
  exports dev.adjoint.annotation;
  exports dev.adjoint.autograd;
  exports dev.adjoint.data;
  exports dev.adjoint.kernel;
  exports dev.adjoint.linalg;
  exports dev.adjoint.nn;
  exports dev.adjoint.optim;
  exports dev.adjoint.optim.lr;
  exports dev.adjoint.rules;
  exports dev.adjoint.shape;
  exports dev.adjoint.utils;
}
