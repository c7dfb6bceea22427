package dev.adjoint.optim;

import dev.adjoint.Tensor;
import dev.adjoint.optim.OptimizerOptions.Betas;
import dev.adjoint.optim.OptimizerOptions.Eps;
import dev.adjoint.optim.OptimizerOptions.WeightDecay;
import java.util.List;
import java.util.Map;

/**
 * Rectified Adam (Liu et al.): PyTorch's {@code torch.optim.RAdam}. While the variance of the adaptive
 * learning rate is intractable ({@code rho_t <= 5}) the step is SGD with momentum on the bias-corrected
 * average; afterwards it is Adam's step times the rectification term. PyTorch 1.13's RAdam has no
 * {@code maximize} option, so neither has this one.
 */
public final class RAdam extends Optimizer {

  /** RAdam's options with PyTorch's defaults (lr 1e-3, betas (0.9, 0.999), eps 1e-8). */
  public static final class Options extends OptimizerOptions<Options>
      implements Betas<Options>, Eps<Options>, WeightDecay<Options> {
    Options() {
      set("lr", 1e-3).set("betas", new double[] {0.9, 0.999}).set("eps", 1e-8).set("weight_decay", 0.0);
    }
  }

  /** New default options. */
  public static Options options() {
    return new Options();
  }

  /** RAdam over {@code params} (Tensors or ParamGroups). */
  public RAdam(List<?> params, Options options) {
    super("RAdam", params, options.toMap());
  }

  @Override
  protected void validate(Map<String, Object> o, String where) {
    requireNonNegative(o, where, "lr", "eps");
    betas(o, where);
    requireNonNegative(o, where, "weight_decay");
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
    float b1 = (float) beta1;
    float oneMinusB1 = (float) (1 - beta1);
    float b2 = (float) beta2;
    float oneMinusB2 = (float) (1 - beta2);
    float lrF = (float) lr;
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
      double biasCorrection1 = 1 - Math.pow(beta1, step);
      double biasCorrection2 = 1 - Math.pow(beta2, step);
      float bc1 = (float) biasCorrection1;
      double rhoInf = 2 / (1 - beta2) - 1;
      double rhoT = rhoInf - 2 * step * Math.pow(beta2, step) / biasCorrection2;
      boolean rectified = rhoT > 5.;
      float rect = rectified
          ? (float) Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0f;
      float bc2Sqrt = (float) Math.sqrt(biasCorrection2);
      float[] p = param.mutableStorage("RAdam.step");
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
        float corrected = mi / bc1;
        if (rectified) {
          // adaptive_lr = sqrt(bc2) / (sqrt(v) + eps): Python's float / tensor is reciprocal() * float
          float adaptive = (1f / ((float) Math.sqrt(vi) + eps)) * bc2Sqrt;
          p[i] = p[i] - corrected * lrF * adaptive * rect;
        } else {
          p[i] = p[i] - corrected * lrF;
        }
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
    double b1 = beta1;
    double oneMinusB1 = (1 - beta1);
    double b2 = beta2;
    double oneMinusB2 = (1 - beta2);
    double lrF = lr;
    for (Tensor param : group.params()) {
      if (param.grad() == null || param.dtype() != Tensor.DType.FLOAT64) {
        continue;
      }
      Map<String, Object> st = stateOf(param);
      double[] m = buffer64(st, "exp_avg", param, 0.0);
      double[] v = buffer64(st, "exp_avg_sq", param, 0.0);
      long step = nextStep(st);
      double biasCorrection1 = 1 - Math.pow(beta1, step);
      double biasCorrection2 = 1 - Math.pow(beta2, step);
      double bc1 = biasCorrection1;
      double rhoInf = 2 / (1 - beta2) - 1;
      double rhoT = rhoInf - 2 * step * Math.pow(beta2, step) / biasCorrection2;
      boolean rectified = rhoT > 5.;
      double rect = rectified
          ? Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0.0;
      double bc2Sqrt = Math.sqrt(biasCorrection2);
      double[] p = param.mutableStorageF64("RAdam.step");
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
        double corrected = mi / bc1;
        if (rectified) {
          // adaptive_lr = sqrt(bc2) / (sqrt(v) + eps): Python's float / tensor is reciprocal() * float
          double adaptive = (1.0 / (Math.sqrt(vi) + eps)) * bc2Sqrt;
          p[i] = p[i] - corrected * lrF * adaptive * rect;
        } else {
          p[i] = p[i] - corrected * lrF;
        }
      }
      param.bumpVersion();
    }
  }
}
