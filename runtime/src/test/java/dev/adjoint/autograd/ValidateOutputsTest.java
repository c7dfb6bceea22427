package dev.adjoint.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import dev.adjoint.shape.Shapes;
import org.junit.jupiter.api.Test;

/**
 * PyTorch's {@code validate_outputs}: a node's gradient whose shape its input broadcasts to is summed back to the
 * input's shape ({@code sum_to}); any other shape is PyTorch's error, naming the node. Applies to every node the
 * engine runs (a generated method's node, a custom {@link Function}); before, the engine threw "a bug in the rule;
 * please report it" for a node user code had made.
 */
class ValidateOutputsTest {
  private static Tensor x() {
    return Tensor.wrap(new double[] {0.1, -0.4, 0.9, 1.2, 0.3, -0.8}, 2, 3);
  }

  private static Tensor b() {
    return Tensor.wrap(new double[] {0.7, 1.1, 1.4}, 3);
  }

  @Test
  void expandableToIsPyTorchs() {
    assertTrue(Shapes.expandableTo(new int[] {3}, new int[] {2, 3}));
    assertTrue(Shapes.expandableTo(new int[] {1, 3}, new int[] {4, 2, 3}));
    assertTrue(Shapes.expandableTo(new int[] {}, new int[] {2, 3}));
    assertTrue(Shapes.expandableTo(new int[] {2, 1}, new int[] {2, 3}));
    assertFalse(Shapes.expandableTo(new int[] {3}, new int[] {3, 2}));
    assertFalse(Shapes.expandableTo(new int[] {1, 3}, new int[] {3}), "more dimensions than the target");
    assertFalse(Shapes.expandableTo(new int[] {2, 3}, new int[] {3}));
  }

  /** A node (as generated code records one) whose adjoint returns {@code g} unreduced for the bias. */
  private static Tensor biasNode(Tensor x, Tensor b, boolean transposed) {
    Tensor out;
    try (var g = Autograd.noGrad()) {
      out = x.add(b);
    }
    return Autograd.record("BiasBackward", "User.java:7", out, new Tensor[] {x, b}, new Tensor[0],
        up -> Grads.of(up, transposed ? up.t() : up));
  }

  @Test
  void aBroadcastGradientIsSummedToTheInputsShape() {
    Tensor x = x().requiresGrad(true);
    Tensor b = b().requiresGrad(true);
    Tensor w = Tensor.wrap(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
    biasNode(x, b, false).mul(w).sum().backward();
    assertArrayEquals(new int[] {3}, b.grad().shape());
    assertArrayEquals(new double[] {5, 7, 9}, b.grad().toDoubleArray(), 0);
    assertArrayEquals(w.toDoubleArray(), x.grad().toDoubleArray(), 0);
    // the same through Autograd.grad, and a float32 leaf whose grad buffer the engine hands to the adjoint
    Tensor b2 = b().requiresGrad(true);
    Tensor[] g = Autograd.grad(new Tensor[] {biasNode(x(), b2, false).mul(w).sum()}, new Tensor[] {b2}, null, false,
        false, false);
    assertArrayEquals(new double[] {5, 7, 9}, g[0].toDoubleArray(), 0);
    Tensor b3 = Tensor.of(0.7f, 1.1f, 1.4f).requiresGrad(true);
    Tensor x3 = Tensor.of(new float[][] {{0.1f, -0.4f, 0.9f}, {1.2f, 0.3f, -0.8f}});
    biasNode(x3, b3, false).sum().backward();
    assertArrayEquals(new float[] {2, 2, 2}, b3.grad().toFloatArray(), 0);
  }

  @Test
  void anotherShapeIsPyTorchsError() {
    Tensor x = x().requiresGrad(true);
    Tensor b = b().requiresGrad(true);
    String m = assertThrows(IllegalStateException.class, () -> biasNode(x, b, true).sum().backward()).getMessage();
    assertEquals("BiasBackward: Function BiasBackward returned an invalid gradient at index 1 - got [3, 2] but"
        + " expected shape compatible with [3]", m);
  }

  /** Under createGraph the sum is recorded: the summed gradient is differentiated again. */
  @Test
  void theSumIsRecordedUnderCreateGraph() {
    final class Scale extends Function {
      @Override
      public Object[] forward(Ctx ctx, Object... in) {
        ctx.saveForBackward((Tensor) in[0], (Tensor) in[1]);
        return new Tensor[] {((Tensor) in[0]).mul((Tensor) in[1])};
      }

      @Override
      public Tensor[] backward(Ctx ctx, Tensor... g) {
        Tensor a = ctx.savedTensors()[0];
        Tensor s = ctx.savedTensors()[1];
        return new Tensor[] {g[0].mul(s), g[0].mul(a)}; // s's gradient unreduced: a's shape
      }
    }
    Tensor x = x().requiresGrad(true);
    Tensor b = b().requiresGrad(true);
    Tensor loss = new Scale().apply(x, b).square().sum();
    Tensor[] g = Autograd.grad(new Tensor[] {loss}, new Tensor[] {b}, null, true, true, false);
    assertArrayEquals(new int[] {3}, g[0].shape());
    // d/db_j of sum_i 2 x_ij^2 b_j = 2 sum_i x_ij^2 b_j, and its derivative in b_j is 2 sum_i x_ij^2
    Tensor[] h = Autograd.grad(new Tensor[] {g[0].sum()}, new Tensor[] {b}, null, false, false, false);
    double[] xs = x().toDoubleArray();
    for (int j = 0; j < 3; j++) {
      assertEquals(2 * (xs[j] * xs[j] + xs[3 + j] * xs[3 + j]), h[0].toDoubleArray()[j], 1e-12);
    }
  }
}
