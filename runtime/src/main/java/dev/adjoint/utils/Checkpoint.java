package dev.adjoint.utils;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.autograd.Engine;
import dev.adjoint.autograd.Function;
import dev.adjoint.autograd.Node;
import dev.adjoint.nn.Module;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Activation checkpointing ({@code torch.utils.checkpoint}, its default reentrant form): the forward of a
 * segment runs without recording, keeping only its inputs; backward runs the segment again, recording, and
 * backpropagates through the recomputed graph. Memory for the segment's intermediate tensors is traded for
 * a second forward.
 *
 * <pre>{@code
 * Tensor h = Checkpoint.checkpoint(in -> block.forward(in[0]), x);   // block's activations are not kept
 * Tensor y = Checkpoint.checkpointSequential(model, 4, x);           // 4 segments of a Sequential
 * }</pre>
 *
 * <p>As PyTorch's: the default generator's state is saved before the forward and restored for the
 * recomputation, so dropout draws the same mask ({@code preserveRngState}; a module given its own
 * {@link Generator} is not replayed); parameters used inside the segment get their gradients accumulated
 * by the recomputation's backward, which is why a checkpointed graph works with {@code backward()} but not
 * with {@code Autograd.grad} or {@code backward(..., inputs)} (PyTorch's error); when no input requires
 * grad, the output does not either and a warning is logged.
 */
public final class Checkpoint {
  private static final System.Logger LOG = System.getLogger(Checkpoint.class.getName());

  private Checkpoint() {}

  /** Which implementation of checkpointing to use ({@code use_reentrant}). */
  public enum Mode {
    /**
     * {@code use_reentrant=True} (PyTorch 1.13's default): one node for the segment, whose backward recomputes it
     * and runs a nested backward through it; not compatible with {@code Autograd.grad} or {@code inputs}.
     */
    REENTRANT,
    /**
     * {@code use_reentrant=False}: the segment's graph is dropped after its forward and one
     * {@code CheckpointBackward} node, keeping only the inputs and the generator state, recomputes it in backward
     * (see {@code nonReentrant}). Works with {@code Autograd.grad}, {@code inputs}, hooks on parameters used
     * inside, and outputs that do not require grad; a second derivative through it throws.
     */
    NON_REENTRANT
  }

  /** {@code checkpoint(function, *args, use_reentrant=...)}. */
  public static Tensor checkpoint(java.util.function.Function<Tensor[], Tensor> fn, Mode mode, Tensor... inputs) {
    return checkpoint(fn, mode, true, inputs);
  }

  /** {@code checkpoint(function, *args, use_reentrant=..., preserve_rng_state=...)}. */
  public static Tensor checkpoint(java.util.function.Function<Tensor[], Tensor> fn, Mode mode,
      boolean preserveRngState, Tensor... inputs) {
    if (mode == Mode.REENTRANT) {
      return checkpoint(fn, preserveRngState, inputs);
    }
    return nonReentrant(fn, preserveRngState, inputs);
  }

  /**
   * PyTorch 1.13's {@code _checkpoint_without_reentrant}, keeping only the inputs: the segment runs recording, under
   * pack/unpack hooks that keep an index for each saved tensor; then, unless the segment needs its own graph (see
   * {@link #needsOwnGraph}), that graph is dropped and one {@code CheckpointBackward} node takes its place, with an
   * edge to every tensor outside the segment that a gradient reaches (the inputs, the parameters used inside,
   * other captured tensors). That node keeps the inputs (version-checked) and the generator state; its backward
   * runs the segment again on detached inputs and takes the gradients of those edges with {@code Autograd.grad},
   * so {@code Autograd.grad}, {@code inputs} and hooks on parameters work as without checkpointing. The hooks
   * are what is left when the graph is kept: the first unpack recomputes the segment and reads the recomputed
   * value at that index (correct, but saving no memory, since our nodes reference their inputs).
   */
  private static Tensor nonReentrant(java.util.function.Function<Tensor[], Tensor> fn, boolean preserveRngState,
      Tensor[] inputs) {
    Generator.State rng = preserveRngState ? Generator.defaultGenerator().getState() : null;
    List<Tensor> recomputed = new ArrayList<>();
    int[] count = {0};
    java.util.function.Function<Object, Tensor> unpack = packed -> {
      int at = (Integer) packed;
      if (recomputed.isEmpty()) {
        Tensor[] detached = detached(inputs);
        try (var inner = dev.adjoint.autograd.SavedTensorHooks.openKeepingGenerated(t -> {
              recomputed.add(t);
              return recomputed.size() - 1;
            }, p -> {
              throw new IllegalStateException("checkpoint: a tensor saved during the recomputation was unpacked");
            })) {
          rerun(fn, detached, rng);
        }
        if (recomputed.size() != count[0]) {
          throw new IllegalStateException("checkpoint: a different number of tensors was saved during the "
              + "original forward and the recomputation (" + count[0] + " and " + recomputed.size() + "): the "
              + "checkpointed function must do the same operations each time it runs");
        }
      }
      return recomputed.get(at);
    };
    long before = Node.lastSequenceNr();
    Tensor out;
    try (var hooks = dev.adjoint.autograd.SavedTensorHooks.openKeepingGenerated(t -> count[0]++, unpack)) {
      out = fn.apply(inputs.clone());
    }
    if (out == null) {
      throw new IllegalStateException("checkpoint: the function returned null");
    }
    Node root = out.gradFn();
    if (root == null || root.sequenceNr() <= before || !Autograd.isGradEnabled()) {
      return out; // nothing recorded in the segment: no graph to drop
    }
    List<Tensor> edges = new ArrayList<>();
    if (needsOwnGraph(root, before, inputs, edges)) {
      return out;
    }
    Tensor values = out.detach(); // the segment's graph is unreachable from here on
    return new SegmentFunction(fn, inputs, rng, edges.size()).applyTo(values, edges.toArray());
  }

  /**
   * Walks the segment's nodes (made after {@code before}) from {@code root}, collecting in {@code edges} the
   * tensors outside the segment that its gradients reach. True when the segment must keep its own graph: a
   * tensor hook or {@code retainGrad} on a tensor made inside (they fire in backward, on those tensors), or a
   * captured tensor made by a recorded operation outside that is not an input (its gradient and that of what it
   * was made from cannot be told apart by {@code Autograd.grad} without detaching it, which the closure prevents).
   */
  private static boolean needsOwnGraph(Node root, long before, Tensor[] inputs, List<Tensor> edges) {
    java.util.Set<Node> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    java.util.ArrayDeque<Node> todo = new java.util.ArrayDeque<>();
    todo.push(root);
    seen.add(root);
    while (!todo.isEmpty()) {
      Node n = todo.pop();
      if (n.hasPreHooks() || n.retained() != null) {
        return true;
      }
      for (int i = 0; i < n.inputCount(); i++) {
        if (!n.needsGrad(i)) {
          continue;
        }
        Node m = n.next(i);
        if (m != null && m.sequenceNr() > before) {
          if (seen.add(m)) {
            todo.push(m);
          }
        } else {
          Tensor t = n.input(i);
          if (t == null) {
            return true; // an input the node does not name: keep the graph rather than guess
          }
          if (m != null && java.util.Arrays.stream(inputs).noneMatch(in -> in == t)) {
            return true; // a captured non-leaf: Autograd.grad would also count the path through its own graph
          }
          if (edges.stream().noneMatch(e -> e == t)) {
            edges.add(t);
          }
        }
      }
    }
    return false;
  }

  private static Tensor[] detached(Tensor[] inputs) {
    Tensor[] d = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      d[i] = inputs[i] == null ? null : inputs[i].detach().requiresGrad(inputs[i].requiresGrad());
    }
    return d;
  }

  /** Runs {@code fn} recording, with the generator state {@code rng} (if any), then restores the generator. */
  private static Tensor rerun(java.util.function.Function<Tensor[], Tensor> fn, Tensor[] in, Generator.State rng) {
    Generator g = Generator.defaultGenerator();
    Generator.State now = g.getState();
    try (var grad = Autograd.enableGrad()) {
      if (rng != null) {
        g.setState(rng);
      }
      return fn.apply(in.clone());
    } finally {
      if (rng != null) {
        g.setState(now);
      }
    }
  }

  /** {@code checkpoint(function, *args)}: {@code fn} on {@code inputs}, recomputed in backward. */
  public static Tensor checkpoint(java.util.function.Function<Tensor[], Tensor> fn, Tensor... inputs) {
    return checkpoint(fn, true, inputs);
  }

  /** {@link #checkpoint(java.util.function.Function, Tensor...)} with {@code preserve_rng_state}. */
  public static Tensor checkpoint(java.util.function.Function<Tensor[], Tensor> fn, boolean preserveRngState,
      Tensor... inputs) {
    if (Arrays.stream(inputs).noneMatch(t -> t != null && t.requiresGrad()) && Autograd.isGradEnabled()) {
      LOG.log(Level.WARNING, "None of the inputs have requires_grad=True. Gradients will be None");
    }
    return new CheckpointFunction(fn, preserveRngState).apply((Object[]) inputs);
  }

  /**
   * {@code checkpoint_sequential(functions, segments, input)}: the modules run in {@code segments} chunks of
   * consecutive modules, each checkpointed but the last, which runs normally (its activations are needed at
   * once by backward).
   */
  public static Tensor checkpointSequential(List<? extends Module> modules, int segments, Tensor input) {
    if (segments < 1) {
      throw new IllegalArgumentException("checkpointSequential: segments must be positive, got " + segments);
    }
    int n = modules.size();
    int size = n / segments;
    int end = -1;
    Tensor x = input;
    for (int start = 0; start < size * (segments - 1); start += size) {
      end = start + size - 1;
      List<? extends Module> part = modules.subList(start, end + 1);
      x = checkpoint(in -> run(part, in[0]), x);
    }
    return run(modules.subList(end + 1, n), x);
  }

  /** {@link #checkpointSequential(List, int, Tensor)} over the modules of a {@code Sequential}. */
  public static Tensor checkpointSequential(dev.adjoint.nn.Sequential model, int segments, Tensor input) {
    List<Module> modules = new ArrayList<>();
    for (int i = 0; i < model.size(); i++) {
      modules.add(model.get(i));
    }
    return checkpointSequential(modules, segments, input);
  }

  private static Tensor run(List<? extends Module> modules, Tensor x) {
    Tensor y = x;
    for (Module m : modules) {
      y = m.forward(y);
    }
    return y;
  }

  /** PyTorch's {@code CheckpointFunction}: its node is {@code CheckpointFunctionBackward}. */
  private static final class CheckpointFunction extends Function {
    private final java.util.function.Function<Tensor[], Tensor> fn;
    private final boolean preserveRngState;

    CheckpointFunction(java.util.function.Function<Tensor[], Tensor> fn, boolean preserveRngState) {
      this.fn = fn;
      this.preserveRngState = preserveRngState;
    }

    @Override
    protected String nodeName() {
      return "CheckpointFunctionBackward";
    }

    @Override
    public Tensor[] forward(Ctx ctx, Object... inputs) {
      Tensor[] in = new Tensor[inputs.length];
      for (int i = 0; i < inputs.length; i++) {
        in[i] = (Tensor) inputs[i];
      }
      if (preserveRngState) {
        ctx.put("rng", Generator.defaultGenerator().getState());
      }
      ctx.saveForBackward(in);
      Tensor out = fn.apply(in.clone());
      if (out == null) {
        throw new IllegalStateException("checkpoint: the function returned null");
      }
      return new Tensor[] {out};
    }

    @Override
    public Tensor[] backward(Ctx ctx, Tensor... gradOutputs) {
      if (!Engine.inPlainBackward()) {
        throw new IllegalStateException("checkpoint: Checkpointing is not compatible with .grad() or when an "
            + "`inputs` parameter is passed to .backward(). Please use .backward() and do not pass its `inputs` "
            + "argument.");
      }
      Tensor[] saved = ctx.savedTensors();
      Tensor[] detached = new Tensor[saved.length];
      for (int i = 0; i < saved.length; i++) {
        detached[i] = saved[i] == null ? null : saved[i].detach().requiresGrad(saved[i].requiresGrad());
      }
      Generator rng = Generator.defaultGenerator();
      Generator.State now = rng.getState();
      Generator.State then = ctx.get("rng");
      Tensor out;
      try (var g = Autograd.enableGrad()) {
        if (then != null) {
          rng.setState(then);
        }
        out = fn.apply(detached.clone());
      } finally {
        if (then != null) {
          rng.setState(now);
        }
      }
      if (!out.requiresGrad()) {
        throw new IllegalStateException("checkpoint: none of output has requires_grad=True, this checkpoint() "
            + "is not necessary");
      }
      Autograd.backward(new Tensor[] {out}, new Tensor[] {gradOutputs[0]});
      Tensor[] grads = new Tensor[detached.length];
      for (int i = 0; i < detached.length; i++) {
        grads[i] = detached[i] == null ? null : detached[i].grad();
      }
      return grads;
    }
  }

  /**
   * The node of a non-reentrant checkpoint ({@code CheckpointBackward}): its inputs are the segment's edges
   * (what its gradients reach outside); it keeps them and the checkpoint's inputs for backward (version-checked, so an in-place change before backward throws instead of recomputing from other values). Its
   * forward returns the values the segment computed; its backward recomputes the segment on detached inputs and
   * takes the gradients of the edges, the inputs among them read through their detached copies.
   */
  private static final class SegmentFunction extends Function {
    private final java.util.function.Function<Tensor[], Tensor> fn;
    private final Tensor[] inputs;
    private final Generator.State rng;
    private final int edges;
    private Tensor values;

    SegmentFunction(java.util.function.Function<Tensor[], Tensor> fn, Tensor[] inputs, Generator.State rng,
        int edges) {
      this.fn = fn;
      this.inputs = inputs.clone();
      this.rng = rng;
      this.edges = edges;
    }

    Tensor applyTo(Tensor values, Object[] edges) {
      this.values = values;
      return apply(edges);
    }

    @Override
    protected String nodeName() {
      return "CheckpointBackward";
    }

    @Override
    public Tensor[] forward(Ctx ctx, Object... in) {
      Tensor[] keep = new Tensor[in.length + inputs.length];
      for (int i = 0; i < in.length; i++) {
        keep[i] = (Tensor) in[i];
      }
      System.arraycopy(inputs, 0, keep, in.length, inputs.length);
      ctx.saveForBackward(keep);
      Tensor v = values;
      values = null;
      return new Tensor[] {v};
    }

    /**
     * Once differentiable: the recomputation runs on detached inputs, so a gradient it gives carries no graph
     * back to them; under createGraph the gradients carry an error node instead of a silent zero second
     * derivative.
     */
    @Override
    @OnceDifferentiable
    public Tensor[] backward(Ctx ctx, Tensor... gradOutputs) {
      Tensor[] saved = ctx.savedTensors();
      Tensor[] detached = detached(java.util.Arrays.copyOfRange(saved, edges, saved.length));
      Tensor out = rerun(fn, detached, rng);
      Tensor[] targets = new Tensor[edges];
      for (int j = 0; j < edges; j++) {
        targets[j] = saved[j];
        for (int i = 0; i < inputs.length; i++) {
          if (inputs[i] == saved[j]) {
            targets[j] = detached[i];
          }
        }
      }
      if (!out.requiresGrad()) {
        throw new IllegalStateException("checkpoint: the recomputed segment's output does not require grad, "
            + "though the forward's did: the checkpointed function must do the same operations each time it runs");
      }
      return Autograd.grad(new Tensor[] {out}, targets, new Tensor[] {gradOutputs[0]}, false, false, true);
    }
  }
}
