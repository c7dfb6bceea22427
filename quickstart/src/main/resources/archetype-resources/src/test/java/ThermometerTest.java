package ${package};

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.Tensor;
import org.junit.jupiter.api.Test;

/** The generated gradients against the derivative by hand and central differences, and the fitted line. */
class ThermometerTest {
  final Tensor tU = Tensor.of(1f, 2f, 3f);
  final Tensor tC = Tensor.of(2f, 5f, 4f);

  static double loss(double w, double b, Tensor tU, Tensor tC) {
    return ThermometerDiff.lossFn(ThermometerDiff.model(tU, Tensor.of((float) w), Tensor.of((float) b)), tC).item();
  }

  @Test
  void backwardThroughTheGeneratedCodeGivesTheGradient() {
    Tensor w = Tensor.of(0.5f).requiresGrad(true);
    Tensor b = Tensor.of(-1f).requiresGrad(true);
    ThermometerDiff.lossFn(ThermometerDiff.model(tU, w, b), tC).backward();
    // d/dw mean((w tU + b - tC)^2) = mean(2 (w tU + b - tC) tU); residuals -2.5, -5, -3.5
    assertEquals(2 * (-2.5 * 1 - 5 * 2 - 3.5 * 3) / 3, w.grad().item(), 1e-5);
    assertEquals(2 * (-2.5 - 5 - 3.5) / 3, b.grad().item(), 1e-5);
    double h = 1e-2;
    assertEquals((loss(0.5 + h, -1, tU, tC) - loss(0.5 - h, -1, tU, tC)) / (2 * h), w.grad().item(), 1e-3);
    assertEquals((loss(0.5, -1 + h, tU, tC) - loss(0.5, -1 - h, tU, tC)) / (2 * h), b.grad().item(), 1e-3);
  }

  @Test
  void trainingFindsTheBooksLine() {
    Tensor[] wb = Train.fit(5000, 1e-2, false);
    // the PyTorch book prints tensor([  5.3671, -17.3012]) after the same 5000 epochs
    assertEquals(5.3671, wb[0].item(), 1e-3);
    assertEquals(-17.3012, wb[1].item(), 1e-3);
  }
}
