package dev.adjoint.nn;

import dev.adjoint.Tensor;
import dev.adjoint.autograd.Function;
import dev.adjoint.autograd.GradMode;
import dev.adjoint.autograd.RemovableHandle;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A module's hooks ({@code register_forward_pre_hook}, {@code register_forward_hook},
 * {@code register_full_backward_hook}) and how {@link Module#call} runs them, as PyTorch 1.13's
 * {@code Module.__call__}: pre-hooks (each may replace the input), then, with backward hooks, the input
 * wrapped in an identity node, {@code forward}, forward hooks (each may replace the output), and the output
 * wrapped in a second identity node. Both nodes are PyTorch's {@code BackwardHookFunctionBackward}: the
 * output's records the gradient of the output, the input's calls the backward hooks with the gradient of the
 * input and may replace it. When the input does not require grad, the hooks are called from the output's
 * node with a {@code null} input gradient and must not return one.
 */
final class ModuleHooks {
  final List<Module.ForwardPreHook> pre = new CopyOnWriteArrayList<>();
  final List<Module.ForwardHook> forward = new CopyOnWriteArrayList<>();
  final List<Module.BackwardHook> backward = new CopyOnWriteArrayList<>();

  boolean isEmpty() {
    return pre.isEmpty() && forward.isEmpty() && backward.isEmpty();
  }

  static <H> RemovableHandle add(List<H> list, H hook) {
    list.add(hook);
    return () -> {
      for (int i = 0; i < list.size(); i++) {
        if (list.get(i) == hook) {
          list.remove(i);
          return;
        }
      }
    };
  }

  Tensor call(Module m, Tensor x) {
    for (Module.ForwardPreHook h : pre) {
      Tensor r = h.apply(m, x);
      if (r != null) {
        x = r;
      }
    }
    Round round = null;
    if (!backward.isEmpty() && GradMode.isEnabled()) {
      round = new Round(m, this);
      if (x.requiresGrad()) {
        round.inputWrapped = true;
        x = new Identity(round, true).apply(x);
      }
    }
    Tensor y = m.forward(x);
    for (Module.ForwardHook h : forward) {
      Tensor r = h.apply(m, x, y);
      if (r != null) {
        y = r;
      }
    }
    if (round != null && y.requiresGrad()) {
      y = new Identity(round, false).apply(y);
    }
    return y;
  }

  /** One call's backward-hook state: the output gradient, recorded for the input's node. */
  private static final class Round {
    final Module module;
    final ModuleHooks hooks;
    boolean inputWrapped;
    Tensor[] gradOutput;

    Round(Module module, ModuleHooks hooks) {
      this.module = module;
      this.hooks = hooks;
    }

    Tensor[] run(Tensor[] gradInput) {
      Tensor[] gi = gradInput;
      for (Module.BackwardHook h : hooks.backward) {
        Tensor[] r = h.apply(module, gi.clone(), gradOutput.clone());
        if (r == null) {
          continue;
        }
        if (!inputWrapped) {
          if (Arrays.stream(r).anyMatch(t -> t != null)) {
            throw new IllegalStateException("BackwardHookFunctionBackward: Backward hook for Modules where no "
                + "input requires gradient should always return None or None for all gradients.");
          }
          continue;
        }
        if (r.length != gi.length) {
          throw new IllegalStateException("BackwardHookFunctionBackward: Backward hook returned an invalid number "
              + "of grad_input, got " + r.length + ", but expected " + gi.length);
        }
        gi = r;
      }
      return gi;
    }
  }

  /** PyTorch's {@code BackwardHookFunction}: the identity, whose backward observes the gradient. */
  private static final class Identity extends Function {
    private final Round round;
    private final boolean input;

    Identity(Round round, boolean input) {
      this.round = round;
      this.input = input;
    }

    @Override
    protected String nodeName() {
      return "BackwardHookFunctionBackward";
    }

    @Override
    public Tensor[] forward(Ctx ctx, Object... in) {
      return new Tensor[] {(Tensor) in[0]};
    }

    @Override
    public Tensor[] backward(Ctx ctx, Tensor... g) {
      if (!input) {
        round.gradOutput = g.clone();
        if (!round.inputWrapped) {
          round.run(new Tensor[] {null});
        }
        return g;
      }
      return round.run(g);
    }
  }
}
