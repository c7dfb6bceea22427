package dev.adjoint.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Checks a generated gradient three ways: against eager mode (the user's method run on tensors that
 * require grad, then {@code backward()}), against central finite differences of the user's method,
 * and (for tensor results) through the generated tracked forward and {@code backward()}.
 *
 * <p>Inputs are {@link Tensor} (differentiable unless INT64), {@link Double} or {@link Float}
 * (differentiable) and {@link Integer} (passive). Generated gradients come as an array aligned with the
 * inputs, {@code null} where the method does not differentiate.
 */
final class GradCheck {
  private GradCheck() {}

  /** Relative tolerance against eager mode (same adjoints, so nearly exact). */
  static final double EAGER_TOL = 1e-5;

  /** Finite-difference step and tolerance for methods over {@code double}. */
  static final double H64 = 1e-6;
  static final double TOL64 = 1e-6;
  /** Finite-difference step and tolerance for float32 tensor methods. */
  static final double H32 = 1e-2;
  static final double TOL32 = 2e-2;

  /** Standard normal samples from a seeded generator. */
  static Tensor randn(long seed, int... shape) {
    return Tensor.randn(new Generator(seed), shape);
  }

  /** Input {@code i} as a tensor. */
  static Tensor t(List<Object> in, int i) {
    return (Tensor) in.get(i);
  }

  /** Input {@code i} as a double. */
  static double d(List<Object> in, int i) {
    return ((Number) in.get(i)).doubleValue();
  }

  /**
   * @param inputs the inputs
   * @param plain the user's method (eager when inputs require grad)
   * @param generated the generated functional form: {value, gradient per input}
   * @param tracked the generated tracked forward, or null
   * @param fdStep the finite-difference step
   * @param fdTol the finite-difference tolerance, relative to max(1, |gradient|)
   */
  static void check(List<Object> inputs, Function<List<Object>, Object> plain,
      Function<List<Object>, Object[]> generated, Function<List<Object>, Tensor> tracked, double fdStep,
      double fdTol) {
    Object[] gen = generated.apply(inputs);
    Object plainValue;
    try (var g = Autograd.noGrad()) {
      plainValue = plain.apply(inputs);
    }
    assertEquals(scalar(plainValue), scalar(gen[0]), 1e-6 * Math.max(1, Math.abs(scalar(plainValue))), "value");

    // eager mode: the same method on tensors that require grad
    List<Object> leaves = new ArrayList<>();
    for (Object in : inputs) {
      leaves.add(in instanceof Tensor t && differentiable(t) ? t.copy().requiresGrad(true) : in);
    }
    Object eagerOut = plain.apply(leaves);
    if (eagerOut instanceof Tensor out && out.requiresGrad()) {
      out.backward();
      for (int i = 0; i < inputs.size(); i++) {
        if (gen[i + 1] instanceof Tensor g && leaves.get(i) instanceof Tensor leaf) {
          Tensor eg = leaf.grad();
          assertTrue(eg != null, "eager produced no gradient for input " + i);
          assertClose(eg.toFloatArray(), g.toFloatArray(), EAGER_TOL, "eager vs generated, input " + i);
        }
      }
    }

    // the tracked forward: one node, generated backward
    if (tracked != null) {
      // only the inputs the method differentiates: the tracked forward refuses a left-out one that requires grad
      List<Object> leaves2 = new ArrayList<>();
      for (int i = 0; i < inputs.size(); i++) {
        Object in = inputs.get(i);
        leaves2.add(in instanceof Tensor t && differentiable(t) && gen[i + 1] != null ? t.copy().requiresGrad(true) : in);
      }
      Tensor out = tracked.apply(leaves2);
      assertTrue(out.gradFn() != null, "tracked forward recorded no node");
      out.backward();
      for (int i = 0; i < inputs.size(); i++) {
        if (gen[i + 1] instanceof Tensor g && leaves2.get(i) instanceof Tensor leaf) {
          // the functional form may run the fused loop, which computes each element in double
          assertClose(g.toFloatArray(), leaf.grad().toFloatArray(), EAGER_TOL, "tracked vs functional, input " + i);
        }
      }
    }

    // central finite differences (a step of 0 skips them: detach makes the math differ on purpose)
    for (int i = 0; fdStep > 0 && i < inputs.size(); i++) {
      Object in = inputs.get(i);
      Object grad = gen[i + 1];
      if (grad == null) {
        continue;
      }
      if (in instanceof Tensor t) {
        float[] data = t.storage();
        float[] g = ((Tensor) grad).toFloatArray();
        for (int k = 0; k < data.length; k++) {
          float saved = data[k];
          data[k] = (float) (saved + fdStep);
          double up = eval(plain, inputs);
          data[k] = (float) (saved - fdStep);
          double down = eval(plain, inputs);
          data[k] = saved;
          double fd = (up - down) / (2 * fdStep);
          assertEquals(fd, g[k], fdTol * Math.max(1, Math.abs(fd)), "finite difference, input " + i + "[" + k + "]");
        }
      } else {
        double x = ((Number) in).doubleValue();
        List<Object> p = new ArrayList<>(inputs);
        p.set(i, box(in, x + fdStep));
        double up = eval(plain, p);
        p.set(i, box(in, x - fdStep));
        double down = eval(plain, p);
        double fd = (up - down) / (2 * fdStep);
        double g = ((Number) grad).doubleValue();
        assertEquals(fd, g, fdTol * Math.max(1, Math.abs(fd)), "finite difference, input " + i);
      }
    }
  }

  private static Object box(Object like, double v) {
    return like instanceof Float ? (Object) (float) v : (Object) v;
  }

  private static boolean differentiable(Tensor t) {
    return t.dtype() == Tensor.DType.FLOAT32;
  }

  private static double eval(Function<List<Object>, Object> f, List<Object> inputs) {
    try (var g = Autograd.noGrad()) {
      return scalar(f.apply(inputs));
    }
  }

  static double scalar(Object v) {
    if (v instanceof Tensor t) {
      return t.item();
    }
    return ((Number) v).doubleValue();
  }

  private static void assertClose(float[] expected, float[] actual, double tol, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], tol * Math.max(1, Math.abs(expected[i])), what + " [" + i + "]");
    }
  }

  /** The method {@code name} declared by {@code owner} (the first of that name). */
  static java.lang.reflect.Method method(Class<?> owner, String name) {
    return java.util.Arrays.stream(owner.getDeclaredMethods()).filter(m -> m.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + owner.getSimpleName() + "." + name));
  }

  /** Invokes the static method {@code m}, rethrowing what it throws. */
  static Object invoke(java.lang.reflect.Method m, List<Object> args) {
    try {
      m.setAccessible(true);
      return m.invoke(null, new ArrayList<>(args).toArray());
    } catch (java.lang.reflect.InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code target.accessor()}: a record component or another public no-argument method. */
  static Object call(Object target, String accessor) {
    try {
      java.lang.reflect.Method m = target.getClass().getMethod(accessor);
      m.setAccessible(true);
      return m.invoke(target);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }
}
