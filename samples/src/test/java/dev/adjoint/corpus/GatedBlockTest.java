package dev.adjoint.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The outside user's silent lost gradient: a parameter field of a generated module required grad only after
 * the first {@code parameters()} call, so {@code block.call(x).sum().backward()} before it left {@code gate.grad}
 * null. {@code call} now marks the parameters first, as {@code nn.Parameter} requires grad from construction.
 */
class GatedBlockTest {
  @Test
  void aParameterFieldGetsItsGradientWithoutAParametersCall() {
    GatedBlock b = new GatedBlock(4);
    Tensor x = Tensor.randn(new Generator(3), 2, 4);
    b.call(x).sum().backward();
    assertTrue(b.gate.requiresGrad(), "gate requires grad after the first call");
    assertNotNull(b.gate.grad(), "gate.grad");
    // d/dgate_j of sum_i (x_ij + tanh(inner(x))_ij * gate_j) = sum_i tanh(inner(x))_ij
    Tensor y = b.inner.forward(x).detach().tanh().sum(0);
    for (int j = 0; j < 4; j++) {
      assertEquals(y.get(j), b.gate.grad().get(j), 1e-6, "gate.grad[" + j + "]");
    }
  }

  /**
   * The outside user's finding: a field that is also registered ({@code gate = registerParameter("gate", t)})
   * threw on the first {@code parameters()}; one object named twice is one parameter.
   */
  @Test
  void aFieldThatIsAlsoRegisteredIsOneParameter() {
    RegisteredGateBlock b = new RegisteredGateBlock(4);
    assertEquals(3, b.parameters().size(), "inner.weight, inner.bias, gate");
    Tensor x = Tensor.randn(new Generator(3), 2, 4);
    b.call(x).sum().backward();
    assertNotNull(b.gate.grad(), "gate.grad");
  }
}
