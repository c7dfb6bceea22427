package dev.adjoint.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The choice of kernels in fresh JVMs: {@link KernelProvider#main} prints the chosen name on stdout and
 * the one log line goes to stderr. The first case is the JVM without {@code --add-modules
 * jdk.incubator.vector}, which must still run (the vector class is never loaded).
 */
class KernelProviderTest {

  record Run(String stdout, String stderr, int exit) {}

  static Run java(String... opts) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of(opts));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(KernelProvider.class.getName());
    Process p = new ProcessBuilder(cmd).start();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM timed out: " + cmd);
    return new Run(new String(out, StandardCharsets.UTF_8).trim(), new String(err, StandardCharsets.UTF_8),
        p.exitValue());
  }

  /** The log line, without JUL's header line. */
  static String logLine(Run r) {
    return r.stderr().lines().filter(l -> l.contains("Adjoint kernels:")).findFirst()
        .orElseThrow(() -> new AssertionError("no log line in: " + r.stderr()));
  }

  @Test
  void withoutTheModuleFallsBackToScalarAndSaysHowToEnable() throws Exception {
    Run r = java();
    assertEquals(0, r.exit(), r.stderr());
    assertEquals("scalar", r.stdout());
    String line = logLine(r);
    assertTrue(line.startsWith("WARNING: Adjoint kernels: scalar (module jdk.incubator.vector is not loaded"), line);
    assertTrue(line.contains("--add-modules jdk.incubator.vector"), line);
  }

  @Test
  void withC2OffFallsBackToScalar() throws Exception {
    Run r = java("--add-modules", "jdk.incubator.vector", "-XX:TieredStopAtLevel=1");
    assertEquals("scalar", r.stdout());
    assertTrue(logLine(r).contains("the C2 JIT compiler is off"), logLine(r));
  }

  @Test
  void zeroBitSizeTurnsVectorOff() throws Exception {
    Run r = java("--add-modules", "jdk.incubator.vector", "-Dadjoint.vectorBitSize=0");
    assertEquals("scalar", r.stdout());
    assertTrue(logLine(r).contains("-Dadjoint.vectorBitSize=0 turns the Vector API off"), logLine(r));
  }

  @Test
  void withTheModuleAndC2ChoosesVectorAndCanBeForced() throws Exception {
    Run r = java("--add-modules", "jdk.incubator.vector");
    assertTrue(r.stdout().startsWith("vector-"), r.stdout());
    assertTrue(logLine(r).startsWith("INFO: Adjoint kernels: vector-"), logLine(r));
    Run forced = java("--add-modules", "jdk.incubator.vector", "-Dadjoint.vectorBitSize=128");
    assertEquals("vector-128", forced.stdout());
    Run bad = java("--add-modules", "jdk.incubator.vector", "-Dadjoint.vectorBitSize=100");
    assertTrue(logLine(bad).contains("ignored -Dadjoint.vectorBitSize=100 (use 0, 128, 256 or 512)"), logLine(bad));
  }

  @Test
  void onlyTheVectorPackageImportsTheIncubatorModule() throws IOException {
    Path main = Path.of("src", "main", "java");
    Path vector = main.resolve(Path.of("dev", "adjoint", "kernel", "vector"));
    List<Path> offenders;
    try (var files = java.nio.file.Files.walk(main)) {
      offenders = files.filter(f -> f.toString().endsWith(".java") && !f.startsWith(vector))
          .filter(f -> {
            try {
              return java.nio.file.Files.readString(f).contains("import jdk.incubator.vector");
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          })
          .toList();
    }
    assertTrue(java.nio.file.Files.isDirectory(vector), "run from the runtime module: " + vector.toAbsolutePath());
    assertEquals(List.of(), offenders);
  }
}
