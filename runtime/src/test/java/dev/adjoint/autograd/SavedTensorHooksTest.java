package dev.adjoint.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Saved-tensor hooks against PyTorch 1.13's {@code torch.autograd.graph.saved_tensors_hooks}, checked by hand:
 * with {@code pack = t * 1} and {@code unpack = t * 10}, {@code z = (x.pow(2) * x).sum()} packs and unpacks three
 * tensors and gives {@code x.grad = 210} at {@code x = 1}; a custom Function's {@code save_for_backward} goes
 * through the hooks too ({@code x.grad = 10}).
 */
class SavedTensorHooksTest {
  @Test
  void everySavedTensorIsPackedAndTheBackwardReadsItsUnpackedValue() {
    List<int[]> packed = new ArrayList<>();
    List<int[]> unpacked = new ArrayList<>();
    Tensor x = Tensor.ones(3).requiresGrad(true);
    Tensor z;
    try (var hooks = Autograd.savedTensorsHooks(t -> {
      packed.add(t.shape());
      return t.mul(1);
    }, o -> {
      Tensor t = (Tensor) o;
      unpacked.add(t.shape());
      return t.mul(10);
    })) {
      Tensor y = x.pow(2);
      z = y.mul(x).sum();
    }
    assertEquals(3, packed.size());
    assertEquals(0, unpacked.size());
    z.backward();
    assertEquals(3, unpacked.size());
    assertArrayEquals(new float[] {210, 210, 210}, x.grad().toFloatArray());
  }

  @Test
  void aCustomFunctionsSavedTensorsGoThroughTheHooks() {
    final class Twice extends Function {
      @Override
      public Tensor[] forward(Ctx ctx, Object... in) {
        Tensor x = (Tensor) in[0];
        ctx.saveForBackward(x);
        return new Tensor[] {x.mul(2)};
      }

      @Override
      public Tensor[] backward(Ctx ctx, Tensor... g) {
        return new Tensor[] {g[0].mul(ctx.savedTensors()[0])};
      }
    }
    int[] calls = new int[2];
    Tensor x = Tensor.ones(2).requiresGrad(true);
    Tensor y;
    try (var hooks = Autograd.savedTensorsHooks(t -> {
      calls[0]++;
      return t;
    }, o -> {
      calls[1]++;
      return ((Tensor) o).mul(10);
    })) {
      y = new Twice().apply(x);
    }
    y.sum().backward();
    assertArrayEquals(new int[] {1, 1}, calls);
    assertArrayEquals(new float[] {10, 10}, x.grad().toFloatArray());
  }

  @Test
  void theInnermostScopeAppliesAndClosingRestoresTheOuter() {
    Tensor x = Tensor.of(2f).requiresGrad(true);
    Tensor a;
    Tensor b;
    Tensor c;
    try (var outer = Autograd.savedTensorsHooks(t -> t, o -> ((Tensor) o).mul(3))) {
      try (var inner = Autograd.savedTensorsHooks(t -> t, o -> ((Tensor) o).mul(5))) {
        a = x.pow(2); // d/dx = 2 * unpack(x) = 2 * 10
      }
      b = x.pow(2); // 2 * 6
    }
    c = x.pow(2); // 2 * 2
    assertEquals(20f, Autograd.grad(a, x)[0].item());
    assertEquals(12f, Autograd.grad(b, x)[0].item());
    assertEquals(4f, Autograd.grad(c, x)[0].item());
  }

  /**
   * An in-place operation's node saves what its row saves, through the hooks as the out-of-place node would
   * (torch 1.13: {@code y = a * 1; y.mul_(b); y.sum().backward()} under hooks packs {@code b} and the old
   * {@code y}, and the unpacked values are what the backward reads).
   */
  @Test
  void anInPlaceOperationsSavedValuesGoThroughTheHooks() {
    Tensor a = Tensor.of(1f, 2f, 3f).requiresGrad(true);
    Tensor b = Tensor.of(4f, 5f, 6f).requiresGrad(true);
    List<Tensor> packed = new ArrayList<>();
    int[] unpacked = {0};
    Tensor y = a.mul(1);
    try (var hooks = Autograd.savedTensorsHooks(t -> {
      packed.add(t);
      return t;
    }, o -> {
      unpacked[0]++;
      return ((Tensor) o).mul(2);
    })) {
      y.mul_(b);
    }
    y.sum().backward();
    assertEquals(2, packed.size(), "the old y and b are packed");
    assertEquals(2, unpacked[0], "and both unpacked in backward");
    // the backward reads the unpacked (doubled) values: dy/da = 2b, dy/db = 2a
    assertArrayEquals(new float[] {8f, 10f, 12f}, a.grad().toFloatArray(), 0f);
    assertArrayEquals(new float[] {2f, 4f, 6f}, b.grad().toFloatArray(), 0f);
  }

  /** Ours, stricter than PyTorch 1.13 (which skips the check for hooked tensors): never a silent wrong gradient. */
  @Test
  void anInPlaceChangeToAHookedSavedTensorStillThrows() {
    Tensor a = Tensor.ones(3).requiresGrad(true).mul(1);
    Tensor b;
    try (var hooks = Autograd.savedTensorsHooks(t -> t, o -> (Tensor) o)) {
      b = a.exp();
    }
    b.mul_(2);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.sum().backward());
    assertTrue(e.getMessage().contains("modified by an inplace operation"), e.getMessage());
  }

  @Test
  void anUnpackOfAnotherShapeIsAnError() {
    Tensor x = Tensor.ones(3).requiresGrad(true);
    Tensor y;
    try (var hooks = Autograd.savedTensorsHooks(t -> t, o -> Tensor.ones(2))) {
      y = x.pow(2).sum();
    }
    IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
    assertTrue(e.getMessage().contains("the unpack hook returned a tensor of shape [2] for a saved tensor of shape [3]"),
        e.getMessage());
  }
}
