package dev.adjoint.autograd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import org.junit.jupiter.api.Test;

/**
 * PyTorch 1.13's {@code TestAutograd} tests of anomaly mode ({@code torch.autograd.detect_anomaly}), translated
 * test by test (conventions in {@link TestAutogradGradTest}). PyTorch prints the forward traceback as a
 * warning next to the error; here it is part of the exception's message, so the asserts on the warning's text
 * ("MyFunc.apply" in the trace, "No forward pass information" without one) read the message.
 *
 * <pre>
 * test                                      status
 * test_anomaly_detect_nan                   translated, passes (fixed: "1th output", as PyTorch spells it)
 * test_nested_anomaly_detect_nan            translated, passes
 * test_anomaly_grad_warnings                translated, passes
 * test_anomaly_mode_no_check_nan            translated, passes (fixed: detectAnomaly(checkNan))
 * test_anomaly_assign_parent_cleanup        n/a: Python reference cycles through grad_fn.metadata
 * test_nested_anomaly_printstack_cleanup    n/a: same
 * </pre>
 */
class TestAutogradAnomalyTest extends TorchCase {
  private static final int SIZE = 10;

  /** test_anomaly_detect_nan's MyFunc: forward sums, backward makes a NaN in gradient 0 or 1. */
  static final class MyFunc extends Function {
    @Override
    public Tensor[] forward(Ctx ctx, Object... in) {
      ctx.put("fail_0th", in[2]);
      return new Tensor[] {((Tensor) in[0]).sum(0, true)};
    }

    @Override
    public Tensor[] backward(Ctx ctx, Tensor... gO) {
      Tensor gI = gO[0].clone().expand(SIZE).clone();
      gI.mutableStorageF64("test")[0] = 0;
      gI.mutableStorageF64("test")[0] /= 0; // Generate a nan
      if (ctx.<Boolean>get("fail_0th")) {
        return new Tensor[] {gI, null, null};
      }
      return new Tensor[] {null, gI, null};
    }
  }

  /** test_anomaly_detect_nan */
  @Test
  void test_anomaly_detect_nan() {
    Tensor inp = rand(SIZE).requiresGrad(true);
    Tensor out = new MyFunc().apply(inp, inp, true);
    out.backward(); // Should not fail

    Tensor inp2 = rand(SIZE).requiresGrad(true);
    Tensor out2 = new MyFunc().apply(inp2, inp2, true);
    RuntimeException e = assertRaisesRegex(RuntimeException.class,
        "Function 'MyFuncBackward' returned nan values in its 0th output.", () -> {
          try (var a = Autograd.detectAnomaly()) {
            out2.backward();
          }
        });
    // made outside anomaly mode: "No forward pass information"
    assertTrue(e.getMessage().contains("Run the forward inside Autograd.detectAnomaly()"), e.getMessage());

    Tensor inp3 = rand(SIZE).requiresGrad(true);
    e = assertRaisesRegex(RuntimeException.class, "Function 'MyFuncBackward' returned nan values in its 1th output.",
        () -> {
          try (var a = Autograd.detectAnomaly()) {
            Tensor out3 = new MyFunc().apply(inp3, inp3, false);
            out3.backward();
          }
        });
    // the forward's trace names the user's call ("MyFunc.apply" in PyTorch's warning)
    assertTrue(e.getMessage().contains("TestAutogradAnomalyTest"), e.getMessage());
  }

  /** test_nested_anomaly_detect_nan's MyFunc2: its backward makes a NaN in gradient 0 or 1. */
  static final class MyFunc2 extends Function {
    @Override
    public Tensor[] forward(Ctx ctx, Object... in) {
      ctx.put("fail_0th", in[2]);
      return new Tensor[] {((Tensor) in[0]).mul(2.0).add((Tensor) in[1])};
    }

    @Override
    public Tensor[] backward(Ctx ctx, Tensor... gO) {
      boolean fail0th = ctx.get("fail_0th");
      Tensor g1 = gO[0].clone();
      Tensor g2 = gO[0].clone();
      try (var g = Autograd.noGrad()) {
        g1.select(0, 0).fill_(0);
        g2.select(0, 0).fill_(0);
        // generate a nan
        if (fail0th) {
          g1.select(0, 0).div_(0.0);
        } else {
          g2.select(0, 0).div_(0.0);
        }
      }
      return new Tensor[] {g1, g2, null};
    }
  }

  /** test_nested_anomaly_detect_nan's MyFunc: its backward is made of MyFunc2. */
  static final class NestedFunc extends Function {
    @Override
    protected String nodeName() {
      return "MyFuncBackward";
    }

    @Override
    public Tensor[] forward(Ctx ctx, Object... in) {
      ctx.put("fail_0th", in[1]);
      ctx.saveForBackward((Tensor) in[0]);
      return new Tensor[] {((Tensor) in[0]).sum(0, true)};
    }

    @Override
    public Tensor[] backward(Ctx ctx, Tensor... gO) {
      Tensor inp = ctx.savedTensors()[0];
      boolean fail0th = ctx.get("fail_0th");
      Tensor g = gO[0].clone().expand(SIZE);
      Tensor gI = new MyFunc2().apply(g.mul(inp), g.add(inp), fail0th);
      return new Tensor[] {gI, null};
    }
  }

  /** test_nested_anomaly_detect_nan */
  @Test
  void test_nested_anomaly_detect_nan() {
    Tensor inp = rand(SIZE).requiresGrad(true);
    Tensor out = new NestedFunc().apply(inp, true);
    Tensor ginp = Autograd.grad(new Tensor[] {out}, new Tensor[] {inp}, null, true)[0];
    Tensor gsum = ginp.sum();
    gsum.backward(); // should not fail

    Tensor inp2 = rand(SIZE).requiresGrad(true);
    Tensor out2 = new NestedFunc().apply(inp2, true);
    Tensor ginp2 = Autograd.grad(new Tensor[] {out2}, new Tensor[] {inp2}, null, true)[0];
    Tensor gsum2 = ginp2.sum();
    RuntimeException e = assertRaisesRegex(RuntimeException.class,
        "Function 'MyFunc2Backward' returned nan values in its 0th output.", () -> {
          try (var a = Autograd.detectAnomaly()) {
            gsum2.backward();
          }
        });
    assertTrue(e.getMessage().contains("Run the forward inside Autograd.detectAnomaly()"), e.getMessage());

    Tensor inp3 = rand(SIZE).requiresGrad(true);
    e = assertRaisesRegex(RuntimeException.class, "Function 'MyFunc2Backward' returned nan values in its 1th output.",
        () -> {
          try (var a = Autograd.detectAnomaly()) {
            Tensor out3 = new NestedFunc().apply(inp3, false);
            Tensor ginp3 = Autograd.grad(new Tensor[] {out3}, new Tensor[] {inp3}, null, true)[0];
            Tensor gsum3 = ginp3.sum();
            gsum3.backward();
          }
        });
    // MyFunc2's node was made inside MyFunc's backward: its trace names that call ("MyFunc2.apply")
    assertTrue(e.getMessage().contains("NestedFunc.backward"), e.getMessage());
  }

  /** test_anomaly_grad_warnings: the in-place error in anomaly mode names the node (PowBackward0). */
  @Test
  void test_anomaly_grad_warnings() {
    RuntimeException e = assertRaisesRegex(RuntimeException.class,
        "one of the variables needed for gradient computation has been modified by an inplace operation", () -> {
          try (var an = Autograd.detectAnomaly()) {
            Tensor a = randn(5).requiresGrad(true);
            Tensor d1 = a.add(1);
            Tensor d2 = d1.pow(2);
            d1.add_(1);
            Autograd.grad(d2.sum(), a);
          }
        });
    // "Error detected in PowBackward0"
    assertTrue(e.getMessage().contains("PowBackward0"), e.getMessage());
  }

  /** test_anomaly_mode_no_check_nan */
  @Test
  void test_anomaly_mode_no_check_nan() {
    final class NanFunc extends Function {
      @Override
      protected String nodeName() {
        return "MyFuncBackward";
      }

      @Override
      public Tensor[] forward(Ctx ctx, Object... in) {
        return new Tensor[] {((Tensor) in[0]).clone()};
      }

      @Override
      public Tensor[] backward(Ctx ctx, Tensor... gO) {
        return new Tensor[] {scalar(Double.NaN).expand(10, 10)};
      }
    }
    java.util.function.UnaryOperator<Tensor> runFn = a -> new NanFunc().apply(a).sum();

    try (var an = Autograd.detectAnomaly(false)) {
      Tensor inp = rand(10, 10).requiresGrad(true);
      Tensor out = runFn.apply(inp);
      out.backward(null, true);

      try (var an2 = Autograd.detectAnomaly(true)) {
        assertRaisesRegex(RuntimeException.class, "Function 'MyFuncBackward' returned nan values in its 0th output.",
            () -> out.backward(null, true));
      }

      out.backward();
    }
  }
}
