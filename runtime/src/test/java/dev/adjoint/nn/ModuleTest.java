package dev.adjoint.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModuleTest {

  @Test
  void parametersAreListedInPyTorchOrderWithDottedNames() {
    var model = new FashionMlpGoldenTest.NeuralNetwork();
    assertEquals(List.of("linear_relu_stack.0.weight", "linear_relu_stack.0.bias", "linear_relu_stack.2.weight",
        "linear_relu_stack.2.bias", "linear_relu_stack.4.weight", "linear_relu_stack.4.bias"),
        List.copyOf(model.namedParameters().keySet()));
    assertEquals(6, model.parameters().size());
    for (Tensor p : model.parameters()) {
      assertTrue(p.requiresGrad() && p.isLeaf());
    }
    assertEquals(List.of("flatten", "linear_relu_stack"), List.copyOf(model.namedChildren().keySet()));
  }

  @Test
  void trainAndEvalReachEveryDescendant() {
    var model = new FashionMlpGoldenTest.NeuralNetwork();
    assertTrue(model.isTraining());
    model.eval();
    Sequential stack = (Sequential) model.namedChildren().get("linear_relu_stack");
    assertFalse(model.isTraining());
    assertFalse(stack.get(0).isTraining());
    model.train();
    assertTrue(stack.get(4).isTraining());
  }

  @Test
  void zeroGradClearsOrZeroesGradients() {
    Linear l = new Linear(3, 2, true, new Generator(1));
    l.forward(Tensor.ones(4, 3)).sum().backward();
    assertNotNull(l.weight().grad());
    Tensor grad = l.weight().grad();
    l.zeroGrad(); // PyTorch 1.13's default: in place
    assertSame(grad, l.weight().grad());
    assertArrayEquals(new float[6], l.weight().grad().toFloatArray());
    l.zeroGrad(true);
    assertNull(l.weight().grad());
    assertNull(l.bias().grad());
  }

  @Test
  void flattenIsAViewOfAContiguousBatchAndACopyOtherwise() {
    Tensor x = Tensor.randn(new Generator(2), 2, 1, 3, 3).requiresGrad(true);
    Tensor y = new Flatten().forward(x);
    assertTrue(y.isView(), "no copy of a contiguous batch (PyTorch's flatten)");
    assertSame(x, y.base());
    assertEquals("ReshapeAliasBackward0", y.gradFn().name());
    y.mul(Tensor.arange(18).reshape(2, 9)).sum().backward();
    assertArrayEquals(Tensor.arange(18).toFloatArray(), x.grad().toFloatArray());
    Tensor t = Tensor.randn(new Generator(3), 3, 2, 2).transpose(0, 2);
    Tensor z = new Flatten().forward(t);
    assertFalse(z.isView(), "a transposed batch is copied");
    assertArrayEquals(t.contiguous().toFloatArray(), z.toFloatArray());
  }

  @Test
  void linearInitialisationIsUniformWithinOneOverSqrtFanIn() {
    Linear l = new Linear(400, 300, true, new Generator(5));
    double bound = 1 / Math.sqrt(400);
    double sum = 0;
    double sumSq = 0;
    float[] w = l.weight().storage();
    for (float v : w) {
      assertTrue(Math.abs(v) <= bound, "weight " + v + " outside ±" + bound);
      sum += v;
      sumSq += (double) v * v;
    }
    // U(-a, a) has mean 0 and variance a²/3
    assertEquals(0, sum / w.length, 0.01 * bound);
    assertEquals(bound * bound / 3, sumSq / w.length, 0.02 * bound * bound);
    for (float v : l.bias().storage()) {
      assertTrue(Math.abs(v) <= bound);
    }
    assertEquals("Linear(in_features=400, out_features=300, bias=true)", l.toString());
    assertNull(new Linear(4, 2, false, new Generator(1)).bias());
    assertEquals(1, new Linear(4, 2, false, new Generator(1)).parameters().size());
  }

  @Test
  void sameSeedSameInitialisation() {
    assertArrayEquals(new Linear(5, 4, true, new Generator(9)).weight().toFloatArray(),
        new Linear(5, 4, true, new Generator(9)).weight().toFloatArray());
  }

  @Test
  void flattenKeepsTheBatchDimension() {
    assertArrayEquals(new int[] {2, 784}, new Flatten().forward(Tensor.zeros(2, 1, 28, 28)).shape());
    assertArrayEquals(new int[] {2, 28, 28}, new Flatten(0, 1).forward(Tensor.zeros(2, 1, 28, 28)).shape());
    var e = assertThrows(IllegalArgumentException.class, () -> new Flatten(2, 1).forward(Tensor.zeros(2, 3)));
    assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
  }

  @Test
  void dropoutDropsAndRescalesOnlyInTraining() {
    Dropout d = new Dropout(0.25, new Generator(2));
    Tensor x = Tensor.ones(10_000);
    Tensor y = d.forward(x);
    int zeros = 0;
    for (float v : y.storage()) {
      if (v == 0f) {
        zeros++;
      } else {
        assertEquals(1 / 0.75f, v, 1e-6);
      }
    }
    assertEquals(2500, zeros, 150);
    d.eval();
    assertSame(x, d.forward(x));
    assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5));
  }

  @Test
  void sequentialChainsAndReluClamps() {
    Sequential s = new Sequential(new ReLU(), new Flatten());
    Tensor y = s.forward(Tensor.of(new float[][] {{-1, 2}, {3, -4}}));
    assertArrayEquals(new float[] {0, 2, 3, 0}, y.toFloatArray());
    assertEquals(2, s.size());
    assertEquals("Sequential(\n  (0): ReLU()\n  (1): Flatten(start_dim=1, end_dim=-1)\n)", s.toString());
  }

  @Test
  void lossModulesDelegateToF() {
    Tensor logits = Tensor.of(new float[][] {{1, 2, 0.5f}, {0.1f, -1, 3}});
    Tensor target = Tensor.wrap(new float[] {1, 2}, new int[] {2}, Tensor.DType.INT64);
    assertEquals(F.crossEntropy(logits, target).item(), new CrossEntropyLoss().forward(logits, target).item());
    Tensor logp = F.logSoftmax(logits, 1);
    assertEquals(F.nllLoss(logp, target).item(), new NLLLoss().forward(logp, target).item());
    Tensor a = Tensor.of(1f, 2f, 3f);
    Tensor b = Tensor.of(0f, 1f, 1f);
    assertEquals(F.mseLoss(a, b).item(), new MSELoss().forward(a, b).item());
    assertEquals(F.binaryCrossEntropyWithLogits(a, b).item(), new BCEWithLogitsLoss().forward(a, b).item());
    var e = assertThrows(UnsupportedOperationException.class, () -> new MSELoss().forward(a));
    assertEquals("forward: MSELoss takes (input, target); call forward(input, target)", e.getMessage());
  }

  @Test
  void registrationErrorsNameTheProblem() {
    class Bad extends Module {
      Bad() {
        registerParameter("w", Tensor.ones(2));
        registerParameter("w", Tensor.ones(2));
      }
    }
    var e = assertThrows(IllegalArgumentException.class, Bad::new);
    assertEquals("registerParameter: Bad already has a member named 'w'", e.getMessage());
    class Dotted extends Module {
      Dotted() {
        registerModule("a.b", new ReLU());
      }
    }
    assertThrows(IllegalArgumentException.class, Dotted::new);
    class NoForward extends Module {}
    var f = assertThrows(UnsupportedOperationException.class, () -> new NoForward().forward(Tensor.ones(1)));
    assertEquals("forward: module NoForward does not define forward(Tensor)", f.getMessage());
  }
}
