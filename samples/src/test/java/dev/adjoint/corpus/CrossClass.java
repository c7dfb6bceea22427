package dev.adjoint.corpus;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;

/** Calls @Differentiable methods of other classes in the same compilation (composed statically). */
final class CrossClass {
  private CrossClass() {}

  @Differentiable
  static Tensor scaledAffine(Tensor x, Tensor w, Tensor b, double s) {
    double r = ScalarCorpus.rosenbrock(s, s * s);
    return TensorCorpus.affine(x, w, b).mul(r);
  }
}
