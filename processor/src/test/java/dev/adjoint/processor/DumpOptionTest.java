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
  void silentByDefault() {
    Compilation c = Compile.resources("golden/Rosenbrock.java");
    assertThat(c).succeededWithoutWarnings();
    org.junit.jupiter.api.Assertions.assertTrue(c.notes().stream()
        .noneMatch(d -> d.getMessage(null).contains("[Adjoint/")));
  }
}
