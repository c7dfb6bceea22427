package dev.adjoint.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Tensor {@code fHvp} through loops, {@code if}s and calls is the eager engine's double backward of the user's
 * method ({@code Hvps.byDoubleBackward}); it is generated only where eager recording gives the generated
 * derivative, and the method gets no {@code fHvp} otherwise — never one that differs from the generated gradient.
 */
class EagerHvpTest {
  @Test
  void onlyWhereEagerRecordingGivesTheGeneratedDerivative() {
    Compilation c = Compile.compile(List.of(), Compile.source("t.E", "package t;",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Derivative;",
        "import dev.adjoint.annotation.Differentiable;",
        "import dev.adjoint.autograd.Grads;",
        "final class E {",
        "  private E() {}",
        "  static Tensor opaque(Tensor x) { return Tensor.of(x.toFloatArray()).reshape(x.shape()); }",
        "  @Derivative(of = E.class, method = \"opaque\")",
        "  static Tensor opaqueVjp(Tensor g, Tensor out, Tensor x) { return g; }",
        "  @Differentiable static Tensor plainLoop(Tensor x) {",
        "    Tensor h = x;",
        "    for (int i = 0; i < 2; i++) { h = h.mul(h); }",
        "    return h.sum();",
        "  }",
        "  @Differentiable static Tensor callsPlainLoop(Tensor x) { return plainLoop(x.tanh()); }",
        "  @Differentiable static Tensor loopThroughARule(Tensor x) {",
        "    Tensor h = x;",
        "    for (int i = 0; i < 2; i++) { h = opaque(h).mul(h); }",
        "    return h.sum();",
        "  }",
        "  @Differentiable static Tensor callsALoopThroughARule(Tensor x) { return loopThroughARule(x).mul(2); }",
        "  @Differentiable static Tensor loopInPlace(Tensor x) {",
        "    Tensor h = x.mul(1);",
        "    for (int i = 0; i < 2; i++) { h.mul_(x); }",
        "    return h.sum();",
        "  }",
        "  @Differentiable static Tensor loopWithADouble(Tensor x, double s) {",
        "    Tensor h = x;",
        "    for (int i = 0; i < 2; i++) { h = h.mul(s); }",
        "    return h.sum();",
        "  }",
        "}"));
    assertThat(c).succeededWithoutWarnings();
    String e = Libraries.source(c, "t.EDiff");
    assertTrue(e.contains("public static PlainLoopGradient plainLoopHvp(Tensor x, Tensor tX)")
        && e.contains("Hvps.byDoubleBackward(at -> E.plainLoop(at[0])"), e);
    assertTrue(e.contains("public static CallsPlainLoopGradient callsPlainLoopHvp("), e);
    for (String none : List.of("loopThroughARuleHvp", "callsALoopThroughARuleHvp", "loopInPlaceHvp",
        "loopWithADoubleHvp")) {
      assertFalse(e.contains(none), none + " should not exist:\n" + e);
    }
    // their forward mode and reverse mode are generated as usual
    assertTrue(e.contains("loopThroughARuleJvp(") && e.contains("loopInPlaceJvp(") && e.contains("loopWithADoubleJvp("));
  }
}
