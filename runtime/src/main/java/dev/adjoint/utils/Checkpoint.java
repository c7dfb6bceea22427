package dev.adjoint.utils;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.autograd.Engine;
import dev.adjoint.autograd.Function;
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
     * {@code use_reentrant=False}: the segment is recorded as usual, but every tensor its nodes save goes
     * through saved-tensor hooks that keep only an index; the first unpack in backward recomputes the segment
     * (replaying the generator) and reads the recomputed values. Works with {@code Autograd.grad},
     * {@code inputs}, hooks on parameters used inside, and outputs that do not require grad.
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
   * PyTorch 1.13's {@code _checkpoint_without_reentrant}: forward under pack/unpack hooks; the pack hook returns
   * the saved tensor's position in the segment, the unpack hook recomputes the segment once (with grad mode
   * on, the inputs detached, the generator state of the forward) and returns the recomputed tensor at that
   * position. The recomputed values are kept for later backwards of a retained graph.
   */
  private static Tensor nonReentrant(java.util.function.Function<Tensor[], Tensor> fn, boolean preserveRngState,
      Tensor[] inputs) {
    Generator.State rng = preserveRngState ? Generator.defaultGenerator().getState() : null;
    List<Tensor> recomputed = new ArrayList<>();
    int[] count = {0};
    java.util.function.Function<Object, Tensor> unpack = packed -> {
      int at = (Integer) packed;
      if (recomputed.isEmpty()) {
        Tensor[] detached = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
          detached[i] = inputs[i] == null ? null : inputs[i].detach().requiresGrad(inputs[i].requiresGrad());
        }
        Generator g = Generator.defaultGenerator();
        Generator.State now = g.getState();
        try (var grad = Autograd.enableGrad();
            var inner = Autograd.savedTensorsHooks(t -> {
              recomputed.add(t);
              return recomputed.size() - 1;
            }, p -> {
              throw new IllegalStateException("checkpoint: a tensor saved during the recomputation was unpacked");
            })) {
          if (rng != null) {
            g.setState(rng);
          }
          fn.apply(detached);
        } finally {
          if (rng != null) {
            g.setState(now);
          }
        }
        if (recomputed.size() != count[0]) {
          throw new IllegalStateException("checkpoint: a different number of tensors was saved during the "
              + "original forward and the recomputation (" + count[0] + " and " + recomputed.size() + "): the "
              + "checkpointed function must do the same operations each time it runs");
        }
      }
      return recomputed.get(at);
    };
    Tensor out;
    try (var hooks = Autograd.savedTensorsHooks(t -> count[0]++, unpack)) {
      out = fn.apply(inputs.clone());
    }
    if (out == null) {
      throw new IllegalStateException("checkpoint: the function returned null");
    }
    return out;
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
}
