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
    return x.mul(F.dropoutMask(x, p, true, gen));
  }

  /**
   * The factor {@link #forward} multiplies {@code x} by ({@link F#dropoutMask}): in training a fresh mask from
   * this module's generator, in evaluation mode a 0-dimensional {@code 1}. A {@code @Differentiable} module
   * calling {@code drop.forward(x)} is generated as {@code x.mul(drop.mask(x))}, the mask saved for its
   * backward, so it draws the same values as the eager module from the same generator state.
   */
  public Tensor mask(Tensor x) {
    return F.dropoutMask(x, p, isTraining(), gen);
  }

  @Override
  protected String extraRepr() {
    return "p=" + p;
  }
}
