package dev.adjoint;

import java.util.Arrays;

/** The checks and the broadcasting loop shared by the in-place operations of {@link Tensor}. */
final class InPlace {
  enum Op {
    ADD("add_"), SUB("sub_"), MUL("mul_"), DIV("div_"), COPY("copy_");

    /** The method name, for messages (computed once: in-place updates sit in training loops). */
    final String label;

    Op(String label) {
      this.label = label;
    }
  }

  private InPlace() {}

  /**
   * PyTorch's rules: a leaf that requires grad may change in place only with grad mode off; a
   * recorded result may not change in place while recording (Adjoint does not record in-place ops).
   */
  static void check(String op, Tensor t) {
    if (!t.requiresGrad || !Autograd.isGradEnabled()) {
      return;
    }
    if (t.gradFn == null) {
      throw new IllegalStateException(op + ": a leaf Variable that requires grad (shape "
          + Shapes.str(t.shape) + ") is being used in an in-place operation. Do it inside "
          + "try (var g = Autograd.noGrad()) { ... }, as optimizers do.");
    }
    throw new IllegalStateException(op + ": in-place operations on a tensor made by a recorded operation ("
        + t.gradFn.name() + ", shape " + Shapes.str(t.shape) + ") are not supported while grad mode is on; "
        + "use the out-of-place form (e.g. sub instead of sub_)");
  }

  static void apply(Tensor t, Tensor other, Op op) {
    int[] bs = Shapes.broadcast(op.label, t.shape, other.shape);
    if (!Arrays.equals(bs, t.shape)) {
      throw new IllegalArgumentException(op.label + ": output with shape " + Shapes.str(t.shape)
          + " doesn't match the broadcast shape " + Shapes.str(bs) + " (other has shape "
          + Shapes.str(other.shape) + ")");
    }
    float[] a = t.data;
    float[] b = other.data;
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
    t.bumpVersion();
  }
}
