package dev.adjoint.samples.thermometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Seed 000 through generated code: {@code ThermometerDiff.model} and {@code ThermometerDiff.lossFn}
 * record one node each, {@code loss.backward()} runs the generated backward, and the book's numbers
 * come out to the printed digits (the same strings as the eager test in the runtime).
 */
class ThermometerGeneratedTest {
  static final Tensor T_C = Tensor.of(0.5f, 14.0f, 15.0f, 28.0f, 11.0f, 8.0f, 3.0f, -4.0f, 6.0f, 13.0f, 21.0f);
  static final Tensor T_U = Tensor.of(35.7f, 55.9f, 58.2f, 81.9f, 56.3f, 48.9f, 33.9f, 21.8f, 48.4f, 60.4f, 68.4f);

  @Test
  void gradOfLossAtOneZero() {
    Tensor params = Tensor.of(1.0f, 0.0f).requiresGrad(true);
    Tensor tP = ThermometerDiff.model(T_U, params.slice(0, 0, 1), params.slice(0, 1, 2));
    Tensor loss = ThermometerDiff.lossFn(tP, T_C);
    assertEquals("ThermometerLossFnBackward", loss.gradFn().name());
    loss.backward();
    assertEquals("tensor([4517.2969,   82.6000])", params.grad().toString());
  }

  @Test
  void functionalFormGivesTheSameGradient() {
    Tensor w = Tensor.of(1.0f);
    Tensor b = Tensor.of(0.0f);
    var model = ThermometerDiff.modelPullback(T_U, w, b);
    var loss = ThermometerDiff.lossFnValueAndGrad(model.value(), T_C);
    var grads = model.backward(loss.gradient().tP());
    assertEquals("tensor([4517.2969])", grads.w().toString());
    assertEquals("tensor([82.6000])", grads.b().toString());
  }

  @Test
  void noGradMeansPlainComputation() {
    Tensor w = Tensor.of(1.0f).requiresGrad(true);
    try (var g = Autograd.noGrad()) {
      Tensor tP = ThermometerDiff.model(T_U, w, Tensor.of(0.0f));
      assertEquals(null, tP.gradFn());
    }
  }

  @Test
  void manualTrainingLoopPrintsTheBookLosses() {
    Tensor tUn = T_U.mul(0.1);
    Tensor params = Tensor.of(1.0f, 0.0f).requiresGrad(true);
    List<String> lines = new ArrayList<>();
    for (int epoch = 1; epoch <= 5000; epoch++) {
      if (params.grad() != null) {
        params.grad().zero_();
      }
      Tensor tP = ThermometerDiff.model(tUn, params.slice(0, 0, 1), params.slice(0, 1, 2));
      Tensor loss = ThermometerDiff.lossFn(tP, T_C);
      loss.backward();
      try (var g = Autograd.noGrad()) {
        params.sub_(params.grad().mul(1e-2));
      }
      if (epoch % 500 == 0) {
        lines.add(String.format(Locale.ROOT, "Epoch %d, Loss %f", epoch, loss.item()));
      }
    }
    assertEquals(List.of("Epoch 500, Loss 7.860116", "Epoch 1000, Loss 3.828538", "Epoch 1500, Loss 3.092191",
        "Epoch 2000, Loss 2.957697", "Epoch 2500, Loss 2.933134", "Epoch 3000, Loss 2.928648",
        "Epoch 3500, Loss 2.927830", "Epoch 4000, Loss 2.927679", "Epoch 4500, Loss 2.927652",
        "Epoch 5000, Loss 2.927647"), lines);
    assertEquals("tensor([  5.3671, -17.3012], requiresGrad=true)", params.toString());
    assertTrue(params.isLeaf());
  }
}
