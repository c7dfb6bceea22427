package dev.adjoint.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;
import dev.adjoint.rules.ElementwiseRules;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/**
 * The modules' own JVPs (issue 16: no reflective {@code Jvps.viaVjp} for a layer with weights): {@code forwardJvp}
 * of Linear, Conv1d, Conv2d (stride, padding, dilation, groups), LayerNorm and BatchNorm1d/2d in training and in
 * evaluation (running statistics moved by earlier training forwards), each against central differences of the
 * module's forward along the input's tangent and, with tangents of every input, against the module's adjoint by
 * the dot-product test ⟨J·v, w⟩ = ⟨v, Jᵀ·w⟩. {@code PrimitiveJvpTest} runs the dot-product test on the row inputs too.
 */
class ModuleJvpTest {
  private final Generator gen = new Generator(16);

  @Test
  void linear() throws Exception {
    check(new Linear(5, 4, true, gen), Tensor.randn(gen, 3, 5));
  }

  @Test
  void conv2dWithStridePaddingDilationAndGroups() throws Exception {
    check(new Conv2d(4, 6, new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 2}, new int[] {1, 2}, 2, true, gen),
        Tensor.randn(gen, 2, 4, 7, 6));
    check(new Conv2d(3, 2, new int[] {3}, new int[] {1}, "same", new int[] {1}, 1, true, gen),
        Tensor.randn(gen, 3, 5, 5));
  }

  @Test
  void conv1d() throws Exception {
    check(new Conv1d(4, 2, 3, 2, 1, 1, 2, true, gen), Tensor.randn(gen, 2, 4, 9));
    check(new Conv1d(2, 3, 3, 1, "same", 2, 1, false, gen), Tensor.randn(gen, 2, 2, 8));
  }

  @Test
  void layerNorm() throws Exception {
    LayerNorm ln = new LayerNorm(3, 4);
    randomize(ln.weight(), ln.bias());
    check(ln, Tensor.randn(gen, 2, 3, 4));
    check(new LayerNorm(new int[] {5}, 1e-5, false), Tensor.randn(gen, 4, 5));
  }

  @Test
  void batchNormInTrainingAndEvaluation() throws Exception {
    BatchNorm2d bn2 = new BatchNorm2d(3);
    BatchNorm1d bn1 = new BatchNorm1d(4);
    randomize(bn2.weight(), bn2.bias(), bn1.weight(), bn1.bias());
    check(bn2, Tensor.randn(gen, 4, 3, 2, 3));
    check(bn1, Tensor.randn(gen, 6, 4));
    check(bn1, Tensor.randn(gen, 3, 4, 5));
    // move the running statistics away from (0, 1), then evaluate with them
    try (var noGrad = Autograd.noGrad()) {
      for (int i = 0; i < 5; i++) {
        bn2.forward(Tensor.randn(gen, 4, 3, 2, 3).mul(2).add(1));
        bn1.forward(Tensor.randn(gen, 6, 4).mul(3).sub(1));
      }
    }
    bn2.eval();
    bn1.eval();
    check(bn2, Tensor.randn(gen, 4, 3, 2, 3));
    check(bn1, Tensor.randn(gen, 6, 4));
  }

  private void randomize(Tensor... params) {
    try (var noGrad = Autograd.noGrad()) {
      for (Tensor p : params) {
        p.copy_(Tensor.randn(gen, p.shape()).mul(0.5).add(1));
      }
    }
  }

  /** The module's JVP against central differences along the input and against its adjoint. */
  private void check(Module module, Tensor x) throws Exception {
    Class<? extends Module> type = module.getClass();
    Tensor weight = (Tensor) type.getMethod("weight").invoke(module);
    Tensor bias = (Tensor) type.getMethod("bias").invoke(module);
    Method jvp = type.getMethod("forwardJvp", Tensor.class, Tensor.class, Tensor.class, Tensor.class, type,
        Tensor.class, Tensor.class, Tensor.class);
    Method vjp = type.getMethod("forwardVjp", Tensor.class, Tensor.class, type, Tensor.class, Tensor.class,
        Tensor.class);
    Method forward = type.getMethod("forward", Tensor.class);
    try (var noGrad = Autograd.noGrad()) {
      Tensor out = (Tensor) forward.invoke(module, x);
      Tensor tx = Tensor.randn(gen, x.shape());
      Tensor tw = weight == null ? null : Tensor.randn(gen, weight.shape());
      Tensor tb = bias == null ? null : Tensor.randn(gen, bias.shape());

      // along the input alone: central differences of the forward (the mode of the forward that made out)
      Tensor alongX = (Tensor) jvp.invoke(null, tx, null, null, out, module, x, weight, bias);
      assertArrayEquals(out.shape(), alongX.shape(), type.getSimpleName());
      double h = 1e-2;
      Tensor plus = (Tensor) forward.invoke(module, ElementwiseRules.add(x, ElementwiseRules.mul(tx, h)));
      Tensor minus = (Tensor) forward.invoke(module, ElementwiseRules.sub(x, ElementwiseRules.mul(tx, h)));
      float[] fd = ElementwiseRules.mul(ElementwiseRules.sub(plus, minus), 1 / (2 * h)).toFloatArray();
      float[] got = alongX.toFloatArray();
      double scale = 1;
      for (float v : fd) {
        scale = Math.max(scale, Math.abs(v));
      }
      for (int i = 0; i < fd.length; i++) {
        assertEquals(fd[i], got[i], 5e-3 * scale, type.getSimpleName() + " element " + i + " along x");
      }

      // every tangent: the dot-product test against the adjoint
      Tensor jv = (Tensor) jvp.invoke(null, tx, tw, tb, out, module, x, weight, bias);
      Tensor w = Tensor.randn(gen, out.shape());
      Grads g = (Grads) vjp.invoke(null, w, out, module, x, weight, bias);
      double lhs = dot(jv, w);
      double rhs = dot(tx, g.get(1)) + (tw == null ? 0 : dot(tw, g.get(2))) + (tb == null ? 0 : dot(tb, g.get(3)));
      assertEquals(lhs, rhs, 1e-4 * Math.max(1, Math.abs(lhs) + Math.abs(rhs)), type.getSimpleName() + " <Jv, w>");
    }
  }

  private static double dot(Tensor a, Tensor b) {
    float[] x = a.toFloatArray();
    float[] y = b.toFloatArray();
    assertEquals(x.length, y.length);
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      s += (double) x[i] * y[i];
    }
    return s;
  }
}
