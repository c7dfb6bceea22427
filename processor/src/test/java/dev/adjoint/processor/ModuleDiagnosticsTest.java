package dev.adjoint.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import dev.adjoint.processor.diag.Message;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * The errors around {@code @Differentiable} modules: a constructor that does not hand the generated member
 * list to {@code Module}, a private field the list cannot read, a module called through a local instead
 * of a field, and a library module whose forward has no rule (Dropout, Sequential): each is one error at
 * its line, never a module whose parameters() silently misses fields or a silently zero gradient. Also the
 * neighbours of those features: {@code wrt = "this"} on a static method, a {@code List.of} of tensors
 * outside {@code cat}/{@code stack}.
 */
class ModuleDiagnosticsTest {
  /** A module {@code t.Net} with the given members and constructor lines, and a forward body. */
  private static JavaFileObject net(List<String> members, List<String> forward) {
    List<String> lines = new ArrayList<>(List.of(
        "package t;",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Differentiable;",
        "import dev.adjoint.nn.Dropout;",
        "import dev.adjoint.nn.Linear;",
        "import dev.adjoint.nn.Module;",
        "import dev.adjoint.nn.Sequential;",
        "final class Net extends Module {"));
    lines.addAll(members);
    lines.add("  @Differentiable");
    lines.add("  @Override public Tensor forward(Tensor x) {");
    lines.addAll(forward);
    lines.add("  }");
    lines.add("}");
    return Compile.source("t.Net", lines.toArray(String[]::new));
  }

  private static void onlyError(JavaFileObject src, String message, String line) {
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).hadErrorContaining(message).inFile(src).onLineContaining(line);
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void aConstructorThatDoesNotPassTheMemberList() {
    onlyError(net(List.of("  final Linear fc = new Linear(3, 2);", "  Net() { super(); }"),
            List.of("    return fc.forward(x);")),
        Message.MODULE_MEMBERS.format("Net", "NetDiff", "NetDiff"), "Net() { super(); }");
  }

  @Test
  void anImplicitConstructorIsReportedOnTheClass() {
    onlyError(net(List.of("  final Linear fc = new Linear(3, 2);"), List.of("    return fc.forward(x);")),
        Message.MODULE_MEMBERS.format("Net", "NetDiff", "NetDiff"), "final class Net");
  }

  @Test
  void aConstructorDelegatingWithThisIsFine() {
    Compilation c = Compile.compile(List.of(), net(List.of("  final Linear fc;",
            "  Net() { this(3); }", "  Net(int n) { super(NetDiff.MEMBERS); fc = new Linear(n, 2); }"),
        List.of("    return fc.forward(x);")));
    assertThat(c).succeededWithoutWarnings();
  }

  @Test
  void aPrivateParameterField() {
    onlyError(net(List.of("  private final Tensor w = Tensor.ones(3);", "  Net() { super(NetDiff.MEMBERS); }"),
            List.of("    return x.mul(2);")),
        Message.PRIVATE_MEMBER.format("parameter field 'w'", "NetDiff.MEMBERS"), "private final Tensor w");
  }

  @Test
  void aModuleCalledThroughALocal() {
    onlyError(net(List.of("  final Linear fc = new Linear(3, 2);", "  Net() { super(NetDiff.MEMBERS); }"),
            List.of("    Linear l = fc;", "    return l.forward(x);")),
        Message.UNSUPPORTED_CALL.format("Linear.forward", "its parameters live in the module, which must be a"
            + " field of this module", "Hold the module in a field and call it as forward(...) on that field"),
        "return l.forward(x)");
  }

  @Test
  void dropoutHasNoRule() {
    Compilation c = Compile.compile(List.of(), net(List.of("  final Dropout drop = new Dropout(0.5);",
            "  Net() { super(NetDiff.MEMBERS); }"),
        List.of("    return drop.forward(x);")));
    assertThat(c).hadErrorContaining("[Adjoint/NoDerivative]");
    assertThat(c).hadErrorContaining("Dropout.forward");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void sequentialHasNoRule() {
    Compilation c = Compile.compile(List.of(), net(List.of("  final Sequential seq = new Sequential(new Linear(3, 2));",
            "  Net() { super(NetDiff.MEMBERS); }"),
        List.of("    return seq.forward(x);")));
    assertThat(c).hadErrorContaining("[Adjoint/NoDerivative]");
    assertThat(c).hadErrorContaining("Sequential.forward");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void wrtThisNeedsAnInstanceMethod() {
    JavaFileObject src = Compile.source("t.S", "package t;", "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Differentiable;", "final class S {",
        "  @Differentiable(wrt = \"this\") static Tensor f(Tensor x) {", "    return x.mul(2);", "  }", "}");
    onlyError(src, Message.UNKNOWN_WRT.format("this", "S.f", "x"), "static Tensor f");
  }

  @Test
  void aTensorListOutsideCatOrStack() {
    JavaFileObject src = Compile.source("t.L", "package t;", "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Differentiable;", "import java.util.List;", "final class L {",
        "  static Tensor first(List<Tensor> xs) { return xs.get(0); }",
        "  @Differentiable static Tensor f(Tensor x) {", "    return first(List.of(x, x)).sum();", "  }", "}");
    onlyError(src, Message.UNSUPPORTED_EXPRESSION.format(
        "List.of(...) of tensors other than as the first argument of an operation like Tensor.cat or Tensor.stack"),
        "return first(List.of(x, x))");
  }

  @Test
  void aModuleCompiledSeparately(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    Compilation lib = Compile.compile(List.of(), Compile.source("t.Block", "package t;",
        "import dev.adjoint.Tensor;", "import dev.adjoint.annotation.Differentiable;", "import dev.adjoint.nn.Module;",
        "public final class Block extends Module {", "  public final Tensor scale = Tensor.ones(3);",
        "  public Block() { super(BlockDiff.MEMBERS); }",
        "  @Differentiable public Tensor forward(Tensor x) { return x.mul(scale); }", "}"));
    assertThat(lib).succeededWithoutWarnings();
    copyClasses(lib, dir, name -> name.substring(name.indexOf("/t/") + 1));
    JavaFileObject app = Compile.source("t.Net", "package t;", "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Differentiable;", "import dev.adjoint.nn.Module;",
        "final class Net extends Module {", "  final Block block = new Block();", "  Net() { super(NetDiff.MEMBERS); }",
        "  @Differentiable(wrt = \"this\") public Tensor forward(Tensor x) {", "    return block.forward(x).sum();",
        "  }", "}");
    Compilation c = compileAgainst(dir, app);
    assertThat(c).hadErrorContaining(Message.UNSUPPORTED_CALL.format("@Differentiable instance method Block.forward",
        "it was compiled separately, so the fields it differentiates are not known to this compilation",
        "Compile Block together with this class, or pass its tensors to a static @Differentiable method"))
        .inFile(app).onLineContaining("block.forward(x)");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void aCalleeCompiledWithoutTheProcessor(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    Compilation lib = com.google.testing.compile.Compiler.javac().withOptions("--release", "25", "-proc:none")
        .compile(Compile.source("l.Lib", "package l;", "import dev.adjoint.annotation.Differentiable;",
            "public final class Lib {", "  @Differentiable public static double sq(double x) { return x * x; }", "}"));
    assertThat(lib).succeeded();
    copyClasses(lib, dir, name -> "l/Lib.class");
    JavaFileObject app = Compile.source("t.App", "package t;", "import dev.adjoint.annotation.Differentiable;",
        "import l.Lib;", "final class App {", "  @Differentiable static double f(double x) {",
        "    return Lib.sq(x) + 1;", "  }", "}");
    Compilation c = compileAgainst(dir, app);
    assertThat(c).hadErrorContaining(Message.UNSUPPORTED_CALL.format("@Differentiable method Lib.sq",
        "its class was compiled without the Adjoint processor, so its derivative (LibDiff) is not on the class path",
        "Add adjoint-processor to the annotationProcessorPaths of the build that compiles Lib, or declare a"
            + " @Derivative rule for sq"))
        .inFile(app).onLineContaining("Lib.sq(x)");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void twoRulesForOneMethod() {
    JavaFileObject src = Compile.source("t.R", "package t;", "import dev.adjoint.annotation.Derivative;",
        "import dev.adjoint.annotation.Differentiable;", "final class R {",
        "  static double g(double x) { return x; }",
        "  @Derivative(of = R.class, method = \"g\") static double first(double d, double out, double x) { return d; }",
        "  @Derivative(of = R.class, method = \"g\") static double second(double d, double out, double x) { return d; }",
        "  @Differentiable static double h(double x) { return g(x) * 2; }", "}");
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).hadErrorContaining(Message.BAD_DERIVATIVE.format("R.second", "is a second rule for R.g, beside R.first",
        "Keep one rule per input: one with wrt = -1 for all inputs, or one per input index"))
        .inFile(src).onLineContaining("second(double d");
    assertThat(c).hadErrorCount(2);
  }

  /**
   * Copies the class files {@code lib} wrote into {@code dir}, each at the relative path {@code where} gives for
   * its URI path: a library compiled separately.
   */
  private static void copyClasses(Compilation lib, java.nio.file.Path dir,
      java.util.function.UnaryOperator<String> where) throws java.io.IOException {
    for (JavaFileObject f : lib.generatedFiles()) {
      if (f.getKind() == JavaFileObject.Kind.CLASS) {
        java.nio.file.Path out = dir.resolve(where.apply(f.toUri().getPath()));
        java.nio.file.Files.createDirectories(out.getParent());
        try (var in = f.openInputStream()) {
          java.nio.file.Files.copy(in, out);
        }
      }
    }
  }

  /** Compiles {@code app} with the processor against {@code dir} and the test class path. */
  private static Compilation compileAgainst(java.nio.file.Path dir, JavaFileObject app) {
    List<java.io.File> classpath = new ArrayList<>();
    classpath.add(dir.toFile());
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      classpath.add(new java.io.File(entry));
    }
    return com.google.testing.compile.Compiler.javac().withProcessors(new AdjointProcessor())
        .withOptions("-Xlint:all", "-Xlint:-processing", "--release", "25").withClasspath(classpath).compile(app);
  }
}
