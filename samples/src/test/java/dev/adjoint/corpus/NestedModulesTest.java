package dev.adjoint.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A module holding a user module ({@code Gate}, composed through its generated pullback) and a library
 * module ({@code Linear}, a primitive with receiver inputs): gradients of every nested parameter equal the
 * eager ones and central differences, and an in-place change to a parameter that only the nested pullback
 * saved is caught at backward, as PyTorch's version counter catches it.
 */
class NestedModulesTest {
  private static final Tensor X = Tensor.randn(new Generator(21), 5, 3);

  @Test
  void parametersListNestedFieldsInPyTorchsOrder() {
    assertEquals(List.of("out", "in.weight", "in.bias", "gate.scale", "gate.shift"),
        List.copyOf(new NestedModules().namedParameters().keySet()));
  }

  @Test
  void gradientsOfNestedParametersEqualEagerAndCentralDifferences() {
    NestedModules m = new NestedModules();
    var r = NestedModulesDiff.forwardValueAndGrad(m, X);
    m.parameters();
    m.forward(X).backward();
    Map<String, Tensor> eager = m.namedParameters();
    Tensor[] generated = {r.gradient().out(), r.gradient().inWeight(), r.gradient().inBias(),
        r.gradient().gateScale(), r.gradient().gateShift()};
    String[] names = {"out", "in.weight", "in.bias", "gate.scale", "gate.shift"};
    for (int i = 0; i < names.length; i++) {
      float[] want = eager.get(names[i]).grad().toFloatArray();
      float[] got = generated[i].toFloatArray();
      for (int j = 0; j < want.length; j++) {
        assertEquals(want[j], got[j], 1e-5 * Math.max(1, Math.abs(want[j])), names[i] + "[" + j + "]");
      }
      // central differences on the first element, in double around the float value
      Tensor p = eager.get(names[i]);
      float saved = p.storage()[0];
      double h = 1e-2;
      double up;
      double down;
      try (var noGrad = Autograd.noGrad()) {
        p.storage()[0] = (float) (saved + h);
        up = m.forward(X).item();
        p.storage()[0] = (float) (saved - h);
        down = m.forward(X).item();
        p.storage()[0] = saved;
      }
      assertEquals((up - down) / (2 * h), got[0], 2e-3 * Math.max(1, Math.abs(got[0])), names[i] + " vs central");
    }
  }

  @Test
  void aTrackedCallAccumulatesIntoEveryNestedParameter() {
    NestedModules m = new NestedModules();
    m.parameters();
    Tensor loss = NestedModulesDiff.forward(m, X);
    assertEquals("NestedModulesForwardBackward", loss.gradFn().name());
    loss.backward();
    NestedModules e = new NestedModules();
    e.parameters();
    e.forward(X).backward();
    assertArrayEquals(e.gate.shift.grad().toFloatArray(), m.gate.shift.grad().toFloatArray(), 1e-6f);
    assertArrayEquals(e.in.weight().grad().toFloatArray(), m.in.weight().grad().toFloatArray(), 1e-6f);
  }

  @Test
  void anInPlaceChangeToANestedSavedParameterIsCaught() {
    NestedModules m = new NestedModules();
    m.parameters();
    Tensor loss = NestedModulesDiff.forward(m, X);
    try (var noGrad = Autograd.noGrad()) {
      m.gate.scale.mul_(2);
    }
    IllegalStateException ex = assertThrows(IllegalStateException.class, loss::backward);
    assertTrue(ex.getMessage().contains("modified by an inplace operation"), ex.getMessage());
    assertTrue(ex.getMessage().contains("NestedModules.java"), ex.getMessage());
  }
}
