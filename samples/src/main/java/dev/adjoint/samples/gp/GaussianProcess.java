package dev.adjoint.samples.gp;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.linalg.Linalg;

/**
 * The negative log marginal likelihood of a Gaussian process with a squared-exponential kernel, as a
 * {@code @Differentiable} method: the processor writes {@code GaussianProcessDiff}, whose backward runs
 * through the Cholesky factor, the Cholesky solve and the log-determinant rows of {@link Linalg}.
 */
public final class GaussianProcess {
  private GaussianProcess() {}

  /**
   * {@code ½ yᵀ K⁻¹ y + ½ log det K + (n/2) log 2π} for {@code K = σ_f² exp(-d²/(2ℓ²)) + σ_n² I}, with the
   * hyperparameters as logarithms ({@code ℓ = exp(logEll)}, ...); {@code sqDist} holds the squared
   * distances between the inputs, {@code yCol} the targets as an (n, 1) column. The log-determinant is
   * {@code 2 Σ log L_ii} of the Cholesky factor L.
   */
  @Differentiable
  public static Tensor negLogMarginalLikelihood(Tensor logEll, Tensor logSf, Tensor logSn, Tensor sqDist,
      Tensor eye, Tensor yCol) {
    Tensor ell = logEll.exp();
    Tensor sf = logSf.exp();
    Tensor sn = logSn.exp();
    Tensor k = sqDist.div(ell.mul(ell)).mul(-0.5).exp().mul(sf.mul(sf)).add(eye.mul(sn.mul(sn)));
    Tensor l = Linalg.cholesky(k);
    Tensor alpha = Linalg.choleskySolve(yCol, l);
    double halfNLog2Pi = 0.5 * yCol.numel() * Math.log(2 * Math.PI);
    return yCol.mul(alpha).sum().mul(0.5).add(l.diagonal(0, 0, 1).log().sum()).add(halfNLog2Pi);
  }
}
