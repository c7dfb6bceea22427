package dev.adjoint.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The lambda forms of the anomaly and saved-tensor-hook scopes (the outside user's finding: the try-with-resources
 * forms made {@code -Xlint:all} warn in user code when the scope variable was not read).
 */
class LambdaScopesTest {
  @Test
  void detectAnomalyRunsItsBodyInTheModeAndRestoresIt() {
    assertFalse(Autograd.isAnomalyEnabled());
    Tensor x = Tensor.of(0f, 1f).requiresGrad(true);
    RuntimeException e = assertThrows(RuntimeException.class, () -> Autograd.detectAnomaly(() -> {
      assertTrue(Autograd.isAnomalyEnabled());
      x.sqrt().div(x.sqrt()).sum().backward();
    }));
    assertTrue(e.getMessage().contains("Function 'DivBackward0' returned"), e.getMessage());
    assertFalse(Autograd.isAnomalyEnabled(), "restored after the body threw");
  }

  @Test
  void savedTensorsHooksPackInsideTheBodyOnly() {
    AtomicInteger packed = new AtomicInteger();
    Tensor x = Tensor.of(0.5f, 2f).requiresGrad(true);
    Tensor loss = Autograd.savedTensorsHooks(t -> {
      packed.incrementAndGet();
      return t;
    }, o -> (Tensor) o, () -> x.mul(x).sum());
    int inside = packed.get();
    assertTrue(inside > 0, "mul saved its inputs through pack");
    x.exp().sum();
    assertEquals(inside, packed.get(), "no hook after the body");
    loss.backward();
    assertEquals(1f, x.grad().get(0), 1e-6);
    assertEquals(4f, x.grad().get(1), 1e-6);
  }
}
