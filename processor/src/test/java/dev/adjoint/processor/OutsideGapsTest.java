package dev.adjoint.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import dev.adjoint.processor.diag.Message;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * What an outside user (a fresh project, README only) found refused in {@code @Differentiable} code and a PyTorch
 * user expects to work (issue 18): {@code F.dropout}, the one-number pooling forms, {@code diagonal()}, the pieces of
 * {@code split(int[] sizes, dim)}, types whose names contain {@code Tensor}/{@code Float}, a parameter named
 * {@code n}; and the error (with its fix) for {@code double[]}, which stays refused. The gradients themselves are
 * checked in the samples ({@code OrdinaryJavaTest}, {@code DropoutModuleTest}).
 */
class OutsideGapsTest {
  private static JavaFileObject cls(String... body) {
    List<String> lines = new ArrayList<>(List.of(
        "package t;",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Differentiable;",
        "import dev.adjoint.nn.F;",
        "import java.util.List;",
        "final class C {",
        "  record TensorPair(Tensor a, Tensor b) {}",
        "  static final class FloatBox {",
        "    int k() {",
        "      return 2;",
        "    }",
        "  }"));
    lines.addAll(List.of(body));
    lines.add("}");
    return Compile.source("t.C", lines.toArray(String[]::new));
  }

  private static String generated(JavaFileObject src) throws IOException {
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).succeededWithoutWarnings();
    return c.generatedSourceFile("t.CDiff").orElseThrow().getCharContent(true).toString();
  }

  private static void onlyError(JavaFileObject src, String message, String line) {
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).hadErrorContaining(message).inFile(src).onLineContaining(line);
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void functionalDropoutDrawsItsMaskInTheForwardAndHasNoHessian() throws IOException {
    String code = generated(cls("  @Differentiable", "  static Tensor f(Tensor x, boolean training) {",
        "    return F.dropout(x.exp(), 0.5, training).sum();", "  }"));
    assertTrue(code.contains("Tensor mask1 = F.dropoutMask(exp1, 0.5, training);"), code);
    assertTrue(code.contains("Tensor dropped1 = exp1.mul(mask1);"), code);
    assertTrue(code.contains("public static FJvp fJvp("), code);
    assertFalse(code.contains("fHessian"), "one fHvp per element would draw one mask each:\n" + code);
  }

  /** The mask has the input's shape, so shapes flow through dropout: a mismatch after it is still found. */
  @Test
  void shapesFlowThroughDropout() {
    JavaFileObject src = cls("  @Differentiable",
        "  static Tensor f(@dev.adjoint.annotation.Shape(\"B, 4\") Tensor x,"
            + " @dev.adjoint.annotation.Shape(\"5, 3\") Tensor w) {",
        "    Tensor h = F.dropout(x, 0.5, true);", "    return h.matmul(w).sum();", "  }");
    Compilation c = Compile.compile(List.of(), src);
    assertThat(c).hadErrorContaining("[Adjoint/ShapeMismatch]").inFile(src).onLineContaining("h.matmul(w)");
    assertThat(c).hadErrorContaining("[B, 4] @ [5, 3]");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void dropoutWithAGeneratorOfTheCaller() throws IOException {
    String code = generated(cls("  @Differentiable",
        "  static Tensor f(Tensor x, dev.adjoint.Generator gen) {",
        "    return F.dropout(x, 0.3, true, gen).sum();", "  }"));
    assertTrue(code.contains("F.dropoutMask(x, 0.3, true, gen)"), code);
  }

  @Test
  void onePoolingNumberAndTheMainDiagonal() throws IOException {
    String code = generated(cls("  @Differentiable", "  static Tensor f(Tensor x, Tensor m) {",
        "    return F.maxPool2d(x, 2).sum().add(F.avgPool2d(x, 2).sum()).add(m.diagonal().sum())"
            + ".add(m.diagonal(1, 0, 1).sum());",
        "  }"));
    assertTrue(code.contains("PoolRules.maxPool2dKernelVjp("), code);
    assertTrue(code.contains("PoolRules.avgPool2dKernelVjp("), code);
    assertTrue(code.contains("ViewRules.diagonalMainVjp("), code);
  }

  @Test
  void flattenWithoutArguments() throws IOException {
    String code = generated(cls("  @Differentiable", "  static Tensor f(Tensor x) {",
        "    return x.flatten().square().sum().add(x.flatten(0, -1).sum());", "  }"));
    assertTrue(code.contains("ViewRules.flattenAllVjp("), code);
    assertTrue(code.contains("ViewRules.flattenVjp("), code);
  }

  @Test
  void piecesOfSplitWithSizes() throws IOException {
    String code = generated(cls("  @Differentiable", "  static Tensor f(Tensor x, int[] sizes) {",
        "    List<Tensor> parts = x.split(sizes, 0);", "    Tensor s = parts.get(parts.size() - 1).sum();",
        "    for (Tensor p : parts) {", "      s = s.add(p.exp().sum());", "    }", "    return s;", "  }"));
    assertTrue(code.contains("int[] sizes1 = ViewRules.splitSizes(base1, sizes, 0);"), code);
    assertTrue(code.contains("ViewRules.splitStart(sizes1, "), code);
    assertTrue(code.contains("= sizes1.length;"), code);
  }

  @Test
  void typesNamedLikeValuesAreObjects() throws IOException {
    String code = generated(cls("  @Differentiable", "  static Tensor f(Tensor x, TensorPair p, FloatBox b) {",
        "    FloatBox c = b;", "    return x.mul(c.k()).sum();", "  }"));
    assertTrue(code.contains("public static Tensor f(Tensor x, C.TensorPair p, C.FloatBox b)"), code);
  }

  @Test
  void aTensorReadOutOfARecordParameterIsStillALostGradient() {
    onlyError(cls("  @Differentiable", "  static Tensor f(Tensor x, TensorPair p) {", "    return x.mul(p.a()).sum();",
            "  }"),
        "[Adjoint/LostGradient] TensorPair.a()", "x.mul(p.a())");
  }

  @Test
  void boxedNumbersAndListsOfTensorsAreStillRefused() {
    onlyError(cls("  @Differentiable", "  static double f(double x, Double y) {", "    return x;", "  }"),
        Message.UNSUPPORTED_TYPE.format("parameter 'y'", "java.lang.Double"), "Double y");
  }

  @Test
  void aParameterNamedNKeepsItsNameInEverySignature() throws IOException {
    String code = generated(cls("  @Differentiable", "  static Tensor f(Tensor x, int n) {",
        "    return x.mul(n).exp().sum();", "  }", "  @Differentiable", "  static double g(double x, int n) {",
        "    double y = x;", "    for (int i = 0; i < n; i++) {", "      y = y * x;", "    }", "    return y;", "  }"));
    assertFalse(code.contains("n2"), code);
    assertTrue(code.contains("public static FValueAndGrad fValueAndGrad(Tensor x, int n) {"), code);
    assertTrue(code.contains("int n_ = Adjoints.fusedLength(x);"), "the fused loop's count yields:\n" + code);
    assertTrue(code.contains("public static GGradient gGrad(double x, int n) {"), code);
  }

  @Test
  void doubleArrayParameterIsOneErrorWithItsFix() {
    onlyError(cls("  @Differentiable", "  static double f(double[] xs) {", "    return xs[0] * xs[1];", "  }"),
        Message.NUMBER_ARRAY.format("parameter 'xs'", "double[]", "Tensor.of(Tensor.DType.FLOAT64, xs)", "double",
            "double"), "double[] xs");
  }

  @Test
  void floatArrayParameterIsOneErrorWithItsFix() {
    onlyError(cls("  @Differentiable", "  static float f(float[] xs) {", "    return xs[0];", "  }"),
        Message.NUMBER_ARRAY.format("parameter 'xs'", "float[]", "Tensor.of(xs)", "float", "float"), "float[] xs");
  }
}
