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
 * of a field, and a library module whose forward has no rule (Sequential): each is one error at
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

  /** Dropout is generated (issue 18): the mask drawn from the module's generator, then {@code x.mul(mask)}. */
  @Test
  void dropoutIsGenerated() throws java.io.IOException {
    Compilation c = Compile.compile(List.of(), net(List.of("  final Dropout drop = new Dropout(0.5);",
            "  Net() { super(NetDiff.MEMBERS); }"),
        List.of("    return drop.forward(x);")));
    assertThat(c).succeededWithoutWarnings();
    String code = c.generatedSourceFile("t.NetDiff").orElseThrow().getCharContent(true).toString();
    org.junit.jupiter.api.Assertions.assertTrue(code.contains("Tensor mask1 = drop.mask(x);"), code);
    org.junit.jupiter.api.Assertions.assertTrue(code.contains("x.mul(mask1)"), code);
  }

  @Test
  void aSequentialIsNotFollowed() {
    Compilation c = Compile.compile(List.of(), net(List.of("  final Sequential seq = new Sequential(new Linear(3, 2));",
            "  Net() { super(NetDiff.MEMBERS); }"),
        List.of("    return seq.forward(x);")));
    // a module reached through a Sequential is not followed: the container's message, whose fix-it names the way
    assertThat(c).hadErrorContaining(Message.MODULE_CONTAINER.prefix() + "seq.forward(x)");
    assertThat(c).hadErrorContaining("Hold each layer in a field of its own");
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
}
