package dev.adjoint.processor.fuzz;

import dev.adjoint.processor.AdjointProcessor;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles many generated classes in one in-process javac run with the Adjoint processor, the options
 * of the processor's own tests ({@code -Xlint:all -Xlint:-processing --release 25}), into a
 * directory.
 */
final class BatchCompiler {
  /** The options every compile gets. */
  static final List<String> OPTIONS = List.of("-Xlint:all", "-Xlint:-processing", "--release", "25", "-proc:full");

  /** The code of the diagnostic standing for an exception thrown out of javac. */
  static final String UNCAUGHT = "uncaught exception";

  private static final JavaCompiler JAVAC = ToolProvider.getSystemJavaCompiler();

  private BatchCompiler() {}

  /** One diagnostic: the simple file name it is in (or null), its line, kind and message. */
  record Diag(Diagnostic.Kind kind, String file, long line, String code, String message) {
    boolean isError() {
      return kind == Diagnostic.Kind.ERROR;
    }

    boolean isWarning() {
      return kind == Diagnostic.Kind.WARNING || kind == Diagnostic.Kind.MANDATORY_WARNING;
    }

    @Override
    public String toString() {
      return kind + " " + file + ":" + line + ": " + message;
    }
  }

  /** The result: whether javac succeeded, its diagnostics, and where classes and generated sources went. */
  record Result(boolean success, List<Diag> diagnostics, Path classes, Path generated) {}

  /** Compiles {@code sources} (simple class name to source text, package {@link Printer#PACKAGE}). */
  static Result compile(Map<String, String> sources, Path dir) {
    return compile(sources, dir, true);
  }

  /** Compiles with or without the processor ({@code -proc:none}: is the program itself valid Java?). */
  static Result compile(Map<String, String> sources, Path dir, boolean withProcessor) {
    Path classes = dir.resolve("classes");
    Path generated = dir.resolve("generated");
    try {
      Files.createDirectories(classes);
      Files.createDirectories(generated);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<JavaFileObject> units = new ArrayList<>();
    for (Map.Entry<String, String> e : sources.entrySet()) {
      units.add(new Source(e.getKey(), e.getValue()));
    }
    List<String> options = new ArrayList<>(withProcessor ? OPTIONS : List.of("--release", "25", "-proc:none"));
    options.addAll(List.of("-classpath", System.getProperty("java.class.path"), "-d", classes.toString(),
        "-s", generated.toString(), "-implicit:none"));
    DiagnosticCollector<JavaFileObject> collector = new DiagnosticCollector<>();
    StringWriter log = new StringWriter();
    boolean ok;
    try (StandardJavaFileManager files = JAVAC.getStandardFileManager(collector, Locale.ROOT, StandardCharsets.UTF_8)) {
      JavaCompiler.CompilationTask task = JAVAC.getTask(log, files, collector, options, null, units);
      if (withProcessor) {
        task.setProcessors(List.of(new AdjointProcessor()));
      }
      ok = task.call();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      // the processor threw out of javac instead of reporting [Adjoint/InternalError]
      List<Diag> diags = new ArrayList<>();
      diags.add(new Diag(Diagnostic.Kind.ERROR, null, -1, UNCAUGHT, String.valueOf(e.getCause() == null ? e : e.getCause())));
      return new Result(false, diags, classes, generated);
    }
    List<Diag> diags = new ArrayList<>();
    for (Diagnostic<? extends JavaFileObject> d : collector.getDiagnostics()) {
      String file = d.getSource() == null ? null : new File(d.getSource().getName()).getName();
      diags.add(new Diag(d.getKind(), file, d.getLineNumber(), d.getCode(), d.getMessage(Locale.ROOT)));
    }
    if (!log.toString().isBlank()) {
      diags.add(new Diag(Diagnostic.Kind.OTHER, null, -1, null, log.toString()));
    }
    return new Result(ok, diags, classes, generated);
  }

  /** A source held in memory. */
  private static final class Source extends SimpleJavaFileObject {
    private final String text;

    Source(String className, String text) {
      super(URI.create("string:///" + Printer.PACKAGE + "/" + className + ".java"), Kind.SOURCE);
      this.text = text;
    }

    @Override
    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
      return text;
    }
  }
}
