package com.example.modular;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Tensor;
import org.junit.jupiter.api.Test;

class QuadraticTest {
  @Test
  void adjointAndThisCodeRunAsNamedModules() {
    assertEquals("dev.adjoint.runtime", Tensor.class.getModule().getName());
    assertEquals("com.example.modular", QuadraticTest.class.getModule().getName());
    Module vector = ModuleLayer.boot().findModule("jdk.incubator.vector").orElseThrow();
    assertTrue(Tensor.class.getModule().canRead(vector), "an automatic module reads every resolved module");
  }

  @Test
  void theGeneratedBackwardRunsInTheModule() {
    Tensor a = Tensor.of(2f).requiresGrad(true);
    Tensor x = Tensor.of(1f, 2f, 3f);
    Tensor y = Tensor.of(1f, 1f, 1f);
    Tensor loss = QuadraticDiff.loss(a, x, y);
    loss.backward();
    // residuals 1, 3, 5: loss 35, d/da = sum(2 r x) = 2 (1 + 6 + 15)
    assertEquals(35f, loss.item(), 1e-5);
    assertEquals(44f, a.grad().item(), 1e-5);
  }
}
