package dev.adjoint;

import dev.adjoint.autograd.Node;
import dev.adjoint.autograd.Vjp;
import java.util.function.Supplier;

/**
 * The public face of autograd: grad-mode scopes and, for generated code, recording. Grad mode is
 * thread-local, as in PyTorch: {@code try (var g = Autograd.noGrad()) { ... }} turns recording off inside
 * the block and restores the previous mode at its end, however the block exits; scopes nest.
 * {@code Autograd.noGrad(() -> ...)} does the same for a lambda and returns its value, without the unused
 * resource that {@code javac -Xlint:try} reports. The state itself, the engine and the eager recorder of
 * the primitives live in {@code dev.adjoint.autograd}.
 */
public final class Autograd {
  private Autograd() {}

  /** A grad-mode scope; closing it restores the mode that was in force when it opened. */
  public static final class GradMode implements AutoCloseable {
    private final boolean previous;
    private boolean closed;

    private GradMode(boolean enabled) {
      this.previous = dev.adjoint.autograd.GradMode.set(enabled);
    }

    @Override
    public void close() {
      if (!closed) {
        dev.adjoint.autograd.GradMode.set(previous);
        closed = true;
      }
    }
  }

  /** Turns recording off until the returned scope closes ({@code torch.no_grad()}). */
  public static GradMode noGrad() {
    return new GradMode(false);
  }

  /**
   * Runs {@code body} with recording off and restores the previous mode however it exits
   * ({@code with torch.no_grad(): ...}); the lambda form of {@link #noGrad()}:
   * {@code Autograd.noGrad(() -> { w.sub_(w.grad().mul(lr)); })}.
   */
  public static void noGrad(Runnable body) {
    GradMode scope = noGrad();
    try {
      body.run();
    } finally {
      scope.close();
    }
  }

  /**
   * Returns {@code body}'s value computed with recording off, restoring the previous mode however it
   * exits: {@code Tensor pred = Autograd.noGrad(() -> model.forward(x))} is a tensor that does not
   * require grad.
   */
  public static <T> T noGrad(Supplier<T> body) {
    GradMode scope = noGrad();
    try {
      return body.get();
    } finally {
      scope.close();
    }
  }

  /** Turns recording on or off until the returned scope closes ({@code torch.set_grad_enabled}). */
  public static GradMode setGradEnabled(boolean enabled) {
    return new GradMode(enabled);
  }

  /** Turns recording on until the returned scope closes ({@code torch.enable_grad()}). */
  public static GradMode enableGrad() {
    return new GradMode(true);
  }

  /** Whether operations are recorded on this thread. */
  public static boolean isGradEnabled() {
    return dev.adjoint.autograd.GradMode.isEnabled();
  }

  /**
   * For generated code: throws {@code IllegalStateException} when grad mode is on and {@code t} requires
   * grad although the method {@code method} (declared at {@code site}, {@code "File.java:12"}) does not
   * differentiate it ({@code @Differentiable(wrt = ...)}, listing {@code wrt}, leaves parameter
   * {@code name} out), i.e. when that input would silently get no gradient.
   */
  public static void requireNotDifferentiated(Tensor t, String name, String method, String site, String wrt) {
    if (t != null && t.requiresGrad() && isGradEnabled()) {
      String[] names = wrt.split(", ");
      String list = names.length == 1 ? "\"" + names[0] + "\"" : "{\"" + String.join("\", \"", names) + "\"}";
      throw new IllegalStateException(method + " (" + site + "): " + name + " requires grad, but the method is"
          + " @Differentiable(wrt = " + list + "), so no gradient would reach it; add \"" + name + "\" to wrt, or"
          + " pass " + name + ".detach()");
    }
  }

  /** {@link #requireNotDifferentiated(Tensor, String, String, String, String)} for each element. */
  public static void requireNotDifferentiated(Tensor[] ts, String name, String method, String site, String wrt) {
    if (ts != null) {
      for (Tensor t : ts) {
        requireNotDifferentiated(t, name, method, site, wrt);
      }
    }
  }

  /** Whether an operation on these inputs would be recorded now. */
  public static boolean shouldRecord(Tensor... inputs) {
    if (!isGradEnabled()) {
      return false;
    }
    for (Tensor t : inputs) {
      if (t != null && t.requiresGrad()) {
        return true;
      }
    }
    return false;
  }

  /**
   * For generated code (one node per {@code @Differentiable} call; library primitives record through
   * their rows, {@code dev.adjoint.autograd.Row}): records {@code out} as made from {@code inputs} by an
   * operation whose adjoint is {@code vjp}, if grad mode is on and an input requires grad; returns
   * {@code out}. {@code saved} are the tensors the adjoint reads: changing one in place before backward
   * makes backward throw. {@code site} is the user's source position, or {@code null}.
   */
  public static Tensor record(String name, String site, Tensor out, Tensor[] inputs, Tensor[] saved, Vjp vjp) {
    if (shouldRecord(inputs)) {
      out.requiresGrad = true;
      out.gradFn = new Node(name, site, inputs, saved, vjp);
      out.gradFn.setOutput(out);
    }
    return out;
  }
}
