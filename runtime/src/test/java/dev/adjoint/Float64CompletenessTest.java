package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Tensor.DType;
import dev.adjoint.nn.Dropout;
import dev.adjoint.nn.F;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The public operations that are not {@code @Primitive} rows (Float64RuleGoldenTest covers those, and the
 * in-place ones, against PyTorch): each runs on float64 inputs without the "not implemented for FLOAT64" error,
 * and gives what the same computation in double gives (exact values chosen so that float32 arithmetic would
 * differ: 0.1 and 1/3 are not floats).
 */
class Float64CompletenessTest {
  static final double THIRD = 1.0 / 3;

  static Tensor x() {
    return Tensor.of(DType.FLOAT64, new double[][] {{0.1, THIRD, -2.5}, {THIRD, 7.25, 0.1 + 1e-12}});
  }

  static Tensor mask() {
    return x().gt(0.2);
  }

  @TestFactory
  Stream<DynamicTest> everyNonPrimitiveOperationRunsInFloat64() {
    Map<String, Supplier<Object>> ops = new LinkedHashMap<>();
    ops.put("gt/lt/ge/le/eq/ne", () -> {
      Tensor x = x();
      assertArrayEquals(new double[] {0, 1, 0, 1, 1, 0}, x.gt(0.2).toDoubleArray());
      assertArrayEquals(new double[] {0, 1, 0, 1, 1, 1}, x.gt(0.1).toDoubleArray(), "0.1 + 1e-12 > 0.1 in double");
      assertArrayEquals(new double[] {0, 1, 0, 1, 0, 0}, x.eq(THIRD).toDoubleArray());
      assertEquals(DType.BOOL, x.lt(x.t().reshape(2, 3)).dtype());
      x.ge(0.0);
      x.le(0.0);
      return x.ne(THIRD);
    });
    ops.put("logicalNot, nonzero", () -> mask().logicalNot().nonzero());
    ops.put("argmax/argmin/argsort", () -> {
      Tensor x = x();
      assertArrayEquals(new double[] {1, 1}, x.argmax(1).toDoubleArray());
      assertArrayEquals(new double[] {0, 0, 0}, x.argmin(0).toDoubleArray());
      // 0.1 and 0.1 + 1e-12 round to one float: the order below needs double comparisons
      assertArrayEquals(new double[] {1, 0, 2}, Tensor.of(DType.FLOAT64, 0.1, 0.1 + 1e-12, 0.1 - 1e-12)
          .argsort(0, true).toDoubleArray());
      return x.argsort();
    });
    ops.put("sort/topk values", () -> {
      Tensor v = Tensor.of(DType.FLOAT64, 0.1, 0.1 + 1e-12, 0.1 - 1e-12).requiresGrad(true);
      Tensor.ValuesIndices s = v.sort(0, true);
      assertArrayEquals(new double[] {0.1 + 1e-12, 0.1, 0.1 - 1e-12}, s.values().toDoubleArray());
      s.values().mul(Tensor.of(DType.FLOAT64, 1, 2, 3)).sum().backward();
      assertArrayEquals(new double[] {2, 1, 3}, v.grad().toDoubleArray());
      return v.topk(2, 0, true, true);
    });
    ops.put("max/min with indices", () -> {
      assertArrayEquals(new double[] {THIRD, 7.25}, x().maxWithIndices(1, false).values().toDoubleArray());
      return x().minWithIndices(0, true);
    });
    ops.put("split/chunk/unbind", () -> {
      List<Tensor> parts = x().chunk(3, 1);
      assertEquals(THIRD, parts.get(1).getDouble(0, 0));
      x().split(1, 0);
      return x().unbind(1);
    });
    ops.put("in-place indexing", () -> {
      Tensor x = x();
      x.maskedFill_(mask(), THIRD);
      assertEquals(THIRD, x.getDouble(1, 1));
      x.indexPut_(new Tensor[] {Tensor.indices(0)}, 0.1);
      assertEquals(0.1, x.getDouble(0, 2));
      x.scatter_(1, Tensor.indices(2, 0).reshape(2, 1), THIRD);
      x.scatterAdd_(1, Tensor.indices(0, 1).reshape(2, 1), Tensor.of(DType.FLOAT64, new double[][] {{0.1}, {0.1}}));
      assertEquals(0.2, x.getDouble(0, 0));
      return x;
    });
    ops.put("where, allclose, clone, detach_", () -> {
      Tensor w = Tensor.where(mask(), x(), THIRD);
      assertEquals(THIRD, w.getDouble(0, 0));
      assertTrue(x().allclose(x(), 0, 0));
      return x().clone().detach_();
    });
    ops.put("F.maxPool2dWithIndices", () -> F.maxPool2dWithIndices(x().reshape(1, 1, 2, 3), new int[] {2},
        new int[] {1}, new int[] {0}, new int[] {1}, false));
    ops.put("Dropout (scale 1/(1 - p) in double)", () -> {
      Tensor y = new Dropout(0.3, new Generator(1)).forward(Tensor.ones(new int[] {1000}, DType.FLOAT64));
      for (double v : y.toDoubleArray()) {
        assertTrue(v == 0 || v == 1 / 0.7, "element " + v);
      }
      return y;
    });
    return ops.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
      Object r = e.getValue().get();
      if (r instanceof Tensor t && t.dtype().isFloatingPoint()) {
        assertEquals(DType.FLOAT64, t.dtype(), e.getKey() + " keeps float64");
      }
    }));
  }
}
