package dev.adjoint.shape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Tensor;
import dev.adjoint.nn.F;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The shape functions against the eager operations they describe: on constant shapes each gives the shape the
 * operation computes, and an error exactly where the operation throws. Symbols: equations and bindings.
 */
final class ShapeRulesTest {
  private static Object sh(int... s) {
    return SymShape.of(s);
  }

  private static Object l(long v) {
    return v;
  }

  /** One row: the key, the arguments to the shape function, and the eager operation. */
  private record Case(String key, List<Object> args, Supplier<Tensor> eager) {}

  private static Tensor t(int... shape) {
    return Tensor.ones(shape);
  }

  private static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    c.add(new Case("Tensor.add", List.of(sh(2, 3), sh(3)), () -> t(2, 3).add(t(3))));
    c.add(new Case("Tensor.add", List.of(sh(2, 3), sh(2)), () -> t(2, 3).add(t(2))));
    c.add(new Case("Tensor.mul", List.of(sh(4, 1), sh(1, 5)), () -> t(4, 1).mul(t(1, 5))));
    c.add(new Case("Tensor.sub", List.of(sh(2, 3), 2.0), () -> t(2, 3).sub(2.0)));
    c.add(new Case("Tensor.exp", List.of(sh(2, 3)), () -> t(2, 3).exp()));
    c.add(new Case("Tensor.sum", List.of(sh(2, 3)), () -> t(2, 3).sum()));
    c.add(new Case("Tensor.sum", List.of(sh(2, 3), l(1)), () -> t(2, 3).sum(1)));
    c.add(new Case("Tensor.sum", List.of(sh(2, 3), l(-1), true), () -> t(2, 3).sum(-1, true)));
    c.add(new Case("Tensor.sum", List.of(sh(2, 3), l(2)), () -> t(2, 3).sum(2)));
    c.add(new Case("Tensor.mean", List.of(sh(2, 3), l(0)), () -> t(2, 3).mean(0)));
    c.add(new Case("Tensor.max", List.of(sh(2, 3), l(1), true), () -> t(2, 3).max(1, true)));
    c.add(new Case("Tensor.matmul", List.of(sh(2, 3), sh(3, 4)), () -> t(2, 3).matmul(t(3, 4))));
    c.add(new Case("Tensor.matmul", List.of(sh(2, 3), sh(4, 4)), () -> t(2, 3).matmul(t(4, 4))));
    c.add(new Case("Tensor.matmul", List.of(sh(3), sh(3)), () -> t(3).matmul(t(3))));
    c.add(new Case("Tensor.matmul", List.of(sh(2, 3), sh(3)), () -> t(2, 3).matmul(t(3))));
    c.add(new Case("Tensor.matmul", List.of(sh(3), sh(3, 2)), () -> t(3).matmul(t(3, 2))));
    c.add(new Case("Tensor.matmul", List.of(sh(5, 2, 3), sh(3, 4)), () -> t(5, 2, 3).matmul(t(3, 4))));
    c.add(new Case("Tensor.matmul", List.of(sh(5, 2, 3), sh(1, 3, 4)), () -> t(5, 2, 3).matmul(t(1, 3, 4))));
    c.add(new Case("Tensor.t", List.of(sh(2, 3)), () -> t(2, 3).t()));
    c.add(new Case("Tensor.transpose", List.of(sh(2, 3, 4), l(0), l(2)), () -> t(2, 3, 4).transpose(0, 2)));
    c.add(new Case("Tensor.permute", List.of(sh(2, 3, 4), l(2), l(0), l(1)), () -> t(2, 3, 4).permute(2, 0, 1)));
    c.add(new Case("Tensor.reshape", List.of(sh(4, 6), l(-1), l(3)), () -> t(4, 6).reshape(-1, 3)));
    c.add(new Case("Tensor.reshape", List.of(sh(4, 6), l(5), l(5)), () -> t(4, 6).reshape(5, 5)));
    c.add(new Case("Tensor.reshape", List.of(sh(4, 6), l(-1), l(5)), () -> t(4, 6).reshape(-1, 5)));
    c.add(new Case("Tensor.view", List.of(sh(4, 6), l(24)), () -> t(4, 6).view(24)));
    c.add(new Case("Tensor.squeeze", List.of(sh(2, 1, 3)), () -> t(2, 1, 3).squeeze()));
    c.add(new Case("Tensor.squeeze", List.of(sh(2, 1, 3), l(1)), () -> t(2, 1, 3).squeeze(1)));
    c.add(new Case("Tensor.squeeze", List.of(sh(2, 1, 3), l(0)), () -> t(2, 1, 3).squeeze(0)));
    c.add(new Case("Tensor.unsqueeze", List.of(sh(2, 3), l(-1)), () -> t(2, 3).unsqueeze(-1)));
    c.add(new Case("Tensor.flatten", List.of(sh(2, 3, 4), l(1), l(2)), () -> t(2, 3, 4).flatten(1, 2)));
    c.add(new Case("Tensor.select", List.of(sh(2, 3), l(1), l(0)), () -> t(2, 3).select(1, 0)));
    c.add(new Case("Tensor.narrow", List.of(sh(2, 5), l(1), l(1), l(3)), () -> t(2, 5).narrow(1, 1, 3)));
    c.add(new Case("Tensor.slice", List.of(sh(2, 7), l(1), l(1), l(6), l(2)), () -> t(2, 7).slice(1, 1, 6, 2)));
    c.add(new Case("Tensor.slice", List.of(sh(2, 7), l(-1), l(-3), l(100)), () -> t(2, 7).slice(-1, -3, 100)));
    c.add(new Case("Tensor.slice", List.of(sh(2, 7), l(0), l(5), l(1)), () -> t(2, 7).slice(0, 5, 1)));
    c.add(new Case("Tensor.slice", List.of(sh(2, 7), l(2), l(0), l(1)), () -> t(2, 7).slice(2, 0, 1)));
    c.add(new Case("Tensor.expand", List.of(sh(3, 1), l(2), l(-1), l(4)), () -> t(3, 1).expand(2, -1, 4)));
    c.add(new Case("Linalg.cholesky", List.of(sh(3, 3)), () -> dev.adjoint.linalg.Linalg.cholesky(spd(3))));
    c.add(new Case("Linalg.inv", List.of(sh(2, 3, 3)), () -> dev.adjoint.linalg.Linalg.inv(spd(2, 3))));
    c.add(new Case("Linalg.det", List.of(sh(2, 3, 3)), () -> dev.adjoint.linalg.Linalg.det(spd(2, 3))));
    c.add(new Case("Linalg.logdet", List.of(sh(3, 3)), () -> dev.adjoint.linalg.Linalg.logdet(spd(3))));
    c.add(new Case("Linalg.eigvalsh", List.of(sh(2, 3, 3)), () -> dev.adjoint.linalg.Linalg.eigvalsh(spd(2, 3))));
    c.add(new Case("Linalg.solve", List.of(sh(3, 3), sh(3, 2)), () -> dev.adjoint.linalg.Linalg.solve(spd(3),
        t(3, 2).toDouble())));
    c.add(new Case("Linalg.choleskySolve", List.of(sh(3, 2), sh(3, 3)),
        () -> dev.adjoint.linalg.Linalg.choleskySolve(t(3, 2).toDouble(), dev.adjoint.linalg.Linalg.cholesky(spd(3)))));
    c.add(new Case("Tensor.cat", List.of(sh(2, 3), sh(4, 3), l(0)), () -> Tensor.cat(List.of(t(2, 3), t(4, 3)), 0)));
    c.add(new Case("Tensor.cat", List.of(sh(2, 3), sh(4, 5), l(0)), () -> Tensor.cat(List.of(t(2, 3), t(4, 5)), 0)));
    c.add(new Case("Tensor.stack", List.of(sh(3), sh(3), l(1)), () -> Tensor.stack(List.of(t(3), t(3)), 1)));
    c.add(new Case("Tensor.stack", List.of(sh(3), sh(4), l(0)), () -> Tensor.stack(List.of(t(3), t(4)), 0)));
    c.add(new Case("Tensor.expandAs", List.of(sh(3), sh(2, 3)), () -> t(3).expandAs(t(2, 3))));
    c.add(new Case("F.linear", List.of(sh(2, 4), sh(3, 4), sh(3)), () -> F.linear(t(2, 4), t(3, 4), t(3))));
    c.add(new Case("F.linear", List.of(sh(2, 4), sh(3, 5), sh(3)), () -> F.linear(t(2, 4), t(3, 5), t(3))));
    c.add(new Case("F.softmax", List.of(sh(2, 3), l(1)), () -> F.softmax(t(2, 3), 1)));
    c.add(new Case("F.mseLoss", List.of(sh(2, 3), sh(2, 3)), () -> F.mseLoss(t(2, 3), t(2, 3))));
    c.add(new Case("F.binaryCrossEntropyWithLogits", List.of(sh(2, 1), sh(2, 1)),
        () -> F.binaryCrossEntropyWithLogits(t(2, 1), t(2, 1))));
    c.add(new Case("F.binaryCrossEntropyWithLogits", List.of(sh(2, 1), sh(2)),
        () -> F.binaryCrossEntropyWithLogits(t(2, 1), t(2))));
    c.add(new Case("F.crossEntropy", List.of(sh(4, 3), sh(4)), () -> F.crossEntropy(t(4, 3), Tensor.zeros(4).to(Tensor.DType.INT64))));
    c.add(new Case("F.crossEntropy", List.of(sh(4, 3), sh(5)), () -> F.crossEntropy(t(4, 3), Tensor.zeros(5).to(Tensor.DType.INT64))));
    c.add(new Case("F.conv2d", List.of(sh(2, 3, 8, 8), sh(4, 3, 3, 3), sh(4)),
        () -> F.conv2d(t(2, 3, 8, 8), t(4, 3, 3, 3), t(4))));
    c.add(new Case("F.conv2d", List.of(sh(2, 1, 8, 8), sh(4, 3, 3, 3), sh(4)),
        () -> F.conv2d(t(2, 1, 8, 8), t(4, 3, 3, 3), t(4))));
    c.add(new Case("F.embedding", List.of(sh(2, 3), sh(10, 4), l(-1)),
        () -> F.embedding(Tensor.zeros(2, 3).to(Tensor.DType.INT64), t(10, 4), -1)));
    c.add(new Case("Tensor.indexSelect", List.of(sh(5, 4), l(0), sh(2)),
        () -> t(5, 4).indexSelect(0, Tensor.zeros(2).to(Tensor.DType.INT64))));
    c.add(new Case("Tensor.flip", List.of(sh(5, 4), l(0)), () -> t(5, 4).flip(0)));
    return c;
  }

  @Test
  void agreesWithTheEagerOperations() {
    List<String> disagreements = new ArrayList<>();
    for (Case c : cases()) {
      String[] parts = c.key().split("\\.");
      ShapeRules.ShapeFn fn = ShapeRules.of(parts[0], parts[1]).orElseThrow(() -> new AssertionError(c.key()));
      SymShape predicted;
      try {
        predicted = fn.apply(new Unifier(), c.args());
      } catch (ShapeError e) {
        predicted = null;
      }
      int[] actual;
      try {
        actual = c.eager().get().shape();
      } catch (RuntimeException e) {
        actual = null;
      }
      String p = predicted == null ? "error" : predicted.toString();
      String a = actual == null ? "error" : Arrays.toString(actual);
      if (!p.equals(a)) {
        disagreements.add(c.key() + c.args() + ": shape function " + p + ", eager " + a);
      }
    }
    assertTrue(disagreements.isEmpty(), String.join("\n", disagreements));
  }

  /** A float64 symmetric positive-definite matrix of size n (batched over {@code batch} when given). */
  private static Tensor spd(int... sizes) {
    int n = sizes[sizes.length - 1];
    int b = sizes.length == 1 ? 1 : sizes[0];
    double[] v = new double[b * n * n];
    for (int k = 0; k < b * n; k++) {
      v[k * n + k % n] = 2;
    }
    return sizes.length == 1 ? Tensor.wrap(v, n, n) : Tensor.wrap(v, b, n, n);
  }

  @Test
  void symbolsBindAndRecordTheEquation() {
    Unifier u = new Unifier();
    SymShape out = ShapeRules.matmul(u, List.of(SymShape.parse("B, N"), SymShape.parse("784, 10")));
    assertEquals("[B, 10]", out.toString());
    assertEquals("[N = 784]", u.constraints().toString());
    assertEquals(Dim.of(784), u.resolve(Dim.sym("N")));
    ShapeError e = assertThrows(ShapeError.class,
        () -> ShapeRules.matmul(u, List.of(SymShape.parse("B, N"), SymShape.parse("10, 3"))));
    assertTrue(e.getMessage().startsWith("[B, 784] @ [10, 3]"), e.getMessage());
  }

  @Test
  void reshapeDividesSymbolicCounts() {
    Unifier u = new Unifier();
    SymShape out = ShapeRules.of("Tensor", "reshape").orElseThrow()
        .apply(u, List.of(SymShape.parse("B, 2, 392"), 784L, -1L));
    assertEquals("[784, B]", out.toString());
    assertEquals("2·B·N", Dim.of(2).times(Dim.sym("N")).times(Dim.sym("B")).toString());
    assertArrayEquals(new Object[] {"_"}, new Object[] {Dim.UNKNOWN.toString()});
  }

  @Test
  void unknownPropagatesWithoutError() {
    Unifier u = new Unifier();
    SymShape out = ShapeRules.matmul(u, List.of(SymShape.parse("_, 784"), SymShape.UNKNOWN));
    assertEquals(SymShape.UNKNOWN, out);
    assertEquals("[_, 10]", ShapeRules.matmul(u, List.of(SymShape.parse("_, 784"), SymShape.parse("784, 10")))
        .toString());
    assertTrue(u.constraints().isEmpty());
  }
}
