package dev.adjoint.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The mask generated code multiplies by ({@link Dropout#mask}, {@link F#dropoutMask}) is the one the eager forms
 * draw: the same generator state gives the same bits in {@code Dropout.forward}, {@code F.dropout} and
 * {@code x.mul(mask)}, in float32 and float64; outside training the mask is a 0-dimensional one and draws nothing.
 */
class DropoutMaskTest {
  @Test
  void theModuleTheFunctionAndTheMaskAgreeBitForBit() {
    for (Tensor.DType dtype : new Tensor.DType[] {Tensor.DType.FLOAT32, Tensor.DType.FLOAT64}) {
      Tensor x = Tensor.randn(new Generator(1), 4, 5).to(dtype);
      Tensor byModule = new Dropout(0.3, new Generator(9)).forward(x);
      Tensor byFunction = F.dropout(x, 0.3, true, new Generator(9));
      Tensor mask = new Dropout(0.3, new Generator(9)).mask(x);
      assertEquals(dtype, mask.dtype());
      assertArrayEquals(x.shape(), mask.shape());
      assertArrayEquals(byModule.toDoubleArray(), byFunction.toDoubleArray(), 0.0, dtype.toString());
      assertArrayEquals(byModule.toDoubleArray(), x.mul(mask).toDoubleArray(), 0.0, dtype.toString());
      int zeros = 0;
      for (double m : mask.toDoubleArray()) {
        zeros += m == 0 ? 1 : 0;
      }
      assertTrue(zeros > 0 && zeros < 20, zeros + " dropped of 20");
    }
  }

  @Test
  void outsideTrainingTheMaskIsOneAndNothingIsDrawn() {
    Generator gen = new Generator(4);
    Dropout drop = new Dropout(0.5, gen);
    drop.eval();
    Tensor x = Tensor.randn(new Generator(2), 3, 2);
    Tensor mask = drop.mask(x);
    assertEquals(0, mask.dim());
    assertEquals(1.0, mask.itemDouble(), 0.0);
    assertArrayEquals(x.toFloatArray(), x.mul(mask).toFloatArray(), 0f);
    assertSame(x, drop.forward(x));
    assertSame(x, F.dropout(x, 0.5, false, gen));
    assertEquals(Tensor.DType.FLOAT64, F.dropoutMask(x.to(Tensor.DType.FLOAT64), 0.5, false, gen).dtype());
    assertEquals(0.0, F.dropoutMask(x, 0.0, true, gen).dim(), "p = 0 draws nothing either");
    assertEquals(new Generator(4).nextLong(), gen.nextLong(), "nothing was drawn");
  }

  @Test
  void aProbabilityOutsideZeroToOneThrowsNamingIt() {
    Tensor x = Tensor.ones(2);
    var e = assertThrows(IllegalArgumentException.class, () -> F.dropout(x, 1.5, true));
    assertEquals("dropout: probability has to be between 0 and 1, but got 1.5", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> F.dropoutMask(x, -0.1, false));
  }

  @Test
  void theEagerNodeIsAProductWithTheMask() {
    Tensor x = Tensor.randn(new Generator(3), 6).requiresGrad(true);
    Generator gen = new Generator(5);
    Generator.State s0 = gen.getState();
    Tensor y = F.dropout(x, 0.5, true, gen);
    assertEquals("MulBackward0", y.gradFn().name());
    y.sum().backward();
    gen.setState(s0);
    assertArrayEquals(F.dropoutMask(x, 0.5, true, gen).toFloatArray(), x.grad().toFloatArray(), 0f);
  }
}
