package dev.adjoint.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.kernel.Kernels;
import org.junit.jupiter.api.Test;

/**
 * {@link LinalgRules#matmulJvp} with both tangents: {@code ȧ·b + a·ḃ} to the bit of the two products (the
 * second accumulated), and a tangent of zeros (what {@code fJvp} makes for an input given none) costs no
 * product and gives the other product's bits.
 */
class MatmulJvpTest {
  private final Generator g = new Generator(12);
  private final Tensor a = Tensor.randn(g, 64, 48);
  private final Tensor b = Tensor.randn(g, 48, 32);
  private final Tensor ta = Tensor.randn(g, 64, 48);
  private final Tensor tb = Tensor.randn(g, 48, 32);

  @Test
  void bothTangentsGiveTheSumOfTheTwoProducts() {
    float[] want = ta.matmul(b).toFloatArray();
    Kernels.get().gemm(false, false, 64, 32, 48, a.toFloatArray(), 0, tb.toFloatArray(), 0, want, 0, true);
    assertArrayEquals(want, LinalgRules.matmulJvp(ta, tb, a.matmul(b), a, b).toFloatArray());
  }

  @Test
  void aZeroTangentCostsNoProductAndLeavesTheOther() {
    Tensor out = a.matmul(b);
    assertArrayEquals(a.matmul(tb).toFloatArray(),
        LinalgRules.matmulJvp(Tensor.zeros(64, 48), tb, out, a, b).toFloatArray());
    assertArrayEquals(ta.matmul(b).toFloatArray(),
        LinalgRules.matmulJvp(ta, Tensor.zeros(48, 32), out, a, b).toFloatArray());
    float[] none = LinalgRules.matmulJvp(Tensor.zeros(64, 48), Tensor.zeros(48, 32), out, a, b).toFloatArray();
    assertArrayEquals(new float[64 * 32], none);
  }

  @Test
  void aZeroTangentAgainstAnInfiniteOperandIsZeroNotNaN() {
    float[] bs = b.toFloatArray();
    bs[5] = Float.POSITIVE_INFINITY;
    Tensor bInf = Tensor.wrap(bs, 48, 32);
    Tensor tbZero = Tensor.zeros(48, 32);
    Tensor t = LinalgRules.matmulJvp(Tensor.zeros(64, 48), tbZero, a.matmul(bInf), a, bInf);
    for (float v : t.toFloatArray()) {
      assertEquals(0f, v, "the directional derivative along zero");
    }
  }
}
