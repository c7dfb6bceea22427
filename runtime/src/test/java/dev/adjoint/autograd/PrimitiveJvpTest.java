package dev.adjoint.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.rules.Jvps;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every row has a JVP (issue 16), found as the processor finds it: {@code @Primitive(jvp)} or the method named
 * after the adjoint ({@code fooVjp → fooJvp}, one tangent per {@code Tensor}/{@code double}/{@code float} input,
 * then the result and the inputs); else the adjoint applied to the tangent for a one-tensor elementwise row
 * ({@code scalar = "Math.*"} or {@code "neg"}); else {@link Jvps#viaVjp}. Each is checked on the rows' random
 * inputs by the dot-product test ⟨J·v, w⟩ = ⟨v, Jᵀ·w⟩ against the row's adjoint. Rows on the fallback are
 * listed (printed), not failed: the fallback is exact and costs one adjoint call per element of the result.
 */
class PrimitiveJvpTest {

  /** How a row's JVP is computed. */
  enum Kind {
    OWN, DIAGONAL, VIA_VJP
  }

  static Kind kind(Row row, Method m) {
    return jvpMethod(row, m) != null ? Kind.OWN : diagonal(row, m) ? Kind.DIAGONAL : Kind.VIA_VJP;
  }

  static boolean diagonal(Row row, Method m) {
    Primitive p = row.primitive();
    return p.receiverInputs().length == 0 && row.inputTypes().length == 1 && row.inputTypes()[0] == Tensor.class
        && (p.scalar().startsWith("Math.") || p.scalar().equals("neg"));
  }

  static Method jvpMethod(Row row, Method m) {
    Primitive p = row.primitive();
    String vjp = p.vjp();
    String name = !p.jvp().isEmpty() ? p.jvp() : vjp.endsWith("Vjp") ? vjp.substring(0, vjp.length() - 3) + "Jvp" : "";
    if (name.isEmpty()) {
      return null;
    }
    Class<?>[] inputs = row.inputTypes();
    List<Class<?>> want = new ArrayList<>();
    for (Class<?> t : inputs) {
      if (t == Tensor.class || t == double.class || t == float.class) {
        want.add(t);
      }
    }
    want.add(Tensor.class);
    want.addAll(Arrays.asList(inputs));
    try {
      Method j = p.rules().getMethod(name, want.toArray(Class<?>[]::new));
      return Modifier.isStatic(j.getModifiers()) && j.getReturnType() == Tensor.class ? j : null;
    } catch (NoSuchMethodException e) {
      return null;
    }
  }

  @TestFactory
  Stream<DynamicTest> everyRowsJvpPassesTheDotProductTest() throws Exception {
    return PrimitiveRowsTest.primitives().stream().map(m -> DynamicTest.dynamicTest(Row.of(m).toString(), () -> check(m)));
  }

  @Test
  void rowsWithoutAJvpOfTheirOwnAreListed() throws Exception {
    Map<Kind, List<String>> byKind = new TreeMap<>();
    for (Method m : PrimitiveRowsTest.primitives()) {
      Row row = Row.of(m);
      byKind.computeIfAbsent(kind(row, m), k -> new ArrayList<>()).add(row.toString());
    }
    System.out.println("[PrimitiveJvpTest] rows by JVP: " + byKind.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue().size()).toList() + "; on Jvps.viaVjp: " + byKind.get(Kind.VIA_VJP));
    // the common operations have their own JVP or a diagonal one
    assertTrue(byKind.get(Kind.OWN).size() >= 25, "own JVPs: " + byKind.get(Kind.OWN));
    // the modules with weights have their own (issue 16): no reflective fallback in a network's fJvp
    for (String module : List.of("Linear", "Conv1d", "Conv2d", "LayerNorm", "BatchNorm1d", "BatchNorm2d", "ReLU",
        "Flatten")) {
      assertTrue(byKind.get(Kind.OWN).stream().anyMatch(r -> r.startsWith(module + ".forward")),
          module + " has no JVP of its own: " + byKind.get(Kind.OWN));
    }
    assertTrue(byKind.get(Kind.DIAGONAL).size() >= 10, "diagonal JVPs: " + byKind.get(Kind.DIAGONAL));
  }

  private static void check(Method m) throws Exception {
    Row row = Row.of(m);
    Primitive p = row.primitive();
    Generator gen = new Generator(m.toString().hashCode() + 16);
    Object[] args = PrimitiveRowsTest.Inputs.of(m, gen);
    Object receiver = Modifier.isStatic(m.getModifiers()) ? null : args[0];
    Object[] params = Arrays.copyOfRange(args, receiver == null ? 0 : 1, receiver == null ? args.length
        : 1 + m.getParameterCount());
    Object[] inputs = PrimitiveRowsTest.Inputs.withReceiverInputs(m, p, args);
    m.setAccessible(true);
    try (var noGrad = Autograd.noGrad()) {
      Tensor out = (Tensor) m.invoke(receiver, params);
      // one tangent per adjoint entry: tensors (a list's elements in place) and doubles; null for the rest
      List<Object> tangents = new ArrayList<>();
      for (Object a : inputs) {
        if (a instanceof List<?> l) {
          l.forEach(o -> tangents.add(Tensor.randn(gen, ((Tensor) o).shape())));
        } else if (a instanceof Tensor t && t.dtype() == Tensor.DType.FLOAT32) {
          tangents.add(Tensor.randn(gen, t.shape()));
        } else if (a instanceof Double) {
          tangents.add(Tensor.randn(gen, 1).item() + 0.0);
        } else {
          tangents.add(null);
        }
      }
      Tensor jv = switch (kind(row, m)) {
        case OWN -> {
          List<Object> call = new ArrayList<>();
          Class<?>[] types = row.inputTypes();
          for (int i = 0; i < types.length; i++) {
            if (types[i] == Tensor.class || types[i] == double.class || types[i] == float.class) {
              call.add(tangents.get(i));
            }
          }
          call.add(out);
          call.addAll(Arrays.asList(inputs));
          yield (Tensor) jvpMethod(row, m).invoke(null, call.toArray());
        }
        case DIAGONAL -> row.adjoint((Tensor) tangents.get(0), out, inputs).get(0);
        case VIA_VJP -> Jvps.viaVjp(p.rules(), p.vjp(), out, inputs, tangents.toArray());
      };
      if (jv == null) {
        // no differentiable input (comparisons of index tensors have none)
        assertTrue(tangents.stream().allMatch(t -> t == null), row + ": a null JVP with nonzero tangents");
        return;
      }
      assertArrayEquals(out.shape(), jv.shape(), row + ": the tangent has the result's shape");
      Tensor w = Tensor.randn(gen, out.shape());
      Grads grads = row.adjoint(w, out, inputs);
      double lhs = dot(jv, w);
      double rhs = 0;
      for (int i = 0; i < tangents.size() && i < grads.size(); i++) {
        Object t = tangents.get(i);
        Tensor gi = grads.get(i);
        if (t == null || gi == null) {
          continue;
        }
        rhs += t instanceof Tensor tt ? dot(tt, gi) : gi.item() * (Double) t;
      }
      assertEquals(lhs, rhs, 2e-3 * Math.max(1, Math.abs(lhs) + Math.abs(rhs)), row + ": <Jv, w> = <v, J^T w>");
    }
  }

  private static double dot(Tensor a, Tensor b) {
    double[] x = a.toDoubleArray();
    double[] y = b.toDoubleArray();
    assertEquals(x.length, y.length);
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      s += x[i] * y[i];
    }
    return s;
  }
}
