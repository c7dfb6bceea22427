package dev.adjoint;

import dev.adjoint.autograd.Node;
import dev.adjoint.autograd.Row;
import dev.adjoint.autograd.Vjp;
import dev.adjoint.rules.ElementwiseRules;
import dev.adjoint.rules.InPlaceRules;
import dev.adjoint.shape.Shapes;
import java.util.Arrays;

/**
 * The checks, the recording and the broadcasting loop shared by the in-place operations of {@link
 * Tensor}. Recording follows PyTorch: when grad mode is on and the tensor or an operand requires grad,
 * the operation becomes a node whose inputs are the tensor's value before the change (its previous node,
 * or its leaf edge) and the operands, and the tensor is rebased onto that node. With nothing to record
 * (grad mode off, as in the optimizers, or no input that requires grad) an in-place operation allocates
 * nothing.
 */
final class InPlace {
  /** The in-place operations with a tensor operand, each recorded through its out-of-place primitive's row. */
  enum Op {
    ADD("add_"),
    SUB("sub_"),
    MUL("mul_"),
    DIV("div_"),
    COPY("copy_");

    /** The method name, for messages (computed once: in-place updates sit in training loops). */
    final String label;

    Op(String label) {
      this.label = label;
    }

    /** The row this operation records through: {@code add_} through {@code add}'s, and so on. */
    Row row() {
      return switch (this) {
        case ADD -> Tensor.ADD_T;
        case SUB -> Tensor.SUB_T;
        case MUL -> Tensor.MUL_T;
        case DIV -> Tensor.DIV_T;
        case COPY -> Tensor.COPY_FROM;
      };
    }
  }

  private InPlace() {}

  /**
   * Whether an in-place operation {@code op} on {@code t} with no tensor operand is recorded. Throws,
   * as PyTorch, for a leaf that requires grad while grad mode is on. Allocates nothing when the answer is
   * no.
   */
  static boolean records(String op, Tensor t) {
    if (!t.requiresGrad() || !Autograd.isGradEnabled()) {
      return false;
    }
    checkRecordable(op, t);
    return true;
  }

  /** {@link #records(String, Tensor)} for an operation with a tensor operand {@code other}. */
  static boolean records(String op, Tensor t, Tensor other) {
    if (!t.requiresGrad() && !other.requiresGrad() || !Autograd.isGradEnabled()) {
      return false;
    }
    checkRecordable(op, t);
    return true;
  }

  private static void checkRecordable(String op, Tensor t) {
    if (t.view != null) {
      Views.checkInPlace(op, t);
    }
    if (t.requiresGrad() && t.gradFn() == null) {
      throw new IllegalStateException(op + ": a leaf Variable that requires grad is being used in an "
          + "in-place operation (shape " + Shapes.str(t.shape) + "). Do it inside "
          + "Autograd.noGrad(() -> ...), as optimizers do, or change a copy.");
    }
    if (t.dtype != Tensor.DType.FLOAT32 && t.dtype != Tensor.DType.FLOAT64) {
      throw new IllegalArgumentException(op + ": result type Float can't be cast to the desired output "
          + "type Long (an " + t.dtype + " tensor of shape " + Shapes.str(t.shape)
          + " cannot record an operation on a tensor that requires grad)");
    }
  }

  /**
   * Makes {@code node} the tensor's {@code gradFn}: {@code t} now requires grad and is no longer a leaf.
   * A {@code retainGrad()} on {@code t} moves to the new node, so {@code t.grad()} stays the gradient of
   * the tensor's current value, as in PyTorch.
   */
  static void rebase(Tensor t, Node node) {
    if (t.view != null) {
      Views.rebase(t, node);
      return;
    }
    Node previous = t.gradFn;
    if (previous != null && previous.retained() == t) {
      previous.retain(null);
      node.retain(t);
    }
    node.setOutput(t);
    t.gradFn = node;
    t.requiresGrad = true;
  }

  /**
   * A node for an in-place change of {@code inputs[0]}; it reads that tensor's current edge and the saved
   * versions. For a view, it is PyTorch's {@code CopySlices} on the view's base, wrapping the operation.
   */
  static Node node(String name, Tensor[] inputs, Tensor[] saved, Vjp vjp) {
    if (inputs[0].view != null) {
      return Views.copySlices(name, inputs, saved, vjp);
    }
    return new Node(name, null, inputs, saved, vjp);
  }

  /**
   * The row-major elements of {@code t} to change in place: its own array when dense, else a copy that
   * {@link #end} writes back. Throws, as PyTorch, when several elements of {@code t} share one memory
   * location (an expanded tensor).
   */
  static float[] begin(String op, Tensor t) {
    if (t.data64 != null) {
      throw t.notImplementedF64(op, "this in-place operation has no float64 path yet");
    }
    if (t.isDense()) {
      return t.data;
    }
    Views.checkNoInternalOverlap(op, t);
    return Views.gather(t);
  }

  /**
   * Sets a FLOAT64 {@code t} to {@code value} (row-major doubles of t's shape: a float64 rule's result) in place,
   * through its strides when it is a view; counts a version. Throws as {@link #begin} for an expanded tensor.
   */
  static void set64(String op, Tensor t, double[] value) {
    if (t.isDense()) {
      System.arraycopy(value, 0, t.data64, 0, value.length);
    } else {
      Views.checkNoInternalOverlap(op, t);
      int[] pos = Views.positions(t);
      for (int i = 0; i < value.length; i++) {
        t.data64[pos[i]] = value[i];
      }
    }
    t.bumpVersion();
  }

  /**
   * For a FLOAT64 {@code t}: applies {@code f} to its elements in place, in double, and returns true; for any
   * other dtype returns false and does nothing (the caller's float path runs).
   */
  static boolean scalar64(String op, Tensor t, java.util.function.DoubleUnaryOperator f) {
    if (t.data64 == null) {
      return false;
    }
    double[] d = t.toDoubleArray();
    for (int i = 0; i < d.length; i++) {
      d[i] = f.applyAsDouble(d[i]);
    }
    set64(op, t, d);
    return true;
  }

  /** Writes {@code d} (from {@link #begin}) back through {@code t}'s strides if it is a copy; counts a version. */
  static void end(Tensor t, float[] d) {
    if (d != t.data) {
      Views.scatter(t, d);
    }
    t.bumpVersion();
  }

  /**
   * An in-place change being recorded through a row: made by {@link #prepare} before the change, finished by
   * {@link #commit} after it.
   */
  static final class Pending {
    private final Row row;
    private final Tensor t;
    private final Object[] args;
    private final Object[] adjointArgs;
    private final boolean recordable;
    private Node node;

    private Pending(Row row, Tensor t, Object[] args, Object[] adjointArgs, boolean recordable) {
      this.row = row;
      this.t = t;
      this.args = args;
      this.adjointArgs = adjointArgs;
      this.recordable = recordable;
    }
  }

  /**
   * Starts recording the in-place form of {@code row}'s operation on {@code args} ({@code args[0] == t}, the
   * tensor about to change; the caller has checked {@link #records}): the row's node name, adjoint, recorded
   * formula and saved values, as for the out-of-place operation. When the gradients read the value before the
   * change, a private copy of it is kept (PyTorch's {@code original_self}). The node is made now, before the
   * change, so that a saved operand keeps its version from before it ({@code a.mul_(a)} then fails in
   * backward, as in PyTorch, instead of reading the changed value), unless it saves the result: then
   * {@link #commit} makes it, after the change.
   */
  static Pending prepare(Row row, Tensor t, Object... args) {
    int reads = row.inPlaceReads(args);
    Object[] adjointArgs = args;
    boolean recordable = true;
    if ((reads & Row.READS_INPUT) != 0) {
      Tensor before = t.copy();
      Tensor linked = linked(before, t);
      adjointArgs = args.clone();
      adjointArgs[0] = linked == null ? before : linked;
      recordable = linked != null;
    }
    Pending p = new Pending(row, t, args, adjointArgs, recordable);
    if ((reads & Row.READS_RESULT) == 0) {
      p.node = row.inPlaceNode(t, args, adjointArgs, recordable, InPlace::node);
    }
    return p;
  }

  /** Finishes {@link #prepare}'s record after the change: {@code t} is rebased onto the node. */
  static void commit(Pending p) {
    Node node = p.node != null ? p.node : p.row.inPlaceNode(p.t, p.args, p.adjointArgs, p.recordable, InPlace::node);
    rebase(p.t, node);
  }

  /**
   * {@code t op= other}, recorded through {@code op}'s row when {@link #records} says so. A non-float
   * {@code t} takes a copy unrecorded, as in PyTorch.
   */
  static Tensor binary(Tensor t, Tensor other, Op op) {
    if (op == Op.COPY && t.dtype != Tensor.DType.FLOAT32 && t.dtype != Tensor.DType.FLOAT64
        || !records(op.label, t, other)) {
      apply(t, other, op);
      return t;
    }
    checkShape(t, other, op);
    Pending p = prepare(op.row(), t, t, other);
    apply(t, other, op);
    commit(p);
    return t;
  }

  /** {@code t += alpha * other}, recorded through {@code add(Tensor, double)}'s row when {@link #records} says so. */
  static Tensor addScaled(Tensor t, Tensor other, double alpha) {
    Pending p = null;
    if (records("add_", t, other)) {
      checkShape(t, other, Op.ADD);
      p = prepare(Tensor.ADD_T_D, t, t, other, alpha);
    }
    if (t.data64 != null || other.dtype == Tensor.DType.FLOAT64) {
      apply(t, other.detach().mul(alpha), Op.ADD);
    } else if (Arrays.equals(t.shape, other.shape)) {
      float[] b = other.storage();
      float[] d = begin("add_", t);
      dev.adjoint.kernel.Kernels.get().axpy((float) alpha, b, d, d.length);
      end(t, d);
    } else {
      apply(t, other.detach().mul(alpha), Op.ADD);
    }
    if (p != null) {
      commit(p);
    }
    return t;
  }

  /**
   * {@code before}, a private copy of {@code t}'s value before an in-place change, given {@code t}'s history
   * so that a gradient read from it (under createGraph) is differentiable again, as PyTorch's saved
   * {@code original_self}; {@code before} itself when {@code t} has no history (a constant), and {@code null}
   * when its node has several outputs (then the recorded formula is not offered: double backward throws).
   */
  static Tensor linked(Tensor before, Tensor t) {
    Node previous = t.gradFn();
    if (previous == null) {
      return before;
    }
    if (previous.outputCount() != 1) {
      return null;
    }
    before.gradFn = previous;
    before.requiresGrad = true;
    return before;
  }

  /**
   * {@code t = op(t)} in place, recorded through {@code row} (the out-of-place primitive's: {@code exp_}
   * through {@code exp}'s) when {@link #records} says so; {@code p} and {@code q} are {@code pow_}'s exponent
   * and {@code clamp_}'s bounds, the row's further inputs.
   */
  static Tensor unary(Tensor t, InPlaceRules.Unary op, double p, double q, Row row) {
    if (!records(op.label, t)) {
      change(t, op, p, q);
      return t;
    }
    Pending pending = switch (op) {
      case POW -> prepare(row, t, t, p);
      case CLAMP -> prepare(row, t, t, p, q);
      default -> prepare(row, t, t);
    };
    change(t, op, p, q);
    commit(pending);
    return t;
  }

  /** Applies {@code op} to {@code t}'s elements in place (in double for a FLOAT64 tensor). */
  private static void change(Tensor t, InPlaceRules.Unary op, double p, double q) {
    if (t.data64 != null) {
      double[] d = t.toDoubleArray();
      InPlaceRules.forward64(op, d, p, q);
      set64(op.label, t, d);
      return;
    }
    float[] d = begin(op.label, t);
    InPlaceRules.forward(op, d, p, q);
    end(t, d);
  }

  private static void checkShape(Tensor t, Tensor other, Op op) {
    int[] bs = Shapes.broadcast(op.label, t.shape, other.shape);
    if (!Arrays.equals(bs, t.shape)) {
      throw new IllegalArgumentException(op.label + ": output with shape " + Shapes.str(t.shape)
          + " doesn't match the broadcast shape " + Shapes.str(bs) + " (other has shape "
          + Shapes.str(other.shape) + ")");
    }
  }

  static void apply(Tensor t, Tensor other, Op op) {
    checkShape(t, other, op);
    if (t.data64 != null || other.dtype == Tensor.DType.FLOAT64) {
      Tensor self = t.detach();
      Tensor b = other.detach();
      Tensor r = switch (op) {
        case ADD -> ElementwiseRules.add(self, b);
        case SUB -> ElementwiseRules.sub(self, b);
        case MUL -> ElementwiseRules.mul(self, b);
        case DIV -> ElementwiseRules.div(self, b);
        case COPY -> ElementwiseRules.add(Tensor.zeros(t.shape, t.dtype), b);
      };
      if (t.data64 == null) {
        // a float32 tensor changed by a float64 operand keeps its dtype (PyTorch casts the result)
        float[] a = begin(op.label, t);
        System.arraycopy(r.to(Tensor.DType.FLOAT32).storage(), 0, a, 0, a.length);
        end(t, a);
      } else {
        set64(op.label, t, r.toDoubleArray());
      }
      return;
    }
    float[] b = other.storage();
    float[] a = begin(op.label, t);
    var k = dev.adjoint.kernel.Kernels.get();
    if (b.length == a.length) {
      switch (op) {
        case ADD -> k.add(a, b, a, a.length);
        case SUB -> k.sub(a, b, a, a.length);
        case MUL -> k.mul(a, b, a, a.length);
        case DIV -> k.div(a, b, a, a.length);
        case COPY -> System.arraycopy(b, 0, a, 0, a.length);
      }
    } else {
      int[] st = Shapes.broadcastStrides(other.shape, t.shape);
      int[] idx = new int[t.shape.length];
      int off = 0;
      for (int i = 0; i < a.length; i++) {
        float v = b[off];
        switch (op) {
          case ADD -> a[i] += v;
          case SUB -> a[i] -= v;
          case MUL -> a[i] *= v;
          case DIV -> a[i] /= v;
          case COPY -> a[i] = v;
        }
        for (int d = idx.length - 1; d >= 0; d--) {
          off += st[d];
          if (++idx[d] < t.shape[d]) {
            break;
          }
          off -= st[d] * t.shape[d];
          idx[d] = 0;
        }
      }
    }
    end(t, a);
  }
}
