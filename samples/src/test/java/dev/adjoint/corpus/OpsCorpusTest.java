package dev.adjoint.corpus;

import static dev.adjoint.corpus.GradCheck.H32;
import static dev.adjoint.corpus.GradCheck.TOL32;
import static dev.adjoint.corpus.GradCheck.d;
import static dev.adjoint.corpus.GradCheck.randn;
import static dev.adjoint.corpus.GradCheck.t;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link OpsCorpus} through the generated code: against eager mode (same adjoints), central differences and
 * the tracked forward.
 */
class OpsCorpusTest {

  /** Uniform samples in [lo, hi). */
  private static Tensor uniform(long seed, double lo, double hi, int... shape) {
    Tensor u = Tensor.rand(new Generator(seed), shape);
    float[] v = u.storage();
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (lo + (hi - lo) * v[i]);
    }
    return u;
  }

  @Test
  void elementwise() {
    GradCheck.check(List.of(uniform(101, -1, 1, 3, 4), uniform(102, 0.5, 2, 3, 4), 0.75),
        in -> OpsCorpus.elementwise(t(in, 0), t(in, 1), d(in, 2)), in -> {
          var r = OpsCorpusDiff.elementwiseValueAndGrad(t(in, 0), t(in, 1), d(in, 2));
          return new Object[] {r.value(), r.gradient().x(), r.gradient().y(), r.gradient().s()};
        }, in -> OpsCorpusDiff.elementwise(t(in, 0), t(in, 1), d(in, 2)), H32, TOL32);
  }

  @Test
  void activations() {
    GradCheck.check(List.of(randn(103, 4, 3), randn(104, 3, 5), 0.1),
        in -> OpsCorpus.activations(t(in, 0), t(in, 1), d(in, 2)), in -> {
          var r = OpsCorpusDiff.activationsValueAndGrad(t(in, 0), t(in, 1), d(in, 2));
          return new Object[] {r.value(), r.gradient().x(), r.gradient().w(), r.gradient().slope()};
        }, in -> OpsCorpusDiff.activations(t(in, 0), t(in, 1), d(in, 2)), H32, TOL32);
  }

  @Test
  void reductions() {
    GradCheck.check(List.of(uniform(105, 0.5, 1.5, 2, 3, 4)), in -> OpsCorpus.reductions(t(in, 0)), in -> {
      var r = OpsCorpusDiff.reductionsValueAndGrad(t(in, 0));
      return new Object[] {r.value(), r.gradient().x()};
    }, in -> OpsCorpusDiff.reductions(t(in, 0)), 1e-3, TOL32);
  }

  @Test
  void losses() {
    GradCheck.check(List.of(randn(106, 3, 4), randn(107, 3, 4), uniform(108, 0.1, 0.9, 3, 4),
            uniform(109, 0.1, 0.9, 3, 4), 0.6),
        in -> OpsCorpus.losses(t(in, 0), t(in, 1), t(in, 2), t(in, 3), d(in, 4)), in -> {
          var r = OpsCorpusDiff.lossesValueAndGrad(t(in, 0), t(in, 1), t(in, 2), t(in, 3), d(in, 4));
          var g = r.gradient();
          return new Object[] {r.value(), g.x(), g.y(), g.p(), g.t(), g.beta()};
        }, in -> OpsCorpusDiff.losses(t(in, 0), t(in, 1), t(in, 2), t(in, 3), d(in, 4)), H32, TOL32);
  }

  @Test
  void fusedChain() {
    GradCheck.check(List.of(uniform(110, 0.25, 2, 3, 4)), in -> OpsCorpus.fusedChain(t(in, 0)), in -> {
      var r = OpsCorpusDiff.fusedChainValueAndGrad(t(in, 0));
      return new Object[] {r.value(), r.gradient().x()};
    }, in -> OpsCorpusDiff.fusedChain(t(in, 0)), 1e-3, TOL32);
  }

  @Test
  void trigonometry() {
    GradCheck.check(List.of(uniform(121, -1.5, 1.5, 3, 4)), in -> OpsCorpus.trigonometry(t(in, 0)), in -> {
      var r = OpsCorpusDiff.trigonometryValueAndGrad(t(in, 0));
      return new Object[] {r.value(), r.gradient().x()};
    }, in -> OpsCorpusDiff.trigonometry(t(in, 0)), H32, TOL32);
  }

  @Test
  void rounding() {
    // at least 0.04 from every jump of floor, ceil, round(2x), trunc(-1.5x) and sign: the differences' step is 1e-2
    Tensor x = Tensor.of(new float[][] {{0.13f, -0.37f, 1.21f, -1.62f}, {0.61f, -0.88f, 1.87f, 0.43f},
        {-1.13f, 1.58f, -0.07f, 0.92f}});
    GradCheck.check(List.of(x), in -> OpsCorpus.rounding(t(in, 0)), in -> {
      var r = OpsCorpusDiff.roundingValueAndGrad(t(in, 0));
      return new Object[] {r.value(), r.gradient().x()};
    }, in -> OpsCorpusDiff.rounding(t(in, 0)), H32, TOL32);
  }

  @Test
  void triangles() {
    GradCheck.check(List.of(randn(123, 3, 3)), in -> OpsCorpus.triangles(t(in, 0)), in -> {
      var r = OpsCorpusDiff.trianglesValueAndGrad(t(in, 0));
      return new Object[] {r.value(), r.gradient().x()};
    }, in -> OpsCorpusDiff.triangles(t(in, 0)), H32, TOL32);
  }

  @Test
  void binaryFunctions() {
    GradCheck.check(List.of(randn(124, 3, 4), uniform(125, 0.5, 2, 4)),
        in -> OpsCorpus.binaryFunctions(t(in, 0), t(in, 1)), in -> {
          var r = OpsCorpusDiff.binaryFunctionsValueAndGrad(t(in, 0), t(in, 1));
          return new Object[] {r.value(), r.gradient().x(), r.gradient().y()};
        }, in -> OpsCorpusDiff.binaryFunctions(t(in, 0), t(in, 1)), H32, TOL32);
  }

  @Test
  void products() {
    GradCheck.check(List.of(randn(126, 3, 4), randn(127, 4, 2), randn(128, 4)),
        in -> OpsCorpus.products(t(in, 0), t(in, 1), t(in, 2)), in -> {
          var r = OpsCorpusDiff.productsValueAndGrad(t(in, 0), t(in, 1), t(in, 2));
          return new Object[] {r.value(), r.gradient().a(), r.gradient().b(), r.gradient().v()};
        }, in -> OpsCorpusDiff.products(t(in, 0), t(in, 1), t(in, 2)), H32, TOL32);
  }

  @Test
  void pointwise() {
    // x and y kept off the remainders' jumps (multiples of 1.5 and 0.8) by more than the difference step
    GradCheck.check(List.of(uniform(129, 0.1, 1.4, 3, 4), uniform(130, -0.75, -0.05, 3, 4), 0.3),
        in -> OpsCorpus.pointwise(t(in, 0), t(in, 1), d(in, 2)), in -> {
          var r = OpsCorpusDiff.pointwiseValueAndGrad(t(in, 0), t(in, 1), d(in, 2));
          return new Object[] {r.value(), r.gradient().x(), r.gradient().y(), r.gradient().w()};
        }, in -> OpsCorpusDiff.pointwise(t(in, 0), t(in, 1), d(in, 2)), H32, TOL32);
  }

  @Test
  void crossAndDiag() {
    GradCheck.check(List.of(randn(131, 4, 3), randn(132, 4, 3)),
        in -> OpsCorpus.crossAndDiag(t(in, 0), t(in, 1)), in -> {
          var r = OpsCorpusDiff.crossAndDiagValueAndGrad(t(in, 0), t(in, 1));
          return new Object[] {r.value(), r.gradient().a(), r.gradient().b()};
        }, in -> OpsCorpusDiff.crossAndDiag(t(in, 0), t(in, 1)), H32, TOL32);
  }
}
