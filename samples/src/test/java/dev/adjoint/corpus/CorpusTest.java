package dev.adjoint.corpus;

import static dev.adjoint.corpus.GradCheck.H32;
import static dev.adjoint.corpus.GradCheck.H64;
import static dev.adjoint.corpus.GradCheck.TOL32;
import static dev.adjoint.corpus.GradCheck.TOL64;
import static dev.adjoint.corpus.GradCheck.d;
import static dev.adjoint.corpus.GradCheck.randn;
import static dev.adjoint.corpus.GradCheck.t;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The functional corpus: every {@code @Differentiable} method in this package, compiled by the
 * processor in the normal build, checked against eager mode and central finite differences by
 * {@link GradCheck}. For {@code double} methods the plain gradient method ({@code fGrad}) must equal
 * the functional form's gradient exactly.
 */
class CorpusTest {

  private static Tensor positive(long seed, int... shape) {
    return Tensor.rand(new Generator(seed), shape).add(0.5);
  }

  // ---- double

  @Test
  void rosenbrock() {
    GradCheck.check(List.of(0.3, -0.7), in -> ScalarCorpus.rosenbrock(d(in, 0), d(in, 1)), in -> {
      var r = ScalarCorpusDiff.rosenbrockValueAndGrad(d(in, 0), d(in, 1));
      assertEquals(r.gradient(), ScalarCorpusDiff.rosenbrockGrad(d(in, 0), d(in, 1)));
      return new Object[] {r.value(), r.gradient().x(), r.gradient().y()};
    }, null, H64, TOL64);
    var atMinimum = ScalarCorpusDiff.rosenbrockGrad(1, 1);
    assertEquals(0.0, atMinimum.x(), 0.0);
    assertEquals(0.0, atMinimum.y(), 0.0);
  }

  @Test
  void polynomial() {
    GradCheck.check(List.of(1.7), in -> ScalarCorpus.polynomial(d(in, 0)), in -> {
      var r = ScalarCorpusDiff.polynomialValueAndGrad(d(in, 0));
      assertEquals(r.gradient(), ScalarCorpusDiff.polynomialGrad(d(in, 0)));
      return new Object[] {r.value(), r.gradient().x()};
    }, null, H64, TOL64);
  }

  @Test
  void trig() {
    GradCheck.check(List.of(0.4, 1.1), in -> ScalarCorpus.trig(d(in, 0), d(in, 1)), in -> {
      var r = ScalarCorpusDiff.trigValueAndGrad(d(in, 0), d(in, 1));
      assertEquals(r.gradient(), ScalarCorpusDiff.trigGrad(d(in, 0), d(in, 1)));
      return new Object[] {r.value(), r.gradient().x(), r.gradient().y()};
    }, null, H64, TOL64);
  }

  @Test
  void expLog() {
    GradCheck.check(List.of(0.8), in -> ScalarCorpus.expLog(d(in, 0)), in -> {
      var r = ScalarCorpusDiff.expLogValueAndGrad(d(in, 0));
      assertEquals(r.gradient(), ScalarCorpusDiff.expLogGrad(d(in, 0)));
      return new Object[] {r.value(), r.gradient().x()};
    }, null, H64, TOL64);
  }

  @Test
  void norms() {
    GradCheck.check(List.of(1.3, -0.6), in -> ScalarCorpus.norms(d(in, 0), d(in, 1)), in -> {
      var r = ScalarCorpusDiff.normsValueAndGrad(d(in, 0), d(in, 1));
      assertEquals(r.gradient(), ScalarCorpusDiff.normsGrad(d(in, 0), d(in, 1)));
      return new Object[] {r.value(), r.gradient().x(), r.gradient().y()};
    }, null, H64, TOL64);
  }

  @Test
  void powers() {
    GradCheck.check(List.of(1.4, 0.7), in -> ScalarCorpus.powers(d(in, 0), d(in, 1)), in -> {
      var r = ScalarCorpusDiff.powersValueAndGrad(d(in, 0), d(in, 1));
      assertEquals(r.gradient(), ScalarCorpusDiff.powersGrad(d(in, 0), d(in, 1)));
      return new Object[] {r.value(), r.gradient().x(), r.gradient().y()};
    }, null, H64, TOL64);
  }

  @Test
  void tanhChain() {
    GradCheck.check(List.of(0.35), in -> ScalarCorpus.tanhChain(d(in, 0)), in -> {
      var r = ScalarCorpusDiff.tanhChainValueAndGrad(d(in, 0));
      assertEquals(r.gradient(), ScalarCorpusDiff.tanhChainGrad(d(in, 0)));
      return new Object[] {r.value(), r.gradient().x()};
    }, null, H64, TOL64);
  }

  @Test
  void reassigned() {
    GradCheck.check(List.of(0.9, -1.2), in -> ScalarCorpus.reassigned(d(in, 0), d(in, 1)), in -> {
      var r = ScalarCorpusDiff.reassignedValueAndGrad(d(in, 0), d(in, 1));
      assertEquals(r.gradient(), ScalarCorpusDiff.reassignedGrad(d(in, 0), d(in, 1)));
      return new Object[] {r.value(), r.gradient().x(), r.gradient().y()};
    }, null, H64, TOL64);
  }

  @Test
  void floats() {
    GradCheck.check(List.of(1.25f, 0.5), in -> ScalarCorpus.floats((float) d(in, 0), d(in, 1)), in -> {
      var r = ScalarCorpusDiff.floatsValueAndGrad((float) d(in, 0), d(in, 1));
      assertEquals(r.gradient(), ScalarCorpusDiff.floatsGrad((float) d(in, 0), d(in, 1)));
      return new Object[] {r.value(), r.gradient().x(), r.gradient().y()};
    }, null, 1e-2, 1e-3);
  }

  @Test
  void angles() {
    GradCheck.check(List.of(0.7, 0.2), in -> ScalarCorpus.angles(d(in, 0), d(in, 1)), in -> {
      var r = ScalarCorpusDiff.anglesValueAndGrad(d(in, 0), d(in, 1));
      assertEquals(r.gradient(), ScalarCorpusDiff.anglesGrad(d(in, 0), d(in, 1)));
      return new Object[] {r.value(), r.gradient().x(), r.gradient().y()};
    }, null, H64, TOL64);
  }

  @Test
  void kinks() {
    GradCheck.check(List.of(0.7, 0.2), in -> ScalarCorpus.kinks(d(in, 0), d(in, 1)), in -> {
      var r = ScalarCorpusDiff.kinksValueAndGrad(d(in, 0), d(in, 1));
      assertEquals(r.gradient(), ScalarCorpusDiff.kinksGrad(d(in, 0), d(in, 1)));
      return new Object[] {r.value(), r.gradient().x(), r.gradient().y()};
    }, null, H64, TOL64);
  }

  @Test
  void quotient() {
    GradCheck.check(List.of(0.7, 1.9), in -> ScalarCorpus.quotient(d(in, 0), d(in, 1)), in -> {
      var r = ScalarCorpusDiff.quotientValueAndGrad(d(in, 0), d(in, 1));
      assertEquals(r.gradient(), ScalarCorpusDiff.quotientGrad(d(in, 0), d(in, 1)));
      return new Object[] {r.value(), r.gradient().x(), r.gradient().y()};
    }, null, H64, TOL64);
  }

  @Test
  void composedScalar() {
    GradCheck.check(List.of(0.3, 0.6), in -> ScalarCorpus.composed(d(in, 0), d(in, 1)), in -> {
      var r = ScalarCorpusDiff.composedValueAndGrad(d(in, 0), d(in, 1));
      assertEquals(r.gradient(), ScalarCorpusDiff.composedGrad(d(in, 0), d(in, 1)));
      return new Object[] {r.value(), r.gradient().x(), r.gradient().y()};
    }, null, H64, TOL64);
  }

  @Test
  void passiveInt() {
    GradCheck.check(List.of(0.3, 5), in -> ScalarCorpus.passiveInt(d(in, 0), (Integer) in.get(1)), in -> {
      var r = ScalarCorpusDiff.passiveIntValueAndGrad(d(in, 0), (Integer) in.get(1));
      assertEquals(r.gradient(), ScalarCorpusDiff.passiveIntGrad(d(in, 0), (Integer) in.get(1)));
      return new Object[] {r.value(), r.gradient().x(), null};
    }, null, H64, TOL64);
  }

  @Test
  void negations() {
    GradCheck.check(List.of(0.3, -2.5), in -> ScalarCorpus.negations(d(in, 0), d(in, 1)), in -> {
      var r = ScalarCorpusDiff.negationsValueAndGrad(d(in, 0), d(in, 1));
      assertEquals(r.gradient(), ScalarCorpusDiff.negationsGrad(d(in, 0), d(in, 1)));
      return new Object[] {r.value(), r.gradient().x(), r.gradient().y()};
    }, null, H64, TOL64);
  }

  @Test
  void userRuleScalar() {
    GradCheck.check(List.of(0.3, -0.8), in -> ScalarCorpus.userRule(d(in, 0), d(in, 1)), in -> {
      var r = ScalarCorpusDiff.userRuleValueAndGrad(d(in, 0), d(in, 1));
      assertEquals(r.gradient(), ScalarCorpusDiff.userRuleGrad(d(in, 0), d(in, 1)));
      return new Object[] {r.value(), r.gradient().x(), r.gradient().y()};
    }, null, H64, TOL64);
  }

  // ---- tensors

  @Test
  void thermometerAcrossCompilations() {
    Tensor tU = Tensor.of(35.7f, 55.9f, 58.2f, 81.9f).mul(0.1);
    Tensor tC = Tensor.of(0.5f, 14.0f, 15.0f, 28.0f);
    GradCheck.check(List.of(tU, tC, Tensor.of(1.5f), Tensor.of(-0.5f)),
        in -> TensorCorpus.thermometerLoss(t(in, 0), t(in, 1), t(in, 2), t(in, 3)), in -> {
          var r = TensorCorpusDiff.thermometerLossValueAndGrad(t(in, 0), t(in, 1), t(in, 2), t(in, 3));
          var g = r.gradient();
          return new Object[] {r.value(), g.tU(), g.tC(), g.w(), g.b()};
        }, in -> TensorCorpusDiff.thermometerLoss(t(in, 0), t(in, 1), t(in, 2), t(in, 3)), 1e-2, 3e-2);
  }

  @Test
  void broadcasting() {
    GradCheck.check(List.of(randn(1, 3, 4), randn(2, 4), positive(3, 3, 1)),
        in -> TensorCorpus.broadcasting(t(in, 0), t(in, 1), t(in, 2)), in -> {
          var r = TensorCorpusDiff.broadcastingValueAndGrad(t(in, 0), t(in, 1), t(in, 2));
          return new Object[] {r.value(), r.gradient().x(), r.gradient().row(), r.gradient().col()};
        }, in -> TensorCorpusDiff.broadcasting(t(in, 0), t(in, 1), t(in, 2)), H32, TOL32);
  }

  @Test
  void affine() {
    GradCheck.check(List.of(randn(4, 2, 3), randn(5, 3, 4), randn(6, 4)),
        in -> TensorCorpus.affine(t(in, 0), t(in, 1), t(in, 2)), in -> {
          var r = TensorCorpusDiff.affineValueAndGrad(t(in, 0), t(in, 1), t(in, 2));
          return new Object[] {r.value(), r.gradient().x(), r.gradient().w(), r.gradient().b()};
        }, in -> TensorCorpusDiff.affine(t(in, 0), t(in, 1), t(in, 2)), H32, TOL32);
  }

  @Test
  void functionalActivations() {
    GradCheck.check(List.of(randn(21, 3, 4), randn(22, 4, 5)),
        in -> TensorCorpus.functionalActivations(t(in, 0), t(in, 1)), in -> {
          var r = TensorCorpusDiff.functionalActivationsValueAndGrad(t(in, 0), t(in, 1));
          return new Object[] {r.value(), r.gradient().x(), r.gradient().w()};
        }, in -> TensorCorpusDiff.functionalActivations(t(in, 0), t(in, 1)), H32, TOL32);
  }

  @Test
  void mlp() {
    GradCheck.check(List.of(randn(7, 4, 3), randn(8, 3, 5), randn(9, 5), randn(10, 5, 2), randn(11, 2),
            randn(12, 4, 2)),
        in -> TensorCorpus.mlp(t(in, 0), t(in, 1), t(in, 2), t(in, 3), t(in, 4), t(in, 5)), in -> {
          var r = TensorCorpusDiff.mlpValueAndGrad(t(in, 0), t(in, 1), t(in, 2), t(in, 3), t(in, 4), t(in, 5));
          var g = r.gradient();
          return new Object[] {r.value(), g.x(), g.w1(), g.b1(), g.w2(), g.b2(), g.y()};
        }, in -> TensorCorpusDiff.mlp(t(in, 0), t(in, 1), t(in, 2), t(in, 3), t(in, 4), t(in, 5)), H32, TOL32);
  }

  @Test
  void reductions() {
    GradCheck.check(List.of(randn(13, 3, 4)), in -> TensorCorpus.reductions(t(in, 0)), in -> {
      var r = TensorCorpusDiff.reductionsValueAndGrad(t(in, 0));
      return new Object[] {r.value(), r.gradient().x()};
    }, in -> TensorCorpusDiff.reductions(t(in, 0)), 1e-3, TOL32);
  }

  @Test
  void classifier() {
    Tensor target = Tensor.indices(2, 0, 1);
    GradCheck.check(List.of(randn(14, 3, 4), target), in -> TensorCorpus.classifier(t(in, 0), t(in, 1)), in -> {
      var r = TensorCorpusDiff.classifierValueAndGrad(t(in, 0), t(in, 1));
      return new Object[] {r.value(), r.gradient().logits(), null};
    }, in -> TensorCorpusDiff.classifier(t(in, 0), t(in, 1)), H32, TOL32);
  }

  @Test
  void bceWithLogits() {
    // seed 003: x = ones(5), w = randn(5, 3), b = randn(3), y = zeros(3)
    GradCheck.check(List.of(Tensor.ones(5), randn(16, 5, 3), randn(17, 3), Tensor.zeros(3)),
        in -> TensorCorpus.bce(t(in, 0), t(in, 1), t(in, 2), t(in, 3)), in -> {
          var r = TensorCorpusDiff.bceValueAndGrad(t(in, 0), t(in, 1), t(in, 2), t(in, 3));
          return new Object[] {r.value(), null, r.gradient().w(), r.gradient().b(), null};
        }, in -> TensorCorpusDiff.bce(t(in, 0), t(in, 1), t(in, 2), t(in, 3)), H32, TOL32);
  }

  @Test
  void mixedDoubleAndTensor() {
    GradCheck.check(List.of(randn(18, 2, 3), 0.7), in -> TensorCorpus.mixed(t(in, 0), d(in, 1)), in -> {
      var r = TensorCorpusDiff.mixedValueAndGrad(t(in, 0), d(in, 1));
      return new Object[] {r.value(), r.gradient().x(), r.gradient().s()};
    }, in -> TensorCorpusDiff.mixed(t(in, 0), d(in, 1)), 1e-3, TOL32);
  }

  @Test
  void catAndStack() {
    GradCheck.check(List.of(randn(31, 2, 3), randn(32, 2, 3)), in -> TensorCorpus.catAndStack(t(in, 0), t(in, 1)),
        in -> {
          var r = TensorCorpusDiff.catAndStackValueAndGrad(t(in, 0), t(in, 1));
          return new Object[] {r.value(), r.gradient().a(), r.gradient().b()};
        }, in -> TensorCorpusDiff.catAndStack(t(in, 0), t(in, 1)), H32, TOL32);
  }

  @Test
  void oneArgReductions() {
    // distinct entries per row, so that ±h never changes the argmax of max(1)
    Tensor x = Tensor.of(new float[][] {{0.3f, -1.2f, 2.1f}, {1.7f, 0.4f, -0.9f}});
    GradCheck.check(List.of(x), in -> TensorCorpus.oneArgReductions(t(in, 0)), in -> {
      var r = TensorCorpusDiff.oneArgReductionsValueAndGrad(t(in, 0));
      return new Object[] {r.value(), r.gradient().x()};
    }, in -> TensorCorpusDiff.oneArgReductions(t(in, 0)), H32, TOL32);
  }

  @Test
  void unaryChain() {
    GradCheck.check(List.of(positive(19, 2, 3)), in -> TensorCorpus.unaryChain(t(in, 0)), in -> {
      var r = TensorCorpusDiff.unaryChainValueAndGrad(t(in, 0));
      return new Object[] {r.value(), r.gradient().x()};
    }, in -> TensorCorpusDiff.unaryChain(t(in, 0)), H32, TOL32);
  }

  @Test
  void arithmetic() {
    GradCheck.check(List.of(randn(20, 2, 3), positive(21, 2, 3)), in -> TensorCorpus.arithmetic(t(in, 0), t(in, 1)),
        in -> {
          var r = TensorCorpusDiff.arithmeticValueAndGrad(t(in, 0), t(in, 1));
          return new Object[] {r.value(), r.gradient().x(), r.gradient().y()};
        }, in -> TensorCorpusDiff.arithmetic(t(in, 0), t(in, 1)), 1e-3, 5e-2);
  }

  @Test
  void shapes() {
    GradCheck.check(List.of(randn(22, 12)), in -> TensorCorpus.shapes(t(in, 0)), in -> {
      var r = TensorCorpusDiff.shapesValueAndGrad(t(in, 0));
      return new Object[] {r.value(), r.gradient().x()};
    }, in -> TensorCorpusDiff.shapes(t(in, 0)), H32, TOL32);
  }

  @Test
  void gather() {
    GradCheck.check(List.of(randn(23, 4, 2), Tensor.indices(3, 0, 3)), in -> TensorCorpus.gather(t(in, 0), t(in, 1)),
        in -> {
          var r = TensorCorpusDiff.gatherValueAndGrad(t(in, 0), t(in, 1));
          return new Object[] {r.value(), r.gradient().x(), null};
        }, in -> TensorCorpusDiff.gather(t(in, 0), t(in, 1)), H32, TOL32);
  }

  @Test
  void trigonometry() {
    GradCheck.check(List.of(randn(24, 5)), in -> TensorCorpus.trigonometry(t(in, 0)), in -> {
      var r = TensorCorpusDiff.trigonometryValueAndGrad(t(in, 0));
      return new Object[] {r.value(), r.gradient().x()};
    }, in -> TensorCorpusDiff.trigonometry(t(in, 0)), 1e-3, TOL32);
  }

  @Test
  void detachStopsTheGradient() {
    Tensor x = randn(25, 4);
    var r = TensorCorpusDiff.detachedValueAndGrad(x);
    // d/dx sum(x * stop(x)) = stop(x) = x
    org.junit.jupiter.api.Assertions.assertArrayEquals(x.toFloatArray(), r.gradient().x().toFloatArray());
    GradCheck.check(List.of(x), in -> TensorCorpus.detached(t(in, 0)), in -> {
      var q = TensorCorpusDiff.detachedValueAndGrad(t(in, 0));
      return new Object[] {q.value(), q.gradient().x()};
    }, in -> TensorCorpusDiff.detached(t(in, 0)), 0, 0);
  }

  @Test
  void reassignedTensor() {
    GradCheck.check(List.of(randn(26, 3), randn(27, 3), randn(28, 1)),
        in -> TensorCorpus.reassignedTensor(t(in, 0), t(in, 1), t(in, 2)), in -> {
          var r = TensorCorpusDiff.reassignedTensorValueAndGrad(t(in, 0), t(in, 1), t(in, 2));
          return new Object[] {r.value(), r.gradient().x(), r.gradient().w(), r.gradient().b()};
        }, in -> TensorCorpusDiff.reassignedTensor(t(in, 0), t(in, 1), t(in, 2)), H32, TOL32);
  }

  @Test
  void userRuleTensor() {
    GradCheck.check(List.of(randn(29, 2, 2)), in -> TensorCorpus.userRule(t(in, 0)), in -> {
      var r = TensorCorpusDiff.userRuleValueAndGrad(t(in, 0));
      return new Object[] {r.value(), r.gradient().x()};
    }, in -> TensorCorpusDiff.userRule(t(in, 0)), 1e-3, TOL32);
  }

  @Test
  void composedTensor() {
    GradCheck.check(List.of(randn(30, 2, 3), randn(31, 3, 4), randn(32, 4)),
        in -> TensorCorpus.composedTensor(t(in, 0), t(in, 1), t(in, 2)), in -> {
          var r = TensorCorpusDiff.composedTensorValueAndGrad(t(in, 0), t(in, 1), t(in, 2));
          return new Object[] {r.value(), r.gradient().x(), r.gradient().w(), r.gradient().b()};
        }, in -> TensorCorpusDiff.composedTensor(t(in, 0), t(in, 1), t(in, 2)), 1e-3, 5e-2);
  }

  @Test
  void otherClassesOfTheSameCompilation() {
    GradCheck.check(List.of(randn(42, 2, 3), randn(43, 3, 4), randn(44, 4), 0.4),
        in -> CrossClass.scaledAffine(t(in, 0), t(in, 1), t(in, 2), d(in, 3)), in -> {
          var r = CrossClassDiff.scaledAffineValueAndGrad(t(in, 0), t(in, 1), t(in, 2), d(in, 3));
          var g = r.gradient();
          return new Object[] {r.value(), g.x(), g.w(), g.b(), g.s()};
        }, in -> CrossClassDiff.scaledAffine(t(in, 0), t(in, 1), t(in, 2), d(in, 3)), 1e-3, 5e-2);
  }

  @Test
  void userNamesThatGeneratedCodeAlsoUses() {
    GradCheck.check(List.of(randn(45, 3), randn(46, 3), 1.5),
        in -> CrossClass.reservedNames(t(in, 0), t(in, 1), d(in, 2)), in -> {
          var r = CrossClassDiff.reservedNamesValueAndGrad(t(in, 0), t(in, 1), d(in, 2));
          var g = r.gradient();
          return new Object[] {r.value(), g.value(), g.self(), g.g()};
        }, in -> CrossClassDiff.reservedNames(t(in, 0), t(in, 1), d(in, 2)), 1e-3, TOL32);
  }

  // ---- a module: gradients flow to its Tensor fields

  @Test
  void moduleFields() {
    Mlp m = new Mlp(randn(33, 3, 4), randn(34, 4), randn(35, 4, 2), 0.5);
    Tensor x = randn(36, 5, 3);
    Tensor y = randn(37, 5, 2);
    var r = MlpDiff.lossValueAndGrad(m, x, y);
    // eager: the module's own method on fields that require grad
    Mlp eager = new Mlp(m.w1.copy().requiresGrad(true), m.b1.copy().requiresGrad(true),
        m.w2.copy().requiresGrad(true), 0.5);
    Tensor loss = eager.loss(x, y);
    loss.backward();
    assertEquals(loss.item(), r.value().item(), 1e-6);
    assertClose(eager.w1.grad(), r.gradient().w1());
    assertClose(eager.b1.grad(), r.gradient().b1());
    assertClose(eager.w2.grad(), r.gradient().w2());
    // the tracked forward puts gradients into the fields through one node
    Mlp tracked = new Mlp(m.w1.copy().requiresGrad(true), m.b1.copy().requiresGrad(true),
        m.w2.copy().requiresGrad(true), 0.5);
    Tensor out = MlpDiff.loss(tracked, x, y);
    assertEquals("MlpLossBackward", out.gradFn().name());
    out.backward();
    assertClose(eager.w1.grad(), tracked.w1.grad());
    assertClose(eager.w2.grad(), tracked.w2.grad());
    // finite differences through the module
    GradCheck.check(List.of(m.w1, m.b1, m.w2), in -> new Mlp(t(in, 0), t(in, 1), t(in, 2), 0.5).loss(x, y), in -> {
      var q = MlpDiff.lossValueAndGrad(new Mlp(t(in, 0), t(in, 1), t(in, 2), 0.5), x, y);
      return new Object[] {q.value(), q.gradient().w1(), q.gradient().b1(), q.gradient().w2()};
    }, null, H32, TOL32);
  }

  @Test
  void moduleForwardWithInputGradient() {
    Mlp m = new Mlp(randn(38, 3, 4), randn(39, 4), randn(40, 4, 2), 2.0);
    GradCheck.check(List.of(randn(41, 2, 3)), in -> m.forward(t(in, 0)).sum(), in -> {
      var p = MlpDiff.forwardPullback(m, t(in, 0));
      var g = p.backward(Tensor.onesLike(p.value()));
      return new Object[] {p.value().sum(), g.x()};
    }, null, H32, TOL32);
  }

  private static void assertClose(Tensor expected, Tensor actual) {
    float[] e = expected.toFloatArray();
    float[] a = actual.toFloatArray();
    assertEquals(e.length, a.length);
    for (int i = 0; i < e.length; i++) {
      assertEquals(e[i], a[i], 1e-5 * Math.max(1, Math.abs(e[i])));
    }
  }
}
