package dev.adjoint.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.autograd.Grads;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The library modules whose {@code forward} is a {@code @Primitive} with receiver inputs (what lets a
 * {@code @Differentiable} module hold them as fields): the adjoint the annotation names has the
 * convention's signature (g, out, module, parameters..., receiver inputs...), returns null for the module,
 * and gives bit for bit the gradients that the eager node gives; the node name is the eager one.
 */
class ModulePrimitiveTest {

  /** The adjoint named by the annotation, called on (g, out, module, x, receiver inputs...). */
  private static Grads adjoint(Module m, Tensor x, Tensor out, Tensor g) throws Exception {
    Method forward = m.getClass().getMethod("forward", Tensor.class);
    Primitive p = forward.getAnnotation(Primitive.class);
    List<Object> args = new ArrayList<>(List.of(g, out, m, x));
    List<Class<?>> types = new ArrayList<>(List.of(Tensor.class, Tensor.class, m.getClass(), Tensor.class));
    for (String accessor : p.receiverInputs()) {
      args.add(m.getClass().getMethod(accessor).invoke(m));
      types.add(Tensor.class);
    }
    Method vjp = p.rules().getMethod(p.vjp(), types.toArray(Class<?>[]::new));
    assertEquals(Grads.class, vjp.getReturnType(), p.vjp());
    return (Grads) vjp.invoke(null, args.toArray());
  }

  private static String node(Module m) throws Exception {
    return m.getClass().getMethod("forward", Tensor.class).getAnnotation(Primitive.class).node();
  }

  private static void check(Module m, Tensor xValue, String... receiverInputs) throws Exception {
    Tensor x = xValue.detach().requiresGrad(true);
    Tensor out = m.forward(x);
    assertEquals(node(m), out.gradFn().name(), m + ": node name");
    Tensor g = Tensor.randn(new Generator(7), out.shape());
    out.backward(g);
    Grads grads;
    try (var noGrad = Autograd.noGrad()) {
      grads = adjoint(m, x, out.detach(), g);
    }
    assertNull(grads.get(0), "the module itself has no gradient");
    assertArrayEquals(x.grad().toFloatArray(), grads.get(1).toFloatArray(), m + ": dx");
    assertArrayEquals(x.shape(), grads.get(1).shape());
    for (int i = 0; i < receiverInputs.length; i++) {
      Tensor p = (Tensor) m.getClass().getMethod(receiverInputs[i]).invoke(m);
      assertArrayEquals(p.grad().toFloatArray(), grads.get(2 + i).toFloatArray(), m + ": d" + receiverInputs[i]);
    }
  }

  @Test
  void linearForwardIsTheLinearPrimitive() throws Exception {
    Linear l = new Linear(7, 5, true, new Generator(1));
    assertArrayEquals(new String[] {"weight", "bias"},
        Linear.class.getMethod("forward", Tensor.class).getAnnotation(Primitive.class).receiverInputs());
    check(l, Tensor.randn(new Generator(2), 3, 7), "weight", "bias");
  }

  @Test
  void linearWithoutBiasGivesNoBiasGradient() throws Exception {
    Linear l = new Linear(4, 2, false, new Generator(1));
    Tensor x = Tensor.randn(new Generator(3), 5, 4);
    Tensor out;
    try (var noGrad = Autograd.noGrad()) {
      out = l.forward(x);
    }
    Grads grads = adjoint(l, x, out, Tensor.onesLike(out));
    assertNull(grads.get(3), "no bias, no bias gradient");
  }

  @Test
  void reluAndFlattenForwardAreTheirOperations() throws Exception {
    check(new ReLU(), Tensor.randn(new Generator(4), 4, 6));
    check(new Flatten(), Tensor.randn(new Generator(5), 2, 3, 4));
  }

  @Test
  void linearGradientsAreComputedOnlyWhenRead() {
    Linear l = new Linear(4, 3, true, new Generator(6));
    Tensor x = Tensor.randn(new Generator(7), 5, 4);
    Tensor out;
    try (var noGrad = Autograd.noGrad()) {
      out = l.forward(x);
    }
    Tensor g = Tensor.randn(new Generator(8), 5, 3);
    Grads grads = Linear.forwardVjp(g, out, l, x, l.weight(), l.bias());
    assertArrayEquals(new int[] {3, 4}, grads.get(2).shape());
    assertArrayEquals(new int[] {3}, grads.get(3).shape());
    Grads all = dev.adjoint.rules.LinearRules.linearVjp(g, out, x, l.weight(), l.bias());
    assertArrayEquals(all.get(1).toFloatArray(), grads.get(2).toFloatArray());
    assertArrayEquals(all.get(0).toFloatArray(), grads.get(1).toFloatArray());
    assertSame(grads.get(1), grads.get(1), "computed once, then kept");
  }

  @Test
  void lazyGradsComputeEachEntryOnceAndOnlyWhenRead() {
    int[] calls = new int[3];
    Grads grads = Grads.lazy(3, i -> {
      calls[i]++;
      return Tensor.scalar(i);
    });
    assertEquals(2f, grads.get(2).item());
    assertEquals(2f, grads.get(2).item());
    assertNull(grads.get(7), "past the end");
    assertArrayEquals(new int[] {0, 0, 1}, calls);
    assertEquals(3, grads.size());
  }
}
