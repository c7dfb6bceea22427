package dev.adjoint.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.Tensor.DType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Forward mode, {@code fHvp} and {@code fHessian} of layers without bias or affine parameters and of a {@code null}
 * optional argument (FINDINGS12 §1: each threw a NullPointerException), against central differences of the method
 * and of the generated gradient, in float64.
 */
class NoBiasNetTest {
  private static final Generator GEN = new Generator(12);

  private static NoBiasNet model() {
    NoBiasNet m = new NoBiasNet();
    m.toDouble();
    return m;
  }

  private static Tensor randn(int... shape) {
    return Tensor.randn(GEN, shape, DType.FLOAT64);
  }

  /** {@code loss} at {@code x + h·tX} with the conv weight moved by {@code h·tW} (and put back). */
  private static double moved(NoBiasNet m, Tensor x, Tensor tX, Tensor tW, double h) {
    Tensor w = m.conv.weight();
    Tensor saved = w.detach().clone();
    try (var g = Autograd.noGrad()) {
      w.copy_(saved.add(tW.mul(h)));
      return NoBiasNetDiff.loss(m, x.add(tX.mul(h))).itemDouble();
    } finally {
      try (var g = Autograd.noGrad()) {
        w.copy_(saved);
      }
    }
  }

  private static NoBiasNetDiff.LossGradient gradAt(NoBiasNet m, Tensor x, Tensor tX, Tensor tW, double h) {
    Tensor w = m.conv.weight();
    Tensor saved = w.detach().clone();
    try {
      try (var g = Autograd.noGrad()) {
        w.copy_(saved.add(tW.mul(h)));
      }
      return NoBiasNetDiff.lossValueAndGrad(m, x.add(tX.mul(h))).gradient();
    } finally {
      try (var g = Autograd.noGrad()) {
        w.copy_(saved);
      }
    }
  }

  private static void close(Tensor expected, Tensor actual, double tol, String what) {
    double[] e = expected.toDoubleArray();
    double[] a = actual.toDoubleArray();
    assertEquals(e.length, a.length, what);
    for (int i = 0; i < e.length; i++) {
      assertEquals(e[i], a[i], tol * Math.max(1, Math.abs(e[i])), what + " at " + i);
    }
  }

  @Test
  void forwardModeOfLayersWithoutBiasAgreesWithCentralDifferences() {
    NoBiasNet m = model();
    assertNull(m.conv.bias());
    Tensor x = randn(2, 2, 4, 4);
    Tensor tX = randn(2, 2, 4, 4);
    Tensor tW = randn(3, 2, 3, 3);
    double h = 1e-6;
    double fd = (moved(m, x, tX, tW, h) - moved(m, x, tX, tW, -h)) / (2 * h);
    double positional = NoBiasNetDiff.lossJvp(m, x, tX, tW, null, null, null, null, null, null, null).tangent()
        .itemDouble();
    assertEquals(fd, positional, 1e-6 * Math.max(1, Math.abs(fd)));
    double byName = NoBiasNetDiff.lossJvp(m, Map.of("conv.weight", tW), x, tX).tangent().itemDouble();
    assertEquals(positional, byName, 1e-12 * Math.max(1, Math.abs(positional)));
    // a null map is no tangents, as an empty one
    double none = NoBiasNetDiff.lossJvp(m, (Map<String, Tensor>) null, x, tX).tangent().itemDouble();
    assertEquals(NoBiasNetDiff.lossJvp(m, Map.of(), x, tX).tangent().itemDouble(), none, 0);
    // a tangent for a parameter the layer does not have is refused, naming it
    String msg = assertThrows(IllegalArgumentException.class, () -> NoBiasNetDiff.lossJvp(m, x, tX, tW,
        randn(3), null, null, null, null, null, null)).getMessage();
    assertTrue(msg.contains("the tangent tConvBias has shape [3] but field conv.bias is null"), msg);
  }

  @Test
  void hvpAndHessianOfLayersWithoutBiasAgreeWithTheGradient() {
    NoBiasNet m = model();
    m.eval(); // the batch norm's running statistics: the function does not move between the calls
    Tensor x = randn(2, 2, 4, 4);
    Tensor tX = randn(2, 2, 4, 4);
    Tensor tW = randn(3, 2, 3, 3);
    double h = 1e-5;
    NoBiasNetDiff.LossGradient hv = NoBiasNetDiff.lossHvp(m, x, tX, tW, null, null, null, null, null, null, null);
    NoBiasNetDiff.LossGradient plus = gradAt(m, x, tX, tW, h);
    NoBiasNetDiff.LossGradient minus = gradAt(m, x, tX, tW, -h);
    close(plus.x().sub(minus.x()).div(2 * h), hv.x(), 1e-5, "H·v, x");
    close(plus.convWeight().sub(minus.convWeight()).div(2 * h), hv.convWeight(), 1e-5, "H·v, conv.weight");
    close(plus.fcWeight().sub(minus.fcWeight()).div(2 * h), hv.fcWeight(), 1e-5, "H·v, fc.weight");
    assertNull(hv.convBias());
    double[][] hessian = NoBiasNetDiff.lossHessian(m, x);
    // x, conv.weight, bn.weight, bn.bias, fc.weight: the absent bias and affine parameters have no rows
    int n = 2 * 2 * 4 * 4 + 3 * 2 * 3 * 3 + 3 + 3 + 2 * 48;
    assertEquals(n, hessian.length);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < i; j++) {
        assertEquals(hessian[i][j], hessian[j][i], 1e-9 * Math.max(1, Math.abs(hessian[i][j])), i + ", " + j);
      }
    }
  }

  @Test
  void aNullOptionalArgumentHasNoTangent() {
    Tensor x = randn(3, 4);
    Tensor w = randn(2, 4);
    Tensor tX = randn(3, 4);
    Tensor tW = randn(2, 4);
    double h = 1e-6;
    double fd = (NoBiasNetDiff.lin(x.add(tX.mul(h)), w.add(tW.mul(h)), null).itemDouble()
        - NoBiasNetDiff.lin(x.sub(tX.mul(h)), w.sub(tW.mul(h)), null).itemDouble()) / (2 * h);
    assertEquals(fd, NoBiasNetDiff.linJvp(x, w, null, tX, tW, null).tangent().itemDouble(),
        1e-6 * Math.max(1, Math.abs(fd)));
    NoBiasNetDiff.LinGradient hv = NoBiasNetDiff.linHvp(x, w, null, tX, tW, null);
    NoBiasNetDiff.LinGradient plus = NoBiasNetDiff.linValueAndGrad(x.add(tX.mul(h)), w.add(tW.mul(h)), null)
        .gradient();
    NoBiasNetDiff.LinGradient minus = NoBiasNetDiff.linValueAndGrad(x.sub(tX.mul(h)), w.sub(tW.mul(h)), null)
        .gradient();
    close(plus.x().sub(minus.x()).div(2 * h), hv.x(), 1e-5, "H·v, x");
    close(plus.w().sub(minus.w()).div(2 * h), hv.w(), 1e-5, "H·v, w");
    assertEquals(3 * 4 + 2 * 4, NoBiasNetDiff.linHessian(x, w, null).length);
  }
}
