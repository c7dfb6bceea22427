package dev.adjoint.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The outside tester's findings 11 §3–4, compiled as the tester wrote them ({@code app6/repros/LinRect.java},
 * {@code ReshapeVar.java}, {@code probe/Z1..Z6.java}): casts ({@code to(DType)}, {@code toDouble()},
 * {@code toFloat()}), {@code new int[] {b, 5}} of a passive {@code int}, {@code detach()} of a module field's
 * tensor, and {@code Linalg.lstsq}, {@code pinv}, {@code matrixNorm}, {@code vectorNorm} are accepted in
 * {@code @Differentiable} code (forward, pullback, fJvp, fHvp generated); arrays that could hold a gradient are
 * still refused, saying what they hold. Values and gradients are checked at run time by {@code CastsCorpusTest}.
 */
class CastsAndCompositesTest {
  private static JavaFileObject cls(String name, String... body) {
    List<String> lines = new ArrayList<>(List.of(
        "package t;",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Differentiable;",
        "import dev.adjoint.linalg.Linalg;",
        "final class " + name + " {"));
    lines.addAll(List.of(body));
    lines.add("}");
    return Compile.source("t." + name, lines.toArray(String[]::new));
  }

  private static String generated(Compilation c, String fqcn) throws IOException {
    assertThat(c).succeededWithoutWarnings();
    return c.generatedSourceFile(fqcn).orElseThrow().getCharContent(true).toString();
  }

  @Test
  void castsAndAPassiveShapeArrayCompileWithEveryForm(TestInfo info) throws IOException {
    JavaFileObject f = cls("ReshapeVar",
        "  @Differentiable",
        "  static Tensor f(Tensor e, Tensor w) {",
        "    int b = e.size(0);",
        "    Tensor h1 = Tensor.zeros(new int[] {b, 5}, Tensor.DType.FLOAT64);",
        "    Tensor h2 = Tensor.zeros(b, 5).toDouble();",
        "    Tensor h3 = Tensor.zeros(b, 5).to(e.dtype());",
        "    int[] shape = {b, -1};",
        "    return h1.add(h2).add(h3).add(e.toFloat().toDouble()).reshape(shape).matmul(w.to(e.dtype()))",
        "        .to(Tensor.DType.FLOAT32).sum();",
        "  }");
    Compilation c = Compile.compile(List.of(), f);
    String src = generated(c, "t.ReshapeVarDiff");
    assertTrue(src.contains("Tensor.zeros(new int[] {b, 5}, Tensor.DType.FLOAT64)"), src);
    assertTrue(src.contains("DTypeRules.toDoubleVjp("), src);
    assertTrue(src.contains("DTypeRules.toFloatJvp("), src);
    assertTrue(src.contains("DTypeRules.toVjp("), src);
    assertTrue(src.contains("DTypeRules.toJvp("), src);
    for (String method : List.of("fJvp", "fHvp", "fPullback")) {
      assertTrue(src.contains(" " + method + "(") || src.contains(" f" + method.substring(1) + "("), method);
    }
    Compile.assertGolden(c, "t.ReshapeVarDiff", info);
  }

  @Test
  void detachOfAModuleFieldsTensorIsAConstant() throws IOException {
    JavaFileObject net = Compile.source("t.Gru",
        "package t;",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Differentiable;",
        "import dev.adjoint.nn.Embedding;",
        "import dev.adjoint.nn.Linear;",
        "import dev.adjoint.nn.Module;",
        "final class Gru extends Module {",
        "  final Embedding emb = new Embedding(10, 4);",
        "  final Linear fc = new Linear(4, 5);",
        "  Gru() {",
        "    super(GruDiff.MEMBERS);",
        "  }",
        "  @Differentiable",
        "  Tensor loss(Tensor idx) {",
        "    Tensor e = emb.forward(idx);",
        "    int b = e.size(0);",
        "    Tensor h = Tensor.zeros(new int[] {b, 5}, emb.weight().detach().dtype());",
        "    Tensor w0 = fc.weight().detach();",
        "    return fc.forward(e).add(h).tanh().add(e.matmul(w0.t())).sum();",
        "  }",
        "}");
    Compilation c = Compile.compile(List.of(), net);
    String src = generated(c, "t.GruDiff");
    assertTrue(src.contains("self.emb.weight().detach()") || src.contains(".weight().detach()"), src);
  }

  @Test
  void anUndetachedModuleFieldsTensorIsStillRefused() {
    JavaFileObject net = Compile.source("t.Lost",
        "package t;",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Differentiable;",
        "import dev.adjoint.nn.Linear;",
        "import dev.adjoint.nn.Module;",
        "final class Lost extends Module {",
        "  final Linear fc = new Linear(4, 5);",
        "  Lost() {",
        "    super(LostDiff.MEMBERS);",
        "  }",
        "  @Differentiable",
        "  Tensor loss(Tensor x) {",
        "    return x.matmul(fc.weight().t()).sum();",
        "  }",
        "}");
    Compilation c = Compile.compile(List.of(), net);
    assertThat(c).hadErrorContaining("[Adjoint/LostGradient]").inFile(net).onLineContaining("fc.weight().t()");
  }

  @Test
  void linalgCompositesCompileAsRows(TestInfo info) throws IOException {
    JavaFileObject f = cls("LinRect",
        "  @Differentiable",
        "  static Tensor rect(Tensor a, Tensor y) {",
        "    Tensor x = Linalg.lstsq(a, y);",
        "    Tensor p = Linalg.pinv(a);",
        "    return Linalg.svdvals(a).sum().add(x.square().sum()).add(p.mul(p).sum())",
        "        .add(Linalg.matrixNorm(a, \"fro\")).add(Linalg.vectorNorm(y, 3.0));",
        "  }");
    Compilation c = Compile.compile(List.of(), f);
    String src = generated(c, "t.LinRectDiff");
    for (String rule : List.of("CompositeRules.lstsqVjp(", "CompositeRules.pinvVjp(", "CompositeRules.matrixNormVjp(",
        "CompositeRules.vectorNormVjp(", "CompositeRules.lstsqJvp(", "CompositeRules.pinvJvp(")) {
      assertTrue(src.contains(rule), rule + " in\n" + src);
    }
    Compile.assertGolden(c, "t.LinRectDiff", info);
  }

  @Test
  void theVectorNormOverDimensionsIsARowToo() throws IOException {
    JavaFileObject f = cls("Dims",
        "  @Differentiable",
        "  static Tensor f(Tensor x) {",
        "    int d = x.dim() - 1;",
        "    return Linalg.vectorNorm(x, 2.0, new int[] {d}, false).sum();",
        "  }");
    String src = generated(Compile.compile(List.of(), f), "t.DimsDiff");
    assertTrue(src.contains("CompositeRules.vectorNormDimsVjp("), src);
    assertTrue(src.contains("new int[] {d}"), src);
  }

  @Test
  void arraysThatCouldHoldAGradientAreRefusedSayingWhatTheyHold() {
    JavaFileObject f = cls("Arrays",
        "  @Differentiable",
        "  static Tensor f(Tensor x, double s) {",
        "    Tensor[] parts = new Tensor[] {x, x};",
        "    double[] scales = new double[] {s, 2.0};",
        "    int n = x.size(0);",
        "    int[] sized = new int[n];",
        "    return x.mul(s);",
        "  }");
    Compilation c = Compile.compile(List.of(), f);
    assertThat(c).hadErrorContaining("an array of Tensor values (its elements can carry a gradient")
        .inFile(f).onLineContaining("new Tensor[]");
    assertThat(c).hadErrorContaining("an array of double values (its elements can carry a gradient")
        .inFile(f).onLineContaining("new double[]");
    assertThat(c).hadErrorContaining("array creation with a length ('new int[n]')").inFile(f)
        .onLineContaining("new int[n]");
  }
}
