package dev.adjoint.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.Tensor.DType;
import org.junit.jupiter.api.Test;

/**
 * Float64 tangents stay float64 where a tangent is broadcast or made from a {@code double}: found by the float64
 * generated checks (outsider 10, B1) on a Gaussian-process likelihood with a 1-d {@code a}, whose
 * {@code a.matmul(a.t())} is 0-d: its tangent, broadcast into {@code k = that + eye}, was rounded to float32 (0-d
 * tensors do not promote), and the JVP was off by 3e-8 relative while the VJP was exact.
 */
class Float64TangentTest {
  private final Generator g = new Generator(21);

  @Test
  void aZeroDimensionalFloat64TangentBroadcastsInFloat64() {
    Tensor a = Tensor.randn(g, new int[] {3}, DType.FLOAT64);
    Tensor ta = Tensor.randn(g, new int[] {3}, DType.FLOAT64);
    Tensor m = a.matmul(a.t());
    Tensor tm = ta.matmul(a.t()).mul(2.0);
    Tensor eye = Tensor.eye(3, 3, DType.FLOAT64);
    Tensor tk = ElementwiseRules.addJvp(tm, null, m.add(eye), m, eye);
    assertEquals(DType.FLOAT64, tk.dtype());
    double[] want = new double[9];
    java.util.Arrays.fill(want, tm.itemDouble());
    assertArrayEquals(want, tk.toDoubleArray(), 0);
  }

  @Test
  void aDoubleTangentOfAFloat64OperationIsNotRounded() {
    Tensor x = Tensor.of(DType.FLOAT64, 1, 2);
    Tensor out = x.add(0.5);
    Tensor t = ElementwiseRules.addScalarJvp(null, 0.1, out, x, 0.5);
    assertEquals(DType.FLOAT64, t.dtype());
    assertArrayEquals(new double[] {0.1, 0.1}, t.toDoubleArray(), 0);
    assertArrayEquals(new double[] {-0.1, -0.1},
        ElementwiseRules.rsubJvp(null, -0.1, x.neg().add(3), x, 3).toDoubleArray(), 0);
    // float32 stays float32
    Tensor x32 = Tensor.of(1f, 2f);
    assertEquals(DType.FLOAT32, ElementwiseRules.addScalarJvp(null, 0.1, x32.add(0.5), x32, 0.5).dtype());
  }
}
