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

  @Test
  void bceWithLogits(TestInfo info) {
    Compilation c = Compile.resources("golden/BceWithLogits.java");
    assertThat(c).succeededWithoutWarnings();
    Compile.assertGolden(c, "golden.BceWithLogitsDiff", info);
  }

  @Test
  void rosenbrock(TestInfo info) {
    Compilation c = Compile.resources("golden/Rosenbrock.java");
    assertThat(c).succeededWithoutWarnings();
    Compile.assertGolden(c, "golden.RosenbrockDiff", info);
  }

  @Test
  void callsAnotherDifferentiableMethod(TestInfo info) {
    Compilation c = Compile.resources("golden/Composed.java");
    assertThat(c).succeededWithoutWarnings();
    Compile.assertGolden(c, "golden.ComposedDiff", info);
  }

  @Test
  void moduleWithTensorFields(TestInfo info) {
    Compilation c = Compile.resources("golden/Linear.java");
    assertThat(c).succeededWithoutWarnings();
    Compile.assertGolden(c, "golden.LinearDiff", info);
  }

  @Test
  void moduleOfModules(TestInfo info) {
    Compilation c = Compile.resources("golden/Mlp.java", "golden/Block.java");
    assertThat(c).succeededWithoutWarnings();
    Compile.assertGolden(c, "golden.MlpDiff", info);
    Compile.assertGolden(c, "golden.BlockDiff", info);
  }

  /**
   * Dropout as the runtime computes it, {@code x.mul(mask)}: the mask drawn in the forward
   * ({@code drop.mask(h)}, {@code F.dropoutMask}), saved, read by mul's adjoint and JVP; no fHessian.
   */
  @Test
  void dropout(TestInfo info) {
    Compilation c = Compile.resources("golden/DropoutMlp.java");
    assertThat(c).succeededWithoutWarnings();
    Compile.assertGolden(c, "golden.DropoutMlpDiff", info);
  }

  @Test
  void shapeEntryChecks(TestInfo info) {
    Compilation c = Compile.resources("golden/ShapeChecked.java");
    assertThat(c).succeededWithoutWarnings();
    Compile.assertGolden(c, "golden.ShapeCheckedDiff", info);
  }

  @Test
  void customDerivative(TestInfo info) {
    Compilation c = Compile.resources("golden/Softplus.java");
    assertThat(c).succeededWithoutWarnings();
    Compile.assertGolden(c, "golden.SoftplusDiff", info);
  }

  @Test
  void userJvpBesideTheVjp(TestInfo info) {
    Compilation c = Compile.resources("golden/UserJvp.java");
    assertThat(c).succeededWithoutWarnings();
    Compile.assertGolden(c, "golden.UserJvpDiff", info);
  }

  @Test
  void tensorHvpThroughALoopAndACall(TestInfo info) {
    Compilation c = Compile.resources("golden/TensorLoop.java");
    assertThat(c).succeededWithoutWarnings();
    Compile.assertGolden(c, "golden.TensorLoopDiff", info);
  }

  /** fHvp and fHessian over numbers composed through the callees' own fHvp; a caller of a loop has none, and says so. */
  @Test
  void scalarHvpThroughCalls(TestInfo info) {
    Compilation c = Compile.resources("golden/ScalarCalls.java");
    assertThat(c).succeededWithoutWarnings();
    Compile.assertGolden(c, "golden.ScalarCallsDiff", info);
  }

  /** fHvp of a straight-line module method through Linear and LayerNorm rows (their weights receiver inputs). */
  @Test
  void moduleHvpThroughLayers(TestInfo info) {
    Compilation c = Compile.resources("golden/NormedMlp.java");
    assertThat(c).succeededWithoutWarnings();
    Compile.assertGolden(c, "golden.NormedMlpDiff", info);
  }

  /**
   * FINDINGS11 §2 and §9: a straight-line method through bmm and both spellings of softmax gets fHvp by forward over
   * its gradient; one whose result is declared {@code @Shape("B, 4")} gets none, and its fJvp's javadoc says why.
   */
  @Test
  void secondOrderOfMatrixOpsAndDeclaredShapes(TestInfo info) {
    Compilation c = Compile.resources("golden/SecondOrderOps.java");
    assertThat(c).succeededWithoutWarnings();
    Compile.assertGolden(c, "golden.SecondOrderOpsDiff", info);
  }

  @Test
  void fusedElementwiseLoss(TestInfo info) {
    Compilation c = Compile.resources("golden/FusedLoss.java");
    assertThat(c).succeededWithoutWarnings();
    Compile.assertGolden(c, "golden.FusedLossDiff", info);
  }

  @Test
  void ifElse(TestInfo info) {
    Compilation c = Compile.resources("golden/Branch.java");
    assertThat(c).succeededWithoutWarnings();
    Compile.assertGolden(c, "golden.BranchDiff", info);
  }

  @Test
  void countedFor(TestInfo info) {
    Compilation c = Compile.resources("golden/Recurrence.java");
    assertThat(c).succeededWithoutWarnings();
    Compile.assertGolden(c, "golden.RecurrenceDiff", info);
  }

  @Test
  void whileAndDoWhile(TestInfo info) {
    Compilation c = Compile.resources("golden/WhileLoop.java");
    assertThat(c).succeededWithoutWarnings();
    Compile.assertGolden(c, "golden.WhileLoopDiff", info);
  }

  @Test
  void nestedBreakContinueAndEarlyReturn(TestInfo info) {
    Compilation c = Compile.resources("golden/Exits.java");
    assertThat(c).succeededWithoutWarnings();
    Compile.assertGolden(c, "golden.ExitsDiff", info);
  }

  @Test
  void forEachOverTensorArray(TestInfo info) {
    Compilation c = Compile.resources("golden/ForEach.java");
    assertThat(c).succeededWithoutWarnings();
    Compile.assertGolden(c, "golden.ForEachDiff", info);
  }
}
