package dev.adjoint.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The outside user's silent wrong Hessians: the backward of qr, svd and eigh (and of pinv and lstsq, built on
 * qr) is written with kernels, so under createGraph its gradient carried no graph, and a Hessian-vector product
 * through it silently left its term out (half the true value for inv + pinv). Now that gradient is exact as
 * before, and differentiating it again throws naming the node, never a silent constant.
 */
class LinalgSecondOrderTest {
  private static final Tensor A = Tensor.wrap(new double[] {2.0, 0.3, -0.4, 0.1, 1.5, 0.2, 0.5, -0.2, 1.8}, 3, 3);
  private static final Tensor V = Tensor.wrap(new double[] {0.3, -0.1, 0.2, 0.05, 0.4, -0.3, 0.1, 0.2, -0.2}, 3, 3);
  private static final Tensor B = Tensor.wrap(new double[] {0.2, -0.1, 0.4, 0.3, -0.5, 0.6}, 3, 2);

  static Stream<Arguments> decompositions() {
    return Stream.<Arguments>of(
        Arguments.of("pinv", "LinalgQrBackward0", (Function<Tensor, Tensor>) a -> Linalg.inv(a).pow(2).sum()
            .add(Linalg.pinv(a).pow(2).sum())),
        Arguments.of("qr", "LinalgQrBackward0", (Function<Tensor, Tensor>) a -> Linalg.inv(a).sum()
            .add(Linalg.qr(a).r().pow(2).sum())),
        Arguments.of("lstsq", "LinalgQrBackward0", (Function<Tensor, Tensor>) a -> Linalg.lstsq(a, B).pow(2).sum()),
        Arguments.of("svd", "LinalgSvdBackward0", (Function<Tensor, Tensor>) a -> Linalg.svd(a).u().pow(3).sum()),
        Arguments.of("eigh", "LinalgEighBackward0", (Function<Tensor, Tensor>) a -> {
          Tensor s = a.add(a.transpose(0, 1));
          return Linalg.eigh(s).eigenvectors().pow(3).sum().add(Linalg.eigh(s).eigenvalues().pow(2).sum());
        }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("decompositions")
  void aSecondDifferentiationThrowsNamingTheNodeNeverASilentConstant(String name, String node,
      Function<Tensor, Tensor> f) {
    // the first gradient is the same with and without createGraph, and matches central differences
    Tensor a = A.detach().requiresGrad(true);
    Tensor plain = Autograd.grad(new Tensor[] {f.apply(a)}, new Tensor[] {a}, null, false, false, false)[0];
    Tensor a2 = A.detach().requiresGrad(true);
    Tensor[] g = Autograd.grad(new Tensor[] {f.apply(a2)}, new Tensor[] {a2}, null, true, true, false);
    assertArrayEquals(plain.toDoubleArray(), g[0].toDoubleArray(), 0.0, "createGraph's first gradient");
    double h = 1e-6;
    double directional = 0;
    double[] gv = g[0].toDoubleArray();
    double[] v = V.toDoubleArray();
    for (int i = 0; i < v.length; i++) {
      directional += gv[i] * v[i];
    }
    double fd = (f.apply(A.add(V.mul(h))).itemDouble() - f.apply(A.sub(V.mul(h))).itemDouble()) / (2 * h);
    assertEquals(fd, directional, 1e-6 * Math.max(1, Math.abs(fd)), "first gradient vs central differences");
    assertTrue(g[0].requiresGrad(), "under createGraph the gradient carries a node");
    RuntimeException e = assertThrows(RuntimeException.class,
        () -> Autograd.grad(g, new Tensor[] {a2}, new Tensor[] {V}, true, false, false));
    assertTrue(e.getMessage().contains(node), e.getMessage());
  }
}
