package dev.adjoint.samples.autograd;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Newton's method with conjugate gradients on an L2-regularised logistic regression, driven by
 * Hessian-vector products from double backward ({@code Autograd.grad} with {@code createGraph}): each Newton
 * step differentiates the loss once, keeping the graph, then solves {@code H·d = -g} by CG, where every
 * {@code H·v} is the gradient of {@code g·v}. The Hessian is never formed. The same program in PyTorch
 * ({@code src/test/python/newton_cg.py}) prints the same losses and weights; the test compares them.
 *
 * <p>Run it with {@code mvn -pl samples -am -DskipTests package exec:exec
 * -Dsample=dev.adjoint.samples.autograd.NewtonCgSample}.
 */
public final class NewtonCgSample {
  static final int N = 200;
  static final int D = 5;
  static final double LAMBDA = 1e-2;
  static final int NEWTON_STEPS = 6;
  static final int CG_STEPS = 10;

  private NewtonCgSample() {}

  /** One Newton step's record: the loss and gradient norm at its start, and the CG iterations it took. */
  record Step(int step, double loss, double gradNorm, int cgIterations) {}

  /** The data: features and 0/1 labels from fixed formulas (no generator, so PyTorch builds the same). */
  static Tensor[] data() {
    float[] x = new float[N * D];
    float[] y = new float[N];
    double[] wTrue = {1.5, -2.0, 0.5, 1.0, -0.75};
    for (int i = 0; i < N; i++) {
      double z = 0.3 * Math.cos(i);
      for (int j = 0; j < D; j++) {
        x[i * D + j] = (float) Math.sin(0.7 * i * (j + 1) + j);
        z += x[i * D + j] * wTrue[j];
      }
      y[i] = z > 0 ? 1f : 0f;
    }
    return new Tensor[] {Tensor.wrap(x, N, D), Tensor.wrap(y, N, 1)};
  }

  /** {@code -mean(y·log σ(Xw) + (1-y)·log(1-σ(Xw))) + λ/2·|w|²}. */
  static Tensor loss(Tensor x, Tensor y, Tensor w) {
    Tensor p = x.matmul(w).sigmoid();
    Tensor ll = y.mul(p.log()).add(y.rsub(1).mul(p.rsub(1).log()));
    return ll.mean().neg().add(w.mul(w).sum().mul(LAMBDA / 2));
  }

  private static double dot(Tensor a, Tensor b) {
    return a.mul(b).sum().item();
  }

  /** Runs the method from {@code w = 0}; returns the steps and leaves the solution in {@code w}. */
  static List<Step> solve(Tensor x, Tensor y, Tensor[] wOut) {
    Tensor w = Tensor.zeros(D, 1).requiresGrad(true);
    List<Step> steps = new ArrayList<>();
    for (int k = 0; k < NEWTON_STEPS; k++) {
      Tensor l = loss(x, y, w);
      Tensor g = Autograd.grad(new Tensor[] {l}, new Tensor[] {w}, null, true, true, false)[0];
      Tensor gd = g.detach();
      // conjugate gradients on H·d = -g; H·v is the gradient of g·v (the graph of g is kept for every product)
      Tensor d = Tensor.zeros(D, 1);
      Tensor r = gd.neg();
      Tensor p = r;
      double rs = dot(r, r);
      int it = 0;
      while (it < CG_STEPS && Math.sqrt(rs) > 1e-6) {
        Tensor hp = Autograd.grad(new Tensor[] {g}, new Tensor[] {w}, new Tensor[] {p}, true, false, false)[0];
        double alpha = rs / dot(p, hp);
        d = d.add(p.mul(alpha));
        r = r.sub(hp.mul(alpha));
        double rsNew = dot(r, r);
        p = r.add(p.mul(rsNew / rs));
        rs = rsNew;
        it++;
      }
      steps.add(new Step(k, l.item(), Math.sqrt(dot(gd, gd)), it));
      try (var ng = Autograd.noGrad()) {
        w.add_(d);
      }
    }
    wOut[0] = w.detach();
    return steps;
  }

  public static void main(String[] args) {
    Tensor[] xy = data();
    Tensor[] w = new Tensor[1];
    for (Step s : solve(xy[0], xy[1], w)) {
      System.out.printf(Locale.ROOT, "newton step %d: loss %.6f, |grad| %.3e, %d CG iterations%n", s.step(),
          s.loss(), s.gradNorm(), s.cgIterations());
    }
    System.out.printf(Locale.ROOT, "final loss %.6f, w = %s%n", loss(xy[0], xy[1], w[0]).item(), w[0].reshape(D));
  }
}
