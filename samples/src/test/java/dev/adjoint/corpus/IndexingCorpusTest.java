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
 * {@link IndexingCorpus} through the generated code: against eager mode (same adjoints), central differences
 * and the tracked forward.
 */
class IndexingCorpusTest {

  private static Tensor positive(long seed, int... shape) {
    Tensor u = Tensor.rand(new Generator(seed), shape);
    float[] v = u.storage();
    for (int i = 0; i < v.length; i++) {
      v[i] = 0.5f + v[i];
    }
    return u;
  }

  @Test
  void gatherScatter() {
    GradCheck.check(List.of(randn(201, 3, 4), randn(202, 3, 2)),
        in -> IndexingCorpus.gatherScatter(t(in, 0), t(in, 1)), in -> {
          var r = IndexingCorpusDiff.gatherScatterValueAndGrad(t(in, 0), t(in, 1));
          return new Object[] {r.value(), r.gradient().x(), r.gradient().src()};
        }, in -> IndexingCorpusDiff.gatherScatter(t(in, 0), t(in, 1)), H32, TOL32);
  }

  @Test
  void advancedIndexing() {
    GradCheck.check(List.of(randn(203, 3, 4), randn(204, 2)),
        in -> IndexingCorpus.advancedIndexing(t(in, 0), t(in, 1)), in -> {
          var r = IndexingCorpusDiff.advancedIndexingValueAndGrad(t(in, 0), t(in, 1));
          return new Object[] {r.value(), r.gradient().x(), r.gradient().v()};
        }, in -> IndexingCorpusDiff.advancedIndexing(t(in, 0), t(in, 1)), H32, TOL32);
  }

  @Test
  void masks() {
    // values at least 0.2 apart from their comparison partner: the mask does not flip within ±h
    Tensor x = Tensor.of(new float[][] {{1.0f, -0.5f, 0.3f}, {-1.2f, 0.8f, 0.1f}});
    Tensor y = Tensor.of(new float[][] {{0.2f, 0.4f, -0.6f}, {0.5f, -0.3f, 0.9f}});
    GradCheck.check(List.of(x, y, 0.75), in -> IndexingCorpus.masks(t(in, 0), t(in, 1), d(in, 2)), in -> {
      var r = IndexingCorpusDiff.masksValueAndGrad(t(in, 0), t(in, 1), d(in, 2));
      return new Object[] {r.value(), r.gradient().x(), r.gradient().y(), r.gradient().value()};
    }, in -> IndexingCorpusDiff.masks(t(in, 0), t(in, 1), d(in, 2)), H32, TOL32);
  }

  @Test
  void movement() {
    GradCheck.check(List.of(randn(205, 2, 3), randn(206, 2, 3)),
        in -> IndexingCorpus.movement(t(in, 0), t(in, 1)), in -> {
          var r = IndexingCorpusDiff.movementValueAndGrad(t(in, 0), t(in, 1));
          return new Object[] {r.value(), r.gradient().x(), r.gradient().w()};
        }, in -> IndexingCorpusDiff.movement(t(in, 0), t(in, 1)), H32, TOL32);
  }

  @Test
  void classLosses() {
    GradCheck.check(List.of(randn(207, 3, 4), positive(208, 4), 0.2),
        in -> IndexingCorpus.classLosses(t(in, 0), t(in, 1), d(in, 2)), in -> {
          var r = IndexingCorpusDiff.classLossesValueAndGrad(t(in, 0), t(in, 1), d(in, 2));
          return new Object[] {r.value(), r.gradient().logits(), r.gradient().weight(), r.gradient().smoothing()};
        }, in -> IndexingCorpusDiff.classLosses(t(in, 0), t(in, 1), d(in, 2)), H32, TOL32);
  }
}
