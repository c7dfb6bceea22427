package dev.adjoint.corpus;

import static dev.adjoint.corpus.GradCheck.H32;
import static dev.adjoint.corpus.GradCheck.H64;
import static dev.adjoint.corpus.GradCheck.TOL32;
import static dev.adjoint.corpus.GradCheck.TOL64;
import static dev.adjoint.corpus.GradCheck.d;
import static dev.adjoint.corpus.GradCheck.randn;
import static dev.adjoint.corpus.GradCheck.t;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.adjoint.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The control-flow corpus ({@link ControlFlowCorpus}), checked like {@link CorpusTest}: tensor methods
 * against eager mode (the user's own method on tensors that require grad) and through the tracked
 * forward, every method against central finite differences (inputs chosen away from branch switches and
 * trip-count changes), and for {@code double} methods the plain gradient ({@code fGrad}) must equal the
 * functional form's gradient exactly.
 */
class ControlFlowCorpusTest {

  // ---- if / else

  @Test
  void absSquare() {
    for (double x : new double[] {0.7, -0.4}) {
      GradCheck.check(List.of(x), in -> ControlFlowCorpus.absSquare(d(in, 0)), in -> {
        var r = ControlFlowCorpusDiff.absSquareValueAndGrad(d(in, 0));
        assertEquals(r.gradient(), ControlFlowCorpusDiff.absSquareGrad(d(in, 0)));
        return new Object[] {r.value(), r.gradient().x()};
      }, null, H64, TOL64);
    }
    assertEquals(1.4, ControlFlowCorpusDiff.absSquareGrad(0.7).x(), 1e-12);
    assertEquals(-1.0, ControlFlowCorpusDiff.absSquareGrad(-0.4).x(), 0.0);
  }

  @Test
  void softClip() {
    for (double x : new double[] {0.5, 1.8}) {
      GradCheck.check(List.of(x, 1.0), in -> ControlFlowCorpus.softClip(d(in, 0), d(in, 1)), in -> {
        var r = ControlFlowCorpusDiff.softClipValueAndGrad(d(in, 0), d(in, 1));
        assertEquals(r.gradient(), ControlFlowCorpusDiff.softClipGrad(d(in, 0), d(in, 1)));
        return new Object[] {r.value(), r.gradient().x(), r.gradient().limit()};
      }, null, H64, TOL64);
    }
  }

  @Test
  void elseIfChain() {
    for (double x : new double[] {-2.5, 0.3, 1.7}) {
      GradCheck.check(List.of(x), in -> ControlFlowCorpus.elseIfChain(d(in, 0)), in -> {
        var r = ControlFlowCorpusDiff.elseIfChainValueAndGrad(d(in, 0));
        assertEquals(r.gradient(), ControlFlowCorpusDiff.elseIfChainGrad(d(in, 0)));
        return new Object[] {r.value(), r.gradient().x()};
      }, null, H64, TOL64);
    }
  }

  @Test
  void nestedIf() {
    for (int n : new int[] {0, 1}) {
      for (double x : new double[] {0.9, -0.2}) {
        GradCheck.check(List.of(x, 0.4, n), in -> ControlFlowCorpus.nestedIf(d(in, 0), d(in, 1), n), in -> {
          var r = ControlFlowCorpusDiff.nestedIfValueAndGrad(d(in, 0), d(in, 1), n);
          assertEquals(r.gradient(), ControlFlowCorpusDiff.nestedIfGrad(d(in, 0), d(in, 1), n));
          return new Object[] {r.value(), r.gradient().x(), r.gradient().y(), null};
        }, null, H64, TOL64);
      }
    }
  }

  @Test
  void ifWithoutElse() {
    for (int n : new int[] {2, 3}) {
      GradCheck.check(List.of(0.6, n), in -> ControlFlowCorpus.ifWithoutElse(d(in, 0), n), in -> {
        var r = ControlFlowCorpusDiff.ifWithoutElseValueAndGrad(d(in, 0), n);
        assertEquals(r.gradient(), ControlFlowCorpusDiff.ifWithoutElseGrad(d(in, 0), n));
        return new Object[] {r.value(), r.gradient().x(), null};
      }, null, H64, TOL64);
    }
  }

  @Test
  void logicalCondition() {
    for (double y : new double[] {-2, 0.5}) {
      GradCheck.check(List.of(0.8, y, 0), in -> ControlFlowCorpus.logicalCondition(d(in, 0), d(in, 1), 0), in -> {
        var r = ControlFlowCorpusDiff.logicalConditionValueAndGrad(d(in, 0), d(in, 1), 0);
        assertEquals(r.gradient(), ControlFlowCorpusDiff.logicalConditionGrad(d(in, 0), d(in, 1), 0));
        return new Object[] {r.value(), r.gradient().x(), r.gradient().y(), null};
      }, null, H64, TOL64);
    }
  }

  // ---- counted for

  @Test
  void power() {
    for (int n : new int[] {0, 1, 5}) {
      GradCheck.check(List.of(1.3, n), in -> ControlFlowCorpus.power(d(in, 0), n), in -> {
        var r = ControlFlowCorpusDiff.powerValueAndGrad(d(in, 0), n);
        assertEquals(r.gradient(), ControlFlowCorpusDiff.powerGrad(d(in, 0), n));
        return new Object[] {r.value(), r.gradient().x(), null};
      }, null, H64, TOL64);
    }
    assertEquals(5 * Math.pow(1.3, 4), ControlFlowCorpusDiff.powerGrad(1.3, 5).x(), 1e-12);
    assertEquals(0.0, ControlFlowCorpusDiff.powerGrad(1.3, 0).x(), 0.0);
  }

  @Test
  void recurrence() {
    for (int steps : new int[] {0, 1, 200}) {
      GradCheck.check(List.of(0.3, 1.7, 0.01, steps),
          in -> ControlFlowCorpus.recurrence(d(in, 0), d(in, 1), d(in, 2), steps), in -> {
            var r = ControlFlowCorpusDiff.recurrenceValueAndGrad(d(in, 0), d(in, 1), d(in, 2), steps);
            assertEquals(r.gradient(), ControlFlowCorpusDiff.recurrenceGrad(d(in, 0), d(in, 1), d(in, 2), steps));
            return new Object[] {r.value(), r.gradient().x(), r.gradient().a(), r.gradient().h(), null};
          }, null, H64, 1e-5);
    }
  }

  @Test
  void horner() {
    GradCheck.check(List.of(0.7, 4), in -> ControlFlowCorpus.horner(d(in, 0), 4), in -> {
      var r = ControlFlowCorpusDiff.hornerValueAndGrad(d(in, 0), 4);
      assertEquals(r.gradient(), ControlFlowCorpusDiff.hornerGrad(d(in, 0), 4));
      return new Object[] {r.value(), r.gradient().x(), null};
    }, null, H64, TOL64);
    // p(x) = x^4 + 2x^3 + 3x^2 + 4x + 5, p'(x) = 4x^3 + 6x^2 + 6x + 4
    double x = 0.7;
    assertEquals(4 * x * x * x + 6 * x * x + 6 * x + 4, ControlFlowCorpusDiff.hornerGrad(x, 4).x(), 1e-12);
  }

  @Test
  void independentIterations() {
    GradCheck.check(List.of(0.35, 6), in -> ControlFlowCorpus.independentIterations(d(in, 0), 6), in -> {
      var r = ControlFlowCorpusDiff.independentIterationsValueAndGrad(d(in, 0), 6);
      assertEquals(r.gradient(), ControlFlowCorpusDiff.independentIterationsGrad(d(in, 0), 6));
      return new Object[] {r.value(), r.gradient().x(), null};
    }, null, H64, TOL64);
  }

  @Test
  void loopWithIf() {
    GradCheck.check(List.of(1.1, 5), in -> ControlFlowCorpus.loopWithIf(d(in, 0), 5), in -> {
      var r = ControlFlowCorpusDiff.loopWithIfValueAndGrad(d(in, 0), 5);
      assertEquals(r.gradient(), ControlFlowCorpusDiff.loopWithIfGrad(d(in, 0), 5));
      return new Object[] {r.value(), r.gradient().x(), null};
    }, null, H64, TOL64);
  }

  @Test
  void nestedLoops() {
    GradCheck.check(List.of(0.2, 3, 4), in -> ControlFlowCorpus.nestedLoops(d(in, 0), 3, 4), in -> {
      var r = ControlFlowCorpusDiff.nestedLoopsValueAndGrad(d(in, 0), 3, 4);
      assertEquals(r.gradient(), ControlFlowCorpusDiff.nestedLoopsGrad(d(in, 0), 3, 4));
      return new Object[] {r.value(), r.gradient().x(), null, null};
    }, null, H64, TOL64);
  }

  @Test
  void computedBound() {
    GradCheck.check(List.of(0.4, 3), in -> ControlFlowCorpus.computedBound(d(in, 0), 3), in -> {
      var r = ControlFlowCorpusDiff.computedBoundValueAndGrad(d(in, 0), 3);
      assertEquals(r.gradient(), ControlFlowCorpusDiff.computedBoundGrad(d(in, 0), 3));
      return new Object[] {r.value(), r.gradient().x(), null};
    }, null, H64, TOL64);
  }

  @Test
  void floatLoop() {
    GradCheck.check(List.of(0.5f, 4), in -> ControlFlowCorpus.floatLoop((float) d(in, 0), 4), in -> {
      var r = ControlFlowCorpusDiff.floatLoopValueAndGrad((float) d(in, 0), 4);
      assertEquals(r.gradient(), ControlFlowCorpusDiff.floatLoopGrad((float) d(in, 0), 4));
      return new Object[] {r.value(), r.gradient().x(), null};
    }, null, H32, TOL32);
    // y_n = 0.9^n x + x (1 + 0.9 + ... + 0.9^(n-1)): dy/dx = 0.9^4 + (1 - 0.9^4) / 0.1
    assertEquals(Math.pow(0.9, 4) + (1 - Math.pow(0.9, 4)) / 0.1, ControlFlowCorpusDiff.floatLoopGrad(0.5f, 4).x(),
        1e-5);
  }

  @Test
  void fibonacciLike() {
    GradCheck.check(List.of(0.3, 0.8, 5), in -> ControlFlowCorpus.fibonacciLike(d(in, 0), d(in, 1), 5), in -> {
      var r = ControlFlowCorpusDiff.fibonacciLikeValueAndGrad(d(in, 0), d(in, 1), 5);
      assertEquals(r.gradient(), ControlFlowCorpusDiff.fibonacciLikeGrad(d(in, 0), d(in, 1), 5));
      return new Object[] {r.value(), r.gradient().a(), r.gradient().b(), null};
    }, null, H64, TOL64);
  }

  @Test
  void chainedAssignment() {
    GradCheck.check(List.of(0.6, 3), in -> ControlFlowCorpus.chainedAssignment(d(in, 0), 3), in -> {
      var r = ControlFlowCorpusDiff.chainedAssignmentValueAndGrad(d(in, 0), 3);
      assertEquals(r.gradient(), ControlFlowCorpusDiff.chainedAssignmentGrad(d(in, 0), 3));
      return new Object[] {r.value(), r.gradient().x(), null};
    }, null, H64, TOL64);
  }

  // ---- general for, while, do/while

  @Test
  void downwardFor() {
    GradCheck.check(List.of(0.9, 4), in -> ControlFlowCorpus.downwardFor(d(in, 0), 4), in -> {
      var r = ControlFlowCorpusDiff.downwardForValueAndGrad(d(in, 0), 4);
      assertEquals(r.gradient(), ControlFlowCorpusDiff.downwardForGrad(d(in, 0), 4));
      return new Object[] {r.value(), r.gradient().x(), null};
    }, null, H64, TOL64);
  }

  @Test
  void doubleIndex() {
    GradCheck.check(List.of(1.3), in -> ControlFlowCorpus.doubleIndex(d(in, 0)), in -> {
      var r = ControlFlowCorpusDiff.doubleIndexValueAndGrad(d(in, 0));
      assertEquals(r.gradient(), ControlFlowCorpusDiff.doubleIndexGrad(d(in, 0)));
      return new Object[] {r.value(), r.gradient().x()};
    }, null, H64, TOL64);
  }

  @Test
  void grow() {
    // 1.1 * 1.3^k crosses 5 after 6 steps; 20 does not loop at all
    for (double x : new double[] {1.1, 20}) {
      GradCheck.check(List.of(x, 1.3, 5.0), in -> ControlFlowCorpus.grow(d(in, 0), d(in, 1), d(in, 2)), in -> {
        var r = ControlFlowCorpusDiff.growValueAndGrad(d(in, 0), d(in, 1), d(in, 2));
        assertEquals(r.gradient(), ControlFlowCorpusDiff.growGrad(d(in, 0), d(in, 1), d(in, 2)));
        return new Object[] {r.value(), r.gradient().x(), r.gradient().rate(), null};
      }, null, H64, TOL64);
    }
  }

  @Test
  void countdown() {
    for (int n : new int[] {0, 1, 4}) {
      GradCheck.check(List.of(0.7, n), in -> ControlFlowCorpus.countdown(d(in, 0), n), in -> {
        var r = ControlFlowCorpusDiff.countdownValueAndGrad(d(in, 0), n);
        assertEquals(r.gradient(), ControlFlowCorpusDiff.countdownGrad(d(in, 0), n));
        return new Object[] {r.value(), r.gradient().x(), null};
      }, null, H64, TOL64);
    }
  }

  @Test
  void halve() {
    GradCheck.check(List.of(3.3), in -> ControlFlowCorpus.halve(d(in, 0)), in -> {
      var r = ControlFlowCorpusDiff.halveValueAndGrad(d(in, 0));
      assertEquals(r.gradient(), ControlFlowCorpusDiff.halveGrad(d(in, 0)));
      return new Object[] {r.value(), r.gradient().x()};
    }, null, H64, TOL64);
  }

  @Test
  void doWhileOnce() {
    GradCheck.check(List.of(0.4), in -> ControlFlowCorpus.doWhileOnce(d(in, 0)), in -> {
      var r = ControlFlowCorpusDiff.doWhileOnceValueAndGrad(d(in, 0));
      assertEquals(r.gradient(), ControlFlowCorpusDiff.doWhileOnceGrad(d(in, 0)));
      return new Object[] {r.value(), r.gradient().x()};
    }, null, H64, TOL64);
    assertEquals(2 * Math.cos(0.4), ControlFlowCorpusDiff.doWhileOnceGrad(0.4).x(), 1e-12);
  }

  @Test
  void assignmentInCondition() {
    GradCheck.check(List.of(7.3), in -> ControlFlowCorpus.assignmentInCondition(d(in, 0)), in -> {
      var r = ControlFlowCorpusDiff.assignmentInConditionValueAndGrad(d(in, 0));
      assertEquals(r.gradient(), ControlFlowCorpusDiff.assignmentInConditionGrad(d(in, 0)));
      return new Object[] {r.value(), r.gradient().x()};
    }, null, H64, TOL64);
  }

  @Test
  void whileWithIf() {
    GradCheck.check(List.of(1.2, 5), in -> ControlFlowCorpus.whileWithIf(d(in, 0), 5), in -> {
      var r = ControlFlowCorpusDiff.whileWithIfValueAndGrad(d(in, 0), 5);
      assertEquals(r.gradient(), ControlFlowCorpusDiff.whileWithIfGrad(d(in, 0), 5));
      return new Object[] {r.value(), r.gradient().x(), null};
    }, null, H64, TOL64);
  }

  // ---- tensors

  @Test
  void leaky() {
    for (long seed : new long[] {1, 2, 3, 4}) {
      GradCheck.check(List.of(randn(seed, 5), randn(seed + 10, 5)),
          in -> ControlFlowCorpus.leaky(t(in, 0), t(in, 1)), in -> {
            var r = ControlFlowCorpusDiff.leakyValueAndGrad(t(in, 0), t(in, 1));
            return new Object[] {r.value(), r.gradient().w(), r.gradient().x()};
          }, in -> ControlFlowCorpusDiff.leaky(t(in, 0), t(in, 1)), H32, TOL32);
    }
  }

  @Test
  void tensorPower() {
    for (int n : new int[] {1, 2, 4}) {
      GradCheck.check(List.of(randn(5, 3), n), in -> ControlFlowCorpus.tensorPower(t(in, 0), n), in -> {
        var r = ControlFlowCorpusDiff.tensorPowerValueAndGrad(t(in, 0), n);
        return new Object[] {r.value(), r.gradient().x(), null};
      }, in -> ControlFlowCorpusDiff.tensorPower(t(in, 0), n), H32, TOL32);
    }
  }

  @Test
  void tensorHorner() {
    GradCheck.check(List.of(randn(6, 4), Tensor.scalar(0.6), 4),
        in -> ControlFlowCorpus.tensorHorner(t(in, 0), t(in, 1), 4), in -> {
          var r = ControlFlowCorpusDiff.tensorHornerValueAndGrad(t(in, 0), t(in, 1), 4);
          return new Object[] {r.value(), r.gradient().c(), r.gradient().x(), null};
        }, in -> ControlFlowCorpusDiff.tensorHorner(t(in, 0), t(in, 1), 4), H32, TOL32);
  }

  @Test
  void rnn() {
    int d = 3;
    int steps = 5;
    GradCheck.check(List.of(randn(7, d, d).mul(0.5), randn(8, d, d).mul(0.5), randn(9, d, 1), randn(10, steps, d), steps),
        in -> ControlFlowCorpus.rnn(t(in, 0), t(in, 1), t(in, 2), t(in, 3), steps), in -> {
          var r = ControlFlowCorpusDiff.rnnValueAndGrad(t(in, 0), t(in, 1), t(in, 2), t(in, 3), steps);
          return new Object[] {r.value(), r.gradient().w(), r.gradient().u(), r.gradient().h0(), r.gradient().xs(),
              null};
        }, in -> ControlFlowCorpusDiff.rnn(t(in, 0), t(in, 1), t(in, 2), t(in, 3), steps), H32, TOL32);
  }

  @Test
  void tensorWhile() {
    GradCheck.check(List.of(Tensor.of(0.3f, 0.2f, 0.1f), 4.0), in -> ControlFlowCorpus.tensorWhile(t(in, 0), 4.0),
        in -> {
          var r = ControlFlowCorpusDiff.tensorWhileValueAndGrad(t(in, 0), 4.0);
          return new Object[] {r.value(), r.gradient().x(), null};
        }, in -> ControlFlowCorpusDiff.tensorWhile(t(in, 0), 4.0), 1e-3, TOL32);
  }

  @Test
  void tensorBranchInLoop() {
    GradCheck.check(List.of(randn(11, 4), 6), in -> ControlFlowCorpus.tensorBranchInLoop(t(in, 0), 6), in -> {
      var r = ControlFlowCorpusDiff.tensorBranchInLoopValueAndGrad(t(in, 0), 6);
      return new Object[] {r.value(), r.gradient().x(), null};
    }, in -> ControlFlowCorpusDiff.tensorBranchInLoop(t(in, 0), 6), 1e-3, TOL32);
  }

  @Test
  void normalizedPowerIteration() {
    Tensor a = randn(12, 3, 3);
    GradCheck.check(List.of(a.add(a.t()), randn(13, 3, 1), 3),
        in -> ControlFlowCorpus.normalizedPowerIteration(t(in, 0), t(in, 1), 3), in -> {
          var r = ControlFlowCorpusDiff.normalizedPowerIterationValueAndGrad(t(in, 0), t(in, 1), 3);
          return new Object[] {r.value(), r.gradient().a(), r.gradient().v(), null};
        }, in -> ControlFlowCorpusDiff.normalizedPowerIteration(t(in, 0), t(in, 1), 3), H32, 5e-2);
  }

  @Test
  void tensorAccumulate() {
    GradCheck.check(List.of(randn(14, 2, 3), 3), in -> ControlFlowCorpus.tensorAccumulate(t(in, 0), 3), in -> {
      var r = ControlFlowCorpusDiff.tensorAccumulateValueAndGrad(t(in, 0), 3);
      return new Object[] {r.value(), r.gradient().x(), null};
    }, in -> ControlFlowCorpusDiff.tensorAccumulate(t(in, 0), 3), H32, TOL32);
  }

  @Test
  void tensorDoWhile() {
    GradCheck.check(List.of(Tensor.of(0.5f, 0.7f)), in -> ControlFlowCorpus.tensorDoWhile(t(in, 0)), in -> {
      var r = ControlFlowCorpusDiff.tensorDoWhileValueAndGrad(t(in, 0));
      return new Object[] {r.value(), r.gradient().x()};
    }, in -> ControlFlowCorpusDiff.tensorDoWhile(t(in, 0)), 1e-3, TOL32);
  }

  @Test
  void backwardTwiceReplaysTheTape() {
    var p = ControlFlowCorpusDiff.recurrencePullback(0.3, 1.7, 0.01, 50);
    assertEquals(p.backward(1), p.backward(1));
  }

  // ---- break, continue, early return

  @Test
  void continueInLoop() {
    GradCheck.check(List.of(0.45, 7), in -> ControlFlowCorpus.continueInLoop(d(in, 0), 7), in -> {
      var r = ControlFlowCorpusDiff.continueInLoopValueAndGrad(d(in, 0), 7);
      assertEquals(r.gradient(), ControlFlowCorpusDiff.continueInLoopGrad(d(in, 0), 7));
      return new Object[] {r.value(), r.gradient().x(), null};
    }, null, H64, TOL64);
    double x = 0.45;
    double expected = 0;
    for (int i : new int[] {0, 2, 3, 5, 6}) {
      expected -= i * Math.sin(x * i);
    }
    assertEquals(expected, ControlFlowCorpusDiff.continueInLoopGrad(x, 7).x(), 1e-12);
  }

  @Test
  void breakOnActive() {
    for (int n : new int[] {0, 1, 3, 20}) {
      GradCheck.check(List.of(1.1, n), in -> ControlFlowCorpus.breakOnActive(d(in, 0), n), in -> {
        var r = ControlFlowCorpusDiff.breakOnActiveValueAndGrad(d(in, 0), n);
        assertEquals(r.gradient(), ControlFlowCorpusDiff.breakOnActiveGrad(d(in, 0), n));
        return new Object[] {r.value(), r.gradient().x(), null};
      }, null, H64, TOL64);
    }
  }

  @Test
  void labelledNested() {
    for (double x : new double[] {1.05, 2.5}) {
      GradCheck.check(List.of(x, 5), in -> ControlFlowCorpus.labelledNested(d(in, 0), 5), in -> {
        var r = ControlFlowCorpusDiff.labelledNestedValueAndGrad(d(in, 0), 5);
        assertEquals(r.gradient(), ControlFlowCorpusDiff.labelledNestedGrad(d(in, 0), 5));
        return new Object[] {r.value(), r.gradient().x(), null};
      }, null, H64, TOL64);
    }
  }

  @Test
  void earlyReturnInIf() {
    for (double x : new double[] {-0.8, 0.6}) {
      GradCheck.check(List.of(x), in -> ControlFlowCorpus.earlyReturnInIf(d(in, 0)), in -> {
        var r = ControlFlowCorpusDiff.earlyReturnInIfValueAndGrad(d(in, 0));
        assertEquals(r.gradient(), ControlFlowCorpusDiff.earlyReturnInIfGrad(d(in, 0)));
        return new Object[] {r.value(), r.gradient().x()};
      }, null, H64, TOL64);
    }
    assertEquals(-3.0, ControlFlowCorpusDiff.earlyReturnInIfGrad(-0.8).x(), 0.0);
    assertEquals(1.2, ControlFlowCorpusDiff.earlyReturnInIfGrad(0.6).x(), 1e-12);
  }

  @Test
  void earlyReturnInLoop() {
    for (double x : new double[] {0.2, 0.9}) {
      GradCheck.check(List.of(x, 6), in -> ControlFlowCorpus.earlyReturnInLoop(d(in, 0), 6), in -> {
        var r = ControlFlowCorpusDiff.earlyReturnInLoopValueAndGrad(d(in, 0), 6);
        assertEquals(r.gradient(), ControlFlowCorpusDiff.earlyReturnInLoopGrad(d(in, 0), 6));
        return new Object[] {r.value(), r.gradient().x(), null};
      }, null, H64, TOL64);
    }
  }

  @Test
  void tensorBreak() {
    for (int n : new int[] {1, 3, 50}) {
      GradCheck.check(List.of(Tensor.of(0.4f, 0.9f), n), in -> ControlFlowCorpus.tensorBreak(t(in, 0), n), in -> {
        var r = ControlFlowCorpusDiff.tensorBreakValueAndGrad(t(in, 0), n);
        return new Object[] {r.value(), r.gradient().x(), null};
      }, in -> ControlFlowCorpusDiff.tensorBreak(t(in, 0), n), 1e-3, TOL32);
    }
  }

  // ---- calls to other @Differentiable methods inside control flow

  @Test
  void rnnWithCell() {
    int d = 3;
    int steps = 4;
    GradCheck.check(List.of(randn(21, d, d).mul(0.5), randn(22, d, 1), randn(23, steps, d), steps),
        in -> ControlFlowCorpus.rnnWithCell(t(in, 0), t(in, 1), t(in, 2), steps), in -> {
          var r = ControlFlowCorpusDiff.rnnWithCellValueAndGrad(t(in, 0), t(in, 1), t(in, 2), steps);
          return new Object[] {r.value(), r.gradient().w(), r.gradient().h0(), r.gradient().xs(), null};
        }, in -> ControlFlowCorpusDiff.rnnWithCell(t(in, 0), t(in, 1), t(in, 2), steps), H32, TOL32);
  }

  @Test
  void callInBranchAndLoop() {
    for (double x : new double[] {0.7, -0.3}) {
      GradCheck.check(List.of(x, 1.9, 5), in -> ControlFlowCorpus.callInBranchAndLoop(d(in, 0), d(in, 1), 5), in -> {
        var r = ControlFlowCorpusDiff.callInBranchAndLoopValueAndGrad(d(in, 0), d(in, 1), 5);
        assertEquals(r.gradient(), ControlFlowCorpusDiff.callInBranchAndLoopGrad(d(in, 0), d(in, 1), 5));
        return new Object[] {r.value(), r.gradient().x(), r.gradient().a(), null};
      }, null, H64, TOL64);
    }
  }

  // ---- enhanced for over a Tensor[]: the elements are passed to GradCheck as separate inputs

  private static Tensor[] array(List<Object> in, int from, int count) {
    Tensor[] xs = new Tensor[count];
    for (int i = 0; i < count; i++) {
      xs[i] = t(in, from + i);
    }
    return xs;
  }

  @Test
  void sumOfSquares() {
    GradCheck.check(List.of(randn(40, 3), randn(41, 3), randn(42, 2, 2)),
        in -> ControlFlowCorpus.sumOfSquares(array(in, 0, 3)), in -> {
          var r = ControlFlowCorpusDiff.sumOfSquaresValueAndGrad(array(in, 0, 3));
          Tensor[] g = r.gradient().xs();
          assertEquals(3, g.length);
          return new Object[] {r.value(), g[0], g[1], g[2]};
        }, in -> ControlFlowCorpusDiff.sumOfSquares(array(in, 0, 3)), H32, TOL32);
  }

  @Test
  void rnnOverSteps() {
    int d = 3;
    int steps = 4;
    List<Object> in0 = new ArrayList<>();
    for (int s = 0; s < steps; s++) {
      in0.add(randn(50 + s, d, 1));
    }
    in0.add(randn(60, d, d).mul(0.5));
    in0.add(randn(61, d, d).mul(0.5));
    in0.add(randn(62, d, 1));
    GradCheck.check(in0,
        in -> ControlFlowCorpus.rnnOverSteps(array(in, 0, steps), t(in, steps), t(in, steps + 1), t(in, steps + 2)),
        in -> {
          var r = ControlFlowCorpusDiff.rnnOverStepsValueAndGrad(array(in, 0, steps), t(in, steps), t(in, steps + 1),
              t(in, steps + 2));
          Tensor[] g = r.gradient().inputs();
          return new Object[] {r.value(), g[0], g[1], g[2], g[3], r.gradient().w(), r.gradient().u(),
              r.gradient().h0()};
        },
        in -> ControlFlowCorpusDiff.rnnOverSteps(array(in, 0, steps), t(in, steps), t(in, steps + 1), t(in, steps + 2)),
        H32, TOL32);
  }

  @Test
  void weightedSumWithBreak() {
    // x_i = i + 1 (all ones times i+1), w = ones: partial sums 2, 6, 12, 20; the limit 9 stops after the third
    List<Object> in0 = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      in0.add(Tensor.full(i + 1f, 2));
    }
    in0.add(Tensor.ones(2));
    in0.add(9.0);
    GradCheck.check(in0, in -> ControlFlowCorpus.weightedSumWithBreak(array(in, 0, 4), t(in, 4), d(in, 5)), in -> {
      var r = ControlFlowCorpusDiff.weightedSumWithBreakValueAndGrad(array(in, 0, 4), t(in, 4), d(in, 5));
      Tensor[] g = r.gradient().xs();
      assertNull(g[3], "the element after the break gets no gradient");
      return new Object[] {r.value(), g[0], g[1], g[2], g[3], r.gradient().w(), r.gradient().limit()};
    }, in -> ControlFlowCorpusDiff.weightedSumWithBreak(array(in, 0, 4), t(in, 4), d(in, 5)), 1e-3, TOL32);
  }

  @Test
  void firstTimesLast() {
    GradCheck.check(List.of(randn(70, 3), randn(71, 3), randn(72, 3)),
        in -> ControlFlowCorpus.firstTimesLast(array(in, 0, 3)), in -> {
          var r = ControlFlowCorpusDiff.firstTimesLastValueAndGrad(array(in, 0, 3));
          Tensor[] g = r.gradient().xs();
          assertNull(g[1], "an element the result does not read gets null");
          return new Object[] {r.value(), g[0], g[1], g[2]};
        }, in -> ControlFlowCorpusDiff.firstTimesLast(array(in, 0, 3)), H32, TOL32);
    // the tracked node reaches the leaves it reads; the middle one gets no gradient
    Tensor[] leaves = {randn(70, 3).requiresGrad(true), randn(71, 3).requiresGrad(true),
        randn(72, 3).requiresGrad(true)};
    ControlFlowCorpusDiff.firstTimesLast(leaves).backward();
    assertNull(leaves[1].grad());
    assertEquals(leaves[2].get(1), leaves[0].grad().get(1), 1e-6);
  }
}
