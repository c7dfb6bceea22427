package corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * This module (the corpus's callers) was compiled against the lib jar (the callees), itself compiled against the
 * base jar. The test compiles the three modules' sources in one javac run with the processor and checks that the
 * two builds generated the same code for the callers and compute the same values, gradients and parameters, bit
 * for bit.
 */
class CorpusBuildTest {
  private static final Path BASE = Path.of(System.getProperty("base.sources"));
  private static final Path LIB = Path.of(System.getProperty("lib.sources"));
  private static final Path LIB_GENERATED = Path.of(System.getProperty("lib.generated"));
  private static final Path APP = Path.of(System.getProperty("app.sources"));
  private static final Path GENERATED = Path.of(System.getProperty("generated.sources"));
  private static final List<String> PROBES = List.of("dev.adjoint.corpus.CrossProbe", "golden.MlpProbe");

  @Test
  void theJarBuildMatchesOneCompilation(@TempDir Path dir) throws Exception {
    String libJar = jarOf("dev.adjoint.corpus.ScalarCorpus");
    String baseJar = jarOf("dev.adjoint.samples.thermometer.Thermometer");
    assertTrue(libJar.endsWith(".jar") && baseJar.endsWith(".jar") && !libJar.equals(baseJar), libJar + baseJar);
    assertEquals(libJar, jarOf("golden.Block"));
    assertTrue(Files.exists(LIB.resolve("dev/adjoint/corpus/TensorCorpus.java")), LIB.toString());
    List<String> jars = List.of(libJar, baseJar);

    Path classes = Files.createDirectories(dir.resolve("classes"));
    Path generated = Files.createDirectories(dir.resolve("generated"));
    String classPath = System.getProperty("java.class.path");
    List<String> args = new ArrayList<>(List.of("--release", "25", "-Xlint:all", "-Xlint:-processing",
        "-processorpath", classPath, "-processor", "dev.adjoint.processor.AdjointProcessor",
        "-classpath", runtimeOnly(classPath, jars), "-d", classes.toString(), "-s", generated.toString()));
    args.addAll(javaFiles(BASE));
    args.addAll(javaFiles(LIB));
    args.addAll(javaFiles(APP));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    int status = javac.run(null, log, log, args.toArray(String[]::new));
    assertEquals(0, status, log.toString(StandardCharsets.UTF_8));
    assertEquals("", log.toString(StandardCharsets.UTF_8), "warnings in the single compilation");

    for (String file : List.of("dev/adjoint/corpus/CrossClassDiff.java", "golden/MlpDiff.java")) {
      assertEquals(Files.readString(generated.resolve(file)), Files.readString(GENERATED.resolve(file)), file);
    }
    // TensorCorpus calls Thermometer across the base jar
    String tensorCorpus = "dev/adjoint/corpus/TensorCorpusDiff.java";
    assertEquals(Files.readString(generated.resolve(tensorCorpus)), Files.readString(LIB_GENERATED.resolve(
        tensorCorpus)), tensorCorpus);
    List<String> results = new ArrayList<>();
    try (URLClassLoader single = new URLClassLoader(urls(classes, runtimeOnly(classPath, jars)),
        ClassLoader.getPlatformClassLoader())) {
      for (String probe : PROBES) {
        String separate = (String) Class.forName(probe).getMethod("run").invoke(null);
        String together = (String) single.loadClass(probe).getMethod("run").invoke(null);
        assertEquals(together, separate, probe);
        results.add(separate);
      }
    }
    // every input of CrossClass gets a gradient through the jar's callees, tracked forward included
    assertTrue(results.get(0).contains("tracked ") && !results.get(0).contains("grad null"), results.get(0));
    assertTrue(results.get(0).contains("thermometerLoss.gradient.w [1]"), results.get(0));
    // the Block from the jar is differentiated inside the app's Mlp: its scale's gradient is there (the field
    // is not a requires-grad parameter, so its .grad stays null in the tracked forward, as in one compilation)
    assertTrue(results.get(1).contains("gradient.blockScale [4]"), results.get(1));
    assertTrue(results.get(1).contains("parameter fc1.weight [4, 3]"), results.get(1));
  }

  private static String jarOf(String className) throws ClassNotFoundException {
    return Class.forName(className).getProtectionDomain().getCodeSource().getLocation().getPath();
  }

  /** The class path without this build's app classes and the corpus jars: the runtime and its dependencies. */
  private static String runtimeOnly(String classPath, List<String> jars) throws ClassNotFoundException {
    List<String> dropped = new ArrayList<>();
    dropped.add(Path.of(jarOf(PROBES.get(0))).toAbsolutePath().toString());
    jars.forEach(j -> dropped.add(Path.of(j).toAbsolutePath().toString()));
    List<String> kept = new ArrayList<>();
    for (String entry : classPath.split(File.pathSeparator)) {
      String normalized = Path.of(entry).toAbsolutePath().toString();
      if (!dropped.contains(normalized) && !normalized.contains("test-classes")) {
        kept.add(entry);
      }
    }
    return String.join(File.pathSeparator, kept);
  }

  private static URL[] urls(Path first, String classPath) throws IOException {
    List<URL> out = new ArrayList<>();
    out.add(first.toUri().toURL());
    for (String entry : classPath.split(File.pathSeparator)) {
      out.add(Path.of(entry).toUri().toURL());
    }
    return out.toArray(URL[]::new);
  }

  private static List<String> javaFiles(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(p -> p.toString().endsWith(".java")).map(Path::toString).sorted().toList();
    }
  }
}
