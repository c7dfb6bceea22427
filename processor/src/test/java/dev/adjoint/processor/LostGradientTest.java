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
 * A differentiable value read back out of an object: followed through a record built once in the method, and
 * otherwise {@code [Adjoint/LostGradient]} at the read. Before, the read was taken for a constant: the gradient
 * was silently zero and the only diagnostic a warning that the parameter "does not affect the result".
 */
class LostGradientTest {
  private static final String LIST_FIX = "Keep the tensors in Tensor locals; the list that split, chunk or unbind"
      + " returns is followed when it is read with get(i), size() or a for-each";
  private static final String RECORD_FIX = "Keep the values in Tensor or double locals; a record is followed when"
      + " it is built with new in this method, assigned once, and has neither a compact constructor nor a declared"
      + " accessor";

  private static JavaFileObject source(String... body) {
    List<String> lines = new ArrayList<>(List.of(
        "package t;",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Differentiable;",
        "final class C {",
        "  record Pair(Tensor first, Tensor second) {}",
        "  record Twice(Tensor first) {",
        "    Twice {",
        "      first = first.mul(2);",
        "    }",
        "  }",
        "  record Negated(Tensor first) {",
        "    @Override",
        "    public Tensor first() {",
        "      return first.neg();",
        "    }",
        "  }",
        "  static Pair make(Tensor a) {",
        "    return new Pair(a, a);",
        "  }",
        "  @Differentiable",
        "  static Tensor f(Tensor x, boolean c) {"));
    lines.addAll(List.of(body));
    lines.addAll(List.of("  }", "}"));
    return Compile.source("t.C", lines.toArray(String[]::new));
  }

  static Stream<Arguments> reads() {
    return Stream.of(
        Arguments.of("an element of List.of", "parts.get(1)", "List.get(int)", "List<E>", LIST_FIX,
            new String[] {"var parts = java.util.List.of(x, x.exp());", "Tensor p = parts.get(1);",
                "return p.mul(p).sum();"}),
        Arguments.of("a list of pieces passed on", "Tensor.cat(parts, 0)", "Tensor.cat", "List<Tensor>",
            "Write the list in the call itself, as in Tensor.cat(List.of(a, b), 0)",
            new String[] {"java.util.List<Tensor> parts = x.unbind(0);", "return Tensor.cat(parts, 0).sum();"}),
        Arguments.of("a compact constructor", "d.first()", "Twice.first()", "C.Twice", RECORD_FIX,
            new String[] {"Twice d = new Twice(x);", "return d.first().sum();"}),
        Arguments.of("a declared accessor", "n.first()", "Negated.first()", "C.Negated", RECORD_FIX,
            new String[] {"Negated n = new Negated(x);", "return n.first().sum();"}),
        Arguments.of("a record reassigned in a branch", "p.second()", "Pair.second()", "C.Pair", RECORD_FIX,
            new String[] {"Pair p = new Pair(x, x.exp());", "if (c) {", "p = new Pair(x.exp(), x);", "}",
                "return p.second().sum();"}),
        Arguments.of("a record a helper returned", "p.first()", "Pair.first()", "C.Pair", RECORD_FIX,
            new String[] {"Pair p = make(x.mul(3));", "return p.first().sum();"}),
        Arguments.of("a list passed to cat", "Tensor.cat(l, 0)", "Tensor.cat", "List<E>",
            "Write the list in the call itself, as in Tensor.cat(List.of(a, b), 0)",
            new String[] {"var l = java.util.List.of(x, x.mul(2));", "return Tensor.cat(l, 0).sum();"}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("reads")
  void aValueReadOutOfAnObjectIsAnErrorNeverAZero(String name, String line, String call, String type,
      String fix, String[] body) {
    JavaFileObject src = source(body);
    Compilation c = Compile.compile(List.of(), src);
    String message = Message.LOST_GRADIENT.format(call, type, fix);
    assertThat(c).hadErrorContaining(message).inFile(src).onLineContaining(line);
    assertThat(c).hadErrorCount(1);
    assertThat(c).hadWarningCount(0);
  }

  /**
   * FINDINGS11 §10: a generic pass-through helper ({@code <T> T pick(boolean, T, T)}) is neither a rule to declare
   * nor a value to detach: the message says inline it or give it Tensor types and mark it {@code @Differentiable}.
   */
  @Test
  void aGenericPassThroughHelperSaysInlineItOrMakeItDifferentiable() {
    JavaFileObject src = Compile.source("t.G", "package t;", "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Differentiable;", "final class G {",
        "  static <T> T pick(boolean first, T a, T b) {", "    return first ? a : b;", "  }",
        "  @Differentiable", "  static Tensor f(Tensor x, Tensor y, boolean first) {",
        "    Tensor z = pick(first, x, y);", "    return z.exp().sum();", "  }", "}");
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).hadErrorContaining(Message.GENERIC_HELPER.format("G.pick(boolean, T, T)")).inFile(src)
        .onLineContaining("Tensor z = pick(first, x, y);");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void aRecordBuiltOnceIsFollowed() {
    JavaFileObject src = source("Pair p = new Pair(x.mul(2), x.exp());", "var q = new Pair(p.second(), x);",
        "return p.first().mul(q.first()).add(q.second()).sum();");
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).succeededWithoutWarnings();
  }

  private static JavaFileObject layers(String... net) {
    List<String> lines = new ArrayList<>(List.of(
        "package t;",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Differentiable;",
        "final class L {",
        "  @Differentiable(wrt = \"w\")",
        "  static Tensor layer(Tensor x, Tensor w) {",
        "    return x.mul(w).tanh();",
        "  }",
        "  @Differentiable",
        "  static Tensor net(Tensor x, Tensor w1, Tensor w2) {"));
    lines.addAll(List.of(net));
    lines.addAll(List.of("  }", "}"));
    return Compile.source("t.L", lines.toArray(String[]::new));
  }

  /** The outside view's finding: a callee's wrt cut the gradient of every caller (null, no warning). */
  @Test
  void aVariedArgumentForAnInputTheCalleesWrtLeavesOutIsAnError() {
    JavaFileObject src = layers("Tensor h = layer(x, w1);", "return layer(h, w2).sum();");
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).hadErrorContaining(Message.WRT_EXCLUDES_ARGUMENT.format("L.layer", "first", "parameter 'x'",
        "L.layer")).inFile(src).onLineContaining("layer(x, w1)");
    assertThat(c).hadErrorContaining(Message.WRT_EXCLUDES_ARGUMENT.format("L.layer", "first", "parameter 'x'",
        "L.layer")).inFile(src).onLineContaining("layer(h, w2)");
    assertThat(c).hadErrorCount(2);
  }

  @Test
  void aConstantArgumentForThatInputIsFine() {
    JavaFileObject src = layers("Tensor h = layer(x.detach(), w1);",
        "return h.add(layer(x.detach().exp(), w2)).sum().add(x.sum());");
    assertThat(Compile.compile(List.of(), src)).succeededWithoutWarnings();
  }

  /** The outside view's finding: a record parameter of weights got no gradient, with no diagnostic. */
  @Test
  void aTensorReadOutOfARecordParameterIsAnError() {
    JavaFileObject src = Compile.source("t.R",
        "package t;",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Differentiable;",
        "final class R {",
        "  record Affine(Tensor w, Tensor b) {}",
        "  @Differentiable",
        "  static Tensor loss(Affine p, Tensor x) {",
        "    return x.matmul(p.w()).sum();",
        "  }",
        "}");
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).hadErrorContaining(Message.LOST_GRADIENT.format("Affine.w()", "t.R.Affine",
        "Pass the values it holds as Tensor or double parameters of their own, so that their gradients are"
            + " returned (and recorded) like the others'")).inFile(src).onLineContaining("p.w()");
    assertThat(c).hadErrorCount(1);
  }

  /**
   * The outside view: a method calling one with an error was still generated, naming the missing pullback, so
   * the generated code did not compile. Now the caller is not written and says why (no third error).
   */
  @Test
  void aCallerOfAMethodThatFailedIsNotWrittenAndSaysWhy() {
    JavaFileObject src = Compile.source("t.F",
        "package t;",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Differentiable;",
        "final class F {",
        "  @Differentiable",
        "  static double bad(double x) {",
        "    return x % 2;",
        "  }",
        "  @Differentiable",
        "  static double good(double x) {",
        "    return bad(x) * 2;",
        "  }",
        "  @Differentiable",
        "  static double twice(double x) {",
        "    return good(x) + x;",
        "  }",
        "}");
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).hadErrorContaining(Message.CALLEE_FAILED.format("F.good", "F.bad")).inFile(src)
        .onLineContaining("static double good");
    assertThat(c).hadErrorContaining(Message.CALLEE_FAILED.format("F.twice", "F.good")).inFile(src)
        .onLineContaining("static double twice");
    assertThat(c).hadErrorCount(3);
  }
}
