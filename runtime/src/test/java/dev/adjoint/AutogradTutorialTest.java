package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.adjoint.nn.F;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Seed 003 (PyTorch's autograd tutorial): z = x·w + b, loss = binaryCrossEntropyWithLogits(z, y) with
 * w and b taken from PyTorch's {@code torch.manual_seed(1); torch.randn(5, 3); torch.randn(3)}
 * (goldens/autograd.json). Checks the gradients, the doubling after backward(retainGraph) + backward(),
 * the freed-graph error, the printed strings and gradFn names, noGrad and detach.
 */
class AutogradTutorialTest {
  static final JsonObject G = Goldens.load("autograd.json");

  Tensor x;
  Tensor y;
  Tensor w;
  Tensor b;

  @BeforeEach
  void setUp() {
    x = Tensor.ones(5);
    y = Tensor.zeros(3);
    w = Goldens.tensor(G.get("w")).requiresGrad(true);
    b = Goldens.tensor(G.get("b")).requiresGrad(true);
  }

  Tensor loss() {
    Tensor z = x.matmul(w).add(b);
    return F.binaryCrossEntropyWithLogits(z, y);
  }

  @Test
  void forwardAndGradFnNamesMatchPyTorch() {
    Tensor z = x.matmul(w).add(b);
    Tensor loss = F.binaryCrossEntropyWithLogits(z, y);
    assertClose(Goldens.tensor(G.get("z")), z, 1e-6);
    assertClose(Goldens.tensor(G.get("loss")), loss, 1e-6);
    assertEquals(G.get("zGradFn").getAsString(), z.gradFn().name());
    assertEquals("AddBackward0", z.gradFn().name());
    assertEquals(G.get("lossGradFn").getAsString(), loss.gradFn().name());
    assertEquals("BinaryCrossEntropyWithLogitsBackward0", loss.gradFn().name());
    assertEquals(Goldens.javaNames(G.get("lossStr").getAsString()), loss.toString());
  }

  @Test
  void gradientsMatchPyTorchAndTheSeedPrint() {
    Tensor loss = loss();
    assertEquals(null, w.grad());
    loss.backward();
    assertClose(Goldens.tensor(G.get("wGrad")), w.grad(), 1e-5);
    assertClose(Goldens.tensor(G.get("bGrad")), b.grad(), 1e-5);
    assertEquals(Goldens.javaNames(G.get("wGradStr").getAsString()), w.grad().toString());
    assertEquals(Goldens.javaNames(G.get("bGradStr").getAsString()), b.grad().toString());
    // the numbers seed 003 prints for torch.manual_seed(1)
    assertEquals("tensor([[0.1083, 0.0369, 0.0726],\n"
        + "        [0.1083, 0.0369, 0.0726],\n"
        + "        [0.1083, 0.0369, 0.0726],\n"
        + "        [0.1083, 0.0369, 0.0726],\n"
        + "        [0.1083, 0.0369, 0.0726]])", w.grad().toString());
    assertEquals("tensor([0.1083, 0.0369, 0.0726])", b.grad().toString());
  }

  @Test
  void retainGraphThenBackwardDoublesTheGradient() {
    Tensor loss = loss();
    loss.backward(true);
    Tensor once = w.grad().copy();
    loss.backward();
    assertClose(Goldens.tensor(G.get("wGrad2")), w.grad(), 1e-5);
    assertClose(Goldens.tensor(G.get("bGrad2")), b.grad(), 1e-5);
    assertArrayEquals(once.mul(2.0).toFloatArray(), w.grad().toFloatArray(), "exactly twice the first gradient");
    assertEquals(Goldens.javaNames(G.get("wGrad2Str").getAsString()), w.grad().toString());
    assertEquals(Goldens.javaNames(G.get("bGrad2Str").getAsString()), b.grad().toString());
    assertTrue(w.grad().toString().startsWith("tensor([[0.2166, 0.0739, 0.1452],\n"));
    assertEquals("tensor([0.2166, 0.0739, 0.1452])", b.grad().toString());
  }

  @Test
  void aSecondBackwardThroughAFreedGraphThrowsPyTorchsMessage() {
    Tensor loss = loss();
    loss.backward();
    Tensor before = w.grad().copy();
    IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
    assertTrue(e.getMessage().startsWith("BinaryCrossEntropyWithLogitsBackward0: Trying to backward through the "
        + "graph a second time (or directly access saved tensors after they have already been freed)."),
        e.getMessage());
    assertTrue(e.getMessage().contains("Specify retainGraph=true if you need to backward through the graph a "
        + "second time"), e.getMessage());
    assertTrue(G.get("freedError").getAsString().startsWith("Trying to backward through the graph a second time"
        + " (or directly access saved tensors after they have already been freed)."));
    assertArrayEquals(before.toFloatArray(), w.grad().toFloatArray(), "a failed backward changes no gradient");
  }

  @Test
  void noGradAndDetachStopTracking() {
    Tensor z = x.matmul(w).add(b);
    assertTrue(z.requiresGrad());
    try (var g = Autograd.noGrad()) {
      Tensor z2 = x.matmul(w).add(b);
      assertFalse(z2.requiresGrad());
      assertEquals(null, z2.gradFn());
    }
    Tensor zDet = z.detach();
    assertFalse(zDet.requiresGrad());
    assertTrue(zDet.isLeaf());
    assertArrayEquals(z.toFloatArray(), zDet.toFloatArray());
  }

  static void assertClose(Tensor expected, Tensor actual, double rtol) {
    assertArrayEquals(expected.shape(), actual.shape(), "shape");
    float[] e = expected.toFloatArray();
    float[] a = actual.toFloatArray();
    for (int i = 0; i < e.length; i++) {
      assertEquals(e[i], a[i], rtol * Math.max(1e-3, Math.abs(e[i])), "element " + i + " of " + actual);
    }
  }
}
