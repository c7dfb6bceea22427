package app;

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
 * This module was compiled against the zoo's jar. The test compiles the zoo's and this module's sources in
 * one javac run with the processor and checks that the two builds generated the same application code
 * and compute the same values, gradients and parameters, bit for bit.
 */
class ZooBuildTest {
  private static final Path SOURCES = Path.of(System.getProperty("zoo.sources"));
  private static final Path GENERATED = Path.of(System.getProperty("generated.sources"));

  @Test
  void theJarBuildMatchesOneCompilation(@TempDir Path dir) throws Exception {
    // this build saw the zoo as a jar, not as sources
    String zooJar = zoo.Layers.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    assertTrue(zooJar.endsWith(".jar"), zooJar);

    Path classes = Files.createDirectories(dir.resolve("classes"));
    Path generated = Files.createDirectories(dir.resolve("generated"));
    String classPath = System.getProperty("java.class.path");
    List<String> args = new ArrayList<>(List.of("--release", "25", "-Xlint:all", "-Xlint:-processing",
        "-processorpath", classPath, "-processor", "dev.adjoint.processor.AdjointProcessor",
        "-classpath", runtimeOnly(classPath), "-d", classes.toString(), "-s", generated.toString()));
    args.addAll(javaFiles(SOURCES.resolve("lib")));
    args.addAll(javaFiles(SOURCES.resolve("app")));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    int status = javac.run(null, log, log, args.toArray(String[]::new));
    assertEquals(0, status, log.toString(StandardCharsets.UTF_8));
    assertEquals("", log.toString(StandardCharsets.UTF_8), "warnings in the single compilation");

    for (String file : List.of("app/NetDiff.java", "app/FnsDiff.java")) {
      assertEquals(Files.readString(generated.resolve(file)), Files.readString(GENERATED.resolve(file)), file);
    }
    String separate = Probe.run();
    String together;
    try (URLClassLoader single = new URLClassLoader(urls(classes, runtimeOnly(classPath)),
        ClassLoader.getPlatformClassLoader())) {
      together = (String) single.loadClass("app.Probe").getMethod("run").invoke(null);
    }
    assertEquals(together, separate);
    assertTrue(separate.contains("parameter mlp.block.scale"), separate);
    assertTrue(!separate.contains("grad null"), separate);
  }

  /** The class path without this build's app classes and zoo jar: the runtime and its dependencies. */
  private static String runtimeOnly(String classPath) {
    String app = Probe.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    String zooJar = zoo.Layers.class.getProtectionDomain().getCodeSource().getLocation().getPath();
    List<String> kept = new ArrayList<>();
    for (String entry : classPath.split(File.pathSeparator)) {
      String normalized = Path.of(entry).toAbsolutePath().toString();
      if (!normalized.equals(Path.of(app).toAbsolutePath().toString())
          && !normalized.equals(Path.of(zooJar).toAbsolutePath().toString())
          && !normalized.contains("test-classes")) {
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
