package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.adjoint.Tensor.ValuesIndices;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Issue 13's indexing operations that return values and indices ({@code sort}, {@code topk},
 * {@code maxWithIndices}, {@code minWithIndices}, {@code argsort}, {@code argmin}) and the in-place ones
 * (setitem through {@code indexPut_}, {@code maskedFill_}, {@code scatter_}, {@code scatterAdd_}) against
 * PyTorch 1.13 ({@code goldens/indexing.json}: values, indices exactly, node names, gradients to 1e-5), and
 * the errors PyTorch raises, with its wording. The out-of-place primitives are rows of {@link
 * RuleGradientTest} ({@link IndexingRows}).
 */
class IndexingGoldenTest {
  private static final double RTOL = 1e-5;

  private static JsonObject goldens() {
    return Goldens.load("indexing.json");
  }

  private static final java.util.Map<String, Function<Tensor, ValuesIndices>> ORDERINGS = java.util.Map.ofEntries(
      java.util.Map.entry("sort_dim1", x -> x.sort(1, false)),
      java.util.Map.entry("sort_dim0_desc", x -> x.sort(0, true)),
      java.util.Map.entry("sort_ties_stable", x -> x.sort(1, false, true)),
      java.util.Map.entry("sort_ties_desc_stable", x -> x.sort(1, true, true)),
      java.util.Map.entry("sort_nan", x -> x.sort(0, false)),
      java.util.Map.entry("sort_3d", x -> x.sort(-2, false)),
      java.util.Map.entry("topk", x -> x.topk(2)),
      java.util.Map.entry("topk_smallest_dim0", x -> x.topk(3, 0, false, true)),
      java.util.Map.entry("max_dim", x -> x.maxWithIndices(1, false)),
      java.util.Map.entry("max_dim_keep", x -> x.maxWithIndices(0, true)),
      java.util.Map.entry("max_dim_ties", x -> x.maxWithIndices(1, false)),
      java.util.Map.entry("min_dim", x -> x.minWithIndices(-1, false)),
      java.util.Map.entry("min_dim_ties", x -> x.minWithIndices(1, true)));

  @TestFactory
  List<DynamicTest> orderingsMatchPyTorch() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement e : goldens().getAsJsonArray("orderings")) {
      JsonObject c = e.getAsJsonObject();
      String id = c.get("id").getAsString();
      tests.add(DynamicTest.dynamicTest(id, () -> checkOrdering(id, c)));
    }
    assertEquals(ORDERINGS.size() + 3, tests.size(), "every ordering case has a call");
    return tests;
  }

  private static void checkOrdering(String id, JsonObject c) {
    Tensor x = Goldens.tensor(c.get("x"));
    Tensor expected = Goldens.tensor(c.get("indices"));
    if (!c.has("values")) {
      Tensor indices = id.equals("argmin") ? x.argmin(c.get("dim").getAsInt())
          : x.argsort(c.get("dim").getAsInt(), c.get("descending").getAsBoolean());
      assertIndices(expected, indices);
      return;
    }
    x.requiresGrad(true);
    ValuesIndices r = ORDERINGS.get(id).apply(x);
    assertIndices(expected, r.indices());
    assertFalse(r.indices().requiresGrad(), "indices never require grad");
    close("values", Goldens.tensor(c.get("values")), r.values());
    assertEquals(c.get("gradFn").getAsString(), r.values().gradFn().name(), "node name");
    r.values().backward(Goldens.tensor(c.get("upstream")));
    close("gradient", Goldens.tensor(c.get("grad")), x.grad());
  }

  private static void assertIndices(Tensor expected, Tensor actual) {
    assertEquals(Tensor.DType.INT64, actual.dtype());
    assertArrayEquals(expected.shape(), actual.shape(), "indices shape");
    assertArrayEquals(expected.toFloatArray(), actual.toFloatArray(), "indices");
  }

  private static void close(String what, Tensor expected, Tensor actual) {
    assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
    RuleGradientTest.assertClose(what, expected.toFloatArray(), actual.toFloatArray(), RTOL,
        RuleGradientTest.GOLDEN_ATOL);
  }

  private static final java.util.Map<String, BiConsumer<Tensor, Tensor>> IN_PLACE = java.util.Map.of(
      "setitem_mask", (y, v) -> y.indexPut_(new Tensor[] {y.gt(0)}, 0.0),
      "setitem_rows", (y, v) -> y.indexPut_(new Tensor[] {Tensor.indices(2, 0)}, v),
      "setitem_cols", (y, v) -> y.indexPut_(new Tensor[] {null, Tensor.indices(1, 3)}, v),
      "index_put_acc", (y, v) -> y.indexPut_(new Tensor[] {Tensor.indices(1, 1, 3)}, v, true),
      "masked_fill_", (y, v) -> y.maskedFill_(Tensor.of(1, 0, 1, 0, 0, 1).reshape(2, 3).gt(0.5), 2.0),
      "scatter_", (y, v) -> y.scatter_(1, longs(new int[] {3, 2}, 0, 3, 1, 2, 2, 0), v),
      "scatter_add_", (y, v) -> y.scatterAdd_(0, longs(new int[] {2, 4}, 2, 0, 1, 1, 2, 2, 0, 1), v),
      "scatter_value_", (y, v) -> y.scatter_(1, longs(new int[] {3, 1}, 0, 3, 1), -1.0));

  static Tensor longs(int[] shape, int... values) {
    float[] d = new float[values.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = values[i];
    }
    return Tensor.wrap(d, shape, Tensor.DType.INT64);
  }

  @TestFactory
  List<DynamicTest> inPlaceOperationsMatchPyTorch() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonElement e : goldens().getAsJsonArray("inplace")) {
      JsonObject c = e.getAsJsonObject();
      String id = c.get("id").getAsString();
      tests.add(DynamicTest.dynamicTest(id, () -> {
        Tensor x = Goldens.tensor(c.get("x")).requiresGrad(true);
        Tensor v = c.has("v") ? Goldens.tensor(c.get("v")).requiresGrad(true) : null;
        Tensor y = x.mul(1.0);
        int version = y.version();
        IN_PLACE.get(id).accept(y, v);
        assertEquals(version + 1, y.version(), "one in-place change counted");
        close("result", Goldens.tensor(c.get("out")), y);
        // PyTorch's Python setitem with a leading ':' writes through a view (CopySlices); indexPut_ is
        // ATen's index_put_ with a null (full-slice) index and records IndexPutBackward0 (DECISIONS.md)
        String node = c.get("gradFn").getAsString();
        assertEquals(node.equals("CopySlices") ? "IndexPutBackward0" : node, y.gradFn().name(), "node name");
        y.backward(Goldens.tensor(c.get("upstream")));
        close("gradient of x", Goldens.tensor(c.get("gradX")), x.grad());
        if (v != null) {
          close("gradient of the values", Goldens.tensor(c.get("gradV")), v.grad());
        }
      }));
    }
    assertEquals(IN_PLACE.size(), tests.size());
    return tests;
  }

  // ---- semantics and errors

  @Test
  void comparisonsAreBoolMasksThatPrintAsPyTorch() {
    Tensor m = Tensor.of(1f, -2f, 3f).gt(0);
    assertEquals(Tensor.DType.BOOL, m.dtype());
    assertEquals("tensor([ True, False,  True])", m.toString());
    assertEquals("tensor([True, True])", Tensor.of(1f, 2f).ge(Tensor.of(0f, 2f)).toString());
    assertEquals("tensor([False,  True])", Tensor.of(1f, 2f).gt(1.5).toString());
    // arithmetic with a mask treats it as 0/1 floats
    assertArrayEquals(new float[] {0.4f, 0f, 0.4f}, m.mul(0.4).toFloatArray());
    assertThrows(IllegalStateException.class, () -> m.requiresGrad(true));
  }

  @Test
  void maskIndexingSelectsInRowMajorOrder() {
    Tensor x = Tensor.of(new float[][] {{1, -2, 3}, {-4, 5, -6}}).requiresGrad(true);
    Tensor pos = x.index(x.gt(0));
    assertArrayEquals(new float[] {1, 3, 5}, pos.toFloatArray());
    assertEquals("IndexBackward0", pos.gradFn().name());
    pos.sum().backward();
    assertArrayEquals(new float[] {1, 0, 1, 0, 1, 0}, x.grad().toFloatArray());
  }

  @Test
  void indexErrorsUsePyTorchsWording() {
    Tensor x = Tensor.zeros(3, 4);
    var out = assertThrows(IndexOutOfBoundsException.class, () -> x.index(Tensor.indices(5)));
    assertEquals("index: index 5 is out of bounds for dimension 0 with size 3", out.getMessage());
    var many = assertThrows(IndexOutOfBoundsException.class,
        () -> x.index(Tensor.indices(0), Tensor.indices(0), Tensor.indices(0)));
    assertTrue(many.getMessage().contains("too many indices for tensor of dimension 2"), many.getMessage());
    var mask = assertThrows(IndexOutOfBoundsException.class, () -> x.index(Tensor.zeros(4).eq(0)));
    assertTrue(mask.getMessage().contains("The shape of the mask [4] at index 0 does not match the shape of the "
        + "indexed tensor [3, 4] at index 0"), mask.getMessage());
    var floats = assertThrows(IllegalArgumentException.class, () -> x.index(Tensor.of(0f)));
    assertTrue(floats.getMessage().contains("tensors used as indices must be long, int, byte or bool tensors"));
    var gather = assertThrows(IndexOutOfBoundsException.class, () -> x.gather(1, longs(new int[] {3, 1}, 0, -1, 4)));
    assertEquals("gather: index -1 is out of bounds for dimension 1 with size 4", gather.getMessage());
    var dtype = assertThrows(IllegalArgumentException.class,
        () -> x.gather(1, Tensor.wrap(new float[3], new int[] {3, 1})));
    assertTrue(dtype.getMessage().startsWith("gather: Expected dtype int64 for index"), dtype.getMessage());
    var put = assertThrows(IllegalArgumentException.class,
        () -> x.indexPut_(new Tensor[] {Tensor.indices(0, 1)}, Tensor.zeros(3)));
    assertTrue(put.getMessage().contains("shape mismatch: value tensor of shape [3] cannot be broadcast to "
        + "indexing result of shape [2, 4]"), put.getMessage());
    var topk = assertThrows(IllegalArgumentException.class, () -> x.topk(5));
    assertTrue(topk.getMessage().startsWith("topk: selected index k out of range"), topk.getMessage());
  }

  @Test
  void inPlaceIndexingOnALeafThatRequiresGradFailsAsInPyTorch() {
    Tensor w = Tensor.zeros(3).requiresGrad(true);
    var e = assertThrows(IllegalStateException.class, () -> w.indexPut_(new Tensor[] {Tensor.indices(0)}, 1.0));
    assertTrue(e.getMessage().startsWith("indexPut_: a leaf Variable that requires grad is being used in an "
        + "in-place operation"), e.getMessage());
    try (var g = Autograd.noGrad()) {
      w.indexPut_(new Tensor[] {Tensor.indices(0)}, 1.0);
    }
    assertArrayEquals(new float[] {1, 0, 0}, w.toFloatArray());
    assertNull(w.gradFn());
  }

  @Test
  void setitemOnAPlainTensorMakesItRequireGradThroughTheValues() {
    // PyTorch: a = zeros(3); a[idx] = b (b requires grad) makes a require grad, IndexPutBackward0
    Tensor a = Tensor.zeros(3);
    Tensor b = Tensor.of(2f, 3f).requiresGrad(true);
    a.indexPut_(new Tensor[] {Tensor.indices(2, 0)}, b);
    assertTrue(a.requiresGrad());
    assertEquals("IndexPutBackward0", a.gradFn().name());
    a.mul(Tensor.of(1f, 10f, 100f)).sum().backward();
    assertArrayEquals(new float[] {100, 1}, b.grad().toFloatArray());
  }

  @Test
  void aSavedIndexChangedInPlaceFailsBackward() {
    Tensor x = Tensor.of(1f, 2f, 3f).requiresGrad(true);
    Tensor idx = Tensor.indices(2, 0);
    Tensor y = x.index(idx);
    idx.add_(0.0);
    assertThrows(IllegalStateException.class, () -> y.sum().backward());
  }
}
