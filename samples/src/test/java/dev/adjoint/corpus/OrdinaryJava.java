package dev.adjoint.corpus;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.F;
import java.util.List;

/**
 * Ordinary Java that users write and that the first wave got wrong or rejected (issue 12): several
 * exits, ternaries, definite assignment, guards, string messages, int operands, in-place updates of
 * locals, accumulators, masks. Each method is checked by {@code OrdinaryJavaTest} against its own
 * value, central differences and (for tensors) eager autograd and the tracked forward.
 */
final class OrdinaryJava {
  private OrdinaryJava() {}

  // ---- several exits

  /** The example: at x = -3 the value is -6 and the gradient 2. */
  @Differentiable
  static double threeReturns(double x) {
    if (x > 10) {
      return 1;
    }
    if (x < 0) {
      return 2 * x;
    }
    return x * x;
  }

  @Differentiable
  static double returnsInLoops(double x, int n) {
    double y = x;
    for (int i = 0; i < n; i++) {
      if (y > 50) {
        return y - 1;
      }
      y = y * 2;
    }
    while (y > 1) {
      if (y < 3) {
        return y * y;
      }
      y = y / 4;
    }
    return -y;
  }

  @Differentiable
  static double breaksAndContinues(double x) {
    double s = 0;
    outer:
    for (int i = 0; i < 6; i++) {
      if (i == 1) {
        continue;
      }
      for (int j = 0; j < 3; j++) {
        if (j == 2) {
          break;
        }
        if (s > 40) {
          break outer;
        }
        if (i == 3) {
          continue outer;
        }
        s += x * (i + j);
      }
      if (s < -40) {
        break;
      }
    }
    return s;
  }

  // ---- expressions

  @Differentiable
  static double unaryPlusAndNegatedLiterals(double x) {
    return +x * x + -(-2.0) * x + - -x;
  }

  @Differentiable
  static float absOfFloat(float x) {
    return Math.abs(x) * x;
  }

  @Differentiable
  static double intOperands(double x, int n) {
    double y = 0;
    for (int i = 0; i < n; i++) {
      y += i * x + (double) i / n;
    }
    return y + n * x;
  }

  @Differentiable
  static double ternaries(double x, int n) {
    int k = n > 2 ? 1 : 2;
    double y = x > 0 ? x * x : -x;
    return k * y + (y > 1 ? (x < 3 ? Math.sin(x) : x) : 2 * x);
  }

  @Differentiable
  static double assignmentsAsValues(double x) {
    double y = 0;
    double z;
    if (x > 0 && (y = x * 2) > 1) {
      z = y * y;
    } else if (x < -1 || (y = x * 3) < -5) {
      z = y + x;
    } else {
      z = y;
    }
    double w = z;
    w = w;
    double u = z = w * 0.5;
    return u + z;
  }

  // ---- statements

  @Differentiable
  static double definiteAssignment(double x) {
    double y;
    if (x > 0) {
      y = x * 2;
    } else {
      y = x * 3;
    }
    return y * y;
  }

  @Differentiable
  static double guardsAndMessages(double x, int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, was " + n);
    }
    assert x == x : "NaN input " + x;
    String note = "x = " + x;
    if (note.isEmpty()) {
      throw new IllegalStateException(note);
    }
    return x * n;
  }

  @Differentiable
  static double square(double x) {
    return x * x;
  }

  @Differentiable
  static double sameCalleeInBothBranches(double x) {
    double y;
    if (x > 0) {
      y = square(x);
    } else {
      y = square(x + 1);
    }
    for (int i = 0; i < 3; i++) {
      y = y + square(2.0) * x;
    }
    return y;
  }

  // ---- tensors

  @Differentiable
  static Tensor inPlaceOnLocals(Tensor x, Tensor z) {
    Tensor y = x.mul(x);
    y.mul_(3);
    y.add_(z);
    y.sub_(1);
    y.exp_();
    return y.sum();
  }

  @Differentiable
  static Tensor zerosAccumulator(Tensor x) {
    Tensor acc = Tensor.zeros(3);
    for (int i = 0; i < 3; i++) {
      acc = acc.add(x.mul(x).mul(i));
    }
    return acc.sum();
  }

  @Differentiable
  @SuppressWarnings("adjoint:zero-gradient")
  static Tensor maskedSum(Tensor x, Tensor y) {
    Tensor m = x.gt(y);
    return x.mul(m).sum();
  }

  @Differentiable
  static Tensor tensorTernary(Tensor x, int n) {
    Tensor y = n > 1 ? x.exp() : x.mul(x);
    return y.sum();
  }

  /** The thermometer's model: add's adjoint reads no value, so {@code b} may change before backward. */
  @Differentiable
  static Tensor affine(Tensor w, Tensor tU, Tensor b) {
    return w.mul(tU).add(b);
  }

  @Differentiable
  static double booleansAndBits(double x, int n) {
    boolean positive = x > 0;
    boolean big = positive && x > 2;
    int m = (n & 1) | 2;
    if (big || !positive) {
      return x * m;
    }
    return x * x;
  }

  @Differentiable
  static double loopsPeopleWrite(double x, int n) {
    double y = x;
    int i = 0;
    while (true) {
      y = y * 0.9 + 0.1;
      i++;
      if (i > n) {
        break;
      }
    }
    do {
      if (y > 3) {
        return y * 2;
      }
      y = y + 1;
    } while (y < 2.5);
    for (int k = 0; k < (x > 0 ? 3 : 2); k++) {
      y = y * (k % 2 == 0 ? 2 : 0.5);
    }
    return -y;
  }

  @Differentiable
  static double passiveCalls(double x) {
    String text = String.format("%.3f", x);
    long started = System.nanoTime();
    if (text.isEmpty() || started == Long.MIN_VALUE) {
      return 0;
    }
    x *= 2;
    x += 1;
    x++;
    final double y = x * 2;
    var z = y + 1;
    return z * y;
  }

  // ---- shrunk programs the differential fuzzer found (processor/src/test/.../fuzz)

  /** Java evaluates left to right: the division reads the old {@code y}. */
  @Differentiable
  static float evaluationOrder(float x, float y) {
    int k = 0;
    while (k < 1) {
      k++;
      y = 1.0f + y * 0.5f;
    }
    return y / (y = x);
  }

  /** {@code x = x} is a no-op (it used to reset the adjoint it read). */
  @Differentiable
  static Tensor selfAssignment(int n, Tensor x) {
    if (n > 0) {
      return x.mul(x).sum();
    }
    x = x;
    return x.sum();
  }

  /** A user name the generated code also uses for itself ({@code branch0}). */
  @Differentiable
  static double namedLikeTheTape(double value) {
    double branch0 = value;
    if ((branch0 = branch0 * 2) >= 0.0) {
      return branch0;
    }
    return 1.0;
  }

  @Differentiable
  static Tensor first(Tensor a, Tensor b) {
    return a;
  }

  /** A composed call whose second input cannot affect its result: its gradient component is null. */
  @Differentiable
  @SuppressWarnings("adjoint:zero-gradient")
  static Tensor unusedCalleeInput(Tensor x, int n) {
    if (n > 0) {
      x = x.mul(2);
    }
    return first(x, x).mul(x).sum();
  }

  @Differentiable
  static Tensor twice(Tensor a) {
    return a.add(a);
  }

  /** An early return before a composed call: the tracked forward's saved() skips the call's pullback. */
  @Differentiable
  static Tensor returnBeforeCall(Tensor x, int n) {
    for (int i = 0; i < n; i++) {
      return x.sum();
    }
    return twice(x).mean();
  }

  /** An in-place update whose local is re-declared in each iteration, then copied. */
  @Differentiable
  static Tensor inPlaceThenAliasInLoop(Tensor a, Tensor b) {
    int k = 0;
    while (k < 2) {
      k++;
      Tensor v = b.add(b);
      v.add_(a);
      a = v;
    }
    return a.sum();
  }

  /** Shapes and passive arrays: {@code x.shape()[0]}, an {@code int[]} parameter, {@code numel()}. */
  @Differentiable
  static Tensor shapesAndIndices(Tensor x, int[] weights) {
    int rows = x.shape()[0];
    Tensor acc = Tensor.zeros(x.shape()[1]);
    for (int i = 0; i < rows; i++) {
      acc = acc.add(x.slice(0, i, i + 1).reshape(x.shape()[1]).mul(weights[i % weights.length]));
    }
    return acc.pow(2).sum().div(x.numel());
  }

  // ---- records (the outside view found a silent zero gradient: a value read back out of a record was taken
  // for a constant)

  /** Two tensors carried together. */
  record Pair(Tensor first, Tensor second) {}

  /** A tensor and a plain scale. */
  record Scaled(double scale, Tensor value) {}

  @Differentiable
  static Tensor recordOfTensors(Tensor x, Tensor y) {
    Pair p = new Pair(x.mul(2), y.exp());
    var q = new Pair(p.second(), x);
    return p.first().mul(q.first()).add(q.second().mul(p.second())).sum();
  }

  @Differentiable
  static double recordOfDoubles(double x, int n) {
    Scaled s = new Scaled(x * x, Tensor.zeros(1));
    double acc = s.scale();
    for (int i = 0; i < n; i++) {
      acc = acc * s.scale() + x;
    }
    return acc;
  }

  @Differentiable
  static Tensor recordKeepsTheValueItWasBuiltWith(Tensor x, int n) {
    Tensor acc = x;
    Pair start = new Pair(acc, x);
    for (int i = 0; i < n; i++) {
      acc = acc.mul(x);
    }
    return start.first().add(acc).sum();
  }

  /** A tensor scaled by a differentiable double: the double's gradient is read with itemDouble (float64 too). */
  @Differentiable
  static Tensor scaledByDouble(Tensor x, double s) {
    return x.mul(s).sin().sum();
  }

  // ---- the pieces of split, chunk and unbind (lists of views, read with get, size and for-each)

  @Differentiable
  static Tensor chunkHalves(Tensor x) {
    var parts = x.chunk(2, 0);
    return parts.get(0).mul(parts.get(1)).sum().add(x.chunk(3, 0).get(2).exp().sum());
  }

  @Differentiable
  static Tensor rowsOfUnbind(Tensor x) {
    Tensor s = x.sum();
    for (Tensor r : x.unbind(0)) {
      s = s.add(r.mul(r).sum());
    }
    return s;
  }

  @Differentiable
  static Tensor splitPieces(Tensor x, int size) {
    List<Tensor> parts = x.split(size, 0);
    Tensor s = parts.get(parts.size() - 1).sum();
    for (Tensor p : parts) {
      s = s.add(p.tanh().sum());
    }
    return s;
  }

  // ---- found from outside (issue 18): one-number pooling, the main diagonal, split with sizes, the user's names

  @Differentiable
  static Tensor onePoolingNumber(Tensor x) {
    return F.maxPool2d(x, 2).mul(F.avgPool2d(x, 2)).sum();
  }

  @Differentiable
  static Tensor mainDiagonal(Tensor m) {
    return m.diagonal().exp().sum().add(m.diagonal(1, 0, 1).mul(m.diagonal(-1, 0, 1)).sum());
  }

  @Differentiable
  static Tensor splitWithSizes(Tensor x, int[] sizes) {
    List<Tensor> parts = x.split(sizes, 0);
    Tensor s = parts.get(parts.size() - 1).mul(parts.get(0).sum()).sum();
    for (Tensor p : parts) {
      s = s.add(p.tanh().sum());
    }
    return s;
  }

  /** Named like a tensor, but an object: passive unless a value is read out of it. */
  record TensorPair(Tensor a, Tensor b) {}

  /** Named like a number, but an object. */
  static final class FloatBox {
    private final int k;

    FloatBox(int k) {
      this.k = k;
    }

    int k() {
      return k;
    }
  }

  @Differentiable
  static Tensor typesNamedLikeValues(Tensor x, TensorPair unused, FloatBox box) {
    FloatBox b = box;
    return x.mul(b.k()).exp().sum();
  }

  /** A parameter named n (the fused loop's count yields to it). */
  @Differentiable
  static Tensor parameterNamedN(Tensor x, int n) {
    return x.mul(n).sin().sum();
  }

  @Differentiable
  static double loopToN(double x, int n) {
    double y = 1;
    for (int i = 0; i < n; i++) {
      y = y * x + 1;
    }
    return y;
  }

  /** F.dropout in evaluation: the identity (training draws, see DropoutModuleTest). */
  @Differentiable
  static Tensor dropoutInEvaluation(Tensor x, boolean training) {
    return F.dropout(x.exp(), 0.4, training).mul(x).sum();
  }
}
