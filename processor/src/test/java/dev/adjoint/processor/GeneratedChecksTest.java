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
        && source.contains("DiffChecks.uniform(gen, 0.5, 2, 3)"), source);
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

  @Test
  void withoutTheOptionNoChecksAreWritten() {
    Compilation c = Libraries.compile(new AdjointProcessor(), List.of(), List.of(),
        List.of(model("Right", "g / (1 + Math.exp(-x))")));
    assertThat(c).succeededWithoutWarnings();
    assertTrue(c.generatedSourceFile("checks.RightDiffChecks").isEmpty());
  }
}
