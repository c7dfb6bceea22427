package dev.adjoint.autograd;

import dev.adjoint.Tensor;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Function;

/**
 * PyTorch's saved-tensor hooks ({@code torch.autograd.graph.saved_tensors_hooks}): while a scope is open on a
 * thread, every tensor a node made there saves for its backward is passed to {@code pack}, and the node keeps
 * what {@code pack} returned instead of the tensor; its backward reads {@code unpack(packed)} in its place. The
 * innermost scope's pair applies. A node keeps the version of each hooked tensor (not the tensor), so an
 * in-place change to it after the forward still throws, where PyTorch 1.13 skips the check for hooked tensors.
 */
public final class SavedTensorHooks {
  /** Hooks in effect on this thread, innermost first; empty when none. */
  private static final ThreadLocal<Deque<Pair>> STACK = ThreadLocal.withInitial(ArrayDeque::new);
  /** Scopes open on any thread: recording skips the thread-local lookup while there are none. */
  private static volatile int open;

  private SavedTensorHooks() {}

  /**
   * A pack/unpack pair; {@code generatedKeeps}: a node made by generated code may keep its saved tensors under it
   * (checkpoint's own hooks, whose unpack only recomputes: a node that kept its tensors still reads the right
   * values), where a user's hooks refuse such a node ({@link #refuseGenerated}).
   */
  record Pair(Function<Tensor, Object> pack, Function<Object, Tensor> unpack, boolean generatedKeeps) {}

  /** A scope of hooks; closing it restores the previous ones. */
  public static final class Scope implements AutoCloseable {
    private boolean closed;

    Scope(Pair pair) {
      STACK.get().push(pair);
      synchronized (SavedTensorHooks.class) {
        open++;
      }
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        STACK.get().pop();
        synchronized (SavedTensorHooks.class) {
          open--;
        }
      }
    }
  }

  /** Opens a scope of {@code pack}/{@code unpack} on this thread. */
  public static Scope open(Function<Tensor, Object> pack, Function<Object, Tensor> unpack) {
    return new Scope(new Pair(pack, unpack, false));
  }

  /**
   * Internal, for {@code Checkpoint}: a scope under which a node made by generated code keeps its saved tensors
   * instead of throwing (the checkpoint's unpack recomputes values that such a node already holds).
   */
  public static Scope openKeepingGenerated(Function<Tensor, Object> pack, Function<Object, Tensor> unpack) {
    return new Scope(new Pair(pack, unpack, true));
  }

  /**
   * Internal, for generated code's nodes ({@code Autograd.record}): throws when saved-tensor hooks are open, since
   * such a node keeps the tensors it saves in its generated pullback, where no hook can reach them; passing them by
   * silently would leave a user's pack hook (offloading, compression, counting) unaware of them.
   */
  public static void refuseGenerated(String node, String site, int savedCount) {
    Pair p = current();
    if (p != null && !p.generatedKeeps()) {
      throw new IllegalStateException(node + (site == null ? "" : " (" + site + ")") + ": a node made by generated "
          + "@Differentiable code saves " + savedCount + " tensor(s) for backward inside Autograd.savedTensorsHooks, "
          + "and generated code keeps them in its pullback, out of reach of the pack and unpack hooks. Call the "
          + "method's eager form inside the hooks (the method on its own class, not its Diff companion: its "
          + "operations are then recorded one by one and their saved tensors are packed), or call it outside the "
          + "hooks scope.");
    }
  }

  /** The hooks in effect on this thread, or null. */
  static Pair current() {
    if (open == 0) {
      return null;
    }
    return STACK.get().peek();
  }

  /** {@code pack(t)}, refusing a null result as PyTorch refuses {@code None}. */
  static Object pack(Pair p, Tensor t) {
    int version = t.version();
    Object packed = p.pack().apply(t);
    if (t.version() != version) {
      throw new IllegalStateException("saved_tensors_hooks: A saved tensor pack hook is modifying its input in "
          + "place. Tensors provided as input to pack hook can not be modified by in-place operations as this can "
          + "lead to unexpected side-effects (shape " + java.util.Arrays.toString(t.shape()) + ")");
    }
    if (packed == null) {
      throw new IllegalStateException("saved_tensors_hooks: the pack hook returned null for a tensor of shape "
          + java.util.Arrays.toString(t.shape()));
    }
    return packed;
  }

  /**
   * The unpacked value of a saved tensor as the recorded double backward must read it: PyTorch's
   * {@code SavedVariable::unpack} gives the unpacked data the autograd identity of the tensor that was saved, so
   * differentiating through it reaches {@code original}'s graph, never the pack hook's own operations. When
   * {@code unpacked} is another tensor and the backward is being recorded, the result holds {@code unpacked}'s
   * values and an identity node to {@code original}.
   */
  static Tensor asSaved(Tensor unpacked, Tensor original) {
    if (unpacked == original || original == null || !original.requiresGrad() || !GradMode.isEnabled()) {
      return unpacked;
    }
    Tensor values = unpacked.detach();
    Node n = new Node("SavedTensorUnpack", null, new Tensor[] {original}, new Tensor[0], g -> Grads.of(g));
    n.setDoubleDifferentiable(true);
    TensorAccess.get().setGradFn(values, n);
    n.setOutput(values);
    return values;
  }

  /** {@code unpack(packed)}, which must give a tensor of {@code like}'s shape. */
  static Tensor unpack(Pair p, Object packed, int[] shape) {
    Tensor t = p.unpack().apply(packed);
    if (t == null) {
      throw new IllegalStateException("saved_tensors_hooks: unpack_hook must return a Tensor (it returned null)");
    }
    if (!java.util.Arrays.equals(t.shape(), shape)) {
      throw new IllegalStateException("saved_tensors_hooks: the unpack hook returned a tensor of shape "
          + java.util.Arrays.toString(t.shape()) + " for a saved tensor of shape " + java.util.Arrays.toString(shape));
    }
    return t;
  }
}
