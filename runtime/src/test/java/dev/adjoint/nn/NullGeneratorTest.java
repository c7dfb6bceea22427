package dev.adjoint.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A {@code null} generator is PyTorch's {@code generator=None}, the default generator: an outside user passed
 * {@code null} to the full {@code Conv2d} constructor and got a NullPointerException from deep in the initialiser.
 */
class NullGeneratorTest {

  @Test
  void layersBuiltWithANullGeneratorDrawFromTheDefaultOne() {
    Conv2d conv = new Conv2d(3, 8, new int[] {3}, new int[] {1}, new int[] {1}, new int[] {1}, 1, true, null);
    double bound = 1 / Math.sqrt(3 * 3 * 3);
    float[] w = conv.weight().toFloatArray();
    assertEquals(8 * 3 * 3 * 3, w.length);
    boolean varied = false;
    for (float v : w) {
      assertTrue(Math.abs(v) <= bound, "weight " + v + " outside ±" + bound);
      varied |= v != w[0];
    }
    assertTrue(varied, "drawn, not constant");
    Tensor x = Tensor.ones(2, 4);
    Tensor mask = F.dropoutMask(x, 0.5, true, null);
    assertArrayEquals(new int[] {2, 4}, mask.shape());
    for (float m : mask.toFloatArray()) {
      assertTrue(m == 0f || m == 2f, "mask " + m);
    }
  }
}
