package dev.adjoint.autograd;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import org.junit.jupiter.api.Test;

/**
 * PyTorch 1.13's {@code TestAutograd} tests of {@code gradcheck}/{@code gradgradcheck}, translated test by test
 * (conventions in {@link TestAutogradGradTest}). Our gradcheck is PyTorch's slow mode: each test's
 * {@code check(fast_mode=True)} and {@code check(fast_mode=False)} run the same check here. Python's
 * {@code AssertionError} from gradcheck's input checks reads {@link RuntimeException}.
 *
 * <pre>
 * test                                                   status
 * test_gradcheck_single_input                            translated, passes
 * test_gradcheck_nondeterministic                        translated, passes (fixed: reentrancy check, nondetTol)
 * test_gradcheck_validates_inputs                        translated (dense cases), passes; sparse/stride-0 n/a
 * test_gradcheck_check_no_differentiable_outputs         translated, passes (fixed: zero numerical gradient check)
 * test_gradcheck_backward_mul_by_grad_output             translated (dense case), passes (fixed: the check)
 * test_gradcheck_jacobian_mismatch                       translated (real case), passes; complex n/a
 * test_gradcheck_output_shape_or_dtype_depend_on_values  translated (shape case), passes (fixed); dtype case n/a
 * test_gradcheck_custom_error                            translated, passes
 * test_unrelated_inputs                                  translated, passes
 * test_gradcheck_sparse_input, _test_outputs, _check_batched_grad, _dense_and_sparse_inputs,
 * _multiple_mkldnn_inputs, _validates_input_mkldnn       n/a: sparse and MKL-DNN tensors
 * test_gradcheck_complex_non_complex_outputs             n/a: complex dtypes
 * test_gradcheck_undefined_grad                          n/a: check_undefined_grad (hooks never see None here)
 * test_gradcheck_get_numerical_jacobian, _get_analytical_jacobian  n/a: deprecated private helpers
 * test_gradcheck_forward_ad*, _check_forward_or_backward_only  n/a: check_forward_ad (forward AD in gradcheck)
 * </pre>
 */
class TestAutogradGradcheckTest extends TorchCase {

  /** test_gradcheck_single_input */
  @Test
  void test_gradcheck_single_input() {
    for (int fastMode = 0; fastMode < 2; fastMode++) {
      java.util.function.Function<Tensor[], Tensor> f = in -> in[0].mul(5);
      assertTrue(Autograd.gradcheck(f, rand(10).requiresGrad(true)));
      assertTrue(Autograd.gradgradcheck(f, rand(10).requiresGrad(true)));
    }
  }

  /** test_gradcheck_nondeterministic's NonDetFunc: identity whose backward jitters by {@code jitter}. */
  static final class NonDetFunc extends Function {
    @Override
    public Tensor[] forward(Ctx ctx, Object... in) {
      ctx.put("jitter", in[1]);
      return new Tensor[] {(Tensor) in[0]};
    }

    @Override
    public Tensor[] backward(Ctx ctx, Tensor... g) {
      double jitter = ctx.get("jitter");
      Tensor gradOut = g[0];
      Tensor noise = Tensor.rand(Generator.defaultGenerator(), gradOut.shape(), gradOut.dtype()).mul(jitter).add(1);
      return new Tensor[] {new NonDetFunc().apply(gradOut, jitter).mul(noise), null};
    }
  }

  /** test_gradcheck_nondeterministic */
  @Test
  void test_gradcheck_nondeterministic() {
    for (int fastMode = 0; fastMode < 2; fastMode++) {
      Tensor inp = randn(5, 5).requiresGrad(true);
      assertTrue(Autograd.gradcheck(x -> new NonDetFunc().apply(x[0], 0.0), inp));
      assertRaisesRegex(RuntimeException.class, "Backward is not reentrant",
          () -> Autograd.gradcheck(x -> new NonDetFunc().apply(x[0], 1e-6), inp));
      assertRaisesRegex(RuntimeException.class, "Backward is not reentrant",
          () -> Autograd.gradgradcheck(x -> new NonDetFunc().apply(x[0], 1e-12), inp));
      assertTrue(Autograd.gradcheck(x -> new NonDetFunc().apply(x[0], 0.0), new Tensor[] {inp}, 1e-6, 1e-5, 1e-3,
          1e-5, true));
      assertTrue(Autograd.gradcheck(x -> new NonDetFunc().apply(x[0], 1e-6), new Tensor[] {inp}, 1e-6, 1e-5, 1e-3,
          1e-5, true));
      assertTrue(Autograd.gradgradcheck(x -> new NonDetFunc().apply(x[0], 1e-12), new Tensor[] {inp}, 1e-6, 1e-5,
          1e-3, 1e-5, true));
    }
  }

  /** test_gradcheck_validates_inputs: the dense cases. */
  @Test
  void test_gradcheck_validates_inputs() {
    for (int fastMode = 0; fastMode < 2; fastMode++) {
      // when none of the inputs require grad (always raises even if raise_exception=False)
      Tensor x = rand(10);
      assertRaisesRegex(IllegalArgumentException.class, "at least one input tensor to require gradient",
          () -> Autograd.gradcheck(t -> t[0], new Tensor[] {x}, 1e-6, 1e-5, 1e-3, false));

      // (warning) when inputs are not double precision: our gradcheck still runs, and passes with atol=1e-1
      Tensor x32 = Tensor.ones(1).requiresGrad(true);
      assertTrue(Autograd.gradcheck(t -> t[0], new Tensor[] {x32}, 1e-6, 1e-1, 1e-3, true));
    }
  }

  /** test_gradcheck_check_no_differentiable_outputs */
  @Test
  void test_gradcheck_check_no_differentiable_outputs() {
    for (int fastMode = 0; fastMode < 2; fastMode++) {
      // When none of the outputs are differentiable, but numerical gradient is not zero
      Tensor x = ones(1).requiresGrad(true);
      java.util.function.Function<Tensor[], Tensor> copy = t -> Tensor.of(Tensor.DType.FLOAT64,
          t[0].toDoubleArray()); // torch.tensor([x]): a new tensor, not recorded
      assertRaisesRegex(RuntimeException.class, "Numerical gradient for function expected to be zero",
          () -> Autograd.gradcheck(copy, x));
      assertFalse(Autograd.gradcheck(copy, new Tensor[] {x}, 1e-6, 1e-5, 1e-3, false));

      // succeed when no outputs at all
      assertTrue(Autograd.gradcheckAll(t -> new Tensor[0], new Tensor[] {x}, 1e-6, 1e-5, 1e-3, true));
    }
  }

  /** test_gradcheck_backward_mul_by_grad_output: the dense case (fn2). */
  @Test
  void test_gradcheck_backward_mul_by_grad_output() {
    for (int fastMode = 0; fastMode < 2; fastMode++) {
      // when backward not multiplied by grad_output (non-sparse case)
      java.util.function.Function<Tensor[], Tensor> fn2 = t -> {
        Tensor y = t[0].clone();
        y.registerHook(g -> g.add(1e-2));
        return y;
      };
      Tensor x = ones(1).requiresGrad(true);
      assertRaisesRegex(RuntimeException.class, "backward not multiplied by grad_output",
          () -> Autograd.gradcheck(fn2, new Tensor[] {x}, 1e-6, 1e-1, 1e-3, true));
      assertFalse(Autograd.gradcheck(fn2, new Tensor[] {x}, 1e-6, 1e-1, 1e-3, false));
    }
  }

  /** test_gradcheck_jacobian_mismatch: the real case (fn). */
  @Test
  void test_gradcheck_jacobian_mismatch() {
    for (int fastMode = 0; fastMode < 2; fastMode++) {
      java.util.function.Function<Tensor[], Tensor> fn = t -> {
        Tensor y = t[0].clone();
        y.registerHook(g -> g.add(1e-2));
        return y;
      };
      Tensor x = ones(2, 2).requiresGrad(true);
      assertRaisesRegex(RuntimeException.class, "Jacobian mismatch for output 0 with respect to input 0",
          () -> Autograd.gradcheck(fn, x));
      assertFalse(Autograd.gradcheck(fn, new Tensor[] {x}, 1e-6, 1e-5, 1e-3, false));
    }
  }

  /** test_gradcheck_output_shape_or_dtype_depend_on_values: the shape case. */
  @Test
  void test_gradcheck_output_shape_or_dtype_depend_on_values() {
    for (int fastMode = 0; fastMode < 2; fastMode++) {
      java.util.function.Function<Tensor[], Tensor> fn = t -> {
        boolean all = true;
        for (double v : t[0].toDoubleArray()) {
          all &= v >= 1;
        }
        return all ? Tensor.cat(java.util.List.of(t[0], t[0]), 0) : t[0];
      };
      Tensor a = ones(1).requiresGrad(true);
      assertRaisesRegex(RuntimeException.class, "return outputs with the same shape when inputs are perturbed",
          () -> Autograd.gradcheck(fn, a));
    }
  }

  /** test_gradcheck_custom_error */
  @Test
  void test_gradcheck_custom_error() {
    for (int fastMode = 0; fastMode < 2; fastMode++) {
      java.util.function.Function<Tensor[], Tensor> fn = t -> {
        Tensor y = t[0].clone();
        y.registerHook(g -> g.add(1e-2));
        return y;
      };
      Tensor x = ones(2, 2).requiresGrad(true);
      // GradcheckError is a RuntimeError
      RuntimeException e = assertRaisesRegex(RuntimeException.class,
          "Jacobian mismatch for output 0 with respect to input 0", () -> Autograd.gradcheck(fn, x));
      assertTrue(e.getClass().getSimpleName().equals("GradcheckError"), e.getClass().getName());
      assertFalse(Autograd.gradcheck(fn, new Tensor[] {x}, 1e-6, 1e-5, 1e-3, false));

      java.util.function.Function<Tensor[], Tensor> fn2 = t -> {
        throw new IllegalStateException("Not a GradcheckError!");
      };
      // Checks that when raise_exception=False, non-GradcheckErrors are not caught by gradcheck
      assertRaisesRegex(RuntimeException.class, "Not a GradcheckError!",
          () -> Autograd.gradcheck(fn2, new Tensor[] {x}, 1e-6, 1e-5, 1e-3, false));
    }
  }

  /** test_unrelated_inputs */
  @Test
  void test_unrelated_inputs() {
    // grad(grad)check runs successfully even if there is an unrelated (but differentiable) input
    java.util.function.Function<Tensor[], Tensor> myFunction = t -> t[0].mul(t[0]);
    Tensor x = rand(10).requiresGrad(true);
    Tensor y = rand(10).requiresGrad(true);
    assertTrue(Autograd.gradcheck(myFunction, x, y));
    assertTrue(Autograd.gradgradcheck(myFunction, x, y));
    assertThrows(RuntimeException.class, () -> Autograd.gradcheck(t -> {
      Tensor r = t[0].clone();
      r.registerHook(g -> g.mul(2));
      return r;
    }, x, y));
  }
}
