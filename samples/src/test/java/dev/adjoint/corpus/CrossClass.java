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

  /** User names that the generated code also uses for itself. */
  @Differentiable
  static Tensor reservedNames(Tensor value, Tensor self, double g) {
    Tensor grad = value.mul(self);
    Tensor sum = grad.mul(g).add(value);
    return sum.sum();
  }
}
