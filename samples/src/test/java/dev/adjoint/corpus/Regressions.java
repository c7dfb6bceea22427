package dev.adjoint.corpus;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;

/**
 * Shrunk programs from this session's outside user and differential fuzzer, each a silent wrong gradient
 * before its fix; {@code RegressionsTest} checks every generated form against the analytic derivative.
 */
final class Regressions {
  private Regressions() {}

  // ---- straight-line code ending in a division by an int: fGrad's seed was the int literal 1, so the
  // adjoint of 'x * x / 2' was '1 / 2', an int division giving 0 (fGrad, fHvp and fHessian were all 0)

  @Differentiable
  static double halfSquare(double x) {
    return x * x / 2;
  }

  @Differentiable
  static double meanOfSquare(double x, int count) {
    return x * x / count;
  }

  @Differentiable
  static double average(double a, double b) {
    int k = 2;
    return (a + b) / k;
  }

  @Differentiable
  static float halfSquareF(float x) {
    return x * x / 2;
  }

  /** The fuzzer's shrunk program (seed 7). */
  @Differentiable
  static double plusYOverThree(double y, int n) {
    return +y / 3;
  }

  // ---- a static final Tensor in an elementwise chain: the fused per-element loop read it as one number
  // ('x - Const.MEAN' on a double), so the generated code did not compile; such a method is not fused now

  static final Tensor MEAN = Tensor.of(0.485f, 0.456f, 0.406f);

  @Differentiable
  static Tensor centered(Tensor x) {
    return x.sub(MEAN).pow(2).sum();
  }

  // ---- the fuzzer (seed 4, session 8): the left operand of '/' was read after the right operand's ?: had made the
  // variable mutable and assigned it, so the generated value was 1.0 where Java's is value / 1.0

  @Differentiable
  static double assignedInALaterTernary(double value) {
    value += 1.0;
    return value / ((value = 1.0) < -0.5 ? 1.0 : 1.0);
  }

  // ---- the fuzzer (session 9, SHAPE_OPS): a varargs primitive called with its ints as written. The generated
  // pullback passed them to an adjoint taking int[] (javac error), and fJvp/fHvp's reflective JVP cast the one
  // Integer to int[] (ClassCastException); varargs primitives now have varargs rules, checked for every row

  @Differentiable
  static Tensor repeatedThenNarrowed(Tensor y) {
    y = y.repeat(1, 2).narrow(1, 1, 3);
    return y.mul(y).sum();
  }

  @Differentiable
  static Tensor repeatedOnce(Tensor x) {
    x = x.repeat(2).narrow(0, 2, 3).flip(0);
    return x.mul(x).sum();
  }

  // ---- the outside user (session 9): an in-place call on a local inside a loop, a branch or a switch arm was
  // read as a new binding local to that block, so a loop kept only its last iteration (silently) and a branch
  // left its new name undeclared after it (generated code that did not compile); it now assigns the local as
  // 'acc = acc.add(...)' does

  @Differentiable
  static Tensor accumulatedInALoop(Tensor x, int n) {
    Tensor acc = x.mul(0.0);
    for (int k = 0; k < n; k++) {
      acc.add_(x.mul(k + 1).sin());
    }
    return acc.sum();
  }

  @Differentiable
  static Tensor halvedInAWhile(Tensor x) {
    Tensor acc = x.mul(1.0);
    int k = 0;
    while (k < 3) {
      acc.mul_(0.5);
      k++;
    }
    return acc.sum();
  }

  @Differentiable
  static Tensor changedInBranches(Tensor x, int flag) {
    Tensor h = x.mul(2.0);
    if (flag > 0) {
      h.mul_(x);
    } else {
      h.add_(1.0);
    }
    Tensor g = x.mul(3.0);
    if (flag > 1) {
      g.mul_(x);
    }
    return h.sum().add(g.sum());
  }

  @Differentiable
  static Tensor changedInSwitchArms(Tensor x, int mode) {
    Tensor h = x.mul(1.0);
    switch (mode) {
      case 0 -> h.add_(x);
      case 1 -> h.mul_(x);
      default -> h.tanh_();
    }
    return h.sum();
  }

  // ---- the outside user (session 9): a Tensor[] of index tensors passed to index() — its gradient was read from
  // the row's Grads at a position the row does not fill (generated code that did not compile)

  @Differentiable
  static Tensor pickedTwice(Tensor x, Tensor[] idx) {
    return x.index(idx).exp().sum().add(x.index(idx).sum());
  }

  // ---- the fuzzer (seed 31, session 9): the direct fGrad folded '1.0f * n' into the int 'n', and the adjoint of
  // 'y / 4' became the int division 'n / 4' (0 for n = 1, where it is 0.25)

  @Differentiable
  static float timesCountOfAQuarter(int n, float y) {
    float z = y / 4;
    return n * z;
  }

  @Differentiable
  static double countTimesHalf(double x, int n) {
    double h = x / 2;
    return n * h;
  }

  // ---- the fuzzer (seeds 34 and 35, session 10): fHvp through the norm of a zero tensor threw, where PyTorch's
  // norm_backward masks the gradient at norm 0 and every second-order term through it is 0

  @Differentiable
  static Tensor timesNormOfZero(Tensor x) {
    return x.mul(x.sub(x).norm()).mean();
  }

  @Differentiable
  static Tensor timesThreeNormOfZero(Tensor x) {
    return x.mul(x.sub(x).norm(3)).sum();
  }

  /**
   * Fuzz seed 44 (1,500 programs): {@code x2} declared again after the loop as a list of views made the in-place
   * call on a fresh tensor computed from the loop's own {@code x2} a rejection (the alias check read every
   * declaration of a name, not the one in scope).
   */
  @Differentiable
  static Tensor sameNameInSiblingScopes(Tensor x) {
    Tensor v0 = x.mul(x);
    int k0 = 0;
    while (k0 < 1) {
      k0++;
      Tensor x2 = x.sum(0);
      Tensor pullback = x2.mul(x);
      pullback.add_(k0);
    }
    java.util.List<Tensor> x2 = v0.chunk(2, 0);
    return x.mean().add(x2.get(0).sum());
  }

  /** Fuzz seed 39 (1,500 programs): the second order of prod(dim, keepdim) over rows with zeros (relu) threw. */
  @Differentiable
  static Tensor timesTanhOfRowProducts(Tensor y) {
    return y.mul(y.relu().prod(1, true).tanh()).mean();
  }
}
