package dev.adjoint.corpus;

import static dev.adjoint.corpus.GradCheck.H32;
import static dev.adjoint.corpus.GradCheck.TOL32;
import static dev.adjoint.corpus.GradCheck.randn;
import static dev.adjoint.corpus.GradCheck.t;

import dev.adjoint.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link FunctionalLayers}: the generated gradients of the functional layers and of the views no other corpus
 * method reached equal eager mode's, the tracked forward's and central differences (issue 18's audit).
 */
class FunctionalLayersTest {
  @Test
  void batchLayerAndGroupNorm() {
    GradCheck.check(List.of(randn(301, 2, 4, 3), randn(302, 4), randn(303, 4), Tensor.zeros(4), Tensor.ones(4)),
        in -> FunctionalLayers.norms(t(in, 0), t(in, 1), t(in, 2), t(in, 3), t(in, 4)), in -> {
          var r = FunctionalLayersDiff.normsValueAndGrad(t(in, 0), t(in, 1), t(in, 2), t(in, 3), t(in, 4));
          return new Object[] {r.value(), r.gradient().x(), r.gradient().w(), r.gradient().b(), null, null};
        }, in -> FunctionalLayersDiff.norms(t(in, 0), t(in, 1), t(in, 2), t(in, 3), t(in, 4)), H32, TOL32);
  }

  @Test
  void transposedConvolutions() {
    GradCheck.check(List.of(randn(311, 1, 2, 3, 3), randn(312, 2, 3, 2, 2), randn(313, 3), randn(314, 3, 2, 3),
        randn(315, 2)), in -> FunctionalLayers.transposed(t(in, 0), t(in, 1), t(in, 2), t(in, 3), t(in, 4)), in -> {
          var r = FunctionalLayersDiff.transposedValueAndGrad(t(in, 0), t(in, 1), t(in, 2), t(in, 3), t(in, 4));
          return new Object[] {r.value(), r.gradient().x(), r.gradient().w2(), r.gradient().b2(), r.gradient().w1(),
              r.gradient().b1()};
        }, in -> FunctionalLayersDiff.transposed(t(in, 0), t(in, 1), t(in, 2), t(in, 3), t(in, 4)), H32, TOL32);
  }

  @Test
  void embeddingExpandNarrowViewAsAndAsStrided() {
    Tensor idx = Tensor.of(Tensor.DType.INT64, 0, 1, 4, 0).reshape(2, 2);
    GradCheck.check(List.of(randn(321, 2, 3), randn(322, 5, 3), idx),
        in -> FunctionalLayers.views(t(in, 0), t(in, 1), t(in, 2)), in -> {
          var r = FunctionalLayersDiff.viewsValueAndGrad(t(in, 0), t(in, 1), t(in, 2));
          return new Object[] {r.value(), r.gradient().x(), r.gradient().table(), null};
        }, in -> FunctionalLayersDiff.views(t(in, 0), t(in, 1), t(in, 2)), H32, TOL32);
  }
}
