package dev.adjoint.optim;

import dev.adjoint.Tensor;
import dev.adjoint.optim.OptimizerOptions.Eps;
import dev.adjoint.optim.OptimizerOptions.Maximize;
import dev.adjoint.optim.OptimizerOptions.WeightDecay;
import java.util.List;
import java.util.Map;

/**
 * Adadelta (Zeiler): PyTorch's {@code torch.optim.Adadelta}. Per element in float32: {@code sq =
 * fma((1-ρ)*g, g, sq*ρ)}, {@code δ = sqrt(acc + eps) / sqrt(sq + eps) * g}, {@code acc = fma((1-ρ)*δ,
 * δ, acc*ρ)}, {@code p = fma(-lr, δ, p)}.
 */
public final class Adadelta extends Optimizer {

  /** Adadelta's options with PyTorch's defaults (lr 1.0, rho 0.9, eps 1e-6). */
  public static final class Options extends OptimizerOptions<Options>
      implements Eps<Options>, WeightDecay<Options>, Maximize<Options> {
    Options() {
      set("lr", 1.0).set("rho", 0.9).set("eps", 1e-6).set("weight_decay", 0.0).set("maximize", false);
    }

    /** Coefficient of the running averages. */
    public Options rho(double v) {
      return set("rho", v);
    }
  }

  /** New default options. */
  public static Options options() {
    return new Options();
  }

  /** Adadelta over {@code params} (Tensors or ParamGroups). */
  public Adadelta(List<?> params, Options options) {
    super("Adadelta", params, options.toMap());
  }

  @Override
  protected void validate(Map<String, Object> o, String where) {
    requireNonNegative(o, where, "lr");
    inRange("rho", num(o, "rho", where), 0, 1, false, where);
    requireNonNegative(o, where, "eps", "weight_decay");
    requireBoolean(o, where, "maximize");
  }

  @Override
  protected void update(ParamGroup group) {
    updateF64(group);
    float negLr = (float) -group.lr();
    double rho = group.getDouble("rho");
    float r = (float) rho;
    float oneMinusR = (float) (1 - rho);
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
      float[] sq = buffer(st, "square_avg", param, 0f);
      float[] acc = buffer(st, "acc_delta", param, 0f);
      nextStep(st);
      float[] p = param.mutableStorage("Adadelta.step");
      float[] grad = param.grad().storage();
      for (int i = 0; i < p.length; i++) {
        float g = maximize ? -grad[i] : grad[i];
        if (wd != 0f) {
          g = Math.fma(wd, p[i], g);
        }
        float s = Math.fma(oneMinusR * g, g, sq[i] * r);
        sq[i] = s;
        float std = (float) Math.sqrt(s + eps);
        float delta = (float) Math.sqrt(acc[i] + eps) / std * g;
        acc[i] = Math.fma(oneMinusR * delta, delta, acc[i] * r);
        p[i] = Math.fma(negLr, delta, p[i]);
      }
      param.bumpVersion();
    }
  }

  /** {@link #update} for the group's FLOAT64 parameters: the same arithmetic in double, with double state. */
  private void updateF64(ParamGroup group) {
    double negLr = -group.lr();
    double rho = group.getDouble("rho");
    double r = rho;
    double oneMinusR = (1 - rho);
    double eps = group.getDouble("eps");
    double wd = group.getDouble("weight_decay");
    boolean maximize = group.getBoolean("maximize");
    for (Tensor param : group.params()) {
      if (param.grad() == null || param.dtype() != Tensor.DType.FLOAT64) {
        continue;
      }
      Map<String, Object> st = stateOf(param);
      double[] sq = buffer64(st, "square_avg", param, 0.0);
      double[] acc = buffer64(st, "acc_delta", param, 0.0);
      nextStep(st);
      double[] p = param.mutableStorageF64("Adadelta.step");
      double[] grad = param.grad().storageF64();
      for (int i = 0; i < p.length; i++) {
        double g = maximize ? -grad[i] : grad[i];
        if (wd != 0.0) {
          g = Math.fma(wd, p[i], g);
        }
        double s = Math.fma(oneMinusR * g, g, sq[i] * r);
        sq[i] = s;
        double std = Math.sqrt(s + eps);
        double delta = Math.sqrt(acc[i] + eps) / std * g;
        acc[i] = Math.fma(oneMinusR * delta, delta, acc[i] * r);
        p[i] = Math.fma(negLr, delta, p[i]);
      }
      param.bumpVersion();
    }
  }
}
