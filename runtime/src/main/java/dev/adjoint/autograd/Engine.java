package dev.adjoint.autograd;

import dev.adjoint.Tensor;
import dev.adjoint.kernel.Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The backward pass: runs the nodes reachable from the roots, a node only once the gradients of all its
 * users have reached it (summed per output), later-made nodes first among the ready ones (PyTorch's sequence
 * numbers), and accumulates into the {@code grad} of leaves (and of non-leaves that asked for
 * {@code retainGrad()}). One engine serves {@code Tensor.backward}, {@code Autograd.backward} (several roots,
 * {@code inputs}) and {@code Autograd.grad} (the gradients returned, no {@code .grad} touched).
 *
 * <p>Adjoints run with grad mode off, or on with {@code createGraph}, so that the backward is itself
 * recorded. A node whose adjoint is not made of recorded operations ({@link Node#doubleDifferentiable()}
 * false) still computes its gradients then, but they carry an error node: differentiating them again throws
 * ("double backward through XBackward0 is not supported") instead of giving a silent zero.
 *
 * <p>The graph's keys are nodes, and leaf tensors for the leaves' {@code AccumulateGrad}.
 */
public final class Engine {
  private static final TensorAccess ACCESS = TensorAccess.get();

  /** How many backward calls are running nested on this thread (reentrant backward through custom Functions). */
  private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);
  /** The nesting at which a reentrant backward moves to a new thread (PyTorch's engine also bounds its depth). */
  private static final int MAX_DEPTH = 32;

  /** The backward task running on this thread (the innermost one), or null. */
  private static final ThreadLocal<Task> CURRENT = new ThreadLocal<>();

  private Engine() {}

  /**
   * Whether the backward running on this thread (if any) is a plain {@code backward()}: one that accumulates
   * into every leaf, without {@code inputs}, and is not {@code Autograd.grad}. A reentrant checkpoint needs
   * one, since it accumulates the recomputed graph's gradients into the leaves itself.
   */
  public static boolean inPlainBackward() {
    Task t = CURRENT.get();
    return t == null || t.accumulate && t.inputs == null;
  }

  /**
   * Backward from {@code root} with {@code gradient} (null: ones, for a one-element root); keeps the saved
   * tensors for another backward when {@code retainGraph}.
   */
  public static void backward(Tensor root, Tensor gradient, boolean retainGraph) {
    new Engine.Task("backward", new Tensor[] {root}, new Tensor[] {gradient}, retainGraph, false, null, true)
        .run();
  }

  /**
   * {@code torch.autograd.backward(roots, grads, retain_graph, create_graph, inputs)}: accumulates into the
   * leaves (only into {@code inputs} when not null; a non-leaf in {@code inputs} gets its {@code grad} too).
   */
  public static void backward(Tensor[] roots, Tensor[] grads, boolean retainGraph, boolean createGraph,
      Tensor[] inputs) {
    if (inputs != null && inputs.length == 0) {
      throw new IllegalArgumentException("backward: 'inputs' argument to backward() cannot be empty.");
    }
    if (inputs != null) {
      for (int j = 0; j < inputs.length; j++) {
        if (!inputs[j].requiresGrad()) {
          throw new IllegalArgumentException("backward: One of the differentiated Tensors does not require grad"
              + " (inputs[" + j + "], shape " + str(inputs[j]) + ")");
        }
      }
    }
    new Task("backward", roots, grads, retainGraph, createGraph, inputs, true).run();
  }

  /**
   * {@code torch.autograd.grad}: the gradients of {@code outputs} (weighted by {@code gradOutputs}) with
   * respect to {@code inputs}, without touching any {@code grad}; {@code null} for an input the outputs do
   * not reach when {@code allowUnused}, else that throws.
   */
  public static Tensor[] grad(Tensor[] outputs, Tensor[] inputs, Tensor[] gradOutputs, boolean retainGraph,
      boolean createGraph, boolean allowUnused) {
    if (inputs.length == 0) {
      throw new IllegalArgumentException("grad: grad requires non-empty inputs.");
    }
    for (int j = 0; j < inputs.length; j++) {
      if (!inputs[j].requiresGrad()) {
        throw new IllegalArgumentException("grad: One of the differentiated Tensors does not require grad"
            + " (inputs[" + j + "], shape " + str(inputs[j]) + ")");
      }
    }
    Task task = new Task("grad", outputs, gradOutputs, retainGraph, createGraph, inputs, false);
    task.run();
    Tensor[] result = task.captured;
    for (int j = 0; j < result.length; j++) {
      if (result[j] == null && !allowUnused) {
        throw new IllegalArgumentException("grad: One of the differentiated Tensors appears to not have been "
            + "used in the graph. Set allowUnused=true if this is the desired behavior. (inputs[" + j
            + "], shape " + str(inputs[j]) + ")");
      }
    }
    return result;
  }

  /**
   * {@link Grads#owned}: marks {@code g} as the running task's to take, when a task is running the adjoint of
   * a node that is not a custom {@code Function} (whose backward is user code) and builds no graph.
   */
  static void own(Tensor g) {
    Task t = CURRENT.get();
    if (t != null && t.takeable) {
      ACCESS.setGradOwner(g, t.token);
    }
  }

  /** {@link Grads#into}: the running task's buffer for {@code input}'s gradient, or null. */
  static Tensor destination(Tensor input) {
    Task t = CURRENT.get();
    return t != null && t.takeable ? t.deliver(input) : null;
  }

  private static int[] shape(Tensor t) {
    return ACCESS.shape(t);
  }

  private static String str(Tensor t) {
    return Arrays.toString(shape(t));
  }

  /**
   * A key's bookkeeping during one backward: its users not yet run, the gradients waiting for it (one per
   * output), and, with {@code inputs}, which inputs it is and whether it leads to one. A node keeps its slot
   * in a field while one task owns it (claimed in {@link Task#discover}); leaves, and every key of a task
   * that finds a node owned by another (a backward inside a hook over the same graph, or another thread),
   * keep theirs in the task's map.
   */
  static final class Slot {
    int pending;
    Tensor[] buffer;
    List<int[]> captures;
    boolean reaches;
    /** Scratch for {@link Task#prune}: users not yet ordered. */
    int left;
  }

  /** One backward pass. */
  private static final class Task {
    private final String op;
    private final Tensor[] roots;
    private final Tensor[] rootGrads;
    private final boolean retainGraph;
    private final boolean createGraph;
    private final Tensor[] inputs;
    private final boolean accumulate;
    /** For {@code grad}: input j's gradient. */
    final Tensor[] captured;
    /** The slots of leaves, and of every key when {@link #shared}. */
    private final Map<Object, Slot> slots = new IdentityHashMap<>(8);
    /** The nodes whose slot field this task owns; released when it ends. */
    private final List<Node> claimed = new ArrayList<>(16);
    /** Whether a node of this graph was owned by another task: then every slot lives in {@link #slots}. */
    private boolean shared;
    /** With {@code inputs}: whether {@link Slot#reaches} was computed (else every node runs). */
    private boolean pruned;
    /**
     * Whether a gradient the running adjoint marks {@link Grads#owned} becomes this task's to take: only while
     * this task runs the adjoint of a node that is not a custom Function, without createGraph.
     */
    boolean takeable;
    /**
     * What {@link Grads#owned} marks a gradient with: a token rather than the task, so that a marked tensor
     * that outlives the task (a captured gradient, say) keeps nothing of the graph alive.
     */
    final Object token = new Object();
    /**
     * The mark of a gradient that a node whose adjoint is not a library rule's (generated code, which may call
     * a user's rule) returned marked: a leaf may still take it as its {@code grad}, as before, but the engine never
     * gives it to the {@link BufferPool}, since code other than the library's has held it.
     */
    final Object takeOnly = new Object();
    /** The node whose adjoint runs while {@link #takeable}. */
    private Node running;
    /** Leaves whose zeroed {@code grad} the running adjoint was handed ({@link Grads#into}), and those grads. */
    private Tensor[] deliveredLeaves = new Tensor[0];
    private Tensor[] deliveredGrads = new Tensor[0];
    private int delivered;

    Task(String op, Tensor[] roots, Tensor[] grads, boolean retainGraph, boolean createGraph, Tensor[] inputs,
        boolean accumulate) {
      this.op = op;
      this.roots = roots;
      this.retainGraph = retainGraph;
      this.createGraph = createGraph;
      this.inputs = inputs;
      this.accumulate = accumulate;
      this.captured = inputs == null ? null : new Tensor[inputs.length];
      if (grads == null) {
        grads = new Tensor[roots.length];
      } else if (grads.length != roots.length) {
        throw new IllegalArgumentException(op + ": got " + roots.length + " tensors and " + grads.length
            + " gradients");
      }
      this.rootGrads = new Tensor[roots.length];
      for (int j = 0; j < roots.length; j++) {
        Tensor root = roots[j];
        if (!root.requiresGrad()) {
          throw new IllegalStateException(op + ": element " + j + " of tensors does not require grad and does "
              + "not have a gradFn (shape " + str(root) + ")");
        }
        Tensor g = grads[j];
        if (g == null) {
          if (root.numel() != 1) {
            throw new IllegalStateException(op + ": grad can be implicitly created only for scalar outputs"
                + " (this tensor has shape " + str(root) + "; pass a gradient of that shape)");
          }
          g = Tensor.onesLike(root);
        } else if (!Arrays.equals(shape(g), shape(root))) {
          throw new IllegalArgumentException(op + ": Mismatch in shape: grad_output[" + j + "] has a shape of "
              + str(g) + " and output[" + j + "] has a shape of " + str(root) + ".");
        }
        rootGrads[j] = g;
      }
    }

    /**
     * Runs the task here, or, when backward calls have nested {@link #MAX_DEPTH} deep on this thread (a custom
     * Function whose backward calls backward: reentrant), on a fresh thread that this one waits for, as
     * PyTorch's engine escapes stack overflow; the grad mode travels with it.
     */
    void run() {
      int[] depth = DEPTH.get();
      if (depth[0] < MAX_DEPTH) {
        depth[0]++;
        try {
          runHere();
        } finally {
          depth[0]--;
        }
        return;
      }
      boolean mode = GradMode.isEnabled();
      Throwable[] failure = new Throwable[1];
      Thread worker = new Thread(() -> {
        GradMode.set(mode);
        try {
          run();
        } catch (Throwable t) {
          failure[0] = t;
        }
      }, "adjoint-reentrant-backward");
      worker.start();
      try {
        worker.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(op + ": interrupted while waiting for a reentrant backward", e);
      }
      if (failure[0] instanceof RuntimeException e) {
        throw e;
      }
      if (failure[0] instanceof Error e) {
        throw e;
      }
      if (failure[0] != null) {
        throw new IllegalStateException(failure[0]);
      }
    }

    private void runHere() {
      boolean previous = GradMode.set(createGraph);
      Task outer = CURRENT.get();
      CURRENT.set(this);
      try {
        if (!discover()) {
          release();
          slots.clear();
          shared = true;
          discover();
        }
        if (inputs != null) {
          for (int j = 0; j < inputs.length; j++) {
            Tensor in = inputs[j];
            Node fn = in.gradFn();
            Slot s = slot(fn == null ? in : fn);
            if (s != null) {
              if (s.captures == null) {
                s.captures = new ArrayList<>(1);
              }
              s.captures.add(new int[] {j, fn == null ? 0 : fn.outputNr(in)});
            }
          }
          prune();
        }
        PriorityQueue<Node> ready = new PriorityQueue<>((a, b) -> Long.compare(b.sequenceNr(), a.sequenceNr()));
        for (int j = 0; j < roots.length; j++) {
          Node fn = roots[j].gradFn();
          Object key = fn == null ? roots[j] : fn;
          add(key, fn == null ? 0 : fn.outputNr(roots[j]), fn == null ? 1 : fn.outputCount(), rootGrads[j]);
        }
        List<Object> start = new ArrayList<>(roots.length);
        for (Tensor root : roots) {
          Object key = root.gradFn() == null ? root : root.gradFn();
          if (slot(key).pending == 0 && !start.contains(key)) {
            start.add(key);
          }
        }
        for (Object key : start) {
          if (key instanceof Node n) {
            ready.add(n);
          } else {
            leaf((Tensor) key);
          }
        }
        while (!ready.isEmpty()) {
          Node n = ready.poll();
          step(n, ready);
        }
      } finally {
        release();
        CURRENT.set(outer);
        GradMode.set(previous);
      }
    }

    /** The slot of {@code key} in this task, or {@code null} when the key is not reachable from the roots. */
    private Slot slot(Object key) {
      if (!shared && key instanceof Node n) {
        return n.engineOwner == this ? n.engineSlot : null;
      }
      return slots.get(key);
    }

    /**
     * A new slot for {@code key}; {@code null} when {@code key} is a node that another task owns (the caller
     * then starts over with {@link #shared} slots).
     */
    private Slot newSlot(Object key) {
      Slot s = new Slot();
      if (!shared && key instanceof Node n) {
        if (!n.claim(this)) {
          return null;
        }
        n.engineSlot = s;
        claimed.add(n);
      } else {
        slots.put(key, s);
      }
      return s;
    }

    private void release() {
      for (Node n : claimed) {
        n.engineSlot = null;
        n.release();
      }
      claimed.clear();
    }

    /**
     * Counts, for each key reachable from the roots, the edges from reachable nodes that point to it; false
     * when a node is owned by another task (nothing counted is kept).
     */
    private boolean discover() {
      List<Node> stack = new ArrayList<>();
      for (Tensor root : roots) {
        Node fn = root.gradFn();
        Object key = fn == null ? root : fn;
        if (slot(key) == null) {
          if (newSlot(key) == null) {
            return false;
          }
          if (fn != null) {
            stack.add(fn);
          }
        }
      }
      while (!stack.isEmpty()) {
        Node n = stack.remove(stack.size() - 1);
        for (int i = 0; i < n.inputCount(); i++) {
          Object m = child(n, i);
          if (m == null) {
            continue;
          }
          Slot c = slot(m);
          if (c == null) {
            c = newSlot(m);
            if (c == null) {
              return false;
            }
            if (m instanceof Node mn) {
              stack.add(mn);
            }
          }
          c.pending++;
        }
      }
      return true;
    }

    /** The key input {@code i} of {@code n} sends its gradient to: a node, a leaf, or null. */
    private static Object child(Node n, int i) {
      if (!n.needsGrad(i)) {
        return null;
      }
      Node m = n.next(i);
      return m != null ? m : n.input(i);
    }

    /**
     * With {@code inputs}: marks the keys on a path to one of them, in reverse topological order (Kahn's
     * order over the counted edges), so that nodes leading elsewhere do not run.
     */
    private void prune() {
      List<Object> keys = new ArrayList<>(claimed);
      keys.addAll(slots.keySet());
      List<Object> queue = new ArrayList<>();
      for (Object k : keys) {
        Slot s = slot(k);
        s.left = s.pending;
        if (s.left == 0) {
          queue.add(k);
        }
      }
      List<Object> order = new ArrayList<>();
      while (!queue.isEmpty()) {
        Object k = queue.remove(queue.size() - 1);
        order.add(k);
        if (k instanceof Node n) {
          for (int i = 0; i < n.inputCount(); i++) {
            Object m = child(n, i);
            if (m != null && --slot(m).left == 0) {
              queue.add(m);
            }
          }
        }
      }
      for (int o = order.size() - 1; o >= 0; o--) {
        Object k = order.get(o);
        Slot s = slot(k);
        boolean r = s.captures != null;
        if (k instanceof Node n) {
          for (int i = 0; i < n.inputCount() && !r; i++) {
            Object m = child(n, i);
            r = m != null && slot(m).reaches;
          }
        }
        s.reaches = r;
      }
      pruned = true;
    }

    /** Whether node {@code n} must run: always without {@code inputs}; else when a child leads to one. */
    private boolean mustRun(Node n) {
      if (!pruned) {
        return true;
      }
      for (int i = 0; i < n.inputCount(); i++) {
        Object m = child(n, i);
        if (m != null && slot(m).reaches) {
          return true;
        }
      }
      return false;
    }

    private void add(Object key, int slot, int slots, Tensor g) {
      Slot s = slot(key);
      Tensor[] b = s.buffer;
      if (b == null) {
        b = new Tensor[slots];
        s.buffer = b;
      }
      Tensor was = b[slot];
      if (was == null) {
        b[slot] = g;
      } else {
        b[slot] = sum(was, g);
        if (was != g && !createGraph) {
          recycle(was); // both terms were only in this task's hands
          recycle(g);
        }
      }
    }

    private Tensor sum(Tensor a, Tensor b) {
      if (createGraph) {
        return a.add(b);
      }
      if (a.dtype() == Tensor.DType.FLOAT64 || b.dtype() == Tensor.DType.FLOAT64) {
        double[] x = a.toDoubleArray();
        double[] y = b.toDoubleArray();
        for (int i = 0; i < x.length; i++) {
          x[i] += y[i];
        }
        return Tensor.wrap(x, shape(a));
      }
      float[] out = BufferPool.floats(a.numel());
      Kernels.get().add(a.storage(), b.storage(), out, out.length);
      Tensor s = Tensor.wrap(out, shape(a));
      ACCESS.setGradOwner(s, token); // a new array that only this task's buffer holds
      return s;
    }

    /** Whether this task may give marked gradients back to the {@link BufferPool}: a plain accumulating backward. */
    private boolean pools() {
      return accumulate && !createGraph;
    }

    /**
     * Gives {@code g}'s array back to the {@link BufferPool} when {@code g} is a dense float32 gradient marked as
     * this task's ({@link Grads#owned}; a mark is dropped wherever anything else could come to hold it) that the
     * caller has just finished with; then {@code g} is retired, so that a stray reference fails loudly.
     */
    private void recycle(Tensor g) {
      if (g != null && ACCESS.gradOwner(g) == token && pools() && g.dtype() == Tensor.DType.FLOAT32
          && ACCESS.isDense(g)) {
        float[] a = (float[]) ACCESS.array(g);
        ACCESS.retire(g);
        BufferPool.release(a);
      }
    }

    private void step(Node n, PriorityQueue<Node> ready) {
      Slot own = slot(n);
      Tensor[] gs = own.buffer;
      own.buffer = null;
      Grads grads = null;
      if (gs != null) {
        List<int[]> caps = own.captures;
        if (caps != null) {
          for (int[] c : caps) {
            Tensor g = gs[c[1]];
            if (accumulate) {
              if (g != null) {
                accumulateInto(inputs[c[0]], g, false);
              }
            } else {
              captured[c[0]] = g;
            }
          }
        }
        boolean any = false;
        for (int k = 0; k < gs.length; k++) {
          if (gs[k] != null) {
            if (n.hasPreHooks(k)) {
              disown(gs[k]); // a hook may keep it
              gs[k] = n.runPreHooks(k, gs[k]);
              disown(gs[k]);
            }
            Tensor kept = n.retained(k);
            if (kept != null) {
              accumulateInto(kept, gs[k], false);
            }
            any = true;
          }
        }
        if (any && mustRun(n)) {
          if (createGraph) {
            n.keepSaved();
          }
          // a lazy adjoint computes its entries when read: disownShared reads every one that step() uses
          takeable = !createGraph && accumulate && !n.custom();
          running = n;
          try {
            grads = call(n, gs);
            disownShared(n, grads);
            if (!n.isLibrary()) {
              takeOnly(n, grads);
            }
          } finally {
            takeable = false;
            running = null;
          }
        }
      } else if (n.runsWithoutGradients() && mustRun(n)) {
        // PyTorch calls a custom Function's backward even when only undefined gradients reached it (a
        // backward that returned None for it); the Function materialises zeros or passes nulls
        grads = call(n, new Tensor[n.outputCount()]);
      }
      for (int i = 0; i < n.inputCount(); i++) {
        Object m = child(n, i);
        if (m == null) {
          continue;
        }
        Tensor gi = grads == null ? null : grads.get(i);
        if (delivered > 0 && settleDelivered(n, m, gi)) {
          gi = null; // the leaf's grad holds it already
        }
        if (gi != null) {
          Tensor in = n.input(i);
          if (!Arrays.equals(shape(gi), shape(in))) {
            gi = validShape(n, i, gi, in);
          }
          if (gi.dtype() != in.dtype() && in.dtype().isFloatingPoint()) {
            gi = gi.to(in.dtype()); // PyTorch's validate_outputs: a gradient takes its input's dtype
          }
          if (m instanceof Node mn) {
            add(mn, mn.outputNr(in), mn.outputCount(), gi);
          } else {
            add(m, 0, 1, gi);
          }
        }
        if (--slot(m).pending == 0) {
          if (m instanceof Node mn) {
            ready.add(mn);
          } else {
            leaf((Tensor) m);
          }
        }
      }
      if (grads != null && gs != null && n.isLibrary() && own.captures == null && pools()) {
        recycleUpstream(n, gs, grads);
      }
    }

    /**
     * After library node {@code n} has run and its gradients went on: gives back each upstream gradient that
     * is still marked this task's, which no hook and no {@code retainGrad} saw, and whose array none of the
     * gradients {@code n} returned shares (an adjoint that passes its upstream gradient on, or a view of it).
     */
    private void recycleUpstream(Node n, Tensor[] gs, Grads grads) {
      for (int k = 0; k < gs.length; k++) {
        Tensor u = gs[k];
        if (u == null || ACCESS.gradOwner(u) != token || n.hasPreHooks(k) || n.retained(k) != null) {
          continue;
        }
        Object array = ACCESS.array(u);
        int sharers = 0;
        Tensor heir = null;
        for (int i = 0; i < n.inputCount(); i++) {
          Tensor gi = child(n, i) == null ? null : grads.get(i);
          if (gi != null && ACCESS.array(gi) == array) {
            sharers++;
            heir = gi;
          }
        }
        for (int j = 0; j < gs.length; j++) {
          if (j != k && gs[j] != null && ACCESS.array(gs[j]) == array) {
            sharers += 2;
          }
        }
        if (sharers == 0) {
          recycle(u);
        } else if (sharers == 1 && heir != u && ACCESS.gradOwner(heir) == null && ACCESS.isDense(heir)) {
          // a view of u over its whole array (a reshape's adjoint) went on alone: the mark goes with it
          ACCESS.setGradOwner(heir, token);
        }
      }
    }

    /**
     * {@link Grads#into} for the running node: {@code input}'s zeroed {@code grad} when the adjoint may write
     * its gradient there (see there), else null.
     */
    Tensor deliver(Tensor input) {
      Node n = running;
      if (n == null || inputs != null || !accumulate || createGraph || !input.isLeaf() || !input.requiresGrad()) {
        return null;
      }
      Tensor grad = input.grad();
      if (grad == null || grad.dtype() != Tensor.DType.FLOAT32 || input.dtype() != Tensor.DType.FLOAT32
          || grad.requiresGrad() || !ACCESS.isKnownZero(grad) || !Arrays.equals(shape(grad), shape(input))
          || AccumulateGrad.existing(input) != null) {
        return null;
      }
      for (int k = 0; k < delivered; k++) {
        if (deliveredLeaves[k] == input) {
          return null;
        }
      }
      int edges = 0;
      for (int i = 0; i < n.inputCount(); i++) {
        if (child(n, i) == input) {
          edges++;
        }
      }
      Slot s = slots.get(input);
      if (edges != 1 || s == null || s.pending != 1 || s.captures != null
          || s.buffer != null && s.buffer[0] != null) {
        return null; // another node (or another input of this one) adds to the same grad in this pass
      }
      if (delivered == deliveredLeaves.length) {
        deliveredLeaves = Arrays.copyOf(deliveredLeaves, delivered + 4);
        deliveredGrads = Arrays.copyOf(deliveredGrads, delivered + 4);
      }
      deliveredLeaves[delivered] = input;
      deliveredGrads[delivered] = grad;
      delivered++;
      grad.bumpVersion(); // no longer known to be zero, whatever happens next
      return grad;
    }

    /**
     * Whether {@code key} is a leaf whose {@code grad} the node just run was handed; then that grad is made to
     * hold exactly {@code gi}, the gradient the adjoint returned for it ({@code 0 + gi}: it was zero), and the
     * leaf needs nothing more from this pass.
     */
    private boolean settleDelivered(Node n, Object key, Tensor gi) {
      for (int k = 0; k < delivered; k++) {
        if (deliveredLeaves[k] != key) {
          continue;
        }
        Tensor grad = deliveredGrads[k];
        deliveredLeaves[k] = deliveredLeaves[delivered - 1];
        deliveredGrads[k] = deliveredGrads[delivered - 1];
        delivered--;
        deliveredLeaves[delivered] = null;
        deliveredGrads[delivered] = null;
        if (gi != grad) {
          // the adjoint returned something other than the buffer (a sum of it and more terms, or nothing)
          float[] d = grad.storage();
          if (gi == null) {
            Arrays.fill(d, 0f);
          } else {
            if (!Arrays.equals(shape(gi), shape(grad))) {
              gi = validShape(n, indexOfChild(n, key), gi, (Tensor) key);
            }
            float[] src = gi.dtype() == Tensor.DType.FLOAT32 && ACCESS.isDense(gi) ? gi.storage() : gi.toFloatArray();
            System.arraycopy(src, 0, d, 0, d.length);
          }
        }
        grad.bumpVersion();
        return true;
      }
      return false;
    }

    /**
     * PyTorch's {@code validate_outputs} for a gradient {@code gi} whose shape is not its input's: summed back to
     * the input's shape when the input broadcasts to it ({@code sum_to}), else PyTorch's error. The library's rows
     * return their inputs' shapes (the rule tests check every row); a node made by user code (a generated method's
     * node runs the user's {@code @Derivative} rules, which {@code Adjoints.fromRule} checks first) may not.
     */
    private Tensor validShape(Node n, int i, Tensor gi, Tensor in) {
      if (dev.adjoint.shape.Shapes.expandableTo(shape(in), shape(gi))) {
        return DoubleBackward.sumTo(gi, in);
      }
      throw new IllegalStateException(n.name() + ": Function " + n.name() + " returned an invalid gradient at index "
          + i + " - got " + str(gi) + " but expected shape compatible with " + str(in));
    }

    private int indexOfChild(Node n, Object key) {
      for (int i = 0; i < n.inputCount(); i++) {
        if (child(n, i) == key) {
          return i;
        }
      }
      return -1;
    }

    /** Runs {@code n}'s adjoint, recorded or not, and checks its results in anomaly mode. */
    private Grads call(Node n, Tensor[] gs) {
      Grads grads;
      Vjp viewFormula = createGraph && !n.doubleDifferentiable() && !n.hasDoubleVjp() ? DoubleBackward.byNode(n) : null;
      if (viewFormula != null) {
        grads = viewFormula.apply(gs[0]);
      } else if (createGraph && !n.doubleDifferentiable() && !n.hasDoubleVjp()) {
        boolean was = GradMode.set(false);
        try {
          grads = n.apply(gs, retainGraph, false);
        } finally {
          GradMode.set(was);
        }
        grads = DoubleBackward.guard(n, gs, grads);
      } else {
        if (n.custom()) {
          for (Tensor g : gs) {
            disown(g); // a custom Function's backward is user code, which may keep its upstream gradients
          }
        }
        grads = n.apply(gs, retainGraph, createGraph);
      }
      if (Anomaly.isEnabled() && Anomaly.checkNan()) {
        for (int i = 0; i < n.inputCount(); i++) {
          Tensor gi = n.needsGrad(i) ? grads.get(i) : null;
          String bad = gi == null ? null : nonFinite(gi);
          if (bad != null) {
            String trace = n.trace();
            throw new IllegalStateException("Function '" + n.name() + "' returned " + bad + " values in its " + i
                + ordinal(i) + " output." + (n.site() != null ? " The forward operation is at " + n.site() + "."
                : "") + (trace != null ? " Traceback of the forward call that caused the error:\n" + trace
                : " Run the forward inside Autograd.detectAnomaly() to see where it was made."));
          }
        }
      }
      return grads;
    }

    /** PyTorch's spelling: "0th", "1th", "2th" (its anomaly message is matched by users' tests). */
    private static String ordinal(int i) {
      return "th";
    }

    /**
     * {@code "nan"} when {@code t} holds a NaN (PyTorch's check), else {@code "inf"} when it holds an infinity
     * (ours: PyTorch 1.13 lets an infinite gradient pass), else null.
     */
    private static String nonFinite(Tensor t) {
      boolean inf = false;
      // doubles: exact for float32 and float64 alike
      for (double v : t.toDoubleArray()) {
        if (Double.isNaN(v)) {
          return "nan";
        }
        inf |= Double.isInfinite(v);
      }
      return inf ? "inf" : null;
    }

    /** A leaf whose gradient is complete: hooks, then capture or accumulation, then post-accumulate hooks. */
    private void leaf(Tensor t) {
      Slot own = slot(t);
      Tensor[] b = own.buffer;
      own.buffer = null;
      if (b == null || b[0] == null) {
        return;
      }
      Tensor g = b[0];
      List<int[]> caps = own.captures;
      if (inputs != null && caps == null) {
        return;
      }
      if (!accumulate) {
        for (int[] c : caps) {
          captured[c[0]] = g;
        }
        return;
      }
      Node acc = AccumulateGrad.existing(t);
      if (acc != null) {
        g = acc.runPreHooks(0, g);
      }
      // a gradient that only this task holds becomes the grad itself (none of its hooks saw it)
      Object owner = ACCESS.gradOwner(g);
      accumulateInto(t, g, acc == null && (owner == token || owner == takeOnly));
      if (acc == null && caps == null && t.grad() != g) {
        recycle(g); // added into the grad (or copied): still marked, so no one else holds it
      }
      if (acc != null) {
        acc.runPostAccumulateHooks(t);
      }
    }

    /** Clears {@code g}'s mark ({@link Grads#owned}): something besides this task may hold it now. */
    private static void disown(Tensor g) {
      if (g != null && ACCESS.gradOwner(g) != null) {
        ACCESS.setGradOwner(g, null);
      }
    }

    /** Turns this task's mark on the gradients {@code n} returned into {@link #takeOnly}. */
    private void takeOnly(Node n, Grads grads) {
      for (int i = 0; i < n.inputCount(); i++) {
        Tensor gi = child(n, i) == null ? null : grads.get(i);
        if (gi != null && ACCESS.gradOwner(gi) == token) {
          ACCESS.setGradOwner(gi, takeOnly);
        }
      }
    }

    /**
     * Clears the mark of a marked gradient that {@code grads} gives to more than one input of {@code n}
     * (an adjoint that passes one tensor on twice, as add's does): each input must get its own copy.
     */
    private void disownShared(Node n, Grads grads) {
      int count = n.inputCount();
      for (int i = 0; i < count; i++) {
        // only the entries step() reads next: a lazy entry for an input without a child is never computed
        Tensor gi = child(n, i) == null ? null : grads.get(i);
        if (gi == null || ACCESS.gradOwner(gi) != token) {
          continue;
        }
        Object array = ACCESS.array(gi);
        for (int j = 0; j < count; j++) {
          Tensor gj = j == i || child(n, j) == null ? null : grads.get(j);
          if (gj != null && ACCESS.array(gj) == array) {
            disown(gi); // one array for two inputs (the same tensor, or a view of it): each input its own copy
            break;
          }
        }
      }
    }

    /**
     * {@code t.grad += g}; the first gradient is copied (dense) so that later accumulation never aliases. A
     * gradient the user set that is not dense is replaced by the sum. With createGraph the gradient keeps its
     * graph: the first is a recorded clone, later ones a recorded sum, as PyTorch's {@code AccumulateGrad}.
     */
    private void accumulateInto(Tensor t, Tensor g, boolean take) {
      Tensor grad = t.grad();
      if (createGraph) {
        t.setGrad(grad == null ? g.clone() : grad.add(g));
      } else if (grad == null && take && ACCESS.isDense(g) && !g.requiresGrad() && g.dtype() == t.dtype()) {
        // PyTorch's AccumulateGrad steals a gradient no one else references; ours are marked (Grads.owned)
        disown(g);
        t.setGrad(g);
      } else if (grad == null) {
        t.setGrad(g.dtype() == Tensor.DType.FLOAT64 ? Tensor.wrap(g.toDoubleArray(), shape(t))
            : Tensor.wrap(g.toFloatArray(), shape(t)));
      } else if (grad.dtype() == Tensor.DType.FLOAT64 && ACCESS.isDense(grad) && !grad.requiresGrad()) {
        // in place, as PyTorch's AccumulateGrad: the grad tensor keeps its identity
        double[] d = grad.mutableStorageF64("AccumulateGrad");
        double[] y = g.toDoubleArray();
        for (int i = 0; i < d.length; i++) {
          d[i] += y[i];
        }
        grad.bumpVersion();
      } else if (grad.dtype() == Tensor.DType.FLOAT64 || g.dtype() == Tensor.DType.FLOAT64) {
        t.setGrad(sum(grad, g));
      } else if (ACCESS.isDense(grad) && !grad.requiresGrad()) {
        float[] d = grad.storage();
        Kernels.get().add(d, g.storage(), d, g.numel());
        grad.bumpVersion();
      } else {
        t.setGrad(sum(grad, g));
      }
    }
  }
}
