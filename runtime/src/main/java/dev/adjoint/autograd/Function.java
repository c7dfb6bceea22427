package dev.adjoint.autograd;

import dev.adjoint.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A custom differentiable operation written eagerly ({@code torch.autograd.Function}): the eager counterpart
 * of {@code @Derivative}. Subclass it with a {@link #forward} that computes the outputs (run with grad mode
 * off, so nothing inside is recorded) and a {@link #backward} that returns one gradient per forward input,
 * then call {@link #apply} (or {@link #applyAll} for several outputs):
 *
 * <pre>{@code
 * final class Exp extends Function {
 *   @Override public Tensor[] forward(Ctx ctx, Object... in) {
 *     Tensor y = ((Tensor) in[0]).exp();
 *     ctx.saveForBackward(y);
 *     return new Tensor[] {y};
 *   }
 *   @Override public Tensor[] backward(Ctx ctx, Tensor... g) {
 *     return new Tensor[] {g[0].mul(ctx.savedTensors()[0])};
 *   }
 * }
 * Tensor y = new Exp().apply(x);   // y.gradFn().name() == "ExpBackward"
 * }</pre>
 *
 * <p>The node composes with every other node, eager or generated. Its backward runs with grad mode on under
 * {@code createGraph}, so a backward written with tensor operations can be differentiated again.
 * {@link Ctx} offers PyTorch's {@code save_for_backward} (version-checked), {@code mark_dirty},
 * {@code mark_non_differentiable}, {@code needs_input_grad} and {@code set_materialize_grads}.
 */
public abstract class Function {
  private static final TensorAccess ACCESS = TensorAccess.get();

  /** For subclasses. */
  protected Function() {}

  /**
   * Computes the outputs from {@code inputs} (tensors and other values); nothing inside is recorded. The outputs
   * are tensors, or any other values beside them (a number, a string, {@code null} for Python's {@code None}),
   * which {@link #applyValues} returns unchanged and which get no gradient. A subclass whose outputs are all
   * tensors may declare {@code Tensor[]} as its return type.
   */
  public abstract Object[] forward(Ctx ctx, Object... inputs);

  /**
   * The gradients of the forward inputs (one per input, {@code null} for none or a non-tensor; trailing nulls
   * may be left out) given one gradient per output ({@code null} for an output no gradient reached, unless
   * {@link Ctx#setMaterializeGrads} left zeros in its place, the default; always {@code null} for an output that
   * is not a tensor). As in PyTorch, a gradient may have a shape its input broadcasts to ({@code [2, 3]} for a
   * {@code [3]} input): it is summed back to the input's shape; any other shape is an error naming the function.
   */
  public abstract Tensor[] backward(Ctx ctx, Tensor... gradOutputs);

  /**
   * Marks a {@link #backward} that is not itself differentiable ({@code @once_differentiable}): it runs with grad
   * mode off even under {@code createGraph}, and the gradients it returns then carry an {@code Error} node, so
   * that differentiating them again throws instead of giving a silent zero.
   */
  @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
  @java.lang.annotation.Target(java.lang.annotation.ElementType.METHOD)
  @java.lang.annotation.Documented
  public @interface OnceDifferentiable {}

  private static final ClassValue<Boolean> ONCE = new ClassValue<>() {
    @Override
    protected Boolean computeValue(Class<?> type) {
      for (Class<?> c = type; c != null && c != Function.class; c = c.getSuperclass()) {
        try {
          return c.getDeclaredMethod("backward", Ctx.class, Tensor[].class)
              .isAnnotationPresent(OnceDifferentiable.class);
        } catch (NoSuchMethodException e) {
          // declared higher up
        }
      }
      return false;
    }
  };

  /** The node's name: the class's simple name followed by {@code Backward}, as PyTorch. */
  protected String nodeName() {
    String simple = getClass().getSimpleName();
    if (simple.isEmpty()) {
      // an anonymous subclass: its binary name's last part, Outer$1, as Python prints a class defined in a function
      String binary = getClass().getName();
      simple = binary.substring(binary.lastIndexOf('.') + 1);
    }
    return simple + "Backward";
  }

  /** Applies a function of one output; throws if {@link #forward} returned another number of outputs. */
  public final Tensor apply(Object... inputs) {
    Tensor[] out = applyAll(inputs);
    if (out.length != 1) {
      throw new IllegalStateException(getClass().getSimpleName() + ".apply: forward returned " + out.length
          + " outputs; use applyAll");
    }
    return out[0];
  }

  /**
   * Applies a function whose outputs are all tensors: runs {@link #forward} and, when something is to be
   * recorded, makes its node. Throws if an output is not a tensor; use {@link #applyValues} then.
   */
  public final Tensor[] applyAll(Object... inputs) {
    Object[] values = run(inputs, false);
    Tensor[] out = new Tensor[values.length];
    for (int k = 0; k < values.length; k++) {
      if (values[k] != null && !(values[k] instanceof Tensor)) {
        throw new IllegalStateException(getClass().getSimpleName() + ".forward returned a "
            + values[k].getClass().getSimpleName() + " as output " + k + "; use applyValues for outputs that are "
            + "not tensors");
      }
      out[k] = (Tensor) values[k];
    }
    return out;
  }

  /**
   * Applies the function and returns what {@link #forward} returned, as Python's {@code Function.apply} does: the
   * tensor outputs (recorded, as {@link #applyAll}'s) and the other values unchanged, each at its position.
   * {@code backward} receives {@code null} as the gradient of an output that is not a tensor.
   *
   * <pre>{@code
   * Object[] res = new MyFunction().applyValues(t1, t2, scale, t3);   // (scale, t4, null, true, t5, "bar", t1)
   * Tensor t4 = (Tensor) res[1];
   * }</pre>
   */
  public final Object[] applyValues(Object... inputs) {
    return run(inputs, true);
  }

  private Object[] run(Object[] inputs, boolean values) {
    Tensor[] tensorInputs = new Tensor[inputs.length];
    boolean[] needs = new boolean[inputs.length];
    boolean record = GradMode.isEnabled();
    boolean any = false;
    for (int i = 0; i < inputs.length; i++) {
      if (inputs[i] instanceof Tensor t) {
        tensorInputs[i] = t;
        needs[i] = record && t.requiresGrad();
        any |= needs[i];
      }
    }
    record &= any;
    Ctx ctx = new Ctx(needs);
    Object[] raw;
    boolean was = GradMode.set(false);
    try {
      raw = forward(ctx, inputs);
    } finally {
      GradMode.set(was);
    }
    if (raw == null) {
      throw new IllegalStateException(getClass().getSimpleName() + ".forward returned null");
    }
    raw = raw.clone();
    // the tensor outputs at their positions, null elsewhere: the node has one output per forward output
    Tensor[] out = new Tensor[raw.length];
    int tensors = 0;
    for (int k = 0; k < raw.length; k++) {
      if (raw[k] instanceof Tensor t) {
        out[k] = t;
        tensors++;
      }
    }
    for (Tensor d : ctx.dirty) {
      int at = indexOf(tensorInputs, d);
      if (at < 0) {
        throw new IllegalStateException(getClass().getSimpleName() + ": mark_dirty received a tensor that was not "
            + "an input. (shape " + java.util.Arrays.toString(d.shape()) + "); only inputs modified in place may be "
            + "marked dirty");
      }
      if (record && d.isView() && tensors > 1) {
        throw new IllegalStateException(getClass().getSimpleName() + ": a view was marked dirty (modified in "
            + "place) by a function of " + tensors + " outputs; functions which modify views in-place must "
            + "return only one output");
      }
      if (record && d.isView() && d.base().isLeaf() && d.base().requiresGrad()) {
        throw new IllegalStateException(getClass().getSimpleName() + ": a view of a leaf Variable that requires "
            + "grad is being used in an in-place operation (markDirty on a view of shape "
            + java.util.Arrays.toString(d.shape()) + ")");
      }
      if (record && d.isLeaf() && d.requiresGrad()) {
        throw new IllegalStateException(getClass().getSimpleName() + ": a leaf Variable that requires grad "
            + "is being used in an in-place operation.");
      }
    }
    if (!record) {
      return raw;
    }
    for (int k = 0; k < out.length; k++) {
      Tensor o = out[k];
      if (o == null) {
        if (raw[k] == null && !values) {
          throw new IllegalStateException(getClass().getSimpleName() + ".forward returned a null output " + k);
        }
        continue; // not a tensor: no gradient, returned as it is
      }
      boolean input = indexOf(tensorInputs, o) >= 0;
      boolean dirty = indexOf(ctx.dirty, o) >= 0;
      if (input && !dirty && indexOf(ctx.nonDifferentiable, o) < 0) {
        out[k] = o.detach(); // an input returned unchanged: a new tensor sharing it, as PyTorch's view_as
      } else if (!input && !dirty && o.isView() && !viewOfInput(o, tensorInputs)) {
        // a view of a tensor made inside forward: nobody else can reach its base, so the output stands alone
        // (its node is this Function's, not a view node regenerated from the base's later versions)
        out[k] = o.detach();
      }
    }
    Tensor[] saved = ctx.saved == null ? new Tensor[0] : ctx.saved;
    Node[] made = new Node[1];
    Node node = new Node(nodeName(), tensorInputs, saved, gs -> grads(ctx, gs, made[0], tensorInputs),
        out);
    made[0] = node;
    node.setDoubleDifferentiable(true);
    ctx.node = node;
    for (int k = 0; k < out.length; k++) {
      Tensor o = out[k];
      if (o == null) {
        continue;
      }
      raw[k] = o;
      if (indexOf(ctx.nonDifferentiable, o) >= 0) {
        continue;
      }
      ACCESS.setGradFn(o, node);
      node.setOutput(o);
    }
    return raw;
  }

  private Grads grads(Ctx ctx, Tensor[] upstream, Node node, Tensor[] inputs) {
    Tensor[] gs = upstream.clone();
    if (ctx.materialize) {
      for (int k = 0; k < gs.length; k++) {
        if (gs[k] == null && node.output(k) != null) {
          gs[k] = Tensor.zerosLike(node.output(k));
        }
      }
    }
    Tensor[] r;
    boolean once = ONCE.get(getClass());
    boolean recording = GradMode.isEnabled();
    if (once) {
      GradMode.set(false);
      try {
        r = backward(ctx, gs);
      } finally {
        GradMode.set(recording);
      }
    } else {
      r = backward(ctx, gs);
    }
    String name = nodeName();
    if (r == null) {
      r = new Tensor[inputs.length]; // Python's "return None": no gradient for any input
    }
    int last = r.length;
    while (last > inputs.length && r[last - 1] == null) {
      last--;
    }
    if (last != inputs.length && r.length > inputs.length) {
      throw new IllegalStateException(name + ": function backward returned an incorrect number of gradients "
          + "(expected " + inputs.length + ", got " + r.length + ")");
    }
    if (r.length < inputs.length) {
      for (int i = r.length; i < inputs.length; i++) {
        if (ctx.needsInputGrad(i)) {
          throw new IllegalStateException(name + ": function backward returned an incorrect number of "
              + "gradients (expected " + inputs.length + ", got " + r.length + ")");
        }
      }
      r = Arrays.copyOf(r, inputs.length);
    }
    for (int i = 0; i < inputs.length; i++) {
      if (r[i] == null) {
        continue;
      }
      if (inputs[i] == null) {
        throw new IllegalStateException(name + ": function backward returned a gradient different than None "
            + "at position " + (i + 1) + ", but the corresponding forward input was not a Variable");
      }
      if (!Arrays.equals(r[i].shape(), inputs[i].shape())
          && dev.adjoint.shape.Shapes.expandableTo(inputs[i].shape(), r[i].shape())) {
        // PyTorch's validate_outputs: a gradient the input broadcasts to is summed back to its shape (sum_to)
        r[i] = DoubleBackward.sumTo(r[i], inputs[i]);
      } else if (!Arrays.equals(r[i].shape(), inputs[i].shape())) {
        throw new IllegalStateException(name + ": Function " + name + " returned an invalid gradient at index "
            + i + " - got " + Arrays.toString(r[i].shape()) + " but expected shape compatible with "
            + Arrays.toString(inputs[i].shape()));
      }
    }
    Grads grads = Grads.of(r);
    if (once && recording) {
      String message = name + ": trying to differentiate twice a function that was marked with "
          + "@once_differentiable (Function.OnceDifferentiable on " + getClass().getSimpleName() + ".backward)";
      grads = DoubleBackward.guard(node, gs, grads, "Error", () -> message);
    }
    return grads;
  }

  private static boolean viewOfInput(Tensor view, Tensor[] inputs) {
    Tensor base = view.base();
    for (Tensor t : inputs) {
      if (t != null && (t == base || t.base() != null && t.base() == base)) {
        return true;
      }
    }
    return false;
  }

  private static int indexOf(Tensor[] ts, Tensor t) {
    for (int i = 0; i < ts.length; i++) {
      if (ts[i] == t) {
        return i;
      }
    }
    return -1;
  }

  /** What a {@link Function} call keeps between its forward and its backward ({@code ctx}). */
  public static final class Ctx {
    private final boolean[] needsInputGrad;
    private Tensor[] saved;
    /** Under saved-tensor hooks: the hooks and what they packed, one per saved tensor. */
    private SavedTensorHooks.Pair hooks;
    private Object[] packed;
    private Tensor[] dirty = new Tensor[0];
    private Tensor[] nonDifferentiable = new Tensor[0];
    private boolean materialize = true;
    private final Map<String, Object> values = new HashMap<>();
    private Node node;

    private Ctx(boolean[] needsInputGrad) {
      this.needsInputGrad = needsInputGrad;
    }

    /**
     * Keeps {@code tensors} for backward ({@code save_for_backward}); a later in-place change to one makes
     * backward throw, and they are freed after a backward that does not retain the graph. Call once.
     */
    public void saveForBackward(Tensor... tensors) {
      saved = tensors.clone();
      SavedTensorHooks.Pair h = SavedTensorHooks.current();
      if (h != null) {
        hooks = h;
        packed = new Object[saved.length];
        for (int i = 0; i < saved.length; i++) {
          packed[i] = saved[i] == null ? null : SavedTensorHooks.pack(h, saved[i]);
        }
      }
    }

    /** The saved tensors; throws once a backward has freed them. */
    public Tensor[] savedTensors() {
      if (node != null && node.isFreed()) {
        throw new IllegalStateException(node.where() + "Trying to backward through the graph a second time "
            + "(or directly access saved tensors after they have already been freed). Saved intermediate values "
            + "of the graph are freed when you call backward(). Specify retainGraph=true if you need to "
            + "backward through the graph a second time or if you need to access saved tensors after calling "
            + "backward.");
      }
      if (saved == null) {
        return new Tensor[0];
      }
      if (hooks == null) {
        return saved.clone();
      }
      Tensor[] out = new Tensor[saved.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = packed[i] == null ? null
            : SavedTensorHooks.asSaved(SavedTensorHooks.unpack(hooks, packed[i], saved[i].shape()), saved[i]);
      }
      return out;
    }

    /** Declares inputs that forward modified in place ({@code mark_dirty}); they become outputs of the node. */
    public void markDirty(Tensor... tensors) {
      dirty = tensors.clone();
    }

    /** Declares outputs that are not differentiable ({@code mark_non_differentiable}): no gradient flows. */
    public void markNonDifferentiable(Tensor... tensors) {
      nonDifferentiable = tensors.clone();
    }

    /** Whether forward input {@code i} needs a gradient ({@code needs_input_grad[i]}). */
    public boolean needsInputGrad(int i) {
      return i < needsInputGrad.length && needsInputGrad[i];
    }

    /**
     * Whether backward receives zeros ({@code true}, the default) or {@code null} for an output no gradient
     * reached ({@code set_materialize_grads}).
     */
    public void setMaterializeGrads(boolean value) {
      materialize = value;
    }

    /** Keeps a non-tensor value for backward ({@code ctx.name = value}). */
    public void put(String name, Object value) {
      values.put(name, value);
    }

    /** A value kept with {@link #put}. */
    @SuppressWarnings("unchecked")
    public <T> T get(String name) {
      return (T) values.get(name);
    }
  }
}
