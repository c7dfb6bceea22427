package dev.adjoint.corpus;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;

/**
 * Differentiable methods with control flow (issue 4): {@code if}/{@code else}, counted and general
 * {@code for}, {@code while}, {@code do}/{@code while}, nesting, loop-carried {@code double}, {@code float}
 * and {@code Tensor} variables. Includes the cases that broke other tools: an assignment in a loop
 * condition, chained assignment, loops of zero and one iteration, independent iterations, Horner's rule,
 * an RNN-style loop over time steps, and for-each over {@code Tensor[]} parameters.
 */
final class ControlFlowCorpus {
  private ControlFlowCorpus() {}

  // ---- if / else

  @Differentiable
  static double absSquare(double x) {
    double y = 0;
    if (x > 0) {
      y = x * x;
    } else {
      y = -x;
    }
    return y;
  }

  @Differentiable
  static double softClip(double x, double limit) {
    double y = x * x;
    if (y > limit) {
      y = limit + Math.log(y - limit + 1);
    } else {
      y = y * 0.5;
    }
    return y * x;
  }

  @Differentiable
  static double elseIfChain(double x) {
    double y = x;
    if (x < -1) {
      y = -2 * x - 1;
    } else if (x < 1) {
      y = x * x * x;
    } else {
      y = Math.exp(x - 1);
    }
    return y * 3;
  }

  @Differentiable
  static double nestedIf(double x, double y, int n) {
    double z = x + y;
    if (n > 0) {
      if (x > y) {
        z = z * x;
      } else {
        z = z * y;
      }
      z = z + 1;
    }
    return z * z;
  }

  @Differentiable
  static double ifWithoutElse(double x, int n) {
    double y = Math.sin(x);
    if (n % 2 == 0) {
      y = y * y;
    }
    return y + x;
  }

  @Differentiable
  static double logicalCondition(double x, double y, int n) {
    double z = x * y;
    if (x > 0 && n > 1 || !(y < -1)) {
      z = z + x * x;
    }
    return z;
  }

  // ---- counted for

  @Differentiable
  static double power(double x, int n) {
    double y = 1;
    for (int i = 0; i < n; i++) {
      y = y * x;
    }
    return y;
  }

  @Differentiable
  static double recurrence(double x, double a, double h, int steps) {
    for (int i = 0; i < steps; i++) {
      x = x + h * Math.sin(a * x);
    }
    return x;
  }

  @Differentiable
  static double horner(double x, int degree) {
    double y = 0;
    for (int i = 0; i <= degree; i++) {
      y = y * x + (i + 1);
    }
    return y;
  }

  @Differentiable
  static double independentIterations(double x, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s = s + Math.sin(x * i);
    }
    return s;
  }

  @Differentiable
  static double loopWithIf(double x, int n) {
    double y = x;
    for (int i = 0; i < n; i++) {
      if (i % 2 == 0) {
        y = y * x;
      } else {
        y = y + x;
      }
    }
    return y;
  }

  @Differentiable
  static double nestedLoops(double x, int n, int m) {
    double y = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        y = y + x * i * j + Math.sin(y);
      }
    }
    return y;
  }

  @Differentiable
  static double computedBound(double x, int n) {
    int m = n * 2;
    double y = x;
    for (int i = 0; i < m; i++) {
      y = Math.tanh(y) + x;
    }
    return y;
  }

  @Differentiable
  static float floatLoop(float x, int n) {
    float y = x;
    for (int i = 0; i < n; i++) {
      y = y * 0.9f + x;
    }
    return y;
  }

  @Differentiable
  static double fibonacciLike(double a, double b, int n) {
    for (int i = 0; i < n; i++) {
      double t = a + b * 0.5;
      a = b;
      b = t;
    }
    return a * b;
  }

  @Differentiable
  static double chainedAssignment(double x, int n) {
    double a = 1;
    double b = 1;
    for (int i = 0; i < n; i++) {
      a = b = a * x + b;
    }
    return a + b;
  }

  // ---- general for, while, do/while

  @Differentiable
  static double downwardFor(double x, int n) {
    double y = 1;
    for (int i = n; i > 0; i--) {
      y = y * x + i;
    }
    return y;
  }

  @Differentiable
  static double doubleIndex(double x) {
    double y = 0;
    for (double t = 0; t < 1; t = t + 0.25) {
      y = y + Math.sin(x * t);
    }
    return y;
  }

  @Differentiable(wrt = {"x", "rate"})
  static double grow(double x, double rate, double limit) {
    double y = x;
    while (y < limit) {
      y = y * rate;
    }
    return y;
  }

  @Differentiable
  static double countdown(double x, int n) {
    double y = 1;
    while (n > 0) {
      y = y * x + 1;
      n--;
    }
    return y;
  }

  @Differentiable
  static double halve(double x) {
    double y = x;
    do {
      y = y * 0.5 + 0.1 * y * y;
    } while (y > 1);
    return y;
  }

  @Differentiable
  static double doWhileOnce(double x) {
    double y = x;
    do {
      y = Math.sin(y) * 2;
    } while (y > 100);
    return y;
  }

  @Differentiable
  static double assignmentInCondition(double x) {
    double y = x;
    int count = 0;
    while ((y = y * 0.5 + 0.01 * y * y) > 1) {
      count++;
    }
    return y * (count + 1);
  }

  @Differentiable
  static double whileWithIf(double x, int n) {
    double y = x;
    int i = 0;
    while (i < n) {
      if (y > 2) {
        y = Math.sqrt(y);
      } else {
        y = y * y + 0.5;
      }
      i++;
    }
    return y;
  }

  // ---- tensors

  @Differentiable
  static Tensor leaky(Tensor w, Tensor x) {
    Tensor z = w.mul(x).sum();
    if (z.item() < 0) {
      z = z.mul(0.1);
    }
    return z;
  }

  @Differentiable
  static Tensor tensorPower(Tensor x, int n) {
    Tensor y = x;
    for (int i = 1; i < n; i++) {
      y = y.mul(x);
    }
    return y.sum();
  }

  @Differentiable
  static Tensor tensorHorner(Tensor c, Tensor x, int degree) {
    Tensor y = x.mul(0.0);
    for (int i = 0; i < degree; i++) {
      y = y.mul(x).add(c.slice(0, i, i + 1).sum());
    }
    return y.sum();
  }

  @Differentiable
  static Tensor rnn(Tensor w, Tensor u, Tensor h0, Tensor xs, int steps) {
    Tensor h = h0;
    for (int step = 0; step < steps; step++) {
      Tensor xt = xs.slice(0, step, step + 1).t();
      h = w.matmul(h).add(u.matmul(xt)).tanh();
    }
    return h.mul(h).sum();
  }

  @Differentiable(wrt = "x")
  static Tensor tensorWhile(Tensor x, double limit) {
    Tensor y = x;
    while (y.sum().item() < limit) {
      y = y.mul(1.5).add(0.1);
    }
    return y.sum();
  }

  @Differentiable
  static Tensor tensorBranchInLoop(Tensor x, int n) {
    Tensor y = x;
    for (int i = 0; i < n; i++) {
      if (y.sum().item() > 0) {
        y = y.mul(0.5).sin();
      } else {
        y = y.add(1.0).exp();
      }
    }
    return y.sum();
  }

  @Differentiable
  static Tensor normalizedPowerIteration(Tensor a, Tensor v, int n) {
    Tensor x = v;
    for (int i = 0; i < n; i++) {
      x = a.matmul(x);
      x = x.div(x.mul(x).sum().sqrt());
    }
    return x.mul(a.matmul(x)).sum();
  }

  @Differentiable
  static Tensor tensorAccumulate(Tensor x, int n) {
    Tensor s = x.mul(0.0);
    for (int i = 0; i < n; i++) {
      s = s.add(x.mul(i + 1.0).tanh());
    }
    return s.mean();
  }

  @Differentiable
  static Tensor tensorDoWhile(Tensor x) {
    Tensor y = x;
    do {
      y = y.mul(y).add(0.5);
    } while (y.max().item() < 1);
    return y.sum();
  }

  // ---- break, continue, early return

  @Differentiable
  static double continueInLoop(double x, int n) {
    double y = 0;
    for (int i = 0; i < n; i++) {
      if (i % 3 == 1) {
        continue;
      }
      y = y + Math.cos(x * i);
    }
    return y;
  }

  @Differentiable
  static double breakOnActive(double x, int n) {
    double y = x;
    for (int i = 0; i < n; i++) {
      y = y * 1.5 + x;
      if (y > 10) {
        break;
      }
    }
    return y;
  }

  @Differentiable
  static double labelledNested(double x, int n) {
    double y = x;
    outer:
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        if (j == i) {
          continue outer;
        }
        y = y * x + j;
        if (y > 100) {
          break outer;
        }
      }
    }
    return y;
  }

  @Differentiable
  static double earlyReturnInIf(double x) {
    if (x < 0) {
      return -x * 3;
    }
    double y = x * x;
    return y + 1;
  }

  @Differentiable
  static double earlyReturnInLoop(double x, int n) {
    double y = x;
    for (int i = 0; i < n; i++) {
      y = Math.sin(y) + x;
      if (y > 1.5) {
        return y * 2;
      }
    }
    return y;
  }

  @Differentiable
  static Tensor tensorBreak(Tensor x, int n) {
    Tensor y = x;
    int i = 0;
    while (true) {
      y = y.mul(1.3).add(x);
      i++;
      if (i >= n || y.sum().item() > 20) {
        break;
      }
    }
    return y.sum();
  }

  // ---- calls to other @Differentiable methods inside control flow

  @Differentiable
  static Tensor cell(Tensor w, Tensor h, Tensor x) {
    return w.matmul(h).add(x).tanh();
  }

  @Differentiable
  static Tensor rnnWithCell(Tensor w, Tensor h0, Tensor xs, int steps) {
    Tensor h = h0;
    for (int step = 0; step < steps; step++) {
      h = cell(w, h, xs.slice(0, step, step + 1).t());
    }
    return h.sum();
  }

  @Differentiable
  static double scalarStep(double y, double a) {
    return y + 0.1 * Math.sin(a * y);
  }

  @Differentiable
  static double callInBranchAndLoop(double x, double a, int n) {
    double y = x;
    for (int i = 0; i < n; i++) {
      if (y > 0) {
        y = scalarStep(y, a);
      } else {
        y = y * a;
      }
    }
    return y;
  }

  // ---- enhanced for over a Tensor[] (lowered to a counted loop over an index)

  @Differentiable
  static Tensor sumOfSquares(Tensor[] xs) {
    Tensor s = xs[0].mul(0.0).sum();
    for (Tensor u : xs) {
      s = s.add(u.mul(u).sum());
    }
    return s;
  }

  @Differentiable
  static Tensor rnnOverSteps(Tensor[] inputs, Tensor w, Tensor u, Tensor h0) {
    Tensor h = h0;
    for (Tensor x : inputs) {
      h = w.matmul(h).add(u.matmul(x)).tanh();
    }
    return h.mul(h).sum();
  }

  @Differentiable
  static Tensor weightedSumWithBreak(Tensor[] xs, Tensor w, double limit) {
    Tensor s = w.mul(0.0).sum();
    for (Tensor x : xs) {
      s = s.add(x.mul(w).sum());
      if (s.item() > limit) {
        break;
      }
    }
    return s.mul(limit);
  }

  @Differentiable
  static Tensor firstTimesLast(Tensor[] xs) {
    return xs[0].mul(xs[xs.length - 1]).sum();
  }
}
