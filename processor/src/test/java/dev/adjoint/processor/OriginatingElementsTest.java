package dev.adjoint.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.annotation.processing.Completion;
import javax.annotation.processing.Filer;
import javax.annotation.processing.Messager;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;
import javax.tools.FileObject;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incremental builds: the originating elements of each generated file are exactly the classes of this
 * compilation whose source decided it, observed the way a build tool observes them — through a
 * {@code Filer} wrapped in a {@code ProcessingEnvironment} wrapper shaped like Gradle's
 * ({@code IncrementalProcessingEnvironment}: package-private, with a public
 * {@code getDelegateProcessingEnvironment()}), which the processor must see through for javac's Trees while
 * still writing every file through the wrapper's filer.
 */
class OriginatingElementsTest {
  /** Generated file → the qualified names of its originating elements, as the filer saw them. */
  private final Map<String, List<String>> origins = new TreeMap<>();

  @Test
  void eachGeneratedFileNamesTheSourcesItDependsOn() {
    Compilation c = Libraries.compile(new Wrapping(), List.of(), List.of(), List.of(
        Compile.source("t.A", "package t;", "import dev.adjoint.Tensor;", "import dev.adjoint.annotation.Differentiable;",
            "final class A {", "  @Differentiable static Tensor f(Tensor x) { return B.g(x).sum(); }", "}"),
        Compile.source("t.B", "package t;", "import dev.adjoint.Tensor;", "import dev.adjoint.annotation.Differentiable;",
            "final class B {", "  @Differentiable static Tensor g(Tensor x) { return x.mul(x); }", "}"),
        module("M", "Block block = new Block();", "return block.forward(x).sum();"),
        module("Block", "Inner inner = new Inner();", "return inner.forward(x).mul(2);"),
        module("Inner", "Tensor w = Tensor.ones(3);", "return x.mul(w);"),
        Compile.source("t.Helper", "package t;", "final class Helper {",
            "  static double h(double x) { return x * x; }", "}"),
        Compile.source("t.HelperRules", "package t;", "import dev.adjoint.annotation.Derivative;",
            "final class HelperRules {",
            "  @Derivative(of = Helper.class, method = \"h\") static double hVjp(double g, double out, double x) {",
            "    return 2 * x * g;", "  }", "}"),
        Compile.source("t.X", "package t;", "import dev.adjoint.annotation.Differentiable;", "final class X {",
            "  @Differentiable static double k(double x) { return Helper.h(x) + x; }", "}")));
    assertThat(c).succeededWithoutWarnings();
    assertEquals(new TreeMap<>(Map.of(
        "t.ADiff", List.of("t.A", "t.B"),
        "t.BDiff", List.of("t.B"),
        "t.MDiff", List.of("t.M", "t.Block", "t.Inner"),
        "t.BlockDiff", List.of("t.Block", "t.Inner"),
        "t.InnerDiff", List.of("t.Inner"),
        "t.XDiff", List.of("t.X", "t.HelperRules"))), origins);
  }

  @Test
  void classesFromAJarAreNotOriginatingElements(@TempDir Path dir) {
    Compilation lib = Libraries.compile(new AdjointProcessor(), List.of(), List.of(), SeparateCompilationTest.zoo());
    assertThat(lib).succeededWithoutWarnings();
    Path jar = Libraries.jar(lib, dir.resolve("zoo.jar"), name -> true);
    Compilation app = Libraries.compile(new Wrapping(), List.of(jar), List.of(), SeparateCompilationTest.app());
    assertThat(app).succeededWithoutWarnings();
    assertEquals(new TreeMap<>(Map.of("app.NetDiff", List.of("app.Net"), "app.FnsDiff", List.of("app.Fns"))), origins);
  }

  @Test
  void gradleMayProcessIncrementally() throws IOException {
    try (InputStream in = AdjointProcessor.class.getResourceAsStream("/META-INF/gradle/incremental.annotation.processors")) {
      String declaration = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      assertEquals(AdjointProcessor.class.getName() + ",isolating", declaration);
    }
  }

  /** A module {@code t.<name>} with one field and a forward. */
  private static JavaFileObject module(String name, String field, String body) {
    return Compile.source("t." + name, "package t;", "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Differentiable;", "import dev.adjoint.nn.Module;",
        "final class " + name + " extends Module {", "  final " + field, "  " + name + "() { super(" + name + "Diff.MEMBERS); }",
        "  @Differentiable @Override public Tensor forward(Tensor x) { " + body + " }", "}");
  }

  /** The processor as Gradle runs an incremental one: its environment wrapped, its filer watched. */
  private final class Wrapping implements Processor {
    private final AdjointProcessor delegate = new AdjointProcessor();

    @Override
    public Set<String> getSupportedOptions() {
      return delegate.getSupportedOptions();
    }

    @Override
    public Set<String> getSupportedAnnotationTypes() {
      return delegate.getSupportedAnnotationTypes();
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
      return delegate.getSupportedSourceVersion();
    }

    @Override
    public void init(ProcessingEnvironment env) {
      delegate.init(new Wrapped(env, new Recording(env.getFiler())));
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
      return delegate.process(annotations, round);
    }

    @Override
    public Iterable<? extends Completion> getCompletions(Element element, AnnotationMirror annotation,
        ExecutableElement member, String userText) {
      return delegate.getCompletions(element, annotation, member, userText);
    }
  }

  /** Shaped like Gradle's {@code IncrementalProcessingEnvironment}. */
  private static final class Wrapped implements ProcessingEnvironment {
    private final ProcessingEnvironment delegate;
    private final Filer filer;

    Wrapped(ProcessingEnvironment delegate, Filer filer) {
      this.delegate = delegate;
      this.filer = filer;
    }

    public ProcessingEnvironment getDelegateProcessingEnvironment() {
      return delegate;
    }

    @Override
    public Map<String, String> getOptions() {
      return delegate.getOptions();
    }

    @Override
    public Messager getMessager() {
      return delegate.getMessager();
    }

    @Override
    public Filer getFiler() {
      return filer;
    }

    @Override
    public Elements getElementUtils() {
      return delegate.getElementUtils();
    }

    @Override
    public Types getTypeUtils() {
      return delegate.getTypeUtils();
    }

    @Override
    public SourceVersion getSourceVersion() {
      return delegate.getSourceVersion();
    }

    @Override
    public Locale getLocale() {
      return delegate.getLocale();
    }
  }

  /** A filer recording each generated source's originating elements. */
  private final class Recording implements Filer {
    private final Filer delegate;

    Recording(Filer delegate) {
      this.delegate = delegate;
    }

    @Override
    public JavaFileObject createSourceFile(CharSequence name, Element... originatingElements) throws IOException {
      List<String> names = new ArrayList<>();
      for (Element e : originatingElements) {
        names.add(((TypeElement) e).getQualifiedName().toString());
      }
      origins.put(name.toString(), names);
      return delegate.createSourceFile(name, originatingElements);
    }

    @Override
    public JavaFileObject createClassFile(CharSequence name, Element... originatingElements) throws IOException {
      throw new AssertionError("the processor writes sources only: " + name);
    }

    @Override
    public FileObject createResource(JavaFileManager.Location location, CharSequence moduleAndPkg,
        CharSequence relativeName, Element... originatingElements) throws IOException {
      throw new AssertionError("the processor writes sources only: " + relativeName);
    }

    @Override
    public FileObject getResource(JavaFileManager.Location location, CharSequence moduleAndPkg,
        CharSequence relativeName) throws IOException {
      return delegate.getResource(location, moduleAndPkg, relativeName);
    }
  }
}
