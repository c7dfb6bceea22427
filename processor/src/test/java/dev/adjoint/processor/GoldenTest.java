package dev.adjoint.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Golden generated sources for representative methods, compared as text (reviewed like code). Each
 * compile must also succeed without warnings under {@code -Xlint:all}: generated code included.
 */
class GoldenTest {
  @Test
  void thermometer(TestInfo info) {
    Compilation c = Compile.resources("thermometer/Thermometer.java");
    assertThat(c).succeededWithoutWarnings();
    Compile.assertGolden(c, "thermometer.ThermometerDiff", info);
  }
}
