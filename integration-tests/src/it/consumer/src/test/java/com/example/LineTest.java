package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import org.junit.jupiter.api.Test;

class LineTest {
  final Tensor x = Tensor.of(1f, 2f, 3f, 4f);
  final Tensor y = Tensor.of(3f, 5f, 7f, 9f); // y = 2x + 1

  @Test
  void backwardThroughTheGeneratedCodeFillsGrad() {
    Tensor w = Tensor.of(1f).requiresGrad(true);
    Tensor b = Tensor.of(0f).requiresGrad(true);
    Tensor loss = LineDiff.loss(w, b, x, y);
    loss.backward();
    // residuals w x + b - y = -(x + 1) = -2, -3, -4, -5
    assertEquals((4 + 9 + 16 + 25) / 4.0, loss.item(), 1e-5);
    assertEquals(2 * (-2 * 1 - 3 * 2 - 4 * 3 - 5 * 4) / 4.0, w.grad().item(), 1e-5);
    assertEquals(2 * (-2 - 3 - 4 - 5) / 4.0, b.grad().item(), 1e-5);
  }

  @Test
  void valueAndGradAgreesWithBackward() {
    var vg = LineDiff.lossValueAndGrad(Tensor.of(1f), Tensor.of(0f), x, y);
    assertEquals(13.5, vg.value().item(), 1e-5);
    assertEquals(-20.0, vg.gradient().w().item(), 1e-5);
    assertEquals(-7.0, vg.gradient().b().item(), 1e-5);
  }

  @Test
  void gradientDescentUnderNoGradFitsTheLine() {
    Tensor w = Tensor.of(0f).requiresGrad(true);
    Tensor b = Tensor.of(0f).requiresGrad(true);
    for (int step = 0; step < 2000; step++) {
      LineDiff.loss(w, b, x, y).backward();
      Autograd.noGrad(() -> {
        w.sub_(w.grad().mul(0.05));
        b.sub_(b.grad().mul(0.05));
      });
      w.grad().zero_();
      b.grad().zero_();
    }
    assertEquals(2.0, w.item(), 1e-3);
    assertEquals(1.0, b.item(), 1e-3);
    Tensor prediction = Autograd.noGrad(() -> w.mul(x).add(b));
    assertFalse(prediction.requiresGrad());
    assertTrue(Autograd.isGradEnabled());
  }

  @Test
  void scalarGradient() {
    var g = LineDiff.softSquareGrad(2.0, 3.0);
    assertEquals(2 * 2.0 * 3.0 + Math.cos(2.0), g.x(), 1e-12);
    assertEquals(2.0 * 2.0, g.y(), 1e-12);
  }
}
