package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * PyTorch 1.13's test_autograd.py cases on views and in-place changes through views, translated to Java
 * (each named after its test). Every expectation was checked against PyTorch 1.13 ({@code /usr/bin/python3});
 * {@code x[i] = v} is {@code x.select(0, i).copy_(v)} (or {@code fill_}), {@code x[a:b]} is {@code slice}.
 */
class ViewAutogradTest {

  static void assertValues(float[] expected, Tensor actual) {
    assertArrayEquals(expected, actual.toFloatArray(), 1e-6f);
  }

  static Tensor randn(int... shape) {
    return Tensor.randn(new Generator(7), shape);
  }

  @Nested
  class Storage {
    @Test
    void viewsShareStorageAndAreO1() {
      Tensor flat = Tensor.arange(12);
      Tensor x = flat.reshape(3, 4);
      Tensor t = x.t();
      assertTrue(t.isView());
      assertSame(flat, t.base(), "a view's base is the tensor that owns the storage");
      assertArrayEquals(new int[] {1, 4}, t.strides());
      assertFalse(t.isContiguous());
      assertEquals(1f, t.get(1, 0));
      Tensor s = x.slice(1, 1, 3);
      assertEquals(1, s.storageOffset());
      assertArrayEquals(new float[] {1, 2, 5, 6, 9, 10}, s.toFloatArray());
      assertArrayEquals(new float[] {1, 2, 5, 6, 9, 10}, s.storage(), "storage() of a strided view: row-major values");
      x.select(0, 1).fill_(-1);
      assertArrayEquals(new float[] {-1, -1, 9, 10}, s.slice(0, 1, 3).toFloatArray(), 0f, "a write reaches every view");
      assertSame(flat, s.slice(0, 1, 3).base(), "a view of a view has the first base");
      assertArrayEquals(new float[] {0, 1, 2, 3, -1, -1, -1, -1, 8, 9, 10, 11}, flat.toFloatArray());
    }

    @Test
    void contiguousIsThisOrACopy() {
      Tensor x = Tensor.arange(6).reshape(2, 3);
      assertSame(x, x.contiguous());
      Tensor c = x.t().contiguous();
      assertTrue(c.isContiguous());
      assertFalse(c.isView());
      assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, c.storage());
    }

    @Test
    void viewNeedsCompatibleStridesAndReshapeCopiesThen() {
      Tensor x = randn(2, 3).requiresGrad(true);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> x.t().view(6));
      assertTrue(e.getMessage().contains("view size is not compatible with input tensor's size and stride"),
          e.getMessage());
      Tensor r = x.t().reshape(6);
      assertFalse(r.isView(), "reshape of a non-viewable tensor copies");
      assertEquals("UnsafeViewBackward0", r.gradFn().name());
      assertEquals("CloneBackward0", r.gradFn().nextFunctions()[0].name());
      assertEquals("ReshapeAliasBackward0", x.reshape(6).gradFn().name());
    }

    /** test_version_counter: a differentiable view shares the version counter. */
    @Test
    void test_version_counter() {
      Tensor x = randn(1, 2);
      int saved = x.version();
      x.add_(1).add_(1);
      assertTrue(x.version() > saved);
      Tensor xz = x.slice(0, 0, 1);
      assertEquals(x.version(), xz.version());
      xz.add_(1);
      assertEquals(x.version(), xz.version());
    }

    @Test
    void inPlaceOnAnExpandedTensorIsRefused() {
      Tensor e = Tensor.zeros(3, 1).expand(3, 4);
      IllegalStateException ex = assertThrows(IllegalStateException.class, () -> e.add_(1));
      assertTrue(ex.getMessage().contains("more than one element of the written-to tensor refers to a single "
          + "memory location"), ex.getMessage());
    }

    @Test
    void writersRefuseTheRowMajorArrayOfAStridedView() {
      Tensor t = Tensor.zeros(2, 3).t();
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.mutableStorage("SGD.step"));
      assertTrue(e.getMessage().startsWith("SGD.step:"), e.getMessage());
      Tensor flat = Tensor.zeros(2, 3).reshape(6);
      flat.mutableStorage("init")[4] = 3;
      assertEquals(3f, flat.base().get(1, 1), "a dense view writes through");
    }
  }

  @Nested
  class NextFunctions {
    @Test
    void viewNodesChain() {
      Tensor x = randn(2, 3).requiresGrad(true);
      Tensor y = x.mul(2.0);
      Tensor z = y.select(0, 0).t();
      assertEquals("TBackward0", z.gradFn().name());
      assertEquals("SelectBackward0", z.gradFn().nextFunctions()[0].name());
      assertEquals("MulBackward0", z.gradFn().nextFunctions()[0].node().nextFunctions()[0].name());
      assertEquals("ViewBackward0", x.view(-1).gradFn().name());
      assertEquals("AccumulateGrad", x.view(-1).gradFn().nextFunctions()[0].name(), "a view of a leaf reads the leaf (AccumulateGrad)");
    }

    @Test
    void inPlaceOnAViewMakesCopySlices() {
      Tensor x = randn(2, 3).requiresGrad(true);
      Tensor y = x.mul(1.0);
      Tensor v = y.select(0, 0);
      v.mul_(2);
      assertEquals("AsStridedBackward0", v.gradFn().name());
      assertEquals("CopySlices", y.gradFn().name());
      assertEquals("MulBackward0", y.gradFn().nextFunctions()[0].name());
      assertSame(y.gradFn(), v.gradFn().nextFunctions()[0].node());
    }
  }

  @Nested
  class InPlaceOnViews {
    /** test_inplace_on_view_leaf_errors. */
    @Test
    void test_inplace_on_view_leaf_errors() {
      Tensor x = Tensor.zeros(1).requiresGrad(true);
      Tensor y = x.viewAs(x);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.add_(1));
      assertTrue(e.getMessage().contains("a view of a leaf Variable that requires grad is being used in an "
          + "in-place operation."), e.getMessage());
      // the fix-it is the form -Xlint:all accepts (outsider 10, D7), as the leaf's own error says
      assertTrue(e.getMessage().contains("do it inside Autograd.noGrad(() -> ...), or change a clone"),
          e.getMessage());
    }

    /** test_inplace_on_view_backprop_base. */
    @Test
    void test_inplace_on_view_backprop_base() {
      Tensor root = randn(2, 2).requiresGrad(true);
      Tensor x = root.clone();
      Tensor v1 = x.narrow(0, 0, 1);
      v1.mul_(2);
      x.sum().backward();
      assertValues(new float[] {2, 2, 1, 1}, root.grad());
    }

    /** test_inplace_on_view_backprop_view_of_view. */
    @Test
    void test_inplace_on_view_backprop_view_of_view() {
      Tensor root = randn(2, 2).requiresGrad(true);
      Tensor x = root.clone();
      Tensor v1 = x.narrow(0, 0, 1);
      Tensor v2 = x.narrow(0, 0, 1);
      v1.mul_(2);
      v2.sum().backward();
      assertValues(new float[] {2, 2, 0, 0}, root.grad());
    }

    /** test_inplace_on_view_of_view. */
    @Test
    void test_inplace_on_view_of_view() {
      Tensor root = randn(2, 2).requiresGrad(true);
      Tensor x = root.clone();
      Tensor v1 = x.narrow(0, 0, 1);
      Tensor v2 = v1.narrow(1, 1, 1);
      v2.mul_(2);
      x.sum().backward();
      assertValues(new float[] {1, 2, 1, 1}, root.grad());
    }

    /** test_inplace_on_view_non_contig. */
    @Test
    void test_inplace_on_view_non_contig() {
      Tensor root = Tensor.ones(2, 3, 2).select(2, 1).t().requiresGrad(true);
      Tensor x = root.clone();
      Tensor v1 = x.narrow(0, 0, 1);
      Tensor v2 = v1.narrow(1, 1, 1);
      v2.mul_(2);
      x.sum().backward();
      assertValues(new float[] {1, 2, 1, 1, 1, 1}, root.grad());
    }

    /** test_inplace_on_view_backprop_view. */
    @Test
    void test_inplace_on_view_backprop_view() {
      Tensor a = Tensor.of(2f, 5f);
      Tensor b = Tensor.of(3f).requiresGrad(true);
      Tensor res = a.narrow(0, 1, 1).mul_(b);
      res.sum().backward();
      assertValues(new float[] {5}, b.grad());
      assertNull(a.grad());
    }

    /** test_inplace_on_view_modify_base: an in-place change of the base makes earlier views require grad. */
    @Test
    void test_inplace_on_view_modify_base() {
      Tensor r = Tensor.ones(1).requiresGrad(true);
      Tensor x = Tensor.ones(5);
      Tensor v = x.select(0, 1);
      assertFalse(v.requiresGrad());
      assertNull(v.gradFn());
      x.add_(r);
      assertTrue(v.requiresGrad());
      assertEquals("AsStridedBackward0", v.gradFn().name());
      v.backward();
      assertValues(new float[] {1}, r.grad());
    }

    /** test_inplace_on_view_then_no_grad. */
    @Test
    void test_inplace_on_view_then_no_grad() {
      Tensor a = Tensor.ones(3, 1).requiresGrad(true);
      Tensor b = a.mul(2.0);
      Tensor c = b.viewAs(b);
      c.select(0, 0).select(0, 0).fill_(3);
      Autograd.noGrad(() -> {
        c.gradFn();
      });
      c.sum().backward();
      assertValues(new float[] {0, 2, 2}, a.grad());
    }

    /** test_inplace_on_view_weak_grad_fn (without the garbage collection part). */
    @Test
    void test_inplace_on_view_weak_grad_fn() {
      Tensor a = Tensor.arange(10).requiresGrad(true);
      Tensor b = a.narrow(0, 0, 2).clone().view(-1);
      b.relu_();
      Tensor c = b.clone();
      Tensor s = c.sum();
      s.backward();
      assertEquals(1f, s.item());
      assertValues(new float[] {0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, a.grad());
    }

    /** test_inplace_on_view_saved_output: relu_ (which saves its result) on a view, then backward. */
    @Test
    void test_inplace_on_view_saved_output() {
      Tensor root = Tensor.of(-1f, 2f, -3f, 4f).reshape(2, 2).requiresGrad(true);
      Tensor copy = root.clone();
      Tensor view = copy.view(4);
      view.relu_();
      copy.sum().backward();
      assertValues(new float[] {0, 1, 0, 1}, root.grad());
    }

    /** Saved view, base changed in place: the view's regenerated node is named in the error, as PyTorch. */
    @Test
    void savedViewThenBaseChanged() {
      Tensor x = randn(4).requiresGrad(true);
      Tensor y = x.mul(1.0);
      Tensor v = y.slice(0, 0, 2);
      Tensor z = v.mul(v);
      y.add_(1);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> z.sum().backward());
      assertTrue(e.getMessage().contains("which is output 0 of AsStridedBackward0, is at version 1; expected "
          + "version 0"), e.getMessage());
    }

    /**
     * Outsider 10, D7: an in-place operation on a view saved its result, and another view of the same base changed
     * it: PyTorch names the operation (ReluBackward0), not the view's regenerated AsStridedBackward0.
     */
    @Test
    void inPlaceOnAViewThenASiblingViewChangedNamesTheOperation() {
      Tensor x = randn(3, 4).requiresGrad(true);
      Tensor y = x.mul(1.0);
      Tensor r = y.view(2, 6);
      r.select(1, 2).relu_();
      r.slice(1, 3, 6).sigmoid_();
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
      assertTrue(e.getMessage().contains("modified by an inplace operation: [FloatTensor [2]], which is output 0"
          + " of ReluBackward0, is at version 2; expected version 1 instead."), e.getMessage());
    }

    /** test_retain_grad_inplace_over_view. */
    @Test
    void test_retain_grad_inplace_over_view() {
      Tensor base = Tensor.of(1f, 2f).requiresGrad(true).clone();
      Tensor view = base.slice(0, 0, 2);
      Tensor view2 = base.slice(0, 0, 2);
      view.retainGrad();
      view2.retainGrad();
      view.mul_(2);
      view.add(view2).sum().backward();
      assertValues(new float[] {1, 1}, view.grad());
      assertValues(new float[] {1, 1}, view2.grad());
    }

    /** test_no_requires_grad_inplace. */
    @Test
    void test_no_requires_grad_inplace() {
      Tensor a = randn(2, 3);
      a.add_(5);
      a.requiresGrad(true);
      a.sum().backward();
      assertValues(new float[] {1, 1, 1, 1, 1, 1}, a.grad());

      Tensor a2 = randn(2, 3);
      Tensor b2 = a2.slice(0, 0, 2);
      b2.add_(5);
      a2.requiresGrad(true);
      a2.sum().backward();
      assertValues(new float[] {1, 1, 1, 1, 1, 1}, a2.grad());

      Tensor a3 = randn(2, 3);
      Tensor b3 = a3.slice(0, 0, 2);
      a3.requiresGrad(true);
      assertThrows(IllegalStateException.class, () -> a3.add_(5));
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> b3.add_(5));
      assertTrue(e.getMessage().contains("a view of a leaf Variable"), e.getMessage());
    }

    /** test_detach: detach_() of a view is refused. */
    @Test
    void test_detach_view() {
      Tensor x = randn(10, 10).requiresGrad(true);
      Tensor view = x.narrow(0, 1, 4);
      IllegalStateException e = assertThrows(IllegalStateException.class, view::detach_);
      assertTrue(e.getMessage().contains("Can't detach views in-place. Use detach() instead."), e.getMessage());
    }

    /** test_detach_base: detaching the base does not detach the view. */
    @Test
    void test_detach_base() {
      Tensor x = randn(10, 10).requiresGrad(true);
      Tensor view = x.narrow(0, 1, 4);
      x.detach_();
      assertFalse(x.requiresGrad());
      assertTrue(view.requiresGrad());
      assertEquals("SliceBackward0", view.gradFn().name());
      assertSame(x, view.base());
    }
  }

  @Nested
  class MultiOutputViews {
    static final String MULTI = "This view is the output of a function that returns multiple views.";

    /** test_inplace_on_view_multiple_outputs. */
    @Test
    void test_inplace_on_view_multiple_outputs() {
      Tensor root = Tensor.arange(9).reshape(3, 3).requiresGrad(true);
      Tensor x = root.clone();
      List<Tensor> v1 = x.unbind();
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> v1.get(0).mul_(2));
      assertTrue(e.getMessage().contains("Output 0 of UnbindBackward0 is a view and is being modified inplace. "
          + MULTI), e.getMessage());
    }

    /** test_inplace_on_view_of_multiple_output_view. */
    @Test
    void test_inplace_on_view_of_multiple_output_view() {
      Tensor a = randn(10).requiresGrad(true).clone();
      Tensor b = a.unbind(0).get(0);
      Tensor c = b.viewAs(b);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.mul_(2));
      assertTrue(e.getMessage().contains("Output 0 of ViewBackward0 is a view and is being modified inplace. "
          + MULTI), e.getMessage());
    }

    /** test_inplace_multiple_output_view_of_view. */
    @Test
    void test_inplace_multiple_output_view_of_view() {
      Tensor a = randn(10).requiresGrad(true).clone();
      Tensor b = a.viewAs(a);
      List<Tensor> c = b.unbind(0);
      assertThrows(IllegalStateException.class, () -> c.get(0).mul_(2));
    }

    /** test_inplace_on_view_multi_output_safe. */
    @Test
    void test_inplace_on_view_multi_output_safe() {
      List<Function<Tensor, List<Tensor>>> fs = List.of(t -> t.split(1, 0), t -> t.split(new int[] {1, 1, 1}, 0),
          t -> t.chunk(3, 0));
      for (Function<Tensor, List<Tensor>> f : fs) {
        Tensor a = randn(3, 3).requiresGrad(true);
        Tensor b = a.add(a);
        List<Tensor> s = f.apply(b);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.get(0).mul_(s.get(1)));
        assertTrue(e.getMessage().contains(MULTI), e.getMessage());
      }
    }

    /** test_autograd_views_codegen: view_as and unbind, in and out of grad mode, with and without grad. */
    @Test
    void test_autograd_views_codegen() {
      String unbindErr = "Output %d of UnbindBackward0 is a view and is being modified inplace.";
      String noGradErr = "A view was created in no_grad mode and is being modified inplace";
      run(true, false, null, null, null);
      run(true, true, null, unbindErr.formatted(0), unbindErr.formatted(1));
      run(false, true, noGradErr, noGradErr, noGradErr);
      run(false, false, null, null, null);
    }

    private void run(boolean gradMode, boolean requiresGrad, String e0, String e1, String e2) {
      Tensor inp = Tensor.rand(new Generator(1), 2).requiresGrad(requiresGrad).clone();
      Tensor out;
      try (var g = Autograd.setGradEnabled(gradMode)) {
        out = inp.viewAs(inp);
      }
      assertTrue(out.isView());
      check(out, e0);
      Tensor inp2 = Tensor.rand(new Generator(2), 2).requiresGrad(requiresGrad).clone();
      List<Tensor> outs;
      try (var g = Autograd.setGradEnabled(gradMode)) {
        outs = inp2.unbind();
      }
      assertTrue(outs.get(0).isView() && outs.get(1).isView());
      check(outs.get(0), e1);
      check(outs.get(1), e2);
    }

    private void check(Tensor t, String error) {
      if (error == null) {
        t.add_(1);
      } else {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.add_(1));
        assertTrue(e.getMessage().contains(error), e.getMessage());
      }
    }

    /** A multi-output view whose base changed in place refuses its regenerated history, as PyTorch. */
    @Test
    void unbindOutputAfterBaseChanged() {
      Tensor y = randn(3).requiresGrad(true).mul(1.0);
      List<Tensor> u = y.unbind();
      y.add_(1);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> u.get(0).gradFn());
      assertTrue(e.getMessage().contains("Output 0 of UnbindBackward0 is a view and its base or another view of "
          + "its base has been modified inplace. " + MULTI), e.getMessage());
    }

    /** test_unbind: backward from each output. */
    @Test
    void test_unbind() {
      Tensor stacked = randn(3, 2).requiresGrad(true);
      List<Tensor> outs = stacked.unbind();
      outs.get(1).backward(Tensor.of(1f, 2f));
      assertValues(new float[] {0, 0, 1, 2, 0, 0}, stacked.grad());
      Tensor s2 = randn(3, 2).requiresGrad(true);
      List<Tensor> o2 = s2.unbind();
      Tensor.stack(o2.get(0), o2.get(1), o2.get(2)).backward(Tensor.arange(6).reshape(3, 2));
      assertValues(new float[] {0, 1, 2, 3, 4, 5}, s2.grad());
    }
  }

  @Nested
  class SetItem {
    /** test_setitem (the cases that index with integers and slices: views). */
    @Test
    void test_setitem() {
      setitem(new int[] {5, 5}, y -> y.select(0, 1).fill_(2), rowZero(5, 5, 1));
      setitem(new int[] {5}, y -> y.select(0, 1).fill_(2), new float[] {1, 0, 1, 1, 1});
      setitem(new int[] {1}, y -> y.select(0, 0).fill_(2), new float[] {0});
      float[] e = new float[125];
      for (int i = 0; i < 125; i++) {
        int row = i / 5 % 5;
        e[i] = row == 1 || row == 2 ? 0 : 1;
      }
      setitem(new int[] {5, 5, 5}, y -> y.slice(1, 1, 3).fill_(2), e);
    }

    private float[] rowZero(int r, int c, int row) {
      float[] e = new float[r * c];
      for (int i = 0; i < e.length; i++) {
        e[i] = i / c == row ? 0 : 1;
      }
      return e;
    }

    private void setitem(int[] size, java.util.function.Consumer<Tensor> set, float[] expectedGrad) {
      Tensor x = Tensor.ones(size).requiresGrad(true);
      Tensor y = x.add(2.0);
      int version = y.version();
      set.accept(y);
      assertNotEquals(version, y.version());
      assertEquals("CopySlices", y.gradFn().name());
      y.backward(Tensor.ones(size));
      assertValues(expectedGrad, x.grad());
    }

    /** test_setitem's _test_setitem_tensor with an integer index: the value gets the gradient. */
    @Test
    void test_setitem_tensor() {
      Tensor x = Tensor.ones(5, 5).requiresGrad(true);
      Tensor y = x.add(2.0);
      Tensor value = Tensor.full(7f, 5).requiresGrad(true);
      y.select(0, 3).copy_(value);
      y.backward(Tensor.ones(5, 5));
      assertValues(rowZero(5, 5, 3), x.grad());
      assertValues(new float[] {1, 1, 1, 1, 1}, value.grad());
    }

    /** test_leaf_assignment. */
    @Test
    void test_leaf_assignment() {
      Tensor x = randn(5, 5);
      Tensor y = randn(5).requiresGrad(true);
      Tensor z = randn(5).requiresGrad(true);
      x.select(0, 0).copy_(y);
      x.select(0, 1).copy_(z.mul(2.0));
      assertTrue(x.requiresGrad());
      assertEquals("CopySlices", x.gradFn().name());
      assertEquals("CopySlices", x.gradFn().nextFunctions()[0].name());
      assertEquals("MulBackward0", x.gradFn().nextFunctions()[1].name());
      x.sum().backward();
      assertValues(new float[] {1, 1, 1, 1, 1}, y.grad());
      assertValues(new float[] {2, 2, 2, 2, 2}, z.grad());
    }

    /** test_no_grad_assignment. */
    @Test
    void test_no_grad_assignment() {
      Tensor x = randn(5, 5).requiresGrad(true);
      Tensor y = randn(5);
      Autograd.noGrad(() -> {
        x.select(0, 0).copy_(y);
      });
      assertTrue(x.requiresGrad());
      assertNull(x.gradFn());
      assertArrayEquals(y.toFloatArray(), x.select(0, 0).toFloatArray());
    }
  }

  @Nested
  class ExpandedGradients {
    /** test_select_expanded_v: backward with an expanded (stride 0) gradient. */
    @Test
    void test_select_expanded_v() {
      Tensor vExpanded = Tensor.arange(10).expand(10, 10);
      Tensor a = Tensor.rand(new Generator(3), 10, 10, 10).requiresGrad(true);
      a.select(0, 0).backward(vExpanded);
      float[] g = a.grad().toFloatArray();
      for (int i = 0; i < 1000; i++) {
        assertEquals(i < 100 ? i % 10 : 0, g[i]);
      }
    }

    /** test_slice_expanded_v. */
    @Test
    void test_slice_expanded_v() {
      Tensor vExpanded = Tensor.arange(10).reshape(10, 1).expand(2, 10, 10);
      Tensor a = Tensor.rand(new Generator(3), 10, 10, 10).requiresGrad(true);
      a.slice(0, 3, 5).backward(vExpanded);
      float[] g = a.grad().toFloatArray();
      for (int i = 0; i < 1000; i++) {
        assertEquals(i >= 300 && i < 500 ? i / 10 % 10 : 0, g[i]);
      }
    }

    /** test_diagonal_expanded_v. */
    @Test
    void test_diagonal_expanded_v() {
      Tensor vExpanded = Tensor.scalar(0.5).expand(10);
      Tensor a = Tensor.rand(new Generator(3), 10, 10).requiresGrad(true);
      a.diagonal().backward(vExpanded);
      float[] g = a.grad().toFloatArray();
      for (int i = 0; i < 100; i++) {
        assertEquals(i / 10 == i % 10 ? 0.5f : 0f, g[i]);
      }
    }

    /** test_select_sum: select then sum, a 0-D view. */
    @Test
    void test_select_sum() {
      Tensor x = randn(10).requiresGrad(true);
      x.select(0, 1).sum().backward();
      float[] e = new float[10];
      e[1] = 1;
      assertValues(e, x.grad());
    }
  }

  @Nested
  class Optimizers {
    /** A parameter's reshaped view follows the optimizer's in-place step, and its gradient stays correct. */
    @Test
    void viewOfAParameterAcrossAStep() {
      Tensor w = Tensor.of(1f, 2f, 3f, 4f).requiresGrad(true);
      Tensor m = w.view(2, 2);
      m.sum().backward();
      var opt = new dev.adjoint.optim.SGD(List.of(w), 0.5);
      opt.step();
      assertValues(new float[] {0.5f, 1.5f, 2.5f, 3.5f}, m);
      assertEquals("AsStridedBackward0", m.gradFn().name(), "regenerated after the step changed w");
      opt.zeroGrad();
      m.mul(m).sum().backward();
      assertValues(new float[] {1, 3, 5, 7}, w.grad());
    }
  }
}
