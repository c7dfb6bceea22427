package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Tensor.DType;
import dev.adjoint.nn.F;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Double backward through {@code max/min(dim)} and {@code nllLoss}, which the outside view's generated
 * {@code fHvp} reached (a reduction method and a log-softmax + nll loss): each threw "double backward through
 * ... is not supported". Checked by PyTorch's {@code gradgradcheck} in float64.
 */
class DoubleBackwardReductionsTest {
  private static Tensor x() {
    return Tensor.of(DType.FLOAT64, 0.5, -1.2, 2.0, 0.3, 1.7, -0.4, 0.9, -2.2, 1.1, 0.05, -0.6, 1.4).reshape(3, 4)
        .requiresGrad(true);
  }

  static Stream<Arguments> cases() {
    Tensor target = Tensor.of(DType.INT64, 2, 0, 3);
    return Stream.of(
        Arguments.of("max(dim, keepDim)", (Function<Tensor[], Tensor>) in -> in[0].max(1, true).square().sum()),
        Arguments.of("max(dim)", (Function<Tensor[], Tensor>) in -> in[0].exp().max(0).pow(3).sum()),
        Arguments.of("min(dim, keepDim)", (Function<Tensor[], Tensor>) in -> in[0].min(0, true).tanh().sum()),
        Arguments.of("min(-1)", (Function<Tensor[], Tensor>) in -> in[0].mul(in[0]).min(-1).sum()),
        Arguments.of("nllLoss(logSoftmax)", (Function<Tensor[], Tensor>) in -> F.nllLoss(F.logSoftmax(in[0], 1),
            target)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gradgradcheckPasses(String name, Function<Tensor[], Tensor> fn) {
    assertTrue(Autograd.gradgradcheck(fn, x()), name);
  }
}
