package ${package};

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;

/**
 * The model and the loss of the PyTorch book's thermometer (Stevens, Antiga and Viehmann, chapter 5): readings
 * {@code tU} of an unknown scale, calibrated to Celsius {@code tC} by a line {@code w * tU + b}. At compile time
 * Adjoint's annotation processor writes {@code ThermometerDiff} beside this class (see
 * {@code target/generated-sources/annotations}): the forward pass of each method, with its backward pass
 * written as Java.
 */
public final class Thermometer {
  private Thermometer() {}

  /** The calibration line. */
  @Differentiable
  public static Tensor model(Tensor tU, Tensor w, Tensor b) {
    return w.mul(tU).add(b);
  }

  /** The mean squared error of the predictions {@code tP} against the measurements {@code tC}. */
  @Differentiable
  public static Tensor lossFn(Tensor tP, Tensor tC) {
    Tensor squaredDiffs = tP.sub(tC).pow(2);
    return squaredDiffs.mean();
  }
}
