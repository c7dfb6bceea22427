package dev.adjoint.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PyTorch 1.13's {@code TestAutograd} (test/test_autograd.py) for {@code torch.autograd.grad}, several roots,
 * {@code inputs=}, accumulation and {@code next_functions}, translated test by test: same inputs (random ones
 * from a seeded generator, in the suite's default dtype float64), same asserts, the same error conditions
 * (our message names the op and the values; the asserted key phrase is PyTorch's). Spelling: see
 * docs/DECISIONS.md "TestAutograd translations".
 *
 * <pre>
 * test                                         status
 * test_grad                                    translated, passes
 * test_grad_nonleaf                            translated, passes
 * test_grad_nonleaf_many_outputs               translated, passes
 * test_grad_nonleaf_register_hook              translated, passes
 * test_grad_unreachable                        translated, passes
 * test_grad_unreachable_discovery              translated, passes
 * test_grad_badcalls                           translated, passes
 * test_grad_empty_inputs                       translated, passes
 * test_backward_badcalls                       translated, passes
 * test_multi_backward                          translated, passes
 * test_multi_backward_no_grad                  translated, passes
 * test_backward_with_inputs                    translated, passes
 * test_backward_with_scalar_input              translated, passes
 * test_backward_with_nonleaf_inputs            translated, passes
 * test_dependent_backward                      translated, passes
 * test_duplicate_backward_root                 translated, passes
 * test_backward_no_grad                        translated, passes
 * test_sharded_grad                            translated, passes
 * test_hessian_vector                          translated, passes
 * test_accumulate_grad                         translated, passes
 * test_accumulate_grad_tensor_reference        translated (dense cases), passes; sparse cases n/a (no sparse tensors)
 * test_next_functions                          translated, passes
 * test_backward                                translated, passes
 * test_backward_copy                           translated, passes
 * test_grad_batched_grad                       n/a: is_grads_batched needs vmap (not in 1.13's stable API either)
 * test_grad_fn_badcalls                        n/a: calling grad_fn(...) directly is a Python-binding detail
 * test_will_engine_execute_node                n/a: torch._C internal
 * test_backward_twice_*                        covered by BackwardTwiceTest (same PyTorch cases)
 * </pre>
 */
class TestAutogradGradTest extends TorchCase {

  /** test_grad */
  @Test
  void test_grad() {
    Tensor x = randn(2, 2).requiresGrad(true);
    Tensor y = randn(2, 2).requiresGrad(true);
    Tensor z = x.pow(2).add(y.mul(x)).add(y.pow(2));
    z.backward(ones(2, 2), true, true);

    Tensor xGrad = x.mul(2).add(y);
    Tensor yGrad = x.add(y.mul(2));
    assertEqual(xGrad, x.grad());
    assertEqual(yGrad, y.grad());

    Tensor gradSum = x.grad().mul(2).add(y.grad());
    Tensor[] xHv = Autograd.grad(new Tensor[] {gradSum}, new Tensor[] {x}, new Tensor[] {ones(2, 2)}, true);
    Tensor expectedXHv = ones(2, 2).mul(5);
    assertEqual(expectedXHv, xHv[0]);
    assertEqual(xGrad, x.grad());
    assertEqual(yGrad, y.grad());

    // Test that grad_outputs and outputs have the same shape
    Tensor gradOut = ones(2);
    assertRaisesRegex(RuntimeException.class,
        "Mismatch in shape: grad_output\\[0\\] has a shape of \\[2\\] and output\\[0\\] has a shape of \\[2, 2\\]",
        () -> Autograd.grad(new Tensor[] {gradSum}, new Tensor[] {x}, new Tensor[] {gradOut}, true));
  }

  /** test_grad_nonleaf */
  @Test
  void test_grad_nonleaf() {
    Tensor xInit = randn(2, 2).requiresGrad(true);
    Tensor x = xInit;
    Tensor y = randn(2, 2).requiresGrad(true);
    Tensor gradOutput = ones(2, 2);
    java.util.function.UnaryOperator<Tensor> fn = v -> v.pow(2).add(y.mul(v)).add(y.pow(2));

    for (int i = 0; i < 5; i++) {
      Tensor gradX = Autograd.grad(new Tensor[] {fn.apply(x)}, new Tensor[] {x}, new Tensor[] {gradOutput},
          true)[0];
      Tensor gradXExpected = x.mul(2).add(y);
      assertNull(y.grad());
      assertNull(x.grad());
      assertEqual(gradXExpected, gradX);
      x = x.add(gradX.mul(0.05));
    }

    Tensor valInit = fn.apply(xInit).sum();
    Tensor valFinal = fn.apply(x).sum();
    assertTrue(valFinal.itemDouble() > valInit.itemDouble());

    x.backward(gradOutput);
    assertNotNull(y.grad());
    assertNotNull(xInit.grad());
  }

  /** test_grad_nonleaf_many_outputs */
  @Test
  void test_grad_nonleaf_many_outputs() {
    // This checks an edge case for function callbacks: two grads of a function's outputs captured at once
    Tensor x = randn(4, 2).requiresGrad(true);
    Tensor[] ab = x.chunk(2, 0).toArray(new Tensor[0]);
    Tensor a = ab[0];
    Tensor b = ab[1];
    boolean[] hookCalled = {false};
    x.registerHook(g -> {
      hookCalled[0] = true;
      return null;
    });

    Tensor go = randn(2, 2);
    Tensor[] grads = Autograd.grad(new Tensor[] {a.add(b.mul(2))}, new Tensor[] {a, b}, new Tensor[] {go}, true);

    assertEqual(go, grads[0]);
    assertEqual(go.mul(2), grads[1]);
    assertFalse(hookCalled[0]);
    assertNull(x.grad());
  }

  /** test_grad_nonleaf_register_hook */
  @Test
  void test_grad_nonleaf_register_hook() {
    // capture the grad of a non-leaf, and backward through the other non-leaves of the same unbind
    Tensor x = randn(5).requiresGrad(true);
    Tensor[] xList = x.unbind().toArray(new Tensor[0]);

    Tensor x0 = xList[0];
    Tensor[] hookResults = {null};
    x0.registerHook(grad -> {
      hookResults[0] = grad;
      return null;
    });

    xList[0].backward();
    assertEqual(scalar(1.0), hookResults[0]);
    double[] expected = {1, 0, 0, 0, 0};
    assertEqual(tensor(expected), x.grad());
    assertNull(xList[0].grad());

    for (int i = 1; i < 5; i++) {
      hookResults[0] = null;
      xList[i].backward();
      assertNull(hookResults[0]);
      expected[i] = 1.0;
      assertEqual(tensor(expected), x.grad());
      assertNull(xList[i].grad());
    }
  }

  /** test_grad_unreachable */
  @Test
  void test_grad_unreachable() {
    Tensor x = ones(1).requiresGrad(true);
    Tensor y = ones(1).requiresGrad(true);
    // Make sure x and y have grad accumulators allocated
    Tensor z = x.mul(2);
    Tensor w = y.mul(2);
    assertNotNull(z.gradFn().nextFunctions()[0].node());
    assertNotNull(w.gradFn().nextFunctions()[0].node());

    Tensor[] g = Autograd.grad(new Tensor[] {x.mul(2)}, new Tensor[] {x, y}, null, false, false, true);
    assertEqual(x.mul(2), g[0]);
    assertNull(g[1]);

    // This is slightly different than the case above, because z doesn't even have a grad accumulator allocated.
    Tensor z2 = ones(1).requiresGrad(true);
    g = Autograd.grad(new Tensor[] {x.mul(2)}, new Tensor[] {x, z2}, null, false, false, true);
    assertEqual(x.mul(2), g[0]);
    assertNull(g[1]);

    // allow_unused=False, but grads contains None inside, should throw
    assertRaisesRegex(RuntimeException.class, "Set allowUnused=true",
        () -> Autograd.grad(new Tensor[] {x.mul(2)}, new Tensor[] {x, y}, null, false, false, false));
  }

  /** A function whose backward must never run (test_grad_unreachable_discovery's MyFunc). */
  private static final class MustNotRun extends Function {
    @Override
    public Tensor[] forward(Ctx ctx, Object... in) {
      return new Tensor[] {(Tensor) in[0]};
    }

    @Override
    public Tensor[] backward(Ctx ctx, Tensor... g) {
      fail("This node should not be executed!");
      return null;
    }
  }

  /** test_grad_unreachable_discovery */
  @Test
  void test_grad_unreachable_discovery() {
    // Test that certain nodes are not erroneously executed when an input is unreachable (pytorch#39784)
    Tensor x = new MustNotRun().apply(randn(1).requiresGrad(true).mul(2));
    Tensor y = randn(1).requiresGrad(true);
    Tensor[] gY = Autograd.grad(new Tensor[] {x}, new Tensor[] {y}, null, false, false, true);
    assertNull(gY[0]);

    x = new MustNotRun().apply(randn(1).requiresGrad(true).mul(2));
    y = randn(1).requiresGrad(true);
    Tensor z = randn(1).requiresGrad(true);
    Tensor[] gYZ = Autograd.grad(new Tensor[] {x.add(z)}, new Tensor[] {y, z}, null, false, false, true);
    assertNull(gYZ[0]);
    assertNotNull(gYZ[1]);

    x = new MustNotRun().apply(randn(1).requiresGrad(true).mul(2));
    Tensor y2 = randn(1).requiresGrad(true);
    Autograd.backward(new Tensor[] {x}, null, false, false, new Tensor[] {y2}); // allow_unused is implicitly True!
    assertNull(y2.grad());
  }

  /** test_grad_badcalls */
  @Test
  void test_grad_badcalls() {
    Tensor x = ones(1);
    Tensor y = x.pow(2);
    assertRaisesRegex(RuntimeException.class, "does not require grad", () -> Autograd.grad(x, y));
    assertRaisesRegex(RuntimeException.class, "does not require grad", () -> Autograd.grad(y, x));

    Tensor x2 = ones(1).requiresGrad(true);
    Tensor y2 = x2.pow(2);
    Autograd.grad(y2, x2); // this should succeed now
  }

  /** test_grad_empty_inputs */
  @Test
  void test_grad_empty_inputs() {
    Tensor x = tensor(1.0).requiresGrad(true);
    assertRaisesRegex(IllegalArgumentException.class, "grad requires non-empty inputs.",
        () -> Autograd.grad(new Tensor[] {x.mul(2)}, new Tensor[0], new Tensor[] {tensor(1.0)}, false));
  }

  /** test_backward_badcalls */
  @Test
  void test_backward_badcalls() {
    Tensor x = ones(1);
    assertRaisesRegex(RuntimeException.class, "does not require grad", x::backward);
  }

  /** test_multi_backward */
  @Test
  void test_multi_backward() {
    Tensor x = randn(5, 5).requiresGrad(true);
    Tensor y = randn(5, 5).requiresGrad(true);
    Tensor q = randn(5, 5).requiresGrad(true);
    Tensor a = randn(5, 5).requiresGrad(true);
    Tensor b = randn(5, 5).requiresGrad(true);

    Tensor q2 = q.mul(2);
    Tensor z = x.add(y).add(q2);
    Tensor c = a.mul(b).add(q2);
    Tensor gradZ = randn(5, 5);
    Tensor gradC = randn(5, 5);
    Autograd.backward(new Tensor[] {z, c}, new Tensor[] {gradZ, gradC});

    assertEqual(gradZ, x.grad());
    assertEqual(gradZ, y.grad());
    assertEqual(gradC.mul(b), a.grad());
    assertEqual(gradC.mul(a), b.grad());
    assertEqual(gradC.add(gradZ).mul(2), q.grad());
  }

  /** test_multi_backward_no_grad */
  @Test
  void test_multi_backward_no_grad() {
    Tensor x = randn(5, 5).requiresGrad(true);
    Tensor y = randn(5, 5);
    Tensor z = x.add(y);
    Tensor q = y.mul(2);
    // we raise if any argument to backward has requires_grad=False and no grad_fn
    assertThrows(RuntimeException.class,
        () -> Autograd.backward(new Tensor[] {z, q}, new Tensor[] {ones(5, 5), ones(5, 5)}));
  }

  /** test_backward_with_inputs */
  @Test
  void test_backward_with_inputs() {
    Tensor x = randn(2, 2).requiresGrad(true);
    Tensor y = randn(2, 2).requiresGrad(true);
    java.util.function.Supplier<Tensor> fn = () -> x.pow(2).add(y.mul(x)).add(y.pow(2));
    Tensor gradient = ones(2, 2);
    Tensor xGradExpected = x.mul(2).add(y);
    Tensor yGradExpected = x.add(y.mul(2));
    Runnable resetGrad = () -> Autograd.noGrad(() -> {
      x.grad().zero_();
      y.grad().zero_();
    });

    Autograd.backward(new Tensor[] {fn.get()}, new Tensor[] {gradient}, false, false, new Tensor[] {x, y});
    assertEqual(xGradExpected, x.grad());
    assertEqual(yGradExpected, y.grad());

    resetGrad.run();
    Autograd.backward(new Tensor[] {fn.get()}, new Tensor[] {gradient}, false, false, new Tensor[] {x});
    assertEqual(xGradExpected, x.grad());
    assertEqual(zeros(2, 2), y.grad());

    resetGrad.run();
    Autograd.backward(new Tensor[] {fn.get()}, new Tensor[] {gradient}, false, false, new Tensor[] {y});
    assertEqual(yGradExpected, y.grad());
    assertEqual(zeros(2, 2), x.grad());

    resetGrad.run();
    fn.get().backward(gradient, false, false, y); // inputs=y: a single tensor
    assertEqual(yGradExpected, y.grad());
    assertEqual(zeros(2, 2), x.grad());

    resetGrad.run();
    assertRaisesRegex(RuntimeException.class, "cannot be empty",
        () -> Autograd.backward(new Tensor[] {fn.get()}, new Tensor[] {gradient}, false, false, new Tensor[0]));
  }

  /** test_backward_with_scalar_input */
  @Test
  void test_backward_with_scalar_input() {
    Tensor x = randn().requiresGrad(true);
    Tensor out = x.pow(2);
    out.backward(null, false, false, x);
    assertEqual(x.mul(2), x.grad());
  }

  /** test_backward_with_nonleaf_inputs */
  @Test
  void test_backward_with_nonleaf_inputs() {
    Tensor x = randn(2, 2).requiresGrad(true);
    Tensor xNonleaf = x.mul(1);
    Tensor y = randn(2, 2).requiresGrad(true);
    Tensor z = randn(2, 2).requiresGrad(true);

    Tensor out = xNonleaf.pow(2).add(y.mul(xNonleaf)).add(y.pow(2));

    out.backward(ones(2, 2), true, true, x, y, xNonleaf);
    Tensor xGradExpected = x.mul(2).add(y);
    Tensor yGradExpected = x.add(y.mul(2));
    Tensor xNonLeafExpected = xNonleaf.mul(2).add(y);

    assertEqual(yGradExpected, y.grad());
    assertEqual(xGradExpected, x.grad());
    assertEqual(xNonLeafExpected, xNonleaf.grad());

    // backward has no allow_unused flag: a tensor not part of the graph simply gets no grad
    out.backward(ones(2, 2), true, true, z);
    assertNull(z.grad());
  }

  /** test_dependent_backward */
  @Test
  void test_dependent_backward() {
    Tensor x = randn(10).requiresGrad(true);
    Tensor y = x.pow(2);
    Tensor z = y.pow(3);

    Tensor goY = randn(10);
    Tensor goZ = randn(10);
    Autograd.backward(new Tensor[] {y, z}, new Tensor[] {goY, goZ});

    Tensor xd = x;
    assertEqual(xd.mul(2).mul(goY).add(xd.pow(5).mul(6).mul(goZ)), x.grad());
  }

  /** test_duplicate_backward_root */
  @Test
  void test_duplicate_backward_root() {
    Tensor a = randn(5, 5).requiresGrad(true);
    Tensor b = randn(5, 5).requiresGrad(true);

    Tensor x = a.mul(b);
    Tensor gradOutput = randn(5, 5);
    Autograd.backward(new Tensor[] {x, x}, new Tensor[] {gradOutput, gradOutput});

    assertEqual(b.mul(gradOutput).mul(2), a.grad());
    assertEqual(a.mul(gradOutput).mul(2), b.grad());
  }

  /** test_backward_no_grad */
  @Test
  void test_backward_no_grad() {
    Tensor a = randn(5, 5).requiresGrad(true);
    Tensor b = a.add(2);
    assertThrows(RuntimeException.class, () -> Autograd.backward(new Tensor[] {b}, new Tensor[] {null}));
  }

  /** test_sharded_grad */
  @Test
  void test_sharded_grad() {
    List<Tensor> leaves = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      leaves.add(zeros(5, 5).requiresGrad(true));
    }
    List<Tensor> intermediates = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Tensor l = leaves.get(i);
      intermediates.add(l.mul(i).add(l.mul(l)));
    }
    Tensor loss = null;
    for (int i = 0; i < 10; i++) {
      Tensor v = intermediates.get(i).mul(i);
      loss = loss == null ? v : loss.add(v);
    }
    loss = loss.sum();

    // Compute the d loss / d intermediates in chunks of shard_size
    int shardSize = 2;
    List<Tensor> dIntermediates = new ArrayList<>();
    for (int i = 0; i < intermediates.size(); i += shardSize) {
      Tensor[] batch = intermediates.subList(i, Math.min(i + shardSize, intermediates.size()))
          .toArray(new Tensor[0]);
      for (Tensor d : Autograd.grad(new Tensor[] {loss}, batch, null, true, false, false)) {
        dIntermediates.add(d);
      }
    }
    // Compute rest of backward pass
    Autograd.backward(intermediates.toArray(new Tensor[0]), dIntermediates.toArray(new Tensor[0]));

    for (int i = 0; i < 10; i++) {
      Tensor l = leaves.get(i);
      assertEqual(l.add(1).mul(i * i), l.grad());
    }
  }

  /** test_hessian_vector */
  @Test
  void test_hessian_vector() {
    Tensor x = randn(2, 2).requiresGrad(true);
    Tensor y = randn(2, 2).requiresGrad(true);

    Tensor z = x.pow(2).add(y.mul(x)).add(y.pow(2));
    z.backward(ones(2, 2), true, true);

    Tensor xGrad;
    Tensor yGrad;
    try (var g = Autograd.noGrad()) {
      xGrad = x.mul(2).add(y);
      yGrad = x.add(y.mul(2));
    }
    assertEqual(xGrad, x.grad());
    assertEqual(yGrad, y.grad());

    Tensor gradSum = x.grad().mul(2).add(y.grad());
    gradSum.backward(ones(2, 2));
    Tensor xHv = ones(2, 2).mul(5);
    Tensor yHv = ones(2, 2).mul(4);
    assertEqual(xGrad.add(xHv), x.grad());
    assertEqual(yGrad.add(yHv), y.grad());
  }

  /** test_accumulate_grad */
  @Test
  void test_accumulate_grad() {
    Tensor gradOutput = ones(5, 5);
    java.util.function.Function<Boolean, Tensor[]> computeGrad = createGraph -> {
      Tensor x = randn(5, 5).requiresGrad(true);
      Tensor y = x.add(2);
      y.backward(gradOutput, true);
      Tensor xGrad = x.grad();
      Tensor xGradClone = x.grad().clone();
      y.backward(gradOutput, false, createGraph);
      return new Tensor[] {xGrad, xGradClone};
    };

    // Accumulate in-place when create_graph is False
    Tensor[] r = computeGrad.apply(false);
    assertEqual(r[1].mul(2), r[0]);

    // Accumulate out-of-place when create_graph is True
    r = computeGrad.apply(true);
    assertEqual(r[1], r[0]);
  }

  /** test_accumulate_grad_tensor_reference: the dense-to-dense case (sparse gradients do not exist here). */
  @Test
  void test_accumulate_grad_tensor_reference() {
    for (boolean createGraph : new boolean[] {false, true}) {
      // Accumulate dense gradient to dense gradient will preserve the `params.grad` reference, but only if
      // create_graph=False.
      Tensor params = tensor(1.5, 1.5).requiresGrad(true);
      params.setGrad(tensor(1.5, 1.5));
      Tensor gradSaved = params.grad();
      params.backward(tensor(1.5, 1.5), false, createGraph);
      assertEquals(!createGraph, gradSaved == params.grad(), "createGraph=" + createGraph);
    }
  }

  /** test_next_functions */
  @Test
  void test_next_functions() {
    Tensor x = randn(5, 5).requiresGrad(true);
    Tensor y = randn(5, 5).requiresGrad(true);

    Tensor a = x.add(y);
    assertNotNull(a.gradFn());
    Edge[] nextFunctions = a.gradFn().nextFunctions();
    assertEquals(2, nextFunctions.length);
    assertEquals("AccumulateGrad", nextFunctions[0].name());
    assertEquals(0, nextFunctions[0].outputNr());
    assertEquals("AccumulateGrad", nextFunctions[1].name());
    assertEquals(0, nextFunctions[1].outputNr());

    Tensor b = a.add(5);
    nextFunctions = b.gradFn().nextFunctions();
    // PyTorch lists the wrapped number 5 as a second input of AddBackward0, with no node
    assertSame(a.gradFn(), nextFunctions[0].node());
    for (int i = 1; i < nextFunctions.length; i++) {
      assertNull(nextFunctions[i].node());
    }
  }

  /** test_backward */
  @Test
  void test_backward() {
    Tensor v = randn(5, 5).requiresGrad(true);
    Tensor x = randn(5, 5).requiresGrad(true);
    Tensor y = rand(5, 5).add(0.1).requiresGrad(true);
    Tensor z = randn(5, 5).requiresGrad(true);
    Tensor gradOutput = randn(5, 5);

    v.backward(gradOutput);
    assertEqual(gradOutput, v.grad());

    Tensor a = x.add(y.mul(z)).add(z.pow(2).mul(4).mul(x).div(y));
    a.backward(gradOutput);
    Tensor xGrad = z.pow(2).mul(4).div(y).add(1);
    Tensor yGrad = z.sub(x.mul(4).mul(z.pow(2)).div(y.pow(2)));
    Tensor zGrad = x.mul(8).mul(z).div(y).add(y);
    assertEqual(xGrad.mul(gradOutput), x.grad());
    assertEqual(yGrad.mul(gradOutput), y.grad());
    assertEqual(zGrad.mul(gradOutput), z.grad());
  }

  /** test_backward_copy */
  @Test
  void test_backward_copy() {
    // a gradient buffered in three places must be summed without aliasing (an early engine bug)
    Tensor x = ones(5, 5).requiresGrad(true);
    Tensor y = ones(5, 5).requiresGrad(true);
    // Simulate that we're in the middle of the graph
    Tensor a = x.add(2);
    Tensor b = y.add(2);
    Tensor c = x.add(2);
    // This op will just return grad_output two times in backward
    Tensor add1 = a.add(b);
    Tensor add2 = add1.add(c);
    // Simulate a long branch, so grad_output will get buffered.
    for (int i = 0; i < 4; i++) {
      a = a.mul(2);
      b = b.mul(2);
      c = c.mul(2);
    }
    Tensor branch = a.add(b).add(c);
    Tensor out = add2.add(branch);
    // expected gradients are: for x: 34 (16 from final a, 16 from final c, 2 from add2); for y: 17
    out.backward(ones(5, 5));
    assertEqual(ones(5, 5).mul(34), x.grad());
    assertEqual(ones(5, 5).mul(17), y.grad());
  }
}
