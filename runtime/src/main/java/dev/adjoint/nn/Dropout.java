package dev.adjoint.nn;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;

/**
 * Inverted dropout ({@code torch.nn.Dropout}): in training mode each element is zeroed with probability
 * {@code p} and the survivors are scaled by {@code 1/(1-p)}; in evaluation mode the input passes through
 * unchanged. The mask comes from an Adjoint {@link Generator} (not PyTorch's stream).
 */
public final class Dropout extends Module {
  private final double p;
  private final Generator gen;

  /** {@code Dropout(p = 0.5)} with the default generator. */
  public Dropout() {
    this(0.5);
  }

  /** Dropout with probability {@code p} and the default generator. */
  public Dropout(double p) {
    this(p, Generator.defaultGenerator());
  }

  /** Dropout with probability {@code p} whose masks come from {@code gen}. */
  public Dropout(double p, Generator gen) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("Dropout: probability has to be between 0 and 1, but got " + p);
    }
    this.p = p;
    this.gen = gen;
  }

  @Override
  public Tensor forward(Tensor x) {
    if (!isTraining() || p == 0) {
      return x;
    }
    if (x.dtype() == Tensor.DType.FLOAT64) {
      // the mask in the input's dtype: a float64 input is scaled by 1/(1 - p) in double, as PyTorch
      double[] mask = new double[x.numel()];
      if (p < 1) {
        double scale = 1.0 / (1.0 - p);
        for (int i = 0; i < mask.length; i++) {
          mask[i] = gen.nextDouble() < p ? 0 : scale;
        }
      }
      return x.mul(Tensor.wrap(mask, x.shape()));
    }
    float[] mask = new float[x.numel()];
    if (p < 1) {
      float scale = (float) (1.0 / (1.0 - p));
      for (int i = 0; i < mask.length; i++) {
        mask[i] = gen.nextDouble() < p ? 0f : scale;
      }
    }
    return x.mul(Tensor.wrap(mask, x.shape()));
  }

  @Override
  protected String extraRepr() {
    return "p=" + p;
  }
}
