package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Tensor.DType;
import dev.adjoint.linalg.Linalg;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Double backward through {@code inv}, {@code det}, {@code logdet}, {@code solve} and {@code where}: the outside
 * view's generated {@code fHvp} of a Gaussian-process-style method threw "double backward through
 * WhereBackward0 is not supported" (logdet's node, named as PyTorch names it). Each is checked by PyTorch's
 * {@code gradgradcheck} in float64 (second derivatives against central differences of the first).
 */
class DoubleBackwardLinalgTest {
  /** A well-conditioned, positive-definite 3×3 matrix (det > 0, so logdet is defined). */
  private static Tensor spd() {
    return Tensor.of(DType.FLOAT64, 4.0, 1.0, 0.5, 0.3, 3.0, 0.2, 0.1, 0.4, 2.5).reshape(3, 3).requiresGrad(true);
  }

  private static Tensor rhs() {
    return Tensor.of(DType.FLOAT64, 0.5, -1.0, 2.0, 0.25, 1.5, -0.75).reshape(3, 2).requiresGrad(true);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("inv", (Function<Tensor[], Tensor>) in -> Linalg.inv(in[0]).sin().sum(), new Tensor[] {spd()}),
        Arguments.of("det", (Function<Tensor[], Tensor>) in -> Linalg.det(in[0]).mul(0.1), new Tensor[] {spd()}),
        Arguments.of("logdet", (Function<Tensor[], Tensor>) in -> Linalg.logdet(in[0]), new Tensor[] {spd()}),
        Arguments.of("batched logdet", (Function<Tensor[], Tensor>) in -> Linalg.logdet(in[0]).sum(),
            new Tensor[] {Tensor.stack(java.util.List.of(spd().detach(), spd().detach().t()), 0).requiresGrad(true)}),
        Arguments.of("solve", (Function<Tensor[], Tensor>) in -> Linalg.solve(in[0], in[1]).tanh().sum(),
            new Tensor[] {spd(), rhs()}),
        Arguments.of("where", (Function<Tensor[], Tensor>) in -> Tensor.where(in[0].gt(0), in[0].mul(in[1]),
            in[1].exp()).pow(2).sum(), new Tensor[] {rhs(), rhs().detach().mul(0.5).requiresGrad(true)}),
        Arguments.of("where with a number", (Function<Tensor[], Tensor>) in -> Tensor.where(in[0].gt(0),
            in[0].square(), 0.5).sum().add(Tensor.where(in[0].lt(0), 2.0, in[0].exp()).sum()), new Tensor[] {rhs()}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gradgradcheckPasses(String name, Function<Tensor[], Tensor> fn, Tensor[] inputs) {
    assertTrue(Autograd.gradgradcheck(fn, inputs), name);
  }
}
