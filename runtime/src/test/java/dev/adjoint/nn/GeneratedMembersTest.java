package dev.adjoint.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

  /**
   * A forward called directly on a fresh module (a {@code @Differentiable forward} runs its body so, with no
   * generated code before it): the first recorded operation marks the field parameters first (ParameterMarks), so
   * the backward fills their gradients as {@code call} does.
   */
  @Test
  void aDirectForwardOnAFreshModuleMarksItsFieldParameters() {
    Net net = new Net();
    assertFalse(net.scale.requiresGrad(), "not marked before any operation");
    Tensor x = Tensor.randn(new Generator(4), 2, 4);
    net.forward(x).sum().backward();
    assertTrue(net.scale.requiresGrad(), "scale");
    assertTrue(net.scale.grad() != null, "scale.grad after a direct forward");
    Net called = new Net();
    called.call(x).sum().backward();
    assertArrayEquals(called.scale.grad().toFloatArray(), net.scale.grad().toFloatArray());
  }

  /** A module whose constructor computes before its fields are assigned is marked once they all are. */
  static final class Late extends Module {
    final Tensor a;
    final Tensor b;

    Late() {
      super((module, v) -> {
        v.parameter("a", ((Late) module).a);
        v.parameter("b", ((Late) module).b);
      });
      a = Tensor.ones(2).mul(2); // recorded while a and b are unassigned: nothing is marked
      b = a.mul(3); // a is not marked yet, so b is a leaf
    }
  }

  @Test
  void aModuleIsMarkedOnlyOnceEveryFieldIsAssigned() {
    Late late = new Late();
    assertTrue(late.b.isLeaf() && !late.a.requiresGrad(), "nothing marked during construction");
    Tensor.ones(1).add(1);
    assertTrue(late.a.requiresGrad() && late.b.requiresGrad(), "marked by the next operation");
    assertEquals(2, late.parameters().size());
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
