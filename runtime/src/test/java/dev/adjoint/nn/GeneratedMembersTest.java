package dev.adjoint.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Module#Module(Module.Members)}: members listed by a (here hand-written, in the processor's
 * shape) member list are what {@code parameters()}, {@code namedChildren()}, {@code train()},
 * {@code stateDict()} and {@code toString()} see, in PyTorch's order; the processor's own tests check
 * that it generates such lists.
 */
class GeneratedMembersTest {

  /** Like a processor-written module: fields, and the list that {@code NetDiff.MEMBERS} would be. */
  static final class Net extends Module {
    static final Members MEMBERS = (module, v) -> {
      Net self = (Net) module;
      v.parameter("scale", self.scale);
      v.module("fc1", self.fc1);
      v.module("act", self.act);
      v.module("fc2", self.fc2);
    };

    Tensor scale = Tensor.ones(3);
    final Linear fc1 = new Linear(4, 3, true, new Generator(1));
    final ReLU act = new ReLU();
    Linear fc2 = new Linear(3, 2, true, new Generator(2));

    Net() {
      super(MEMBERS);
    }

    @Override
    public Tensor forward(Tensor x) {
      return fc2.forward(act.forward(fc1.forward(x)).mul(scale));
    }
  }

  @Test
  void parametersFollowTheFieldsInPyTorchsOrder() {
    Net net = new Net();
    assertEquals(List.of("scale", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"),
        List.copyOf(net.namedParameters().keySet()));
    assertSame(net.fc1.weight(), net.namedParameters().get("fc1.weight"));
    assertTrue(net.scale.requiresGrad(), "a field parameter requires grad once listed");
    assertEquals(List.of("fc1", "act", "fc2"), List.copyOf(net.namedChildren().keySet()));
    assertEquals(net.namedParameters(), net.stateDict());
  }

  @Test
  void fieldsAreReadWhenAskedFor() {
    Net net = new Net();
    Linear replaced = new Linear(3, 2, true, new Generator(3));
    net.fc2 = replaced;
    assertSame(replaced.weight(), net.namedParameters().get("fc2.weight"));
  }

  @Test
  void trainAndEvalReachFieldChildren() {
    Net net = new Net();
    net.eval();
    assertFalse(net.fc1.isTraining());
    net.train();
    assertTrue(net.fc2.isTraining());
  }

  @Test
  void gradientsReachFieldParametersAndZeroGradClearsThem() {
    Net net = new Net();
    net.parameters();
    net.forward(Tensor.randn(new Generator(4), 5, 4)).sum().backward();
    for (Tensor p : net.parameters()) {
      assertTrue(p.grad() != null);
    }
    net.zeroGrad(true);
    for (Tensor p : net.parameters()) {
      assertEquals(null, p.grad());
    }
  }

  @Test
  void toStringListsFieldChildren() {
    String s = new Net().toString();
    assertTrue(s.startsWith("Net(\n  (fc1): Linear(in_features=4, out_features=3, bias=true)\n  (act): ReLU()"), s);
  }

  @Test
  void aNullFieldIsAnErrorNamingIt() {
    Net net = new Net();
    net.scale = null;
    IllegalStateException e = assertThrows(IllegalStateException.class, net::parameters);
    assertEquals("Net.scale is null: a parameter field must be assigned in the constructor", e.getMessage());
  }

  @Test
  void aNonLeafFieldIsAnError() {
    Net net = new Net();
    net.scale = Tensor.ones(3).requiresGrad(true).mul(2);
    IllegalStateException e = assertThrows(IllegalStateException.class, net::parameters);
    assertEquals("Net.scale: a parameter must be a leaf tensor (it was made by MulBackward0); use detach()",
        e.getMessage());
  }
}
