package dev.adjoint.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;

import org.junit.jupiter.api.Test;

/**
 * {@link F#crossEntropy} is one fused primitive; it must agree with the composite it replaces,
 * {@code nllLoss(logSoftmax(x, 1), target)}: the same loss to the bit (the forward is the composite's,
 * operation for operation), the same gradient to a few ulps (the backward is (p - onehot)·g/N in one pass).
 */
class CrossEntropyFusedTest {
  @Test
  void agreesWithTheComposite() {
    Generator gen = new Generator(11);
    for (int[] sh : new int[][] {{64, 10}, {3, 1}, {5, 17}, {1, 40}}) {
      int n = sh[0];
      int c = sh[1];
      float[] lx = Tensor.randn(gen, n, c).mul(3.0).storage();
      float[] y = new float[n];
      for (int i = 0; i < n; i++) {
        y[i] = gen.nextInt(c);
      }
      Tensor target = Tensor.wrap(y, new int[] {n}, Tensor.DType.INT64);
      Tensor a = Tensor.wrap(lx.clone(), n, c).requiresGrad(true);
      Tensor b = Tensor.wrap(lx.clone(), n, c).requiresGrad(true);
      Tensor fused = F.crossEntropy(a, target);
      Tensor composite = F.nllLoss(F.logSoftmax(b, 1), target);
      assertEquals(composite.item(), fused.item(), 0f, n + "x" + c + ": the loss has the composite's bits");
      assertEquals("NllLossBackward0", fused.gradFn().name());
      fused.mul(1.7).backward();
      composite.mul(1.7).backward();
      float[] ga = a.grad().storage();
      float[] gb = b.grad().storage();
      for (int i = 0; i < ga.length; i++) {
        float tol = 4 * Math.ulp(Math.max(Math.abs(gb[i]), 1.7f / n));
        assertEquals(gb[i], ga[i], tol, n + "x" + c + " gradient element " + i);
      }
      // each row of the gradient sums to 0 (softmax sums to 1, the one-hot to 1)
      for (int i = 0; i < n; i++) {
        double s = 0;
        for (int j = 0; j < c; j++) {
          s += ga[i * c + j];
        }
        assertEquals(0, s, 1e-6, "row " + i);
      }
    }
  }

  @Test
  void misuseNamesTheOperation() {
    Tensor x = Tensor.zeros(2, 3);
    IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
        () -> F.crossEntropy(x, Tensor.indices(0, 3)));
    assertTrue(e.getMessage().startsWith("crossEntropy: target 3 at position 1 is out of bounds for 3 classes"),
        e.getMessage());
    IllegalArgumentException f = assertThrows(IllegalArgumentException.class,
        () -> F.crossEntropy(x, Tensor.of(0f, 1f)));
    assertTrue(f.getMessage().contains("crossEntropy") && f.getMessage().contains("INT64"), f.getMessage());
  }
}
