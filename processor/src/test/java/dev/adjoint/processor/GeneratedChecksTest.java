package dev.adjoint.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import dev.adjoint.DiffChecks;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -Aadjoint.checks=true} (issue 16): the processor writes {@code <Class>DiffChecks}, and
 * {@code DiffChecks.assertAll} passes for right derivatives and catches a deliberately wrong {@code @Derivative}
 * (its JVP, derived from the wrong adjoint, disagrees with central differences of the user's method).
 */
class GeneratedChecksTest {

  private static JavaFileObject model(String name, String softplusDerivative) {
    return JavaFileObjects.forSourceLines("checks." + name,
        "package checks;",
        "",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Derivative;",
        "import dev.adjoint.annotation.Differentiable;",
        "import dev.adjoint.annotation.Domain;",
        "",
        "final class " + name + " {",
        "  private " + name + "() {}",
        "",
        "  static double softplus(double x) {",
        "    return Math.log1p(Math.exp(x));",
        "  }",
        "",
        "  @Derivative(of = " + name + ".class, method = \"softplus\")",
        "  static double softplusVjp(double g, double out, double x) {",
        "    return " + softplusDerivative + ";",
        "  }",
        "",
        "  @Differentiable",
        "  static double smooth(double x, double y) {",
        "    return softplus(x * y) + Math.sin(x);",
        "  }",
        "",
        "  @Differentiable",
        "  static double xLogX(@Domain(min = 0.5, max = 2) double x) {",
        "    return x * Math.log(x);",
        "  }",
        "",
        "  @Differentiable",
        "  static Tensor layer(@Domain(shape = {2, 3}) Tensor w, @Domain(min = 0.5, max = 2, shape = {3}) Tensor x,",
        "      int n) {",
        "    Tensor h = w.matmul(x).tanh();",
        "    for (int i = 0; i < n; i++) {",
        "      h = h.mul(h).add(1);",
        "    }",
        "    return h.log().sum();",
        "  }",
        "}");
  }

  @Test
  void rightDerivativesPassAndAWrongDerivativeIsCaught(@TempDir Path dir) throws Exception {
    Compilation c = Libraries.compile(new AdjointProcessor(), List.of(), List.of("-Aadjoint.checks=true"),
        List.of(model("Right", "g / (1 + Math.exp(-x))"), model("Wrong", "g / (1 + Math.exp(x))")));
    assertThat(c).succeededWithoutWarnings();
    String source = Libraries.source(c, "checks.RightDiffChecks");
    assertTrue(source.contains("public static void smooth()") && source.contains("DiffChecks.check(")
        && source.contains("Tensor x = DiffChecks.uniform(gen, 0.5, 2, dtype, 3);")
        && source.contains("Tensor.DType dtype = DiffChecks.dtypeOf(Right.layer("), source);
    try (URLClassLoader l = Libraries.loader(Libraries.classes(c, Files.createDirectories(dir.resolve("out"))))) {
      DiffChecks.assertAll(l.loadClass("checks.RightDiffChecks"));
      AssertionError wrong = assertThrows(AssertionError.class,
          () -> DiffChecks.assertAll(l.loadClass("checks.WrongDiffChecks")));
      // only smooth uses the rule; the other two checks pass
      assertTrue(wrong.getMessage().startsWith("1 of 3 derivative checks of WrongDiffChecks failed"), wrong.getMessage());
      assertTrue(wrong.getMessage().contains("smooth: java.lang.AssertionError: Wrong.smooth (trial 0): the JVP gives"),
          wrong.getMessage());
      assertTrue(wrong.getMessage().contains("central differences give"), wrong.getMessage());
    }
  }

  /** A tensor rule with a user VJP and a user JVP beside it, and two methods using them (one with a loop). */
  private static JavaFileObject pair(String name, String vjpOfX, String jvp) {
    return JavaFileObjects.forSourceLines("checks." + name,
        "package checks;",
        "",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Derivative;",
        "import dev.adjoint.annotation.Differentiable;",
        "import dev.adjoint.annotation.Domain;",
        "import dev.adjoint.autograd.Grads;",
        "",
        "final class " + name + " {",
        "  private " + name + "() {}",
        "",
        "  static Tensor softclip(Tensor x, Tensor s) {",
        "    return x.div(s).tanh().mul(s);",
        "  }",
        "",
        "  @Derivative(of = " + name + ".class, method = \"softclip\")",
        "  static Grads softclipVjp(Tensor g, Tensor out, Tensor x, Tensor s) {",
        "    Tensor th = x.div(s).tanh();",
        "    Tensor sech2 = th.mul(th).neg().add(1);",
        "    return Grads.of(" + vjpOfX + ", g.mul(th.sub(sech2.mul(x).div(s))));",
        "  }",
        "",
        "  @Derivative(of = " + name + ".class, method = \"softclip\", kind = Derivative.Kind.JVP)",
        "  static Tensor softclipJvp(Tensor dx, Tensor ds, Tensor out, Tensor x, Tensor s) {",
        "    Tensor th = x.div(s).tanh();",
        "    Tensor sech2 = th.mul(th).neg().add(1);",
        "    return " + jvp + ".add(ds.mul(th.sub(sech2.mul(x).div(s))));",
        "  }",
        "",
        "  @Differentiable",
        "  static Tensor clipped(@Domain(shape = {4}) Tensor x, @Domain(min = 0.5, max = 2, shape = {4}) Tensor s) {",
        "    return softclip(x.mul(2), s).square().sum();",
        "  }",
        "",
        "  @Differentiable",
        "  static Tensor repeated(@Domain(shape = {3}) Tensor x, @Domain(min = 1, max = 2, shape = {3}) Tensor s,",
        "      int n) {",
        "    Tensor h = x;",
        "    for (int i = 0; i < n; i++) {",
        "      h = softclip(h.add(x), s);",
        "    }",
        "    return h.sum();",
        "  }",
        "}");
  }

  @Test
  void aUserJvpAndVjpAreCheckedAgainstEachOther(@TempDir Path dir) throws Exception {
    String vjp = "g.mul(sech2)";
    String jvp = "dx.mul(sech2)";
    Compilation c = Libraries.compile(new AdjointProcessor(), List.of(), List.of("-Aadjoint.checks=true"),
        List.of(pair("RightPair", vjp, jvp), pair("WrongJvp", vjp, "dx.mul(th)"),
            pair("WrongVjp", "g.mul(sech2).mul(1.01)", jvp)));
    assertThat(c).succeededWithoutWarnings();
    // the generated fJvp calls the user's JVP, the pullback the user's VJP
    String diff = Libraries.source(c, "checks.RightPairDiff");
    assertTrue(diff.contains("RightPair.softclipJvp(") && diff.contains("RightPair.softclipVjp("), diff);
    // and the pair is checked directly: the user's JVP against the user's VJP
    String checks = Libraries.source(c, "checks.RightPairDiffChecks");
    assertTrue(checks.contains("public static void softclipRules()")
        && checks.contains("Tensor jvp = RightPair.softclipJvp(tX, tS, out, x, s);")
        && checks.contains("Grads grads = RightPair.softclipVjp(w, out, x, s);"), checks);
    try (URLClassLoader l = Libraries.loader(Libraries.classes(c, Files.createDirectories(dir.resolve("out"))))) {
      DiffChecks.assertAll(l.loadClass("checks.RightPairDiffChecks"));
      AssertionError wrongJvp = assertThrows(AssertionError.class,
          () -> DiffChecks.assertAll(l.loadClass("checks.WrongJvpDiffChecks")));
      assertTrue(wrongJvp.getMessage().startsWith("3 of 3 derivative checks of WrongJvpDiffChecks failed"),
          wrongJvp.getMessage());
      assertTrue(wrongJvp.getMessage().contains("WrongJvp.clipped (trial 0): the JVP gives"), wrongJvp.getMessage());
      // a wrong VJP: the JVP agrees with central differences, the dot-product test against the VJP fails
      AssertionError wrongVjp = assertThrows(AssertionError.class,
          () -> DiffChecks.assertAll(l.loadClass("checks.WrongVjpDiffChecks")));
      assertTrue(wrongVjp.getMessage().startsWith("3 of 3 derivative checks of WrongVjpDiffChecks failed"),
          wrongVjp.getMessage());
      assertTrue(wrongVjp.getMessage().contains("WrongVjp.clipped (trial 0): <J v, w> = ")
          && wrongVjp.getMessage().contains("so the JVP and the VJP disagree"), wrongVjp.getMessage());
      assertTrue(!wrongVjp.getMessage().contains("central differences give"), wrongVjp.getMessage());
      assertTrue(wrongVjp.getMessage().contains("softclipRules: java.lang.AssertionError: WrongVjp.softclip (its"
          + " @Derivative JVP and VJP) (trial 0): <J v, w> = "), wrongVjp.getMessage());
      assertTrue(wrongJvp.getMessage().contains("softclipRules: java.lang.AssertionError: WrongJvp.softclip (its"
          + " @Derivative JVP and VJP) (trial 0): the JVP gives"), wrongJvp.getMessage());
    }
  }

  /**
   * Outsider 10, B1: float64 methods (a float64 constant, the Gaussian-process likelihood) and a parameter declared
   * float64; a cube rule whose VJP and JVP are both 0.5% off (so the dot-product test cannot see it) in a float64
   * method and in a float32 one.
   */
  private static JavaFileObject float64(String name, String factor) {
    return JavaFileObjects.forSourceLines("checks." + name,
        "package checks;",
        "",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Derivative;",
        "import dev.adjoint.annotation.Differentiable;",
        "import dev.adjoint.annotation.Domain;",
        "import dev.adjoint.linalg.Linalg;",
        "",
        "final class " + name + " {",
        "  private " + name + "() {}",
        "",
        "  static Tensor cube(Tensor x) {",
        "    return x.mul(x).mul(x);",
        "  }",
        "",
        "  @Derivative(of = " + name + ".class, method = \"cube\")",
        "  static Tensor cubeVjp(Tensor g, Tensor out, Tensor x) {",
        "    return g.mul(x.square().mul(" + factor + "));",
        "  }",
        "",
        "  @Derivative(of = " + name + ".class, method = \"cube\", kind = Derivative.Kind.JVP)",
        "  static Tensor cubeJvp(Tensor dx, Tensor out, Tensor x) {",
        "    return dx.mul(x.square().mul(" + factor + "));",
        "  }",
        "",
        "  @Differentiable",
        "  static Tensor scaled(@Domain(shape = {3}) Tensor x) {",
        "    return x.mul(Tensor.of(Tensor.DType.FLOAT64, 2.0)).sin().sum();",
        "  }",
        "",
        "  @Differentiable",
        "  static Tensor nll(@Domain(shape = {3, 2}) Tensor a, @Domain(shape = {3, 1}) Tensor y) {",
        "    Tensor k = a.matmul(a.t()).add(Tensor.eye(3, 3, Tensor.DType.FLOAT64));",
        "    return y.mul(Linalg.solve(k, y)).sum().mul(0.5).add(Linalg.logdet(k).mul(0.5));",
        "  }",
        "",
        "  @Differentiable",
        "  static Tensor nll1d(@Domain(shape = {3}) Tensor a, @Domain(shape = {3}) Tensor y) {",
        "    Tensor k = a.matmul(a.t()).add(Tensor.eye(3, 3, Tensor.DType.FLOAT64));",
        "    return y.mul(Linalg.solve(k, y)).sum().mul(0.5).add(Linalg.logdet(k).mul(0.5));",
        "  }",
        "",
        "  @Differentiable",
        "  static Tensor cubed64(@Domain(shape = {4}, dtype = Tensor.DType.FLOAT64) Tensor x) {",
        "    return cube(x).sum();",
        "  }",
        "",
        "  @Differentiable",
        "  static Tensor cubed32(@Domain(shape = {4}) Tensor x) {",
        "    return cube(x).sum();",
        "  }",
        "}");
  }

  @Test
  void float64MethodsAreCheckedInFloat64(@TempDir Path dir) throws Exception {
    Compilation c = Libraries.compile(new AdjointProcessor(), List.of(), List.of("-Aadjoint.checks=true"),
        List.of(float64("Exact", "3.0"), float64("Off", "3.015")));
    assertThat(c).succeededWithoutWarnings();
    String source = Libraries.source(c, "checks.ExactDiffChecks");
    // the dtype is the method's: inferred from its value at float32 inputs, or declared
    assertTrue(source.contains("Tensor.DType dtype = DiffChecks.dtypeOf(Exact.nll(")
        && source.contains("DiffChecks.uniform(probe, -1, 1, Tensor.DType.FLOAT32, 3, 2),")
        && source.contains("DiffChecks.uniform(probe, -1, 1, Tensor.DType.FLOAT32, 3, 1)));")
        && source.contains("Tensor a = DiffChecks.uniform(gen, -1, 1, dtype, 3, 2);")
        && source.contains("Tensor x = DiffChecks.uniform(gen, -1, 1, Tensor.DType.FLOAT64, 4);")
        && source.contains("double h = float64 ? 1e-6 : 1e-2;"), source);
    try (URLClassLoader l = Libraries.loader(Libraries.classes(c, Files.createDirectories(dir.resolve("out"))))) {
      // scaled and nll crashed in toFloatArray before; now every check passes, in float64. nll1d's a·aᵀ is 0-d, and
      // its tangent, broadcast into k, was rounded to float32: the dot-product test failed at 1e-8 relative
      // (Float64TangentTest)
      DiffChecks.assertAll(l.loadClass("checks.ExactDiffChecks"));
      AssertionError off = assertThrows(AssertionError.class,
          () -> DiffChecks.assertAll(l.loadClass("checks.OffDiffChecks")));
      // the 0.5% error is beyond float64's tolerance (1e-5) and within float32's (3e-2): only cubed64 sees it
      assertTrue(off.getMessage().startsWith("1 of 6 derivative checks of OffDiffChecks failed"), off.getMessage());
      assertTrue(off.getMessage().contains("cubed64: java.lang.AssertionError: Off.cubed64 (trial 0): the JVP gives")
          && off.getMessage().contains("but central differences give"), off.getMessage());
    }
  }

  /** Outsider 10, B2: the hint for a method that needs other shapes, and for one undefined at the drawn point. */
  @Test
  void aCheckSaysWhenTheDefaultShapeOrTheDomainIsTheProblem(@TempDir Path dir) throws Exception {
    JavaFileObject src = JavaFileObjects.forSourceLines("checks.Hints",
        "package checks;",
        "",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Differentiable;",
        "import dev.adjoint.annotation.Domain;",
        "",
        "final class Hints {",
        "  private Hints() {}",
        "",
        "  @Differentiable",
        "  static Tensor lower(Tensor a, @Domain(shape = {2}) Tensor b) {",
        "    return a.tril(0).exp().sum().add(b.sum());",
        "  }",
        "",
        "  @Differentiable",
        "  static double root(@Domain(min = -2, max = -1) double x, double y) {",
        "    return Math.sqrt(x) * y;",
        "  }",
        "",
        "  @Differentiable",
        "  static Tensor fine(Tensor x) {",
        "    return x.tanh().sum();",
        "  }",
        "}");
    Compilation c = Libraries.compile(new AdjointProcessor(), List.of(), List.of("-Aadjoint.checks=true"),
        List.of(src));
    assertThat(c).succeededWithoutWarnings();
    String source = Libraries.source(c, "checks.HintsDiffChecks");
    assertTrue(source.contains("throw DiffChecks.failedAtDefaultShape(\"Hints.lower\", e, \"a\");"), source);
    try (URLClassLoader l = Libraries.loader(Libraries.classes(c, Files.createDirectories(dir.resolve("out"))))) {
      AssertionError e = assertThrows(AssertionError.class,
          () -> DiffChecks.assertAll(l.loadClass("checks.HintsDiffChecks")));
      assertTrue(e.getMessage().startsWith("2 of 3 derivative checks of HintsDiffChecks failed"), e.getMessage());
      assertTrue(e.getMessage().contains("lower: java.lang.AssertionError: Hints.lower: java.lang.IllegalArgumentException:"
          + " tril") && e.getMessage().contains("inputs drawn with shape [3], the default ('a' has no @Domain(shape"
          + " = ...)); declare @Domain(shape = ...) with the shapes the method expects"), e.getMessage());
      assertTrue(e.getMessage().contains("root: java.lang.AssertionError: Hints.root (trial 0): the method itself is"
          + " NaN next to the drawn point") && e.getMessage().contains("so the function is undefined there and its"
          + " derivative cannot be checked; declare @Domain(min = ..., max = ...)"), e.getMessage());
      assertTrue(!e.getMessage().contains("derivative rule it uses is wrong"), e.getMessage());
    }
  }

  @Test
  void withoutTheOptionNoChecksAreWritten() {
    Compilation c = Libraries.compile(new AdjointProcessor(), List.of(), List.of(),
        List.of(model("Right", "g / (1 + Math.exp(-x))")));
    assertThat(c).succeededWithoutWarnings();
    assertTrue(c.generatedSourceFile("checks.RightDiffChecks").isEmpty());
  }

  /** A number rule with a user second-order rule ({@code cubeVjpJvp}, found by its name) beside its VJP. */
  private static JavaFileObject cube(String name, String secondOrder) {
    return JavaFileObjects.forSourceLines("checks." + name,
        "package checks;",
        "",
        "import dev.adjoint.annotation.Derivative;",
        "import dev.adjoint.annotation.Differentiable;",
        "",
        "final class " + name + " {",
        "  private " + name + "() {}",
        "",
        "  static double cube(double x) {",
        "    return x * x * x;",
        "  }",
        "",
        "  @Derivative(of = " + name + ".class, method = \"cube\")",
        "  static double cubeVjp(double g, double out, double x) {",
        "    return g * 3 * x * x;",
        "  }",
        "",
        "  static double cubeVjpJvp(double g, double out, double x, double tOut, double tX) {",
        "    return " + secondOrder + ";",
        "  }",
        "",
        "  @Differentiable",
        "  static double useCube(double x, double y) {",
        "    return cube(x * y) + Math.sin(x);",
        "  }",
        "}");
  }

  /**
   * An outside user's report: a wrong second-order rule made {@code fHvp} and {@code fHessian} wrong while the
   * checks (the JVP, the dot-product test) passed. The checks now compare {@code fHvp} with central differences of
   * the generated gradient.
   */
  @Test
  void aWrongSecondOrderRuleIsCaught(@TempDir Path dir) throws Exception {
    Compilation c = Libraries.compile(new AdjointProcessor(), List.of(), List.of("-Aadjoint.checks=true"),
        List.of(cube("RightCube", "g * 6 * x * tX"), cube("WrongCube", "g * 2 * x * tX")));
    assertThat(c).succeededWithoutWarnings();
    String source = Libraries.source(c, "checks.RightCubeDiffChecks");
    assertTrue(source.contains("RightCubeDiff.UseCubeGradient hvp = RightCubeDiff.useCubeHvp(x, y, tX, tY);")
        && source.contains("DiffChecks.checkHvp(\"RightCube.useCube\", trial, h, new String[] {\"x\", \"y\"},"),
        source);
    try (URLClassLoader l = Libraries.loader(Libraries.classes(c, Files.createDirectories(dir.resolve("out"))))) {
      DiffChecks.assertAll(l.loadClass("checks.RightCubeDiffChecks"));
      AssertionError wrong = assertThrows(AssertionError.class,
          () -> DiffChecks.assertAll(l.loadClass("checks.WrongCubeDiffChecks")));
      assertTrue(wrong.getMessage().startsWith("1 of 1 derivative checks of WrongCubeDiffChecks failed"),
          wrong.getMessage());
      assertTrue(wrong.getMessage().contains("WrongCube.useCube (trial 0): the Hessian-vector product gives")
          && wrong.getMessage().contains("but central differences of the gradient give")
          && wrong.getMessage().contains("a user's <vjp>Jvp"), wrong.getMessage());
    }
  }

  /** A user VJP returning a broadcast gradient, which README allows (it is summed back). */
  private static JavaFileObject bias(String name, String gradientOfB) {
    return JavaFileObjects.forSourceLines("checks." + name,
        "package checks;",
        "",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Derivative;",
        "import dev.adjoint.annotation.Differentiable;",
        "import dev.adjoint.annotation.Domain;",
        "import dev.adjoint.autograd.Grads;",
        "",
        "final class " + name + " {",
        "  private " + name + "() {}",
        "",
        "  static Tensor biasTanh(@Domain(shape = {2, 3}) Tensor x, @Domain(shape = {3}) Tensor b) {",
        "    return x.add(b).tanh();",
        "  }",
        "",
        "  @Derivative(of = " + name + ".class, method = \"biasTanh\")",
        "  static Grads biasTanhVjp(Tensor g, Tensor out, Tensor x, Tensor b) {",
        "    Tensor d = g.mul(out.square().neg().add(1));",
        "    return Grads.of(d, " + gradientOfB + ");",
        "  }",
        "",
        "  @Derivative(of = " + name + ".class, method = \"biasTanh\", kind = Derivative.Kind.JVP)",
        "  static Tensor biasTanhJvp(Tensor dx, Tensor db, Tensor out, Tensor x, Tensor b) {",
        "    return dx.add(db).mul(out.square().neg().add(1));",
        "  }",
        "",
        "  @Differentiable",
        "  static Tensor use(@Domain(shape = {2, 3}) Tensor x, @Domain(shape = {3}) Tensor b) {",
        "    return biasTanh(x, b).square().sum();",
        "  }",
        "}");
  }

  /**
   * An outside user's report: the rule check paired a broadcast gradient with the input's tangent and failed a
   * right rule. It now sums it, as the engine and the generated code do; a gradient of no broadcast shape fails
   * naming the rule and the parameter.
   */
  @Test
  void aRuleCheckSumsABroadcastGradientAsTheEngineDoes(@TempDir Path dir) throws Exception {
    Compilation c = Libraries.compile(new AdjointProcessor(), List.of(), List.of("-Aadjoint.checks=true"),
        List.of(bias("Unreduced", "d"), bias("Reduced", "d.sum(0)"), bias("Misshapen", "d.sum(1)")));
    assertThat(c).succeededWithoutWarnings();
    try (URLClassLoader l = Libraries.loader(Libraries.classes(c, Files.createDirectories(dir.resolve("out"))))) {
      DiffChecks.assertAll(l.loadClass("checks.UnreducedDiffChecks"));
      DiffChecks.assertAll(l.loadClass("checks.ReducedDiffChecks"));
      AssertionError e = assertThrows(AssertionError.class,
          () -> DiffChecks.assertAll(l.loadClass("checks.MisshapenDiffChecks")));
      assertTrue(e.getMessage().contains("biasTanhRules: java.lang.AssertionError: Misshapen.biasTanhVjp returned a"
          + " gradient of shape [2] for b, whose shape is [3]"), e.getMessage());
    }
  }

  /**
   * An outside user's report: a helper named like a second-order rule ({@code cubeVjpJvp}) but with other parameters
   * was called by the generated {@code fHvp}, and the generated code did not compile. It is now an error at the
   * helper, spelling the signature out.
   */
  @Test
  void aMethodNamedLikeASecondOrderRuleMustHaveItsSignature() {
    JavaFileObject src = JavaFileObjects.forSourceLines("checks.SecondSig",
        "package checks;",
        "",
        "import dev.adjoint.annotation.Derivative;",
        "import dev.adjoint.annotation.Differentiable;",
        "",
        "final class SecondSig {",
        "  private SecondSig() {}",
        "",
        "  static double cube(double x) {",
        "    return x * x * x;",
        "  }",
        "",
        "  @Derivative(of = SecondSig.class, method = \"cube\")",
        "  static double cubeVjp(double g, double out, double x) {",
        "    return cubeVjpJvp(g, out, x);",
        "  }",
        "",
        "  static double cubeVjpJvp(double g, double out, double x) {",
        "    return g * 3 * x * x;",
        "  }",
        "",
        "  @Differentiable",
        "  static double useCube(double x, double y) {",
        "    return cube(x * y) + Math.sin(x);",
        "  }",
        "}");
    Compilation c = Libraries.compile(new AdjointProcessor(), List.of(), List.of(), List.of(src));
    assertThat(c).failed();
    assertThat(c).hadErrorContaining("[Adjoint/BadDerivative] @Derivative SecondSig.cubeVjp has a method"
        + " SecondSig.cubeVjpJvp beside it, which is taken by its name as its second-order rule").inFile(src)
        .onLine(18);
    assertThat(c).hadErrorContaining("Declare it as static double cubeVjpJvp(double g, double out, double x, double"
        + " tOut, double tX), or rename it if it is not a second-order rule");
    assertThat(c).hadErrorCount(1);
  }
}
