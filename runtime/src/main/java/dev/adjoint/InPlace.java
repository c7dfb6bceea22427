package dev.adjoint;

import dev.adjoint.autograd.DoubleBackward;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Node;
import dev.adjoint.autograd.RecordedVjp;
import dev.adjoint.autograd.Vjp;
import dev.adjoint.rules.ElementwiseRules;
import dev.adjoint.rules.InPlaceRules;
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
  enum Op {
    ADD("add_", "AddBackward0"),
    SUB("sub_", "SubBackward0"),
    MUL("mul_", "MulBackward0"),
    DIV("div_", "DivBackward0"),
    COPY("copy_", "CopyBackwards");

    /** The method name, for messages (computed once: in-place updates sit in training loops). */
    final String label;
    /** The node name, as PyTorch shows it. */
    final String node;

    Op(String label, String node) {
      this.label = label;
      this.node = node;
    }
  }

  private static final Tensor[] NOTHING = new Tensor[0];

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
   * {@code t op= other}, recorded when {@link #records} says so. The node is made before the change, so
   * that a saved operand's version is the one before it: {@code a.mul_(a)} then fails in backward, as in
   * PyTorch, instead of reading the changed value.
   */
  static Tensor binary(Tensor t, Tensor other, Op op) {
    // PyTorch: copying into a non-float tensor is allowed and not differentiable
    if (op == Op.COPY && t.dtype != Tensor.DType.FLOAT32 && t.dtype != Tensor.DType.FLOAT64
        || !records(op.label, t, other)) {
      apply(t, other, op);
      return t;
    }
    checkShape(t, other, op);
    Tensor[] inputs = {t, other};
    Node node = switch (op) {
      case ADD -> node(op.node, inputs, NOTHING, RecordedVjp.of(g -> ElementwiseRules.addVjp(g, null, t, other),
          g -> Grads.of(g, other.requiresGrad() ? DoubleBackward.sumTo(g, other) : null)));
      case SUB -> node(op.node, inputs, NOTHING, RecordedVjp.of(g -> ElementwiseRules.subVjp(g, null, t, other),
          g -> Grads.of(g, other.requiresGrad() ? DoubleBackward.sumTo(g.neg(), other) : null)));
      case COPY -> node(op.node, inputs, NOTHING, RecordedVjp.of(g -> InPlaceRules.copyVjp(g, t, other),
          g -> Grads.of(Tensor.zeros(g.shape(), g.dtype()),
              other.requiresGrad() ? DoubleBackward.sumTo(g, other) : null)));
      case MUL -> {
        // ∂t reads other; ∂other reads t before the change: a private copy (PyTorch's original_self)
        Tensor before = other.requiresGrad() ? t.copy() : null;
        Tensor linked = before == null ? null : linked(before, t);
        Tensor[] saved = t.requiresGrad() ? new Tensor[] {other} : NOTHING;
        yield node(op.node, inputs, saved, RecordedVjp.of(g -> InPlaceRules.mulVjp(g, t, before, other),
            g -> before != null && linked == null ? null
                : Grads.of(g.mul(other), before == null ? null : DoubleBackward.sumTo(g.mul(linked), other))));
      }
      case DIV -> {
        Tensor before = other.requiresGrad() ? t.copy() : null;
        Tensor linked = before == null ? null : linked(before, t);
        yield node(op.node, inputs, new Tensor[] {other}, RecordedVjp.of(g -> InPlaceRules.divVjp(g, t, before, other),
            g -> before != null && linked == null ? null : Grads.of(g.div(other), before == null ? null
                : DoubleBackward.sumTo(g.div(other).mul(linked).div(other).neg(), other))));
      }
    };
    apply(t, other, op);
    rebase(t, node);
    return t;
  }

  /** {@code t += alpha * other}, recorded when {@link #records} says so. */
  static Tensor addScaled(Tensor t, Tensor other, double alpha) {
    boolean record = records("add_", t, other);
    Node node = null;
    if (record) {
      checkShape(t, other, Op.ADD);
      node = node("AddBackward0", new Tensor[] {t, other}, NOTHING,
          RecordedVjp.of(g -> InPlaceRules.addAlphaVjp(g, t, other, alpha),
              g -> Grads.of(g, other.requiresGrad() ? DoubleBackward.sumTo(g.mul(alpha), other) : null)));
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
    if (record) {
      rebase(t, node);
    }
    return t;
  }

  /**
   * Records a change of {@code t} with no tensor operand that has just been applied (and counted): the
   * node's only input is {@code t}'s value before the change, and it saves nothing.
   */
  static void recordScalar(Tensor t, String name, Vjp vjp) {
    rebase(t, node(name, new Tensor[] {t}, NOTHING, vjp));
  }

  /**
   * {@link #recordScalar(Tensor, String, Vjp)} with the adjoint's recorded form {@code recorded}, for
   * createGraph (the adjoint of an operation with no tensor operand reads only the upstream gradient).
   */
  static void recordScalar(Tensor t, String name, Vjp vjp, java.util.function.UnaryOperator<Tensor> recorded) {
    rebase(t, node(name, new Tensor[] {t}, NOTHING, RecordedVjp.of(vjp, g -> Grads.of(recorded.apply(g)))));
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

  /** The signature of the out-of-place primitive whose recorded formula serves the in-place {@code op}. */
  private static String primitive(InPlaceRules.Unary op) {
    return switch (op) {
      case NEG -> "Tensor.neg()";
      case EXP -> "Tensor.exp()";
      case LOG -> "Tensor.log()";
      case SQRT -> "Tensor.sqrt()";
      case ABS -> "Tensor.abs()";
      case SIN -> "Tensor.sin()";
      case COS -> "Tensor.cos()";
      case TANH -> "Tensor.tanh()";
      case SIGMOID -> "Tensor.sigmoid()";
      case RELU -> "Tensor.relu()";
      case POW -> "Tensor.pow(double)";
      case CLAMP -> "Tensor.clamp(double,double)";
    };
  }

  /**
   * {@code t = op(t)} in place, recorded when {@link #records} says so. A node whose adjoint reads the
   * result saves {@code t} after the change (so a later change is reported); one that reads the input
   * keeps a private copy made before the change.
   */
  static Tensor unary(Tensor t, InPlaceRules.Unary op, double p, double q) {
    if (!records(op.label, t)) {
      change(t, op, p, q);
      return t;
    }
    Tensor before = op.saves == InPlaceRules.Saves.INPUT ? t.copy() : null;
    Tensor linked = before == null ? null : linked(before, t);
    change(t, op, p, q);
    Tensor[] saved = op.saves == InPlaceRules.Saves.RESULT ? new Tensor[] {t} : NOTHING;
    DoubleBackward.Formula formula = DoubleBackward.of(primitive(op));
    // the formula's arguments as the out-of-place primitive's: the input (its value before), then p, q
    Object[] args = switch (op) {
      case POW -> new Object[] {linked, p};
      case CLAMP -> new Object[] {linked, p, q};
      default -> new Object[] {before == null ? t : linked};
    };
    boolean recordable = formula != null && (before == null || linked != null);
    rebase(t, node(op.node, new Tensor[] {t}, saved, RecordedVjp.of(
        g -> InPlaceRules.unaryVjp(op, g, t, before, p, q), g -> recordable ? formula.apply(g, t, args) : null)));
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
