package dev.adjoint.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The outside user's Hessians through qr, svd and eigh (and pinv and lstsq, built on qr): their backwards were
 * written with kernels only, so under createGraph the gradient carried no graph and a Hessian-vector product
 * silently left their term out (half the true value for inv + pinv); then they threw on a second
 * differentiation. Now their backward is recorded under createGraph, and H·V is PyTorch's
 * ({@code linalg_second_order.json} from {@code double_backward_goldens.py}, 1e-5 relative) and the central
 * difference of the first gradient along V, in float64.
 */
class LinalgSecondOrderTest {
  private static final Tensor A = Tensor.wrap(new double[] {2.0, 0.3, -0.4, 0.1, 1.5, 0.2, 0.5, -0.2, 1.8}, 3, 3);
  private static final Tensor V = Tensor.wrap(new double[] {0.3, -0.1, 0.2, 0.05, 0.4, -0.3, 0.1, 0.2, -0.2}, 3, 3);
  private static final Tensor B = Tensor.wrap(new double[] {0.2, -0.1, 0.4, 0.3, -0.5, 0.6}, 3, 2);

  static Stream<Arguments> decompositions() {
    // losses invariant under the singular vectors' and eigenvectors' signs, so that PyTorch's are comparable
    return Stream.<Arguments>of(
        Arguments.of("pinv", (Function<Tensor, Tensor>) a -> Linalg.inv(a).pow(2).sum()
            .add(Linalg.pinv(a).pow(2).sum())),
        Arguments.of("qr", (Function<Tensor, Tensor>) a -> Linalg.inv(a).sum()
            .add(Linalg.qr(a).r().pow(2).sum())),
        Arguments.of("lstsq", (Function<Tensor, Tensor>) a -> Linalg.lstsq(a, B).pow(2).sum()),
        Arguments.of("svd", (Function<Tensor, Tensor>) a -> Linalg.svd(a).u().pow(4).sum()),
        Arguments.of("eigh", (Function<Tensor, Tensor>) a -> {
          Linalg.Eigh e = Linalg.eigh(a.add(a.transpose(0, 1)));
          return e.eigenvectors().pow(4).sum().add(e.eigenvalues().pow(2).sum());
        }));
  }

  private static JsonObject golden(String name) {
    try (var in = LinalgSecondOrderTest.class.getResourceAsStream("/goldens/linalg_second_order.json")) {
      return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject()
          .getAsJsonObject(name);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static double[] data(JsonObject t) {
    JsonArray d = t.getAsJsonArray("data");
    double[] v = new double[d.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = d.get(i).getAsDouble();
    }
    return v;
  }

  private static void close(String what, double[] expected, double[] actual, double rel) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], rel * Math.max(1, Math.abs(expected[i])), what + " element " + i);
    }
  }

  private static Tensor grad(Function<Tensor, Tensor> f, Tensor at, boolean createGraph, Tensor[] leaf) {
    leaf[0] = at.detach().requiresGrad(true);
    return Autograd.grad(new Tensor[] {f.apply(leaf[0])}, leaf, null, createGraph, createGraph, false)[0];
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("decompositions")
  void theHessianVectorProductIsPyTorchsAndTheCentralDifferenceOfTheGradient(String name,
      Function<Tensor, Tensor> f) {
    JsonObject golden = golden(name);
    Tensor[] leaf = new Tensor[1];
    Tensor plain = grad(f, A, false, leaf);
    Tensor g = grad(f, A, true, leaf);
    // the first gradient is the same with and without createGraph (kernels, or the recorded formula), and PyTorch's
    assertArrayEquals(plain.toDoubleArray(), g.toDoubleArray(), 1e-12, "createGraph's first gradient");
    close(name + " gradient vs PyTorch", data(golden.getAsJsonObject("grad")), g.toDoubleArray(), 1e-5);
    assertTrue(g.requiresGrad(), "under createGraph the gradient carries a graph");
    Tensor hv = Autograd.grad(new Tensor[] {g}, leaf, new Tensor[] {V}, false, false, false)[0];
    close(name + " H·V vs PyTorch", data(golden.getAsJsonObject("hvp")), hv.toDoubleArray(), 1e-5);
    double h = 1e-5;
    double[] plus = grad(f, A.add(V.mul(h)), false, new Tensor[1]).toDoubleArray();
    double[] minus = grad(f, A.sub(V.mul(h)), false, new Tensor[1]).toDoubleArray();
    double[] fd = new double[plus.length];
    for (int i = 0; i < fd.length; i++) {
      fd[i] = (plus[i] - minus[i]) / (2 * h);
    }
    close(name + " H·V vs central differences of the gradient", fd, hv.toDoubleArray(), 1e-6);
  }
}
