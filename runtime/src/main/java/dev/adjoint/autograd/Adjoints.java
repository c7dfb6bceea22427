package dev.adjoint.autograd;

import dev.adjoint.Tensor;

/**
 * Helpers for generated backward code with control flow, where a tensor adjoint is a mutable variable
 * that starts as {@code null} (the symbolic zero: nothing has flowed into it on this path).
 */
public final class Adjoints {
  private Adjoints() {}

  /**
   * Throws {@code error}, checked or not: the generated form of a {@code throw} in a
   * {@code @Differentiable} body (an input check). A call, not a {@code throw} statement, so the
   * statements the generated code adds after it stay reachable.
   *
   * @param <E> inferred as an unchecked type at the call site
   */
  @SuppressWarnings("unchecked")
  public static <E extends Throwable> void raise(Throwable error) throws E {
    throw (E) error;
  }

  /** {@code sum + g}, where a null {@code sum} or {@code g} is zero; never modifies either tensor. */
  public static Tensor add(Tensor sum, Tensor g) {
    return sum == null ? g : g == null ? sum : sum.add(g);
  }

  /**
   * The gradient a user's {@code @Derivative} rule returned for one of its inputs, taken as PyTorch's engine takes
   * a node's gradients ({@code validate_outputs}): itself when it has the input's shape; summed over the broadcast
   * dimensions when the input's shape broadcasts to it (a rule that returns the gradient of a broadcast unreduced,
   * {@code [2, 3]} for a {@code [3]} input, gets the column sums, as {@code torch.autograd.Function} does); else
   * an error naming the rule, the input, both shapes and the user's call. {@code null} (no gradient) stays null.
   *
   * @param grad what the rule returned for the input
   * @param input the input's value at the call
   * @param rule the rule, {@code Rules.swishVjp}
   * @param param the rule's parameter for the input, {@code beta}
   * @param site the user's statement calling the rule's method, {@code Rules.java:47}
   */
  public static Tensor fromRule(Tensor grad, Tensor input, String rule, String param, String site) {
    if (grad == null || java.util.Arrays.equals(grad.shape(), input.shape())) {
      return grad;
    }
    if (dev.adjoint.shape.Shapes.expandableTo(input.shape(), grad.shape())) {
      return DoubleBackward.sumTo(grad, input);
    }
    throw new IllegalStateException(rule + " returned a gradient of shape " + java.util.Arrays.toString(grad.shape())
        + " for " + param + ", whose shape is " + java.util.Arrays.toString(input.shape()) + " (called at " + site
        + "): a gradient must have its input's shape, or a shape the input broadcasts to (it is then summed back, as"
        + " PyTorch sums it); fix the @Derivative rule");
  }

  /**
   * Forward mode through a user's {@code @Derivative} VJP when the method has no {@code @Derivative(kind = JVP)}: the
   * part of the JVP along input {@code wrt}'s tangent, {@code J·ṫ}, exactly. {@code ⟨vjp(u), ṫ⟩} is linear in the
   * cotangent {@code u}, so its gradient with respect to {@code u}, taken by the eager engine, is {@code J·ṫ}: one
   * rule call and one backward. A rule the engine cannot follow (its body leaves the tensors, or returns a
   * {@code double}) gets one call per element of {@code out} with the unit cotangents instead. The adjoint applied to
   * the tangent, {@code vjp(ṫ)}, would be {@code Jᵀ·ṫ}: the JVP only for a symmetric Jacobian (elementwise rules),
   * and of the wrong shape for a broadcasting one. The gradient is summed to the input's shape as in
   * {@link #fromRule}.
   *
   * @param lookup the generated class's lookup (a rule may be package-private)
   * @param owner the rule's class
   * @param rule the rule's name
   * @param wrt the input whose tangent this is: the rule's {@code Grads} entry {@code wrt}, or its result itself
   * @param out the method's result at the call
   * @param inputs the rule's arguments after {@code g} and {@code out}
   * @param tangent the input's tangent: a {@code Tensor}, or a {@code Number} for a {@code double}/{@code float}
   *     input; {@code null} for zero (the result is then {@code null})
   */
  public static Tensor ruleJvp(java.lang.invoke.MethodHandles.Lookup lookup, Class<?> owner, String rule, int wrt,
      Tensor out, Object[] inputs, Object tangent) {
    if (tangent == null) {
      return null;
    }
    java.lang.invoke.MethodHandle h = ruleHandle(lookup, owner, rule, inputs.length);
    String name = owner.getSimpleName() + "." + rule;
    Object input = inputs[wrt];
    boolean recording = GradMode.set(true);
    try {
      Tensor u = Tensor.zeros(out.shape(), out.dtype()).requiresGrad(true);
      Object gi = gradientOf(invoke(h, name, u, out, inputs), wrt);
      if (gi instanceof Tensor g && g.requiresGrad()) {
        Tensor s = (input instanceof Tensor in ? fromRule(g, in, name, "input " + wrt, "forward mode") : g.sum())
            .mul(tangent instanceof Tensor t ? t : Tensor.scalar(((Number) tangent).doubleValue(), g.dtype())).sum();
        Tensor[] jt = Engine.grad(new Tensor[] {s}, new Tensor[] {u}, null, false, false, true);
        return jt[0] == null ? Tensor.zeros(out.shape(), out.dtype()) : jt[0].detach();
      }
    } finally {
      GradMode.set(recording);
    }
    int m = out.numel();
    double[] result = new double[m];
    double[] along = tangent instanceof Tensor t ? t.toDoubleArray() : null;
    for (int k = 0; k < m; k++) {
      double[] e = new double[m];
      e[k] = 1;
      Tensor unit = Tensor.wrap(e, out.shape()).to(out.dtype());
      Object gi = gradientOf(invoke(h, name, unit, out, inputs), wrt);
      double sum = 0;
      if (gi instanceof Tensor g) {
        Tensor gg = input instanceof Tensor in ? fromRule(g, in, name, "input " + wrt, "forward mode") : g;
        double[] a = gg.toDoubleArray();
        if (along != null) {
          for (int j = 0; j < a.length; j++) {
            sum += a[j] * along[j];
          }
        } else {
          for (double v : a) {
            sum += v * ((Number) tangent).doubleValue();
          }
        }
      } else if (gi instanceof Number d) {
        sum = d.doubleValue() * (along != null ? along[0] : ((Number) tangent).doubleValue());
      }
      result[k] = sum;
    }
    return Tensor.wrap(result, out.shape()).to(out.dtype());
  }

  private static final java.util.concurrent.ConcurrentHashMap<String, java.lang.invoke.MethodHandle> RULES =
      new java.util.concurrent.ConcurrentHashMap<>();

  private static java.lang.invoke.MethodHandle ruleHandle(java.lang.invoke.MethodHandles.Lookup lookup,
      Class<?> owner, String rule, int inputs) {
    return RULES.computeIfAbsent(owner.getName() + "#" + rule + "/" + inputs, k -> {
      for (java.lang.reflect.Method m : owner.getDeclaredMethods()) {
        if (m.getName().equals(rule) && java.lang.reflect.Modifier.isStatic(m.getModifiers())
            && m.getParameterCount() == inputs + 2) {
          try {
            return lookup.unreflect(m).asFixedArity();
          } catch (IllegalAccessException e) {
            throw new IllegalStateException(owner.getName() + "." + rule + " is not accessible from the generated"
                + " code", e);
          }
        }
      }
      throw new IllegalStateException("no rule " + owner.getName() + "." + rule + " with " + inputs + " inputs");
    });
  }

  private static Object invoke(java.lang.invoke.MethodHandle h, String name, Tensor g, Tensor out, Object[] inputs) {
    Object[] args = new Object[inputs.length + 2];
    args[0] = g;
    args[1] = out;
    System.arraycopy(inputs, 0, args, 2, inputs.length);
    try {
      return h.invokeWithArguments(args);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(name + ": " + e, e);
    }
  }

  private static Object gradientOf(Object result, int wrt) {
    return result instanceof Grads gs ? (wrt < gs.size() ? gs.get(wrt) : null) : result;
  }

  /**
   * {@code g}, or zeros shaped like {@code like} when {@code g} is null: a gradient component of a
   * composed {@code @Differentiable} call is null when that input cannot affect the callee's result.
   */
  public static Tensor orZeros(Tensor g, Tensor like) {
    return g != null ? g : Tensor.zeros(like.shape());
  }

  /**
   * The non-null tensors of {@code tensors}: what a pullback with control flow saves for version checks
   * (a variable of a branch or loop that did not run is still null).
   */
  public static Tensor[] present(Tensor... tensors) {
    return java.util.Arrays.stream(tensors).filter(java.util.Objects::nonNull).toArray(Tensor[]::new);
  }

  /**
   * The gradient of a {@code Tensor[]} input before anything flows into it: an array of the same length
   * whose entries are all null (an entry no gradient reaches stays null, as for a tensor input that
   * cannot affect the result).
   */
  public static Tensor[] like(Tensor[] primal) {
    return new Tensor[primal.length];
  }

  /**
   * The entries of a {@code Tensor[]} input's gradient for an autograd node: {@code grads} itself, or
   * {@code length} nulls when the whole gradient is null (no element affects the result).
   */
  public static Tensor[] entries(Tensor[] grads, int length) {
    if (grads != null && grads.length != length) {
      throw new IllegalArgumentException("Adjoints.entries: a gradient of " + grads.length
          + " tensors for an array of " + length);
    }
    return grads == null ? new Tensor[length] : grads;
  }

  /** The tensors of {@code parts} in order, as one array: an autograd node's flattened inputs or gradients. */
  public static Tensor[] flatten(Tensor[]... parts) {
    int n = 0;
    for (Tensor[] p : parts) {
      n += p.length;
    }
    Tensor[] all = new Tensor[n];
    int at = 0;
    for (Tensor[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }

  /**
   * The element count shared by tensors that each have one element or the same shape, for generated
   * fused loops; -1 if real broadcasting is involved or a tensor is not FLOAT32 (the fused loop reads
   * float32 storage), and the generated code then takes the tensor path.
   */
  public static int fusedLength(Tensor... tensors) {
    Tensor first = null;
    for (Tensor t : tensors) {
      if (t.dtype() != Tensor.DType.FLOAT32) {
        return -1; // the fused loop reads and writes float32 storage; other dtypes take the tensor path
      }
      if (t.numel() == 1) {
        continue;
      }
      if (first == null) {
        first = t;
      } else if (t.dim() != first.dim()) {
        return -1;
      } else {
        for (int d = 0; d < t.dim(); d++) {
          if (t.size(d) != first.size(d)) {
            return -1;
          }
        }
      }
    }
    return first == null ? 1 : first.numel();
  }
}
