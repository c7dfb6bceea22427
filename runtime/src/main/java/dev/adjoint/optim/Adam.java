package dev.adjoint.optim;

import dev.adjoint.Tensor;
import dev.adjoint.optim.OptimizerOptions.Betas;
import dev.adjoint.optim.OptimizerOptions.Eps;
import dev.adjoint.optim.OptimizerOptions.Maximize;
import dev.adjoint.optim.OptimizerOptions.WeightDecay;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma and Ba) with optional AMSGrad, L2 weight decay and maximization: PyTorch's {@code
 * torch.optim.Adam}.
 *
 * <pre>{@code
 * var optimizer = new Adam(List.of(params), Adam.options().lr(1e-1));
 * }</pre>
 *
 * <p>Per element in float32, as PyTorch 1.13's single-tensor path: {@code m = fma(1-β1, g, m*β1)},
 * {@code v = fma((1-β2)*g, g, v*β2)} ({@code addcmul_}), with AMSGrad {@code vmax = max(vmax, v)};
 * {@code denom = sqrt(v) / sqrt(1-β2^t) + eps}; {@code p = p + (-lr/(1-β1^t) * m) / denom}. Bias
 * corrections and the step size are computed in double, as Python does. The whole update is one fused
 * loop over the parameter (PyTorch makes eight passes), which is why it is faster.
 */
public class Adam extends Optimizer {

  /** Adam's options with PyTorch's defaults (lr 1e-3, betas (0.9, 0.999), eps 1e-8). */
  public static final class Options extends OptimizerOptions<Options>
      implements Betas<Options>, Eps<Options>, WeightDecay<Options>, Maximize<Options> {
    Options(double weightDecay) {
      set("lr", 1e-3).set("betas", new double[] {0.9, 0.999}).set("eps", 1e-8).set("weight_decay", weightDecay)
          .set("amsgrad", false).set("maximize", false);
    }

    /** Use the AMSGrad variant. */
    public Options amsgrad(boolean v) {
      return set("amsgrad", v);
    }
  }

  private final boolean decoupled;

  /** New default options for Adam (weight decay 0). */
  public static Options options() {
    return new Options(0.0);
  }

  /** Adam over {@code params} (Tensors or ParamGroups) with the given options. */
  public Adam(List<?> params, Options options) {
    this("Adam", params, options, false);
  }

  /** Adam with default options and learning rate {@code lr}. */
  public Adam(List<?> params, double lr) {
    this(params, options().lr(lr));
  }

  Adam(String name, List<?> params, Options options, boolean decoupled) {
    super(name, params, options.toMap());
    this.decoupled = decoupled;
  }

  @Override
  protected void validate(Map<String, Object> o, String where) {
    requireNonNegative(o, where, "lr", "eps");
    betas(o, where);
    requireNonNegative(o, where, "weight_decay");
    requireBoolean(o, where, "amsgrad", "maximize");
  }

  @Override
  protected void update(ParamGroup group) {
    double lr = group.lr();
    double[] betas = group.getPair("betas");
    double beta1 = betas[0];
    double beta2 = betas[1];
    double eps = group.getDouble("eps");
    double weightDecay = group.getDouble("weight_decay");
    boolean amsgrad = group.getBoolean("amsgrad");
    boolean maximize = group.getBoolean("maximize");
    for (Tensor param : group.params()) {
      if (param.grad() == null) {
        continue;
      }
      Map<String, Object> st = stateOf(param);
      if (param.dtype() == Tensor.DType.FLOAT64) {
        updateF64(param, st, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize);
        continue;
      }
      float[] m = buffer(st, "exp_avg", param, 0f);
      float[] v = buffer(st, "exp_avg_sq", param, 0f);
      float[] vmax = amsgrad ? buffer(st, "max_exp_avg_sq", param, 0f) : null;
      long step = nextStep(st);
      float[] p = param.mutableStorage("Adam.step");
      float[] g = param.grad().storage();
      if (decoupled) {
        // param.mul_(1 - lr * weight_decay)
        float decay = (float) (1 - lr * weightDecay);
        for (int i = 0; i < p.length; i++) {
          p[i] *= decay;
        }
      }
      double biasCorrection1 = 1 - Math.pow(beta1, step);
      double biasCorrection2 = 1 - Math.pow(beta2, step);
      double stepSize = lr / biasCorrection1;
      double biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
      step(p, g, m, v, vmax, maximize, decoupled ? 0f : (float) weightDecay, (float) beta1, (float) (1 - beta1),
          (float) beta2, (float) (1 - beta2), (float) biasCorrection2Sqrt, (float) eps, (float) -stepSize);
      param.bumpVersion();
    }
  }

  /** Adam (or AdamW) in double for a FLOAT64 parameter, PyTorch's non-fused formula. */
  private void updateF64(Tensor param, Map<String, Object> st, double lr, double beta1, double beta2, double eps,
      double weightDecay, boolean amsgrad, boolean maximize) {
    double[] m = buffer64(st, "exp_avg", param);
    double[] v = buffer64(st, "exp_avg_sq", param);
    double[] vmax = amsgrad ? buffer64(st, "max_exp_avg_sq", param) : null;
    long step = nextStep(st);
    double[] p = param.mutableStorageF64("Adam.step");
    double[] g = param.grad().storageF64();
    if (decoupled) {
      double decay = 1 - lr * weightDecay;
      for (int i = 0; i < p.length; i++) {
        p[i] *= decay;
      }
    }
    double bc1 = 1 - Math.pow(beta1, step);
    double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
    double stepSize = lr / bc1;
    for (int i = 0; i < p.length; i++) {
      double gi = maximize ? -g[i] : g[i];
      if (!decoupled && weightDecay != 0) {
        gi = Math.fma(weightDecay, p[i], gi);
      }
      m[i] = Math.fma(1 - beta1, gi, m[i] * beta1);
      v[i] = Math.fma((1 - beta2) * gi, gi, v[i] * beta2);
      double vi = v[i];
      if (vmax != null) {
        vi = Math.max(vmax[i], vi);
        vmax[i] = vi;
      }
      double denom = Math.sqrt(vi) / bc2Sqrt + eps;
      p[i] = p[i] + (-stepSize * m[i]) / denom;
    }
    param.bumpVersion();
  }

  /** One fused Adam update of {@code p} from {@code g}; {@code vmax} is null without AMSGrad. */
  static void step(float[] p, float[] g, float[] m, float[] v, float[] vmax, boolean maximize, float wd,
      float b1, float oneMinusB1, float b2, float oneMinusB2, float bc2Sqrt, float eps, float negStepSize) {
    int n = p.length;
    if (vmax == null && !maximize && wd == 0f) {
      // the common case, kept branch-free so that C2 vectorises it
      for (int i = 0; i < n; i++) {
        float gi = g[i];
        float mi = Math.fma(oneMinusB1, gi, m[i] * b1);
        float vi = Math.fma(oneMinusB2 * gi, gi, v[i] * b2);
        m[i] = mi;
        v[i] = vi;
        float denom = (float) Math.sqrt(vi) / bc2Sqrt + eps;
        p[i] = p[i] + (negStepSize * mi) / denom;
      }
      return;
    }
    for (int i = 0; i < n; i++) {
      float gi = maximize ? -g[i] : g[i];
      if (wd != 0f) {
        gi = Math.fma(wd, p[i], gi);
      }
      float mi = Math.fma(oneMinusB1, gi, m[i] * b1);
      float vi = Math.fma(oneMinusB2 * gi, gi, v[i] * b2);
      m[i] = mi;
      v[i] = vi;
      if (vmax != null) {
        vi = Math.max(vmax[i], vi);
        vmax[i] = vi;
      }
      float denom = (float) Math.sqrt(vi) / bc2Sqrt + eps;
      p[i] = p[i] + (negStepSize * mi) / denom;
    }
  }
}
