package dev.adjoint.optim;

import dev.adjoint.Tensor;
import dev.adjoint.optim.OptimizerOptions.Maximize;
import java.util.List;
import java.util.Map;

/**
 * Resilient backpropagation: PyTorch's {@code torch.optim.Rprop}. Each element has its own step size,
 * starting at {@code lr}: multiplied by {@code etaplus} when the gradient keeps its sign, by {@code
 * etaminus} when it flips (and then that element does not move and its gradient is taken as 0), clamped
 * to {@code step_sizes}; the parameter moves by {@code -sign(g) * step}.
 */
public final class Rprop extends Optimizer {

  /** Rprop's options with PyTorch's defaults (lr 1e-2, etas (0.5, 1.2), step sizes (1e-6, 50)). */
  public static final class Options extends OptimizerOptions<Options>
      implements Maximize<Options> {
    Options() {
      set("lr", 1e-2).set("etas", new double[] {0.5, 1.2}).set("step_sizes", new double[] {1e-6, 50})
          .set("maximize", false);
    }

    /** Multiplicative decrease and increase factors (etaminus, etaplus), {@code 0 < etaminus < 1 < etaplus}. */
    public Options etas(double etaminus, double etaplus) {
      return set("etas", new double[] {etaminus, etaplus});
    }

    /** Minimal and maximal step sizes. */
    public Options stepSizes(double min, double max) {
      return set("step_sizes", new double[] {min, max});
    }
  }

  /** New default options. */
  public static Options options() {
    return new Options();
  }

  /** Rprop over {@code params} (Tensors or ParamGroups). */
  public Rprop(List<?> params, Options options) {
    super("Rprop", params, options.toMap());
  }

  @Override
  protected void validate(Map<String, Object> o, String where) {
    requireNonNegative(o, where, "lr");
    double[] etas = pair(o, "etas", where);
    if (!(0 < etas[0] && etas[0] < 1 && 1 < etas[1])) {
      throw new IllegalArgumentException("Rprop: invalid eta values: (" + etas[0] + ", " + etas[1] + ") in "
          + where + " (need 0 < etaminus < 1 < etaplus)");
    }
    pair(o, "step_sizes", where);
    requireBoolean(o, where, "maximize");
  }

  @Override
  protected void update(ParamGroup group) {
    updateF64(group);
    double[] etas = group.getPair("etas");
    float etaminus = (float) etas[0];
    float etaplus = (float) etas[1];
    double[] sizes = group.getPair("step_sizes");
    float min = (float) sizes[0];
    float max = (float) sizes[1];
    float lr = (float) group.lr();
    boolean maximize = group.getBoolean("maximize");
    for (Tensor param : group.params()) {
      if (param.grad() == null) {
        continue;
      }
      if (param.dtype() == Tensor.DType.FLOAT64) {
        continue;
      }
      Map<String, Object> st = stateOf(param);
      float[] prev = buffer(st, "prev", param, 0f);
      float[] stepSize = buffer(st, "step_size", param, lr);
      nextStep(st);
      float[] p = param.mutableStorage("Rprop.step");
      float[] grad = param.grad().storage();
      for (int i = 0; i < p.length; i++) {
        float g = maximize ? -grad[i] : grad[i];
        float prod = g * prev[i];
        float sign = prod > 0 ? etaplus : prod < 0 ? etaminus : prod == 0 ? 1f : prod;
        float s = Math.min(Math.max(stepSize[i] * sign, min), max);
        stepSize[i] = s;
        if (sign == etaminus) {
          g = 0f;
        }
        p[i] = p[i] + -Math.signum(g) * s;
        prev[i] = g;
      }
      param.bumpVersion();
    }
  }

  /** {@link #update} for the group's FLOAT64 parameters: the same arithmetic in double, with double state. */
  private void updateF64(ParamGroup group) {
    double[] etas = group.getPair("etas");
    double etaminus = etas[0];
    double etaplus = etas[1];
    double[] sizes = group.getPair("step_sizes");
    double min = sizes[0];
    double max = sizes[1];
    double lr = group.lr();
    boolean maximize = group.getBoolean("maximize");
    for (Tensor param : group.params()) {
      if (param.grad() == null || param.dtype() != Tensor.DType.FLOAT64) {
        continue;
      }
      Map<String, Object> st = stateOf(param);
      double[] prev = buffer64(st, "prev", param, 0.0);
      double[] stepSize = buffer64(st, "step_size", param, lr);
      nextStep(st);
      double[] p = param.mutableStorageF64("Rprop.step");
      double[] grad = param.grad().storageF64();
      for (int i = 0; i < p.length; i++) {
        double g = maximize ? -grad[i] : grad[i];
        double prod = g * prev[i];
        double sign = prod > 0 ? etaplus : prod < 0 ? etaminus : prod == 0 ? 1.0 : prod;
        double s = Math.min(Math.max(stepSize[i] * sign, min), max);
        stepSize[i] = s;
        if (sign == etaminus) {
          g = 0.0;
        }
        p[i] = p[i] + -Math.signum(g) * s;
        prev[i] = g;
      }
      param.bumpVersion();
    }
  }
}
