package dev.adjoint.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.Tensor;
import dev.adjoint.Tensor.DType;
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

  @Test
  void aVarargsPrimitiveCalledWithItsIntsAsWritten() {
    // y.repeat(1, 2).narrow(1, 1, 3) of a [2, 3] is [y[:, 1], y[:, 2], y[:, 0]]: each element once, so 2·y
    Tensor y = Tensor.wrap(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    float[] g = RegressionsDiff.repeatedThenNarrowedValueAndGrad(y).gradient().y().toFloatArray();
    for (int i = 0; i < 6; i++) {
      assertEquals(2 * (i + 1), g[i], 0f, "dy[" + i + "]");
    }
    // x.repeat(2).narrow(0, 2, 3).flip(0) of a [3] is [x[1], x[0], x[2]]: the Hessian of the sum of squares is 2·I
    Tensor x = Tensor.of(0.3, -0.2, 0.7).toDouble();
    Tensor v = Tensor.of(1.0, 0.5, -1.0).toDouble();
    double[] hv = RegressionsDiff.repeatedOnceHvp(x, v).x().toDoubleArray();
    double[] jvp = {RegressionsDiff.repeatedOnceJvp(x, v).tangent().itemDouble()};
    double[] want = v.toDoubleArray();
    for (int i = 0; i < 3; i++) {
      assertEquals(2 * want[i], hv[i], 1e-12, "Hv[" + i + "]");
    }
    double[] xs = x.toDoubleArray();
    assertEquals(2 * (xs[0] * want[0] + xs[1] * want[1] + xs[2] * want[2]), jvp[0], 1e-12, "J·v");
  }

  @Test
  void anInPlaceCallInALoopABranchOrASwitchArmChangesTheLocal() {
    Tensor x = Tensor.of(DType.FLOAT64, 0.3, -0.2, 0.7);
    for (int n = 0; n < 4; n++) {
      int count = n;
      agree("accumulatedInALoop n=" + n, t -> Regressions.accumulatedInALoop(t, count),
          RegressionsDiff.accumulatedInALoopValueAndGrad(x, n).value(),
          RegressionsDiff.accumulatedInALoopValueAndGrad(x, n).gradient().x(), x);
    }
    agree("halvedInAWhile", Regressions::halvedInAWhile, RegressionsDiff.halvedInAWhileValueAndGrad(x).value(),
        RegressionsDiff.halvedInAWhileValueAndGrad(x).gradient().x(), x);
    for (int flag = 0; flag < 3; flag++) {
      int f = flag;
      agree("changedInBranches flag=" + flag, t -> Regressions.changedInBranches(t, f),
          RegressionsDiff.changedInBranchesValueAndGrad(x, flag).value(),
          RegressionsDiff.changedInBranchesValueAndGrad(x, flag).gradient().x(), x);
      agree("changedInSwitchArms mode=" + flag, t -> Regressions.changedInSwitchArms(t, f),
          RegressionsDiff.changedInSwitchArmsValueAndGrad(x, flag).value(),
          RegressionsDiff.changedInSwitchArmsValueAndGrad(x, flag).gradient().x(), x);
    }
  }

  /** The generated value and gradient against the plain method run eagerly (its in-place calls recorded). */
  private static void agree(String what, java.util.function.UnaryOperator<Tensor> plain, Tensor value, Tensor grad,
      Tensor x) {
    Tensor leaf = x.detach().requiresGrad_(true);
    Tensor eager = plain.apply(leaf);
    eager.backward();
    assertEquals(eager.itemDouble(), value.itemDouble(), 1e-12, what + ": value");
    double[] want = leaf.grad().toDoubleArray();
    double[] got = grad.toDoubleArray();
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], 1e-12, what + ": d/dx[" + i + "]");
    }
  }

  @Test
  void indexTensorsInATensorArrayParameter() {
    Tensor x = Tensor.of(DType.FLOAT64, new double[][] {{0.1, -0.4, 0.8}, {1.2, 0.3, -0.7}});
    Tensor[] idx = {Tensor.of(DType.INT64, 0, 1, 1), Tensor.of(DType.INT64, 2, 0, 2)};
    var r = RegressionsDiff.pickedTwiceValueAndGrad(x, idx);
    Tensor leaf = x.detach().requiresGrad_(true);
    Tensor eager = Regressions.pickedTwice(leaf, idx);
    eager.backward();
    assertEquals(eager.itemDouble(), r.value().itemDouble(), 1e-12, "value");
    double[] want = leaf.grad().toDoubleArray();
    double[] got = r.gradient().x().toDoubleArray();
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], 1e-12, "d/dx[" + i + "]");
    }
  }

  @Test
  void anIntFactorOfTheResultKeepsAFloatingAdjoint() {
    assertEquals(0.25f, RegressionsDiff.timesCountOfAQuarterGrad(1, -1.33f).y(), 0f, "fGrad");
    assertEquals(0.25f, RegressionsDiff.timesCountOfAQuarterValueAndGrad(1, -1.33f).gradient().y(), 0f,
        "fValueAndGrad");
    assertEquals(1.5, RegressionsDiff.countTimesHalfGrad(0.7, 3).x(), 0.0, "double fGrad");
  }

  @Test
  void theHessianThroughTheNormOfAZeroTensorIsZeroAsInPyTorch() {
    Tensor x = Tensor.of(DType.FLOAT64, -0.4235235, 0.85015404, -0.68336886);
    Tensor v = Tensor.of(DType.FLOAT64, 1.0, -0.5, 2.0);
    // the function is 0 for every x, so its gradient and Hessian are 0 (PyTorch 1.13: 0 for norm(), NaN for norm(3))
    for (Tensor hv : new Tensor[] {RegressionsDiff.timesNormOfZeroHvp(x, v).x(),
        RegressionsDiff.timesThreeNormOfZeroHvp(x, v).x()}) {
      double[] h = hv.toDoubleArray();
      for (int i = 0; i < 3; i++) {
        assertEquals(0.0, h[i], 0.0, "Hv[" + i + "]");
      }
    }
    double[] g = RegressionsDiff.timesNormOfZeroValueAndGrad(x).gradient().x().toDoubleArray();
    for (int i = 0; i < 3; i++) {
      assertEquals(0.0, g[i], 0.0, "grad[" + i + "]");
    }
  }

  @Test
  void theHessianThroughRowProductsWithZerosAgreesWithTheGradient() {
    // the shrunk program and point of fuzz seed 39: rows with one and two zeros after the relu
    Tensor y = Tensor.of(DType.FLOAT64, -0.62615645, 0.35957843, -0.6706014, -0.2146623, 0.37247583, 0.016721237)
        .reshape(2, 3);
    Tensor v = Tensor.of(DType.FLOAT64, 1.0, -0.5, 2.0, 0.25, -1.5, 0.75).reshape(2, 3);
    double h = 1e-6;
    double[] hv = RegressionsDiff.timesTanhOfRowProductsHvp(y, v).y().toDoubleArray();
    double[] plus = RegressionsDiff.timesTanhOfRowProductsValueAndGrad(y.add(v.mul(h))).gradient().y().toDoubleArray();
    double[] minus = RegressionsDiff.timesTanhOfRowProductsValueAndGrad(y.sub(v.mul(h))).gradient().y()
        .toDoubleArray();
    for (int i = 0; i < hv.length; i++) {
      double fd = (plus[i] - minus[i]) / (2 * h);
      assertEquals(fd, hv[i], 1e-6 * Math.max(1, Math.abs(fd)), "Hv[" + i + "]");
    }
  }

  @Test
  void aNameDeclaredAgainInASiblingScopeKeepsItsOwnType() {
    // mean(x) + sum of the first half of x·x: gradient 1/n + 2x on the first half, 1/n on the second
    Tensor x = Tensor.of(DType.FLOAT64, 0.5, -1.0, 2.0, 0.25).reshape(4, 1);
    double[] g = RegressionsDiff.sameNameInSiblingScopesValueAndGrad(x).gradient().x().toDoubleArray();
    double[] expected = {0.25 + 1.0, 0.25 - 2.0, 0.25, 0.25};
    for (int i = 0; i < 4; i++) {
      assertEquals(expected[i], g[i], 1e-12, "grad[" + i + "]");
    }
  }
}
