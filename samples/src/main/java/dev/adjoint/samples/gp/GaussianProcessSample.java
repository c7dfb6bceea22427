package dev.adjoint.samples.gp;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import dev.adjoint.Tensor.DType;
import dev.adjoint.linalg.Linalg;
import dev.adjoint.optim.Adam;
import dev.adjoint.optim.Optimizer;
import dev.adjoint.optim.SGD;
import dev.adjoint.samples.plot.Plots;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Gaussian-process regression in float64 (issue 15): the kernel's hyperparameters (lengthscale ℓ, signal
 * and noise standard deviations σ_f, σ_n) are fitted by maximising the log marginal likelihood through
 * {@link GaussianProcess#negLogMarginalLikelihood} (generated backward through {@code cholesky},
 * {@code choleskySolve} and the log-determinant), with Adam and then plain gradient descent until the
 * gradient vanishes. The same program in PyTorch ({@code samples/src/test/python/gp_regression.py}) prints
 * the same hyperparameters and likelihood to 1e-8 relative. A plot shows the data, the posterior mean and
 * its two-standard-deviation band.
 *
 * <p>Run it with {@code mvn -pl samples -am -DskipTests package exec:exec -Dexec.mainClass=...}; the plot
 * goes to {@code target/plots/gp_posterior.png} (or to the directory given as the first argument).
 */
public final class GaussianProcessSample {
  static final int N = 24;
  static final int ADAM_STEPS = 300;
  static final int SGD_STEPS = 500;

  private GaussianProcessSample() {}

  /** The fitted hyperparameters, the log marginal likelihood and the posterior at {@code testX}. */
  public record Result(double lengthscale, double signalStd, double noiseStd, double logMarginalLikelihood,
      double[] testX, double[] mean, double[] std) {}

  /** {@code torch.linspace(0, 6, 24)} and {@code sin(1.5 x)} plus a deterministic sawtooth (integer arithmetic). */
  static double[][] data() {
    double[] x = new double[N];
    double[] y = new double[N];
    double step = 6.0 / (N - 1);
    for (int i = 0; i < N; i++) {
      // PyTorch's linspace: from the start for the first half, from the end for the second
      x[i] = i < N / 2 ? i * step : 6.0 - step * (N - 1 - i);
      y[i] = Math.sin(1.5 * x[i]) + 0.3 * (((i * 7919L + 13) % 101) / 101.0 - 0.5);
    }
    return new double[][] {x, y};
  }

  /** Fits the hyperparameters and returns them with the posterior at {@code testX}. */
  public static Result fit(double... testX) {
    double[][] xy = data();
    double[] x = xy[0];
    Tensor xt = Tensor.of(DType.FLOAT64, x);
    Tensor sqDist = xt.unsqueeze(1).sub(xt.unsqueeze(0)).square();
    Tensor eye = eye(N);
    Tensor yCol = Tensor.of(DType.FLOAT64, xy[1]).reshape(N, 1);
    Tensor logEll = Tensor.scalar(0.0, DType.FLOAT64).requiresGrad(true);
    Tensor logSf = Tensor.scalar(0.0, DType.FLOAT64).requiresGrad(true);
    Tensor logSn = Tensor.scalar(Math.log(0.5), DType.FLOAT64).requiresGrad(true);
    List<Tensor> params = List.of(logEll, logSf, logSn);
    run(new Adam(params, Adam.options().lr(0.05)), ADAM_STEPS, params, sqDist, eye, yCol);
    run(new SGD(params, SGD.options().lr(0.02)), SGD_STEPS, params, sqDist, eye, yCol);
    try (var noGrad = Autograd.noGrad()) {
      double nll = GaussianProcessDiff.negLogMarginalLikelihood(logEll, logSf, logSn, sqDist, eye, yCol)
          .itemDouble();
      double ell = Math.exp(logEll.itemDouble());
      double sf = Math.exp(logSf.itemDouble());
      double sn = Math.exp(logSn.itemDouble());
      // the posterior: mean = K_s K⁻¹ y, variance = σ_f² - diag(K_s K⁻¹ K_sᵀ) through v = L⁻¹ K_sᵀ
      Tensor k = kernel(sqDist, ell, sf).add(eye.mul(sn * sn));
      Tensor l = Linalg.cholesky(k);
      Tensor xs = Tensor.of(DType.FLOAT64, testX);
      Tensor ks = kernel(xs.unsqueeze(1).sub(xt.unsqueeze(0)).square(), ell, sf);
      Tensor mean = ks.matmul(Linalg.choleskySolve(yCol, l)).reshape(testX.length);
      Tensor v = Linalg.solveTriangular(l, ks.t().contiguous(), false);
      Tensor std = v.mul(v).sum(0).rsub(sf * sf).sqrt();
      return new Result(ell, sf, sn, -nll, testX.clone(), mean.toDoubleArray(), std.toDoubleArray());
    }
  }

  private static Tensor kernel(Tensor sqDist, double ell, double sf) {
    return sqDist.div(ell * ell).mul(-0.5).exp().mul(sf * sf);
  }

  private static void run(Optimizer opt, int steps, List<Tensor> p, Tensor sqDist, Tensor eye, Tensor yCol) {
    for (int i = 0; i < steps; i++) {
      opt.zeroGrad();
      GaussianProcessDiff.negLogMarginalLikelihood(p.get(0), p.get(1), p.get(2), sqDist, eye, yCol).backward();
      opt.step();
    }
  }

  static Tensor eye(int n) {
    double[] v = new double[n * n];
    for (int i = 0; i < n; i++) {
      v[i * n + i] = 1;
    }
    return Tensor.wrap(v, n, n);
  }

  /** Prints the fitted hyperparameters and likelihood, and writes the posterior plot. */
  public static void main(String[] args) throws IOException {
    Path dir = args.length > 0 ? Path.of(args[0]) : Path.of("target", "plots");
    double[] grid = new double[200];
    for (int i = 0; i < grid.length; i++) {
      grid[i] = -0.5 + 7.5 * i / (grid.length - 1);
    }
    Result r = fit(grid);
    System.out.printf(Locale.ROOT, "lengthscale %s, signal std %s, noise std %s%n", r.lengthscale(), r.signalStd(),
        r.noiseStd());
    System.out.printf(Locale.ROOT, "log marginal likelihood %s%n", r.logMarginalLikelihood());
    double[][] xy = data();
    Path png = Plots.gpPosterior(xy[0], xy[1], r.testX(), r.mean(), r.std(), dir.resolve("gp_posterior.png"));
    System.out.println("plot: " + png);
  }
}
