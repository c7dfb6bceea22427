package dev.adjoint.rules;

import dev.adjoint.Tensor;
import dev.adjoint.autograd.Grads;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Helpers for forward mode (Jacobian-vector products, JVPs), used by the rules' {@code *Jvp} methods and by
 * the code the annotation processor generates ({@code fJvp}). A tangent {@code null} is the zero tangent
 * (a symbolic zero, as a {@code null} gradient is); every JVP returns a tangent of its result's shape or
 * {@code null}.
 *
 * <p>A row's JVP is found in this order: a {@code public static Tensor <name>Jvp(Tensor out, inputs...,
 * tangents...)} beside the adjoint {@code <name>Vjp} in the row's rules class (one tangent per input that
 * is a {@code Tensor}, {@code double} or {@code float}); for an elementwise operation of one tensor
 * ({@code @Primitive(scalar = "Math.*")} or {@code "neg"}) the adjoint applied to the tangent, since its
 * Jacobian is diagonal; otherwise {@link #viaVjp}, exact but one adjoint call per element of the result.
 */
public final class Jvps {
  private Jvps() {}

  /**
   * A value and its tangent ({@code null} for zero), computed together: what a rules class's fused forward-mode
   * method {@code <op>Dual(inputs..., tangents...)} returns, and what {@code fJvp} calls in place of the
   * operation followed by its JVP when the row has one (the processor looks for the name beside the row's
   * adjoint {@code <op>Vjp}). The values are those of the operation and its JVP.
   *
   * @param value the operation's result
   * @param tangent its tangent, {@code null} when every tangent given was {@code null}
   */
  public record Dual(Tensor value, Tensor tangent) {}

  /** {@code a + b}, either {@code null} for zero; the result has {@code out}'s shape. */
  public static Tensor plus(Tensor out, Tensor a, Tensor b) {
    if (a == null) {
      return b == null ? null : like(out, b);
    }
    if (b == null) {
      return like(out, a);
    }
    return like(out, ElementwiseRules.add(a, b));
  }

  /** {@code a - b}, either {@code null} for zero; the result has {@code out}'s shape. */
  public static Tensor minus(Tensor out, Tensor a, Tensor b) {
    if (b == null) {
      return a == null ? null : like(out, a);
    }
    return like(out, a == null ? ElementwiseRules.neg(b) : ElementwiseRules.sub(a, b));
  }

  /**
   * The tangent {@code t} of a generated {@code fJvp}'s or {@code fHvp}'s parameter, zeros of {@code like}'s shape
   * when {@code null}; a tangent of another shape than its input throws, naming both (broadcasting would otherwise
   * take it silently).
   *
   * @param t the tangent as passed
   * @param like the input's value
   * @param tangent the tangent's parameter, {@code tX}
   * @param input the input, {@code x}
   */
  public static Tensor orZeros(Tensor t, Tensor like, String tangent, String input) {
    return checked(t, like, tangent, input, "");
  }

  /**
   * {@link #orZeros(Tensor, Tensor, String, String)} for a module's field: the message says in which order a
   * module's field tangents come (first use in the method, not {@code parameters()} order) and that the overload
   * taking a {@code Map<String, Tensor>} takes them by name.
   *
   * @param t the tangent as passed
   * @param like the field's value
   * @param tangent the tangent's parameter, {@code tFc1Weight}
   * @param field the field, {@code fc1.weight}
   */
  public static Tensor fieldOrZeros(Tensor t, Tensor like, String tangent, String field) {
    return checked(t, like, tangent, "field " + field, ", and a module's field tangents come in the order the"
        + " method first uses the fields (the Jvp's javadoc lists them), not parameters() order; the overload taking"
        + " a Map<String, Tensor> takes them by name");
  }

  /**
   * The tangent {@code t} of {@code input} checked against its value {@code like}: no tangent for an absent
   * ({@code null}) input, else its shape (a wrong shape's message ends with {@code shapeHint}) and its dtype, as
   * PyTorch's {@code make_dual} checks them; then {@link #orZeros(Tensor, Tensor)}.
   */
  private static Tensor checked(Tensor t, Tensor like, String tangent, String input, String shapeHint) {
    if (like == null) {
      return absent(t, tangent, input);
    }
    if (t != null && !Arrays.equals(t.shape(), like.shape())) {
      throw new IllegalArgumentException("the tangent " + tangent + " has shape " + Arrays.toString(t.shape())
          + " but " + input + " has shape " + Arrays.toString(like.shape()) + ": a tangent has its input's shape"
          + shapeHint);
    }
    if (t != null && t.dtype() != like.dtype()) {
      throw new IllegalArgumentException("the tangent " + tangent + " has dtype " + t.dtype() + " but " + input
          + " has dtype " + like.dtype() + ": a tangent has its input's dtype (convert it with to(" + like.dtype()
          + "))");
    }
    return orZeros(t, like);
  }

  /**
   * The tangents of a module's fields, in the order a generated {@code fJvp} takes them, from {@code tangents}
   * keyed by parameter names ({@code "fc1.weight"}, as {@code namedParameters()} gives them, in any order): a field
   * the map leaves out gets {@code null} (a zero tangent). A key that is not a parameter's name, or a tangent of
   * another shape than its parameter, throws naming it.
   *
   * @param named the module's {@code namedParameters()}
   * @param tangents the tangents by name
   * @param fields the fields' values, in the {@code fJvp}'s order
   */
  public static Tensor[] byName(java.util.Map<String, Tensor> named, java.util.Map<String, Tensor> tangents,
      Tensor... fields) {
    if (tangents == null) {
      tangents = java.util.Map.of(); // no tangents: every parameter's is zero
    }
    for (var e : tangents.entrySet()) {
      Tensor p = named.get(e.getKey());
      if (p == null) {
        throw new IllegalArgumentException("tangents: '" + e.getKey() + "' is not a parameter of the module; its"
            + " parameters are " + named.keySet());
      }
      Tensor t = e.getValue();
      if (t != null && !Arrays.equals(t.shape(), p.shape())) {
        throw new IllegalArgumentException("tangents: the tangent of " + e.getKey() + " has shape "
            + Arrays.toString(t.shape()) + " but the parameter has shape " + Arrays.toString(p.shape()));
      }
    }
    Tensor[] out = new Tensor[fields.length];
    for (int i = 0; i < fields.length; i++) {
      for (var e : named.entrySet()) {
        if (e.getValue() == fields[i]) {
          out[i] = tangents.get(e.getKey());
          break;
        }
      }
    }
    return out;
  }

  /**
   * {@code t} broadcast (materialised) to {@code out}'s shape, in {@code out}'s dtype when that is float64 (a
   * float64 0-d tangent broadcast into float32 zeros would be rounded: 0-d tensors do not promote);
   * {@code null} stays {@code null}.
   */
  public static Tensor like(Tensor out, Tensor t) {
    if (t == null || Arrays.equals(t.shape(), out.shape())) {
      return t;
    }
    Tensor.DType dtype = out.dtype() == Tensor.DType.FLOAT64 || t.dtype() == Tensor.DType.FLOAT64
        ? Tensor.DType.FLOAT64 : Tensor.DType.FLOAT32;
    return ElementwiseRules.add(Tensor.zeros(out.shape(), dtype), t);
  }

  /** The tangent, or zeros of {@code like}'s shape when it is {@code null}. */
  public static Tensor orZeros(Tensor t, Tensor like) {
    return t != null || like == null ? t : Tensor.zeros(like.shape(), like.dtype());
  }

  /**
   * The tangent of an input that is {@code null} (a layer built without bias or affine parameters, an optional
   * argument left out): none, so {@code null}; a tangent given for it throws, naming both.
   */
  private static Tensor absent(Tensor t, String tangent, String input) {
    if (t != null) {
      throw new IllegalArgumentException("the tangent " + tangent + " has shape " + Arrays.toString(t.shape())
          + " but " + input + " is null (a layer without that parameter, or an argument left out): pass null for"
          + " its tangent");
    }
    return null;
  }

  /** A {@code double} tangent as a float32 0-d tensor, or {@code null} for zero. */
  public static Tensor scalar(double t) {
    return t == 0 ? null : Tensor.scalar(t);
  }

  /**
   * A {@code double} tangent as a 0-d tensor for an operation whose result is {@code out}: float64 (exact) when
   * {@code out} is, else float32; {@code null} for zero.
   */
  public static Tensor scalar(double t, Tensor out) {
    return t == 0 ? null : out.dtype() == Tensor.DType.FLOAT64 ? Tensor.scalar(t, Tensor.DType.FLOAT64)
        : Tensor.scalar(t);
  }

  /** The one element of a tangent of a {@code double} result (exact for float64), 0 for {@code null}. */
  public static double item(Tensor t) {
    return t == null ? 0 : t.itemDouble();
  }

  /** The arguments as an array (generated calls of {@link #viaVjp} list inputs and tangents with it). */
  public static Object[] of(Object... values) {
    return values;
  }

  private static final ConcurrentHashMap<String, MethodHandle> ADJOINTS = new ConcurrentHashMap<>();

  /**
   * The JVP of a row that has no JVP of its own, computed from its adjoint: entry {@code k} of the result
   * is {@code Σ_i ⟨vjp(e_k).get(i), t_i⟩}, which is exact because an adjoint is linear in its cotangent,
   * and costs one adjoint call per element of {@code out} (one call for a loss). Sums in double.
   *
   * @param rules the row's rules class
   * @param vjp the adjoint's name (its overload is chosen by the number of inputs)
   * @param out the operation's result
   * @param inputs the adjoint's inputs after {@code g} and {@code out}
   * @param tangents one per input: a {@code Tensor} (or {@code null}) for tensor inputs, a {@code Number} for
   *     {@code double}/{@code float} inputs, {@code null} for inputs that are not differentiable
   */
  public static Tensor viaVjp(Class<?> rules, String vjp, Tensor out, Object[] inputs, Object[] tangents) {
    boolean any = false;
    for (Object t : tangents) {
      any |= t instanceof Tensor || (t instanceof Number d && d.doubleValue() != 0);
    }
    if (!any) {
      return null;
    }
    // a varargs adjoint takes its trailing arguments as written (x.repeat(2): one int) or as one array
    boolean whole = inputs.length > 0 && (inputs[inputs.length - 1] == null
        || inputs[inputs.length - 1].getClass().isArray());
    MethodHandle h = ADJOINTS.computeIfAbsent(rules.getName() + "#" + vjp + "/" + inputs.length + (whole ? "[]" : ""),
        k -> find(rules, vjp, inputs.length, whole));
    int m = out.numel();
    boolean f64 = out.dtype() == Tensor.DType.FLOAT64;
    double[] result = new double[m];
    Object[] args = new Object[inputs.length + 2];
    System.arraycopy(inputs, 0, args, 2, inputs.length);
    args[1] = out;
    double[][] along = new double[tangents.length][];
    for (int i = 0; i < tangents.length; i++) {
      if (tangents[i] instanceof Tensor tt) {
        along[i] = tt.toDoubleArray();
      }
    }
    for (int k = 0; k < m; k++) {
      // the unit cotangent e_k in the output's dtype, so that a float64 adjoint runs in double
      if (f64) {
        double[] e = new double[m];
        e[k] = 1;
        args[0] = Tensor.wrap(e, out.shape());
      } else {
        float[] e = new float[m];
        e[k] = 1;
        args[0] = Tensor.wrapLike(e, out);
      }
      Grads g;
      try {
        g = (Grads) h.invokeWithArguments(args);
      } catch (RuntimeException | Error err) {
        throw err;
      } catch (Throwable err) {
        throw new IllegalStateException(vjp + ": " + err, err);
      }
      double sum = 0;
      for (int i = 0; i < tangents.length; i++) {
        Object t = tangents[i];
        if (t == null || i >= g.size()) {
          continue;
        }
        Tensor gi = g.get(i);
        if (gi == null) {
          continue;
        }
        if (t instanceof Tensor tt) {
          double[] a = gi.toDoubleArray();
          double[] b = along[i];
          if (a.length != b.length) {
            throw new IllegalArgumentException(vjp + ": tangent " + i + " has shape " + Arrays.toString(tt.shape())
                + " but the input's gradient has shape " + Arrays.toString(gi.shape()));
          }
          for (int j = 0; j < a.length; j++) {
            sum += a[j] * b[j];
          }
        } else if (t instanceof Number d) {
          sum += gi.itemDouble() * d.doubleValue();
        }
      }
      result[k] = sum;
    }
    if (f64) {
      return Tensor.wrap(result, out.shape());
    }
    float[] r = new float[m];
    for (int k = 0; k < m; k++) {
      r[k] = (float) result[k];
    }
    return Tensor.wrapLike(r, out);
  }

  /**
   * The tangent a user's {@code @Derivative(kind = JVP)} rule returned, checked: it must have the shape of the
   * result {@code out} (PyTorch's forward mode refuses any other size: "Trying to set a forward gradient that has a
   * different size than that of the original Tensor"), else an error naming the rule, both shapes and the user's
   * call. {@code null} (a zero tangent) stays null.
   *
   * @param tangent what the rule returned
   * @param out the result of the rule's method at the call
   * @param rule the rule, {@code Rules.swishJvp}
   * @param site the user's statement calling the rule's method, {@code Rules.java:47}
   */
  public static Tensor fromRule(Tensor tangent, Tensor out, String rule, String site) {
    if (tangent == null || Arrays.equals(tangent.shape(), out.shape())) {
      return tangent;
    }
    throw new IllegalStateException(rule + " returned a tangent of shape " + Arrays.toString(tangent.shape())
        + " for a result of shape " + Arrays.toString(out.shape()) + " (called at " + site + "): a tangent must have"
        + " its result's shape (PyTorch's forward mode refuses any other size, broadcastable or not); fix the"
        + " @Derivative(kind = JVP) rule");
  }

  private static MethodHandle find(Class<?> rules, String vjp, int inputs, boolean whole) {
    for (Method m : rules.getMethods()) {
      boolean arity = m.getParameterCount() == inputs + 2
          || (m.isVarArgs() && inputs + 2 >= m.getParameterCount() - 1);
      if (m.getName().equals(vjp) && Modifier.isStatic(m.getModifiers()) && arity
          && m.getReturnType() == Grads.class) {
        try {
          MethodHandle h = MethodHandles.publicLookup().unreflect(m);
          // an int[] passed whole to a varargs adjoint (reshape(shape)) must not be collected again
          return m.getParameterCount() == inputs + 2 && (whole || !m.isVarArgs()) ? h.asFixedArity() : h;
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(rules.getName() + "." + vjp + " is not accessible", e);
        }
      }
    }
    throw new IllegalStateException("no adjoint " + rules.getName() + "." + vjp + " with " + inputs + " inputs");
  }
}
