package ${package};

import dev.adjoint.Tensor;
import dev.adjoint.optim.SGD;
import java.util.List;

/**
 * The training loop: plain gradient descent ({@link SGD}) through the generated backward passes. Run it with
 * {@code mvn compile exec:exec}.
 */
public final class Train {
  /** Temperatures in Celsius. */
  static final Tensor T_C = Tensor.of(0.5f, 14.0f, 15.0f, 28.0f, 11.0f, 8.0f, 3.0f, -4.0f, 6.0f, 13.0f, 21.0f);
  /** The same temperatures on the unknown thermometer. */
  static final Tensor T_U = Tensor.of(35.7f, 55.9f, 58.2f, 81.9f, 56.3f, 48.9f, 33.9f, 21.8f, 48.4f, 60.4f, 68.4f);

  private Train() {}

  /** Fits {@code w} and {@code b} on the readings scaled by 0.1; returns them as {@code [w, b]}. */
  public static Tensor[] fit(int epochs, double learningRate, boolean print) {
    Tensor tUn = T_U.mul(0.1);
    Tensor w = Tensor.of(1f).requiresGrad(true);
    Tensor b = Tensor.of(0f).requiresGrad(true);
    SGD optimizer = new SGD(List.of(w, b), SGD.options().lr(learningRate));
    for (int epoch = 1; epoch <= epochs; epoch++) {
      Tensor loss = ThermometerDiff.lossFn(ThermometerDiff.model(tUn, w, b), T_C);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      if (print && (epoch == 1 || epoch % 500 == 0)) {
        System.out.printf("Epoch %d, Loss %f%n", epoch, loss.item());
      }
    }
    return new Tensor[] {w.detach(), b.detach()};
  }

  /** Trains for 5000 epochs and prints the loss and the fitted line. */
  public static void main(String[] args) {
    Tensor[] wb = fit(5000, 1e-2, true);
    System.out.printf("w = %.4f, b = %.4f%n", wb[0].item(), wb[1].item());
  }
}
