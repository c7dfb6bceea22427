package dev.adjoint.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.Tensor.DType;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rows of {@code lstsq}, {@code pinv}, {@code vectorNorm} and {@code matrixNorm} ({@link CompositeRules}), made
 * so that {@code @Differentiable} code can call them: in the shapes the rows' own tests do not reach (a batch of
 * matrices, a vector right-hand side, a wide matrix, every norm order, a norm over some dimensions), the eager
 * gradient is the central difference ({@code gradcheck}), the second order too ({@code gradgradcheck}, through the
 * recorded formulas), the JVP is the VJP's transpose (⟨J·v, w⟩ = ⟨v, Jᵀ·w⟩), and the node has PyTorch's name.
 */
class CompositeRowsTest {
  private static Tensor r(long seed, int... shape) {
    return Tensor.randn(new Generator(seed), shape, DType.FLOAT64);
  }

  /** A well-conditioned tall matrix: diagonal 2 plus noise. */
  private static Tensor tall(long seed, int... shape) {
    Tensor eye = Tensor.eye(shape[shape.length - 2], shape[shape.length - 1], DType.FLOAT64).mul(2);
    return r(seed, shape).mul(0.3).add(eye);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("lstsq batched", "LinalgLstsqBackward0",
            (Function<Tensor[], Tensor>) x -> Linalg.lstsq(x[0], x[1]), new Tensor[] {tall(1, 2, 4, 3), r(2, 2, 4, 2)}),
        Arguments.of("lstsq vector", "LinalgLstsqBackward0",
            (Function<Tensor[], Tensor>) x -> Linalg.lstsq(x[0], x[1]), new Tensor[] {tall(3, 5, 3), r(4, 5)}),
        Arguments.of("pinv tall", "LinalgPinvBackward0",
            (Function<Tensor[], Tensor>) x -> Linalg.pinv(x[0]), new Tensor[] {tall(5, 4, 3)}),
        Arguments.of("pinv wide batched", "LinalgPinvBackward0",
            (Function<Tensor[], Tensor>) x -> Linalg.pinv(x[0]), new Tensor[] {tall(6, 2, 4, 3).transpose(-2, -1)}),
        Arguments.of("vectorNorm 3", "LinalgVectorNormBackward0",
            (Function<Tensor[], Tensor>) x -> Linalg.vectorNorm(x[0], 3.0), new Tensor[] {r(7, 3, 4)}),
        Arguments.of("vectorNorm 2 dims", "LinalgVectorNormBackward0",
            (Function<Tensor[], Tensor>) x -> Linalg.vectorNorm(x[0], 2.0, new int[] {-1}, false),
            new Tensor[] {r(8, 3, 4)}),
        Arguments.of("vectorNorm 1.5 keepDim", "LinalgVectorNormBackward0",
            (Function<Tensor[], Tensor>) x -> Linalg.vectorNorm(x[0], 1.5, new int[] {0, 2}, true),
            new Tensor[] {r(9, 2, 3, 4)}),
        Arguments.of("vectorNorm inf dims", "LinalgVectorNormBackward0",
            (Function<Tensor[], Tensor>) x -> Linalg.vectorNorm(x[0], Double.POSITIVE_INFINITY, new int[] {1}, false),
            new Tensor[] {r(10, 3, 4)}),
        Arguments.of("matrixNorm fro batched", "LinalgVectorNormBackward0",
            (Function<Tensor[], Tensor>) x -> Linalg.matrixNorm(x[0], "fro"), new Tensor[] {r(11, 2, 3, 4)}),
        Arguments.of("matrixNorm nuc", "SumBackward1",
            (Function<Tensor[], Tensor>) x -> Linalg.matrixNorm(x[0], "nuc"), new Tensor[] {r(12, 4, 3)}),
        Arguments.of("matrixNorm 2", "AmaxBackward0",
            (Function<Tensor[], Tensor>) x -> Linalg.matrixNorm(x[0], "2"), new Tensor[] {r(13, 3, 4)}),
        Arguments.of("matrixNorm -2 batched", "AminBackward0",
            (Function<Tensor[], Tensor>) x -> Linalg.matrixNorm(x[0], "-2"), new Tensor[] {r(14, 2, 4, 3)}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gradientsSecondOrderAndNodeName(String name, String node, Function<Tensor[], Tensor> f, Tensor[] inputs) {
    Tensor[] leaves = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      leaves[i] = inputs[i].detach().contiguous().requiresGrad(true);
    }
    assertEquals(node, f.apply(leaves).gradFn().name(), name);
    assertTrue(Autograd.gradcheck(f, leaves), name);
    // the infinity norm's gradient is piecewise constant: its second order is 0 almost everywhere
    assertTrue(Autograd.gradgradcheck(f, leaves, 1e-6, 1e-5, 1e-3, 0, true), name + ": second order");
  }
}
