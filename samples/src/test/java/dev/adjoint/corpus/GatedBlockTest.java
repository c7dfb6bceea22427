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
   * The same through a direct {@code forward(x)}, which delegates to the generated tracked forward: it marks the
   * parameters too (one flag), so a fresh module's {@code forward(x).sum().backward()} fills every parameter's
   * gradient, equal to the one {@code call} gives.
   */
  @Test
  void aDirectForwardOnAFreshModuleFillsEveryParametersGradient() {
    Tensor x = Tensor.randn(new Generator(3), 2, 4);
    GatedBlock direct = new GatedBlock(4);
    GatedBlock called = new GatedBlock(4);
    called.inner.weight().setData(direct.inner.weight().detach().clone());
    called.inner.bias().setData(direct.inner.bias().detach().clone());
    direct.forward(x).sum().backward();
    called.call(x).sum().backward();
    assertNotNull(direct.gate.grad(), "gate.grad after a direct forward");
    assertNotNull(direct.inner.weight().grad(), "inner.weight.grad");
    assertNotNull(direct.inner.bias().grad(), "inner.bias.grad");
    for (int j = 0; j < 4; j++) {
      assertEquals(called.gate.grad().get(j), direct.gate.grad().get(j), 0, "gate.grad[" + j + "]");
    }
    assertEquals(called.inner.weight().grad().sum().item(), direct.inner.weight().grad().sum().item(), 0);
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
