package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The indexing ops in place on a float64 non-leaf keep the gradient in float64: the outside view found
 * {@code indexPut_}, {@code maskedFill_} and {@code scatter_} rounding it through float32 (3e-8 relative off
 * PyTorch), because their nodes built the zero "self" in float32. Each in-place form must give the out-of-place
 * form's gradient bit for bit.
 */
class InPlaceIndexingFloat64Test {
  private static Tensor mask(Tensor a) {
    return a.lt(0);
  }

  private static final Tensor INDEX = Tensor.of(Tensor.DType.INT64, 2, 0);

  static Stream<Arguments> ops() {
    return Stream.of(
        Arguments.of("indexPut_ (mask, number)", (UnaryOperator<Tensor>) a -> a.indexPut_(new Tensor[] {mask(a)}, 0.0),
            (UnaryOperator<Tensor>) a -> a.indexPut(new Tensor[] {mask(a)}, Tensor.zeros(new int[0],
                Tensor.DType.FLOAT64), false)),
        Arguments.of("maskedFill_", (UnaryOperator<Tensor>) a -> a.maskedFill_(mask(a), 0.25),
            (UnaryOperator<Tensor>) a -> a.maskedFill(mask(a), 0.25)),
        Arguments.of("scatter_ (number)", (UnaryOperator<Tensor>) a -> a.scatter_(0, INDEX, 0.5),
            (UnaryOperator<Tensor>) a -> a.scatter(0, INDEX, 0.5)),
        Arguments.of("scatter_ (tensor)", (UnaryOperator<Tensor>) a -> a.scatter_(0, INDEX, a.slice(0, 0, 2).mul(3)),
            (UnaryOperator<Tensor>) a -> a.scatter(0, INDEX, a.slice(0, 0, 2).mul(3))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ops")
  void inPlaceOnAFloat64NonLeafGivesTheOutOfPlaceGradientBitForBit(String name, UnaryOperator<Tensor> inPlace,
      UnaryOperator<Tensor> outOfPlace) {
    double[] values = {0.5, -1.0, 2.0, -0.2};
    Tensor x1 = Tensor.of(Tensor.DType.FLOAT64, values).requiresGrad(true);
    Tensor a1 = x1.exp().sub(1.5);
    Tensor r1 = inPlace.apply(a1);
    r1.mul(r1).sum().backward();
    Tensor x2 = Tensor.of(Tensor.DType.FLOAT64, values).requiresGrad(true);
    Tensor r2 = outOfPlace.apply(x2.exp().sub(1.5));
    r2.mul(r2).sum().backward();
    assertEquals(Tensor.DType.FLOAT64, x1.grad().dtype());
    assertArrayEquals(x2.grad().toDoubleArray(), x1.grad().toDoubleArray(), 0.0, name);
  }
}
