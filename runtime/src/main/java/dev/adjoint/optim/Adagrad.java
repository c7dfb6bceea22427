package dev.adjoint.optim;

import dev.adjoint.Tensor;
import dev.adjoint.optim.OptimizerOptions.Eps;
import dev.adjoint.optim.OptimizerOptions.Maximize;
import dev.adjoint.optim.OptimizerOptions.WeightDecay;
import java.util.List;
import java.util.Map;

/**
 * Adagrad: PyTorch's {@code torch.optim.Adagrad}, with learning-rate decay and an initial accumulator
 * value. Per element in float32: {@code sum = fma(g, g, sum)}, {@code p = p + (-clr * g) / (sqrt(sum) +
 * eps)} with {@code clr = lr / (1 + (t-1) * lr_decay)}. Dense gradients only (the runtime has no sparse
 * tensors).
 */
public final class Adagrad extends Optimizer {

  /** Adagrad's options with PyTorch's defaults (lr 1e-2, eps 1e-10). */
  public static final class Options extends OptimizerOptions<Options>
      implements WeightDecay<Options>, Eps<Options>, Maximize<Options> {
    Options() {
      set("lr", 1e-2).set("lr_decay", 0.0).set("weight_decay", 0.0).set("initial_accumulator_value", 0.0)
          .set("eps", 1e-10).set("maximize", false);
    }

    /** Learning-rate decay per step. */
    public Options lrDecay(double v) {
      return set("lr_decay", v);
    }

    /** The starting value of the sum of squared gradients. */
    public Options initialAccumulatorValue(double v) {
      return set("initial_accumulator_value", v);
    }
  }

  /** New default options. */
  public static Options options() {
    return new Options();
  }

  /**
   * Adagrad over {@code params} (Tensors or ParamGroups). As in PyTorch, the accumulators are created
   * here, filled with each group's {@code initial_accumulator_value}.
   */
  public Adagrad(List<?> params, Options options) {
    super("Adagrad", params, options.toMap());
    for (ParamGroup g : paramGroups()) {
      float init = (float) g.getDouble("initial_accumulator_value");
      for (Tensor p : g.params()) {
        Map<String, Object> st = stateOf(p);
        st.put("step", 0L);
        if (p.dtype() == Tensor.DType.FLOAT64) {
          buffer64(st, "sum", p, g.getDouble("initial_accumulator_value"));
        } else {
          buffer(st, "sum", p, init);
        }
      }
    }
  }

  @Override
  protected void validate(Map<String, Object> o, String where) {
    requireNonNegative(o, where, "lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps");
    requireBoolean(o, where, "maximize");
  }

  @Override
  protected void update(ParamGroup group) {
    updateF64(group);
    double lr = group.lr();
    double lrDecay = group.getDouble("lr_decay");
    float wd = (float) group.getDouble("weight_decay");
    float eps = (float) group.getDouble("eps");
    float init = (float) group.getDouble("initial_accumulator_value");
    boolean maximize = group.getBoolean("maximize");
    for (Tensor param : group.params()) {
      if (param.grad() == null) {
        continue;
      }
      if (param.dtype() == Tensor.DType.FLOAT64) {
        continue;
      }
      Map<String, Object> st = stateOf(param);
      float[] sum = buffer(st, "sum", param, init);
      long step = nextStep(st);
      float negClr = (float) -(lr / (1 + (step - 1) * lrDecay));
      float[] p = param.mutableStorage("Adagrad.step");
      float[] grad = param.grad().storage();
      for (int i = 0; i < p.length; i++) {
        float g = maximize ? -grad[i] : grad[i];
        if (wd != 0f) {
          g = Math.fma(wd, p[i], g);
        }
        float s = Math.fma(g, g, sum[i]);
        sum[i] = s;
        float std = (float) Math.sqrt(s) + eps;
        p[i] = p[i] + (negClr * g) / std;
      }
      param.bumpVersion();
    }
  }

  /** {@link #update} for the group's FLOAT64 parameters: the same arithmetic in double, with double state. */
  private void updateF64(ParamGroup group) {
    double lr = group.lr();
    double lrDecay = group.getDouble("lr_decay");
    double wd = group.getDouble("weight_decay");
    double eps = group.getDouble("eps");
    double init = group.getDouble("initial_accumulator_value");
    boolean maximize = group.getBoolean("maximize");
    for (Tensor param : group.params()) {
      if (param.grad() == null || param.dtype() != Tensor.DType.FLOAT64) {
        continue;
      }
      Map<String, Object> st = stateOf(param);
      double[] sum = buffer64(st, "sum", param, init);
      long step = nextStep(st);
      double negClr = -(lr / (1 + (step - 1) * lrDecay));
      double[] p = param.mutableStorageF64("Adagrad.step");
      double[] grad = param.grad().storageF64();
      for (int i = 0; i < p.length; i++) {
        double g = maximize ? -grad[i] : grad[i];
        if (wd != 0.0) {
          g = Math.fma(wd, p[i], g);
        }
        double s = Math.fma(g, g, sum[i]);
        sum[i] = s;
        double std = Math.sqrt(s) + eps;
        p[i] = p[i] + (negClr * g) / std;
      }
      param.bumpVersion();
    }
  }
}
