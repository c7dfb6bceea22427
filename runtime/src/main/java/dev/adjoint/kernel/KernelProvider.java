package dev.adjoint.kernel;

import java.lang.management.ManagementFactory;

/**
 * Chooses the kernels once per JVM and says which, and why, in one log line ({@link System.Logger} named
 * {@code dev.adjoint.kernel}: INFO when the Vector API kernels run, WARNING when Adjoint falls back to the
 * scalar ones, with the fix).
 *
 * <p>The Vector API kernels ({@code dev.adjoint.kernel.vector.VectorKernels}) are chosen when
 * <ul>
 *   <li>the {@code jdk.incubator.vector} module is in the boot layer (start java with
 *       {@code --add-modules jdk.incubator.vector}); and
 *   <li>the C2 compiler is on: without it vector code runs as boxed Java objects, 10–100× slower than the
 *       scalar loops (TOOLCHAIN.md §5), so {@code -Xint}, {@code -XX:TieredStopAtLevel<4} and
 *       {@code -XX:-UseCompiler} select the scalar kernels.
 * </ul>
 * The class is loaded reflectively and only then, so the runtime works without the module.
 *
 * <p>System properties: {@code adjoint.vectorBitSize} = {@code 0} forces the scalar kernels;
 * {@code 128}, {@code 256} or {@code 512} force that vector width (even with C2 off, for tests);
 * unset means the platform's preferred width. {@code adjoint.threads} caps the threads of one matrix
 * product (default: available processors); {@code adjoint.spinMicros} is how long an idle kernel worker
 * thread spins before it parks (default 100).
 */
public final class KernelProvider {

  static final String VECTOR_CLASS = "dev.adjoint.kernel.vector.VectorKernels";

  static final Kernels KERNELS = choose();

  private KernelProvider() {}

  /** The choice and its reason, before logging. */
  record Choice(Kernels kernels, String reason, boolean fallback) {}

  private static Kernels choose() {
    Choice c = decide();
    System.Logger log = System.getLogger("dev.adjoint.kernel");
    log.log(c.fallback() ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
        "Adjoint kernels: " + c.kernels().name() + " (" + c.reason() + ")");
    return c.kernels();
  }

  static Choice decide() {
    String prop = System.getProperty("adjoint.vectorBitSize");
    String forced = null;
    String note = "";
    if (prop != null) {
      String v = prop.trim();
      switch (v) {
        case "0":
          return new Choice(ScalarKernels.INSTANCE,
              "-Dadjoint.vectorBitSize=0 turns the Vector API off; remove it to enable the vector kernels", false);
        case "128", "256", "512":
          forced = v;
          break;
        default:
          note = "; ignored -Dadjoint.vectorBitSize=" + prop + " (use 0, 128, 256 or 512)";
      }
    }
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return new Choice(ScalarKernels.INSTANCE, "module jdk.incubator.vector is not loaded; start java with "
          + "--add-modules jdk.incubator.vector to enable the vector kernels" + note, true);
    }
    String c2Off = c2Off();
    if (c2Off != null && forced == null) {
      return new Choice(ScalarKernels.INSTANCE, "the C2 JIT compiler is off (" + c2Off + "), and vector code "
          + "without C2 is slower than scalar; run without that option to enable the vector kernels" + note, true);
    }
    try {
      Kernels k = (Kernels) Class.forName(VECTOR_CLASS).getMethod("instance").invoke(null);
      String why = forced != null ? "forced by -Dadjoint.vectorBitSize=" + forced
          + (c2Off != null ? " although C2 is off (" + c2Off + ")" : "")
          : "jdk.incubator.vector present and C2 on; -Dadjoint.vectorBitSize=0 turns it off";
      return new Choice(k, why + note, false);
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      return new Choice(ScalarKernels.INSTANCE, "the vector kernels failed to load (" + e
          + "); please report this" + note, true);
    }
  }

  /** Why C2 is unavailable, or null when it is on. */
  static String c2Off() {
    String info = System.getProperty("java.vm.info", "");
    if (info.contains("interpreted mode")) {
      return "-Xint";
    }
    if (info.contains("emulated-client")) {
      return "java.vm.info: " + info;
    }
    try {
      var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
      if (bean == null) {
        return null;
      }
      if ("false".equals(bean.getVMOption("UseCompiler").getValue())) {
        return "-XX:-UseCompiler";
      }
      String level = bean.getVMOption("TieredStopAtLevel").getValue();
      if (Integer.parseInt(level) < 4 && "true".equals(bean.getVMOption("TieredCompilation").getValue())) {
        return "-XX:TieredStopAtLevel=" + level;
      }
    } catch (RuntimeException | LinkageError e) {
      return null; // no HotSpot diagnostics (another VM, or a jlinked image without jdk.management)
    }
    return null;
  }

  /** Prints the choice; {@code java -cp adjoint-runtime.jar dev.adjoint.kernel.KernelProvider}. */
  public static void main(String[] args) {
    System.out.println(KERNELS.name());
  }
}
