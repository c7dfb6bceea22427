package dev.adjoint.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.nn.BatchNorm1d;
import dev.adjoint.nn.Conv1d;
import dev.adjoint.nn.GroupNorm;
import dev.adjoint.nn.LayerNorm;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;
import java.lang.reflect.Method;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The second-order term of a module's row whose weights are receiver inputs, for the generated {@code fHvp} of
 * module methods (issue 16, session 11): {@link Hvps#moduleSecondOrder} (the result recorded on fresh leaves, the
 * row's recorded formula differentiated once more) and {@code Linear.forwardVjpJvp}, each against central
 * differences of the module's adjoint {@code forwardVjp} at fixed cotangent, moving the data and the weights
 * together along the tangents (float64, the weights moved in place and put back).
 */
class ModuleSecondOrderTest {
  private static final Generator GEN = new Generator(20261203);

  private static Tensor r(int... shape) {
    return Tensor.randn(GEN, shape).toDouble();
  }

  @Test
  void linearByItsOwnRuleAndByTheRecordedFormula() throws Exception {
    Linear m = (Linear) new Linear(3, 4).toDouble();
    Tensor x = r(5, 3);
    Tensor g = r(5, 4);
    Tensor[] t = {r(5, 3), r(4, 3), r(4)};
    Grads fd = centralDifferences(m, Linear.class, x, g, t, Linear::weight, Linear::bias);
    Tensor out = m.forward(x);
    Grads recorded = Hvps.moduleSecondOrder("test", Linear.class, "forward", g, out,
        new Object[] {m, x, m.weight(), m.bias()}, new Object[] {null, t[0], t[1], t[2]});
    Grads own = Linear.forwardVjpJvp(g, out, m, x, m.weight(), m.bias(), null, t[0], t[1], t[2]);
    for (int i = 1; i <= 2; i++) {
      close("Linear recorded entry " + i, fd.get(i), recorded.get(i));
      close("Linear own rule entry " + i, fd.get(i), own.get(i));
    }
    // the bias gradient Σ g does not move
    assertZeroOrNull(recorded.get(3));
    assertNull(own.get(3));
    assertNull(Linear.forwardVjpJvp(g, out, m, x, m.weight(), m.bias(), null, null, null, t[2]));
  }

  @Test
  void layerNormByItsOwnRule() throws Exception {
    for (int[] normalized : new int[][] {{4}, {2, 3}}) {
      LayerNorm ln = (LayerNorm) new LayerNorm(normalized).toDouble();
      int d = normalized.length == 1 ? 4 : 6;
      int[] shape = normalized.length == 1 ? new int[] {3, 4} : new int[] {2, 2, 3};
      ln.weight().detach().copy_(r(normalized));
      ln.bias().detach().copy_(r(normalized));
      Tensor x = r(shape);
      Tensor g = r(shape);
      Tensor[] t = {r(shape), r(normalized), r(normalized)};
      Grads fd = centralDifferences(ln, LayerNorm.class, x, g, t, LayerNorm::weight, LayerNorm::bias);
      Tensor out = forward(ln, x);
      Grads own = LayerNorm.forwardVjpJvp(g, out, ln, x, ln.weight(), ln.bias(), null, t[0], t[1], t[2]);
      close("LayerNorm own rule ∂x, " + d, fd.get(1), own.get(1));
      close("LayerNorm own rule ∂w, " + d, fd.get(2), own.get(2));
      assertEquals(0, fd.get(3).abs().max().itemDouble(), 1e-7);
      assertNull(own.get(3));
    }
  }

  @Test
  void layerNormGroupNormBatchNormAndConv1dByTheRecordedFormula() throws Exception {
    LayerNorm ln = (LayerNorm) new LayerNorm(4).toDouble();
    ln.weight().detach().copy_(r(4));
    ln.bias().detach().copy_(r(4));
    check(ln, LayerNorm.class, r(3, 4), r(3, 4), new Tensor[] {r(3, 4), r(4), r(4)}, LayerNorm::weight,
        LayerNorm::bias);
    GroupNorm gn = (GroupNorm) new GroupNorm(2, 4).toDouble();
    check(gn, GroupNorm.class, r(2, 4, 3), r(2, 4, 3), new Tensor[] {r(2, 4, 3), r(4), r(4)}, GroupNorm::weight,
        GroupNorm::bias);
    BatchNorm1d bn = (BatchNorm1d) new BatchNorm1d(4).toDouble();
    check(bn, BatchNorm1d.class, r(6, 4), r(6, 4), new Tensor[] {r(6, 4), r(4), r(4)}, BatchNorm1d::weight,
        BatchNorm1d::bias);
    Conv1d conv = (Conv1d) new Conv1d(2, 3, 3).toDouble();
    check(conv, Conv1d.class, r(2, 2, 6), r(2, 3, 4), new Tensor[] {r(2, 2, 6), r(3, 2, 3), r(3)}, Conv1d::weight,
        Conv1d::bias);
  }

  private static <M extends Module> void check(M m, Class<M> type, Tensor x, Tensor g, Tensor[] t,
      Function<M, Tensor> weight, Function<M, Tensor> bias) throws Exception {
    Grads fd = centralDifferences(m, type, x, g, t, weight, bias);
    Tensor out = forward(m, x);
    Grads recorded = Hvps.moduleSecondOrder("test", type, "forward", g, out,
        new Object[] {m, x, weight.apply(m), bias.apply(m)}, new Object[] {null, t[0], t[1], t[2]});
    assertNotNull(recorded, type.getSimpleName());
    for (int i = 1; i <= 3; i++) {
      if (recorded.get(i) == null) {
        assertEquals(0, fd.get(i).abs().max().itemDouble(), 1e-7, type.getSimpleName() + " entry " + i);
      } else {
        close(type.getSimpleName() + " entry " + i, fd.get(i), recorded.get(i));
      }
    }
  }

  private static Tensor forward(Module m, Tensor x) throws Exception {
    try (var g = Autograd.noGrad()) {
      return (Tensor) m.getClass().getMethod("forward", Tensor.class).invoke(m, x);
    }
  }

  /** (vjp(g; x + h·ẋ, W + h·Ẇ, b + h·ḃ) − vjp(g; x − h·ẋ, ...)) / 2h, entry by entry, the weights restored. */
  private static <M extends Module> Grads centralDifferences(M m, Class<M> type, Tensor x, Tensor g, Tensor[] t,
      Function<M, Tensor> weight, Function<M, Tensor> bias) throws Exception {
    Method vjp = type.getMethod("forwardVjp", Tensor.class, Tensor.class, type, Tensor.class, Tensor.class,
        Tensor.class);
    double h = 1e-6;
    Tensor w0 = weight.apply(m).detach().clone();
    Tensor b0 = bias.apply(m).detach().clone();
    Tensor[][] sides = new Tensor[2][];
    try (var noGrad = Autograd.noGrad()) {
      for (int side = 0; side < 2; side++) {
        double s = side == 0 ? h : -h;
        weight.apply(m).copy_(w0.add(t[1].mul(s)));
        bias.apply(m).copy_(b0.add(t[2].mul(s)));
        Tensor xs = x.add(t[0].mul(s));
        Tensor out = forward(m, xs);
        Grads gs = (Grads) vjp.invoke(null, g, out, m, xs, weight.apply(m), bias.apply(m));
        sides[side] = new Tensor[] {gs.get(1), gs.get(2), gs.get(3)};
      }
      weight.apply(m).copy_(w0);
      bias.apply(m).copy_(b0);
    }
    Tensor[] d = new Tensor[4];
    for (int i = 0; i < 3; i++) {
      d[i + 1] = sides[0][i].sub(sides[1][i]).div(2 * h);
    }
    return Grads.of(d);
  }

  private static void assertZeroOrNull(Tensor t) {
    if (t != null) {
      assertEquals(0, t.abs().max().itemDouble(), 0);
    }
  }

  private static void close(String what, Tensor expected, Tensor actual) {
    assertNotNull(actual, what);
    double[] e = expected.toDoubleArray();
    double[] a = actual.toDoubleArray();
    assertEquals(e.length, a.length, what);
    double scale = 0;
    for (double v : e) {
      scale = Math.max(scale, Math.abs(v));
    }
    for (int i = 0; i < e.length; i++) {
      assertEquals(e[i], a[i], 1e-6 * Math.max(1, scale), what + " element " + i);
    }
  }
}
