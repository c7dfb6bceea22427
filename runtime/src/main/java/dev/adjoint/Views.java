package dev.adjoint;

import dev.adjoint.autograd.DoubleBackward;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Node;
import dev.adjoint.autograd.RecordedVjp;
import dev.adjoint.autograd.Vjp;
import dev.adjoint.rules.ViewRules;
import dev.adjoint.shape.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Views: tensors that share storage and version counter with a base, as PyTorch's view operations make
 * them, and the autograd rules PyTorch applies to them (its {@code DifferentiableViewMeta}).
 *
 * <p>A view is a {@link Tensor} over its base's {@code float[]} with its own storage offset, shape and
 * strides, so {@code reshape}, {@code slice}, {@code t} and the rest are O(1). Its {@link Info} names its
 * base (always the root: a view of a view has the first view's base) and how it was made. The rules:
 *
 * <ul>
 *   <li>An in-place operation through a view that is recorded changes the base's history: the base's
 *       {@code gradFn} becomes a {@code CopySlices} node wrapping the operation's node (its gradient is
 *       the base's gradient with the view's part replaced by the operation's input gradient), and the
 *       view's {@code gradFn} becomes an {@code AsStridedBackward0} node reading the base.
 *   <li>After any in-place change of the storage (through the base or another view, recorded or not), a
 *       view's {@code gradFn()} is regenerated the same way the first time it is read, so gradients
 *       through every view see the change.
 *   <li>PyTorch's errors: an in-place operation on a view of a leaf that requires grad; on an output of a
 *       function returning several views ({@code unbind}, {@code split}, {@code chunk}) or of a view
 *       made in no-grad mode, directly or through its base; on a tensor whose elements overlap in memory
 *       ({@code expand}).
 * </ul>
 *
 * <p>The forwards of the view operations are here; their adjoints are in {@link ViewRules}.
 */
final class Views {
  private Views() {}

  /** How a view was made; PyTorch's {@code CreationMeta}. */
  enum Creation {
    /** By one view operation in grad mode: in-place changes through it are recorded. */
    DEFAULT,
    /** As one output of an operation returning several views: in-place changes are refused. */
    MULTI_OUTPUT,
    /** In no-grad mode: in-place changes are refused once its base requires grad. */
    NO_GRAD_MODE
  }

  /** A view's base and history (PyTorch's {@code ViewInfo} and {@code DifferentiableViewMeta}). */
  static final class Info {
    final Tensor base;
    final Creation creation;
    /** For a {@link Creation#MULTI_OUTPUT} view made directly by such a function: its output index. */
    final int outputNr;
    /** The storage version for which {@code gradFn} is current. */
    int attrVersion;

    Info(Tensor base, Creation creation, int outputNr, int attrVersion) {
      this.base = base;
      this.creation = creation;
      this.outputNr = outputNr;
      this.attrVersion = attrVersion;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Geometry

  /** PyTorch's contiguity: row-major strides, ignoring dimensions of size 1; no elements is contiguous. */
  static boolean isContiguous(int[] shape, int[] strides) {
    int expected = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      if (shape[d] == 0) {
        return true;
      }
      if (shape[d] != 1) {
        if (strides[d] != expected) {
          return false;
        }
        expected *= shape[d];
      }
    }
    return true;
  }

  /** The storage index of every element of {@code t}, in row-major order. */
  static int[] positions(Tensor t) {
    return positions(t.offset, t.shape, t.strides);
  }

  static int[] positions(int offset, int[] shape, int[] strides) {
    return ViewRules.positions(offset, shape, strides);
  }

  /** The elements of {@code t} in row-major order, in a new array (its storage read through its strides). */
  static float[] gather(Tensor t) {
    if (t.data64 != null) {
      throw t.notImplementedF64(null, "this operation reads float32 storage and has no float64 path yet");
    }
    float[] out = new float[t.numel];
    if (out.length == 0) {
      return out;
    }
    float[] src = t.data;
    int rank = t.shape.length;
    if (rank == 0) {
      out[0] = src[t.offset];
      return out;
    }
    int inner = t.shape[rank - 1];
    int innerStride = t.strides[rank - 1];
    int[] idx = new int[rank - 1];
    int off = t.offset;
    for (int o = 0; o < out.length; o += inner) {
      if (innerStride == 1) {
        System.arraycopy(src, off, out, o, inner);
      } else {
        for (int j = 0, p = off; j < inner; j++, p += innerStride) {
          out[o + j] = src[p];
        }
      }
      for (int d = rank - 2; d >= 0; d--) {
        off += t.strides[d];
        if (++idx[d] < t.shape[d]) {
          break;
        }
        off -= t.strides[d] * t.shape[d];
        idx[d] = 0;
      }
    }
    return out;
  }

  /** The elements of a FLOAT64 {@code t} in row-major order, in a new array, as {@link #gather}. */
  static double[] gather64(Tensor t) {
    double[] out = new double[t.numel];
    double[] src = t.data64;
    int[] pos = positions(t);
    for (int i = 0; i < out.length; i++) {
      out[i] = src[pos[i]];
    }
    return out;
  }

  /** Writes {@code values} (row-major, {@code t.numel()} of them) into {@code t}'s storage through its strides. */
  static void scatter(Tensor t, float[] values) {
    if (t.data64 != null) {
      throw t.notImplementedF64(null, "this operation writes float32 storage and has no float64 path yet");
    }
    if (values.length == 0) {
      return;
    }
    float[] dst = t.data;
    int rank = t.shape.length;
    if (rank == 0) {
      dst[t.offset] = values[0];
      return;
    }
    int inner = t.shape[rank - 1];
    int innerStride = t.strides[rank - 1];
    int[] idx = new int[rank - 1];
    int off = t.offset;
    for (int o = 0; o < values.length; o += inner) {
      if (innerStride == 1) {
        System.arraycopy(values, o, dst, off, inner);
      } else {
        for (int j = 0, p = off; j < inner; j++, p += innerStride) {
          dst[p] = values[o + j];
        }
      }
      for (int d = rank - 2; d >= 0; d--) {
        off += t.strides[d];
        if (++idx[d] < t.shape[d]) {
          break;
        }
        off -= t.strides[d] * t.shape[d];
        idx[d] = 0;
      }
    }
  }

  /**
   * Throws, with PyTorch's message, when several elements of {@code t} share one memory location (a
   * stride 0 over a dimension of size above 1, as {@code expand} makes), so that an in-place write is
   * ambiguous.
   */
  static void checkNoInternalOverlap(String op, Tensor t) {
    for (int d = 0; d < t.shape.length; d++) {
      if (t.shape[d] > 1 && t.strides[d] == 0) {
        throw new IllegalStateException(op + ": unsupported operation: more than one element of the written-to "
            + "tensor refers to a single memory location. Please clone() the tensor before performing the "
            + "operation. (shape " + Shapes.str(t.shape) + ", strides " + Shapes.str(t.strides) + ")");
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Making views

  /**
   * A view of {@code src}'s storage with the given geometry; its base is {@code src}'s base if {@code src}
   * is a view, else {@code src}. Made in no-grad mode, it is a {@link Creation#NO_GRAD_MODE} view; a view
   * of a view keeps the first one's restriction, as PyTorch's {@code propagate_creation_meta}.
   */
  static Tensor make(Tensor src, int offset, int[] shape, int[] strides, Creation creation, int outputNr) {
    Tensor out = new Tensor(src, offset, shape, strides);
    Creation c = Autograd.isGradEnabled() ? creation : Creation.NO_GRAD_MODE;
    int nr = outputNr;
    Tensor base = src;
    if (src.view != null) {
      base = src.view.base;
      if (c == Creation.DEFAULT) {
        c = src.view.creation;
      }
      nr = 0;
    }
    out.view = new Info(base, c, nr, src.version[0]);
    return out;
  }

  static Tensor make(Tensor src, int offset, int[] shape, int[] strides) {
    return make(src, offset, shape, strides, Creation.DEFAULT, 0);
  }

  // ---------------------------------------------------------------------------------------------
  // In-place through views

  /**
   * The checks PyTorch makes before recording an in-place operation {@code op} on the view {@code t}
   * ({@code check_inplace}): not an output of a multi-view function nor a view made in no-grad mode, and
   * not a view of a leaf that requires grad.
   */
  static void checkInPlace(String op, Tensor t) {
    Info info = t.view;
    if (info.creation != Creation.DEFAULT) {
      throw new IllegalStateException(op + ": " + rebaseMessage(t, false));
    }
    if (t.requiresGrad() && info.base.isLeaf()) {
      throw new IllegalStateException(op + ": a view of a leaf Variable that requires grad is being used in an "
          + "in-place operation. (view of shape " + Shapes.str(t.shape) + ", base of shape "
          + Shapes.str(info.base.shape) + "; do it inside Autograd.noGrad(() -> ...), or change a clone)");
    }
  }

  /** PyTorch's {@code handle_view_on_rebase} message for a view that may not be rebased. */
  private static String rebaseMessage(Tensor t, boolean indirect) {
    Info info = t.view;
    String modified = indirect ? "its base or another view of its base has been" : "is being";
    String msg;
    if (t.gradFn != null) {
      msg = "Output " + info.outputNr + " of " + t.gradFn.name() + " is a view and " + modified + " modified inplace.";
    } else {
      msg = "A view was created in no_grad mode and " + modified + " modified inplace with grad mode enabled.";
    }
    if (info.creation == Creation.MULTI_OUTPUT) {
      msg += " This view is the output of a function that returns multiple views. Such functions do not allow"
          + " the output views to be modified inplace. You should replace the inplace operation by an"
          + " out-of-place one.";
    } else {
      msg += " Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code"
          + " by moving both the view and the inplace either both inside the no_grad block (if you don't want"
          + " the inplace to be tracked) or both outside (if you want the inplace to be tracked).";
    }
    return msg + " (view of shape " + Shapes.str(t.shape) + ")";
  }

  /**
   * The node of a recorded in-place operation on a view ({@code inputs[0]}): PyTorch's {@code CopySlices}
   * on the view's base. Its inputs are the base (before the change) and the operation's operands; its
   * adjoint takes the base's gradient, runs the operation's adjoint {@code vjp} on the view's part of it,
   * and puts the result back in that part. Made before the change, like every in-place node.
   */
  static Node copySlices(String name, Tensor[] inputs, Tensor[] saved, Vjp vjp) {
    Tensor view = inputs[0];
    Tensor base = view.view.base;
    Tensor[] in = inputs.clone();
    in[0] = base;
    int[] at = baseIndices(view, base);
    int[] viewShape = view.shape.clone();
    int[] baseShape = base.shape.clone();
    Vjp plain = g -> {
      // moved through doubles, which hold float32 values exactly, so one path serves both dtypes
      Tensor.DType dtype = g.dtype() == Tensor.DType.FLOAT64 ? Tensor.DType.FLOAT64 : Tensor.DType.FLOAT32;
      double[] result = g.toDoubleArray();
      double[] slice = new double[at.length];
      for (int i = 0; i < at.length; i++) {
        slice[i] = result[at[i]];
      }
      Grads res = vjp.apply(Tensor.wrap(slice, viewShape).to(dtype));
      Tensor g0 = res.get(0);
      double[] r0 = g0 == null ? new double[at.length] : g0.toDoubleArray();
      for (int i = 0; i < at.length; i++) {
        result[at[i]] = r0[i];
      }
      Tensor[] out = new Tensor[in.length];
      out[0] = Tensor.wrap(result, baseShape).to(dtype);
      for (int i = 1; i < out.length; i++) {
        out[i] = res.get(i);
      }
      return Grads.of(out);
    };
    if (!(vjp instanceof RecordedVjp inner)) {
      Node node = new Node("CopySlices", null, in, saved, plain);
      node.wrapsInPlaceOn(view, name);
      return node;
    }
    // under createGraph, PyTorch's CopySlices with recorded operations: the view's part of the gradient
    // (a gather of its base positions) through the operation's recorded adjoint, scattered back in place of it
    Node node = new Node("CopySlices", null, in, saved, RecordedVjp.of(plain, g -> {
      Tensor positions = Tensor.indices(at);
      Tensor flat = g.reshape(-1);
      Grads res = inner.applyRecorded(flat.gather(0, positions).reshape(viewShape));
      if (res == null) {
        return null;
      }
      Tensor g0 = res.get(0);
      Tensor part = g0 == null ? Tensor.zeros(new int[] {at.length}, g.dtype()) : g0.reshape(-1);
      Tensor[] out = new Tensor[in.length];
      out[0] = flat.scatter(0, positions, part).reshape(baseShape);
      for (int i = 1; i < out.length; i++) {
        out[i] = res.get(i);
      }
      return Grads.of(out);
    }));
    node.wrapsInPlaceOn(view, name);
    return node;
  }

  /**
   * For each element of {@code view} (row-major), the row-major index of the element of {@code base} at
   * the same storage location. Throws when a view element lies outside the base, or the base itself
   * overlaps (neither is made by the view operations here).
   */
  static int[] baseIndices(Tensor view, Tensor base) {
    int[] vp = positions(view);
    int[] at = new int[vp.length];
    if (base.isContiguous()) {
      for (int i = 0; i < vp.length; i++) {
        at[i] = vp[i] - base.offset;
      }
      return at;
    }
    int[] bp = positions(base);
    int lo = Integer.MAX_VALUE;
    int hi = Integer.MIN_VALUE;
    for (int p : bp) {
      lo = Math.min(lo, p);
      hi = Math.max(hi, p);
    }
    int[] inverse = new int[bp.length == 0 ? 0 : hi - lo + 1];
    Arrays.fill(inverse, -1);
    for (int j = 0; j < bp.length; j++) {
      if (inverse[bp[j] - lo] != -1) {
        throw new IllegalStateException("in-place operation on a view: its base (shape " + Shapes.str(base.shape)
            + ", strides " + Shapes.str(base.strides) + ") has elements sharing memory; clone() it first");
      }
      inverse[bp[j] - lo] = j;
    }
    for (int i = 0; i < vp.length; i++) {
      at[i] = inverse[vp[i] - lo];
    }
    return at;
  }

  /**
   * After a recorded in-place change of the view {@code t} ({@link #copySlices}): the base's history
   * becomes {@code node} (a {@code retainGrad()} on the base moving along), and the view's is regenerated
   * from it.
   */
  static void rebase(Tensor t, Node node) {
    Tensor base = t.view.base;
    Node previous = base.gradFn;
    if (previous != null && previous.retained() == base) {
      previous.retain(null);
      node.retain(base);
    }
    node.setOutput(base);
    base.gradFn = node;
    base.requiresGrad = true;
    t.view.attrVersion = t.version[0] - 1;
    refresh(t);
  }

  /**
   * Regenerates a view's {@code gradFn} after its storage changed in place (PyTorch's {@code
   * VariableHooks::grad_fn}): an {@code AsStridedBackward0} node on the base's current node. A view that
   * may not be rebased ({@link Creation#MULTI_OUTPUT}, {@link Creation#NO_GRAD_MODE}) throws here instead,
   * as in PyTorch. A {@code retainGrad()} on the view moves to the new node.
   */
  static void refresh(Tensor v) {
    Info info = v.view;
    if (info.attrVersion == v.version[0] || v.gradFn == null && !info.base.requiresGrad()) {
      return;
    }
    if (info.creation != Creation.DEFAULT) {
      throw new IllegalStateException(rebaseMessage(v, true));
    }
    Tensor base = info.base;
    int[] bShape = base.shape.clone();
    int[] bStrides = base.strides.clone();
    int bOffset = base.offset;
    int[] vShape = v.shape.clone();
    int[] vStrides = v.strides.clone();
    int vOffset = v.offset;
    Node fn = new Node("AsStridedBackward0", null, new Tensor[] {base}, new Tensor[0], RecordedVjp.of(
        g -> Grads.of(ViewRules.asStridedGrad(g, bShape, bStrides, bOffset, vShape, vStrides, vOffset)),
        g -> Grads.of(asStridedGradRecorded(g, bShape, bStrides, bOffset, vShape, vStrides, vOffset))));
    fn.setOutput(v);
    Node old = v.gradFn;
    if (old != null && old.retained() == v) {
      old.retain(null);
      fn.retain(v);
    }
    v.gradFn = fn;
    v.requiresGrad = true;
    info.attrVersion = v.version[0];
  }

  /**
   * {@link ViewRules#asStridedGrad} with recorded operations, for createGraph: {@code g} summed into the
   * storage slots the view reads, each element of the input then reading its slot (divided by the number of
   * input elements sharing it), all linear in {@code g} by gather and scatterAdd.
   */
  static Tensor asStridedGradRecorded(Tensor g, int[] inShape, int[] inStrides, int inOffset, int[] outShape,
      int[] outStrides, int outOffset) {
    int[] ip = positions(inOffset, inShape, inStrides);
    int[] op = positions(outOffset, outShape, outStrides);
    if (ip.length == 0) {
      return Tensor.zeros(inShape, g.dtype());
    }
    int lo = Integer.MAX_VALUE;
    int hi = Integer.MIN_VALUE;
    for (int p : ip) {
      lo = Math.min(lo, p);
      hi = Math.max(hi, p);
    }
    int[] count = new int[hi - lo + 1];
    for (int p : ip) {
      count[p - lo]++;
    }
    int kept = 0;
    for (int p : op) {
      kept += p >= lo && p <= hi ? 1 : 0;
    }
    int[] from = new int[kept];
    int[] slot = new int[kept];
    for (int k = 0, j = 0; k < op.length; k++) {
      if (op[k] >= lo && op[k] <= hi) {
        from[j] = k;
        slot[j++] = op[k] - lo;
      }
    }
    int[] read = new int[ip.length];
    double[] share = new double[ip.length];
    for (int j = 0; j < ip.length; j++) {
      read[j] = ip[j] - lo;
      share[j] = 1.0 / count[read[j]];
    }
    Tensor flat = g.reshape(-1).gather(0, Tensor.indices(from));
    Tensor store = Tensor.zeros(new int[] {count.length}, g.dtype()).scatterAdd(0, Tensor.indices(slot), flat);
    Tensor shares = Tensor.wrap(share, ip.length).to(g.dtype());
    return store.gather(0, Tensor.indices(read)).mul(shares).reshape(inShape);
  }

  // ---------------------------------------------------------------------------------------------
  // The view operations' forwards (adjoints in ViewRules)

  /** Records {@code out}, a view of {@code a}, as made by a one-input operation. */
  /**
   * Marks {@code t}'s node (if any) as one whose adjoint is recorded under createGraph: a split or unbind piece's
   * gradient is linear in {@code g}, and {@link DoubleBackward#linearIn} gives it the piece's view as its
   * backward (issue 14: SplitBackward0 and UnbindBackward0 differentiate twice).
   */
  private static Tensor doubleDifferentiable(Tensor t) {
    if (t.gradFn() != null) {
      t.gradFn().setDoubleDifferentiable(true);
    }
    return t;
  }

  private static Tensor record(String node, Tensor out, Tensor a, int extraInputs, Vjp vjp) {
    Tensor[] inputs = new Tensor[1 + extraInputs];
    inputs[0] = a;
    return Autograd.record(node, null, out, inputs, new Tensor[0], vjp);
  }

  /**
   * PyTorch's {@code computeStride}: strides for viewing a tensor of {@code oldShape}/{@code oldStrides} as
   * {@code newShape} without copying, or {@code null} when no such strides exist.
   */
  static int[] viewStrides(int[] oldShape, int[] oldStrides, int[] newShape) {
    if (oldShape.length == 0) {
      int[] ones = new int[newShape.length];
      Arrays.fill(ones, 1);
      return ones;
    }
    int numel = Shapes.numel(oldShape);
    int[] ns = new int[newShape.length];
    if (numel == 0) {
      if (Arrays.equals(oldShape, newShape)) {
        return oldStrides.clone();
      }
      for (int d = newShape.length - 1; d >= 0; d--) {
        ns[d] = d == newShape.length - 1 ? 1 : Math.max(newShape[d + 1], 1) * ns[d + 1];
      }
      return ns;
    }
    int viewD = newShape.length - 1;
    int chunkBase = oldStrides[oldStrides.length - 1];
    int tensorNumel = 1;
    int viewNumel = 1;
    for (int td = oldShape.length - 1; td >= 0; td--) {
      tensorNumel *= oldShape[td];
      if (td == 0 || oldShape[td - 1] != 1 && oldStrides[td - 1] != tensorNumel * chunkBase) {
        while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
          ns[viewD] = viewNumel * chunkBase;
          viewNumel *= newShape[viewD];
          viewD--;
        }
        if (viewNumel != tensorNumel) {
          return null;
        }
        if (td > 0) {
          chunkBase = oldStrides[td - 1];
          tensorNumel = 1;
          viewNumel = 1;
        }
      }
    }
    return viewD == -1 ? ns : null;
  }

  /** {@code a.view(shape)}: ViewBackward0; throws when the strides do not allow it, as PyTorch. */
  static Tensor view(Tensor a, int[] shape) {
    int[] s = ViewRules.inferShape("view", a.numel, a.shape, shape);
    int[] st = viewStrides(a.shape, a.strides, s);
    if (st == null) {
      throw new IllegalStateException("view: view size is not compatible with input tensor's size and stride (at "
          + "least one dimension spans across two contiguous subspaces). Use .reshape(...) instead. (input shape "
          + Shapes.str(a.shape) + ", strides " + Shapes.str(a.strides) + ", requested " + Shapes.str(shape) + ")");
    }
    return make(a, a.offset, s, st);
  }

  /**
   * {@code a.reshape(shape)} as a view (PyTorch's {@code ReshapeAliasBackward0}) when the strides allow one,
   * else {@code null}: the caller then copies ({@code UnsafeViewBackward0} over {@code CloneBackward0}, as
   * PyTorch 1.13).
   */
  static Tensor reshapeAlias(Tensor a, int[] shape) {
    int[] s = ViewRules.inferShape("reshape", a.numel, a.shape, shape);
    int[] st = viewStrides(a.shape, a.strides, s);
    return st == null ? null : make(a, a.offset, s, st);
  }

  /** A dense copy of {@code a}'s elements in row-major order (the forward of {@code clone()}). */
  static Tensor copy(Tensor a) {
    if (a.data64 != null) {
      return new Tensor(a.toDoubleArray(), a.shape.clone(), new int[1]);
    }
    return new Tensor(a.toFloatArray(), a.shape.clone(), a.dtype, new int[1]);
  }

  /** {@code a} (dense) seen in {@code shape}: the forward of the copy path's {@code UnsafeViewBackward0}. */
  static Tensor unsafeView(Tensor a, int[] shape) {
    int[] s = ViewRules.inferShape("reshape", a.numel, a.shape, shape);
    return new Tensor(a, 0, s, Shapes.strides(s));
  }

  /**
   * The shape of {@code a.flatten(start, end)}, or {@code null} when that is {@code a} itself (the
   * dimensions are one already; PyTorch returns the tensor unchanged).
   */
  static int[] flattenShape(Tensor a, int start, int end) {
    if (a.dim() == 0) {
      return new int[] {1};
    }
    int s = Shapes.dim("flatten", start, a.dim());
    int e = Shapes.dim("flatten", end, a.dim());
    if (s > e) {
      throw new IllegalArgumentException("flatten: flatten() has invalid args: start_dim (" + start + ") cannot "
          + "come after end_dim (" + end + ")");
    }
    if (s == e) {
      return null;
    }
    int[] ns = new int[a.dim() - (e - s)];
    for (int i = 0, j = 0; i < a.dim(); i++) {
      if (i <= s || i > e) {
        ns[j++] = a.shape[i];
      } else {
        ns[j - 1] *= a.shape[i];
      }
    }
    return ns;
  }

  /** {@code a.transpose(d0, d1)} as a view (no recording). */
  static Tensor transposed(Tensor a, int x, int y) {
    int[] s = a.shape.clone();
    int[] st = a.strides.clone();
    s[x] = a.shape[y];
    s[y] = a.shape[x];
    st[x] = a.strides[y];
    st[y] = a.strides[x];
    return make(a, a.offset, s, st);
  }

  /** {@code a.t()}: TBackward0; a tensor of fewer than 2 dimensions is viewed as it is. */
  static Tensor t(Tensor a) {
    if (a.dim() > 2) {
      throw new IllegalArgumentException("t: expects a tensor with <= 2 dimensions, but got shape "
          + Shapes.str(a.shape) + "; use transpose(d0, d1)");
    }
    Tensor out = a.dim() < 2 ? make(a, a.offset, a.shape.clone(), a.strides.clone()) : transposed(a, 0, 1);
    return out;
  }

  /** {@code a.transpose(d0, d1)}: TransposeBackward0. */
  static Tensor transpose(Tensor a, int d0, int d1) {
    int rank = Math.max(a.dim(), 1);
    int x = Shapes.dim("transpose", d0, rank);
    int y = Shapes.dim("transpose", d1, rank);
    Tensor out = a.dim() < 2 ? make(a, a.offset, a.shape.clone(), a.strides.clone()) : transposed(a, x, y);
    return out;
  }

  /** {@code a[start:end]} along {@code dim}: SliceBackward0. */
  static Tensor slice(Tensor a, int dim, int start, int end) {
    return slice(a, dim, start, end, 1);
  }

  /** {@code a[start:end:step]} along {@code dim}: SliceBackward0. */
  static Tensor sliceStep(Tensor a, int dim, int start, int end, int step) {
    return slice(a, dim, start, end, step);
  }

  /** {@code a.narrow(dim, start, length)}: SliceBackward0; the range must lie inside the dimension. */
  static Tensor narrow(Tensor a, int dim, int start, int length) {
    if (a.dim() == 0) {
      throw new IllegalArgumentException("narrow: narrow() cannot be applied to a 0-dim tensor.");
    }
    int d = Shapes.dim("narrow", dim, a.dim());
    int size = a.shape[d];
    if (start < -size || start > size) {
      throw new IndexOutOfBoundsException("narrow: start out of range (expected to be in range of [" + (-size)
          + ", " + size + "], but got " + start + ") for dimension " + d + " of shape " + Shapes.str(a.shape));
    }
    int s = start < 0 ? start + size : start;
    if (length < 0 || s + length > size) {
      throw new IndexOutOfBoundsException("narrow: start (" + s + ") + length (" + length + ") exceeds dimension "
          + "size (" + size + ") of dimension " + d + " of shape " + Shapes.str(a.shape));
    }
    return slice(a, d, s, s + length, 1);
  }

  /** {@code a.unflatten(dim, sizes)}: dimension {@code dim} split into {@code sizes} (one may be -1), a view. */
  static Tensor unflatten(Tensor a, int dim, int[] sizes) {
    int d = Shapes.dim("unflatten", dim, a.dim());
    int[] part = ViewRules.inferShape("unflatten", a.shape[d], new int[] {a.shape[d]}, sizes);
    int[] ns = new int[a.dim() - 1 + part.length];
    System.arraycopy(a.shape, 0, ns, 0, d);
    System.arraycopy(part, 0, ns, d, part.length);
    System.arraycopy(a.shape, d + 1, ns, d + part.length, a.dim() - d - 1);
    return view(a, ns);
  }

  /** {@code a.permute(dims)}: PermuteBackward0. */
  static Tensor permute(Tensor a, int[] dims) {
    int[] p = ViewRules.permutation(a.dim(), dims);
    int[] s = new int[p.length];
    int[] st = new int[p.length];
    for (int i = 0; i < p.length; i++) {
      s[i] = a.shape[p[i]];
      st[i] = a.strides[p[i]];
    }
    return make(a, a.offset, s, st);
  }

  /** {@code a.expand(sizes)}: ExpandBackward0; new leading dimensions and expanded ones get stride 0. */
  static Tensor expand(Tensor a, int[] sizes) {
    if (sizes.length < a.dim()) {
      throw new IllegalArgumentException("expand: the number of sizes provided (" + sizes.length + ") must be "
          + "greater or equal to the number of dimensions in the tensor (" + a.dim() + ")");
    }
    int lead = sizes.length - a.dim();
    int[] s = new int[sizes.length];
    int[] st = new int[sizes.length];
    for (int i = 0; i < sizes.length; i++) {
      if (i < lead) {
        if (sizes[i] < 0) {
          throw new IllegalArgumentException("expand: the expanded size of the tensor (" + sizes[i] + ") isn't "
              + "allowed in a leading, non-existing dimension " + i + " (sizes " + Shapes.str(sizes) + ")");
        }
        s[i] = sizes[i];
        st[i] = 0;
        continue;
      }
      int have = a.shape[i - lead];
      int want = sizes[i] == -1 ? have : sizes[i];
      if (have == want) {
        s[i] = have;
        st[i] = a.strides[i - lead];
      } else if (have == 1) {
        s[i] = want;
        st[i] = 0;
      } else {
        throw new IllegalArgumentException("expand: The expanded size of the tensor (" + want + ") must match the "
            + "existing size (" + have + ") at non-singleton dimension " + i + ".  Target sizes: "
            + Shapes.str(sizes) + ".  Tensor sizes: " + Shapes.str(a.shape));
      }
    }
    return make(a, a.offset, s, st);
  }

  /** {@code a.squeeze()}: every dimension of size 1 removed, SqueezeBackward0. */
  static Tensor squeeze(Tensor a) {
    int n = 0;
    for (int x : a.shape) {
      n += x == 1 ? 0 : 1;
    }
    int[] s = new int[n];
    int[] st = new int[n];
    for (int i = 0, j = 0; i < a.shape.length; i++) {
      if (a.shape[i] != 1) {
        s[j] = a.shape[i];
        st[j++] = a.strides[i];
      }
    }
    return make(a, a.offset, s, st);
  }

  /** {@code a.squeeze(dim)}: that dimension removed if its size is 1 (else the same shape), SqueezeBackward1. */
  static Tensor squeeze(Tensor a, int dim) {
    int d = a.dim() == 0 ? Shapes.dim("squeeze", dim, 1) : Shapes.dim("squeeze", dim, a.dim());
    Tensor out;
    if (a.dim() == 0 || a.shape[d] != 1) {
      out = make(a, a.offset, a.shape.clone(), a.strides.clone());
    } else {
      out = make(a, a.offset, remove(a.shape, d), remove(a.strides, d));
    }
    return out;
  }

  /** {@code a.unsqueeze(dim)}: a new dimension of size 1 at {@code dim}, UnsqueezeBackward0. */
  static Tensor unsqueeze(Tensor a, int dim) {
    int d = Shapes.dim("unsqueeze", dim, a.dim() + 1);
    int[] s = new int[a.dim() + 1];
    int[] st = new int[a.dim() + 1];
    for (int i = 0, j = 0; i < s.length; i++) {
      if (i == d) {
        s[i] = 1;
        st[i] = d >= a.dim() ? 1 : a.shape[d] * a.strides[d];
      } else {
        s[i] = a.shape[j];
        st[i] = a.strides[j++];
      }
    }
    return make(a, a.offset, s, st);
  }

  /** {@code a.select(dim, index)} ({@code a[index]} along dim): SelectBackward0. */
  static Tensor select(Tensor a, int dim, int index) {
    if (a.dim() == 0) {
      throw new IllegalArgumentException("select: select() cannot be applied to a 0-dim tensor.");
    }
    int d = Shapes.dim("select", dim, a.dim());
    int i = ViewRules.checkIndex("select", a.shape, d, index);
    return make(a, a.offset + i * a.strides[d], remove(a.shape, d), remove(a.strides, d));
  }

  /** Elements {@code start, start+step, ...} below {@code end} along {@code dim}, Python's bounds clamping. */
  static Tensor slice(Tensor a, int dim, int start, int end, int step) {
    if (a.dim() == 0) {
      throw new IllegalArgumentException("slice: cannot be applied to a 0-dim tensor (slice " + start + ":" + end
          + " along dimension " + dim + ")");
    }
    if (step <= 0) {
      throw new IllegalArgumentException("slice: slice step must be positive, got " + step);
    }
    int d = Shapes.dim("slice", dim, a.dim());
    int[] r = ViewRules.range(a.shape[d], start, end);
    int[] s = a.shape.clone();
    int[] st = a.strides.clone();
    s[d] = (r[1] - r[0] + step - 1) / step;
    st[d] = a.strides[d] * step;
    return make(a, a.offset + r[0] * a.strides[d], s, st);
  }

  /** {@code a.diagonal(offset, dim1, dim2)}: DiagonalBackward0. */
  static Tensor diagonal(Tensor a, int offset, int dim1, int dim2) {
    if (a.dim() < 2) {
      throw new IllegalArgumentException("diagonal: expects a tensor of at least 2 dimensions, got shape "
          + Shapes.str(a.shape));
    }
    int x = Shapes.dim("diagonal", dim1, a.dim());
    int y = Shapes.dim("diagonal", dim2, a.dim());
    if (x == y) {
      throw new IllegalArgumentException("diagonal: diagonal dimensions cannot be identical " + dim1 + ", " + dim2);
    }
    int len;
    int off = a.offset;
    if (offset >= 0) {
      len = Math.max(Math.min(a.shape[x], a.shape[y] - offset), 0);
      off += len > 0 ? offset * a.strides[y] : 0;
    } else {
      len = Math.max(Math.min(a.shape[x] + offset, a.shape[y]), 0);
      off -= len > 0 ? offset * a.strides[x] : 0;
    }
    int[] s = new int[a.dim() - 1];
    int[] st = new int[a.dim() - 1];
    for (int i = 0, j = 0; i < a.dim(); i++) {
      if (i != x && i != y) {
        s[j] = a.shape[i];
        st[j++] = a.strides[i];
      }
    }
    s[s.length - 1] = len;
    st[st.length - 1] = a.strides[x] + a.strides[y];
    return make(a, off, s, st);
  }

  /** {@code a.as_strided(size, stride, storageOffset)}: AsStridedBackward0; must stay within the storage. */
  static Tensor asStrided(Tensor a, int[] size, int[] stride, int storageOffset) {
    if (size.length != stride.length) {
      throw new IllegalArgumentException("asStrided: mismatch in length of strides and shape (size "
          + Shapes.str(size) + ", stride " + Shapes.str(stride) + ")");
    }
    long hi = storageOffset;
    for (int i = 0; i < size.length; i++) {
      if (size[i] < 0 || stride[i] < 0) {
        throw new IllegalArgumentException("asStrided: negative sizes and strides are not supported (size "
            + Shapes.str(size) + ", stride " + Shapes.str(stride) + ")");
      }
      if (size[i] == 0) {
        hi = -1;
        break;
      }
      hi += (long) (size[i] - 1) * stride[i];
    }
    if (storageOffset < 0 || hi >= a.storageSize()) {
      throw new IllegalArgumentException("asStrided: setStorage: sizes " + Shapes.str(size) + ", strides "
          + Shapes.str(stride) + ", storage offset " + storageOffset + " require a storage of at least " + (hi + 1)
          + " elements, but the storage holds " + a.storageSize() + " (as_strided never resizes it)");
    }
    return make(a, storageOffset, size.clone(), stride.clone());
  }

  /**
   * {@code a.split(sizes, dim)}: views along {@code dim} of the given sizes (the node {@code name}
   * {@code SplitBackward0} or {@code SplitWithSizesBackward0}); outputs of a multi-view function.
   */
  static List<Tensor> split(Tensor a, int[] sizes, int dim, String name) {
    int d = Shapes.dim("split", dim, a.dim());
    List<Tensor> out = new ArrayList<>(sizes.length);
    int start = 0;
    for (int i = 0; i < sizes.length; i++) {
      int[] s = a.shape.clone();
      s[d] = sizes[i];
      Tensor v = make(a, a.offset + start * a.strides[d], s, a.strides.clone(), Creation.MULTI_OUTPUT, i);
      int from = start;
      int size = sizes[i];
      out.add(doubleDifferentiable(record(name, v, a, 0, g -> Grads.of(DoubleBackward.linearIn(name + "Backward", g,
          ViewRules.narrowGrad(g, a, d, from), h -> h.narrow(d, from, size))))));
      start += sizes[i];
    }
    return out;
  }

  /** {@code a.unbind(dim)}: the selections along {@code dim}, UnbindBackward0; outputs of a multi-view function. */
  static List<Tensor> unbind(Tensor a, int dim) {
    if (a.dim() == 0) {
      throw new IllegalArgumentException("unbind: Dimension specified as 0 but tensor has no dimensions");
    }
    int d = Shapes.dim("unbind", dim, a.dim());
    List<Tensor> out = new ArrayList<>(a.shape[d]);
    for (int i = 0; i < a.shape[d]; i++) {
      Tensor v = make(a, a.offset + i * a.strides[d], remove(a.shape, d), remove(a.strides, d),
          Creation.MULTI_OUTPUT, i);
      int index = i;
      out.add(doubleDifferentiable(record("UnbindBackward0", v, a, 0, g -> Grads.of(DoubleBackward.linearIn(
          "UnbindBackward0Backward", g, ViewRules.selectGrad(g, a.shape(), d, index), h -> h.select(d, index))))));
    }
    return out;
  }

  static int[] remove(int[] a, int i) {
    int[] r = new int[a.length - 1];
    System.arraycopy(a, 0, r, 0, i);
    System.arraycopy(a, i + 1, r, i, a.length - i - 1);
    return r;
  }
}
