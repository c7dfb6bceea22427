package dev.adjoint.nn;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A building block of a network ({@code torch.nn.Module}): it owns parameters and child modules, knows
 * whether it is in training or evaluation mode, and maps an input to an output in {@link #forward}.
 *
 * <p><b>How parameters become known.</b> There is no reflection. A module whose {@code forward} is
 * {@code @Differentiable} declares its parameters and children as fields and passes the member list
 * that the annotation processor generates from those fields to this constructor:
 *
 * <pre>{@code
 * final class NeuralNetwork extends Module {
 *   final Flatten flatten = new Flatten();
 *   final Linear fc1 = new Linear(28 * 28, 512);
 *   final Linear fc2 = new Linear(512, 512);
 *   final Linear fc3 = new Linear(512, 10);
 *
 *   NeuralNetwork() {
 *     super(NeuralNetworkDiff.MEMBERS);   // generated: fields flatten, fc1, fc2, fc3, in declaration order
 *   }
 *
 *   @Differentiable
 *   @Override public Tensor forward(Tensor x) {
 *     Tensor h = fc1.forward(flatten.forward(x)).relu();
 *     return fc3.forward(fc2.forward(h).relu());
 *   }
 * }
 * }</pre>
 *
 * <p>Every instance {@code Tensor} field of such a class is a parameter (named after the field) and every
 * instance {@code Module} field a child; the processor reports a compile error when the class does not
 * hand the list to {@code super(...)}, or when a field is private (the generated code could not read it).
 * Modules written without the processor (the library's own {@link Linear}, {@link Sequential}, ...)
 * register their members explicitly in their constructor, as PyTorch's {@code register_parameter} /
 * {@code add_module} do:
 *
 * <pre>{@code
 * final class NeuralNetwork extends Module {
 *   private final Flatten flatten = registerModule("flatten", new Flatten());
 *   private final Sequential stack = registerModule("linear_relu_stack", new Sequential(
 *       new Linear(28 * 28, 512), new ReLU(), new Linear(512, 512), new ReLU(), new Linear(512, 10)));
 *
 *   @Override public Tensor forward(Tensor x) {
 *     return stack.forward(flatten.forward(x));
 *   }
 * }
 * }</pre>
 *
 * <p>Both may be combined: generated members come first, then registered ones.
 *
 * <p>Names and order follow PyTorch: {@link #namedParameters()} lists this module's own parameters in
 * registration order, then each child's under {@code "child."} prefixes, so the state of a network
 * written in PyTorch and the same network written here line up name by name ({@code
 * "linear_relu_stack.0.weight"}). {@link #save(Path)} and {@link #load(Path)} use the format documented
 * in {@link StateDict}.
 */
public abstract class Module {
  static {
    // the modules' recorded backward formulas (createGraph), before any module class is used
    DoubleFormulas.registerModules();
  }

  private final LinkedHashMap<String, Tensor> parameters = new LinkedHashMap<>();
  private final LinkedHashMap<String, Module> children = new LinkedHashMap<>();
  /** State that is not a parameter ({@code register_buffer}): saved and loaded, never trained. */
  private final LinkedHashMap<String, Tensor> buffers = new LinkedHashMap<>();
  private final Members members;
  /** Whether {@link #call} has visited the parameters (of this module and its descendants) once. */
  private boolean parametersMarked;
  private boolean training = true;
  /** Forward and backward hooks ({@link #call}); null until one is registered. */
  private ModuleHooks hooks;

  /** A module with no parameters and no children yet; subclasses register theirs in their constructor. */
  protected Module() {
    this.members = null;
  }

  /**
   * A module whose parameters and children are its fields, listed at compile time by the annotation
   * processor ({@code super(NetDiff.MEMBERS)}); they are read from the fields each time they are asked
   * for, so a field assigned after this constructor runs is seen.
   */
  @SuppressWarnings("this-escape") // held weakly; marked only once every field is assigned (markIfAssigned)
  protected Module(Members members) {
    this.members = java.util.Objects.requireNonNull(members, "members");
    // a @Differentiable forward called directly runs no generated code first: the next recorded operation
    // marks the parameters once the constructor has assigned them (ParameterMarks)
    dev.adjoint.autograd.ParameterMarks.add(this, m -> ((Module) m).markIfAssigned());
  }

  /**
   * The fields of a module, listed by generated code: {@link #visit} reports each parameter and child
   * to a {@link Visitor}. The annotation processor writes one per {@code @Differentiable} module class,
   * as {@code <Class>Diff.MEMBERS}.
   */
  @FunctionalInterface
  public interface Members {
    /** Reports the members of {@code module} (an instance of the class this list was generated for). */
    void visit(Module module, Visitor visitor);
  }

  /** Receives a module's members from {@link Members#visit}, in declaration order. */
  public interface Visitor {
    /** The parameter held by field {@code name}. */
    void parameter(String name, Tensor value);

    /** The child module held by field {@code name}. */
    void module(String name, Module value);
  }

  /** This module's own parameters and direct children: the generated ones (fields), then the registered ones. */
  private record Own(Map<String, Tensor> parameters, Map<String, Module> children) {}

  /** Reads the fields once through the member list (checking them) and appends the registered members. */
  private Own own() {
    if (members == null) {
      return new Own(parameters, children);
    }
    String owner = getClass().getSimpleName();
    LinkedHashMap<String, Tensor> ownParameters = new LinkedHashMap<>();
    LinkedHashMap<String, Module> ownChildren = new LinkedHashMap<>();
    members.visit(this, new Visitor() {
      @Override
      public void parameter(String name, Tensor value) {
        if (value == null) {
          throw new IllegalStateException(owner + "." + name
              + " is null: a parameter field must be assigned in the constructor");
        }
        if (!value.isLeaf()) {
          throw new IllegalStateException(owner + "." + name
              + ": a parameter must be a leaf tensor (it was made by " + value.gradFn().name() + "); use detach()");
        }
        if (!value.requiresGrad()) {
          value.requiresGrad(true);
        }
        ownParameters.put(name, value);
      }

      @Override
      public void module(String name, Module value) {
        if (value == null) {
          throw new IllegalStateException(owner + "." + name
              + " is null: a module field must be assigned in the constructor");
        }
        ownChildren.put(name, value);
      }
    });
    putRegistered(ownParameters, parameters);
    putRegistered(ownChildren, children);
    return new Own(ownParameters, ownChildren);
  }

  private <T> void putRegistered(Map<String, T> own, Map<String, T> registered) {
    for (var e : registered.entrySet()) {
      T field = own.putIfAbsent(e.getKey(), e.getValue());
      // gate = registerParameter("gate", t), PyTorch's idiom, names one object twice: that is one member
      if (field != null && field != e.getValue()) {
        throw new IllegalStateException(getClass().getSimpleName() + ": '" + e.getKey()
            + "' is both a field in the generated member list and a registered member, holding different objects");
      }
    }
  }

  /**
   * Registers {@code t} as a parameter called {@code name} (a leaf that requires grad; this method turns
   * that on) and returns it. Names are unique within a module and may not contain {@code '.'}.
   */
  protected Tensor registerParameter(String name, Tensor t) {
    checkName("registerParameter", name);
    if (!t.isLeaf()) {
      throw new IllegalArgumentException("registerParameter: parameter '" + name + "' of " + getClass().getSimpleName()
          + " must be a leaf tensor (it was made by " + t.gradFn().name() + "); use detach()");
    }
    t.requiresGrad(true);
    parameters.put(name, t);
    return t;
  }

  /**
   * Registers {@code t} as a buffer called {@code name} ({@code register_buffer}): state that is saved and loaded
   * with the parameters ({@link #stateDict()}) but is not a parameter (batch norm's running statistics).
   */
  protected Tensor registerBuffer(String name, Tensor t) {
    checkName("registerBuffer", name);
    buffers.put(name, t);
    return t;
  }

  /** Every buffer of this module and its descendants by its dotted name ({@code "bn1.running_mean"}). */
  public Map<String, Tensor> namedBuffers() {
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    collectState("", out, false);
    return Collections.unmodifiableMap(out);
  }

  /** Parameters (with {@code parameters}) and buffers in PyTorch's {@code state_dict} order: each module's own, then its children's. */
  private void collectState(String prefix, Map<String, Tensor> out, boolean parameters) {
    Own own = own();
    if (parameters) {
      for (var e : own.parameters().entrySet()) {
        out.putIfAbsent(prefix + e.getKey(), e.getValue());
      }
    }
    for (var e : buffers.entrySet()) {
      out.putIfAbsent(prefix + e.getKey(), e.getValue());
    }
    for (var e : own.children().entrySet()) {
      e.getValue().collectState(prefix + e.getKey() + ".", out, parameters);
    }
  }

  /** Registers {@code m} as a child module called {@code name} and returns it. */
  protected <M extends Module> M registerModule(String name, M m) {
    checkName("registerModule", name);
    if (m == this) {
      throw new IllegalArgumentException("registerModule: a module cannot be its own child ('" + name + "')");
    }
    children.put(name, m);
    return m;
  }

  private void checkName(String op, String name) {
    if (name == null || name.isEmpty() || name.contains(".")) {
      throw new IllegalArgumentException(op + ": name must be non-empty and contain no '.', got '" + name + "'");
    }
    if (parameters.containsKey(name) || children.containsKey(name) || buffers.containsKey(name)) {
      throw new IllegalArgumentException(op + ": " + getClass().getSimpleName() + " already has a member named '"
          + name + "'");
    }
  }

  /**
   * Calls the module ({@code module(x)} in PyTorch): the output of {@link #forward} with this module's hooks
   * run around it. Containers call their children this way; calling {@code forward} directly skips the
   * hooks, as calling {@code module.forward(x)} does in PyTorch.
   */
  public final Tensor call(Tensor x) {
    markParameters();
    ModuleHooks h = hooks;
    return h == null || h.isEmpty() ? forward(x) : h.call(this, x);
  }

  /**
   * Makes the parameter fields of this module and its descendants require grad, once: the generated members'
   * fields become leaves that require grad when first visited ({@link #parameters()}), and this visits them
   * before the first forward, as {@code nn.Parameter} requires grad from construction (else a backward before
   * any {@code parameters()} call would leave them without a gradient). {@link #call} runs it, and so does the
   * generated forward of a {@code @Differentiable} method of a module ({@code NetDiff.forward(net, x)}, which a
   * module's plain {@code forward} delegates to), so {@code net.forward(x).sum().backward()} on a fresh module
   * fills every parameter's gradient. After the first call it reads one flag.
   */
  public final void markParameters() {
    if (!parametersMarked) {
      parameters();
      parametersMarked = true;
    }
  }

  /**
   * For {@code ParameterMarks}: marks the parameters ({@link #markParameters}) when every parameter and module
   * field is assigned and every parameter is a leaf, and says whether this module needs no further try (marked,
   * or a parameter that is not a leaf, which {@link #parameters()} reports).
   */
  private boolean markIfAssigned() {
    if (parametersMarked) {
      return true;
    }
    boolean[] state = {true, true}; // all assigned, all leaves
    members.visit(this, new Visitor() {
      @Override
      public void parameter(String name, Tensor value) {
        state[0] &= value != null;
        state[1] &= value == null || value.isLeaf();
      }

      @Override
      public void module(String name, Module value) {
        state[0] &= value != null;
      }
    });
    if (!state[0]) {
      return false;
    }
    if (state[1]) {
      markParameters();
    }
    return true;
  }

  /** Whether hooks are registered on this module (containers do not fuse such a module with the next). */
  boolean hasHooks() {
    ModuleHooks h = hooks;
    return h != null && !h.isEmpty();
  }

  /** A hook run before {@code forward} by {@link #call}: returns a replacement input, or null to keep it. */
  @FunctionalInterface
  public interface ForwardPreHook {
    /** The input to use instead of {@code input}, or {@code null}. */
    Tensor apply(Module module, Tensor input);
  }

  /** A hook run after {@code forward} by {@link #call}: returns a replacement output, or null to keep it. */
  @FunctionalInterface
  public interface ForwardHook {
    /** The output to use instead of {@code output}, or {@code null}. */
    Tensor apply(Module module, Tensor input, Tensor output);
  }

  /**
   * A full backward hook: called with the gradients of the module's input ({@code null} entries where the
   * input does not require grad) and of its output once both are known; returns replacement input gradients,
   * or null to keep them.
   */
  @FunctionalInterface
  public interface BackwardHook {
    /** The input gradients to use instead of {@code gradInput}, or {@code null}. */
    Tensor[] apply(Module module, Tensor[] gradInput, Tensor[] gradOutput);
  }

  private ModuleHooks hooks() {
    if (hooks == null) {
      hooks = new ModuleHooks();
    }
    return hooks;
  }

  /** {@code register_forward_pre_hook}: runs {@code hook} before each {@link #call}'s forward. */
  public dev.adjoint.autograd.RemovableHandle registerForwardPreHook(ForwardPreHook hook) {
    return ModuleHooks.add(hooks().pre, hook);
  }

  /** {@code register_forward_hook}: runs {@code hook} after each {@link #call}'s forward. */
  public dev.adjoint.autograd.RemovableHandle registerForwardHook(ForwardHook hook) {
    return ModuleHooks.add(hooks().forward, hook);
  }

  /**
   * {@code register_full_backward_hook}: runs {@code hook} in backward with the gradients of the input and
   * the output of each {@link #call} made with grad mode on.
   */
  public dev.adjoint.autograd.RemovableHandle registerFullBackwardHook(BackwardHook hook) {
    return ModuleHooks.add(hooks().backward, hook);
  }

  /**
   * The output for input {@code x}. Modules that compute something override it; like PyTorch's, the
   * default throws, naming the module.
   */
  public Tensor forward(Tensor x) {
    throw new UnsupportedOperationException("forward: module " + getClass().getSimpleName()
        + " does not define forward(Tensor)");
  }

  /** Every parameter of this module and its descendants, in {@link #namedParameters()} order. */
  public List<Tensor> parameters() {
    return new ArrayList<>(namedParameters().values());
  }

  /** Every parameter by its dotted name ({@code "linear_relu_stack.0.weight"}), in PyTorch's order. */
  public Map<String, Tensor> namedParameters() {
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    collect("", out);
    return Collections.unmodifiableMap(out);
  }

  private void collect(String prefix, Map<String, Tensor> out) {
    Own own = own();
    for (var e : own.parameters().entrySet()) {
      out.putIfAbsent(prefix + e.getKey(), e.getValue());
    }
    for (var e : own.children().entrySet()) {
      e.getValue().collect(prefix + e.getKey() + ".", out);
    }
  }

  /** The direct children by name, in registration order. */
  public Map<String, Module> namedChildren() {
    return Collections.unmodifiableMap(own().children());
  }

  /** Sets training mode on this module and every descendant ({@code train(True)}); returns {@code this}. */
  public Module train(boolean mode) {
    this.training = mode;
    for (Module c : own().children().values()) {
      c.train(mode);
    }
    return this;
  }

  /** Training mode ({@code model.train()}): dropout drops. Modules start in training mode. */
  public Module train() {
    return train(true);
  }

  /** Evaluation mode ({@code model.eval()}): dropout passes its input through. */
  public Module eval() {
    return train(false);
  }

  /** Whether this module is in training mode ({@code module.training}). */
  public boolean isTraining() {
    return training;
  }

  /**
   * Converts every floating-point parameter and buffer of this module and its descendants to {@code dtype}
   * ({@code module.to(dtype)}), in place, and returns {@code this}. As PyTorch's {@code Module._apply}, each
   * parameter stays the same {@link Tensor} object and gets the converted values ({@link Tensor#setData},
   * {@code param.data = param.data.to(dtype)}); so the fields that hold it, containers, and an optimizer
   * made afterwards all see the converted parameter, and the generated code of a {@code @Differentiable}
   * module reads it from its fields as before. A parameter's gradient is converted the same way. Buffers
   * (batch norm's running statistics) are converted in place too; integer tensors are left alone.
   * Converting float64 to float32 rounds to nearest, as PyTorch.
   *
   * <p>Build optimizers after converting: an optimizer's state made before (Adam's moments) keeps the old
   * dtype, and its next step throws naming the parameter, where PyTorch fails too. Graphs recorded before
   * the conversion cannot be backpropagated through the converted parameters (their version moved on).
   */
  public Module to(Tensor.DType dtype) {
    java.util.Objects.requireNonNull(dtype, "dtype");
    if (!dtype.isFloatingPoint()) {
      throw new IllegalArgumentException("Module.to: nn.Module.to only accepts floating point dtypes, but got "
          + "desired dtype=" + dtype);
    }
    java.util.IdentityHashMap<Tensor, Boolean> done = new java.util.IdentityHashMap<>();
    try (var g = Autograd.noGrad()) {
      for (Tensor t : stateTensors()) {
        if (done.put(t, Boolean.TRUE) != null || !t.dtype().isFloatingPoint() || t.dtype() == dtype) {
          continue;
        }
        t.setData(t.to(dtype));
        Tensor grad = t.grad();
        if (grad != null && grad.dtype() != dtype) {
          if (grad.isLeaf() && !grad.isView()) {
            grad.setData(grad.to(dtype));
          } else {
            t.setGrad(grad.to(dtype));
          }
        }
      }
    }
    return this;
  }

  /** {@code module.double()}: {@link #to to(FLOAT64)}, every floating-point parameter and buffer. */
  public Module toDouble() {
    return to(Tensor.DType.FLOAT64);
  }

  /** {@code module.float()}: {@link #to to(FLOAT32)}, every floating-point parameter and buffer. */
  public Module toFloat() {
    return to(Tensor.DType.FLOAT32);
  }

  /** Every parameter and buffer, shared ones once (PyTorch's {@code _apply} visits each module's own). */
  private List<Tensor> stateTensors() {
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    collectState("", out, true);
    return new ArrayList<>(out.values());
  }

  /**
   * Zeroes the gradient of every parameter in place ({@code zero_grad()} with PyTorch 1.13's default
   * {@code set_to_none=False}): the gradient tensors keep their identity, and the next backward writes into
   * them instead of allocating. {@link #zeroGrad(boolean) zeroGrad(true)} sets them to {@code null}.
   */
  public void zeroGrad() {
    zeroGrad(false);
  }

  /** Clears the gradients: sets them to {@code null} when {@code setToNone}, else fills them with zeros. */
  public void zeroGrad(boolean setToNone) {
    for (Tensor p : namedParameters().values()) {
      if (p.grad() != null) {
        if (setToNone) {
          p.setGrad(null);
        } else {
          Tensor g = p.grad();
          if (g.gradFn() != null) {
            g.detach_(); // PyTorch 1.13: a createGraph gradient leaves its graph first
          } else if (g.requiresGrad()) {
            g.requiresGrad(false);
          }
          g.zero_();
        }
      }
    }
  }

  /**
   * The state to save ({@code state_dict()}), sharing storage with the module: the parameters and buffers by
   * name, each module's own (parameters, then buffers) before its children's, as PyTorch orders them.
   */
  public Map<String, Tensor> stateDict() {
    LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
    collectState("", out, true);
    return Collections.unmodifiableMap(out);
  }

  /**
   * The keys a non-strict {@link #loadStateDict(Map, boolean)} skipped (PyTorch's {@code
   * _IncompatibleKeys}): the module's parameters the state did not have, in the module's order, and the
   * state's entries the module does not have, in the state's order.
   */
  public record IncompatibleKeys(List<String> missingKeys, List<String> unexpectedKeys) {
    /** Unmodifiable copies. */
    public IncompatibleKeys {
      missingKeys = List.copyOf(missingKeys);
      unexpectedKeys = List.copyOf(unexpectedKeys);
    }
  }

  /**
   * Copies {@code state} into the parameters ({@code load_state_dict(strict=True)}): names must match
   * exactly and shapes must agree, or nothing is changed and the error lists every difference.
   */
  public IncompatibleKeys loadStateDict(Map<String, Tensor> state) {
    return loadStateDict(state, true);
  }

  /**
   * Copies {@code state} into the parameters, as PyTorch's {@code load_state_dict(state, strict)}. With
   * {@code strict}, a missing or unexpected key is an error; without, the parameters present in both are
   * loaded and the others are returned. A shape mismatch is an error either way. On an error nothing is
   * changed (PyTorch may have copied some parameters by then), and the message lists every problem in
   * PyTorch's words: {@code Missing key(s) in state_dict: "fc.bias".}, {@code Unexpected key(s) ...},
   * {@code size mismatch for fc.weight: ...}. A batch norm's {@code num_batches_tracked} may be missing: it is then
   * reset to 0, as PyTorch's batch norm does for older state dicts.
   */
  public IncompatibleKeys loadStateDict(Map<String, Tensor> state, boolean strict) {
    Map<String, Tensor> own = stateDict();
    LinkedHashMap<String, Tensor> optional = new LinkedHashMap<>();
    collectOptional("", optional);
    List<String> missing = new ArrayList<>();
    for (String k : own.keySet()) {
      if (!state.containsKey(k) && !optional.containsKey(k)) {
        missing.add(k);
      }
    }
    List<String> unexpected = new ArrayList<>();
    for (String k : state.keySet()) {
      if (!own.containsKey(k)) {
        unexpected.add(k);
      }
    }
    List<String> problems = new ArrayList<>();
    if (strict && !missing.isEmpty()) {
      problems.add("Missing key(s) in state_dict: " + quoted(missing) + ".");
    }
    if (strict && !unexpected.isEmpty()) {
      problems.add("Unexpected key(s) in state_dict: " + quoted(unexpected) + ".");
    }
    for (var e : own.entrySet()) {
      Tensor src = state.get(e.getKey());
      if (src != null && !Arrays.equals(src.shape(), e.getValue().shape())) {
        problems.add("size mismatch for " + e.getKey() + ": copying a param with shape "
            + Arrays.toString(src.shape()) + " from checkpoint, the shape in current model is "
            + Arrays.toString(e.getValue().shape()) + ".");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("loadStateDict: Error(s) in loading state_dict for "
          + getClass().getSimpleName() + ":\n\t" + String.join("\n\t", problems));
    }
    try (var g = Autograd.noGrad()) {
      for (var e : own.entrySet()) {
        Tensor src = state.containsKey(e.getKey()) ? state.get(e.getKey()) : optional.get(e.getKey());
        if (src != null) {
          e.getValue().copy_(src);
        }
      }
    }
    return new IncompatibleKeys(missing, unexpected);
  }

  /**
   * This module's buffers (by name) that a state dict may leave out, each with the value loaded in its place: the
   * batch norms' {@code num_batches_tracked}, which PyTorch fills with 0 when a state dict lacks it (one saved
   * before it existed, or without it), so that such state dicts load strictly. None by default.
   */
  Map<String, Tensor> optionalBuffers() {
    return Map.of();
  }

  /** {@link #optionalBuffers()} of this module and its descendants, by dotted name. */
  private void collectOptional(String prefix, Map<String, Tensor> out) {
    for (var e : optionalBuffers().entrySet()) {
      out.putIfAbsent(prefix + e.getKey(), e.getValue());
    }
    for (var e : own().children().entrySet()) {
      e.getValue().collectOptional(prefix + e.getKey() + ".", out);
    }
  }

  private static String quoted(List<String> keys) {
    StringBuilder sb = new StringBuilder();
    for (String k : keys) {
      sb.append(sb.isEmpty() ? "" : ", ").append('"').append(k).append('"');
    }
    return sb.toString();
  }

  /** Writes {@link #stateDict()} to {@code file} atomically, in the format of {@link StateDict}. */
  public void save(Path file) throws IOException {
    StateDict.save(stateDict(), file);
  }

  /** Reads a file written by {@link #save} (checksum checked) and {@linkplain #loadStateDict loads} it. */
  public void load(Path file) throws IOException {
    loadStateDict(StateDict.load(file));
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('(');
    String extra = extraRepr();
    Map<String, Module> own = own().children();
    if (own.isEmpty()) {
      return sb.append(extra).append(')').toString();
    }
    sb.append(extra).append('\n');
    for (var e : own.entrySet()) {
      String child = e.getValue().toString().replace("\n", "\n  ");
      sb.append("  (").append(e.getKey()).append("): ").append(child).append('\n');
    }
    return sb.append(')').toString();
  }

  /** The settings shown between the parentheses of {@link #toString()} ({@code extra_repr}). */
  protected String extraRepr() {
    return "";
  }
}
