package dev.adjoint.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * FINDINGS11 §2: the straight-line methods over addmm, mv, outer, mm, dot, erf, bmm and the softmaxes
 * ({@link HvpTensors#mats}, {@link HvpTensors#batched}, {@link HvpTensors#mvDot}) have an {@code fHvp}, equal in
 * float64 to central differences of their generated gradient along the direction (h = 1e-6, 1e-6 relative);
 * PyTorch's {@code hvp} of the same methods is in {@code TensorHvpGoldenTest}.
 */
class MatrixOpsHvpTest {
  private static Tensor r(Generator g, int... shape) {
    return Tensor.randn(g, shape).toDouble().mul(0.5);
  }

  @Test
  void matsHvpEqualsCentralDifferencesOfItsGradient() {
    Generator g = new Generator(3);
    Tensor[] x = {r(g, 3, 4), r(g, 4, 2), r(g, 4), r(g, 3, 2)};
    Tensor[] v = {r(g, 3, 4), r(g, 4, 2), r(g, 4), r(g, 3, 2)};
    var hv = HvpTensorsDiff.matsHvp(x[0], x[1], x[2], x[3], v[0], v[1], v[2], v[3]);
    check(x, v, new Tensor[] {hv.a(), hv.b(), hv.v(), hv.c()}, p -> {
      var gr = HvpTensorsDiff.matsValueAndGrad(p[0], p[1], p[2], p[3]).gradient();
      return new Tensor[] {gr.a(), gr.b(), gr.v(), gr.c()};
    });
  }

  @Test
  void batchedHvpEqualsCentralDifferencesOfItsGradient() {
    Generator g = new Generator(4);
    Tensor[] x = {r(g, 2, 3, 4), r(g, 2, 4, 3)};
    Tensor[] v = {r(g, 2, 3, 4), r(g, 2, 4, 3)};
    var hv = HvpTensorsDiff.batchedHvp(x[0], x[1], v[0], v[1]);
    check(x, v, new Tensor[] {hv.x(), hv.y()}, p -> {
      var gr = HvpTensorsDiff.batchedValueAndGrad(p[0], p[1]).gradient();
      return new Tensor[] {gr.x(), gr.y()};
    });
  }

  @Test
  void mvDotHvpEqualsCentralDifferencesOfItsGradient() {
    Generator g = new Generator(5);
    Tensor[] x = {r(g, 3, 4), r(g, 4)};
    Tensor[] v = {r(g, 3, 4), r(g, 4)};
    var hv = HvpTensorsDiff.mvDotHvp(x[0], x[1], v[0], v[1]);
    check(x, v, new Tensor[] {hv.a(), hv.v()}, p -> {
      var gr = HvpTensorsDiff.mvDotValueAndGrad(p[0], p[1]).gradient();
      return new Tensor[] {gr.a(), gr.v()};
    });
  }

  private static void check(Tensor[] x, Tensor[] v, Tensor[] hv, Function<Tensor[], Tensor[]> grad) {
    double h = 1e-6;
    Tensor[] plus = new Tensor[x.length];
    Tensor[] minus = new Tensor[x.length];
    for (int i = 0; i < x.length; i++) {
      plus[i] = x[i].add(v[i].mul(h));
      minus[i] = x[i].sub(v[i].mul(h));
    }
    Tensor[] gp = grad.apply(plus);
    Tensor[] gm = grad.apply(minus);
    double largest = 0;
    for (int i = 0; i < x.length; i++) {
      assertEquals(Tensor.DType.FLOAT64, hv[i].dtype());
      double[] got = hv[i].toDoubleArray();
      double[] p = gp[i].toDoubleArray();
      double[] m = gm[i].toDoubleArray();
      assertEquals(p.length, got.length);
      for (int j = 0; j < got.length; j++) {
        double fd = (p[j] - m[j]) / (2 * h);
        assertEquals(fd, got[j], 1e-6 * Math.max(1, Math.abs(fd)), "component " + i + "[" + j + "]");
        largest = Math.max(largest, Math.abs(fd));
      }
    }
    assertTrue(largest > 1e-3, "a Hessian-vector product that is not zero: " + largest);
  }
}
