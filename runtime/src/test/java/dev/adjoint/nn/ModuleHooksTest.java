package dev.adjoint.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import dev.adjoint.autograd.RemovableHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Module hooks as PyTorch 1.13's {@code Module.__call__} runs them; the expectations were checked against
 * {@code nn.Linear(3, 2)} with {@code register_forward_pre_hook}, {@code register_forward_hook} (returning
 * {@code out * 2}) and {@code register_full_backward_hook} (returning {@code grad_input * 10}): the order
 * pre, forward, backward; {@code y.grad_fn} is {@code BackwardHookFunctionBackward} over {@code MulBackward0};
 * the hook sees the gradient of the replaced output and of the input, and its replacement reaches
 * {@code x.grad}; with an input that does not require grad it gets {@code (None,)}.
 */
class ModuleHooksTest {
  private static final float[] W = {0.5f, -1f, 2f, 1.5f, 0.25f, -0.75f};

  private static Linear linear() {
    Linear lin = new Linear(3, 2);
    lin.loadStateDict(Map.of("weight", Tensor.wrap(W.clone(), 2, 3), "bias", Tensor.of(0.1f, -0.2f)));
    return lin;
  }

  @Test
  void preForwardAndFullBackwardHooksRunInPyTorchsOrderAndMayReplace() {
    Linear lin = linear();
    List<String> log = new ArrayList<>();
    List<Tensor[]> seen = new ArrayList<>();
    lin.registerForwardPreHook((m, in) -> {
      log.add("pre");
      return null;
    });
    lin.registerForwardHook((m, in, out) -> {
      log.add("forward");
      return out.mul(2);
    });
    lin.registerFullBackwardHook((m, gin, gout) -> {
      log.add("backward");
      seen.add(gin);
      seen.add(gout);
      return new Tensor[] {gin[0].mul(10)};
    });
    Tensor x = Tensor.ones(1, 3).requiresGrad(true);
    Tensor y = lin.call(x);
    assertEquals("BackwardHookFunctionBackward", y.gradFn().name());
    assertEquals("MulBackward0", y.gradFn().nextFunctions()[0].node().name());
    y.sum().backward();
    assertEquals(List.of("pre", "forward", "backward"), log);
    // grad_input = 2 * (column sums of W); grad_output = ones
    float[] gin = {2 * (W[0] + W[3]), 2 * (W[1] + W[4]), 2 * (W[2] + W[5])};
    assertArrayEquals(gin, seen.get(0)[0].toFloatArray(), 1e-6f);
    assertArrayEquals(new float[] {1, 1}, seen.get(1)[0].toFloatArray());
    assertArrayEquals(new float[] {10 * gin[0], 10 * gin[1], 10 * gin[2]}, x.grad().toFloatArray(), 1e-5f);
  }

  @Test
  void aPreHookMayReplaceTheInput() {
    Linear lin = linear();
    lin.registerForwardPreHook((m, in) -> in.mul(0));
    assertArrayEquals(new float[] {0.1f, -0.2f}, lin.call(Tensor.ones(1, 3)).toFloatArray());
    assertArrayEquals(new float[] {1.6f, 0.8f}, lin.forward(Tensor.ones(1, 3)).toFloatArray(),
        1e-6f, "forward() called directly skips the hooks, as in PyTorch");
  }

  @Test
  void anInputThatDoesNotRequireGradGivesNullAndMayNotBeReplaced() {
    Linear lin = linear();
    List<Tensor[]> seen = new ArrayList<>();
    RemovableHandle h = lin.registerFullBackwardHook((m, gin, gout) -> {
      seen.add(gin);
      return null;
    });
    lin.call(Tensor.ones(1, 3)).sum().backward();
    assertEquals(1, seen.size());
    assertNull(seen.get(0)[0]);
    h.remove();
    lin.registerFullBackwardHook((m, gin, gout) -> new Tensor[] {Tensor.ones(1, 3)});
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> lin.call(Tensor.ones(1, 3)).sum().backward());
    assertTrue(e.getMessage().contains("Backward hook for Modules where no input requires gradient should always "
        + "return None or None for all gradients."), e.getMessage());
  }

  @Test
  void aHookReturningTheWrongNumberOfGradientsIsAnError() {
    Linear lin = linear();
    lin.registerFullBackwardHook((m, gin, gout) -> new Tensor[] {gin[0], gin[0]});
    Tensor x = Tensor.ones(1, 3).requiresGrad(true);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> lin.call(x).sum().backward());
    assertTrue(e.getMessage().contains("Backward hook returned an invalid number of grad_input, got 2, but "
        + "expected 1"), e.getMessage());
  }

  @Test
  void handlesRemoveTheirHookAndContainersCallTheirChildren() {
    Linear lin = linear();
    ReLU relu = new ReLU();
    Sequential net = new Sequential(lin, relu, new Linear(2, 1));
    List<Tensor> features = new ArrayList<>();
    RemovableHandle h = relu.registerForwardHook((m, in, out) -> {
      features.add(out);
      return null;
    });
    net.call(Tensor.ones(1, 3));
    try (var g = Autograd.noGrad()) {
      net.call(Tensor.ones(1, 3)); // no-grad Sequential fuses linear+relu, but not around a hooked module
    }
    assertEquals(2, features.size());
    assertArrayEquals(new float[] {1.6f, 0.8f}, features.get(1).toFloatArray(), 1e-6f);
    h.remove();
    h.remove(); // removing twice is harmless
    net.call(Tensor.ones(1, 3));
    assertEquals(2, features.size());
  }
}
