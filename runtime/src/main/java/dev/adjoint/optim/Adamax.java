package dev.adjoint.optim;

import dev.adjoint.Tensor;
import dev.adjoint.optim.OptimizerOptions.Betas;
import dev.adjoint.optim.OptimizerOptions.Eps;
import dev.adjoint.optim.OptimizerOptions.Maximize;
import dev.adjoint.optim.OptimizerOptions.WeightDecay;
import java.util.List;
import java.util.Map;

/**
 * Adamax, Adam with the infinity norm: PyTorch's {@code torch.optim.Adamax}. Per element in float32:
 * {@code m = fma(1-β1, g, m*β1)}, {@code u = max(u*β2, |g| + eps)}, {@code p = p + (-lr/(1-β1^t) * m) / u}.
 */
public final class Adamax extends Optimizer {

  /** Adamax's options with PyTorch's defaults (lr 2e-3, betas (0.9, 0.999), eps 1e-8). */
  public static final class Options extends OptimizerOptions<Options>
      implements Betas<Options>, Eps<Options>, WeightDecay<Options>, Maximize<Options> {
    Options() {
      set("lr", 2e-3).set("betas", new double[] {0.9, 0.999}).set("eps", 1e-8).set("weight_decay", 0.0)
          .set("maximize", false);
    }
  }

  /** New default options. */
  public static Options options() {
    return new Options();
  }

  /** Adamax over {@code params} (Tensors or ParamGroups). */
  public Adamax(List<?> params, Options options) {
    super("Adamax", params, options.toMap());
  }

  @Override
  protected void validate(Map<String, Object> o, String where) {
    requireNonNegative(o, where, "lr", "eps");
    betas(o, where);
    requireNonNegative(o, where, "weight_decay");
    requireBoolean(o, where, "maximize");
  }

  @Override
  protected void update(ParamGroup group) {
    updateF64(group);
    double lr = group.lr();
    double[] betas = group.getPair("betas");
    float b1 = (float) betas[0];
    float oneMinusB1 = (float) (1 - betas[0]);
    float b2 = (float) betas[1];
    float eps = (float) group.getDouble("eps");
    float wd = (float) group.getDouble("weight_decay");
    boolean maximize = group.getBoolean("maximize");
    for (Tensor param : group.params()) {
      if (param.grad() == null) {
        continue;
      }
      if (param.dtype() == Tensor.DType.FLOAT64) {
        continue;
      }
      Map<String, Object> st = stateOf(param);
      float[] m = buffer(st, "exp_avg", param, 0f);
      float[] u = buffer(st, "exp_inf", param, 0f);
      long step = nextStep(st);
      float negClr = (float) -(lr / (1 - Math.pow(betas[0], step)));
      float[] p = param.mutableStorage("Adamax.step");
      float[] grad = param.grad().storage();
      for (int i = 0; i < p.length; i++) {
        float g = maximize ? -grad[i] : grad[i];
        if (wd != 0f) {
          g = Math.fma(wd, p[i], g);
        }
        float mi = Math.fma(oneMinusB1, g, m[i] * b1);
        m[i] = mi;
        float ui = Math.max(u[i] * b2, Math.abs(g) + eps);
        u[i] = ui;
        p[i] = p[i] + (negClr * mi) / ui;
      }
      param.bumpVersion();
    }
  }

  /** {@link #update} for the group's FLOAT64 parameters: the same arithmetic in double, with double state. */
  private void updateF64(ParamGroup group) {
    double lr = group.lr();
    double[] betas = group.getPair("betas");
    double b1 = betas[0];
    double oneMinusB1 = (1 - betas[0]);
    double b2 = betas[1];
    double eps = group.getDouble("eps");
    double wd = group.getDouble("weight_decay");
    boolean maximize = group.getBoolean("maximize");
    for (Tensor param : group.params()) {
      if (param.grad() == null || param.dtype() != Tensor.DType.FLOAT64) {
        continue;
      }
      Map<String, Object> st = stateOf(param);
      double[] m = buffer64(st, "exp_avg", param, 0.0);
      double[] u = buffer64(st, "exp_inf", param, 0.0);
      long step = nextStep(st);
      double negClr = -(lr / (1 - Math.pow(betas[0], step)));
      double[] p = param.mutableStorageF64("Adamax.step");
      double[] grad = param.grad().storageF64();
      for (int i = 0; i < p.length; i++) {
        double g = maximize ? -grad[i] : grad[i];
        if (wd != 0.0) {
          g = Math.fma(wd, p[i], g);
        }
        double mi = Math.fma(oneMinusB1, g, m[i] * b1);
        m[i] = mi;
        double ui = Math.max(u[i] * b2, Math.abs(g) + eps);
        u[i] = ui;
        p[i] = p[i] + (negClr * mi) / ui;
      }
      param.bumpVersion();
    }
  }
}
