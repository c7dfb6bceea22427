package dev.adjoint.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.nn.F;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * PyTorch 1.13's TestAutograd cases for autograd.grad, several roots, inputs=, next_functions, hooks, custom
 * Function, create_graph and anomaly mode, translated to Java (test names as in test_autograd.py).
 */
class AutogradApiTest {
  private static Tensor randn(long seed, int... shape) {
    return Tensor.randn(new Generator(seed), shape);
  }

  static void close(Tensor expected, Tensor actual, double tol) {
    assertArrayEquals(expected.shape(), actual.shape(), "shape");
    float[] e = expected.toFloatArray();
    float[] a = actual.toFloatArray();
    for (int i = 0; i < e.length; i++) {
      assertEquals(e[i], a[i], tol * Math.max(1, Math.abs(e[i])), "element " + i);
    }
  }

  @Nested
  class Grad {
    /** test_grad */
    @Test
    void grad() {
      Tensor x = randn(1, 2, 2).requiresGrad(true);
      Tensor y = randn(2, 2, 2).requiresGrad(true);
      Tensor z = x.pow(2).add(y.mul(x)).add(y.pow(2));
      z.backward(Tensor.ones(2, 2), true, true);
      Tensor xGrad = x.mul(2).add(y);
      Tensor yGrad = x.add(y.mul(2));
      close(xGrad, x.grad(), 1e-6);
      close(yGrad, y.grad(), 1e-6);
      Tensor gradSum = x.grad().mul(2).add(y.grad());
      Tensor[] xHv = Autograd.grad(new Tensor[] {gradSum}, new Tensor[] {x}, new Tensor[] {Tensor.ones(2, 2)}, true);
      close(Tensor.full(5f, 2, 2), xHv[0], 1e-6);
      close(xGrad, x.grad(), 1e-6);
      close(yGrad, y.grad(), 1e-6);
    }

    /** test_grad_nonleaf */
    @Test
    void gradNonleaf() {
      Tensor xInit = randn(3, 2, 2).requiresGrad(true);
      Tensor x = xInit;
      Tensor y = randn(4, 2, 2).requiresGrad(true);
      Tensor gradOutput = Tensor.ones(2, 2);
      for (int i = 0; i < 5; i++) {
        Tensor fn = x.mul(x).add(y.mul(x)).add(y.mul(y));
        Tensor g = Autograd.grad(new Tensor[] {fn}, new Tensor[] {x}, new Tensor[] {gradOutput}, true)[0];
        close(y.add(x.mul(2)), g, 1e-5);
        x = x.add(g.mul(0.05));
      }
      // x = x_init + 0.05 * sum of gradients: still depends on x_init through the recorded gradients
      assertTrue(x.requiresGrad());
      assertNull(xInit.grad(), "grad() does not touch .grad");
    }

    /** test_grad_nonleaf_many_outputs: gradients of one output of a node of several outputs (a split). */
    @Test
    void gradOfOneOutputOfAFunctionOfSeveral() {
      Tensor x = randn(5, 4, 2).requiresGrad(true);
      Tensor[] ab = new Split().applyAll(x);
      Tensor[] g = Autograd.grad(new Tensor[] {ab[0].sum()}, new Tensor[] {x}, null, false);
      close(Tensor.of(new float[][] {{1, 1}, {1, 1}, {0, 0}, {0, 0}}), g[0], 0);
    }

    /** test_grad_unreachable */
    @Test
    void gradUnreachable() {
      Tensor x = Tensor.ones(1).requiresGrad(true);
      Tensor y = Tensor.ones(1).requiresGrad(true);
      Tensor z = x.mul(2);
      Tensor w = y.mul(2);
      Tensor[] g = Autograd.grad(new Tensor[] {x.mul(2)}, new Tensor[] {x, y}, null, false, false, true);
      close(Tensor.of(2f), g[0], 0);
      assertNull(g[1]);
      g = Autograd.grad(new Tensor[] {x.mul(2)}, new Tensor[] {z, w}, null, false, false, true);
      assertNull(g[0]);
      assertNull(g[1]);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Autograd.grad(new Tensor[] {x.mul(2)}, new Tensor[] {y}, null, false, false, false));
      assertTrue(e.getMessage().contains("appears to not have been used in the graph"), e.getMessage());
    }

    /** test_grad_badcalls and the misuse errors (wording checked against PyTorch 1.13). */
    @Test
    void misuse() {
      Tensor x = randn(6, 3).requiresGrad(true);
      Tensor y = x.mul(x).sum();
      assertTrue(assertThrows(IllegalArgumentException.class, () -> Autograd.grad(y, x, Tensor.zeros(2)))
          .getMessage().contains("One of the differentiated Tensors does not require grad"));
      assertTrue(assertThrows(IllegalArgumentException.class, () -> Autograd.grad(new Tensor[] {y, x.sum()},
          new Tensor[] {x}, new Tensor[] {Tensor.of(1f)}, true)).getMessage().contains("got 2 tensors and 1 gradients"));
      assertTrue(assertThrows(IllegalStateException.class, () -> Autograd.grad(x.mul(2), x)).getMessage()
          .contains("grad can be implicitly created only for scalar outputs"));
      assertTrue(assertThrows(IllegalArgumentException.class, () -> Autograd.grad(new Tensor[] {y},
          new Tensor[] {x}, new Tensor[] {Tensor.ones(2)}, true)).getMessage()
          .contains("Mismatch in shape: grad_output[0] has a shape of [2] and output[0] has a shape of []"));
      assertTrue(assertThrows(IllegalArgumentException.class, () -> Autograd.backward(new Tensor[] {y}, null,
          false, false, new Tensor[0])).getMessage().contains("'inputs' argument to backward() cannot be empty."));
      assertTrue(assertThrows(IllegalStateException.class, () -> Autograd.backward(new Tensor[] {randn(7, 1)},
          null)).getMessage().contains("element 0 of tensors does not require grad and does not have a gradFn"));
      assertTrue(assertThrows(IllegalArgumentException.class, () -> Autograd.grad(y, new Tensor[0]))
          .getMessage().contains("grad requires non-empty inputs."));
    }

    /** grad() leaves .grad alone and, as PyTorch 1.13, returns the gradient before the inputs' hooks. */
    @Test
    void gradDoesNotAccumulateNorRunInputHooks() {
      Tensor a = Tensor.ones(2).requiresGrad(true);
      List<Tensor> calls = new ArrayList<>();
      a.registerHook(g -> {
        calls.add(g);
        return g.mul(2);
      });
      close(Tensor.of(3f, 3f), Autograd.grad(a.mul(3).sum(), a)[0], 0);
      assertTrue(calls.isEmpty());
      assertNull(a.grad());
    }
  }

  @Nested
  class SeveralRootsAndInputs {
    /** test_backward with several roots: gradients summed where graphs meet. */
    @Test
    void severalRoots() {
      Tensor x = randn(8, 3).requiresGrad(true);
      Tensor y = randn(9, 3).requiresGrad(true);
      Tensor a = x.mul(y);
      Tensor b = x.exp();
      Tensor ga = randn(10, 3);
      Autograd.backward(new Tensor[] {a, b.sum()}, new Tensor[] {ga, null});
      close(ga.mul(y).add(x.exp()), x.grad(), 1e-6);
      close(ga.mul(x), y.grad(), 1e-6);
    }

    /** A root reachable from another root waits for it. */
    @Test
    void rootReachableFromAnotherRoot() {
      Tensor x = Tensor.of(2f).requiresGrad(true);
      Tensor y = x.mul(3);
      Tensor z = y.mul(y);
      Autograd.backward(new Tensor[] {y, z}, null);
      assertEquals(3 + 2 * 6 * 3, x.grad().item(), 1e-6);
    }

    /** test_backward_with_inputs */
    @Test
    void backwardWithInputs() {
      Tensor x = randn(11, 2, 2).requiresGrad(true);
      Tensor y = randn(12, 2, 2).requiresGrad(true);
      Tensor xGrad = x.mul(2).add(y);
      Tensor yGrad = x.add(y.mul(2));
      Tensor z = x.pow(2).add(y.mul(x)).add(y.pow(2));
      z.backward(Tensor.ones(2, 2), true, false, x);
      close(xGrad, x.grad(), 1e-6);
      assertNull(y.grad());
      x.setGrad(null);
      z.backward(Tensor.ones(2, 2), true, false, x, y);
      close(xGrad, x.grad(), 1e-6);
      close(yGrad, y.grad(), 1e-6);
    }

    /** test_backward_with_nonleaf_inputs: a non-leaf input gets its .grad; nodes beyond it do not run. */
    @Test
    void backwardWithNonleafInputs() {
      Tensor x = randn(13, 2, 2).requiresGrad(true);
      Tensor x_ = x.mul(1).exp();
      Tensor y = randn(14, 2, 2).requiresGrad(true);
      Tensor z = x_.pow(2).add(y.mul(x_)).add(y.pow(2));
      z.backward(Tensor.ones(2, 2), true, false, x, y, x_);
      Tensor xGradExpected = x_.mul(2).add(y).mul(x_);
      close(xGradExpected, x.grad(), 1e-5);
      close(x_.add(y.mul(2)), y.grad(), 1e-5);
      close(x_.mul(2).add(y), x_.grad(), 1e-5);
      Tensor w = randn(15, 2, 2).requiresGrad(true);
      Tensor q = w.mul(2);
      Tensor r = q.exp().sum();
      r.backward(null, false, false, q);
      assertNull(w.grad(), "w is beyond the input q");
      close(q.exp(), q.grad(), 1e-6);
    }
  }

  @Nested
  class NextFunctions {
    /** test_next_functions */
    @Test
    void nextFunctions() {
      Tensor x = randn(16, 5, 5).requiresGrad(true);
      Tensor y = randn(17, 5, 5).requiresGrad(true);
      Tensor a = x.add(y);
      Edge[] n = a.gradFn().nextFunctions();
      assertEquals(2, n.length);
      assertEquals("AccumulateGrad", n[0].name());
      assertEquals(0, n[0].outputNr());
      assertSame(x, n[0].node().variable());
      assertSame(y, n[1].node().variable());
      assertSame(n[0].node(), x.mul(2).gradFn().nextFunctions()[0].node(), "one AccumulateGrad per leaf");
      Tensor b = a.add(5);
      Edge[] m = b.gradFn().nextFunctions();
      assertSame(a.gradFn(), m[0].node());
      assertNull(m[1].node(), "a number: no edge");
      Tensor c = x.mul(randn(18, 5, 5));
      assertNull(c.gradFn().nextFunctions()[1].node(), "an input that does not require grad: (None, 0)");
      Tensor[] parts = new Split().applyAll(randn(19, 4, 1).requiresGrad(true));
      assertEquals(1, parts[1].add(1).gradFn().nextFunctions()[0].outputNr());
    }
  }

  @Nested
  class Hooks {
    /** test_hooks */
    @Test
    void hooks() {
      Tensor x = Tensor.ones(5, 5).requiresGrad(true);
      Tensor y = Tensor.ones(5, 5).mul(4).requiresGrad(true);
      int[] counter = {0};
      Tensor z = x.mul(y).add(x).add(y.mul(2));
      RemovableHandle h1 = z.registerHook(g -> {
        counter[0] += 1;
        return null;
      });
      z.backward(Tensor.ones(5, 5), true);
      assertEquals(1, counter[0]);
      RemovableHandle h2 = z.registerHook(g -> {
        counter[0] += 2;
        return null;
      });
      z.backward(Tensor.ones(5, 5), true);
      assertEquals(4, counter[0]);
      h2.remove();
      z.backward(Tensor.ones(5, 5), true);
      assertEquals(5, counter[0]);
      h1.remove();
      h1.remove();
      z.backward(Tensor.ones(5, 5), true);
      assertEquals(5, counter[0]);

      // a hook that doubles the gradient of a non-leaf
      Tensor w = Tensor.ones(5, 5).requiresGrad(true);
      Tensor v = w.mul(3);
      v.registerHook(g -> g.mul(2));
      v.sum().backward();
      close(Tensor.full(6f, 5, 5), w.grad(), 0);

      // a leaf hook replaces what is accumulated, and sees the gradient summed over all uses once
      Tensor p = Tensor.ones(3).requiresGrad(true);
      int[] calls = {0};
      p.registerHook(g -> {
        calls[0]++;
        return g.mul(10);
      });
      p.mul(2).add(p.mul(3)).sum().backward();
      assertEquals(1, calls[0]);
      close(Tensor.full(50f, 3), p.grad(), 0);
    }

    /** test_hook_none and the shape check (PyTorch: "has changed the size of value"). */
    @Test
    void hookErrors() {
      Tensor x = randn(20, 3);
      assertTrue(assertThrows(IllegalStateException.class, () -> x.registerHook(g -> g)).getMessage()
          .contains("cannot register a hook on a tensor that doesn't require gradient"));
      Tensor a = Tensor.ones(2).requiresGrad(true);
      a.registerHook(g -> Tensor.ones(3));
      assertTrue(assertThrows(IllegalArgumentException.class, () -> a.mul(1).sum().backward()).getMessage()
          .contains("returned a gradient of shape [3]"));
    }

    /** Post-accumulate-grad hooks run once per backward, after .grad is updated; only on leaves. */
    @Test
    void postAccumulateGradHook() {
      Tensor w = Tensor.ones(2).requiresGrad(true);
      List<Float> seen = new ArrayList<>();
      RemovableHandle h = w.registerPostAccumulateGradHook(t -> seen.add(t.grad().get(0)));
      w.mul(3).sum().backward();
      w.mul(3).sum().backward();
      h.remove();
      w.mul(3).sum().backward();
      assertEquals(List.of(3f, 6f), seen);
      assertThrows(IllegalStateException.class, () -> w.mul(2).registerPostAccumulateGradHook(t -> { }));
    }

    /** retainGrad sees the gradient after the tensor's hooks, as PyTorch 1.13's registration order here. */
    @Test
    void retainGradAndHook() {
      Tensor x = Tensor.ones(2).requiresGrad(true);
      Tensor y = x.mul(2);
      y.registerHook(g -> g.mul(3));
      y.retainGrad();
      y.sum().backward();
      close(Tensor.full(3f, 2), y.grad(), 0);
      close(Tensor.full(6f, 2), x.grad(), 0);
    }
  }

  /** Splits the first dimension in halves: a function of two outputs. */
  static final class Split extends Function {
    @Override
    public Tensor[] forward(Ctx ctx, Object... in) {
      Tensor x = (Tensor) in[0];
      int h = x.size(0) / 2;
      ctx.put("h", h);
      return new Tensor[] {x.slice(0, 0, h).clone(), x.slice(0, h, x.size(0)).clone()};
    }

    @Override
    public Tensor[] backward(Ctx ctx, Tensor... g) {
      return new Tensor[] {Tensor.cat(List.of(g[0], g[1]), 0)};
    }
  }

  @Nested
  class CustomFunction {
    /** test_function: a custom function of several inputs, one a number. */
    @Test
    void function() {
      final class MyFunction extends Function {
        @Override
        public Tensor[] forward(Ctx ctx, Object... in) {
          Tensor t1 = (Tensor) in[0];
          Tensor t2 = (Tensor) in[1];
          double scale = (Double) in[2];
          ctx.put("scale", scale);
          ctx.saveForBackward(t1, t2);
          return new Tensor[] {t1.add(t2.mul(scale)).add(t1.mul(t2))};
        }

        @Override
        public Tensor[] backward(Ctx ctx, Tensor... g) {
          Tensor[] s = ctx.savedTensors();
          double scale = ctx.get("scale");
          return new Tensor[] {g[0].mul(s[1]).add(g[0]), g[0].mul(scale).add(g[0].mul(s[0])), null};
        }
      }
      Tensor x = randn(21, 10, 10).requiresGrad(true);
      Tensor y = randn(22, 10, 10).requiresGrad(true);
      Tensor result = new MyFunction().apply(x, y, 2.0);
      assertEquals("MyFunctionBackward", result.gradFn().name());
      Tensor go = Tensor.ones(10, 10);
      result.sum().backward();
      close(y.add(1), x.grad(), 1e-6);
      close(x.add(2), y.grad(), 1e-6);
      assertNull(go.grad());
    }

    /** test_saved_variables_deprecated / version check: an in-place change to a saved tensor fails backward. */
    @Test
    void savedTensorChangedInPlace() {
      final class Square extends Function {
        @Override
        public Tensor[] forward(Ctx ctx, Object... in) {
          Tensor x = (Tensor) in[0];
          ctx.saveForBackward(x);
          return new Tensor[] {x.mul(x)};
        }

        @Override
        public Tensor[] backward(Ctx ctx, Tensor... g) {
          return new Tensor[] {g[0].mul(ctx.savedTensors()[0]).mul(2)};
        }
      }
      Tensor a = randn(23, 3).requiresGrad(true);
      Tensor b = a.mul(1);
      Tensor c = new Square().apply(b);
      b.add_(1);
      assertTrue(assertThrows(IllegalStateException.class, () -> c.sum().backward()).getMessage()
          .contains("modified by an inplace operation"));
      Tensor d = new Square().apply(a);
      d.sum().backward();
      assertThrows(IllegalStateException.class, () -> d.sum().backward(), "freed after backward");
    }

    /** test_mark_non_differentiable, test_materialize_grads, test_set_materialize_grads */
    @Test
    void nonDifferentiableAndMaterializeGrads() {
      final class Relu extends Function {
        @Override
        public Tensor[] forward(Ctx ctx, Object... in) {
          Tensor input = (Tensor) in[0];
          Tensor output = input.clampMin(0);
          Tensor mask = output.gt(Tensor.zeros(output.shape()));
          ctx.markNonDifferentiable(mask);
          ctx.saveForBackward(mask);
          return new Tensor[] {output, mask};
        }

        @Override
        public Tensor[] backward(Ctx ctx, Tensor... g) {
          assertEquals(0f, g[1].sum().item(), "materialized zeros for the mask");
          return new Tensor[] {g[0].mul(ctx.savedTensors()[0])};
        }
      }
      Tensor x = randn(24, 5, 5).requiresGrad(true);
      Tensor[] om = new Relu().applyAll(x);
      assertFalse(om[1].requiresGrad());
      om[0].sum().backward();
      close(om[1], x.grad(), 0);

      boolean[] sawNull = {false};
      final class NoMaterialize extends Function {
        @Override
        public Tensor[] forward(Ctx ctx, Object... in) {
          ctx.setMaterializeGrads(false);
          Tensor t = (Tensor) in[0];
          return new Tensor[] {t.clone(), t.clone()};
        }

        @Override
        public Tensor[] backward(Ctx ctx, Tensor... g) {
          sawNull[0] = g[1] == null;
          return new Tensor[] {g[0]};
        }
      }
      Tensor z = randn(25, 2).requiresGrad(true);
      new NoMaterialize().applyAll(z)[0].sum().backward();
      assertTrue(sawNull[0]);
    }

    /** test_dirty_inputs / mark_dirty, and needs_input_grad. */
    @Test
    void markDirtyAndNeedsInputGrad() {
      boolean[][] needs = new boolean[1][];
      final class Inplace extends Function {
        @Override
        public Tensor[] forward(Ctx ctx, Object... in) {
          Tensor a = (Tensor) in[0];
          Tensor b = (Tensor) in[1];
          needs[0] = new boolean[] {ctx.needsInputGrad(0), ctx.needsInputGrad(1)};
          ctx.markDirty(a);
          a.add_(b);
          return new Tensor[] {a};
        }

        @Override
        public Tensor[] backward(Ctx ctx, Tensor... g) {
          return new Tensor[] {g[0], g[0]};
        }
      }
      Tensor x = Tensor.ones(5).requiresGrad(true);
      Tensor y = Tensor.ones(5).mul(2);
      Tensor q = x.mul(1);
      Tensor r = new Inplace().apply(q, y);
      assertSame(q, r, "the dirty input is the output");
      assertEquals("InplaceBackward", q.gradFn().name());
      assertArrayEquals(new boolean[] {true, false}, needs[0]);
      r.sum().backward();
      close(Tensor.ones(5), x.grad(), 0);
      assertTrue(assertThrows(IllegalStateException.class, () -> new Inplace().apply(x, y)).getMessage()
          .contains("a leaf Variable that requires grad is being used in an in-place operation."));
    }

    /** test_function_returns_input and wrong gradient counts/shapes. */
    @Test
    void returnsInputAndBadBackward() {
      final class Identity extends Function {
        @Override
        public Tensor[] forward(Ctx ctx, Object... in) {
          return new Tensor[] {(Tensor) in[0]};
        }

        @Override
        public Tensor[] backward(Ctx ctx, Tensor... g) {
          return new Tensor[] {g[0].mul(2)};
        }
      }
      Tensor x = Tensor.ones(3).requiresGrad(true);
      Tensor y = new Identity().apply(x);
      assertFalse(y == x);
      assertFalse(y.isLeaf());
      y.sum().backward();
      close(Tensor.full(2f, 3), x.grad(), 0);
      final class Bad extends Function {
        @Override
        public Tensor[] forward(Ctx ctx, Object... in) {
          return new Tensor[] {((Tensor) in[0]).clone()};
        }

        @Override
        public Tensor[] backward(Ctx ctx, Tensor... g) {
          return new Tensor[] {Tensor.ones(2)};
        }
      }
      assertTrue(assertThrows(IllegalStateException.class, () -> new Bad().apply(x).sum().backward())
          .getMessage().contains("returned an invalid gradient at index 0 - got [2] but expected shape compatible with [3]"));
    }

    /** A custom function composes with row nodes and is differentiated twice when its backward is recorded. */
    @Test
    void doubleBackwardThroughCustomFunction() {
      final class Cube extends Function {
        @Override
        public Tensor[] forward(Ctx ctx, Object... in) {
          Tensor x = (Tensor) in[0];
          ctx.saveForBackward(x);
          return new Tensor[] {x.mul(x).mul(x)};
        }

        @Override
        public Tensor[] backward(Ctx ctx, Tensor... g) {
          Tensor x = ctx.savedTensors()[0];
          return new Tensor[] {g[0].mul(x.mul(x)).mul(3)};
        }
      }
      Tensor x = Tensor.of(2f, -1f).requiresGrad(true);
      Tensor y = new Cube().apply(x.mul(1)).sum();
      Tensor g = Autograd.grad(new Tensor[] {y}, new Tensor[] {x}, null, true)[0];
      close(Tensor.of(12f, 3f), g, 1e-6);
      Tensor gg = Autograd.grad(g.sum(), x)[0];
      close(Tensor.of(12f, -6f), gg, 1e-6);
    }
  }

  @Nested
  class DoubleBackwardAndAnomaly {
    /** A Hessian-vector product of an MLP-style loss against central differences of the gradient. */
    @Test
    void hessianVectorProductOfMlpLoss() {
      Tensor x = randn(30, 4, 3);
      Tensor target = randn(31, 4, 2);
      Tensor w1 = randn(32, 3, 5).requiresGrad(true);
      Tensor w2 = randn(33, 5, 2).requiresGrad(true);
      Tensor v = randn(34, 3, 5);
      java.util.function.Function<Tensor, Tensor> gradW1 = w -> {
        Tensor loss = F.mseLoss(x.matmul(w).tanh().matmul(w2.detach()).sigmoid(), target);
        return Autograd.grad(loss, w)[0];
      };
      Tensor loss = F.mseLoss(x.matmul(w1).tanh().matmul(w2).sigmoid(), target);
      Tensor g = Autograd.grad(new Tensor[] {loss}, new Tensor[] {w1}, null, true)[0];
      Tensor hv = Autograd.grad(new Tensor[] {g}, new Tensor[] {w1}, new Tensor[] {v}, false)[0];
      double eps = 1e-2;
      Tensor plus = gradW1.apply(w1.detach().add(v.mul(eps)).requiresGrad(true));
      Tensor minus = gradW1.apply(w1.detach().sub(v.mul(eps)).requiresGrad(true));
      Tensor fd = plus.sub(minus).div(2 * eps);
      close(fd, hv, 2e-2);
    }

    /** A node without a recorded backward: first gradient right, differentiating it again throws by name. */
    @Test
    void unsupportedDoubleBackwardThrowsNamingTheNode() {
      // a p-norm with p < 1: its recorded formula covers p >= 1 only (PyTorch differentiates it twice; we do not)
      Tensor x = randn(35, 4, 3).add(3).requiresGrad(true);
      Tensor y = x.norm(0.5);
      Tensor g = Autograd.grad(new Tensor[] {y}, new Tensor[] {x}, null, true)[0];
      close(Autograd.grad(x.norm(0.5), x)[0], g, 1e-6);
      UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
          () -> Autograd.grad(g.mul(g).sum(), x));
      assertTrue(e.getMessage().contains("double backward through NormBackward1 is not supported"),
          e.getMessage());
    }

    /** test_anomaly_detect_nan */
    @Test
    void anomalyDetectNan() {
      final class MyFunc extends Function {
        @Override
        public Tensor[] forward(Ctx ctx, Object... in) {
          return new Tensor[] {((Tensor) in[0]).clone()};
        }

        @Override
        public Tensor[] backward(Ctx ctx, Tensor... g) {
          Tensor gI = g[0].clone();
          gI.fill_(Double.NaN);
          return new Tensor[] {gI};
        }
      }
      Tensor inp = Tensor.ones(1).requiresGrad(true);
      Tensor out = new MyFunc().apply(inp);
      out.backward(); // no anomaly mode: NaN flows silently, as PyTorch
      assertTrue(Float.isNaN(inp.grad().get(0)));
      try (var anomaly = Autograd.detectAnomaly()) {
        assertTrue(Autograd.isAnomalyEnabled());
        Tensor out2 = new MyFunc().apply(inp);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> out2.backward());
        assertTrue(e.getMessage().contains("Function 'MyFuncBackward' returned nan values in its 0th output."),
            e.getMessage());
        assertTrue(e.getMessage().contains("AutogradApiTest"), "names the user's frame: " + e.getMessage());
      }
      assertFalse(Autograd.isAnomalyEnabled());
    }

    /** Ours beyond PyTorch 1.13 (which checks NaN only): an infinite gradient is reported too. */
    @Test
    void anomalyDetectInfNamingTheNodeAndTheForwardLine() {
      Tensor x = Tensor.of(0f, 1f).requiresGrad(true);
      x.sqrt().sum().backward(); // d sqrt(x)/dx at 0 is +inf: flows silently outside anomaly mode
      assertTrue(Float.isInfinite(x.grad().get(0)));
      try (var anomaly = Autograd.detectAnomaly()) {
        Tensor y = x.sqrt().sum();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("Function 'SqrtBackward0' returned inf values in its 0th output."),
            e.getMessage());
        assertTrue(e.getMessage().contains("AutogradApiTest"), "names the user's frame: " + e.getMessage());
      }
    }

    /** The outside view: anomaly mode threw "toFloatArray: not implemented for FLOAT64" on any float64 backward. */
    @Test
    void anomalyModeChecksFloat64Gradients() {
      try (var anomaly = Autograd.detectAnomaly()) {
        Tensor x = Tensor.of(0.5, -1.5).requiresGrad(true);
        x.mul(x).sum().backward();
        assertEquals(1.0, x.grad().getDouble(0), 0.0);
        assertEquals(-3.0, x.grad().getDouble(1), 0.0);
        Tensor z = Tensor.of(0.0, 1.0).requiresGrad(true);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> z.sqrt().sum().backward());
        assertTrue(e.getMessage().contains("Function 'SqrtBackward0' returned inf values in its 0th output."),
            e.getMessage());
      }
    }
  }
}
