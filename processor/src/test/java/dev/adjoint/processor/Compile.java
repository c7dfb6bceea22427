package dev.adjoint.processor;

import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.lang.model.SourceVersion;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.TestInfo;

/** Compiles test inputs with the processor and compares generated sources with goldens as text. */
final class Compile {
  /** The switch that rewrites goldens instead of comparing. */
  static final boolean UPDATE = Boolean.getBoolean("adjoint.updateGoldens");
  static final Path GOLDENS = Path.of("src/test/resources/goldens");

  private Compile() {}

  /** A processor offered every annotation ({@code "*"}) at the latest source version, as a test's own. */
  abstract static class StarProcessor extends AbstractProcessor {
    @Override
    public Set<String> getSupportedAnnotationTypes() {
      return Set.of("*");
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
      return SourceVersion.latestSupported();
    }
  }

  /** javac with the processor, {@code -Xlint:all} (as the build), extra options appended. */
  static Compilation compile(List<String> options, JavaFileObject... sources) {
    List<String> all = new ArrayList<>(List.of("-Xlint:all", "-Xlint:-processing", "--release", "25"));
    all.addAll(options);
    return javac().withProcessors(new AdjointProcessor()).withOptions(all).compile(sources);
  }

  /** Compiles resources under {@code inputs/}. */
  static Compilation resources(String... paths) {
    List<JavaFileObject> files = new ArrayList<>();
    for (String p : paths) {
      files.add(JavaFileObjects.forResource("inputs/" + p));
    }
    return compile(List.of(), files.toArray(JavaFileObject[]::new));
  }

  /** A source from lines. */
  static JavaFileObject source(String fqcn, String... lines) {
    return JavaFileObjects.forSourceLines(fqcn, lines);
  }

  /**
   * Asserts that the generated {@code fqcn} equals its golden
   * {@code goldens/<TestClass>/<testMethod>/<fqcn>.java}; with {@code -Dadjoint.updateGoldens=true}
   * writes it instead.
   */
  static void assertGolden(Compilation c, String fqcn, TestInfo info) {
    String actual;
    try {
      actual = c.generatedSourceFile(fqcn)
          .orElseThrow(() -> new AssertionError("no generated source " + fqcn + "; diagnostics: " + c.diagnostics()))
          .getCharContent(true).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path golden = GOLDENS.resolve(info.getTestClass().orElseThrow().getSimpleName())
        .resolve(info.getTestMethod().orElseThrow().getName())
        .resolve(fqcn + ".java");
    try {
      if (UPDATE) {
        Files.createDirectories(golden.getParent());
        Files.writeString(golden, actual, StandardCharsets.UTF_8);
        return;
      }
      if (!Files.exists(golden)) {
        fail("missing golden " + golden.toAbsolutePath()
            + "; run with -Dadjoint.updateGoldens=true to write it, then review it. Generated:\n" + actual);
      }
      assertEquals(Files.readString(golden, StandardCharsets.UTF_8), actual, "generated " + fqcn + " vs " + golden);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
