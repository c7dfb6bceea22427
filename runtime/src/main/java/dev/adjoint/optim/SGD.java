package dev.adjoint.optim;

import dev.adjoint.Tensor;
import dev.adjoint.kernel.Kernels;
import dev.adjoint.optim.OptimizerOptions.Maximize;
import dev.adjoint.optim.OptimizerOptions.Momentum;
import dev.adjoint.optim.OptimizerOptions.WeightDecay;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with optional momentum, dampening, Nesterov momentum, weight decay and
 * maximization: PyTorch's {@code torch.optim.SGD}.
 *
 * <pre>{@code
 * var optimizer = new SGD(List.of(params), SGD.options().lr(1e-2).momentum(0.9));
 * optimizer.zeroGrad(); loss.backward(); optimizer.step();
 * }</pre>
 *
 * <p>Per element, in float32 ({@code fma} = one rounding, like PyTorch's {@code add_(x, alpha)}):
 * {@code g = maximize ? -grad : grad}; with weight decay {@code g = fma(wd, p, g)}; with momentum the
 * buffer is {@code g} at the first step, then {@code buf = fma(1 - dampening, g, buf * momentum)}, and
 * {@code g = nesterov ? fma(momentum, buf, g) : buf}; finally {@code p = fma(-lr, g, p)}. That last FMA
 * is what makes the book's {@code optim.SGD} loop (seed 000) come out to the printed digits.
 */
public final class SGD extends Optimizer {

  /** SGD's options; {@code lr} has no default and must be set. */
  public static final class Options extends OptimizerOptions<Options>
      implements Momentum<Options>, WeightDecay<Options>, Maximize<Options> {
    Options() {
      set("momentum", 0.0).set("dampening", 0.0).set("weight_decay", 0.0).set("nesterov", false)
          .set("maximize", false);
    }

    /** Dampening for momentum (default 0). */
    public Options dampening(double v) {
      return set("dampening", v);
    }

    /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
    public Options nesterov(boolean v) {
      return set("nesterov", v);
    }
  }

  /** New default options (no {@code lr}: set it). */
  public static Options options() {
    return new Options();
  }

  /** SGD over {@code params} (Tensors or ParamGroups) with the given options. */
  public SGD(List<?> params, Options options) {
    super("SGD", params, options.toMap());
  }

  /** Plain SGD over {@code params} with learning rate {@code lr} ({@code optim.SGD(params, lr=lr)}). */
  public SGD(List<?> params, double lr) {
    this(params, options().lr(lr));
  }

  @Override
  protected void validate(Map<String, Object> o, String where) {
    if (!o.containsKey("lr")) {
      throw new IllegalArgumentException("SGD: option lr is required in " + where
          + " (no default, as in PyTorch): use SGD.options().lr(...)");
    }
    requireNonNegative(o, where, "lr", "momentum", "weight_decay");
    num(o, "dampening", where);
    requireBoolean(o, where, "maximize");
    if (bool(o, "nesterov", where) && (num(o, "momentum", where) <= 0 || num(o, "dampening", where) != 0)) {
      throw new IllegalArgumentException("SGD: nesterov momentum requires a momentum and zero dampening (momentum="
          + num(o, "momentum", where) + ", dampening=" + num(o, "dampening", where) + " in " + where + ")");
    }
  }

  @Override
  protected void update(ParamGroup group) {
    double lr = group.lr();
    double momentum = group.getDouble("momentum");
    double dampening = group.getDouble("dampening");
    double weightDecay = group.getDouble("weight_decay");
    boolean nesterov = group.getBoolean("nesterov");
    boolean maximize = group.getBoolean("maximize");
    float negLr = (float) -lr;
    float wd = (float) weightDecay;
    float mom = (float) momentum;
    float damp = (float) (1 - dampening);
    for (Tensor param : group.params()) {
      if (param.grad() == null) {
        continue;
      }
      if (param.dtype() == Tensor.DType.FLOAT64) {
        updateF64(param, lr, momentum, dampening, weightDecay, nesterov, maximize);
        continue;
      }
      float[] p = param.mutableStorage("SGD.step");
      float[] grad = param.grad().storage();
      int n = p.length;
      if (momentum == 0) {
        if (!maximize && weightDecay == 0) {
          // p[i] = fma(-lr, grad[i], p[i]): the kernels' axpy, vectorised, the same single rounding
          Kernels.get().axpy(negLr, grad, p, n);
        } else {
          for (int i = 0; i < n; i++) {
            float g = maximize ? -grad[i] : grad[i];
            if (weightDecay != 0) {
              g = Math.fma(wd, p[i], g);
            }
            p[i] = Math.fma(negLr, g, p[i]);
          }
        }
      } else {
        Map<String, Object> st = stateOf(param);
        float[] buf = (float[]) st.get("momentum_buffer");
        boolean first = buf == null;
        if (first) {
          buf = new float[n];
          st.put("momentum_buffer", buf);
        }
        for (int i = 0; i < n; i++) {
          float g = maximize ? -grad[i] : grad[i];
          if (weightDecay != 0) {
            g = Math.fma(wd, p[i], g);
          }
          float b = first ? g : Math.fma(damp, g, buf[i] * mom);
          buf[i] = b;
          g = nesterov ? Math.fma(mom, b, g) : b;
          p[i] = Math.fma(negLr, g, p[i]);
        }
      }
      param.bumpVersion();
    }
  }

  /** The same update in double for a FLOAT64 parameter (its gradient is FLOAT64 too). */
  private void updateF64(Tensor param, double lr, double momentum, double dampening, double weightDecay,
      boolean nesterov, boolean maximize) {
    double[] p = param.mutableStorageF64("SGD.step");
    double[] grad = param.grad().storageF64();
    double[] buf = null;
    boolean first = false;
    if (momentum != 0) {
      Map<String, Object> st = stateOf(param);
      first = !st.containsKey("momentum_buffer");
      buf = buffer64(st, "momentum_buffer", param);
    }
    for (int i = 0; i < p.length; i++) {
      double g = maximize ? -grad[i] : grad[i];
      if (weightDecay != 0) {
        g = Math.fma(weightDecay, p[i], g);
      }
      if (buf != null) {
        double b = first ? g : Math.fma(1 - dampening, g, buf[i] * momentum);
        buf[i] = b;
        g = nesterov ? Math.fma(momentum, b, g) : b;
      }
      p[i] = Math.fma(-lr, g, p[i]);
    }
    param.bumpVersion();
  }
}
