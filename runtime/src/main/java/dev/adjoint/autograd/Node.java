package dev.adjoint.autograd;

import dev.adjoint.Tensor;
import java.util.Arrays;

/**
 * One recorded operation of the autograd graph: PyTorch's {@code grad_fn}. It keeps the edges to
 * the nodes of its inputs, the adjoint to run, and the tensors the adjoint reads, with their versions
 * at record time so that an in-place change to a saved tensor is reported instead of producing a
 * wrong gradient. Nodes are made by {@link dev.adjoint.Autograd#record}; the engine runs them.
 */
public final class Node {
  private final String name;
  private final String site;
  /** The inputs: tensors, or other arguments of a row's operation, which are not inputs (see {@link #input}). */
  private final Object[] inputs;
  private final Node[] next;
  /** Bit i: input i required a gradient when recorded (inputs 64 and on: {@link #needsGradMore}). */
  private final long needsGrad;
  /** For a node of more than 64 inputs (a cat of many tensors), every input's flag; else null. */
  private final boolean[] needsGradMore;
  private Tensor[] saved;
  private int[] savedVersions;
  /** Each saved tensor's {@code setData} count when saved; null when all were 0 (the usual case). */
  private int[] savedSwaps;
  /**
   * Bit i: saved tensor i (i below 64) was made by a recorded operation when saved, so a later
   * {@code detach_()} of it is an error at backward, as PyTorch's "saved tensor that has been detached".
   */
  private long savedNonLeaf;
  private Vjp vjp;
  private Tensor retained;
  private Tensor output;
  /** What few nodes have (several outputs, hooks, an anomaly trace, a leaf); null for most. */
  private Extra extra;
  /** Whether backward through this node may be recorded (createGraph) and then differentiated again. */
  private boolean doubleDifferentiable;
  /** When the node was made: nodes made later run first when both are ready (PyTorch's sequence number). */
  private final long sequence;

  /**
   * The fields of the few nodes that need them, kept apart so that the node of every recorded operation stays
   * small (each recorded operation allocates one).
   */
  private static final class Extra {
    /** For a node of several outputs (a custom {@code Function}): its outputs and its adjoint; else null. */
    Tensor[] outputs;
    MultiVjp multiVjp;
    /** Output k's retained tensor for k > 0 (a node of several outputs). */
    Tensor[] retainedMore;
    /** Hooks on the gradients of this node's outputs (tensor hooks of non-leaves), per output; null if none. */
    java.util.List<java.util.List<Hooks.Entry>> preHooks;
    /** In anomaly mode: the stack of the forward call that made this node; else null. */
    String trace;
    /** For an {@code AccumulateGrad} node: its leaf (weakly, as PyTorch's); else null. */
    java.lang.ref.WeakReference<Tensor> variable;
    /** For an {@code AccumulateGrad} node: hooks run after the gradient is accumulated; else null. */
    java.util.List<java.util.function.Consumer<Tensor>> postAccumulateHooks;
    /**
     * For a {@code CopySlices} node: the view an in-place operation changed (which the operation may have saved as
     * its result) and the operation's own node name, which version errors name as PyTorch's do; else null.
     */
    Tensor changedView;
    String wrappedName;
  }

  private Extra extra() {
    if (extra == null) {
      extra = new Extra();
    }
    return extra;
  }
  /**
   * The last sequence number given. Not atomic, since every recorded operation takes one: threads recording at
   * once may share a number, which only orders their ready nodes arbitrarily (PyTorch's are per thread).
   */
  private static long lastSequence;
  /**
   * The backward task whose bookkeeping {@link #engineSlot} holds, or null (see {@code Engine.Slot}). Taken by
   * compare-and-set and given back with release semantics; a plain read suffices to ask "is it mine", since only
   * the reading task itself ever stores itself here.
   */
  Object engineOwner;
  /** The owning task's bookkeeping for this node. */
  Engine.Slot engineSlot;
  private static final java.lang.invoke.VarHandle OWNER;

  static {
    try {
      OWNER = java.lang.invoke.MethodHandles.lookup().findVarHandle(Node.class, "engineOwner", Object.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * Internal: use {@link dev.adjoint.Autograd#record}. {@code inputs[i].gradFn()} is read now, so a
   * later change of an input does not rewire the graph.
   */
  public Node(String name, String site, Tensor[] inputs, Tensor[] saved, Vjp vjp) {
    this(name, site, (Object[]) inputs, saved, vjp);
  }

  /**
   * A row's node, whose inputs are the operation's arguments themselves (the array the adjoint reads, not a
   * copy): the tensors among them are its inputs, the rest (scalars, dimensions) stand for no input.
   */
  Node(String name, String site, Object[] inputs, Tensor[] saved, Vjp vjp) {
    this.name = name;
    this.site = site;
    this.inputs = inputs;
    this.next = new Node[inputs.length];
    long bits = 0;
    boolean[] more = inputs.length > 64 ? new boolean[inputs.length] : null;
    for (int i = 0; i < inputs.length; i++) {
      if (inputs[i] instanceof Tensor in) {
        if (in.requiresGrad()) {
          if (more != null) {
            more[i] = true;
          } else {
            bits |= 1L << i;
          }
        }
        next[i] = in.gradFn();
      }
    }
    this.needsGrad = bits;
    this.needsGradMore = more;
    this.saved = saved;
    this.savedVersions = new int[saved.length];
    long nonLeaf = 0;
    TensorAccess access = saved.length == 0 ? null : TensorAccess.get();
    for (int i = 0; i < saved.length; i++) {
      if (saved[i] == null) {
        continue; // a Function may save None
      }
      savedVersions[i] = saved[i].version();
      access.savedBy(saved[i], 1);
      int swaps = access.dataSwaps(saved[i]);
      if (swaps != 0) {
        if (savedSwaps == null) {
          savedSwaps = new int[saved.length];
        }
        savedSwaps[i] = swaps;
      }
      if (i < 64 && saved[i].gradFn() != null) {
        nonLeaf |= 1L << i;
      }
    }
    this.savedNonLeaf = nonLeaf;
    this.vjp = vjp;
    this.sequence = ++lastSequence;
    if (Anomaly.recordsTrace()) {
      extra().trace = Anomaly.trace();
    }
  }

  /**
   * Internal: a node of {@code outputCount} outputs (a custom {@code Function}); {@code vjp} receives one
   * upstream gradient per output ({@code null} where none flowed, unless the function materialises zeros).
   */
  public Node(String name, Tensor[] inputs, Tensor[] saved, MultiVjp vjp, Tensor[] outputs) {
    this(name, null, inputs, saved, (Vjp) null);
    Extra x = extra();
    x.multiVjp = vjp;
    x.outputs = outputs.clone();
    x.retainedMore = new Tensor[outputs.length];
  }

  private MultiVjp multiVjp() {
    return extra == null ? null : extra.multiVjp;
  }

  /** The adjoint of a node of several outputs. */
  @FunctionalInterface
  public interface MultiVjp {
    /** The gradients of the node's inputs given one gradient per output ({@code null}: none flowed). */
    Grads apply(Tensor[] upstream);
  }

  /** Internal, for the engine: takes this node for {@code task}; false when another task holds it. */
  boolean claim(Object task) {
    return OWNER.compareAndSet(this, null, task);
  }

  /** Internal, for the engine: gives the node back. */
  void release() {
    OWNER.setRelease(this, null);
  }

  /** Whether the node keeps a number as PyTorch keeps a wrapped scalar: freed by a backward like a saved tensor. */
  private boolean scalarSaved;

  /** Internal, for rows: this node holds a saved number ({@code Primitive#savesScalar}). */
  void savesScalar() {
    scalarSaved = true;
  }

  /**
   * Whether the adjoint is a library rule's (a row of the runtime's own classes), which keeps no reference to
   * the gradients it reads: the engine may then give a marked upstream gradient back to the
   * {@link BufferPool} once this node has run.
   */
  private boolean library;

  /** Internal, for rows: marks the adjoint as a library rule's (see {@link #library()}). */
  void library() {
    library = true;
  }

  /**
   * Internal, for the engine: a backward that records (createGraph) reads this node's saved tensors into nodes of
   * its own, some of which keep them in formulas rather than among their saved tensors: none of them may go back
   * to the {@link BufferPool} as an activation.
   */
  void keepSaved() {
    Tensor[] s = saved;
    if (s != null) {
      TensorAccess access = TensorAccess.get();
      for (Tensor t : s) {
        if (t != null) {
          access.setInternal(t, false);
        }
      }
    }
  }

  /** Internal, for the engine: whether the adjoint is a library rule's. */
  boolean isLibrary() {
    return library;
  }

  /** The PyTorch-style name of this node, e.g. {@code MulBackward0}. */
  public String name() {
    return name;
  }

  /** Where the operation was recorded in user code ({@code File.java:12}), or {@code null}. */
  public String site() {
    return site;
  }

  /**
   * PyTorch's {@code next_functions}: one edge per input, to the node that made it and that node's output
   * number; for a leaf that requires grad, to its {@code AccumulateGrad} node (the same node for every use
   * of the leaf, while the leaf lives); {@code (null, 0)} for an input that needs no gradient.
   */
  public Edge[] nextFunctions() {
    Edge[] e = new Edge[next.length];
    for (int i = 0; i < next.length; i++) {
      if (next[i] != null) {
        e[i] = new Edge(next[i], next[i].outputNr(input(i)));
      } else if (needsGrad(i)) {
        e[i] = new Edge(AccumulateGrad.of(input(i)), 0);
      } else {
        e[i] = new Edge(null, 0);
      }
    }
    return e;
  }

  /** For an {@code AccumulateGrad} node, its leaf ({@code variable}); else {@code null}. */
  public Tensor variable() {
    return extra == null || extra.variable == null ? null : extra.variable.get();
  }

  void setVariable(Tensor leaf) {
    extra().variable = new java.lang.ref.WeakReference<>(leaf);
  }

  /** Internal: registers a hook that runs with the leaf after its gradient is accumulated. */
  RemovableHandle registerPostAccumulateHook(java.util.function.Consumer<Tensor> hook) {
    Extra x = extra();
    if (x.postAccumulateHooks == null) {
      x.postAccumulateHooks = new java.util.concurrent.CopyOnWriteArrayList<>();
    }
    java.util.function.Consumer<Tensor> h = t -> hook.accept(t);
    x.postAccumulateHooks.add(h);
    java.util.List<java.util.function.Consumer<Tensor>> list = x.postAccumulateHooks;
    return () -> list.removeIf(e -> e == h);
  }

  void runPostAccumulateHooks(Tensor leaf) {
    if (extra != null && extra.postAccumulateHooks != null) {
      for (java.util.function.Consumer<Tensor> h : extra.postAccumulateHooks) {
        h.accept(leaf);
      }
    }
  }

  /** The number of outputs (1 except for a custom {@code Function} of several). */
  public int outputCount() {
    return extra == null || extra.outputs == null ? 1 : extra.outputs.length;
  }

  /** Output {@code k} of a node of several outputs; else the node's output. */
  public Tensor output(int k) {
    return extra != null && extra.outputs != null ? extra.outputs[k] : output;
  }

  /** Whether a backward without retainGraph has freed this node's saved tensors. */
  public boolean isFreed() {
    return vjp == null && multiVjp() == null;
  }

  /** Which output of this node {@code t} is (0 unless the node has several outputs). */
  public int outputNr(Tensor t) {
    Tensor[] outputs = extra == null ? null : extra.outputs;
    if (outputs != null) {
      for (int k = 0; k < outputs.length; k++) {
        if (outputs[k] == t) {
          return k;
        }
      }
    }
    return 0;
  }

  /** The order in which nodes were made (PyTorch's sequence number); later nodes run first. */
  public long sequenceNr() {
    return sequence;
  }

  /**
   * Internal: the sequence number of the last node made (on any thread); a node made afterwards has a greater
   * {@link #sequenceNr}. Lets {@code Checkpoint} tell the nodes of a segment from those made before it.
   */
  public static long lastSequenceNr() {
    return lastSequence;
  }

  /** Internal: whether hooks are registered on this node's outputs (tensor hooks of non-leaves). */
  public boolean hasPreHooks() {
    if (extra == null || extra.preHooks == null) {
      return false;
    }
    for (java.util.List<Hooks.Entry> list : extra.preHooks) {
      if (!list.isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Internal, for the engine: whether the node runs when reached by no defined gradient (a custom
   * {@code Function}, whose backward may receive zeros or nulls, as PyTorch's {@code PyNode}).
   */
  boolean runsWithoutGradients() {
    return extra != null && extra.multiVjp != null;
  }

  /** Internal: whether createGraph may record this node's backward (else its results carry an error node). */
  public boolean doubleDifferentiable() {
    return doubleDifferentiable;
  }

  /** Internal: whether the node's adjoint has a form made of recorded operations, run under createGraph. */
  boolean hasDoubleVjp() {
    return vjp instanceof Row.Recorded r && r.recordable() || vjp instanceof RecordedVjp;
  }

  /** Internal: marks this node's adjoint as made of recorded tensor operations (see {@code DoubleBackward}). */
  public Node setDoubleDifferentiable(boolean value) {
    this.doubleDifferentiable = value;
    return this;
  }

  /** In anomaly mode, the stack of the forward call that made this node; else {@code null}. */
  public String trace() {
    return extra == null ? null : extra.trace;
  }

  /** Internal: registers {@code hook} on the gradient of output {@code k}; returns its handle. */
  public RemovableHandle registerPreHook(int k, java.util.function.UnaryOperator<Tensor> hook) {
    Extra x = extra();
    if (x.preHooks == null) {
      x.preHooks = new java.util.ArrayList<>();
    }
    while (x.preHooks.size() <= k) {
      x.preHooks.add(new java.util.ArrayList<>());
    }
    return Hooks.add(x.preHooks.get(k), hook);
  }

  /** Internal, for the engine: whether output {@code k} has hooks ({@link #runPreHooks} would call user code). */
  boolean hasPreHooks(int k) {
    java.util.List<java.util.List<Hooks.Entry>> preHooks = extra == null ? null : extra.preHooks;
    return preHooks != null && k < preHooks.size() && preHooks.get(k) != null && !preHooks.get(k).isEmpty();
  }

  /** Internal, for the engine: whether this is a custom {@code Function}'s node (its adjoint is user code). */
  boolean custom() {
    return multiVjp() != null;
  }

  /** Internal, for the engine: runs output {@code k}'s hooks on {@code g}; a hook may replace it. */
  Tensor runPreHooks(int k, Tensor g) {
    java.util.List<java.util.List<Hooks.Entry>> preHooks = extra == null ? null : extra.preHooks;
    if (preHooks == null || k >= preHooks.size()) {
      return g;
    }
    return Hooks.run(preHooks.get(k), g, name);
  }

  /** Internal, for the engine: the number of inputs. */
  public int inputCount() {
    return inputs.length;
  }

  /**
   * Internal, for the engine: input {@code i} as recorded. For an in-place operation input 0 is the
   * changed tensor itself, standing for its value before the change: the engine reads only its shape,
   * and a leaf that requires grad never changes in place while recording.
   */
  public Tensor input(int i) {
    return inputs[i] instanceof Tensor t ? t : null;
  }

  /** Internal, for the engine: the node of input {@code i}, or {@code null}. */
  public Node next(int i) {
    return next[i];
  }

  /** Internal, for the engine: whether input {@code i} required a gradient when recorded. */
  public boolean needsGrad(int i) {
    return needsGradMore != null ? needsGradMore[i] : (needsGrad >>> i & 1) != 0;
  }

  /** Internal: the output tensor that asked for {@code retainGrad()}, or {@code null}. */
  public Tensor retained() {
    return retained;
  }

  /** Internal, for the engine: output {@code k}'s retained tensor, or {@code null}. */
  Tensor retained(int k) {
    return k == 0 ? retained : extra.retainedMore[k];
  }

  /**
   * Internal: called by {@code Tensor.retainGrad()} on a non-leaf, and with {@code null} when an
   * in-place operation moves the retained tensor to its new node.
   */
  public void retain(Tensor output) {
    int k = output == null ? 0 : outputNr(output);
    if (k == 0) {
      this.retained = output;
    } else {
      extra.retainedMore[k] = output;
    }
  }

  /**
   * Internal: called once when the node is made, with the tensor it produced (for an in-place operation,
   * the changed tensor). Only read to name the producer of a saved tensor in the version error.
   */
  public void setOutput(Tensor output) {
    if (extra != null && extra.outputs != null) {
      return;
    }
    this.output = output;
  }

  /**
   * Runs the adjoint for {@code upstream}; frees the saved tensors afterwards unless {@code retainGraph}.
   * Throws if the saved tensors were already freed or one of them changed in place. A node that saved no
   * tensor has nothing to free and may run again, as in PyTorch.
   */
  public Grads apply(Tensor upstream, boolean retainGraph) {
    return apply(new Tensor[] {upstream}, retainGraph);
  }

  /** {@link #apply(Tensor, boolean)} for a node of several outputs: one upstream gradient per output. */
  public Grads apply(Tensor[] upstream, boolean retainGraph) {
    return apply(upstream, retainGraph, GradMode.isEnabled());
  }

  /** {@link #apply(Tensor[], boolean)} by the engine, which knows whether it records the backward. */
  Grads apply(Tensor[] upstream, boolean retainGraph, boolean recording) {
    MultiVjp multiVjp = multiVjp();
    if (vjp == null && multiVjp == null) {
      throw new IllegalStateException(where() + "Trying to backward through the graph a second time (or "
          + "directly access saved tensors after they have already been freed). Saved intermediate values "
          + "of the graph are freed when you call backward(). Specify retainGraph=true if you need to "
          + "backward through the graph a second time or if you need to access saved tensors after "
          + "calling backward.");
    }
    for (int i = 0; i < saved.length; i++) {
      if (saved[i] == null) {
        continue; // a Function may save None
      }
      if (saved[i].version() != savedVersions[i]) {
        throw new IllegalStateException(where() + "one of the variables needed for gradient computation "
            + "has been modified by an inplace operation: [" + torchType(saved[i]) + " " + Arrays.toString(saved[i].shape())
            + "]" + producer(saved[i]) + " is at version " + saved[i].version() + "; expected version " + savedVersions[i]
            + " instead. Use an out-of-place operation (e.g. sub instead of sub_) on tensors that a "
            + "recorded operation still needs.");
      }
      if (TensorAccess.get().dataSwaps(saved[i]) != (savedSwaps == null ? 0 : savedSwaps[i])) {
        throw new IllegalStateException(where() + "one of the variables needed for gradient computation (a "
            + "[" + torchType(saved[i]) + " " + Arrays.toString(saved[i].shape()) + "] when saved) has had its data replaced by "
            + "setData since. PyTorch's x.data = ... would let this backward read the new data silently; here "
            + "it is an error: run the forward again after setData (Module.to converts this way).");
      }
      if (i < 64 && (savedNonLeaf & (1L << i)) != 0 && saved[i].gradFn() == null && !isOutput(saved[i])) {
        throw new IllegalStateException(where() + "Trying to use a saved tensor that has been detached "
            + "in-place, i.e. with detach_() (a [" + torchType(saved[i]) + " " + Arrays.toString(saved[i].shape()) + "] this "
            + "operation saved as an input). This is not supported, please use out of place detach() "
            + "instead.");
      }
    }
    Grads grads = multiVjp != null ? multiVjp.apply(upstream)
        : recording && vjp instanceof Row.Recorded r && r.recordable() ? r.applyRecorded(upstream[0])
        : recording && vjp instanceof RecordedVjp rv ? rv.applyRecorded(upstream[0])
        : vjp.apply(upstream[0]);
    if (grads == null) {
      // a recorded formula that does not cover these arguments: the caller guards the plain adjoint's result
      boolean was = GradMode.set(false);
      try {
        grads = vjp.apply(upstream[0]);
      } finally {
        GradMode.set(was);
      }
      grads = DoubleBackward.guard(this, upstream, grads);
    }
    if (!retainGraph && (saved.length > 0 || scalarSaved)) {
      // as PyTorch, only saved tensors are freed: a node that saved none can run again
      vjp = null;
      if (multiVjp != null) {
        extra.multiVjp = null;
      }
      Tensor[] freed = saved;
      saved = null;
      BufferPool.unsaved(freed);
      savedVersions = null;
      savedSwaps = null;
    }
    return grads;
  }

  /**
   * PyTorch's ", which is output 0 of X," for a saved tensor that is not a leaf: X is this node when it
   * saved its own output, else the node that made the tensor's current value.
   */
  private String producer(Tensor t) {
    if (extra != null && extra.changedView == t) {
      // the result of an in-place operation on a view, saved by it: PyTorch names the operation (ReluBackward0),
      // not the view's regenerated AsStridedBackward0
      return ", which is output 0 of " + extra.wrappedName + ",";
    }
    Node made = t == output ? this : t.gradFn();
    return made == null ? "" : ", which is output 0 of " + made.name() + ",";
  }

  /**
   * Internal: marks this {@code CopySlices} node as wrapping the in-place operation {@code operation} (its node name)
   * on {@code view}, so that a version error on the saved view names the operation, as PyTorch does.
   */
  public void wrapsInPlaceOn(Tensor view, String operation) {
    Extra x = extra();
    x.changedView = view;
    x.wrappedName = operation;
  }

  /** Whether {@code t} is a tensor this node produced (a saved output may be detached in place, as in PyTorch). */
  private boolean isOutput(Tensor t) {
    if (t == output) {
      return true;
    }
    if (extra != null && extra.outputs != null) {
      for (Tensor o : extra.outputs) {
        if (o == t) {
          return true;
        }
      }
    }
    return false;
  }

  /** {@code Name (File.java:12): } or {@code Name: }, the prefix of this node's errors. */
  public String where() {
    return site == null ? name + ": " : name + " (" + site + "): ";
  }

  @Override
  public String toString() {
    return name;
  }

  /** PyTorch's name of a tensor's type in its messages: {@code FloatTensor}, {@code DoubleTensor}, ... */
  private static String torchType(Tensor t) {
    return switch (t.dtype()) {
      case FLOAT64 -> "DoubleTensor";
      case FLOAT32 -> "FloatTensor";
      case INT64 -> "LongTensor";
      case BOOL -> "BoolTensor";
    };
  }
}
