package dev.adjoint.optim;

import dev.adjoint.Tensor;
import dev.adjoint.optim.OptimizerOptions.Eps;
import dev.adjoint.optim.OptimizerOptions.Maximize;
import dev.adjoint.optim.OptimizerOptions.Momentum;
import dev.adjoint.optim.OptimizerOptions.WeightDecay;
import java.util.List;
import java.util.Map;

/**
 * RMSprop (Hinton), optionally centered and with momentum: PyTorch's {@code torch.optim.RMSprop}. Per
 * element in float32: {@code sq = fma((1-α)*g, g, sq*α)}; centered: {@code ga = fma(1-α, g, ga*α)},
 * {@code avg = sqrt(fma(-ga, ga, sq))}, else {@code avg = sqrt(sq)}; {@code avg += eps}; with momentum
 * {@code buf = buf*μ + g/avg}, {@code p = fma(-lr, buf, p)}, else {@code p = p + (-lr*g)/avg}.
 */
public final class RMSprop extends Optimizer {

  /** RMSprop's options with PyTorch's defaults (lr 1e-2, alpha 0.99, eps 1e-8). */
  public static final class Options extends OptimizerOptions<Options>
      implements Eps<Options>, WeightDecay<Options>, Momentum<Options>, Maximize<Options> {
    Options() {
      set("lr", 1e-2).set("alpha", 0.99).set("eps", 1e-8).set("weight_decay", 0.0).set("momentum", 0.0)
          .set("centered", false).set("maximize", false);
    }

    /** Smoothing constant of the running average of squared gradients. */
    public Options alpha(double v) {
      return set("alpha", v);
    }

    /** Normalize by the estimated variance of the gradient instead of its second moment. */
    public Options centered(boolean v) {
      return set("centered", v);
    }
  }

  /** New default options. */
  public static Options options() {
    return new Options();
  }

  /** RMSprop over {@code params} (Tensors or ParamGroups). */
  public RMSprop(List<?> params, Options options) {
    super("RMSprop", params, options.toMap());
  }

  @Override
  protected void validate(Map<String, Object> o, String where) {
    requireNonNegative(o, where, "lr", "eps", "momentum", "weight_decay", "alpha");
    requireBoolean(o, where, "centered", "maximize");
  }

  @Override
  protected void update(ParamGroup group) {
    updateF64(group);
    float negLr = (float) -group.lr();
    double alpha = group.getDouble("alpha");
    float a = (float) alpha;
    float oneMinusA = (float) (1 - alpha);
    float eps = (float) group.getDouble("eps");
    float wd = (float) group.getDouble("weight_decay");
    double momentum = group.getDouble("momentum");
    float mom = (float) momentum;
    boolean centered = group.getBoolean("centered");
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
      float[] buf = momentum > 0 ? buffer(st, "momentum_buffer", param, 0f) : null;
      float[] ga = centered ? buffer(st, "grad_avg", param, 0f) : null;
      nextStep(st);
      float[] p = param.mutableStorage("RMSprop.step");
      float[] grad = param.grad().storage();
      for (int i = 0; i < p.length; i++) {
        float g = maximize ? -grad[i] : grad[i];
        if (wd != 0f) {
          g = Math.fma(wd, p[i], g);
        }
        float s = Math.fma(oneMinusA * g, g, sq[i] * a);
        sq[i] = s;
        float avg;
        if (centered) {
          float gai = Math.fma(oneMinusA, g, ga[i] * a);
          ga[i] = gai;
          avg = (float) Math.sqrt(Math.fma(-gai, gai, s));
        } else {
          avg = (float) Math.sqrt(s);
        }
        avg = avg + eps;
        if (buf != null) {
          float b = buf[i] * mom + g / avg;
          buf[i] = b;
          p[i] = Math.fma(negLr, b, p[i]);
        } else {
          p[i] = p[i] + (negLr * g) / avg;
        }
      }
      param.bumpVersion();
    }
  }

  /** {@link #update} for the group's FLOAT64 parameters: the same arithmetic in double, with double state. */
  private void updateF64(ParamGroup group) {
    double negLr = -group.lr();
    double alpha = group.getDouble("alpha");
    double a = alpha;
    double oneMinusA = (1 - alpha);
    double eps = group.getDouble("eps");
    double wd = group.getDouble("weight_decay");
    double momentum = group.getDouble("momentum");
    double mom = momentum;
    boolean centered = group.getBoolean("centered");
    boolean maximize = group.getBoolean("maximize");
    for (Tensor param : group.params()) {
      if (param.grad() == null || param.dtype() != Tensor.DType.FLOAT64) {
        continue;
      }
      Map<String, Object> st = stateOf(param);
      double[] sq = buffer64(st, "square_avg", param, 0.0);
      double[] buf = momentum > 0 ? buffer64(st, "momentum_buffer", param, 0.0) : null;
      double[] ga = centered ? buffer64(st, "grad_avg", param, 0.0) : null;
      nextStep(st);
      double[] p = param.mutableStorageF64("RMSprop.step");
      double[] grad = param.grad().storageF64();
      for (int i = 0; i < p.length; i++) {
        double g = maximize ? -grad[i] : grad[i];
        if (wd != 0.0) {
          g = Math.fma(wd, p[i], g);
        }
        double s = Math.fma(oneMinusA * g, g, sq[i] * a);
        sq[i] = s;
        double avg;
        if (centered) {
          double gai = Math.fma(oneMinusA, g, ga[i] * a);
          ga[i] = gai;
          avg = Math.sqrt(Math.fma(-gai, gai, s));
        } else {
          avg = Math.sqrt(s);
        }
        avg = avg + eps;
        if (buf != null) {
          double b = buf[i] * mom + g / avg;
          buf[i] = b;
          p[i] = Math.fma(negLr, b, p[i]);
        } else {
          p[i] = p[i] + (negLr * g) / avg;
        }
      }
      param.bumpVersion();
    }
  }
}
