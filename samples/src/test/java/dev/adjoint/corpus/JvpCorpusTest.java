package dev.adjoint.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Forward mode over the whole corpus (issue 16): every static {@code fJvp} the processor generated for the
 * corpus classes, found by reflection (no list of methods here), is checked on seeded random inputs and
 * directions three ways — its value equals the user's method, its tangent passes the dot-product test
 * ⟨J·v, w⟩ = ⟨v, Jᵀ·w⟩ against the generated pullback, and for methods over {@code double} it equals the
 * central difference of the user's method. Inputs: {@code double}/{@code float} uniform in [1.1, 1.9] (so
 * loops such as {@code while (y < limit) y *= rate} end),
 * {@code int} 3, tensors of shape [3, 3] (then [3], [2, 3]) with entries in [0.5, 1.5]; a method that throws
 * on every candidate (it needs other shapes or index tensors) is skipped and counted, and the test asserts
 * how many were checked so a silent skip of everything fails.
 */
class JvpCorpusTest {
  private static final String[] CLASSES = {"ScalarCorpus", "TensorCorpus", "ControlFlowCorpus", "OrdinaryJava",
      "OpsCorpus", "IndexingCorpus", "CrossClass"};
  private static final int[][] SHAPES = {{3, 3}, {3}, {2, 3}};

  @Test
  void everyJvpAgreesWithItsPullbackAndCentralDifferences() throws Exception {
    int checked = 0;
    int scalar = 0;
    List<String> skipped = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (String c : CLASSES) {
      Class<?> user = Class.forName("dev.adjoint.corpus." + c);
      Class<?> diff = Class.forName("dev.adjoint.corpus." + c + "Diff");
      for (Method jvp : diff.getMethods()) {
        if (!jvp.getName().endsWith("Jvp") || !Modifier.isStatic(jvp.getModifiers())) {
          continue;
        }
        String name = jvp.getName().substring(0, jvp.getName().length() - 3);
        Method plain = Arrays.stream(user.getDeclaredMethods()).filter(m -> m.getName().equals(name)).findFirst()
            .orElseThrow();
        if (!Modifier.isStatic(plain.getModifiers())) {
          continue;
        }
        plain.setAccessible(true);
        Method pullback = diff.getMethod(name + "Pullback", plain.getParameterTypes());
        String outcome = null;
        for (int[] shape : SHAPES) {
          try {
            outcome = check(plain, jvp, pullback, shape, 11 + checked);
            break;
          } catch (Skip s) {
            outcome = null;
          }
        }
        if (outcome == null) {
          skipped.add(c + "." + name);
        } else if (!outcome.isEmpty()) {
          failures.add(c + "." + name + ": " + outcome);
        } else {
          checked++;
          if (plain.getReturnType() == double.class) {
            scalar++;
          }
        }
      }
    }
    if (!failures.isEmpty()) {
      fail(failures.size() + " JVPs disagree:\n" + String.join("\n", failures));
    }
    // 124 static methods in these classes; 9 need index tensors or other shapes
    assertTrue(checked >= 110, "checked only " + checked + "; skipped " + skipped);
    assertTrue(scalar >= 40, "checked only " + scalar + " double methods");
  }

  /** Thrown when the user's method rejects the candidate inputs. */
  private static final class Skip extends Exception {
    private static final long serialVersionUID = 1L;
  }

  /** "" when the JVP agrees, else what differs. */
  private static String check(Method plain, Method jvp, Method pullback, int[] shape, long seed) throws Exception {
    Generator g = new Generator(seed);
    Class<?>[] types = plain.getParameterTypes();
    Object[] inputs = new Object[types.length];
    for (int i = 0; i < types.length; i++) {
      inputs[i] = sample(types[i], shape, g);
    }
    Object value;
    try {
      value = plain.invoke(null, inputs);
    } catch (InvocationTargetException e) {
      throw new Skip();
    }
    if (value instanceof Double d && !Double.isFinite(d)) {
      throw new Skip();
    }
    Object pb;
    try {
      pb = pullback.invoke(null, inputs);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof IllegalArgumentException bad && bad.getMessage().contains("is declared @Shape")) {
        // these inputs break a declared @Shape (the plain method does not check it): try the next shapes
        throw new Skip();
      }
      throw e;
    }
    Object grads = pb.getClass().getMethod("backward", pb.getClass().getMethod("value").getReturnType())
        .invoke(pb, seedOf(value, g));
    RecordComponent[] components = grads.getClass().getRecordComponents();
    int tangents = jvp.getParameterCount() - types.length;
    if (tangents != components.length) {
      return "fJvp takes " + tangents + " tangents, the gradient has " + components.length + " components";
    }
    Object[] args = Arrays.copyOf(inputs, jvp.getParameterCount());
    Object[] directions = new Object[tangents];
    for (int k = 0; k < tangents; k++) {
      Class<?> t = jvp.getParameterTypes()[types.length + k];
      Object like = null;
      for (int i = 0; i < types.length; i++) {
        if (types[i] == t && like == null) {
          like = inputs[i];
        }
      }
      directions[k] = direction(t, components[k].getAccessor().invoke(grads), like, g);
      args[types.length + k] = directions[k];
    }
    Object result = jvp.invoke(null, args);
    Object jvpValue = result.getClass().getMethod("value").invoke(result);
    Object tangent = result.getClass().getMethod("tangent").invoke(result);
    if (!close(jvpValue, value, 1e-5)) {
      return "value " + jvpValue + " but the method gives " + value;
    }
    // dot-product test: <J v, w> with w the seed given to backward, against <v, J^T w>
    double lhs = dot(tangent, lastSeed);
    double rhs = 0;
    for (int k = 0; k < tangents; k++) {
      rhs += dot(directions[k], components[k].getAccessor().invoke(grads));
    }
    // float32 tensors; float arithmetic rounds each tangent and gradient once per operation; double is exact
    boolean floats = value instanceof Float || Arrays.asList(types).contains(float.class);
    double tol = value instanceof Tensor ? 2e-3 : floats ? 1e-6 : 1e-12;
    if (Math.abs(lhs - rhs) > tol * Math.max(1, Math.abs(lhs) + Math.abs(rhs))) {
      return "<Jv, w> = " + lhs + " but <v, J^T w> = " + rhs;
    }
    if (value instanceof Double && Arrays.stream(types).noneMatch(t -> t == Tensor.class)) {
      double h = 1e-6;
      Object[] plus = inputs.clone();
      Object[] minus = inputs.clone();
      int k = 0;
      for (int i = 0; i < types.length; i++) {
        if (types[i] == double.class && k < tangents) {
          double v = (Double) directions[k++];
          plus[i] = (Double) inputs[i] + h * v;
          minus[i] = (Double) inputs[i] - h * v;
        }
      }
      double fd = ((Double) plain.invoke(null, plus) - (Double) plain.invoke(null, minus)) / (2 * h);
      double t = (Double) tangent;
      if (k == tangents && Math.abs(fd - t) > 1e-5 * Math.max(1, Math.abs(t))) {
        return "tangent " + t + " but central difference " + fd;
      }
    }
    return "";
  }

  private static Object lastSeed;

  private static Object seedOf(Object value, Generator g) {
    if (value instanceof Tensor t) {
      lastSeed = Tensor.randn(g, t.shape());
    } else if (value instanceof Float) {
      lastSeed = (float) (0.5 + Tensor.rand(g, 1).item());
    } else {
      lastSeed = 0.5 + Tensor.rand(g, 1).item();
    }
    return lastSeed;
  }

  private static Object sample(Class<?> t, int[] shape, Generator g) throws Skip {
    if (t == double.class) {
      return 1.1 + 0.8 * Tensor.rand(g, 1).item();
    }
    if (t == float.class) {
      return (float) (1.1 + 0.8 * Tensor.rand(g, 1).item());
    }
    if (t == int.class) {
      return 3;
    }
    if (t == Tensor.class) {
      return Tensor.rand(g, shape).add(0.5);
    }
    if (t == Tensor[].class) {
      return new Tensor[] {Tensor.rand(g, shape).add(0.5), Tensor.rand(g, shape).add(0.5)};
    }
    throw new Skip();
  }

  /** A random direction shaped like the gradient (or the input when the gradient is null). */
  private static Object direction(Class<?> t, Object gradient, Object like, Generator g) {
    if (t == double.class) {
      return Tensor.randn(g, 1).item() + 0.0;
    }
    if (t == float.class) {
      return Tensor.randn(g, 1).item();
    }
    if (t == Tensor[].class) {
      Tensor[] l = (Tensor[]) like;
      Tensor[] out = new Tensor[l.length];
      for (int i = 0; i < l.length; i++) {
        out[i] = Tensor.randn(g, l[i].shape());
      }
      return out;
    }
    Tensor shapeOf = gradient instanceof Tensor gt ? gt : (Tensor) like;
    return Tensor.randn(g, shapeOf.shape());
  }

  private static double dot(Object a, Object b) {
    if (a == null || b == null) {
      return 0;
    }
    if (a instanceof Number x) {
      return x.doubleValue() * ((Number) b).doubleValue();
    }
    if (a instanceof Tensor[] xs) {
      double s = 0;
      for (int i = 0; i < xs.length; i++) {
        s += dot(xs[i], ((Tensor[]) b)[i]);
      }
      return s;
    }
    float[] x = ((Tensor) a).toFloatArray();
    float[] y = ((Tensor) b).toFloatArray();
    assertEquals(x.length, y.length, "shapes of tangent and gradient");
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      s += (double) x[i] * y[i];
    }
    return s;
  }

  private static boolean close(Object a, Object b, double tol) {
    if (a instanceof Tensor x) {
      float[] p = x.toFloatArray();
      float[] q = ((Tensor) b).toFloatArray();
      if (p.length != q.length) {
        return false;
      }
      for (int i = 0; i < p.length; i++) {
        if (Math.abs(p[i] - q[i]) > tol * Math.max(1, Math.abs(q[i]))) {
          return false;
        }
      }
      return true;
    }
    double p = ((Number) a).doubleValue();
    double q = ((Number) b).doubleValue();
    return Math.abs(p - q) <= tol * Math.max(1, Math.abs(q)) || (Double.isNaN(p) && Double.isNaN(q));
  }
}
