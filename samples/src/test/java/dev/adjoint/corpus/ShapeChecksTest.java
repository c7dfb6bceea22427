package dev.adjoint.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Tensor;
import org.junit.jupiter.api.Test;

/** The entry checks the processor generates for {@code @Shape} equations it cannot decide at compile time. */
final class ShapeChecksTest {
  @Test
  void aSymbolBoundToASizeIsCheckedAtEntryNamingTheLine() {
    Tensor w = Tensor.ones(784, 10);
    assertArrayEquals(new int[] {2, 10}, ShapeChecksDiff.features(Tensor.ones(2, 784), w).shape());
    IllegalArgumentException plain = assertThrows(IllegalArgumentException.class,
        () -> ShapeChecksDiff.features(Tensor.ones(2, 5), w));
    assertEquals("ShapeChecks.java:15: x.matmul(w) needs N = 784 (x [B, N]), but x has shape [2, 5]",
        plain.getMessage());
    IllegalArgumentException tracked = assertThrows(IllegalArgumentException.class,
        () -> ShapeChecksDiff.features(Tensor.ones(2, 5).requiresGrad(true), w));
    assertEquals(plain.getMessage(), tracked.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ShapeChecksDiff.featuresPullback(Tensor.ones(2, 5), w));
    // forward mode checks the same equation at its entry, with the same message
    IllegalArgumentException jvp = assertThrows(IllegalArgumentException.class,
        () -> ShapeChecksDiff.featuresJvp(Tensor.ones(2, 5), w, null, null));
    assertEquals(plain.getMessage(), jvp.getMessage());
    assertArrayEquals(new int[] {2, 10}, ShapeChecksDiff.featuresJvp(Tensor.ones(2, 784), w, null, null).value()
        .shape());
    // a result declared [B, 10] has more than one element: no fHvp or fHessian, which could only throw (FINDINGS11 §9)
    assertTrue(java.util.Arrays.stream(ShapeChecksDiff.class.getMethods())
        .noneMatch(m -> m.getName().equals("featuresHvp") || m.getName().equals("featuresHessian")));
    // one declared 0-dimensional keeps them
    assertTrue(java.util.Arrays.stream(MlpDiff.class.getMethods()).anyMatch(m -> m.getName().equals("lossHvp")));
    assertTrue(java.util.Arrays.stream(MlpDiff.class.getMethods()).anyMatch(m -> m.getName().equals("lossHessian")));
  }

  @Test
  void twoSymbolsEquatedAreCheckedTogether() {
    Tensor ok = ShapeChecksDiff.chained(Tensor.ones(3, 4).requiresGrad(true), Tensor.ones(4, 2));
    ok.sum().backward();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ShapeChecksDiff.chained(Tensor.ones(3, 4), Tensor.ones(5, 2)));
    assertEquals("ShapeChecks.java:22: x.matmul(w).relu() needs K = M (x [B, K], w [M, J]), but x has shape [3, 4],"
        + " w has shape [5, 2]", e.getMessage());
  }

  /**
   * The outside user's finding (session 9): a parameter declared {@code @Shape("784, 10")} took a [784, 9]
   * tensor and the method returned [2, 9] where its result is declared {@code B, 10}. Declared ranks and constant
   * sizes of parameters are now a contract checked at entry, before the equations.
   */
  @Test
  void aParametersDeclaredSizesAreCheckedAtEntry() {
    IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
        () -> ShapeChecksDiff.features(Tensor.ones(2, 784), Tensor.ones(784, 9)));
    assertEquals("ShapeChecks.java:14: w is declared @Shape(\"784, 10\"), but w has shape [784, 9]",
        size.getMessage());
    IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
        () -> ShapeChecksDiff.features(Tensor.ones(784), Tensor.ones(784, 10)));
    assertEquals("ShapeChecks.java:14: x is declared @Shape(\"B, N\"), but x has shape [784]", rank.getMessage());
    IllegalArgumentException tracked = assertThrows(IllegalArgumentException.class,
        () -> ShapeChecksDiff.features(Tensor.ones(2, 784).requiresGrad(true), Tensor.ones(10, 784)));
    assertEquals("ShapeChecks.java:14: w is declared @Shape(\"784, 10\"), but w has shape [10, 784]",
        tracked.getMessage());
  }
}
