package com.example.modular;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Tensor;
import dev.adjoint.kernel.Kernels;
import org.junit.jupiter.api.Test;

class QuadraticTest {
  @Test
  void adjointAndThisCodeRunAsNamedModules() {
    Module runtime = Tensor.class.getModule();
    assertEquals("dev.adjoint.runtime", runtime.getName());
    assertFalse(runtime.getDescriptor().isAutomatic(), "the runtime ships a module-info");
    assertEquals("com.example.modular", QuadraticTest.class.getModule().getName());
    assertTrue(runtime.isExported("dev.adjoint.nn"));
    assertFalse(runtime.isExported("dev.adjoint.kernel.vector"), "the Vector API kernels stay internal");
    // `requires static jdk.incubator.vector`: read when resolved (surefire adds it), and then the vector kernels run
    Module vector = ModuleLayer.boot().findModule("jdk.incubator.vector").orElseThrow();
    assertTrue(runtime.canRead(vector));
    assertTrue(Kernels.get().name().startsWith("vector"), Kernels.get().name());
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
