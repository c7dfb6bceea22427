package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Views and in-place changes through them against PyTorch 1.13 (goldens/views.json, written by
 * {@code src/test/python/view_goldens.py}). For every view operation: {@code x = leaf.clone(); v = view(x);
 * v.mul_(w)}, then backward through the base or through the view; the values, the node names ({@code
 * CopySlices} on the base, {@code AsStridedBackward0} on the view), their next functions and the gradients
 * of the leaf and of {@code w} must be PyTorch's (1e-5 relative). Then test_autograd.py's gradcheck cases on
 * views, with PyTorch's gradients.
 */
class ViewGoldenTest {
  static final JsonObject G = Goldens.load("views.json");

  static final Map<String, Function<Tensor, Tensor>> VIEWS = Map.ofEntries(
      Map.entry("view", x -> x.view(3, 2)),
      Map.entry("reshape", x -> x.reshape(6)),
      Map.entry("t", Tensor::t),
      Map.entry("transpose", x -> x.transpose(0, 2)),
      Map.entry("permute", x -> x.permute(1, 2, 0)),
      Map.entry("select", x -> x.select(1, 2)),
      Map.entry("slice", x -> x.slice(0, 1, 4)),
      Map.entry("slice_step", x -> x.slice(1, 1, 7, 2)),
      Map.entry("narrow", x -> x.narrow(1, 1, 2)),
      Map.entry("squeeze", Tensor::squeeze),
      Map.entry("unsqueeze", x -> x.unsqueeze(0)),
      Map.entry("diagonal", x -> x.diagonal(1, 0, 1)),
      Map.entry("flatten", x -> x.flatten(1, -1)),
      Map.entry("unflatten", x -> x.unflatten(1, 2, 3)),
      Map.entry("as_strided", x -> x.asStrided(new int[] {2, 3}, new int[] {4, 1}, 1)),
      Map.entry("view_of_view", x -> x.slice(0, 1, 3).t().slice(0, 1, 4)));

  static final Map<String, Function<Tensor[], Tensor>> GRADCHECK = Map.ofEntries(
      Map.entry("test_inplace_on_view_gradcheck", in -> {
        Tensor x = in[0].clone();
        x.narrow(1, 2, 2).narrow(0, 1, 2).mul_(in[1]);
        x.narrow(1, 0, 2).narrow(0, 1, 2).mul_(in[1]);
        return x;
      }),
      Map.entry("as_strided_view5x5", in -> in[0].view(5, 5).asStrided(new int[] {3, 3}, new int[] {6, 2}, 2)),
      Map.entry("as_strided_size1_crazy_stride",
          in -> in[0].asStrided(new int[] {1, 2, 1, 5}, new int[] {0, 5, 100, 1}, 2)),
      Map.entry("as_strided_expand", in -> in[0].asStrided(new int[] {3, 3, 3}, new int[] {0, 1, 0}, 2)),
      Map.entry("as_strided_expand_all0", in -> in[0].asStrided(new int[] {3, 3, 3}, new int[] {0, 0, 0}, 4)),
      Map.entry("as_strided_of_expand", in -> in[0].expand(5, 5).asStrided(new int[] {5, 5}, new int[] {0, 1}, 0)),
      Map.entry("as_strided_overlap_6x6", in -> in[0].asStrided(new int[] {6, 6}, new int[] {5, 1}, 2)),
      Map.entry("as_strided_overlap_3x2", in -> in[0].asStrided(new int[] {3, 2}, new int[] {3, 6}, 2)),
      Map.entry("as_strided_transpose", in -> in[0].asStrided(new int[] {4, 3}, new int[] {1, 4})),
      Map.entry("as_strided_select_on_expand",
          in -> in[0].expand(10, 2, 3).asStrided(new int[] {2, 3}, new int[] {3, 1}, 0)));

  @TestFactory
  List<DynamicTest> inPlaceThroughEveryView() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Map.Entry<String, com.google.gson.JsonElement> e : G.getAsJsonObject("through").entrySet()) {
      String id = e.getKey();
      JsonObject c = e.getValue().getAsJsonObject();
      String op = id.substring(0, id.lastIndexOf('_'));
      boolean viaView = id.endsWith("_view");
      tests.add(DynamicTest.dynamicTest(id + " (" + c.get("call").getAsString() + ")", () -> {
        Tensor x0 = Goldens.tensor(c.get("leaf")).requiresGrad(true);
        Tensor x = x0.clone();
        Tensor v = VIEWS.get(op).apply(x);
        assertTrue(v.isView(), "a view");
        assertTrue(v.base() == x, "its base is x");
        Tensor w = Goldens.tensor(c.get("w")).requiresGrad(true);
        v.mul_(w);
        InPlaceGoldenTest.assertClose("x after", Goldens.tensor(c.get("x_after")), x);
        InPlaceGoldenTest.assertClose("v after", Goldens.tensor(c.get("v_after")), v);
        assertEquals(c.get("x_grad_fn").getAsString(), x.gradFn().name());
        assertEquals(c.get("v_grad_fn").getAsString(), v.gradFn().name());
        dev.adjoint.autograd.Edge[] xNext = x.gradFn().nextFunctions();
        assertEquals("CloneBackward0", xNext[0].name());
        assertEquals("AccumulateGrad", xNext[1].name(), "w is a leaf: PyTorch's AccumulateGrad");
        assertTrue(v.gradFn().nextFunctions()[0].node() == x.gradFn(), "the view's node reads the base's CopySlices");
        (viaView ? v : x).backward(Goldens.tensor(c.get("upstream")));
        InPlaceGoldenTest.assertClose("leaf grad", Goldens.tensor(c.get("leaf_grad")), x0.grad());
        InPlaceGoldenTest.assertClose("w grad", Goldens.tensor(c.get("w_grad")), w.grad());
      }));
    }
    return tests;
  }

  @TestFactory
  List<DynamicTest> gradcheckCases() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Map.Entry<String, Function<Tensor[], Tensor>> e : GRADCHECK.entrySet()) {
      JsonObject c = G.getAsJsonObject("gradcheck").getAsJsonObject(e.getKey());
      tests.add(DynamicTest.dynamicTest(e.getKey(), () -> {
        var ins = c.getAsJsonArray("inputs");
        Tensor[] leaves = new Tensor[ins.size()];
        for (int i = 0; i < leaves.length; i++) {
          leaves[i] = Goldens.tensor(ins.get(i)).requiresGrad(true);
        }
        Tensor out = e.getValue().apply(leaves);
        assertEquals(c.get("grad_fn").getAsString(), out.gradFn().name());
        InPlaceGoldenTest.assertClose("out", Goldens.tensor(c.get("out")), out);
        out.backward(Goldens.tensor(c.get("upstream")));
        var grads = c.getAsJsonArray("grads");
        for (int i = 0; i < leaves.length; i++) {
          InPlaceGoldenTest.assertClose("grad " + i, Goldens.tensor(grads.get(i)), leaves[i].grad());
        }
      }));
    }
    return tests;
  }

  /** test_inplace_on_view_makes_base_require_grad: x = a.clone() does not require grad until x.narrow(...).mul_(b). */
  @TestFactory
  List<DynamicTest> makesBaseRequireGrad() {
    JsonObject c = G.getAsJsonObject("gradcheck").getAsJsonObject("test_inplace_on_view_makes_base_require_grad");
    return List.of(DynamicTest.dynamicTest("test_inplace_on_view_makes_base_require_grad", () -> {
      Tensor a = Goldens.tensor(c.get("a"));
      Tensor b = Goldens.tensor(c.getAsJsonArray("inputs").get(0)).requiresGrad(true);
      Tensor x = a.clone();
      assertTrue(!x.requiresGrad());
      x.narrow(1, 2, 2).mul_(b);
      assertTrue(x.requiresGrad());
      assertEquals("CopySlices", x.gradFn().name());
      InPlaceGoldenTest.assertClose("out", Goldens.tensor(c.get("out")), x);
      x.backward(Goldens.tensor(c.get("upstream")));
      InPlaceGoldenTest.assertClose("b grad", Goldens.tensor(c.getAsJsonArray("grads").get(0)), b.grad());
    }));
  }
}
