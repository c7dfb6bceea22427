package dev.adjoint.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.Tensor.DType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A module's {@code fJvp} takes its fields' tangents in the order the method first uses them, not
 * {@code parameters()} order (an outside user's finding D5, session 10): zipping tangents with {@code parameters()}
 * now fails at once naming the tangent and its field, and the overload taking a {@code Map<String, Tensor>} by
 * {@code namedParameters()} names gives the directional derivative, checked against central differences in float64.
 */
class TangentOrderMlpTest {
  private static final Generator GEN = new Generator(5);

  private static TangentOrderMlp model() {
    TangentOrderMlp m = new TangentOrderMlp();
    m.toDouble();
    return m;
  }

  private static Tensor x() {
    return Tensor.wrap(new double[] {0.2, -0.5, 0.9, 1.1, 0.3, -0.7}, 2, 3);
  }

  private static Tensor y() {
    return Tensor.wrap(new double[] {0.4, -0.2}, 2, 1);
  }

  /** The loss at the parameters moved by {@code h} along {@code t} and x along {@code tx}, parameters restored. */
  private static double moved(TangentOrderMlp m, Map<String, Tensor> t, Tensor tx, double h, int steps) {
    Map<String, Tensor> saved = new LinkedHashMap<>();
    Autograd.noGrad(() -> {
      m.namedParameters().forEach((name, p) -> {
        saved.put(name, p.clone());
        if (t.containsKey(name)) {
          p.copy_(p.add(t.get(name).mul(h)));
        }
      });
    });
    try {
      return m.lossLoop(x().add(tx.mul(h)), y(), steps).itemDouble();
    } finally {
      Autograd.noGrad(() -> m.namedParameters().forEach((name, p) -> p.copy_(saved.get(name))));
    }
  }

  @Test
  void tangentsByNameGiveTheDirectionalDerivative() {
    TangentOrderMlp m = model();
    assertEquals(List.of("scale", "fc1.weight", "fc1.bias", "ln.weight", "ln.bias", "fc2.weight", "fc2.bias"),
        new ArrayList<>(m.namedParameters().keySet()), "PyTorch's order: the module's own parameters first");
    Map<String, Tensor> t = new LinkedHashMap<>();
    m.namedParameters().forEach((name, p) -> t.put(name, Tensor.randn(GEN, p.shape(), DType.FLOAT64)));
    Tensor tx = Tensor.randn(GEN, new int[] {2, 3}, DType.FLOAT64);
    for (int steps = 1; steps <= 3; steps++) {
      double h = 1e-6;
      double fd = (moved(m, t, tx, h, steps) - moved(m, t, tx, -h, steps)) / (2 * h);
      double byName = TangentOrderMlpDiff.lossLoopJvp(m, t, x(), y(), steps, tx).tangent().itemDouble();
      assertEquals(fd, byName, 1e-6 * Math.max(1, Math.abs(fd)), "steps=" + steps);
      // the positional form, with the tangents in its order (first use), is the same
      double positional = TangentOrderMlpDiff.lossLoopJvp(m, x(), y(), steps, tx, t.get("fc1.weight"),
          t.get("fc1.bias"), t.get("ln.weight"), t.get("ln.bias"), t.get("scale"), t.get("fc2.weight"),
          t.get("fc2.bias")).tangent().itemDouble();
      assertEquals(byName, positional, 1e-14, "steps=" + steps);
    }
    // a parameter the map leaves out has a zero tangent
    Map<String, Tensor> onlyScale = Map.of("scale", t.get("scale"));
    double h = 1e-6;
    double fd = (moved(m, onlyScale, tx.mul(0), h, 2) - moved(m, onlyScale, tx.mul(0), -h, 2)) / (2 * h);
    assertEquals(fd, TangentOrderMlpDiff.lossLoopJvp(m, onlyScale, x(), y(), 2, null).tangent().itemDouble(),
        1e-6 * Math.max(1, Math.abs(fd)));
  }

  @Test
  void tangentsZippedWithParametersFailNamingTheTangent() {
    TangentOrderMlp m = model();
    List<Tensor> zipped = new ArrayList<>();
    for (Tensor p : m.parameters()) {
      zipped.add(Tensor.onesLike(p));
    }
    String msg = assertThrows(IllegalArgumentException.class, () -> TangentOrderMlpDiff.lossLoopJvp(m, x(), y(), 2,
        null, zipped.get(0), zipped.get(1), zipped.get(2), zipped.get(3), zipped.get(4), zipped.get(5),
        zipped.get(6))).getMessage();
    assertTrue(msg.contains("the tangent tFc1Weight has shape [4] but field fc1.weight has shape [4, 3]"), msg);
    assertTrue(msg.contains("not parameters() order"), msg);
    String input = assertThrows(IllegalArgumentException.class, () -> TangentOrderMlpDiff.lossLoopJvp(m, x(), y(), 2,
        Tensor.ones(3), null, null, null, null, null, null, null)).getMessage();
    assertTrue(input.contains("the tangent tX has shape [3] but x has shape [2, 3]"), input);
    // a float32 tangent for a float64 input is refused too (outsider 12, finding 5), as PyTorch's make_dual does
    String dtype = assertThrows(IllegalArgumentException.class, () -> TangentOrderMlpDiff.lossLoopJvp(m, x(), y(), 2,
        Tensor.ones(2, 3), null, null, null, null, null, null, null)).getMessage();
    assertTrue(dtype.contains("the tangent tX has dtype FLOAT32 but x has dtype FLOAT64: a tangent has its input's"
        + " dtype"), dtype);
    String unknown = assertThrows(IllegalArgumentException.class, () -> TangentOrderMlpDiff.lossLoopJvp(m,
        Map.of("fc1.wieght", Tensor.ones(4, 3)), x(), y(), 2, null)).getMessage();
    assertTrue(unknown.contains("'fc1.wieght' is not a parameter of the module; its parameters are [scale, fc1.weight"),
        unknown);
    String shape = assertThrows(IllegalArgumentException.class, () -> TangentOrderMlpDiff.lossLoopJvp(m,
        Map.of("fc2.weight", Tensor.ones(4, 1)), x(), y(), 2, null)).getMessage();
    assertTrue(shape.contains("the tangent of fc2.weight has shape [4, 1] but the parameter has shape [1, 4]"), shape);
  }
}
