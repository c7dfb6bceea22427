package dev.adjoint.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A {@code @Differentiable forward} called directly on a fresh module ({@code net.forward(x)}, before any
 * {@code call} or {@code parameters()}) used to run with the raw fields unmarked, so their gradients stayed null: a
 * silent lost gradient. The next recorded operation now marks the parameters of modules constructed since
 * ({@code ParameterMarks}), once every field is assigned.
 */
class DirectForwardNetTest {

  @Test
  void aDirectForwardOnAFreshModuleFillsEveryParametersGradient() {
    Tensor x = Tensor.randn(new Generator(7), 5, 4);
    DirectForwardNet direct = new DirectForwardNet(11);
    direct.forward(x).sum().backward();
    DirectForwardNet called = new DirectForwardNet(11);
    called.call(x).sum().backward();
    List<Tensor> p = direct.parameters();
    List<Tensor> q = called.parameters();
    assertTrue(p.size() == 4 && q.size() == 4, "w, scale, head.weight, head.bias");
    for (int i = 0; i < p.size(); i++) {
      assertNotNull(p.get(i).grad(), "parameter " + i + " has a gradient after a direct forward");
      assertArrayEquals(q.get(i).grad().toFloatArray(), p.get(i).grad().toFloatArray(), "parameter " + i);
    }
  }

  @Test
  void theGeneratedForwardGivesTheSameGradients() {
    Tensor x = Tensor.randn(new Generator(8), 5, 4);
    DirectForwardNet eager = new DirectForwardNet(12);
    eager.forward(x).sum().backward();
    DirectForwardNet generated = new DirectForwardNet(12);
    DirectForwardNetDiff.forward(generated, x).sum().backward();
    assertArrayEquals(generated.w.grad().toFloatArray(), eager.w.grad().toFloatArray(), 1e-6f);
    assertArrayEquals(generated.scale.grad().toFloatArray(), eager.scale.grad().toFloatArray(), 1e-6f);
  }

  @Test
  void fieldsDerivedInTheConstructorStayLeaves() {
    DirectForwardNet net = new DirectForwardNet(13);
    Tensor.zeros(1).add(1); // a recorded operation after construction: marks the module
    assertTrue(net.w.requiresGrad() && net.w.isLeaf(), "w");
    assertTrue(net.scale.requiresGrad() && net.scale.isLeaf(), "scale, computed from w before w was marked");
  }
}
