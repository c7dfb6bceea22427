package dev.adjoint.samples;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import java.util.List;

/**
 * TODO(issue 5): delete this class and use {@code dev.adjoint.optim.SGD} / {@code dev.adjoint.optim.Adam}.
 *
 * <p>A stand-in written against the eager form until the optimizers land: the same {@code zeroGrad()} /
 * {@code step()} protocol and the same float32 arithmetic as PyTorch 1.13's single-tensor {@code SGD} and
 * {@code Adam} (no weight decay, no momentum, no amsgrad), so the samples' loops already read like the
 * seeds and print their numbers.
 */
public final class EagerOptimizers {
  private EagerOptimizers() {}

  /** What the seeds call on an optimizer. */
  public interface Optimizer {
    /** {@code optimizer.zero_grad()}: sets every parameter's gradient to zero. */
    void zeroGrad();

    /** {@code optimizer.step()}: updates every parameter from its gradient. */
    void step();
  }

  /** {@code optim.SGD(params, lr)}: {@code p.add_(p.grad, alpha=-lr)}, one fused multiply-add per element. */
  public static Optimizer sgd(List<Tensor> params, double lr) {
    return new Optimizer() {
      @Override
      public void zeroGrad() {
        EagerOptimizers.zeroGrad(params);
      }

      @Override
      public void step() {
        try (var g = Autograd.noGrad()) {
          for (Tensor p : params) {
            if (p.grad() != null) {
              p.add_(p.grad(), -lr);
            }
          }
        }
      }
    };
  }

  /** {@code optim.Adam(params, lr)} with betas (0.9, 0.999) and eps 1e-8. */
  public static Optimizer adam(List<Tensor> params, double lr) {
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    Tensor[] expAvg = new Tensor[params.size()];
    Tensor[] expAvgSq = new Tensor[params.size()];
    int[] step = new int[1];
    return new Optimizer() {
      @Override
      public void zeroGrad() {
        EagerOptimizers.zeroGrad(params);
      }

      @Override
      public void step() {
        step[0]++;
        double biasCorrection1 = 1 - Math.pow(beta1, step[0]);
        double biasCorrection2 = 1 - Math.pow(beta2, step[0]);
        double stepSize = lr / biasCorrection1;
        double biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
        try (var g = Autograd.noGrad()) {
          for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            Tensor grad = p.grad();
            if (grad == null) {
              continue;
            }
            if (expAvg[i] == null) {
              expAvg[i] = Tensor.zerosLike(p);
              expAvgSq[i] = Tensor.zerosLike(p);
            }
            expAvg[i].mul_(beta1).add_(grad, 1 - beta1);
            expAvgSq[i].mul_(beta2).add_(grad.mul(1 - beta2).mul(grad)); // addcmul_: self + (value * t1) * t2
            Tensor denom = expAvgSq[i].sqrt().div(biasCorrection2Sqrt).add(eps);
            p.add_(expAvg[i].mul(-stepSize).div(denom)); // addcdiv_: self + (value * t1) / t2
          }
        }
      }
    };
  }

  private static void zeroGrad(List<Tensor> params) {
    for (Tensor p : params) {
      if (p.grad() != null) {
        p.grad().zero_();
      }
    }
  }
}
