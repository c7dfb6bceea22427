package dev.adjoint.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import dev.adjoint.processor.diag.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One test per unsupported construct and per catalogue message: the message text (from
 * {@link Message}, not copied), the line, and that it is the only error.
 */
class DiagnosticsTest {
  /** A class {@code t.C} with one {@code @Differentiable} method whose body is {@code body}. */
  static JavaFileObject method(String... body) {
    List<String> lines = new ArrayList<>(List.of(
        "package t;",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Differentiable;",
        "final class C {",
        "  final Tensor w = Tensor.of(1f);",
        "  @Differentiable",
        "  @SuppressWarnings(\"adjoint:zero-gradient\")",
        "  static double f(double x, Tensor t, int n, int[] a) {"));
    lines.addAll(List.of(body));
    lines.addAll(List.of("  }", "}"));
    return Compile.source("t.C", lines.toArray(String[]::new));
  }

  private static String aliased(String op, String local, String form) {
    return Message.UNSUPPORTED_IN_PLACE.format(op, "'" + local + "' may share its storage with another tensor (it is"
        + " copied, made by a view or an unknown method, held by a record, or passed on as itself), which the change"
        + " would reach too", "Write the out-of-place form, '" + form + "', and compute what shares '" + local
        + "' (a view, a record, a call's result) again from the new '" + local + "' where it should see the change");
  }

  static Stream<Arguments> constructs() {
    return Stream.of(
        Arguments.of("labeled block", Message.UNSUPPORTED_STATEMENT.format("labeled (other than loops)"), "block: {",
            new String[] {"block: {", "if (n > 0) { break block; }", "x = x * 2;", "}", "return x;"}),
        Arguments.of("tensor condition", Message.UNSUPPORTED_OPERATOR.format(">", "Tensor"), "if (t > 0)",
            new String[] {"if (t > 0) { x = x * 2; }", "return x;"}),
        Arguments.of("for-each over int[]",
            Message.UNSUPPORTED_STATEMENT.format(
                "for-each (over int[], not a Tensor[] parameter or the pieces of split, chunk or unbind)"), "for (int v",
            new String[] {"for (int v : a) { x = x * v; }", "return x;"}),
        Arguments.of("for-each over a new array", Message.UNSUPPORTED_EXPRESSION.format("an array of Tensor values"
            + " (its elements can carry a gradient, which an array does not follow; only int[] of sizes and dimensions"
            + " is supported)"),
            "for (Tensor u", new String[] {"for (Tensor u : new Tensor[] {t}) { x = x * u.item(); }", "return x;"}),
        Arguments.of("try", Message.UNSUPPORTED_STATEMENT.format("'try'"), "try {",
            new String[] {"try { x = x * 2; } finally { n = 0; }", "return x;"}),
        Arguments.of("in-place on an input", Message.UNSUPPORTED_IN_PLACE.format("mul_",
            "'t' is an input: the caller's tensor would change", "Write the out-of-place form, 't = t.mul(2)'"),
            "t.mul_(2)", new String[] {"t.mul_(2);", "return x * t.item();"}),
        Arguments.of("in-place on an alias", aliased("add_", "u", "u = u.add(1)"), "u.add_(1)",
            new String[] {"Tensor u = t.mul(2);", "Tensor v = u;", "u.add_(1);", "return x * v.sum().item();"}),
        // a view of a view, a record, a ?: of views, a helper that may return its argument: each shares the
        // tensor the in-place call changes (these compiled, and the generated value missed the change)
        Arguments.of("in-place on a tensor a view of a view shares", aliased("mul_", "u", "u = u.mul(3.0)"),
            "u.mul_(3.0)", new String[] {"Tensor u = t.mul(2);", "Tensor z = u.reshape(-1).unsqueeze(0);",
                "u.mul_(3.0);", "return x * z.sum().item();"}),
        Arguments.of("in-place on a tensor a ?: of views may share", aliased("mul_", "u", "u = u.mul(3.0)"),
            "u.mul_(3.0)", new String[] {"Tensor u = t.mul(2);", "Tensor z = n > 0 ? u.reshape(-1) : t.reshape(-1);",
                "u.mul_(3.0);", "return x * z.sum().item();"}),
        Arguments.of("copy_ on an alias", aliased("copy_", "u", "u = t.exp()"), "u.copy_(t.exp())",
            new String[] {"Tensor u = t.mul(2);", "Tensor v = u.t();", "u.copy_(t.exp());",
                "return x * v.sum().item();"}),
        Arguments.of("in-place on a view", Message.UNSUPPORTED_IN_PLACE.format("mul_",
            "its receiver is not a local variable", "Compute the changed tensor out of place into a local instead"
                + " ('u.reshape(-1).mul(2.0)', or Tensor.cat / where / maskedFill to rebuild the whole tensor) and"
                + " use that local afterwards"), "u.reshape(-1).mul_(2.0)",
            new String[] {"Tensor u = t.mul(2);", "u.reshape(-1).mul_(2.0);", "return x * u.sum().item();"}),
        Arguments.of("in-place used as a value", Message.UNSUPPORTED_IN_PLACE.format("add_",
            "its result is used as a value", "Write the out-of-place form, 'u = u.add(1)'"), "u.add_(1).sum()",
            new String[] {"Tensor u = t.mul(2);", "return x * u.add_(1).sum().item();"}),
        Arguments.of("synchronized", Message.UNSUPPORTED_STATEMENT.format("'synchronized'"), "synchronized",
            new String[] {"synchronized (C.class) { x = x * 2; }", "return x;"}),
        Arguments.of("local class", Message.UNSUPPORTED_STATEMENT.format("local class"), "class L",
            new String[] {"class L { }", "return x;"}),
        Arguments.of("conditional of two types", Message.UNSUPPORTED_EXPRESSION.format(
            "a conditional '?:' whose operands have the types Tensor and double"),
            "Object y =", new String[] {"Object y = n > 0 ? t : x;", "return x;"}),
        Arguments.of("array creation", Message.UNSUPPORTED_EXPRESSION.format("an array of float values (its elements"
            + " can carry a gradient, which an array does not follow; only int[] of sizes and dimensions is supported)"),
            "new float[]",
            new String[] {"Tensor u = Tensor.of(new float[] {1f});", "return x * u.item();"}),
        Arguments.of("int array of a length", Message.UNSUPPORTED_EXPRESSION.format("array creation with a length"
            + " ('new int[n]'); write the elements instead ('new int[] {b, 5}')"),
            "new int[", new String[] {"int[] s = new int[n];", "return x * s.length;"}),
        Arguments.of("long array initializer", Message.UNSUPPORTED_EXPRESSION.format("array creation"),
            "long[] s", new String[] {"long[] s = {2, 3};", "return x;"}),
        Arguments.of("anonymous class", Message.UNSUPPORTED_EXPRESSION.format("anonymous classes"), "new Object",
            new String[] {"Object o = new Object() { };", "return x;"}),
        Arguments.of("array access", Message.UNSUPPORTED_EXPRESSION.format("array access"), "toFloatArray()[0]",
            new String[] {"return x * t.toFloatArray()[0];"}),
        Arguments.of("lambda", Message.UNSUPPORTED_EXPRESSION.format("lambda expressions"), "() ->",
            new String[] {"Runnable r = () -> { };", "return x;"}),
        Arguments.of("method reference", Message.UNSUPPORTED_EXPRESSION.format("method references"), "::",
            new String[] {"Runnable r = C::new;", "return x;"}),
        Arguments.of("instanceof", Message.UNSUPPORTED_EXPRESSION.format("'instanceof'"), "instanceof",
            new String[] {"boolean b = t instanceof Object;", "return x;"}),
        Arguments.of("field assignment", Message.UNSUPPORTED_EXPRESSION.format("assignments to fields or array elements"),
            "a[0] =", new String[] {"a[0] = n;", "return x;"}),
        Arguments.of("remainder", Message.UNSUPPORTED_OPERATOR.format("%", "double"), "x % 2",
            new String[] {"return x % 2;"}),
        Arguments.of("increment", Message.UNSUPPORTED_OPERATOR.format("++", "Tensor"), "t++",
            new String[] {"t++;", "return x;"}),
        Arguments.of("non-short-circuit and", Message.UNSUPPORTED_OPERATOR.format("&", "boolean"), "(n > 0) & (x > 1)",
            new String[] {"boolean b = (n > 0) & (x > 1);", "return b ? x : 0;"}),
        Arguments.of("tensor plus", Message.UNSUPPORTED_OPERATOR.format("+", "Tensor"), "t + t",
            new String[] {"Tensor u = t + t;", "return x;"}),
        Arguments.of("no rule", Message.NO_DERIVATIVE.format("Math.ulp(double)", "Math", "ulp"), "Math.ulp",
            new String[] {"double y = Math.ulp(x);", "return y;"}),
        Arguments.of("tensor op without rule", Message.NO_DERIVATIVE.format("Tensor.item()", "Tensor", "item"),
            "t.item()", new String[] {"double y = t.item() * x;", "return y;"}),
        Arguments.of("unresolved", Message.UNRESOLVED.format("nothing"), "nothing",
            new String[] {"return x * nothing;"}),
        // an outside user wrote torch's trace(): the message named a local to declare (outsider 12)
        Arguments.of("absent method", Message.UNRESOLVED_METHOD.format("Tensor", "trace", ""), "t.trace()",
            new String[] {"double y = t.trace().sum().item() * x;", "return y;"}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("constructs")
  void unsupportedConstruct(String name, String message, String line, String[] body) {
    JavaFileObject src = method(body);
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).hadErrorContaining(message);
    assertThat(c).hadErrorContaining(message).inFile(src).onLineContaining(line);
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void anInPlaceChangeOfATensorARecordOrAHelperResultHoldsIsRefused() {
    JavaFileObject src = cls(
        "  record Pair(Tensor a, Tensor b) {}",
        "  @Differentiable",
        "  static Tensor same(Tensor a) {",
        "    return a;",
        "  }",
        "  @Differentiable",
        "  static Tensor held(Tensor x) {",
        "    Tensor y = x.mul(2.0);",
        "    Pair p = new Pair(y, x);",
        "    y.mul_(3.0);",
        "    return p.a().sum();",
        "  }",
        "  @Differentiable",
        "  static Tensor passedOn(Tensor x) {",
        "    Tensor y = x.mul(2.0);",
        "    Tensor z = same(y);",
        "    y.add_(1.0);",
        "    return z.sum();",
        "  }");
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).hadErrorContaining(aliased("mul_", "y", "y = y.mul(3.0)")).inFile(src)
        .onLineContaining("y.mul_(3.0)");
    assertThat(c).hadErrorContaining(aliased("add_", "y", "y = y.add(1.0)")).inFile(src)
        .onLineContaining("y.add_(1.0)");
    assertThat(c).hadErrorCount(2);
  }

  @Test
  void everyProblemInOneCompile() {
    JavaFileObject src = method("double y = Math.ulp(x);", "synchronized (C.class) { y = y * 2; }",
        "return y % 3;");
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).hadErrorContaining(Message.UNSUPPORTED_STATEMENT.format("'synchronized'")).inFile(src)
        .onLineContaining("synchronized (C.class)");
    assertThat(c).hadErrorContaining(Message.UNSUPPORTED_OPERATOR.format("%", "double")).inFile(src)
        .onLineContaining("return y % 3");
    assertThat(c).hadErrorCount(2);
  }

  @Test
  void noDerivativeNamesTheParameterItDependsOn() {
    JavaFileObject src = method("double y = Math.ulp(x * 2);", "return y;");
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).hadErrorContaining("'mul1' depends on parameter 'x'").inFile(src).onLineContaining("Math.ulp");
  }

  private static JavaFileObject cls(String... body) {
    List<String> lines = new ArrayList<>(List.of(
        "package t;",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Derivative;",
        "import dev.adjoint.annotation.Differentiable;",
        "final class D {"));
    lines.addAll(List.of(body));
    lines.add("}");
    return Compile.source("t.D", lines.toArray(String[]::new));
  }

  private static void onlyError(JavaFileObject src, String message, String line) {
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).hadErrorContaining(message).inFile(src).onLineContaining(line);
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void unsupportedType() {
    onlyError(cls("  @Differentiable static Tensor f(java.util.List<Tensor> xs) {", "    return Tensor.stack(xs, 0);",
            "  }"),
        Message.UNSUPPORTED_TYPE.format("parameter 'xs'", "java.util.List<dev.adjoint.Tensor>"), "List<Tensor> xs");
  }

  @Test
  void writingIntoATensorArray() {
    onlyError(cls("  @Differentiable static Tensor f(Tensor[] xs) {", "    xs[0] = xs[1];", "    return xs[0];", "  }"),
        Message.UNSUPPORTED_EXPRESSION.format("assignments to fields or array elements"), "xs[0] =");
  }

  @Test
  void valuesAndIndicesAreRefusedWithTheirFix() {
    onlyError(cls("  @Differentiable static Tensor f(Tensor x) {", "    return x.topk(2).values().sum();", "  }"),
        Message.VALUES_AND_INDICES.format("Tensor.topk(int)", "x.gather(dim, x.argsort(dim, largest).slice(dim, 0, k))"),
        "x.topk(2)");
  }

  @Test
  void tensorArrayLocal() {
    onlyError(cls("  @Differentiable static Tensor f(Tensor[] xs) {", "    Tensor[] ys = xs;", "    return xs[0];",
            "  }"),
        Message.UNSUPPORTED_TYPE.format("local 'ys'", "Tensor[]"), "Tensor[] ys");
  }

  @Test
  void unsupportedSignature() {
    onlyError(cls("  @Differentiable static int f(double x) {", "    return 1;", "  }"),
        Message.UNSUPPORTED_SIGNATURE.format("D.f", "returns int", "Return Tensor, double or float"), "static int f");
  }

  @Test
  void privateMethod() {
    onlyError(cls("  @Differentiable private static double f(double x) {", "    return x * x;", "  }",
            "  static double g(double x) { return f(x); }"),
        Message.UNSUPPORTED_SIGNATURE.format("D.f", "is private",
            "Make it package-private so the generated companion can call it"), "private static double f");
  }

  @Test
  void unknownWrt() {
    onlyError(cls("  @Differentiable(wrt = \"y\") static double f(double x) {", "    return x * x;", "  }"),
        Message.UNKNOWN_WRT.format("y", "D.f", "x"), "static double f");
  }

  @Test
  void overloaded() {
    onlyError(cls("  @Differentiable static double f(double x) {", "    return x * x;", "  }",
            "  @Differentiable static double f(double x, double y) {", "    return x * y;", "  }"),
        Message.OVERLOADED.format("f"), "double f(double x, double y)");
  }

  @Test
  void privateMember() {
    onlyError(cls("  private static final double K = 2;",
            "  @Differentiable static double f(double x) {", "    return x * K;", "  }"),
        Message.PRIVATE_MEMBER.format("field 'K'", "DDiff"), "return x * K");
  }

  @Test
  void recursion() {
    onlyError(cls("  @Differentiable static double f(double x) {", "    return f(x) * x;", "  }"),
        Message.RECURSION.format("f"), "return f(x)");
  }

  @Test
  void instanceMethodOfAnotherObject() {
    onlyError(cls("  final Tensor w = Tensor.of(1f);",
            "  @Differentiable Tensor g(Tensor x) {", "    return x.mul(w);", "  }",
            "  @Differentiable static Tensor f(D other, Tensor x) {", "    return other.g(x);", "  }"),
        Message.UNSUPPORTED_CALL.format("@Differentiable instance method g",
            "only static @Differentiable methods and those of this object or of a module held in one of its"
                + " fields compose statically",
            "Hold the object in a field, or make the method static and pass its tensors as parameters"),
        "return other.g(x)");
  }

  @Test
  void badDerivative() {
    onlyError(cls("  static double h(double x) { return x; }",
            "  @Derivative(of = D.class, method = \"h\")",
            "  static double hVjp(double g, double x) { return g; }"),
        Message.BAD_DERIVATIVE.format("D.hVjp", "does not match any overload of D.h",
            "Declare its parameters as (g, out, inputs...): g and out of the result's type, then the inputs of"
                + " D.h in order, receiver first"), "static double hVjp");
  }

  @Test
  void jvpWithAWrongSignatureGetsTheSignatureToWrite() {
    onlyError(cls("  static double h(double x, int n, Tensor w) { return x * n; }",
            "  @Derivative(of = D.class, method = \"h\", kind = Derivative.Kind.JVP)",
            "  static double hJvp(double dx, double out, double x, int n, Tensor w) { return dx; }"),
        Message.BAD_DERIVATIVE.format("D.hJvp", "is a JVP that does not match any overload of D.h",
            "Declare it as static double hJvp(double dX, Tensor dW, double out, double x, int n, Tensor w): the"
                + " tangent of each Tensor, double or float input, then out, then the inputs of D.h in order,"
                + " receiver first"), "static double hJvp");
  }

  @Test
  void jvpWithAWrongReturnType() {
    onlyError(cls("  static Tensor h(Tensor x) { return x; }",
            "  @Derivative(of = D.class, method = \"h\", kind = Derivative.Kind.JVP)",
            "  static double hJvp(Tensor dx, Tensor out, Tensor x) { return 0; }"),
        Message.BAD_DERIVATIVE.format("D.hJvp", "is a JVP that does not match any overload of D.h",
            "Declare it as static Tensor hJvp(Tensor dX, Tensor out, Tensor x): the tangent of each Tensor, double"
                + " or float input, then out, then the inputs of D.h in order, receiver first"), "static double hJvp");
  }

  @Test
  void jvpWithWrt() {
    onlyError(cls("  static double h(double x, double y) { return x * y; }",
            "  @Derivative(of = D.class, method = \"h\", kind = Derivative.Kind.JVP, wrt = 0)",
            "  static double hJvp(double dx, double dy, double out, double x, double y) { return dx * y; }"),
        Message.BAD_DERIVATIVE.format("D.hJvp", "is a JVP with wrt = 0, but a JVP gives the result's tangent from the"
            + " tangents of every input", "Remove wrt"), "static double hJvp");
  }

  @Test
  void secondJvp() {
    onlyError(cls("  static double h(double x) { return x; }",
            "  @Derivative(of = D.class, method = \"h\", kind = Derivative.Kind.JVP)",
            "  static double hJvp(double dx, double out, double x) { return dx; }",
            "  @Derivative(of = D.class, method = \"h\", kind = Derivative.Kind.JVP)",
            "  static double hJvp2(double dx, double out, double x) { return dx; }"),
        Message.BAD_DERIVATIVE.format("D.hJvp2", "is a second JVP for D.h, beside D.hJvp", "Keep one JVP per method"),
        "static double hJvp2");
  }

  @Test
  void jvpDeclaredWithoutKindIsToldToAddIt() {
    onlyError(cls("  static double h(double x, double y) { return x * y; }",
            "  @Derivative(of = D.class, method = \"h\")",
            "  static double hJvp(double dx, double dy, double out, double x, double y) { return dx * y + x * dy; }"),
        Message.BAD_DERIVATIVE.format("D.hJvp", "does not match any overload of D.h",
            "Its parameters are those of a JVP (tangents, out, inputs): add kind = Derivative.Kind.JVP, or declare"
                + " them as (g, out, inputs...) for an adjoint"), "static double hJvp");
  }

  @Test
  void jvpBesideTheVjpIsAccepted() {
    JavaFileObject src = cls("  static double h(double x, double y) { return x * y; }",
        "  @Derivative(of = D.class, method = \"h\", kind = Derivative.Kind.JVP)",
        "  static double hJvp(double dx, double dy, double out, double x, double y) { return dx * y + x * dy; }",
        "  @Derivative(of = D.class, method = \"h\", wrt = 0)",
        "  static double hX(double g, double out, double x, double y) { return g * y; }",
        "  @Derivative(of = D.class, method = \"h\", wrt = 1)",
        "  static double hY(double g, double out, double x, double y) { return g * x; }",
        "  @Differentiable static double f(double x, double y) { return h(x, y) + x; }");
    assertThat(Compile.compile(List.of(), src)).succeededWithoutWarnings();
  }

  @Test
  void derivativeOfMissingMethod() {
    onlyError(cls("  @Derivative(of = D.class, method = \"nope\")",
            "  static double hVjp(double g, double out, double x) { return g; }"),
        Message.BAD_DERIVATIVE.format("D.hVjp", "names D.nope, which does not exist", "Check of and method"),
        "static double hVjp");
  }

  @Test
  void zeroGradientWarning() {
    JavaFileObject src = cls("  @Differentiable static double f(double x, double y) {", "    return x * x;", "  }");
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).succeeded();
    assertThat(c).hadWarningContaining(Message.ZERO_GRADIENT.format("parameter", "y", "does not affect the result"))
        .inFile(src).onLineContaining("double f(double x, double y)");
    assertThat(c).hadWarningCount(1);
  }

  /** Outsider 10, C2: a parameter that is only compared decides which branch runs; it is not "unused". */
  @Test
  void zeroGradientOfAParameterThatOnlyDecidesTheControlFlow() {
    JavaFileObject src = cls("  @Differentiable static Tensor f(Tensor x, double thresh,",
        "      Tensor z) {",
        "    Tensor h = x.mul(2.0);",
        "    if (h.abs().sum().itemDouble() > thresh) {",
        "      return h.sum();",
        "    }",
        "    return h.mul(z.detach()).sum();",
        "  }");
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).succeeded();
    assertThat(c).hadWarningContaining("[Adjoint/ZeroGradient] parameter 'thresh' only decides the control flow (it is"
        + " compared, not computed with), so its gradient is always zero.").inFile(src)
        .onLineContaining("double thresh");
    assertThat(c).hadWarningContaining("[Adjoint/ZeroGradient] parameter 'z' reaches the result only through values"
        + " without a gradient (integers, booleans, detach()), so its gradient is always zero.").inFile(src)
        .onLineContaining("Tensor z");
    assertThat(c).hadWarningCount(2);
  }

  @Test
  void zeroGradientSuppressed() {
    JavaFileObject src = cls("  @SuppressWarnings(\"adjoint:zero-gradient\")",
        "  @Differentiable static double f(double x, double y) {", "    return x * x;", "  }");
    assertThat(Compile.compile(List.of(), src)).succeededWithoutWarnings();
  }

  @Test
  void passiveParametersOfOtherTypes() {
    JavaFileObject src = cls("  @Differentiable static double f(double x, java.util.List<String> names, int[] sizes,",
        "      java.util.Map<String, int[]> table) {", "    return x * names.size() * sizes.length;", "  }");
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).succeededWithoutWarnings();
    assertThat(c).generatedSourceFile("t.DDiff").contentsAsUtf8String().contains("sizes.length");
    JavaFileObject ok = cls("  @SuppressWarnings(\"adjoint:zero-gradient\")",
        "  @Differentiable static double f(double x, java.util.List<String> names, int[] sizes,",
        "      java.util.Map<String, int[]> table) {", "    return x * names.size() * table.size();", "  }");
    Compilation c2 = Compile.compile(List.of(), ok);
    assertThat(c2).succeededWithoutWarnings();
    assertThat(c2).generatedSourceFile("t.DDiff").contentsAsUtf8String()
        .contains("public static FGradient fGrad(double x, List<String> names, int[] sizes,");
  }

  @Test
  void internalErrorIsOneErrorWithTheTrace() {
    JavaFileObject src = cls("  @Differentiable static double f(double x) {", "    return x * x;", "  }",
        "  @Differentiable static double h(double x) {", "    return x * 3;", "  }");
    Compilation c = Compile.compile(List.of("-Aadjoint.failOn=f"), src);
    assertThat(c).hadErrorContaining(Message.INTERNAL_ERROR.prefix() + "D.f; please report this with the stack trace")
        .inFile(src).onLineContaining("static double f");
    assertThat(c).hadErrorContaining("java.lang.IllegalStateException: simulated failure");
    assertThat(c).hadErrorContaining("at dev.adjoint.processor.step.DifferentiableStep");
    assertThat(c).hadErrorCount(1);
  }
}
