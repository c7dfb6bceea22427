package dev.adjoint.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@code fHessian} of a module with BatchNorm1d in training mode ({@link BnHessian}, float64): one {@code fHvp} per
 * element of the differentiated tensors (30 here), each running the forward, yet the buffers after it are those one
 * eager forward leaves, to the bit (PyTorch's {@code torch.autograd.functional.hessian} runs the forward once); the
 * Hessian agrees with central differences of the generated gradient.
 */
class BnHessianTest {
  private static BnHessian module(long seed) {
    BnHessian m = new BnHessian();
    m.toDouble();
    Generator g = new Generator(seed);
    try (var ng = Autograd.noGrad()) {
      for (Tensor p : m.parameters()) {
        p.copy_(Tensor.randn(g, p.shape()).mul(0.7));
      }
      // running statistics away from their defaults, so that restoring them is seen
      m.bn.runningMean().copy_(Tensor.randn(g, 3).mul(0.1));
    }
    m.train();
    return m;
  }

  private static Tensor x() {
    return Tensor.randn(new Generator(11), 4, 3).toDouble();
  }

  @Test
  void hessianThroughALoopLeavesTheBuffersAsOneForward() {
    check(m -> BnHessianDiff.runHessian(m, x(), 2), m -> m.run(x(), 2), 2);
  }

  @Test
  void straightLineHessianLeavesTheBuffersAsOneForward() {
    check(m -> BnHessianDiff.onceHessian(m, x()), m -> m.once(x()), 1);
  }

  /** One fHvp is one forward: the buffers move once, as one eager call moves them. */
  @Test
  void hvpMovesTheBuffersAsOneForward() {
    BnHessian byHvp = module(5);
    BnHessian byForward = module(5);
    Tensor v = Tensor.randn(new Generator(12), 4, 3).toDouble();
    BnHessianDiff.runHvp(byHvp, x(), 2, v, null, null, null, null);
    try (var ng = Autograd.noGrad()) {
      byForward.run(x(), 2);
    }
    for (String k : byForward.namedBuffers().keySet()) {
      assertArrayEquals(byForward.namedBuffers().get(k).toDoubleArray(), byHvp.namedBuffers().get(k).toDoubleArray(),
          0.0, k);
    }
  }

  private static void check(Function<BnHessian, double[][]> hessian, Function<BnHessian, Tensor> eager,
      long updates) {
    BnHessian byHessian = module(5);
    BnHessian byForward = module(5);
    double[][] h = hessian.apply(byHessian);
    try (var ng = Autograd.noGrad()) {
      eager.apply(byForward);
    }
    assertEquals(30, h.length);
    Map<String, Tensor> got = byHessian.namedBuffers();
    Map<String, Tensor> want = byForward.namedBuffers();
    assertEquals(List.copyOf(want.keySet()), List.copyOf(got.keySet()));
    for (String k : want.keySet()) {
      assertArrayEquals(want.get(k).toDoubleArray(), got.get(k).toDoubleArray(), 0.0, k);
    }
    assertEquals(updates, (long) got.get("bn.num_batches_tracked").toDoubleArray()[0]);
    // rows against central differences of the generated gradient, on a module of its own
    BnHessian m = module(5);
    Tensor x = x();
    Tensor[] at = {x, m.fc.weight(), m.fc.bias(), m.bn.weight(), m.bn.bias()};
    double eps = 1e-5;
    int k = 0;
    for (Tensor t : at) {
      for (int e = 0; e < t.numel(); e++, k++) {
        double[] plus = flatGradient(m, x, updates, t, e, eps);
        double[] minus = flatGradient(m, x, updates, t, e, -eps);
        for (int j = 0; j < plus.length; j++) {
          double fd = (plus[j] - minus[j]) / (2 * eps);
          assertEquals(fd, h[k][j], 1e-6 * Math.max(1, Math.abs(fd)), "H[" + k + "][" + j + "]");
        }
      }
    }
    assertEquals(30, k);
  }

  /**
   * The gradient over (x, fc.weight, fc.bias, bn.weight, bn.bias) flattened, with element {@code e} of {@code t}
   * moved by {@code d}.
   */
  private static double[] flatGradient(BnHessian m, Tensor x, long updates, Tensor t, int e, double d) {
    double[] old = t.toDoubleArray();
    double[] moved = old.clone();
    moved[e] += d;
    try (var ng = Autograd.noGrad()) {
      t.copy_(Tensor.of(Tensor.DType.FLOAT64, moved).reshape(t.shape()));
    }
    Tensor[] g;
    if (updates == 2) {
      var r = BnHessianDiff.runValueAndGrad(m, x, 2).gradient();
      g = new Tensor[] {r.x(), r.fcWeight(), r.fcBias(), r.bnWeight(), r.bnBias()};
    } else {
      var r = BnHessianDiff.onceValueAndGrad(m, x).gradient();
      g = new Tensor[] {r.x(), r.fcWeight(), r.fcBias(), r.bnWeight(), r.bnBias()};
    }
    try (var ng = Autograd.noGrad()) {
      t.copy_(Tensor.of(Tensor.DType.FLOAT64, old).reshape(t.shape()));
    }
    double[] flat = new double[30];
    int at = 0;
    for (Tensor gi : g) {
      double[] p = gi.toDoubleArray();
      System.arraycopy(p, 0, flat, at, p.length);
      at += p.length;
    }
    return flat;
  }
}
