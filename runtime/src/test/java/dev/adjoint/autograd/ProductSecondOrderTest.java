package dev.adjoint.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.rules.PointwiseRules;
import dev.adjoint.rules.ProductRules;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The second-order rules beside erf's, outer's and addmm's adjoints (session 12, FINDINGS11 §2), which the
 * generated {@code fHvp} calls instead of the reflective {@link Hvps#secondOrder}: each equals that route (the
 * eager engine's double backward of the row) and central differences of the adjoint at fixed cotangent, moving
 * the inputs along their tangents (float64).
 */
class ProductSecondOrderTest {
  private static final Generator GEN = new Generator(20261212);

  private static Tensor r(int... shape) {
    return Tensor.randn(GEN, shape).toDouble();
  }

  @Test
  void erf() {
    Tensor a = r(3, 4);
    Tensor g = r(3, 4);
    Tensor ta = r(3, 4);
    Grads own = PointwiseRules.erfVjpJvp(g, a.erf(), a, null, ta);
    Grads eager = Hvps.secondOrder(Tensor.class, "erf", false, g, new Object[] {a}, new Object[] {ta});
    close("erf", eager.get(0), own.get(0));
    close("erf by differences", differences(h -> {
      Tensor x = a.add(ta.mul(h));
      return PointwiseRules.erfVjp(g, x.erf(), x).get(0);
    }), own.get(0));
    assertNull(PointwiseRules.erfVjpJvp(g, a.erf(), a, null, null));
  }

  @Test
  void outer() {
    Tensor a = r(3);
    Tensor b = r(4);
    Tensor g = r(3, 4);
    Tensor ta = r(3);
    Tensor tb = r(4);
    Grads own = ProductRules.outerVjpJvp(g, a.outer(b), a, b, null, ta, tb);
    Grads eager = Hvps.secondOrder(Tensor.class, "outer", false, g, new Object[] {a, b}, new Object[] {ta, tb});
    for (int i = 0; i < 2; i++) {
      int k = i;
      close("outer " + i, eager.get(i), own.get(i));
      close("outer by differences " + i, differences(h -> {
        Tensor x = a.add(ta.mul(h));
        Tensor y = b.add(tb.mul(h));
        return ProductRules.outerVjp(g, x.outer(y), x, y).get(k);
      }), own.get(i));
    }
    // one tangent alone moves the other's entry only
    Grads onlyA = ProductRules.outerVjpJvp(g, a.outer(b), a, b, null, ta, null);
    assertNull(onlyA.get(0));
    close("outer, a moving", eager.get(1), onlyA.get(1));
    assertNull(ProductRules.outerVjpJvp(g, a.outer(b), a, b, null, null, null));
  }

  @Test
  void addmm() {
    Tensor c = r(2);
    Tensor m1 = r(3, 4);
    Tensor m2 = r(4, 2);
    Tensor g = r(3, 2);
    Tensor[] t = {r(2), r(3, 4), r(4, 2)};
    Tensor out = c.addmm(m1, m2);
    Grads own = ProductRules.addmmVjpJvp(g, out, c, m1, m2, null, t[0], t[1], t[2]);
    Grads eager = Hvps.secondOrder(Tensor.class, "addmm", false, g, new Object[] {c, m1, m2},
        new Object[] {t[0], t[1], t[2]});
    assertNull(own.get(0), "the entry of self does not move");
    if (eager.get(0) != null) {
      assertEquals(0, eager.get(0).abs().sum().itemDouble(), 0.0);
    }
    for (int i = 1; i < 3; i++) {
      int k = i;
      close("addmm " + i, eager.get(i), own.get(i));
      close("addmm by differences " + i, differences(h -> {
        Tensor s = c.add(t[0].mul(h));
        Tensor x = m1.add(t[1].mul(h));
        Tensor y = m2.add(t[2].mul(h));
        return ProductRules.addmmVjp(g, s.addmm(x, y), s, x, y).get(k);
      }), own.get(i));
    }
    assertNull(ProductRules.addmmVjpJvp(g, out, c, m1, m2, null, t[0], null, null));
  }

  private static Tensor differences(Function<Double, Tensor> f) {
    double h = 1e-6;
    return f.apply(h).sub(f.apply(-h)).div(2 * h);
  }

  private static void close(String what, Tensor want, Tensor got) {
    close(what, want, got, what.contains("by differences") ? 1e-7 : 1e-12);
  }

  private static void close(String what, Tensor want, Tensor got, double tol) {
    assertEquals(Tensor.DType.FLOAT64, got.dtype(), what);
    double[] w = want.toDoubleArray();
    double[] a = got.toDoubleArray();
    assertEquals(w.length, a.length, what);
    for (int i = 0; i < w.length; i++) {
      assertEquals(w[i], a[i], tol * Math.max(1, Math.abs(w[i])), what + "[" + i + "]");
    }
  }
}
