package dev.adjoint.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Tensor;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Generated {@code fHvp} through cholesky, choleskySolve, logdet, solveTriangular, eigvalsh, slogdet and svdvals
 * ({@link LinalgHvp}): it threw "double backward through LinalgCholeskyExBackward0 is not supported" until those
 * rows had recorded backwards. Checked in float64 against central differences of the generated gradient
 * ({@code fValueAndGrad}) along the same direction, and for symmetry, ⟨u, H·v⟩ = ⟨v, H·u⟩.
 */
class LinalgHvpTest {
  private static final Tensor X = Tensor.wrap(new double[] {0.9, 0.2, -0.4, 0.1, 1.1, 0.3, -0.2, 0.5, 0.8}, 3, 3);
  private static final Tensor SHIFT = Tensor.wrap(new double[] {2, 0, 0, 0, 2, 0, 0, 0, 2}, 3, 3);
  private static final Tensor Y = Tensor.wrap(new double[] {0.5, -1.0, 0.25, 1.5, -0.75, 0.3}, 3, 2);
  private static final Tensor V = Tensor.wrap(new double[] {0.3, -0.1, 0.2, 0.05, 0.4, -0.3, 0.1, 0.2, -0.2}, 3, 3);
  private static final Tensor U = Tensor.wrap(new double[] {-0.2, 0.4, 0.1, 0.3, -0.1, 0.25, 0.15, -0.3, 0.05}, 3, 3);

  static Stream<Arguments> methods() {
    return Stream.of(
        Arguments.of("choleskyLoop", (Function<Tensor, Tensor>) x -> LinalgHvpDiff.choleskyLoopValueAndGrad(x, SHIFT,
            Y).gradient().x(), (java.util.function.BiFunction<Tensor, Tensor, Tensor>) (x, v) ->
            LinalgHvpDiff.choleskyLoopHvp(x, SHIFT, Y, v).x()),
        Arguments.of("spectrum", (Function<Tensor, Tensor>) x -> LinalgHvpDiff.spectrumValueAndGrad(x, SHIFT, Y)
            .gradient().x(), (java.util.function.BiFunction<Tensor, Tensor, Tensor>) (x, v) ->
            LinalgHvpDiff.spectrumHvp(x, SHIFT, Y, v).x()));
  }

  private static double dot(Tensor a, Tensor b) {
    return a.mul(b).sum().itemDouble();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("methods")
  void fHvpIsTheCentralDifferenceOfTheGeneratedGradientAndSymmetric(String name, Function<Tensor, Tensor> grad,
      java.util.function.BiFunction<Tensor, Tensor, Tensor> hvp) {
    Tensor hv = hvp.apply(X, V);
    assertEquals(Tensor.DType.FLOAT64, hv.dtype());
    double h = 1e-5;
    double[] plus = grad.apply(X.add(V.mul(h))).toDoubleArray();
    double[] minus = grad.apply(X.sub(V.mul(h))).toDoubleArray();
    double[] got = hv.toDoubleArray();
    double scale = 0;
    for (int i = 0; i < got.length; i++) {
      double fd = (plus[i] - minus[i]) / (2 * h);
      scale = Math.max(scale, Math.abs(fd));
      assertEquals(fd, got[i], 1e-6 * Math.max(1, Math.abs(fd)), name + ": H·v element " + i);
    }
    assertTrue(scale > 1e-3, name + ": the Hessian along v is not trivially zero (" + scale + ")");
    double uHv = dot(U, hv);
    double vHu = dot(V, hvp.apply(X, U));
    assertEquals(uHv, vHu, 1e-9 * Math.max(1, Math.abs(uHv)), name + ": <u, Hv> = <v, Hu>");
  }
}
