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
    // a loop of rows: forward over the generated pullback, tangents pushed beside the values (not eager)
    assertTrue(e.contains("public static PlainLoopGradient plainLoopHvp(Tensor x, Tensor tX)")
        && !e.contains("Hvps.byDoubleBackward(\"E.plainLoop\"") && e.contains("savedTH.push(tH);")
        && e.contains("tH = savedTH.pop();"), e);
    // a call of another @Differentiable method: the eager double backward
    assertTrue(e.contains("public static CallsPlainLoopGradient callsPlainLoopHvp(")
        && e.contains("Hvps.byDoubleBackward(\"E.callsPlainLoop\", \"E.java:16\"")
        && e.contains("at -> E.callsPlainLoop(at[0])"), e);
    // an in-place change in a loop: the processor rewrites it out of place, and forward over that gradient needs
    // no eager recording (which has no double backward through in-place operations)
    assertTrue(e.contains("public static LoopInPlaceGradient loopInPlaceHvp(")
        && !e.contains("Hvps.byDoubleBackward(\"E.loopInPlace\""), e);
    for (String none : List.of("loopThroughARuleHvp", "callsALoopThroughARuleHvp", "loopWithADoubleHvp")) {
      assertFalse(e.contains(none + "("), none + " should not exist:\n" + e);
    }
    // their forward mode and reverse mode are generated as usual
    assertTrue(e.contains("loopThroughARuleJvp(") && e.contains("loopInPlaceJvp(") && e.contains("loopWithADoubleJvp("));
    // and the fJvp's javadoc says what blocks the second order (its lines joined)
    String joined = e.replaceAll("\n\\s*\\* ", " ");
    assertTrue(joined.contains("No {@code loopThroughARuleHvp} or {@code loopThroughARuleHessian}: it calls E.opaque"
        + " (E.java:19), whose @Derivative rule has no second-order rule."), e);
    assertTrue(joined.contains("No {@code callsALoopThroughARuleHvp} or {@code callsALoopThroughARuleHessian}: it calls"
        + " E.loopThroughARule (E.java:22), whose body the eager double backward cannot record"), e);
    assertTrue(joined.contains("No {@code loopWithADoubleHvp} or {@code loopWithADoubleHessian}: its differentiated"
        + " parameter 's' is not a tensor"), e);
  }

  /**
   * Over numbers, {@code fHvp} composes through a callee's own {@code fHvp}; a caller of a method without one gets
   * none, its {@code fJvp}'s javadoc says why, and {@code -Aadjoint.report=true} prints it as a note.
   */
  @Test
  void aCallerOfAMethodWithoutHvpSaysWhy() {
    Compilation c = Compile.compile(List.of("-Aadjoint.report=true"), Compile.source("t.R", "package t;",
        "import dev.adjoint.annotation.Differentiable;",
        "final class R {",
        "  private R() {}",
        "  @Differentiable static double square(double x) { return x * x; }",
        "  @Differentiable static double loop(double x, int n) {",
        "    double s = x;",
        "    for (int i = 0; i < n; i++) { s = Math.sin(s); }",
        "    return s;",
        "  }",
        "  @Differentiable static double callsSquare(double x, double y) { return Math.exp(square(x) * y); }",
        "  @Differentiable static double callsLoop(double x) { return loop(x, 2) * x; }",
        "}"));
    assertThat(c).succeeded();
    String r = Libraries.source(c, "t.RDiff");
    assertTrue(r.contains("public static CallsSquareGradient callsSquareHvp(")
        && r.contains("SquareGradient hSquare1 = RDiff.squareHvp(x, tX);"), r);
    assertFalse(r.contains("callsLoopHvp("), r);
    assertTrue(r.replaceAll("\n\\s*\\* ", " ").contains("No {@code callsLoopHvp} or {@code callsLoopHessian}: it"
        + " calls R.loop (R.java:12), which has no fHvp itself."), r);
    List<String> notes = c.notes().stream().map(n -> n.getMessage(java.util.Locale.ROOT))
        .filter(m -> m.startsWith("[Adjoint/noHvp]")).toList();
    assertTrue(notes.contains("[Adjoint/noHvp] R.callsLoop has no fHvp: it calls R.loop (R.java:12), which has no"
        + " fHvp itself"), notes.toString());
    assertTrue(notes.contains("[Adjoint/noHvp] R.loop has no fHvp: it has loops or branches, and the fHvp of a method"
        + " over numbers is generated for straight-line code only"), notes.toString());
    assertTrue(notes.stream().noneMatch(n -> n.contains("callsSquare")), notes.toString());
  }

  /**
   * An {@code fHvp} that reaches an operation without a recorded double backward ({@code norm(p)} with p < 1) names the
   * user's method and the line of that operation, not only the internal node: through a call (the eager double
   * backward, which runs the method again to find the line), and through a loop and in straight-line code (forward
   * over the generated gradient, whose second-order term of the row is the eager one).
   */
  @Test
  void anOperationWithoutDoubleBackwardIsNamedByTheUsersMethodAndLine() throws Exception {
    Compilation c = Compile.compile(List.of(), Compile.source("t.N", "package t;",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Differentiable;",
        "final class N {",
        "  private N() {}",
        "  @Differentiable static Tensor loop(Tensor x) {",
        "    Tensor h = x;",
        "    for (int i = 0; i < 2; i++) {",
        "      h = h.mul(h.norm(0.5)).add(h);",
        "    }",
        "    return h.sum();",
        "  }",
        "  @Differentiable static Tensor straight(Tensor x) {",
        "    Tensor y = x.tanh();",
        "    return y.norm(0.5);",
        "  }",
        "  @Differentiable static Tensor callsLoop(Tensor x) { return loop(x).mul(2); }",
        "}"));
    assertThat(c).succeeded();
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("eager-hvp");
    try (java.net.URLClassLoader l = Libraries.loader(Libraries.classes(c, dir))) {
      Class<?> diff = l.loadClass("t.NDiff");
      // a p-norm with p < 1 has no recorded double-backward formula, so differentiating its gradient again throws
      dev.adjoint.Tensor x = dev.adjoint.Tensor.of(new float[] {0.3f, -0.2f, 0.7f});
      dev.adjoint.Tensor v = dev.adjoint.Tensor.of(new float[] {1f, 2f, -1f});
      for (String[] m : List.of(new String[] {"callsLoop", "N.callsLoop (N.java:17)", "N.loop(N.java:9)"},
          new String[] {"loop", "N.loop, N.java:9", "NormBackward1"},
          new String[] {"straight", "N.straight, N.java:15", "NormBackward1"})) {
        java.lang.reflect.Method hvp = diff.getMethod(m[0] + "Hvp", dev.adjoint.Tensor.class, dev.adjoint.Tensor.class);
        java.lang.reflect.InvocationTargetException thrown = org.junit.jupiter.api.Assertions.assertThrows(
            java.lang.reflect.InvocationTargetException.class, () -> hvp.invoke(null, x, v));
        String message = thrown.getCause().getMessage();
        assertTrue(thrown.getCause() instanceof UnsupportedOperationException, String.valueOf(thrown.getCause()));
        assertTrue(message.startsWith("fHvp of " + m[1]) && message.contains(m[2])
            && message.contains("double backward through NormBackward1 is not supported"), message);
      }
    }
  }
}
