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
   * {@code torch.autograd.grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused)}: the
   * gradients of the {@code outputs}, weighted by {@code gradOutputs} ({@code null}, or a null entry: ones
   * for a one-element output), with respect to each of {@code inputs}, in order; no {@code grad()} is
   * touched and no hook of an input runs. With {@code createGraph} the gradients are themselves recorded
   * (double backward). An input the outputs do not reach gives {@code null} when {@code allowUnused}, else
   * throws. Throws as PyTorch for an input that does not require grad, an output that does not, a
   * non-scalar output without a gradient, and a gradient of the wrong shape.
   */
  public static Tensor[] grad(Tensor[] outputs, Tensor[] inputs, Tensor[] gradOutputs, boolean retainGraph,
      boolean createGraph, boolean allowUnused) {
    return dev.adjoint.autograd.Engine.grad(outputs, inputs, gradOutputs, retainGraph, createGraph, allowUnused);
  }

  /**
   * {@link #grad(Tensor[], Tensor[], Tensor[], boolean, boolean, boolean)} with PyTorch's defaults:
   * {@code retainGraph = createGraph}, {@code allowUnused = false}.
   */
  public static Tensor[] grad(Tensor[] outputs, Tensor[] inputs, Tensor[] gradOutputs, boolean createGraph) {
    return grad(outputs, inputs, gradOutputs, createGraph, createGraph, false);
  }

  /**
   * {@code torch.autograd.gradcheck(fn, inputs)} with PyTorch's defaults (eps 1e-6, atol 1e-5, rtol 1e-3):
   * checks the gradients of {@code fn}'s result with respect to every input that requires grad, the
   * numerical Jacobian by central differences (one input element at a time, evaluated as PyTorch does:
   * in the caller's grad mode, the moved input requiring grad when the input does)
   * against the analytical one (one vector-Jacobian product per output element). Returns true, or throws
   * an {@code IllegalStateException} subclass naming the output, the input, both Jacobians and the worst
   * entry. Use float64 inputs: in float32 the differences are noise. Works on eager code and on generated
   * {@code @Differentiable} methods alike (they return recorded tensors).
   */
  public static boolean gradcheck(java.util.function.Function<Tensor[], Tensor> fn, Tensor... inputs) {
    return gradcheck(fn, inputs, GradCheck.EPS, GradCheck.ATOL, GradCheck.RTOL, true);
  }

  /**
   * gradcheck with explicit {@code eps}, {@code atol}, {@code rtol}; with {@code raiseException} false a
   * mismatch returns false instead of throwing ({@code raise_exception=False}).
   */
  public static boolean gradcheck(java.util.function.Function<Tensor[], Tensor> fn, Tensor[] inputs, double eps,
      double atol, double rtol, boolean raiseException) {
    return GradCheck.gradcheck(x -> new Tensor[] {fn.apply(x)}, inputs, eps, atol, rtol, raiseException);
  }

  /**
   * gradcheck with {@code nondetTol} ({@code nondet_tol}): how far two backward runs with the same input and
   * grad_output may differ (0 by default: backward must be reentrant).
   */
  public static boolean gradcheck(java.util.function.Function<Tensor[], Tensor> fn, Tensor[] inputs, double eps,
      double atol, double rtol, double nondetTol, boolean raiseException) {
    return GradCheck.gradcheck(x -> new Tensor[] {fn.apply(x)}, inputs, eps, atol, rtol, nondetTol, raiseException);
  }

  /** gradgradcheck with {@code nondetTol}. */
  public static boolean gradgradcheck(java.util.function.Function<Tensor[], Tensor> fn, Tensor[] inputs,
      double eps, double atol, double rtol, double nondetTol, boolean raiseException) {
    return GradCheck.gradgradcheck(x -> new Tensor[] {fn.apply(x)}, inputs, eps, atol, rtol, nondetTol,
        raiseException, 0);
  }

  /** gradcheck of a function with several outputs (PyTorch's tuple outputs), every output checked. */
  public static boolean gradcheckAll(java.util.function.Function<Tensor[], Tensor[]> fn, Tensor[] inputs,
      double eps, double atol, double rtol, boolean raiseException) {
    return GradCheck.gradcheck(fn, inputs, eps, atol, rtol, raiseException);
  }

  /**
   * {@code torch.autograd.gradgradcheck(fn, inputs)} with PyTorch's defaults: gradcheck of the gradient
   * itself, {@code (inputs, v) -> vjp(fn)(inputs)·v} for a random float64 upstream {@code v} (seeded, 0),
   * made with {@code createGraph}; so every rule on the way needs a differentiable backward.
   */
  public static boolean gradgradcheck(java.util.function.Function<Tensor[], Tensor> fn, Tensor... inputs) {
    return GradCheck.gradgradcheck(x -> new Tensor[] {fn.apply(x)}, inputs, GradCheck.EPS, GradCheck.ATOL,
        GradCheck.RTOL, true, 0);
  }

  /** gradgradcheck with explicit tolerances and {@code raiseException}. */
  public static boolean gradgradcheck(java.util.function.Function<Tensor[], Tensor> fn, Tensor[] inputs,
      double eps, double atol, double rtol, boolean raiseException) {
    return GradCheck.gradgradcheck(x -> new Tensor[] {fn.apply(x)}, inputs, eps, atol, rtol, raiseException, 0);
  }

  /** The gradients of one-element {@code output} with respect to {@code inputs} ({@code torch.autograd.grad(y, xs)}). */
  public static Tensor[] grad(Tensor output, Tensor... inputs) {
    return grad(new Tensor[] {output}, inputs, null, false, false, false);
  }

  /**
   * {@code torch.autograd.backward(tensors, grad_tensors)}: one backward from several roots at once, their
   * gradients summed where the graphs meet; {@code grads} may be {@code null} (or hold nulls) for
   * one-element roots.
   */
  public static void backward(Tensor[] roots, Tensor[] grads) {
    backward(roots, grads, false, false, null);
  }

  /**
   * {@code torch.autograd.backward(tensors, grad_tensors, retain_graph, create_graph, inputs)}: as
   * {@link #backward(Tensor[], Tensor[])}; {@code inputs}, when not null, are the only tensors whose
   * {@code grad()} accumulates (a non-leaf among them gets its {@code grad()} too), and only nodes on a path
   * to them run. {@code retainGraph} is forced on by {@code createGraph}, as PyTorch's default.
   */
  public static void backward(Tensor[] roots, Tensor[] grads, boolean retainGraph, boolean createGraph,
      Tensor[] inputs) {
    dev.adjoint.autograd.Engine.backward(roots, grads, retainGraph || createGraph, createGraph, inputs);
  }

  /** An anomaly-detection scope; closing it restores the previous setting. */
  public static final class AnomalyMode implements AutoCloseable {
    private final boolean previous;
    private final boolean previousCheckNan;
    private boolean closed;

    private AnomalyMode(boolean on, boolean checkNan) {
      this.previous = dev.adjoint.autograd.Anomaly.set(on);
      this.previousCheckNan = dev.adjoint.autograd.Anomaly.setCheckNan(checkNan);
    }

    @Override
    public void close() {
      if (!closed) {
        dev.adjoint.autograd.Anomaly.set(previous);
        dev.adjoint.autograd.Anomaly.setCheckNan(previousCheckNan);
        closed = true;
      }
    }
  }

  /**
   * Turns anomaly detection on until the scope closes ({@code torch.autograd.detect_anomaly()}): each node
   * made inside records the stack of the user code that made it, and a backward whose node returns a NaN
   * gradient throws, naming the node and that stack. Slow: for debugging.
   */
  public static AnomalyMode detectAnomaly() {
    return new AnomalyMode(true, true);
  }

  /**
   * {@code torch.autograd.detect_anomaly(check_nan)}: with {@code checkNan} false the forward traces are still
   * recorded, but a NaN or infinite gradient does not throw.
   */
  public static AnomalyMode detectAnomaly(boolean checkNan) {
    return new AnomalyMode(true, checkNan);
  }

  /**
   * Saved-tensor hooks until the scope closes ({@code torch.autograd.graph.saved_tensors_hooks(pack,
   * unpack)}): each tensor an operation recorded in the scope saves for its backward goes through
   * {@code pack}, and the backward reads {@code unpack} of the result in its place (see
   * {@link dev.adjoint.autograd.SavedTensorHooks}).
   */
  public static dev.adjoint.autograd.SavedTensorHooks.Scope savedTensorsHooks(
      java.util.function.Function<Tensor, Object> pack, java.util.function.Function<Object, Tensor> unpack) {
    return dev.adjoint.autograd.SavedTensorHooks.open(pack, unpack);
  }

  /**
   * Runs {@code body} with anomaly detection on and restores the previous mode however it exits: the lambda form
   * of {@link #detectAnomaly()} ({@code with torch.autograd.detect_anomaly(): ...}), which {@code -Xlint:all} does
   * not flag as an unused resource.
   */
  public static void detectAnomaly(Runnable body) {
    try (AnomalyMode scope = detectAnomaly()) {
      body.run();
    }
  }

  /**
   * Runs {@code body} with the saved-tensor hooks {@code pack} and {@code unpack} and closes them however it exits:
   * the lambda form of {@link #savedTensorsHooks(java.util.function.Function, java.util.function.Function)};
   * returns {@code body}'s value (the loss whose backward will unpack).
   */
  public static <T> T savedTensorsHooks(java.util.function.Function<Tensor, Object> pack,
      java.util.function.Function<Object, Tensor> unpack, Supplier<T> body) {
    try (var scope = savedTensorsHooks(pack, unpack)) {
      return body.get();
    }
  }

  /** Turns anomaly detection on or off until the scope closes ({@code set_detect_anomaly(mode)}). */
  public static AnomalyMode setDetectAnomaly(boolean mode) {
    return new AnomalyMode(mode, true);
  }

  /** {@code set_detect_anomaly(mode, check_nan)}. */
  public static AnomalyMode setDetectAnomaly(boolean mode, boolean checkNan) {
    return new AnomalyMode(mode, checkNan);
  }

  /** Whether anomaly detection is on ({@code torch.is_anomaly_enabled()}). */
  public static boolean isAnomalyEnabled() {
    return dev.adjoint.autograd.Anomaly.isEnabled();
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
   * makes backward throw. {@code site} is the user's source position, or {@code null}. Under saved-tensor hooks
   * ({@link #savedTensorsHooks}) a node that saves tensors is refused with an error naming it: generated code keeps
   * its saved tensors where the hooks cannot reach them.
   */
  public static Tensor record(String name, String site, Tensor out, Tensor[] inputs, Tensor[] saved, Vjp vjp) {
    if (shouldRecord(inputs)) {
      if (saved.length > 0) {
        dev.adjoint.autograd.SavedTensorHooks.refuseGenerated(name, site, saved.length);
      }
      out.requiresGrad = true;
      out.gradFn = new Node(name, site, inputs, saved, vjp);
      out.gradFn.setOutput(out);
    }
    return out;
  }
}
