package dev.adjoint.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.Tensor;
import org.junit.jupiter.api.Test;

/** {@link Regressions}: each generated form against the analytic derivative. */
class RegressionsTest {

  @Test
  void aFinalDivisionByAnIntKeepsItsGradient() {
    double x = 3;
    assertEquals(3.0, RegressionsDiff.halfSquareGrad(x).x(), 0.0, "fGrad");
    assertEquals(3.0, RegressionsDiff.halfSquareValueAndGrad(x).gradient().x(), 0.0, "fValueAndGrad");
    assertEquals(1.0, RegressionsDiff.halfSquareHvp(x, 1.0).x(), 0.0, "fHvp");
    assertEquals(1.5, RegressionsDiff.meanOfSquareGrad(x, 4).x(), 0.0, "x * x / count");
    assertEquals(0.5, RegressionsDiff.averageGrad(1, 2).a(), 0.0, "(a + b) / k");
    assertEquals(0.5, RegressionsDiff.averageGrad(1, 2).b(), 0.0, "(a + b) / k");
    assertEquals(3.0f, RegressionsDiff.halfSquareFGrad(3f).x(), 0.0f, "float");
    assertEquals(1.0 / 3, RegressionsDiff.plusYOverThreeGrad(-0.9, 0).y(), 1e-16, "the fuzzer's program");
  }

  @Test
  void aStaticTensorConstantInAnElementwiseChain() {
    Tensor x = Tensor.of(1f, -2f, 0.5f);
    var r = RegressionsDiff.centeredValueAndGrad(x);
    float[] mean = Regressions.MEAN.toFloatArray();
    double value = 0;
    for (int i = 0; i < 3; i++) {
      float d = x.get(i) - mean[i];
      value += d * d;
      assertEquals(2 * d, r.gradient().x().get(i), 1e-6, "x.grad[" + i + "]");
    }
    assertEquals(value, r.value().itemDouble(), 1e-5, "value");
  }

  @Test
  void aLeftOperandIsReadBeforeTheRightOperandsTernaryAssignsIt() {
    double x = -1.2819629;
    assertEquals(Regressions.assignedInALaterTernary(x), RegressionsDiff.assignedInALaterTernaryValueAndGrad(x).value(),
        1e-15, "value");
    assertEquals(1.0, RegressionsDiff.assignedInALaterTernaryGrad(x).value(), 1e-15, "d/dvalue of (value + 1) / 1");
  }
}
