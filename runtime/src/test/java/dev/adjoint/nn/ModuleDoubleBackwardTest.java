package dev.adjoint.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Double backward through the module rows (a receiver's forward with its parameters as receiver inputs): the
 * first gradient with createGraph and the gradient of that gradient, with respect to the input and every
 * parameter, equal those through the functional form on the same parameters (whose formulas
 * {@code DoubleBackwardGoldenTest} checks against PyTorch), and the second gradient is not identically zero.
 */
class ModuleDoubleBackwardTest {
  private static final Generator GEN = new Generator(14);

  private static Tensor randn(int... shape) {
    return Tensor.randn(GEN, shape);
  }

  /** A module with random parameters (norm layers start at ones and zeros, which hide the parameter terms). */
  private static <M extends Module> M randomised(M m) {
    try (var ng = Autograd.noGrad()) {
      for (Tensor p : m.parameters()) {
        p.copy_(randn(p.shape()));
      }
    }
    return m;
  }

  static Stream<Arguments> cases() {
    Conv2d conv2 = randomised(new Conv2d(2, 3, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1},
        new int[] {1, 1}, 1, true, GEN));
    Conv1d conv1 = randomised(new Conv1d(2, 4, 3, 1, "same", 1, 2, true, GEN));
    ConvTranspose2d convT2 = randomised(new ConvTranspose2d(2, 4, new int[] {3, 2}, new int[] {2}, new int[] {1},
        new int[] {1}, 2, true, new int[] {1}, GEN));
    ConvTranspose1d convT1 = randomised(new ConvTranspose1d(3, 2, 3, 2, 1, 1, 1, true, 1, GEN));
    LayerNorm ln = randomised(new LayerNorm(4));
    GroupNorm gn = randomised(new GroupNorm(2, 4));
    BatchNorm1d bn1 = randomised(new BatchNorm1d(3));
    BatchNorm2d bn2 = randomised(new BatchNorm2d(2));
    BatchNorm1d bnEval = randomised(new BatchNorm1d(3));
    bnEval.eval();
    Embedding emb = randomised(new Embedding(5, 3, 2, GEN));
    Tensor ids = Tensor.of(Tensor.DType.INT64, new double[][] {{0, 2, 4}, {2, 1, 1}});
    return Stream.of(
        c("Conv2d", conv2, randn(2, 2, 5, 5), x -> F.conv2d(x, conv2.weight(), conv2.bias(), new int[] {2},
            new int[] {1}, new int[] {1}, 1)),
        c("Conv1d", conv1, randn(2, 2, 6), x -> F.conv1d(x, conv1.weight(), conv1.bias(), new int[] {1}, "same",
            new int[] {1}, 2)),
        c("ConvTranspose2d", convT2, randn(2, 2, 3, 3), x -> F.convTranspose2d(x, convT2.weight(), convT2.bias(),
            new int[] {2}, new int[] {1}, new int[] {1}, 2, new int[] {1})),
        c("ConvTranspose1d", convT1, randn(2, 3, 4), x -> F.convTranspose1d(x, convT1.weight(), convT1.bias(),
            new int[] {2}, new int[] {1}, new int[] {1}, 1, new int[] {1})),
        c("MaxPool2d", new MaxPool2d(2), randn(1, 2, 4, 4), x -> F.maxPool2d(x, 2)),
        c("AvgPool2d", new AvgPool2d(2), randn(1, 2, 4, 4), x -> F.avgPool2d(x, 2)),
        c("AdaptiveAvgPool2d", new AdaptiveAvgPool2d(2), randn(1, 2, 5, 5),
            x -> F.adaptiveAvgPool2d(x, new int[] {2, 2})),
        c("LayerNorm", ln, randn(3, 4), x -> F.layerNorm(x, new int[] {4}, ln.weight(), ln.bias(), 1e-5)),
        c("GroupNorm", gn, randn(2, 4, 3), x -> F.groupNorm(x, 2, gn.weight(), gn.bias(), 1e-5)),
        c("BatchNorm1d", bn1, randn(4, 3), x -> F.batchNorm(x, null, null, bn1.weight(), bn1.bias(), true, 0.1,
            1e-5)),
        c("BatchNorm2d", bn2, randn(2, 2, 2, 2), x -> F.batchNorm(x, null, null, bn2.weight(), bn2.bias(), true, 0.1,
            1e-5)),
        c("BatchNorm1d eval", bnEval, randn(4, 3), x -> F.batchNorm(x, bnEval.runningMean(),
            bnEval.runningVar(), bnEval.weight(), bnEval.bias(), false, 0.1, 1e-5)),
        c("Embedding", emb, null, x -> F.embedding(ids, emb.weight(), 2), ids),
        c("GELU", new GELU(), randn(6), F::gelu),
        c("GELU tanh", new GELU("tanh"), randn(6), x -> F.gelu(x, "tanh")),
        c("LeakyReLU", new LeakyReLU(0.2), randn(6), x -> F.leakyRelu(x, 0.2)),
        c("Softplus", new Softplus(2.0, 1.0), randn(6), x -> F.softplus(x, 2.0, 1.0)),
        c("ReLU", new ReLU(), randn(6), F::relu),
        c("Sigmoid", new Sigmoid(), randn(6), F::sigmoid),
        c("Tanh", new Tanh(), randn(6), F::tanh),
        c("SiLU", new SiLU(), randn(6), F::silu),
        c("Flatten", new Flatten(), randn(2, 3, 2), x -> x.reshape(2, 6)));
  }

  private static Arguments c(String name, Module m, Tensor x, Function<Tensor, Tensor> f) {
    return Arguments.of(name, m, x, f, null);
  }

  private static Arguments c(String name, Module m, Tensor x, Function<Tensor, Tensor> f, Tensor input) {
    return Arguments.of(name, m, x, f, input);
  }

  /** The first gradients (createGraph) and the second ones of {@code y = fn(x)} with {@code x} and {@code params}. */
  private static List<Tensor> firstAndSecond(Function<Tensor, Tensor> fn, Tensor x, List<Tensor> params) {
    List<Tensor> in = new ArrayList<>(params);
    if (x != null) {
      in.add(0, x);
    }
    Tensor[] xs = in.toArray(new Tensor[0]);
    Tensor y = fn.apply(x);
    Generator gen = new Generator(3);
    Tensor c = Tensor.randn(gen, y.shape()).to(y.dtype());
    Tensor loss = y.mul(y).mul(c).sum();
    Tensor[] g = Autograd.grad(new Tensor[] {loss}, xs, null, true, true, true);
    Tensor s = null;
    for (Tensor gi : g) {
      if (gi != null && gi.requiresGrad()) {
        Tensor term = gi.mul(Tensor.randn(gen, gi.shape())).sum();
        s = s == null ? term : s.add(term);
      }
    }
    assertNotNull(s, "no first gradient depends on the inputs");
    Tensor[] second = Autograd.grad(new Tensor[] {s}, xs, null, false, false, true);
    List<Tensor> out = new ArrayList<>(List.of(g));
    out.addAll(List.of(second));
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void moduleDoubleBackwardMatchesTheFunctionalForm(String name, Module m, Tensor x, Function<Tensor, Tensor> f,
      Tensor input) {
    List<Tensor> params = m.parameters();
    Tensor xm = x == null ? null : x.copy().requiresGrad(true);
    List<Tensor> viaModule = firstAndSecond(v -> m.forward(v == null ? input : v), xm, params);
    Tensor xf = x == null ? null : x.copy().requiresGrad(true);
    List<Tensor> viaF = firstAndSecond(v -> f.apply(v), xf, params);
    assertEquals(viaF.size(), viaModule.size(), name);
    double secondNorm = 0;
    for (int i = 0; i < viaF.size(); i++) {
      Tensor e = viaF.get(i);
      Tensor a = viaModule.get(i);
      if (e == null) {
        assertTrue(a == null || a.abs().sum().item() == 0, name + " entry " + i);
        continue;
      }
      assertNotNull(a, name + " entry " + i);
      float[] ev = e.toFloatArray();
      float[] av = a.toFloatArray();
      for (int k = 0; k < ev.length; k++) {
        assertEquals(ev[k], av[k], 1e-5 + 1e-5 * Math.abs(ev[k]), name + " entry " + i + " element " + k);
      }
      if (i >= viaF.size() / 2) {
        secondNorm += a.abs().sum().item();
      }
    }
    assertTrue(secondNorm > 0, name + ": the second gradient is identically zero");
  }
}
