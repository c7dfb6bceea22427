package dev.adjoint.autograd;

import dev.adjoint.Tensor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Helpers for Hessian-vector products by forward over reverse, used by the code the annotation processor
 * generates ({@code fHvp}): the generated backward runs with the tangent of every adjoint beside it, so the
 * tangent of the gradient is {@code H·v}. A tangent {@code null} is zero, as in {@code Jvps}. It lives beside the
 * engine, not the rules, because {@link #secondOrder} records.
 *
 * <p>The tangent of a row's adjoint {@code vjp(g, out, inputs...)} has two parts: {@code vjp(ġ, out,
 * inputs...)}, since an adjoint is linear in its cotangent (the generated code calls the adjoint itself), and
 * the part that moves with the inputs at fixed {@code g}. The second part is, in this order: the row's own
 * second-order rule {@code <vjp>Jvp(g, out, inputs..., tOut, tInputs...)} beside the adjoint (a {@code Grads},
 * {@code null} tangents for zero); zero when the adjoint reads no input's value nor the result's
 * ({@code @Primitive(reads = {})}: add, sum, views); else {@link #secondOrder}, exact by the eager engine's
 * double backward of the row alone.
 */
public final class Hvps {
  private Hvps() {}

  /** {@code a + b} entry by entry, a {@code null} {@code Grads} or entry being zero. */
  public static Grads plus(Grads a, Grads b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    int n = Math.max(a.size(), b.size());
    Tensor[] sum = new Tensor[n];
    for (int i = 0; i < n; i++) {
      sum[i] = Adjoints.add(a.get(i), b.get(i));
    }
    return Grads.of(sum);
  }

  /**
   * Entry {@code i} of a tangent {@code Grads}: zeros shaped like the adjoint's entry {@code like} where the
   * tangent is zero ({@code null}), so that the tangent of an adjoint that exists is never {@code null}.
   */
  public static Tensor get(Grads g, int i, Tensor like) {
    Tensor t = g == null ? null : g.get(i);
    return t != null || like == null ? t : Tensor.zerosLike(like);
  }

  /**
   * {@link #get(Grads, int, Tensor)} with the adjoint's {@code Grads} whose entry {@code i} gives the shape, read
   * only where the tangent is zero: a lazy entry (a weight's gradient, a product) is not computed otherwise.
   */
  public static Tensor get(Grads g, int i, Grads like) {
    Tensor t = g == null ? null : g.get(i);
    Tensor shape = t != null || like == null ? null : like.get(i);
    return shape == null ? t : Tensor.zerosLike(shape);
  }

  /** {@code t}, or zeros shaped like {@code like} when it is {@code null} (a second-order rule's operands). */
  public static Tensor orZeros(Tensor t, Tensor like) {
    return t != null ? t : Tensor.zerosLike(like);
  }

  /**
   * The dense Hessian over the inputs flattened and concatenated (each row-major, in order), one
   * Hessian-vector product per element: row {@code k} is {@code H·e_k}. For small tensors: {@code n} products
   * for {@code n} elements in all. A {@code null} component of a product is zero.
   *
   * @param inputs the differentiated inputs, giving the directions' shapes and dtypes
   * @param hvp the generated {@code fHvp} at the point, from one direction per input to one component per input
   */
  public static double[][] hessian(Tensor[] inputs, java.util.function.Function<Tensor[], Tensor[]> hvp) {
    return hessian(inputs, List.of(), hvp);
  }

  /**
   * {@link #hessian(Tensor[], java.util.function.Function)} of a module's method whose forward may change the
   * module's buffers in place (batch norm's running statistics and {@code num_batches_tracked} in training mode):
   * the buffers are copied before the first product and put back before every later one, so that after the
   * Hessian they are as one forward leaves them, as after PyTorch's {@code torch.autograd.functional.hessian} (one
   * forward), not as after {@code n}. A product that fails leaves them as that product's forward left them.
   *
   * @param inputs the differentiated inputs, giving the directions' shapes and dtypes
   * @param buffers the module's buffers ({@code namedBuffers().values()}), restored between products
   * @param hvp the generated {@code fHvp} at the point, from one direction per input to one component per input
   */
  public static double[][] hessian(Tensor[] inputs, java.util.Collection<Tensor> buffers,
      java.util.function.Function<Tensor[], Tensor[]> hvp) {
    Tensor[] state = buffers.toArray(new Tensor[0]);
    Tensor[] before = new Tensor[state.length];
    boolean previous = GradMode.set(false);
    try {
      for (int i = 0; i < state.length; i++) {
        before[i] = state[i].detach().clone();
      }
    } finally {
      GradMode.set(previous);
    }
    int n = 0;
    for (Tensor t : inputs) {
      n += numel(t);
    }
    double[][] h = new double[n][];
    int k = 0;
    for (int i = 0; i < inputs.length; i++) {
      for (int e = 0; e < numel(inputs[i]); e++, k++) {
        if (k > 0 && state.length > 0) {
          restore(state, before);
        }
        Tensor[] v = new Tensor[inputs.length];
        for (int j = 0; j < v.length; j++) {
          v[j] = inputs[j] == null ? null : Tensor.zerosLike(inputs[j]);
        }
        double[] unit = new double[inputs[i].numel()];
        unit[e] = 1;
        v[i] = Tensor.of(unit).reshape(inputs[i].shape()).to(inputs[i].dtype());
        Tensor[] hv = hvp.apply(v);
        double[] row = new double[n];
        int at = 0;
        for (int j = 0; j < inputs.length; j++) {
          if (hv[j] != null) {
            double[] part = hv[j].toDoubleArray();
            System.arraycopy(part, 0, row, at, part.length);
          }
          at += numel(inputs[j]);
        }
        h[k] = row;
      }
    }
    return h;
  }

  /** A {@code null} input (a layer without bias, an argument left out) has no elements in the Hessian. */
  private static int numel(Tensor t) {
    return t == null ? 0 : t.numel();
  }

  /** Puts each buffer's saved value back, in place and unrecorded (a buffer does not require grad). */
  private static void restore(Tensor[] state, Tensor[] before) {
    boolean previous = GradMode.set(false);
    try {
      for (int i = 0; i < state.length; i++) {
        state[i].copy_(before[i]);
      }
    } finally {
      GradMode.set(previous);
    }
  }

  /**
   * The Hessian-vector product of a whole method by the eager engine's double backward (PyTorch's
   * {@code torch.autograd.functional.hvp}): the method run with grad mode on, recording every operation through its
   * loops, branches and calls; its gradient with {@code createGraph}; then the gradient of {@code ⟨∇f, v⟩}. The
   * generated {@code fHvp} of a tensor method with control flow or calls of other {@code @Differentiable} methods
   * uses it. An operation without a recorded double backward throws, naming its node.
   *
   * @param method the user's method of the differentiated tensors (the others captured)
   * @param at the point: the differentiated tensors, in order
   * @param fresh per tensor, whether the method receives a fresh leaf in its place (a parameter); a module's
   *     field is used in place (it is read by the method itself), made to require grad for the call when it does not
   * @param v the direction, one per tensor ({@code null} for zero)
   * @return {@code H·v}, one per tensor (zeros of the tensor's shape and dtype where it is zero, as PyTorch's
   *     {@code hvp})
   * @throws IllegalArgumentException if the result has more than one element
   */
  public static Tensor[] byDoubleBackward(java.util.function.Function<Tensor[], Tensor> method, Tensor[] at,
      boolean[] fresh, Tensor[] v) {
    return doubleBackward(method, at, fresh, v);
  }

  /**
   * {@link #byDoubleBackward(java.util.function.Function, Tensor[], boolean[], Tensor[])} for the generated
   * {@code fHvp} of the user's method {@code name} (declared at {@code site}): where the method reaches an
   * operation without a recorded double backward, the error names the method and the user's line of that
   * operation (the method is run once more, on this thread only, with each new node recording where it was made).
   *
   * @param name the user's method, {@code Class.method}
   * @param site where it is declared, {@code File.java:line}
   */
  public static Tensor[] byDoubleBackward(String name, String site,
      java.util.function.Function<Tensor[], Tensor> method, Tensor[] at, boolean[] fresh, Tensor[] v) {
    try {
      return doubleBackward(method, at, fresh, v);
    } catch (UnsupportedOperationException first) {
      UnsupportedOperationException located = null;
      try {
        Anomaly.traceOnThisThread(() -> doubleBackward(method, at, fresh, v));
      } catch (UnsupportedOperationException again) {
        located = again;
      }
      UnsupportedOperationException cause = located != null ? located : first;
      UnsupportedOperationException e = new UnsupportedOperationException("fHvp of " + name + " (" + site + "): "
          + cause.getMessage() + " The eager double backward of " + name + " reached it; reverse mode and fJvp"
          + " of the method do not need it.", cause);
      throw e;
    }
  }

  private static Tensor[] doubleBackward(java.util.function.Function<Tensor[], Tensor> method, Tensor[] at,
      boolean[] fresh, Tensor[] v) {
    Tensor[] leaves = new Tensor[at.length];
    boolean[] toggled = new boolean[at.length];
    boolean previous = GradMode.set(true);
    try {
      for (int i = 0; i < at.length; i++) {
        if (fresh[i]) {
          leaves[i] = at[i].detach().requiresGrad(true);
        } else {
          leaves[i] = at[i];
          if (!at[i].requiresGrad()) {
            at[i].requiresGrad(true);
            toggled[i] = true;
          }
        }
      }
      Tensor out = method.apply(leaves);
      if (out.numel() != 1) {
        throw new IllegalArgumentException("fHvp needs a result of one element, got shape "
            + Arrays.toString(out.shape()));
      }
      Tensor[] hv = new Tensor[at.length];
      for (int k = 0; k < at.length; k++) {
        hv[k] = Tensor.zerosLike(at[k]); // a zero component is zeros of the input's shape and dtype, as PyTorch's
      }
      if (!out.requiresGrad()) {
        return hv; // the result does not depend on the tensors: H = 0
      }
      Tensor[] first = Engine.grad(new Tensor[] {out}, leaves, new Tensor[] {Tensor.onesLike(out)}, true, true, true);
      Tensor s = null;
      for (int k = 0; k < leaves.length; k++) {
        if (first[k] != null && v[k] != null && first[k].requiresGrad()) {
          Tensor term = first[k].mul(v[k]).sum();
          s = s == null ? term : s.add(term);
        }
      }
      if (s == null) {
        return hv; // the gradient is constant along v
      }
      Tensor[] second = Engine.grad(new Tensor[] {s}, leaves, null, false, false, true);
      for (int k = 0; k < leaves.length; k++) {
        if (second[k] != null) {
          hv[k] = second[k].detach();
        }
      }
      return hv;
    } finally {
      GradMode.set(previous);
      for (int i = 0; i < at.length; i++) {
        if (toggled[i]) {
          at[i].requiresGrad(false);
        }
      }
    }
  }

  private static final ConcurrentHashMap<String, Method> FORWARDS = new ConcurrentHashMap<>();

  /**
   * The part of the tangent of a row's adjoint that moves with its inputs at fixed cotangent {@code g}, for
   * a row with no second-order rule of its own: entry {@code i} is {@code Σ_j ∂²⟨g, f(x)⟩/∂x_i∂x_j · ṫ_j},
   * which (the Hessian being symmetric) is the gradient of {@code ⟨∇⟨g, f(x)⟩, ṫ⟩}: the row's forward
   * recorded on fresh leaves, its gradient with {@code createGraph}, then one more backward. It needs the
   * row's recorded backward formula (the same as {@code createGraph} does) and throws, naming the operation,
   * where there is none.
   *
   * @param owner the class of the operation's method ({@code Tensor.class}, {@code F.class})
   * @param method the operation's name
   * @param isStatic whether it is static (else {@code inputs[0]} is the receiver)
   * @param g the cotangent of the result
   * @param inputs the operation's arguments (receiver first)
   * @param tangents one per input: a tangent {@code Tensor} or {@code null}; a {@code double} input's tangent
   *     must be zero ({@code 0} or {@code null})
   * @return one entry per input ({@code null} for zero), or {@code null} when every tangent is zero
   */
  public static Grads secondOrder(Class<?> owner, String method, boolean isStatic, Tensor g, Object[] inputs,
      Object[] tangents) {
    return secondOrder(null, owner, method, isStatic, g, inputs, tangents);
  }

  /**
   * {@link #secondOrder(Class, String, boolean, Tensor, Object[], Object[])} for a generated {@code fHvp}: an
   * operation without a recorded double backward throws naming {@code site}, the user's method and line
   * ({@code Class.method, File.java:line}), beside the operation's internal node.
   */
  public static Grads secondOrder(String site, Class<?> owner, String method, boolean isStatic, Tensor g,
      Object[] inputs, Object[] tangents) {
    try {
      return secondOrderOf(owner, method, isStatic, g, inputs, tangents);
    } catch (UnsupportedOperationException e) {
      if (site == null) {
        throw e;
      }
      throw new UnsupportedOperationException("fHvp of " + site + ": the second-order term of "
          + owner.getSimpleName() + "." + method + ": " + e.getMessage(), e);
    }
  }

  private static Grads secondOrderOf(Class<?> owner, String method, boolean isStatic, Tensor g, Object[] inputs,
      Object[] tangents) {
    boolean any = false;
    for (int i = 0; i < tangents.length; i++) {
      if (tangents[i] instanceof Number d && d.doubleValue() != 0) {
        throw new UnsupportedOperationException("fHvp: the second-order tangent of " + owner.getSimpleName() + "."
            + method + " with respect to its number argument " + i + " is not supported");
      }
      any |= tangents[i] instanceof Tensor;
    }
    if (!any) {
      return null;
    }
    StringBuilder key = new StringBuilder(owner.getName()).append('#').append(method).append('/').append(isStatic);
    for (Object in : inputs) {
      key.append(',').append(in == null ? "null" : in.getClass().getName());
    }
    Method m = FORWARDS.computeIfAbsent(key.toString(), k -> find(owner, method, isStatic, inputs));
    Object[] args = inputs.clone();
    Class<?>[] types = m.getParameterTypes();
    for (int i = isStatic ? 0 : 1; i < args.length; i++) {
      if (args[i] instanceof Number n) {
        args[i] = convert(n, types[isStatic ? i : i - 1]);
      }
    }
    List<Tensor> leaves = new ArrayList<>();
    List<Integer> positions = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i] instanceof Tensor t && t.dtype().isFloatingPoint()) {
        Tensor leaf = t.detach().requiresGrad(true);
        args[i] = leaf;
        leaves.add(leaf);
        positions.add(i);
      }
    }
    Tensor[] in = leaves.toArray(new Tensor[0]);
    Tensor[] second;
    boolean previous = GradMode.set(true);
    try {
      Tensor out;
      try {
        out = isStatic ? (Tensor) m.invoke(null, args)
            : (Tensor) m.invoke(args[0], Arrays.copyOfRange(args, 1, args.length));
      } catch (InvocationTargetException e) {
        Adjoints.<RuntimeException>raise(e.getCause());
        throw new AssertionError(e);
      } catch (IllegalAccessException e) {
        throw new IllegalStateException("fHvp: " + owner.getSimpleName() + "." + method + ": " + e, e);
      }
      Tensor[] first = Engine.grad(new Tensor[] {out}, in, new Tensor[] {g.detach()}, true, true, true);
      Tensor s = null;
      for (int k = 0; k < in.length; k++) {
        Object t = tangents[positions.get(k)];
        if (first[k] != null && t instanceof Tensor tt && first[k].requiresGrad()) {
          Tensor term = first[k].mul(tt).sum();
          s = s == null ? term : s.add(term);
        }
      }
      if (s == null) {
        return null;
      }
      second = Engine.grad(new Tensor[] {s}, in, null, false, false, true);
    } finally {
      GradMode.set(previous);
    }
    Tensor[] result = new Tensor[inputs.length];
    for (int k = 0; k < in.length; k++) {
      result[positions.get(k)] = second[k];
    }
    return Grads.of(result);
  }

  private static final ConcurrentHashMap<String, Row> MODULE_ROWS = new ConcurrentHashMap<>();

  /**
   * {@link #secondOrder(String, Class, String, boolean, Tensor, Object[], Object[])} for a module's row whose
   * weights are receiver inputs ({@code Linear.forward}: {@code @Primitive(receiverInputs = {"weight", "bias"})}),
   * which cannot be called again on fresh leaves (the module reads its own fields): the row records the result
   * {@code out} already computed with fresh leaves in place of its tensor inputs (the data and the weights), so
   * the engine's createGraph backward runs the row's recorded formula ({@code DoubleBackward}) on them, then one
   * more backward of {@code ⟨∇⟨g, f⟩, ṫ⟩} gives the part of the adjoint's tangent that moves with the inputs. A
   * row without a recorded formula throws naming the operation and {@code site}.
   *
   * @param site the user's method and line ({@code Class.method, File.java:line}), for the error
   * @param owner the module's class ({@code Linear.class})
   * @param method the row's method ({@code "forward"})
   * @param g the cotangent of the result
   * @param out the result, as the forward computed it (not changed: an alias is recorded)
   * @param inputs the adjoint's inputs: the module, the method's arguments, the receiver inputs' tensors
   * @param tangents one per input ({@code null} for zero; the module's is ignored)
   * @return one entry per input ({@code null} for zero), or {@code null} when every tangent is zero
   */
  public static Grads moduleSecondOrder(String site, Class<?> owner, String method, Tensor g, Tensor out,
      Object[] inputs, Object[] tangents) {
    boolean any = false;
    for (int i = 1; i < tangents.length; i++) {
      if (tangents[i] instanceof Number d && d.doubleValue() != 0) {
        throw new UnsupportedOperationException("fHvp of " + site + ": the second-order tangent of "
            + owner.getSimpleName() + "." + method + " with respect to its number argument " + i
            + " is not supported");
      }
      any |= tangents[i] instanceof Tensor;
    }
    if (!any) {
      return null;
    }
    Row row = MODULE_ROWS.computeIfAbsent(owner.getName() + "#" + method + "/" + inputs.length,
        k -> moduleRow(owner, method, inputs.length));
    Object[] args = inputs.clone();
    List<Tensor> leaves = new ArrayList<>();
    List<Integer> positions = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      if (args[i] instanceof Tensor t && t.dtype().isFloatingPoint()) {
        Tensor leaf = t.detach().requiresGrad(true);
        args[i] = leaf;
        leaves.add(leaf);
        positions.add(i);
      }
    }
    Tensor[] in = leaves.toArray(new Tensor[0]);
    Tensor[] second;
    boolean previous = GradMode.set(true);
    try {
      Tensor recorded = row.record(out.detach(), args);
      Tensor[] first = Engine.grad(new Tensor[] {recorded}, in, new Tensor[] {g.detach()}, true, true, true);
      Tensor s = null;
      for (int k = 0; k < in.length; k++) {
        Object t = tangents[positions.get(k)];
        if (first[k] != null && t instanceof Tensor tt && first[k].requiresGrad()) {
          Tensor term = first[k].mul(tt).sum();
          s = s == null ? term : s.add(term);
        }
      }
      if (s == null) {
        return null;
      }
      second = Engine.grad(new Tensor[] {s}, in, null, false, false, true);
    } catch (UnsupportedOperationException e) {
      throw new UnsupportedOperationException("fHvp of " + site + ": the second-order term of "
          + owner.getSimpleName() + "." + method + ": " + e.getMessage(), e);
    } finally {
      GradMode.set(previous);
    }
    Tensor[] result = new Tensor[inputs.length];
    for (int k = 0; k < in.length; k++) {
      result[positions.get(k)] = second[k];
    }
    return Grads.of(result);
  }

  /** The row of {@code owner}'s instance method {@code method} whose adjoint takes {@code inputs} inputs. */
  private static Row moduleRow(Class<?> owner, String method, int inputs) {
    for (Method m : owner.getMethods()) {
      dev.adjoint.annotation.Primitive p = m.getAnnotation(dev.adjoint.annotation.Primitive.class);
      if (p != null && m.getName().equals(method) && !Modifier.isStatic(m.getModifiers())
          && 1 + m.getParameterCount() + p.receiverInputs().length == inputs) {
        return Row.of(m);
      }
    }
    throw new IllegalStateException("fHvp: no @Primitive method " + owner.getSimpleName() + "." + method
        + " whose adjoint takes " + inputs + " inputs");
  }

  private static Method find(Class<?> owner, String method, boolean isStatic, Object[] inputs) {
    int arity = isStatic ? inputs.length : inputs.length - 1;
    for (Method m : owner.getMethods()) {
      if (!m.getName().equals(method) || Modifier.isStatic(m.getModifiers()) != isStatic
          || m.getParameterCount() != arity || m.getReturnType() != Tensor.class) {
        continue;
      }
      boolean fits = true;
      Class<?>[] types = m.getParameterTypes();
      for (int i = 0; i < arity && fits; i++) {
        Object a = inputs[isStatic ? i : i + 1];
        fits = a == null ? !types[i].isPrimitive() : box(types[i]).isInstance(a)
            || a instanceof Number && Number.class.isAssignableFrom(box(types[i]));
      }
      if (fits) {
        return m;
      }
    }
    throw new IllegalStateException("fHvp: no method " + owner.getSimpleName() + "." + method + " for arguments "
        + Arrays.toString(inputs));
  }

  /** A number argument as the parameter's type (a generated call passes the literal {@code 2} for a double). */
  private static Object convert(Number n, Class<?> type) {
    return switch (box(type).getSimpleName()) {
      case "Double" -> n.doubleValue();
      case "Float" -> n.floatValue();
      case "Long" -> n.longValue();
      case "Integer" -> n.intValue();
      default -> n;
    };
  }

  private static Class<?> box(Class<?> c) {
    if (!c.isPrimitive()) {
      return c;
    }
    return switch (c.getName()) {
      case "int" -> Integer.class;
      case "long" -> Long.class;
      case "double" -> Double.class;
      case "float" -> Float.class;
      case "boolean" -> Boolean.class;
      default -> Object.class;
    };
  }
}
