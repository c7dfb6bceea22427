package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Tensor.DType;
import dev.adjoint.nn.F;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** FLOAT64 tensors: creation, exactness, printing, promotion, views, autograd, and gradcheck on every ported rule. */
class Float64Test {
  private static final DType F64 = DType.FLOAT64;

  private static Tensor f64(Generator g, int... shape) {
    return Tensor.randn(g, shape, F64).requiresGrad(true);
  }

  private static Tensor pos64(Generator g, int... shape) {
    return Tensor.rand(g, shape, F64).add(0.5).detach().requiresGrad(true);
  }

  @Test
  void valuesAreExact() {
    Tensor x = Tensor.of(F64, 0.1, 1e-300, Math.PI);
    assertEquals(F64, x.dtype());
    assertArrayEquals(new double[] {0.1, 1e-300, Math.PI}, x.toDoubleArray());
    assertEquals(0.1, x.slice(0, 0, 1).reshape().itemDouble());
    assertEquals(Math.PI, x.getDouble(2));
    assertEquals(F64, Tensor.zeros(new int[] {2, 3}, F64).dtype());
    assertEquals(7.25, Tensor.full(7.25, new int[] {2}, F64).getDouble(1));
    assertEquals(F64, Tensor.onesLike(x).dtype());
    assertEquals(1.0 / 3, Tensor.of(F64, 1).div(3).itemDouble());
    Tensor r = Tensor.rand(new Generator(1), new int[] {1000}, F64);
    long notFloat = java.util.Arrays.stream(r.toDoubleArray()).filter(v -> v != (float) v).count();
    assertTrue(notFloat > 990, "rand(FLOAT64) draws 53-bit values: " + notFloat);
  }

  @Test
  void conversionsRoundAndRecord() {
    Tensor x = Tensor.of(F64, 0.1, 2.5).requiresGrad(true);
    Tensor f = x.toFloat();
    assertEquals(DType.FLOAT32, f.dtype());
    assertEquals(0.1f, f.get(0));
    assertEquals("ToCopyBackward0", f.gradFn().name());
    f.mul(3).sum().backward();
    assertEquals(F64, x.grad().dtype());
    assertArrayEquals(new double[] {3, 3}, x.grad().toDoubleArray());
    assertSame(x, x.to(F64));
    assertSame(x, x.toDouble());
    // toDouble(): its own row, the gradient cast back to float32; a cast is linear, so its second order is 0
    Tensor y = Tensor.of(0.5f, -1.25f).requiresGrad(true);
    Tensor d = y.toDouble();
    assertEquals(F64, d.dtype());
    assertEquals("ToCopyBackward0", d.gradFn().name());
    Tensor[] g = Autograd.grad(new Tensor[] {d.pow(3).sum()}, new Tensor[] {y}, null, true, true, false);
    assertEquals(DType.FLOAT32, g[0].dtype());
    assertArrayEquals(new float[] {0.75f, 4.6875f}, g[0].toFloatArray());
    g[0].sum().backward();
    assertArrayEquals(new float[] {3f, -7.5f}, y.grad().toFloatArray(), "d/dy Σ 3y² = 6y through both casts");
    Tensor z = Tensor.of(F64, 0.3, -0.7).requiresGrad(true);
    assertTrue(Autograd.gradgradcheck(t -> t[0].toFloat().toDouble().mul(t[0]).pow(2).sum(), new Tensor[] {z}, 1e-3,
        1e-3, 1e-3, true), "through a float32 round trip");
    assertEquals(DType.INT64, Tensor.of(F64, -2.7, 3.9).to(DType.INT64).dtype());
    assertArrayEquals(new double[] {-2, 3}, Tensor.of(F64, -2.7, 3.9).to(DType.INT64).toDoubleArray());
  }

  /**
   * item() works for every dtype, as PyTorch's: a float64 value comes back rounded to the nearest float, so a
   * comparison written for float32 code reads a float64 loss too; itemDouble() stays exact.
   */
  @Test
  void itemReadsAFloat64ValueRoundedToFloat() {
    Tensor h = Tensor.of(F64, 0.1, 0.2, 1e-9);
    assertEquals((float) (0.1 + 0.2 + 1e-9), h.sum().item());
    assertEquals(0.1 + 0.2 + 1e-9, h.sum().itemDouble());
    assertTrue(h.sum().item() > 0.3f - 1e-6f, "a comparison on a float64 sum");
    assertEquals(0.1f, h.slice(0, 0, 1).reshape().item());
    assertEquals(Float.POSITIVE_INFINITY, Tensor.of(F64, 1e300).reshape().item(), "beyond float's range: infinity");
    assertEquals(-3f, Tensor.of(F64, -3).reshape().to(DType.INT64).item());
    assertEquals("item", assertThrows(IllegalStateException.class, () -> h.item()).getMessage().substring(0, 4));
  }

  @Test
  void float32ReadsOfAFloat64TensorFailLoudly() {
    Tensor x = Tensor.of(F64, 1, 2, 3);
    assertTrue(assertThrows(IllegalStateException.class, x::toFloatArray).getMessage()
        .contains("toFloatArray: not implemented for FLOAT64"));
    // an operation with a float64 path computes in double (cumsum was the example before it had one)
    assertEquals(F64, x.cumsum(0).dtype());
    assertEquals(6.0, x.cumsum(0).getDouble(2));
    IllegalStateException w = assertThrows(IllegalStateException.class, () -> x.mutableStorage("init"));
    assertTrue(w.getMessage().startsWith("init: not implemented for FLOAT64"), w.getMessage());
  }

  @Test
  void printsAsPyTorch() {
    // torch.tensor([1.0, 2.5], dtype=torch.float64) and with requires_grad=True (PyTorch 1.13)
    assertEquals("tensor([1.0000, 2.5000], dtype=torch.float64)", Tensor.of(F64, 1, 2.5).toString());
    assertEquals("tensor([1.0000, 2.5000], dtype=torch.float64, requiresGrad=true)",
        Tensor.of(F64, 1, 2.5).requiresGrad(true).toString());
    assertEquals("tensor(0.1000, dtype=torch.float64)", Tensor.scalar(0.1, F64).toString());
  }

  @Test
  void promotionFollowsPyTorch() {
    Tensor f32v = Tensor.of(1f, 2f);
    Tensor f32s = Tensor.scalar(2);
    Tensor f64v = Tensor.of(F64, 1, 2);
    Tensor f64s = Tensor.scalar(2, F64);
    Tensor i64v = Tensor.indices(1, 2);
    // torch.result_type checked under PyTorch 1.13 (f64_goldens.py prints the same table)
    assertEquals(F64, f32v.add(f64v).dtype());
    assertEquals(DType.FLOAT32, f32v.add(f64s).dtype());
    assertEquals(F64, f32s.add(f64s).dtype());
    assertEquals(F64, f64v.mul(f32s).dtype());
    assertEquals(F64, i64v.mul(f64s).dtype());
    assertEquals(F64, f64v.mul(2.5).dtype());
    assertEquals(DType.FLOAT32, f32v.mul(2.5).dtype());
    // products do not promote in PyTorch: "expected scalar type Float but found Double"
    assertTrue(assertThrows(IllegalArgumentException.class, () -> f32v.matmul(f64v)).getMessage()
        .startsWith("matmul: expected both operands to have the same dtype, but got FLOAT32 and FLOAT64"));
  }

  @Test
  void viewsShareDoubleStorage() {
    Tensor a = Tensor.of(F64, new double[][] {{1, 2, 3}, {4, 5, 6}});
    Tensor t = a.t();
    assertFalse(t.isContiguous());
    assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, t.contiguous().toDoubleArray());
    assertArrayEquals(new double[] {2, 5}, a.select(1, 1).toDoubleArray());
    assertArrayEquals(new double[] {4, 5, 6}, a.reshape(6).slice(0, 3, 6).toDoubleArray());
    assertEquals(F64, a.clone().dtype());
    assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, a.detach().toDoubleArray());
  }

  @Test
  void gradientsAreFloat64AndMixedLeavesKeepTheirDtype() {
    Tensor w = Tensor.of(F64, 0.1, 0.2).requiresGrad(true);
    Tensor b = Tensor.of(0.5f).requiresGrad(true);
    Tensor y = w.mul(w).add(b).sum();
    assertEquals(F64, y.dtype());
    y.backward();
    assertEquals(F64, w.grad().dtype());
    assertArrayEquals(new double[] {0.2, 0.4}, w.grad().toDoubleArray());
    assertEquals(DType.FLOAT32, b.grad().dtype());
    assertEquals(2f, b.grad().item());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.setGrad(Tensor.of(1f, 2f)));
    assertTrue(e.getMessage().contains("assigned grad has data of a different type"), e.getMessage());
  }

  /** Every ported rule: gradcheck (PyTorch's tolerances) in float64, through the eager engine. */
  @TestFactory
  Stream<DynamicTest> gradcheckOnEveryPortedRule() {
    Generator g = new Generator(64);
    Map<String, Function<Tensor[], Tensor>> ops = new LinkedHashMap<>();
    ops.put("add bcast", x -> x[0].add(x[1].sum(0, true)));
    ops.put("sub", x -> x[0].sub(x[1]));
    ops.put("mul bcast", x -> x[0].mul(x[1].select(0, 1)));
    ops.put("div", x -> x[0].div(x[1].abs().add(0.5)));
    ops.put("scalars", x -> x[0].add(1.5).sub(0.5).mul(3).div(2).rsub(1));
    ops.put("pow", x -> x[1].abs().add(0.5).pow(2.5));
    ops.put("unary", x -> x[0].exp().add(x[1].sin()).add(x[0].cos()).add(x[1].tanh()).add(x[0].sigmoid())
        .add(x[1].neg()));
    ops.put("positive", x -> x[1].abs().add(0.5).log().add(x[1].abs().add(0.5).sqrt())
        .add(x[0].abs().add(0.2).reciprocal()).add(x[0].abs().add(0.3).rsqrt()));
    ops.put("more", x -> x[0].log1p().add(x[1].expm1()).add(x[0].square()).add(x[1].relu()));
    ops.put("sum mean", x -> x[0].sum(1).add(x[1].mean(1)).add(x[0].sum()).add(x[1].mean()));
    ops.put("keepdim", x -> x[0].mean(0, true).mul(x[1].sum(new int[] {0}, true)));
    ops.put("matmul", x -> x[0].matmul(x[1].t()));
    ops.put("matvec", x -> x[0].matmul(x[1].select(0, 0)));
    ops.put("softmax", x -> F.softmax(x[0], 1).mul(F.logSoftmax(x[1], 0)));
    ops.put("mse", x -> F.mseLoss(x[0], x[1]));
    ops.put("views", x -> x[0].t().reshape(6).slice(0, 1, 5).unsqueeze(0).expand(2, 4).mul(x[1].reshape(6)
        .slice(0, 0, 4)));
    return ops.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
      Tensor a = f64(g, 3, 2);
      Tensor b = pos64(g, 3, 2);
      if (e.getKey().startsWith("pos") || e.getKey().equals("more")) {
        a = pos64(g, 3, 2);
      }
      assertTrue(Autograd.gradcheck(e.getValue(), a, b));
    }));
  }

  @Test
  void optimizersAndLinearRunInFloat64() {
    Tensor p = Tensor.of(F64, 0.1, -0.2).requiresGrad(true);
    var sgd = new dev.adjoint.optim.SGD(java.util.List.of(p), dev.adjoint.optim.SGD.options().lr(0.1).momentum(0.9));
    for (int step = 0; step < 2; step++) {
      sgd.zeroGrad();
      p.mul(p).sum().backward(); // grad 2p
      sgd.step();
    }
    // by hand in double: b1 = g1, p1 = p0 - lr·b1; b2 = 0.9·b1 + g2, p2 = p1 - lr·b2
    double[] want = new double[2];
    double[] p0 = {0.1, -0.2};
    for (int i = 0; i < 2; i++) {
      double b1 = 2 * p0[i];
      double p1 = p0[i] - 0.1 * b1;
      double b2 = 0.9 * b1 + 2 * p1;
      want[i] = p1 - 0.1 * b2;
    }
    assertArrayEquals(want, p.toDoubleArray(), 1e-17);
    Tensor q = Tensor.of(F64, 0.5).requiresGrad(true);
    var adam = new dev.adjoint.optim.Adam(java.util.List.of(q), dev.adjoint.optim.Adam.options().lr(0.01));
    q.mul(3).sum().backward();
    adam.step();
    // step 1: m = 0.1·3, v = 0.001·9, p -= lr·(m/0.1) / (sqrt(v/0.001) + eps) = 0.5 - 0.01·3/(3 + 1e-8)
    assertEquals(0.5 - 0.01 * 3 / (3 + 1e-8), q.itemDouble(), 1e-16);
    var layer = new dev.adjoint.nn.Linear(3, 2, true, new Generator(5), F64);
    assertEquals(F64, layer.weight().dtype());
    Tensor x = Tensor.randn(new Generator(6), new int[] {4, 3}, F64).requiresGrad(true);
    assertTrue(Autograd.gradcheck(a -> layer.forward(a[0]).tanh(), x));
    assertTrue(Autograd.gradcheck(a -> F.linear(x, a[0], a[1]), layer.weight(), layer.bias()));
  }

  @Test
  void gradcheckReportsTheWorstEntryOrReturnsFalse() {
    Tensor x = Tensor.of(F64, 0.3, 0.7).requiresGrad(true);
    // a wrong gradient: detach hides the second factor from autograd
    Function<Tensor[], Tensor> wrong = a -> a[0].mul(a[0].detach());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Autograd.gradcheck(wrong, x));
    assertTrue(e.getMessage().startsWith("Jacobian mismatch for output 0 with respect to input 0,"), e.getMessage());
    assertTrue(e.getMessage().contains("worst entry: output element 1, input element 1"), e.getMessage());
    assertFalse(Autograd.gradcheck(wrong, new Tensor[] {x}, 1e-6, 1e-5, 1e-3, false));
    assertTrue(Autograd.gradgradcheck(a -> a[0].mul(a[0]).sin(), x));
  }
}
