package dev.adjoint.processor;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.annotation.processing.Processor;
import javax.tools.JavaFileObject;

/**
 * Separate compilation for tests: javac with a processor against extra class path entries (jars a test
 * built from an earlier compilation's class files), and class loaders over a compilation's output.
 */
final class Libraries {
  private Libraries() {}

  /** javac with {@code processor} (none if {@code null}), {@code -Xlint:all}, against {@code classpath} and the test class path. */
  static Compilation compile(Processor processor, List<Path> classpath, List<String> options,
      List<JavaFileObject> sources) {
    List<File> cp = new ArrayList<>();
    classpath.forEach(p -> cp.add(p.toFile()));
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      cp.add(new File(entry));
    }
    List<String> all = new ArrayList<>(List.of("-Xlint:all", "-Xlint:-processing", "--release", "25"));
    all.addAll(options);
    Compiler javac = Compiler.javac().withOptions(all).withClasspath(cp);
    if (processor != null) {
      javac = javac.withProcessors(processor);
    }
    return javac.compile(sources);
  }

  /** The class path entry of a class file: its path after {@code CLASS_OUTPUT/}. */
  private static String entryName(JavaFileObject f) {
    String path = f.toUri().getPath();
    int at = path.indexOf("CLASS_OUTPUT/");
    return at < 0 ? path.substring(path.lastIndexOf('/') + 1) : path.substring(at + "CLASS_OUTPUT/".length());
  }

  /** Writes the class files of {@code c} (those whose entry {@code keep} accepts) into a new jar. */
  static Path jar(Compilation c, Path jar, java.util.function.Predicate<String> keep) {
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      for (JavaFileObject f : c.generatedFiles()) {
        if (f.getKind() == JavaFileObject.Kind.CLASS && keep.test(entryName(f))) {
          out.putNextEntry(new JarEntry(entryName(f)));
          try (InputStream in = f.openInputStream()) {
            in.transferTo(out);
          }
          out.closeEntry();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return jar;
  }

  /** Writes the class files of {@code c} under {@code dir}. */
  static Path classes(Compilation c, Path dir) {
    try {
      for (JavaFileObject f : c.generatedFiles()) {
        if (f.getKind() == JavaFileObject.Kind.CLASS) {
          Path out = dir.resolve(entryName(f));
          Files.createDirectories(out.getParent());
          try (InputStream in = f.openInputStream()) {
            Files.copy(in, out);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }

  /** A loader over these class path entries, parent the test's (which has the runtime). */
  static URLClassLoader loader(Path... entries) {
    URL[] urls = new URL[entries.length];
    try {
      for (int i = 0; i < entries.length; i++) {
        urls[i] = entries[i].toUri().toURL();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new URLClassLoader(urls, Libraries.class.getClassLoader());
  }

  /** The text of a generated source. */
  static String source(Compilation c, String fqcn) {
    try {
      return c.generatedSourceFile(fqcn)
          .orElseThrow(() -> new AssertionError("no generated " + fqcn + "; diagnostics: " + c.diagnostics()))
          .getCharContent(true).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
