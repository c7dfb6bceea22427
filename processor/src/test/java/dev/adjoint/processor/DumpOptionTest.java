package dev.adjoint.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code -Aadjoint.dump=ir,reverse,simplified} prints each stage as a note. */
class DumpOptionTest {
  @Test
  void printsEachStage() {
    Compilation c = Compile.compile(List.of("-Aadjoint.dump=ir,reverse,simplified"),
        JavaFileObjects.forResource("inputs/golden/Rosenbrock.java"));
    assertThat(c).succeeded();
    assertThat(c).hadNoteContaining("[Adjoint/ir]");
    assertThat(c).hadNoteContaining("double rosenbrock(wrt double x, wrt double y) {");
    assertThat(c).hadNoteContaining("double mul1 = x * x;");
    assertThat(c).hadNoteContaining("[Adjoint/reverse]");
    assertThat(c).hadNoteContaining("// ∂ Rosenbrock.java:13: return a * a + 100 * b * b;");
    assertThat(c).hadNoteContaining("dA := ((2 * dOut) * a)");
    assertThat(c).hadNoteContaining("[Adjoint/simplified]");
  }

  @Test
  void printsControlFlow() {
    Compilation c = Compile.compile(List.of("-Aadjoint.dump=ir,reverse"),
        JavaFileObjects.forResource("inputs/golden/Recurrence.java"));
    assertThat(c).succeeded();
    assertThat(c).hadNoteContaining("for counted {");
    assertThat(c).hadNoteContaining("test i < steps;");
    assertThat(c).hadNoteContaining("reverse i from 0 to steps {");
    assertThat(c).hadNoteContaining("x2 = savedX2.pop()");
  }

  @Test
  void reportsWhatTheForwardSaves() {
    Compilation c = Compile.compile(List.of("-Aadjoint.report=true"),
        JavaFileObjects.forResource("inputs/golden/Recurrence.java"),
        JavaFileObjects.forResource("inputs/golden/Branch.java"),
        JavaFileObjects.forResource("inputs/golden/Rosenbrock.java"),
        JavaFileObjects.forResource("inputs/thermometer/Thermometer.java"));
    assertThat(c).succeededWithoutWarnings();
    assertThat(c).hadNoteContaining("[Adjoint/report] Thermometer.model saves per call: tU (Tensor), w (Tensor),"
        + " b (Tensor, for its shape: not version-checked), mul1 (Tensor, for its shape: not version-checked)");
    assertThat(c).hadNoteContaining("[Adjoint/report] Recurrence.simulate saves per call: a (double), h (double),"
        + " steps (int), x2 (double), mul1 (double), sin1 (double)");
    assertThat(c).hadNoteContaining("per iteration of for (int i = 0; i < steps; i++) (Recurrence.java:11):"
        + " mul1 (double, pushed on savedMul1), sin1 (double, pushed on savedSin1), x2 (double, pushed on savedX2)");
    assertThat(c).hadNoteContaining("for (int i = 0; i < steps; i++) (Recurrence.java:11) is counted");
    assertThat(c).hadNoteContaining("branch0 (branch decision of if (y > limit), line 13),"
        + " y (double, pushed on savedY)");
    assertThat(c).hadNoteContaining("[Adjoint/report] Rosenbrock.rosenbrock saves per call: x (double), a (double),"
        + " b (double), mul3 (double)");
  }

  @Test
  void silentByDefault() {
    Compilation c = Compile.resources("golden/Rosenbrock.java");
    assertThat(c).succeededWithoutWarnings();
    org.junit.jupiter.api.Assertions.assertTrue(c.notes().stream()
        .noneMatch(d -> d.getMessage(null).contains("[Adjoint/")));
  }
}
