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
 * The processor's usability defects an outside user found (the gaps session): a user module's plain
 * {@code forward(x)} called in {@code @Differentiable} code names the module's {@code @Differentiable} method to
 * call; a module's tracked forward marks its parameters ({@code net.forward(x)} on a fresh module records);
 * {@code Linalg}'s result records are named correctly with a fix that names the single-output row; a method
 * through a row without a double backward gets no {@code fHvp}/{@code fHessian}, and its javadoc says why; a user's
 * {@code i} keeps its spelling in generated code.
 */
class UsabilityGapsTest {
  /** A user module in the outside user's style: a plain forward delegating to a @Differentiable method. */
  private static JavaFileObject block() {
    return Compile.source("t.Block",
        "package t;",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Differentiable;",
        "import dev.adjoint.nn.Linear;",
        "import dev.adjoint.nn.Module;",
        "final class Block extends Module {",
        "  final Linear inner = new Linear(3, 3);",
        "  final Tensor gate = Tensor.full(0.5f, 3);",
        "  Block() {",
        "    super(BlockDiff.MEMBERS);",
        "  }",
        "  @Override",
        "  public Tensor forward(Tensor x) {",
        "    return BlockDiff.apply(this, x);",
        "  }",
        "  @Differentiable",
        "  Tensor apply(Tensor x) {",
        "    return inner.forward(x).tanh().mul(gate);",
        "  }",
        "}");
  }

  private static JavaFileObject cls(String name, String... body) {
    List<String> lines = new ArrayList<>(List.of(
        "package t;",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Differentiable;",
        "import dev.adjoint.linalg.Linalg;",
        "import dev.adjoint.nn.Module;",
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
  void aModulesPlainForwardNamesItsDifferentiableMethod() {
    JavaFileObject net = Compile.source("t.Net",
        "package t;",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Differentiable;",
        "import dev.adjoint.nn.Module;",
        "final class Net extends Module {",
        "  final Block block = new Block();",
        "  Net() {",
        "    super(NetDiff.MEMBERS);",
        "  }",
        "  @Differentiable",
        "  @Override",
        "  public Tensor forward(Tensor x) {",
        "    return block.forward(x).sum();",
        "  }",
        "}");
    Compilation c = Compile.compile(List.of(), block(), net);
    assertThat(c).hadErrorContaining(Message.MODULE_FORWARD.format("Block.forward", "Block",
        "Call block.apply(x) instead, its @Differentiable method (Block.forward is the plain method that ordinary"
            + " code calls)")).inFile(net).onLineContaining("block.forward(x)");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void aModuleParameterOfAStaticMethodGetsTheSameFix() {
    JavaFileObject f = cls("F",
        "  @Differentiable",
        "  static Tensor f(Block b, Tensor x) {",
        "    return b.forward(x.mul(2)).sum();",
        "  }");
    Compilation c = Compile.compile(List.of(), block(), f);
    assertThat(c).hadErrorContaining("Call b.apply(x.mul(2)) instead, its @Differentiable method").inFile(f)
        .onLineContaining("b.forward(");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void aModuleWithoutADifferentiableMethodIsToldToMarkIt() {
    JavaFileObject plain = Compile.source("t.Plain",
        "package t;",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.nn.Module;",
        "final class Plain extends Module {",
        "  @Override",
        "  public Tensor forward(Tensor x) {",
        "    return x.exp();",
        "  }",
        "}");
    JavaFileObject f = cls("G",
        "  @Differentiable",
        "  static Tensor f(Plain p, Tensor x) {",
        "    return p.forward(x).sum();",
        "  }");
    Compilation c = Compile.compile(List.of(), plain, f);
    assertThat(c).hadErrorContaining(Message.MODULE_FORWARD.format("Plain.forward", "Plain",
        "Mark Plain.forward @Differentiable, or call a @Differentiable method of Plain here")).inFile(f)
        .onLineContaining("p.forward(x)");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void aModulesTrackedForwardMarksItsParametersOnce() throws IOException {
    String src = generated(Compile.compile(List.of(), block()), "t.BlockDiff");
    int tracked = src.indexOf("public static Tensor apply(Block self, Tensor x) {");
    assertTrue(tracked >= 0, src);
    int mark = src.indexOf("self.markParameters();", tracked);
    int record = src.indexOf("Autograd.shouldRecord(", tracked);
    assertTrue(mark > tracked && mark < record, "marked before shouldRecord reads the fields:\n" + src);
    // only the tracked forward: the pullback and the others read the fields as they are
    assertTrue(src.indexOf("self.markParameters();", mark + 1) < 0, src);
  }

  @Test
  void linalgResultRecordsAreNamedWithAFix() {
    JavaFileObject q = cls("Q",
        "  @Differentiable",
        "  static Tensor f(Tensor a) {",
        "    Linalg.Qr qr = Linalg.qr(a);",
        "    return qr.r().sum();",
        "  }");
    Compilation c = Compile.compile(List.of(), q);
    assertThat(c).hadErrorContaining("Qr.r() reads a value out of a Linalg.Qr, which @Differentiable code does not"
        + " follow").inFile(q).onLineContaining("qr.r()");
    assertThat(c).hadErrorContaining("Linalg.qr is differentiated by the eager engine only: call it outside the"
        + " @Differentiable method (recorded as in PyTorch) and pass q and r in as Tensor parameters");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void slogdetThroughVarNamesLogabsdet() {
    JavaFileObject s = cls("S",
        "  @Differentiable",
        "  static Tensor f(Tensor a) {",
        "    var sd = Linalg.slogdet(a);",
        "    return sd.logabsdet().mul(2);",
        "  }");
    Compilation c = Compile.compile(List.of(), s);
    assertThat(c).hadErrorContaining("Linalg.Slogdet").inFile(s).onLineContaining("sd.logabsdet()");
    assertThat(c).hadErrorContaining("For log|det A| call Linalg.logabsdet(a), a row with a gradient");
    assertThat(c).hadErrorCount(1);
  }

  /**
   * Every row has a recorded double backward since dbl14b (cholesky and svdvals were the examples of rows
   * without one), so methods through them keep their {@code fHvp}/{@code fHessian}; a row declared
   * {@code @Primitive(doubleBackward = false)} would leave them out (DoubleBackwardCoverageTest keeps the flag
   * and the registry in step).
   */
  @Test
  void methodsThroughTheDecompositionsKeepTheirHessians() throws IOException {
    String withCholesky = generated(Compile.compile(List.of(), cls("H",
        "  @Differentiable",
        "  static Tensor f(Tensor a) {",
        "    Tensor l = Linalg.cholesky(a);",
        "    for (int k = 0; k < 2; k++) {",
        "      l = l.mul(l);",
        "    }",
        "    return l.sum();",
        "  }")), "t.HDiff");
    assertTrue(withCholesky.contains("public static FGradient fHvp("), withCholesky);
    assertFalse(withCholesky.contains("No {@code fHvp}"), withCholesky);
    String src = generated(Compile.compile(List.of(), cls("K",
        "  @Differentiable",
        "  static Tensor g(Tensor a) {",
        "    return Linalg.svdvals(a).sum();",
        "  }",
        "  @Differentiable",
        "  static Tensor f(Tensor a) {",
        "    return g(a.mul(2)).mul(3);",
        "  }")), "t.KDiff");
    assertTrue(src.contains("fHvp("), src);
  }

  @Test
  void aUsersIKeepsItsSpellingAndTheFusedLoopYields() throws IOException {
    String src = generated(Compile.compile(List.of(), cls("L",
        "  @Differentiable",
        "  static Tensor fused(Tensor x) {",
        "    Tensor i = x.log1p();",
        "    return i.mul(i).sum();",
        "  }",
        "  @Differentiable",
        "  static Tensor loop(Tensor x, int n) {",
        "    Tensor s = x;",
        "    for (int i = 0; i < n; i++) {",
        "      s = s.mul(x);",
        "    }",
        "    return s.sum();",
        "  }")), "t.LDiff");
    assertTrue(src.contains("for (int i_ = 0; i_ < n; i_++) {"), src);
    assertTrue(src.contains("double i = "), src);
    assertTrue(src.contains("for (int i = 0; i < n; i++) {"), src);
    assertFalse(src.contains("i2"), src);
  }
}
