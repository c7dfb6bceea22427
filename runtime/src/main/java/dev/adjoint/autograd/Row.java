package dev.adjoint.autograd;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The eager recorder's view of one primitive's row: the {@link Primitive} annotation of its facade method,
 * read once (when the facade class initialises), with the adjoint bound as a {@link MethodHandle}. The
 * facade computes with its rule's forward and hands the result to {@link #record}, which makes the node:
 * PyTorch's name, the inputs' edges, the saved tensors that {@link Primitive#reads()} (or
 * {@link Primitive#grads()}) declares, and a backward that calls the adjoint. Rule forwards never record;
 * this is the only place where an operation's node is made, so the eager engine, the processor and the
 * tests read the same row.
 *
 * <p>A row is declared beside its facade method:
 * {@code private static final Row ADD = Row.of(Tensor.class, "add", Tensor.class);}.
 */
public final class Row {
  private static final Tensor[] NOTHING = new Tensor[0];
  private static final MethodType ADJOINT = MethodType.methodType(Grads.class, Tensor.class, Tensor.class,
      Object[].class);
  private static final TensorAccess ACCESS = TensorAccess.get();

  private final Method method;
  private final Primitive primitive;
  private final Class<?>[] inputTypes;
  private final Method vjp;
  private final MethodHandle adjoint;
  private final MethodHandle nodeOf;
  private final String node;
  private final int[] reads;
  /** Per input position, what its gradient reads; null when the row declares no {@code grads}. */
  private final int[][] gradReads;
  /** The position of a {@code List<Tensor>} input (cat, stack), or -1. */
  private final int listAt;

  private Row(Method method) {
    this.method = method;
    this.primitive = method.getAnnotation(Primitive.class);
    if (primitive == null) {
      throw new IllegalStateException("Row: " + describe(method) + " has no @Primitive");
    }
    this.node = primitive.node();
    this.inputTypes = inputTypes(method, primitive);
    Class<?>[] vjpTypes = new Class<?>[inputTypes.length + 2];
    vjpTypes[0] = Tensor.class;
    vjpTypes[1] = Tensor.class;
    System.arraycopy(inputTypes, 0, vjpTypes, 2, inputTypes.length);
    this.vjp = find(primitive.rules(), primitive.vjp(), vjpTypes, Grads.class, "adjoint");
    this.nodeOf = primitive.nodeOf().isEmpty() ? null
        : spread(find(primitive.rules(), primitive.nodeOf(), inputTypes, String.class, "node name"),
            MethodType.methodType(String.class, Object[].class));
    this.adjoint = spread(vjp, ADJOINT);
    this.reads = resolveReads(primitive.reads(), inputTypes.length);
    this.gradReads = gradReads(primitive, inputTypes.length, describe(method));
    int list = -1;
    for (int i = 0; i < inputTypes.length; i++) {
      if (List.class.isAssignableFrom(inputTypes[i])) {
        list = i;
      }
    }
    this.listAt = list;
  }

  /**
   * The row of {@code owner}'s method {@code name(parameterTypes)}, which must carry {@link Primitive};
   * throws {@code IllegalStateException} naming the method when the row does not resolve (no adjoint of the
   * right signature, an input position out of range).
   */
  public static Row of(Class<?> owner, String name, Class<?>... parameterTypes) {
    try {
      return new Row(owner.getDeclaredMethod(name, parameterTypes));
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException("Row: " + owner.getSimpleName() + "." + name
          + Arrays.toString(parameterTypes) + " does not exist", e);
    }
  }

  /** The row of an annotated method (for tests that walk every primitive). */
  public static Row of(Method method) {
    return new Row(method);
  }

  /**
   * Records {@code out} as this primitive's result on {@code args} (the adjoint's inputs: the receiver for
   * an instance method, then the parameters, then the receiver inputs of a module), when grad mode is on
   * and a tensor among them requires grad; returns {@code out}. Allocates nothing when there is nothing to
   * record.
   */
  public Tensor record(Tensor out, Object... args) {
    if (args.length != inputTypes.length) {
      throw new IllegalArgumentException(this + ": record takes " + inputTypes.length + " inputs, got "
          + args.length);
    }
    if (!GradMode.isEnabled() || !anyRequiresGrad(args)) {
      return out;
    }
    Node n = new Node(node(args), null, inputs(args), saved(out, args), g -> adjoint(g, out, args));
    ACCESS.setGradFn(out, n);
    n.setOutput(out);
    return out;
  }

  /** Calls the adjoint: the gradients of {@code args} given the gradient {@code g} of {@code out}. */
  public Grads adjoint(Tensor g, Tensor out, Object... args) {
    try {
      return (Grads) adjoint.invokeExact(g, out, args);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(this + ": the adjoint threw " + e, e);
    }
  }

  /** PyTorch's node name for this operation on {@code args}. */
  public String node(Object... args) {
    if (nodeOf == null) {
      return node;
    }
    try {
      return (String) nodeOf.invokeExact(args);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(this + ": the node name method threw " + e, e);
    }
  }

  /** The annotated facade method. */
  public Method method() {
    return method;
  }

  /** The adjoint method. */
  public Method vjp() {
    return vjp;
  }

  /** The annotation. */
  public Primitive primitive() {
    return primitive;
  }

  /** The adjoint's input types: receiver, parameters, receiver inputs. */
  public Class<?>[] inputTypes() {
    return inputTypes.clone();
  }

  /**
   * The tensors a node made now for {@code args} would save, in {@link Primitive#reads()} order: what the
   * gradients of the inputs that require grad read.
   */
  public Tensor[] saved(Tensor out, Object... args) {
    if (reads.length == 0) {
      return NOTHING;
    }
    boolean[] needed = null;
    if (gradReads != null) {
      needed = new boolean[inputTypes.length + 1]; // last slot: OUT
      for (int i = 0; i < gradReads.length; i++) {
        if (gradReads[i] != null && requiresGrad(args[i])) {
          for (int r : gradReads[i]) {
            needed[r == Primitive.OUT ? inputTypes.length : r] = true;
          }
        }
      }
    }
    List<Tensor> s = new ArrayList<>(reads.length);
    for (int r : reads) {
      if (needed != null && !needed[r == Primitive.OUT ? inputTypes.length : r]) {
        continue;
      }
      Object v = r == Primitive.OUT ? out : args[r];
      if (v instanceof Tensor t) {
        s.add(t);
      } else if (v instanceof List<?> l) {
        for (Object o : l) {
          s.add((Tensor) o);
        }
      } else if (v instanceof Tensor[] array) {
        // index tensors (Tensor.index(Tensor...)); null entries are full slices
        for (Tensor t : array) {
          if (t != null) {
            s.add(t);
          }
        }
      }
    }
    return s.isEmpty() ? NOTHING : s.toArray(NOTHING);
  }

  private Tensor[] inputs(Object[] args) {
    if (listAt < 0) {
      Tensor[] in = new Tensor[args.length];
      for (int i = 0; i < args.length; i++) {
        in[i] = args[i] instanceof Tensor t ? t : null;
      }
      return in;
    }
    List<?> list = (List<?>) args[listAt];
    Tensor[] in = new Tensor[args.length - 1 + list.size()];
    int j = 0;
    for (int i = 0; i < args.length; i++) {
      if (i == listAt) {
        for (Object o : list) {
          in[j++] = (Tensor) o;
        }
      } else {
        in[j++] = args[i] instanceof Tensor t ? t : null;
      }
    }
    return in;
  }

  private static boolean anyRequiresGrad(Object[] args) {
    for (Object a : args) {
      if (requiresGrad(a)) {
        return true;
      }
    }
    return false;
  }

  private static boolean requiresGrad(Object a) {
    if (a instanceof Tensor t) {
      return t.requiresGrad();
    }
    if (a instanceof List<?> l) {
      for (Object o : l) {
        if (o instanceof Tensor t && t.requiresGrad()) {
          return true;
        }
      }
    }
    return false;
  }

  private static Class<?>[] inputTypes(Method m, Primitive p) {
    List<Class<?>> types = new ArrayList<>();
    if (!Modifier.isStatic(m.getModifiers())) {
      types.add(m.getDeclaringClass());
    }
    types.addAll(Arrays.asList(m.getParameterTypes()));
    for (String accessor : p.receiverInputs()) {
      try {
        types.add(m.getDeclaringClass().getMethod(accessor).getReturnType());
      } catch (NoSuchMethodException e) {
        throw new IllegalStateException("Row: " + describe(m) + " names receiver input " + accessor
            + ", which is not a public no-argument method of " + m.getDeclaringClass().getSimpleName(), e);
      }
    }
    return types.toArray(new Class<?>[0]);
  }

  private Method find(Class<?> owner, String name, Class<?>[] types, Class<?> returns, String what) {
    Method found;
    try {
      found = owner.getMethod(name, types);
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException("Row: the " + what + " of " + describe(method) + ", "
          + owner.getSimpleName() + "." + name + Arrays.toString(types) + ", does not exist", e);
    }
    if (!Modifier.isStatic(found.getModifiers()) || found.getReturnType() != returns) {
      throw new IllegalStateException("Row: the " + what + " of " + describe(method) + ", " + found
          + ", must be public static and return " + returns.getSimpleName());
    }
    return found;
  }

  private static MethodHandle spread(Method m, MethodType type) {
    try {
      MethodHandle h = MethodHandles.publicLookup().unreflect(m).asFixedArity();
      int fixed = type.parameterCount() - 1;
      return h.asSpreader(Object[].class, m.getParameterCount() - fixed).asType(type);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("Row: " + m + " is not accessible", e);
    }
  }

  private static int[] resolveReads(int[] reads, int inputs) {
    if (reads.length == 1 && reads[0] == Primitive.ALL) {
      int[] all = new int[inputs + 1];
      for (int i = 0; i < inputs; i++) {
        all[i] = i;
      }
      all[inputs] = Primitive.OUT;
      return all;
    }
    for (int r : reads) {
      if (r != Primitive.OUT && (r < 0 || r >= inputs)) {
        throw new IllegalStateException("Row: reads names input " + r + " of " + inputs);
      }
    }
    return reads.clone();
  }

  private static int[][] gradReads(Primitive p, int inputs, String where) {
    if (p.grads().length == 0) {
      return null;
    }
    int[][] g = new int[inputs][];
    for (Primitive.Grad grad : p.grads()) {
      if (grad.of() < 0 || grad.of() >= inputs || g[grad.of()] != null) {
        throw new IllegalStateException("Row: " + where + " declares grads for input " + grad.of()
            + " (of " + inputs + ") twice or out of range");
      }
      for (int r : grad.reads()) {
        if (r != Primitive.OUT && (r < 0 || r >= inputs)) {
          throw new IllegalStateException("Row: " + where + ": the gradient of input " + grad.of()
              + " reads input " + r + " of " + inputs);
        }
      }
      g[grad.of()] = grad.reads().clone();
    }
    return g;
  }

  private static String describe(Method m) {
    StringBuilder b = new StringBuilder(m.getDeclaringClass().getSimpleName()).append('.').append(m.getName())
        .append('(');
    Class<?>[] ps = m.getParameterTypes();
    for (int i = 0; i < ps.length; i++) {
      b.append(i == 0 ? "" : ", ").append(ps[i].getSimpleName());
    }
    return b.append(')').toString();
  }

  @Override
  public String toString() {
    return describe(method);
  }
}
