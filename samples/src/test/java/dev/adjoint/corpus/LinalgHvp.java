package dev.adjoint.corpus;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.linalg.Linalg;

/**
 * {@code @Differentiable} methods through the linear-algebra rows, whose generated {@code fHvp} threw while
 * cholesky, choleskySolve and the decompositions had no double backward ({@code LinalgHvpTest}).
 */
final class LinalgHvp {
  private LinalgHvp() {}

  /**
   * A Gaussian-process-like loss with a loop: {@code K = x xᵀ + shift}, then three times the Cholesky factor,
   * a solve and a log-determinant, K growing by a multiple of {@code L Lᵀ}; fHvp by the eager engine's double
   * backward.
   */
  @Differentiable(wrt = "x")
  static Tensor choleskyLoop(Tensor x, Tensor shift, Tensor y) {
    Tensor k = x.matmul(x.t()).add(shift);
    Tensor acc = Linalg.logdet(k);
    for (int i = 0; i < 3; i++) {
      Tensor l = Linalg.cholesky(k);
      acc = acc.add(Linalg.choleskySolve(y, l).pow(2).sum()).add(l.diagonal(0, 0, 1).log().sum());
      k = k.add(l.matmul(l.t()).mul(0.5));
    }
    return acc;
  }

  /** Straight-line: the spectrum and a triangular solve of {@code x xᵀ + shift}. */
  @Differentiable(wrt = "x")
  static Tensor spectrum(Tensor x, Tensor shift, Tensor y) {
    Tensor k = x.matmul(x.t()).add(shift);
    Tensor l = Linalg.cholesky(k);
    Tensor z = Linalg.solveTriangular(l, y, false);
    return Linalg.eigvalsh(k).pow(2).sum().add(z.pow(2).sum()).add(Linalg.logabsdet(k))
        .add(Linalg.svdvals(x).pow(3).sum());
  }
}
