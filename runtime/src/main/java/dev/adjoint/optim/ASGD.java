package dev.adjoint.optim;

import dev.adjoint.Tensor;
import dev.adjoint.optim.OptimizerOptions.Maximize;
import dev.adjoint.optim.OptimizerOptions.WeightDecay;
import java.util.List;
import java.util.Map;

/**
 * Averaged stochastic gradient descent (Polyak and Juditsky): PyTorch's {@code torch.optim.ASGD}. The
 * parameters follow SGD with a decaying step {@code eta}; the average of the iterates since step {@code
 * t0} is kept in the state as {@code "ax"}. {@code eta} and {@code mu} are float32 scalars, as
 * PyTorch's 0-d tensors.
 */
public final class ASGD extends Optimizer {

  /** ASGD's options with PyTorch's defaults (lr 1e-2, lambd 1e-4, alpha 0.75, t0 1e6). */
  public static final class Options extends OptimizerOptions<Options>
      implements WeightDecay<Options>, Maximize<Options> {
    Options() {
      set("lr", 1e-2).set("lambd", 1e-4).set("alpha", 0.75).set("t0", 1e6).set("weight_decay", 0.0)
          .set("maximize", false);
    }

    /** Decay term. */
    public Options lambd(double v) {
      return set("lambd", v);
    }

    /** Power for the eta update. */
    public Options alpha(double v) {
      return set("alpha", v);
    }

    /** The step at which averaging starts. */
    public Options t0(double v) {
      return set("t0", v);
    }
  }

  /** New default options. */
  public static Options options() {
    return new Options();
  }

  /** ASGD over {@code params} (Tensors or ParamGroups). */
  public ASGD(List<?> params, Options options) {
    super("ASGD", params, options.toMap());
  }

  @Override
  protected void validate(Map<String, Object> o, String where) {
    requireNonNegative(o, where, "lr", "weight_decay");
    num(o, "lambd", where);
    num(o, "alpha", where);
    num(o, "t0", where);
    requireBoolean(o, where, "maximize");
  }

  @Override
  protected void update(ParamGroup group) {
    updateF64(group);
    double lr = group.lr();
    double lambd = group.getDouble("lambd");
    double alpha = group.getDouble("alpha");
    double t0 = group.getDouble("t0");
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
      if (!st.containsKey("eta")) {
        st.put("eta", (float) lr);
        st.put("mu", 1f);
      }
      float[] ax = buffer(st, "ax", param, 0f);
      long step = nextStep(st);
      double eta = (Float) st.get("eta");
      float mu = (Float) st.get("mu");
      float decay = (float) (1 - lambd * eta);
      float negEta = (float) -eta;
      float[] p = param.mutableStorage("ASGD.step");
      float[] grad = param.grad().storage();
      for (int i = 0; i < p.length; i++) {
        float g = maximize ? -grad[i] : grad[i];
        if (wd != 0f) {
          g = Math.fma(wd, p[i], g);
        }
        float pi = p[i] * decay;
        pi = Math.fma(negEta, g, pi);
        p[i] = pi;
        ax[i] = mu != 1f ? ax[i] + (pi - ax[i]) * mu : pi;
      }
      st.put("eta", (float) (lr / Math.pow(1 + lambd * lr * step, alpha)));
      st.put("mu", (float) (1 / Math.max(1, step - t0)));
      param.bumpVersion();
    }
  }

  /** {@link #update} for the group's FLOAT64 parameters: the same arithmetic in double, with double state. */
  private void updateF64(ParamGroup group) {
    double lr = group.lr();
    double lambd = group.getDouble("lambd");
    double alpha = group.getDouble("alpha");
    double t0 = group.getDouble("t0");
    double wd = group.getDouble("weight_decay");
    boolean maximize = group.getBoolean("maximize");
    for (Tensor param : group.params()) {
      if (param.grad() == null || param.dtype() != Tensor.DType.FLOAT64) {
        continue;
      }
      Map<String, Object> st = stateOf(param);
      if (!st.containsKey("eta")) {
        st.put("eta", lr);
        st.put("mu", 1.0);
      }
      double[] ax = buffer64(st, "ax", param, 0.0);
      long step = nextStep(st);
      double eta = (Double) st.get("eta");
      double mu = (Double) st.get("mu");
      double decay = (1 - lambd * eta);
      double negEta = -eta;
      double[] p = param.mutableStorageF64("ASGD.step");
      double[] grad = param.grad().storageF64();
      for (int i = 0; i < p.length; i++) {
        double g = maximize ? -grad[i] : grad[i];
        if (wd != 0.0) {
          g = Math.fma(wd, p[i], g);
        }
        double pi = p[i] * decay;
        pi = Math.fma(negEta, g, pi);
        p[i] = pi;
        ax[i] = mu != 1.0 ? ax[i] + (pi - ax[i]) * mu : pi;
      }
      st.put("eta", (lr / Math.pow(1 + lambd * lr * step, alpha)));
      st.put("mu", (1 / Math.max(1, step - t0)));
      param.bumpVersion();
    }
  }
}
