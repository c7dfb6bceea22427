package dev.adjoint.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.nn.F;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Gradients through the rules that the Vector API kernels now serve (gemm in every transpose form,
 * bias rows and their column sums, per-dimension sums, softmax rows, activations), each checked by a
 * random-direction central difference: {@code ⟨∇L, t⟩ ≈ (L(x + h·t) - L(x - h·t)) / 2h} for
 * {@code L = Σ op(x)·w}. Sizes are past the vector width so the vector paths run.
 */
class FastKernelGradientTest {

  record Case(String name, Function<List<Tensor>, Tensor> op, String domain, int[]... shapes) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        new Case("matmul 17x33 @ 33x40", x -> x.get(0).matmul(x.get(1)), "any",
            new int[] {17, 33}, new int[] {33, 40}),
        new Case("batched matmul", x -> x.get(0).matmul(x.get(1)), "any", new int[] {2, 9, 33}, new int[] {33, 20}),
        new Case("linear with bias", x -> x.get(0).matmul(x.get(1).t()).add(x.get(2)), "any",
            new int[] {20, 33}, new int[] {40, 33}, new int[] {40}),
        new Case("sum over dim 0", x -> x.get(0).sum(0, false), "any", new int[] {300, 20}),
        new Case("mean over dim 1", x -> x.get(0).mean(1, true), "any", new int[] {7, 37, 5}),
        new Case("softmax last dim", x -> F.softmax(x.get(0), 1), "any", new int[] {5, 37}),
        new Case("logSoftmax last dim", x -> F.logSoftmax(x.get(0), -1), "any", new int[] {5, 37}),
        new Case("tanh", x -> x.get(0).tanh(), "any", new int[] {7, 19}),
        new Case("sigmoid", x -> x.get(0).sigmoid(), "any", new int[] {7, 19}),
        new Case("exp", x -> x.get(0).exp(), "any", new int[] {7, 19}),
        new Case("log", x -> x.get(0).log(), "positive", new int[] {7, 19}),
        new Case("relu", x -> x.get(0).relu(), "awayFromZero", new int[] {7, 19}))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void directionalDerivativeMatchesCentralDifference(Case c) {
    Generator gen = new Generator(c.name().hashCode());
    Tensor[] inputs = new Tensor[c.shapes().length];
    for (int i = 0; i < inputs.length; i++) {
      Tensor x = Tensor.randn(gen, c.shapes()[i]);
      if (c.domain().equals("positive")) {
        x = x.abs().add(0.5);
      } else if (c.domain().equals("awayFromZero")) {
        x = x.add(x.gt(Tensor.scalar(0)).mul(0.4).sub(0.2)); // |x| > 0.2: no kink within h
      }
      inputs[i] = x.detach().requiresGrad(true);
    }
    Tensor out = c.op().apply(List.of(inputs));
    Tensor w = Tensor.randn(gen, out.shape());
    out.mul(w).sum().backward();

    double h = 1e-2;
    for (int i = 0; i < inputs.length; i++) {
      Tensor t = Tensor.randn(gen, inputs[i].shape());
      double analytic = 0;
      float[] gr = inputs[i].grad().storage();
      float[] ts = t.storage();
      for (int j = 0; j < gr.length; j++) {
        analytic += (double) gr[j] * ts[j];
      }
      double numeric = (loss(c, inputs, i, t, h, w) - loss(c, inputs, i, t, -h, w)) / (2 * h);
      assertTrue(Math.abs(analytic - numeric) <= 2e-2 * (1 + Math.abs(analytic)),
          c.name() + " input " + i + ": analytic " + analytic + ", central difference " + numeric
              + " (kernels " + Kernels.get().name() + ")");
    }
  }

  private static double loss(Case c, Tensor[] inputs, int which, Tensor t, double h, Tensor w) {
    try (var scope = Autograd.noGrad()) {
      Tensor[] xs = inputs.clone();
      float[] base = inputs[which].storage();
      float[] ts = t.storage();
      float[] moved = new float[base.length];
      for (int j = 0; j < base.length; j++) {
        moved[j] = (float) (base[j] + h * ts[j]);
      }
      xs[which] = Tensor.wrap(moved, inputs[which].shape());
      float[] o = c.op().apply(List.of(xs)).storage();
      float[] ws = w.storage();
      double acc = 0;
      for (int j = 0; j < o.length; j++) {
        acc += (double) o[j] * ws[j];
      }
      return acc;
    }
  }
}
