package dev.adjoint.optim;

import dev.adjoint.Tensor;
import dev.adjoint.optim.OptimizerOptions.Betas;
import dev.adjoint.optim.OptimizerOptions.Eps;
import dev.adjoint.optim.OptimizerOptions.WeightDecay;
import java.util.List;
import java.util.Map;

/**
 * Adam with Nesterov momentum (Dozat): PyTorch's {@code torch.optim.NAdam}, with momentum decay. The
 * running product of the momentum coefficients is a float32 scalar ({@code "mu_product"}), as in
 * PyTorch. PyTorch 1.13's NAdam has no {@code maximize} option, so neither has this one.
 */
public final class NAdam extends Optimizer {

  /** NAdam's options with PyTorch's defaults (lr 2e-3, betas (0.9, 0.999), eps 1e-8, momentum decay 4e-3). */
  public static final class Options extends OptimizerOptions<Options>
      implements Betas<Options>, Eps<Options>, WeightDecay<Options> {
    Options() {
      set("lr", 2e-3).set("betas", new double[] {0.9, 0.999}).set("eps", 1e-8).set("weight_decay", 0.0)
          .set("momentum_decay", 4e-3);
    }

    /** Momentum decay psi. */
    public Options momentumDecay(double v) {
      return set("momentum_decay", v);
    }
  }

  /** New default options. */
  public static Options options() {
    return new Options();
  }

  /** NAdam over {@code params} (Tensors or ParamGroups). */
  public NAdam(List<?> params, Options options) {
    super("NAdam", params, options.toMap());
  }

  @Override
  protected void validate(Map<String, Object> o, String where) {
    requireNonNegative(o, where, "lr", "eps");
    betas(o, where);
    requireNonNegative(o, where, "weight_decay", "momentum_decay");
  }

  @Override
  protected void update(ParamGroup group) {
    updateF64(group);
    double lr = group.lr();
    double[] betas = group.getPair("betas");
    double beta1 = betas[0];
    double beta2 = betas[1];
    float eps = (float) group.getDouble("eps");
    float wd = (float) group.getDouble("weight_decay");
    double momentumDecay = group.getDouble("momentum_decay");
    for (Tensor param : group.params()) {
      if (param.grad() == null) {
        continue;
      }
      if (param.dtype() == Tensor.DType.FLOAT64) {
        continue;
      }
      Map<String, Object> st = stateOf(param);
      float[] m = buffer(st, "exp_avg", param, 0f);
      float[] v = buffer(st, "exp_avg_sq", param, 0f);
      long step = nextStep(st);
      float muProduct = st.get("mu_product") instanceof Float f ? f : 1f;
      double biasCorrection2 = 1 - Math.pow(beta2, step);
      double mu = beta1 * (1. - 0.5 * Math.pow(0.96, step * momentumDecay));
      double muNext = beta1 * (1. - 0.5 * Math.pow(0.96, (step + 1) * momentumDecay));
      muProduct = muProduct * (float) mu;
      st.put("mu_product", muProduct);
      float muProductNext = muProduct * (float) mu * (float) muNext;
      float c1 = (float) (-lr * (1. - mu) / (1. - muProduct));
      float c2 = (float) (-lr * muNext / (1. - muProductNext));
      float b1 = (float) beta1;
      float oneMinusB1 = (float) (1 - beta1);
      float b2 = (float) beta2;
      float oneMinusB2 = (float) (1 - beta2);
      float bc2 = (float) biasCorrection2;
      float[] p = param.mutableStorage("NAdam.step");
      float[] grad = param.grad().storage();
      for (int i = 0; i < p.length; i++) {
        float g = grad[i];
        if (wd != 0f) {
          g = Math.fma(wd, p[i], g);
        }
        float mi = Math.fma(oneMinusB1, g, m[i] * b1);
        float vi = Math.fma(oneMinusB2 * g, g, v[i] * b2);
        m[i] = mi;
        v[i] = vi;
        float denom = (float) Math.sqrt(vi / bc2) + eps;
        float pi = p[i] + (c1 * g) / denom;
        p[i] = pi + (c2 * mi) / denom;
      }
      param.bumpVersion();
    }
  }

  /** {@link #update} for the group's FLOAT64 parameters: the same arithmetic in double, with double state. */
  private void updateF64(ParamGroup group) {
    double lr = group.lr();
    double[] betas = group.getPair("betas");
    double beta1 = betas[0];
    double beta2 = betas[1];
    double eps = group.getDouble("eps");
    double wd = group.getDouble("weight_decay");
    double momentumDecay = group.getDouble("momentum_decay");
    for (Tensor param : group.params()) {
      if (param.grad() == null || param.dtype() != Tensor.DType.FLOAT64) {
        continue;
      }
      Map<String, Object> st = stateOf(param);
      double[] m = buffer64(st, "exp_avg", param, 0.0);
      double[] v = buffer64(st, "exp_avg_sq", param, 0.0);
      long step = nextStep(st);
      double muProduct = st.get("mu_product") instanceof Double f ? f : 1.0;
      double biasCorrection2 = 1 - Math.pow(beta2, step);
      double mu = beta1 * (1. - 0.5 * Math.pow(0.96, step * momentumDecay));
      double muNext = beta1 * (1. - 0.5 * Math.pow(0.96, (step + 1) * momentumDecay));
      muProduct = muProduct * mu;
      st.put("mu_product", muProduct);
      double muProductNext = muProduct * mu * muNext;
      double c1 = (-lr * (1. - mu) / (1. - muProduct));
      double c2 = (-lr * muNext / (1. - muProductNext));
      double b1 = beta1;
      double oneMinusB1 = (1 - beta1);
      double b2 = beta2;
      double oneMinusB2 = (1 - beta2);
      double bc2 = biasCorrection2;
      double[] p = param.mutableStorageF64("NAdam.step");
      double[] grad = param.grad().storageF64();
      for (int i = 0; i < p.length; i++) {
        double g = grad[i];
        if (wd != 0.0) {
          g = Math.fma(wd, p[i], g);
        }
        double mi = Math.fma(oneMinusB1, g, m[i] * b1);
        double vi = Math.fma(oneMinusB2 * g, g, v[i] * b2);
        m[i] = mi;
        v[i] = vi;
        double denom = Math.sqrt(vi / bc2) + eps;
        double pi = p[i] + (c1 * g) / denom;
        p[i] = pi + (c2 * mi) / denom;
      }
      param.bumpVersion();
    }
  }
}
