package dev.adjoint.autograd;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import java.lang.invoke.LambdaMetafactory;
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
 * read once (on the row's first recording), with the adjoint bound once (on its first backward) through
 * {@link LambdaMetafactory}, so a backward calls it directly. The
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
  private final Class<?> owner;
  private final String name;
  private final Class<?>[] parameterTypes;
  /** Resolved on first use: reading ~100 annotations at class initialisation would cost start-up time. */
  private volatile Def def;

  private Row(Class<?> owner, String name, Class<?>[] parameterTypes, Def def) {
    this.owner = owner;
    this.name = name;
    this.parameterTypes = parameterTypes;
    this.def = def;
  }

  /**
   * The row of {@code owner}'s method {@code name(parameterTypes)}, which must carry {@link Primitive}. It is
   * resolved on first use, which throws {@code IllegalStateException} naming the method when the row does
   * not resolve (no such method, no adjoint of the right signature, an input position out of range);
   * {@code PrimitiveRowsTest} resolves every row.
   */
  public static Row of(Class<?> owner, String name, Class<?>... parameterTypes) {
    return new Row(owner, name, parameterTypes.clone(), null);
  }

  /** The row of an annotated method, resolved now (for tests that walk every primitive). */
  public static Row of(Method method) {
    return new Row(method.getDeclaringClass(), method.getName(), method.getParameterTypes(), new Def(method));
  }

  private Def def() {
    Def d = def;
    if (d == null) {
      try {
        d = new Def(owner.getDeclaredMethod(name, parameterTypes));
      } catch (NoSuchMethodException e) {
        throw new IllegalStateException("Row: " + owner.getSimpleName() + "." + name
            + Arrays.toString(parameterTypes) + " does not exist", e);
      }
      def = d;
    }
    return d;
  }

  /**
   * Records {@code out} as this primitive's result on {@code args} (the adjoint's inputs: the receiver for
   * an instance method, then the parameters, then the receiver inputs of a module), when grad mode is on
   * and a tensor among them requires grad; returns {@code out}. Allocates nothing when there is nothing to
   * record.
   */
  public Tensor record(Tensor out, Object... args) {
    ParameterMarks.markPending();
    if (!GradMode.isEnabled() || !anyRequiresGrad(args)) {
      return out;
    }
    return def().record(out, args);
  }

  /** Calls the adjoint: the gradients of {@code args} given the gradient {@code g} of {@code out}. */
  public Grads adjoint(Tensor g, Tensor out, Object... args) {
    return def().adjoint(g, out, args);
  }

  /** PyTorch's node name for this operation on {@code args}. */
  public String node(Object... args) {
    return def().node(args);
  }

  /** The annotated facade method. */
  public Method method() {
    return def().method;
  }

  /** The adjoint method. */
  public Method vjp() {
    return def().vjp;
  }

  /** The annotation. */
  public Primitive primitive() {
    return def().primitive;
  }

  /** The adjoint's input types: receiver, parameters, receiver inputs. */
  public Class<?>[] inputTypes() {
    return def().inputTypes.clone();
  }

  /**
   * The tensors a node made now for {@code args} would save, in {@link Primitive#reads()} order: what the
   * gradients of the inputs that require grad read.
   */
  public Tensor[] saved(Tensor out, Object... args) {
    return def().saved(out, args);
  }

  /** In {@link #inPlaceReads}: the gradients read the changed tensor's value from before the change. */
  public static final int READS_INPUT = 1;
  /** In {@link #inPlaceReads}: the gradients read the result, i.e. the changed tensor itself. */
  public static final int READS_RESULT = 2;

  /**
   * For the in-place form of this row's operation on {@code args} ({@code args[0]} the tensor it changes,
   * before the change): {@link #READS_INPUT} when the gradients of the inputs that require grad read the value
   * before the change (the caller keeps a private copy, PyTorch's {@code original_self}), {@link #READS_RESULT}
   * when they read the result (the node is then made after the change, so that it saves the changed version).
   */
  public int inPlaceReads(Object... args) {
    return def().inPlaceReads(args);
  }

  /** Makes the node of an in-place form: a plain node, or PyTorch's {@code CopySlices} when it changes a view. */
  @FunctionalInterface
  public interface NodeMaker {
    /** A node named {@code name} over {@code inputs} (the changed tensor first) saving {@code saved}. */
    Node make(String name, Tensor[] inputs, Tensor[] saved, Vjp vjp);
  }

  /**
   * The node of the in-place form of this row's operation, made by {@code maker}: the row's node name, the
   * row's adjoint and recorded formula, and what the row reads. {@code args} are the operation's inputs
   * ({@code args[0]} the tensor changed, whose edge the node takes); {@code adjointArgs} are what the adjoint
   * reads, the same except that {@code adjointArgs[0]} is the copy of the value before the change when
   * {@link #inPlaceReads} says the gradients read it. {@code recordable} false withholds the recorded formula
   * (that copy could not be given the tensor's history), so that createGraph marks the gradient as not
   * differentiable again instead of differentiating a constant.
   */
  public Node inPlaceNode(Tensor t, Object[] args, Object[] adjointArgs, boolean recordable, NodeMaker maker) {
    return def().inPlaceNode(t, args, adjointArgs, recordable, maker);
  }

  @Override
  public String toString() {
    return def().toString();
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

  /**
   * A node's backward: the row's adjoint on the recorded arguments, and under createGraph the row's
   * recorded formula ({@link DoubleBackward}) when it has one. One object per node serves both.
   */
  static class Recorded implements Vjp {
    final Def def;
    final Tensor out;
    final Object[] args;

    Recorded(Def def, Tensor out, Object[] args) {
      this.def = def;
      this.out = out;
      this.args = args;
    }

    @Override
    public Grads apply(Tensor g) {
      return def.adjoint(g, out, args);
    }

    /** Whether the row has a recorded formula, for createGraph. */
    final boolean recordable() {
      return def.doubleFormula != null;
    }

    /** The gradients by the recorded formula ({@code null} when it does not cover these arguments). */
    Grads applyRecorded(Tensor g) {
      return def.doubleFormula.apply(g, out, args);
    }
  }

  /**
   * The backward of an in-place form's node: the row's adjoint on the arguments (the value before the change
   * first, when read), and its recorded formula, offered as a {@link RecordedVjp} so that a {@code CopySlices}
   * wrapping it (a change through a view) reads it too.
   */
  static final class InPlaceRecorded extends Recorded implements RecordedVjp {
    private final boolean formula;

    InPlaceRecorded(Def def, Tensor out, Object[] args, boolean formula) {
      super(def, out, args);
      this.formula = formula && def.doubleFormula != null;
    }

    @Override
    public Grads applyRecorded(Tensor g) {
      return formula ? def.doubleFormula.apply(g, out, args) : null;
    }
  }

  /**
   * The backward of an in-place operation recorded under saved-tensor hooks: what its row saves (the old value's
   * copy, an operand, the result) goes through the hooks as for the out-of-place operation.
   */
  static final class InPlaceHooked extends Hooked implements RecordedVjp {
    private final boolean formula;

    InPlaceHooked(Def def, Tensor out, Object[] args, SavedTensorHooks.Pair hooks, int[] packedAt, Object[] packed,
        boolean formula) {
      super(def, out, args, hooks, packedAt, packed);
      this.formula = formula && def.doubleFormula != null;
    }

    @Override
    public Grads applyRecorded(Tensor g) {
      return formula ? super.applyRecorded(g) : null;
    }
  }

  /**
   * The backward of a node recorded under saved-tensor hooks: its adjoint reads the unpacked values of the
   * inputs (and output) the hooks packed.
   */
  static class Hooked extends Recorded {
    private final SavedTensorHooks.Pair hooks;
    /** The positions packed ({@link Primitive#OUT} for the output), and what the pack hook returned for each. */
    private final int[] packedAt;
    private final Object[] packed;

    Hooked(Def def, Tensor out, Object[] args, SavedTensorHooks.Pair hooks, int[] packedAt, Object[] packed) {
      super(def, out, args);
      this.hooks = hooks;
      this.packedAt = packedAt;
      this.packed = packed;
    }

    @Override
    public Grads apply(Tensor g) {
      Object[] a = args.clone();
      return def.adjoint(g, unpack(a), a);
    }

    @Override
    Grads applyRecorded(Tensor g) {
      Object[] a = args.clone();
      return def.doubleFormula.apply(g, unpack(a, true), a);
    }

    private Tensor unpack(Object[] a) {
      return unpack(a, false);
    }

    /**
     * Replaces the packed inputs of {@code a} by their unpacked values; returns the output to use. When
     * {@code recorded}, each unpacked value keeps the saved tensor's graph ({@link SavedTensorHooks#asSaved}).
     */
    private Tensor unpack(Object[] a, boolean recorded) {
      Tensor o = out;
      for (int k = 0; k < packedAt.length; k++) {
        int r = packedAt[k];
        Tensor like = r == Primitive.OUT ? out : (Tensor) args[r];
        Tensor t = SavedTensorHooks.unpack(hooks, packed[k], like.shape());
        if (recorded) {
          t = SavedTensorHooks.asSaved(t, like);
        }
        if (r == Primitive.OUT) {
          o = t;
        } else {
          a[r] = t;
        }
      }
      return o;
    }
  }

  /** A resolved row. */
  private static final class Def {
    private static final Tensor[] NOTHING = new Tensor[0];
    private static final MethodType ADJOINT = MethodType.methodType(Grads.class, Tensor.class, Tensor.class,
        Object[].class);
    private static final TensorAccess ACCESS = TensorAccess.get();

    private final Method method;
    private final Primitive primitive;
    private final Class<?>[] inputTypes;
    private final Method vjp;
    /**
     * The adjoint as an instance of {@code A1} ... {@code A6}, or a spreading handle (see {@link #bind});
     * bound on the first backward through this row, so that class initialisation stays cheap (binding all
     * rows at once costs about a second of JVM start-up). A race binds twice, harmlessly.
     */
    private Object bound;
    private final MethodHandle nodeOf;
    private final String node;
    private final int[] reads;
    /** Per input position, what its gradient reads; null when the row declares no {@code grads}. */
    private final int[][] gradReads;
    /** The position of a {@code List<Tensor>} input (cat, stack), or -1. */
    private final int listAt;
    /** The adjoint with recorded operations, for createGraph ({@link DoubleBackward}), or null. */
    private final DoubleBackward.Formula doubleFormula;
    private final boolean savesScalar;
    /** Whether the adjoint is the runtime's own code (not a user's {@code @Primitive}): see {@link Node#isLibrary}. */
    private final boolean library;

    private Def(Method method) {
      this.method = method;
      this.primitive = method.getAnnotation(Primitive.class);
      if (primitive == null) {
        throw new IllegalStateException("Row: " + describe(method) + " has no @Primitive");
      }
      this.node = primitive.node();
      this.inputTypes = inputTypes(method, primitive);
      if (inputTypes.length >= 63) {
        throw new IllegalStateException("Row: " + describe(method) + " has " + inputTypes.length
            + " inputs; a row has at most 62");
      }
      Class<?>[] vjpTypes = new Class<?>[inputTypes.length + 2];
      vjpTypes[0] = Tensor.class;
      vjpTypes[1] = Tensor.class;
      System.arraycopy(inputTypes, 0, vjpTypes, 2, inputTypes.length);
      this.vjp = find(primitive.rules(), primitive.vjp(), vjpTypes, Grads.class, "adjoint");
      this.nodeOf = primitive.nodeOf().isEmpty() ? null
          : spread(find(primitive.rules(), primitive.nodeOf(), inputTypes, String.class, "node name"),
              MethodType.methodType(String.class, Object[].class));
      this.reads = resolveReads(primitive.reads(), inputTypes.length);
      this.gradReads = gradReads(primitive, inputTypes.length, describe(method));
      int list = -1;
      for (int i = 0; i < inputTypes.length; i++) {
        if (List.class.isAssignableFrom(inputTypes[i])) {
          list = i;
        }
      }
      this.listAt = list;
      this.doubleFormula = DoubleBackward.formula(method);
      this.savesScalar = primitive.savesScalar();
      this.library = fromRuntime(vjp.getDeclaringClass());
    }

    /** Whether {@code c} comes from the runtime's own jar (or class directory), as {@link Tensor} does. */
    private static boolean fromRuntime(Class<?> c) {
      if (c.getClassLoader() != Tensor.class.getClassLoader() || !c.getName().startsWith("dev.adjoint.")) {
        return false;
      }
      java.security.CodeSource mine = Tensor.class.getProtectionDomain().getCodeSource();
      java.security.CodeSource its = c.getProtectionDomain().getCodeSource();
      return mine != null && its != null && java.util.Objects.equals(mine.getLocation(), its.getLocation());
    }

    /** Makes the node ({@link Row#record} has checked that there is one to make). */
    Tensor record(Tensor out, Object... args) {
      if (args.length != inputTypes.length) {
        throw new IllegalArgumentException(this + ": record takes " + inputTypes.length + " inputs, got "
            + args.length);
      }
      Tensor[] saved = saved(out, args);
      SavedTensorHooks.Pair hooks = saved.length == 0 ? null : SavedTensorHooks.current();
      Recorded backward = hooks == null ? new Recorded(this, out, args) : hooked(hooks, saved, out, args);
      Node n = new Node(node(args), null, listAt < 0 ? args : listInputs(args), saved, backward);
      if (savesScalar) {
        n.savesScalar();
      }
      if (library) {
        n.library();
      }
      ACCESS.setGradFn(out, n);
      n.setOutput(out);
      return out;
    }

    /**
     * The backward of a node recorded under saved-tensor hooks: each tensor input (or the output) that it saves
     * is packed now, and its adjoint reads the unpacked value in its place. Tensors inside a list or an array
     * input (cat, index) are not hooked.
     */
    private Hooked hooked(SavedTensorHooks.Pair hooks, Tensor[] saved, Tensor out, Object[] args) {
      List<Integer> at = new ArrayList<>();
      List<Object> packed = new ArrayList<>();
      for (int r : reads) {
        Object v = r == Primitive.OUT ? out : args[r];
        if (v instanceof Tensor t && contains(saved, t) && !at.contains(r)) {
          at.add(r);
          packed.add(SavedTensorHooks.pack(hooks, t));
        }
      }
      return new Hooked(this, out, args, hooks, at.stream().mapToInt(Integer::intValue).toArray(),
          packed.toArray());
    }

    private static boolean contains(Tensor[] ts, Tensor t) {
      for (Tensor x : ts) {
        if (x == t) {
          return true;
        }
      }
      return false;
    }

    /** Calls the adjoint: the gradients of {@code args} given the gradient {@code g} of {@code out}. */
    public Grads adjoint(Tensor g, Tensor out, Object... args) {
      Object b = bound;
      if (b == null) {
        b = bind(vjp);
        bound = b;
      }
      try {
        // instanceof tests, not a pattern switch: its type switch costs more than the adjoint of a small tensor
        if (b instanceof A2 a) {
          return a.vjp(g, out, args[0], args[1]);
        } else if (b instanceof A1 a) {
          return a.vjp(g, out, args[0]);
        } else if (b instanceof A3 a) {
          return a.vjp(g, out, args[0], args[1], args[2]);
        } else if (b instanceof A4 a) {
          return a.vjp(g, out, args[0], args[1], args[2], args[3]);
        } else if (b instanceof A5 a) {
          return a.vjp(g, out, args[0], args[1], args[2], args[3], args[4]);
        } else if (b instanceof A6 a) {
          return a.vjp(g, out, args[0], args[1], args[2], args[3], args[4], args[5]);
        }
        return (Grads) ((MethodHandle) b).invokeExact(g, out, args);
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

    /**
     * The tensors a node made now for {@code args} would save, in {@link Primitive#reads()} order: what the
     * gradients of the inputs that require grad read.
     */
    public Tensor[] saved(Tensor out, Object... args) {
      return saved(out, args, args);
    }

    /** {@link #saved(Tensor, Object...)} of the values {@code args}, for the inputs {@code grads} that require grad. */
    private Tensor[] saved(Tensor out, Object[] args, Object[] grads) {
      if (reads.length == 0) {
        return NOTHING;
      }
      // bit r: input r is read; bit 63: the output (a row has fewer than 63 inputs, checked when resolved)
      long needed = needed(grads);
      int n = 0;
      for (int pass = 0; pass < 2; pass++) {
        Tensor[] s = pass == 0 ? null : new Tensor[n];
        int k = 0;
        for (int r : reads) {
          if ((needed & 1L << (r == Primitive.OUT ? 63 : r)) == 0) {
            continue;
          }
          Object v = r == Primitive.OUT ? out : args[r];
          if (v instanceof Tensor t) {
            if (s != null) {
              s[k] = t;
            }
            k++;
          } else if (v instanceof List<?> l) {
            for (Object o : l) {
              if (s != null) {
                s[k] = (Tensor) o;
              }
              k++;
            }
          } else if (v instanceof Tensor[] array) {
            // index tensors (Tensor.index(Tensor...)); null entries are full slices
            for (Tensor t : array) {
              if (t != null) {
                if (s != null) {
                  s[k] = t;
                }
                k++;
              }
            }
          }
        }
        if (pass == 0) {
          if (k == 0) {
            return NOTHING;
          }
          n = k;
        } else {
          return s;
        }
      }
      throw new AssertionError();
    }

    /**
     * Bit r: input r is read by the gradient of an input of {@code args} that requires grad; bit 63: the output
     * is (a row has fewer than 63 inputs, checked when resolved). All bits when the row declares no grads.
     */
    private long needed(Object[] args) {
      if (gradReads == null) {
        return -1L;
      }
      long needed = 0;
      for (int i = 0; i < gradReads.length; i++) {
        if (gradReads[i] != null && requiresGrad(args[i])) {
          for (int r : gradReads[i]) {
            needed |= 1L << (r == Primitive.OUT ? 63 : r);
          }
        }
      }
      return needed;
    }

    int inPlaceReads(Object[] args) {
      long needed = needed(args);
      int what = 0;
      for (int r : reads) {
        if (r == 0 && (needed & 1L) != 0) {
          what |= READS_INPUT;
        } else if (r == Primitive.OUT && (needed & 1L << 63) != 0) {
          what |= READS_RESULT;
        }
      }
      return what;
    }

    Node inPlaceNode(Tensor t, Object[] args, Object[] adjointArgs, boolean recordable, NodeMaker maker) {
      if (args.length != inputTypes.length || adjointArgs.length != args.length || args[0] != t) {
        throw new IllegalArgumentException(this + ": an in-place record takes " + inputTypes.length
            + " inputs, the changed tensor first; got " + args.length);
      }
      Tensor[] inputs = new Tensor[args.length];
      for (int i = 0; i < args.length; i++) {
        inputs[i] = args[i] instanceof Tensor a ? a : null;
      }
      Tensor[] saved = saved(t, adjointArgs, args);
      SavedTensorHooks.Pair hooks = saved.length == 0 ? null : SavedTensorHooks.current();
      Recorded backward;
      if (hooks == null) {
        backward = new InPlaceRecorded(this, t, adjointArgs, recordable);
      } else {
        Hooked h = hooked(hooks, saved, t, adjointArgs);
        backward = new InPlaceHooked(this, t, adjointArgs, hooks, h.packedAt, h.packed, recordable);
      }
      Node n = maker.make(node(args), inputs, saved, backward);
      if (savesScalar) {
        n.savesScalar();
      }
      return n;
    }

    /** The node's inputs for a row with a list input: the list's tensors take its place. */
    private Tensor[] listInputs(Object[] args) {
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

    /** The adjoint of one to six inputs, called directly (an implementation made once per row). */
    @FunctionalInterface
    private interface A1 {
      Grads vjp(Tensor g, Tensor out, Object a);
    }

    @FunctionalInterface
    private interface A2 {
      Grads vjp(Tensor g, Tensor out, Object a, Object b);
    }

    @FunctionalInterface
    private interface A3 {
      Grads vjp(Tensor g, Tensor out, Object a, Object b, Object c);
    }

    @FunctionalInterface
    private interface A4 {
      Grads vjp(Tensor g, Tensor out, Object a, Object b, Object c, Object d);
    }

    @FunctionalInterface
    private interface A5 {
      Grads vjp(Tensor g, Tensor out, Object a, Object b, Object c, Object d, Object e);
    }

    @FunctionalInterface
    private interface A6 {
      Grads vjp(Tensor g, Tensor out, Object a, Object b, Object c, Object d, Object e, Object f);
    }

    private static final Class<?>[] ARITIES = {null, A1.class, A2.class, A3.class, A4.class, A5.class, A6.class};

    /**
     * The adjoint bound once: through {@link LambdaMetafactory}, an implementation of {@code A1} ... {@code A6}
     * whose method calls the adjoint directly (the arguments cast or unboxed, as a lambda's would be), so a
     * backward costs one interface call as with a hand-written closure; a spreading {@link MethodHandle} for
     * anything else.
     */
    private static Object bind(Method vjp) {
      int n = vjp.getParameterCount() - 2;
      if (n >= 1 && n < ARITIES.length && !vjp.isVarArgs()) {
        try {
          MethodHandles.Lookup lookup = MethodHandles.lookup();
          MethodHandle impl = lookup.unreflect(vjp);
          Class<?>[] erased = new Class<?>[n + 2];
          Class<?>[] dynamic = new Class<?>[n + 2];
          erased[0] = dynamic[0] = Tensor.class;
          erased[1] = dynamic[1] = Tensor.class;
          for (int i = 0; i < n; i++) {
            erased[i + 2] = Object.class;
            dynamic[i + 2] = MethodType.methodType(vjp.getParameterTypes()[i + 2]).wrap().returnType();
          }
          return LambdaMetafactory.metafactory(lookup, "vjp", MethodType.methodType(ARITIES[n]),
              MethodType.methodType(Grads.class, erased), impl, MethodType.methodType(Grads.class, dynamic))
              .getTarget().invoke();
        } catch (Throwable e) {
          throw new IllegalStateException("Row: cannot bind the adjoint " + vjp, e);
        }
      }
      return spread(vjp, ADJOINT);
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
}
