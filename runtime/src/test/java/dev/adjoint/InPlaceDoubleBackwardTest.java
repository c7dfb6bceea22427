package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Tensor.DType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Double backward (createGraph) through recorded in-place operations, directly and through a view
 * ({@code CopySlices}), and through a view regenerated after its base changed ({@code AsStridedBackward0}):
 * gradgradcheck in float64 for every in-place operation, as PyTorch's test_inplace_on_view_gradcheck does
 * for {@code mul_}. Each case first checks that the first gradient computed by the recorded formula
 * (createGraph) equals the plain adjoint's, then gradcheck and gradgradcheck.
 */
class InPlaceDoubleBackwardTest {
  private static final Tensor INDEX = Tensor.wrap(new float[] {1, 0, 0, 1, 1, 0}, new int[] {3, 2}, DType.INT64);

  /** An in-place change of {@code y} (a non-leaf) using {@code w}. */
  private static final Map<String, BiConsumer<Tensor, Tensor>> OPS = new LinkedHashMap<>();

  static {
    OPS.put("add_", (y, w) -> y.add_(w));
    OPS.put("add_broadcast", (y, w) -> y.add_(w.sum(0, true)));
    OPS.put("add_alpha", (y, w) -> y.add_(w, -0.5));
    OPS.put("sub_", (y, w) -> y.sub_(w));
    OPS.put("mul_", (y, w) -> y.mul_(w));
    OPS.put("mul_broadcast", (y, w) -> y.mul_(w.sum(0, true)));
    OPS.put("div_", (y, w) -> y.div_(w.mul(w).add(1)));
    OPS.put("copy_", (y, w) -> y.copy_(w.mul(w)));
    OPS.put("add_scalar", (y, w) -> y.add_(2.0).mul_(w));
    OPS.put("sub_scalar", (y, w) -> y.sub_(2.0).mul_(w));
    OPS.put("mul_scalar", (y, w) -> y.mul_(3.0).mul_(w));
    OPS.put("div_scalar", (y, w) -> y.div_(4.0).mul_(w));
    OPS.put("zero_", (y, w) -> y.zero_().add_(w.mul(w)));
    OPS.put("fill_", (y, w) -> y.fill_(0.5).mul_(w));
    OPS.put("neg_", (y, w) -> y.mul_(w).neg_());
    OPS.put("exp_", (y, w) -> y.mul_(w).exp_());
    OPS.put("log_", (y, w) -> y.abs_().add_(w.mul(w)).add_(0.5).log_());
    OPS.put("sqrt_", (y, w) -> y.abs_().add_(w.mul(w)).add_(0.5).sqrt_());
    OPS.put("abs_", (y, w) -> y.mul_(w).abs_());
    OPS.put("sin_", (y, w) -> y.mul_(w).sin_());
    OPS.put("cos_", (y, w) -> y.mul_(w).cos_());
    OPS.put("tanh_", (y, w) -> y.mul_(w).tanh_());
    OPS.put("sigmoid_", (y, w) -> y.mul_(w).sigmoid_());
    OPS.put("relu_", (y, w) -> y.mul_(w).relu_());
    OPS.put("pow_", (y, w) -> y.mul_(w).pow_(3));
    OPS.put("clamp_", (y, w) -> y.mul_(w).clamp_(-0.7, 0.6));
    OPS.put("indexPut_", (y, w) -> y.mul_(w).indexPut_(new Tensor[] {Tensor.indices(2, 0)},
        w.select(0, 1).mul(w.select(0, 1))));
    OPS.put("indexPut_accumulate", (y, w) -> y.mul_(w).indexPut_(
        new Tensor[] {Tensor.indices(0, 0), Tensor.indices(1, 1)}, w.select(1, 1).sum().mul(w.select(0, 0).sum()),
        true));
    OPS.put("indexPut_mask_number", (y, w) -> y.mul_(w).indexPut_(new Tensor[] {w.gt(0)}, 0.25));
    OPS.put("maskedFill_", (y, w) -> y.mul_(w).maskedFill_(w.lt(0), -1.5));
    OPS.put("scatter_", (y, w) -> y.mul_(w).scatter_(1, INDEX, w.slice(1, 0, 2).mul(w.slice(1, 0, 2))));
    OPS.put("scatterAdd_", (y, w) -> y.mul_(w).scatterAdd_(0, INDEX, w.slice(1, 0, 2).exp()));
    OPS.put("scatter_number", (y, w) -> y.mul_(w).scatter_(1, INDEX, 0.5));
  }

  /** Where the change happens: on the tensor, through a view of it, and then read through an earlier view. */
  private static final Map<String, Function<Tensor[], Tensor>> WHERE = new LinkedHashMap<>();

  static {
    for (Map.Entry<String, BiConsumer<Tensor, Tensor>> e : OPS.entrySet()) {
      BiConsumer<Tensor, Tensor> op = e.getValue();
      WHERE.put(e.getKey(), in -> {
        Tensor y = in[0].mul(1.0);
        op.accept(y, in[1]);
        return y.mul(in[0]);
      });
      WHERE.put(e.getKey() + " on a view (CopySlices)", in -> {
        Tensor y = in[0].mul(1.0);
        op.accept(y.narrow(1, 1, 2), in[1].narrow(1, 0, 2));
        return y.mul(in[0]);
      });
      WHERE.put(e.getKey() + " read through an earlier view (AsStridedBackward0)", in -> {
        Tensor y = in[0].mul(1.0);
        Tensor v = y.t().slice(0, 1, 3);
        op.accept(y, in[1]);
        return v.mul(v);
      });
    }
  }

  static Tensor[] inputs() {
    Tensor x = Tensor.randn(new Generator(31), new int[] {3, 3}, DType.FLOAT64).requiresGrad(true);
    Tensor w = Tensor.randn(new Generator(32), new int[] {3, 3}, DType.FLOAT64).requiresGrad(true);
    return new Tensor[] {x, w};
  }

  @TestFactory
  List<DynamicTest> gradgradcheckOfEveryInPlaceOperation() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Map.Entry<String, Function<Tensor[], Tensor>> e : WHERE.entrySet()) {
      Function<Tensor[], Tensor> f = e.getValue();
      tests.add(DynamicTest.dynamicTest(e.getKey(), () -> {
        Tensor[] in = inputs();
        Tensor out = f.apply(in);
        Tensor v = Tensor.randn(new Generator(33), out.shape(), DType.FLOAT64);
        Tensor[] plain = Autograd.grad(new Tensor[] {out}, in, new Tensor[] {v}, true, false, false);
        Tensor[] recorded = Autograd.grad(new Tensor[] {f.apply(in)}, in, new Tensor[] {v}, true, true, false);
        for (int i = 0; i < in.length; i++) {
          assertArrayEquals(plain[i].toDoubleArray(), recorded[i].toDoubleArray(), 1e-12,
              "the recorded formula's first gradient is the adjoint's, input " + i);
        }
        assertTrue(Autograd.gradcheck(f, in));
        assertTrue(Autograd.gradgradcheck(f, in));
      }));
    }
    return tests;
  }

  /** The node names stay PyTorch's: the recorded formula changes only what createGraph records. */
  @TestFactory
  List<DynamicTest> nodeNamesUnchanged() {
    Map<String, String> expected = Map.of("mul_", "MulBackward0", "exp_", "ExpBackward0", "copy_", "CopyBackwards");
    List<DynamicTest> tests = new ArrayList<>();
    for (Map.Entry<String, String> e : expected.entrySet()) {
      tests.add(DynamicTest.dynamicTest(e.getKey(), () -> {
        Tensor[] in = inputs();
        Tensor y = in[0].mul(1.0);
        switch (e.getKey()) {
          case "mul_" -> y.mul_(in[1]);
          case "exp_" -> y.exp_();
          default -> y.copy_(in[1]);
        }
        assertEquals(e.getValue(), y.gradFn().name());
        Tensor z = in[0].mul(1.0);
        Tensor view = z.narrow(0, 0, 2);
        view.mul_(in[1].narrow(0, 0, 2));
        assertEquals("CopySlices", z.gradFn().name());
        assertEquals("AsStridedBackward0", view.gradFn().name());
      }));
    }
    return tests;
  }
}
