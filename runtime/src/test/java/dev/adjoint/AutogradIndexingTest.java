package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/**
 * PyTorch 1.13's {@code test_autograd.py} (TestAutograd) cases for setitem and indexing, translated: {@code
 * _test_setitem}, {@code _test_setitem_tensor}, {@code test_setitem}, {@code test_setitem_mask} and the
 * tensor-index cases of {@code test_indexing}. Python's {@code y[index] = v} is {@code y.indexPut_(index, v)}
 * with {@code null} for {@code :} and an integer index as a 0-d INT64 tensor (a select, which PyTorch records
 * through a view as CopySlices); each expectation was checked under PyTorch 1.13 by {@code
 * src/test/python/autograd_indexing_check.py}, which runs these cases as written here.
 */
class AutogradIndexingTest {
  private static final Tensor MASK = Tensor.of(1f, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 1, 0, 1)
      .reshape(5, 5).gt(0.5);

  private static Tensor l(int... v) {
    return Tensor.indices(v);
  }

  private static Tensor scalarIndex(int v) {
    return Tensor.wrap(new float[] {v}, new int[0], Tensor.DType.INT64);
  }

  private static Tensor[] ix(Tensor... t) {
    return t;
  }

  private static Tensor maskRow0() {
    return MASK.index(scalarIndex(0));
  }

  private static void setitem(int[] size, Tensor[] index) {
    Tensor x = Tensor.ones(size).requiresGrad(true);
    Tensor y = x.add(2);
    int v = y.version();
    y.indexPut_(index, 2.0);
    assertNotEquals(v, y.version());
    assertEquals("IndexPutBackward0", y.gradFn().name());
    y.backward(Tensor.ones(size));
    Tensor expected = Tensor.ones(size);
    expected.indexPut_(index, 0.0);
    assertArrayEquals(expected.toFloatArray(), x.grad().toFloatArray());
  }

  private static void setitemTensor(int[] size, Tensor[] index) {
    Tensor x = Tensor.ones(size).requiresGrad(true);
    Tensor y = x.add(2);
    int v = y.version();
    Tensor value = Tensor.full(7f, x.index(index).shape()).requiresGrad(true);
    y.indexPut_(index, value);
    assertNotEquals(v, y.version());
    y.backward(Tensor.ones(size));
    Tensor expected = Tensor.ones(size);
    expected.indexPut_(index, 0.0);
    assertArrayEquals(expected.toFloatArray(), x.grad().toFloatArray());
    assertArrayEquals(Tensor.onesLike(value).toFloatArray(), value.grad().toFloatArray());
  }

  @Test
  void testSetitem() {
    setitem(new int[] {5, 5}, ix(scalarIndex(1)));
    setitem(new int[] {5}, ix(scalarIndex(1)));
    setitem(new int[] {1}, ix(scalarIndex(0)));
    setitem(new int[] {10}, ix(l(0, 4, 2)));
    setitem(new int[] {5, 5}, ix(l(0, 4), l(2, 2)));
    setitem(new int[] {5, 5, 5}, ix(null, null, l(1, 3)));
    setitem(new int[] {5, 5, 5}, ix(null, l(1, 3), null));
    setitem(new int[] {5, 5, 5}, ix(l(1, 3), null, null));
    setitem(new int[] {5, 5, 5}, ix(null, l(2, 4), l(1, 3)));
    setitem(new int[] {5, 5, 5}, ix(l(1, 3), l(2, 4), null));
    setitemTensor(new int[] {5, 5}, ix(scalarIndex(3)));
    setitemTensor(new int[] {5, 5}, ix(l(0, 1), l(1, 0)));
    setitemTensor(new int[] {5}, ix(scalarIndex(3)));
    setitemTensor(new int[] {5}, ix(l(0, 1, 2, 3)));
    setitemTensor(new int[] {5, 5, 5}, ix(null, null, l(1, 3)));
    setitemTensor(new int[] {5, 5, 5}, ix(null, l(1, 3), null));
    setitemTensor(new int[] {5, 5, 5}, ix(l(1, 3), null, null));
    setitemTensor(new int[] {5, 5, 5}, ix(null, l(2, 4), l(1, 3)));
    setitemTensor(new int[] {5, 5, 5}, ix(l(1, 3), l(2, 4), null));
  }

  @Test
  void testSetitemMask() {
    setitem(new int[] {5, 5}, ix(MASK));
    setitem(new int[] {5}, ix(maskRow0()));
    setitem(new int[] {1}, ix(maskRow0().index(l(0))));
    setitemTensor(new int[] {5, 5}, ix(MASK));
    setitemTensor(new int[] {5}, ix(maskRow0()));
  }

  @Test
  void testIndexing() {
    Tensor x = Tensor.arange(1, 17, 1).reshape(4, 4);
    Tensor mask4 = MASK.index(l(0, 1, 2, 3)).index(null, l(0, 1, 2, 3));
    Tensor[][] cases = {ix(l(1)), ix(l(1), l(1)), ix(l(0, 2)), ix(mask4), ix(l(0), l(0)), ix(l(1, 2, 3), l(0)),
        ix(l(1, 2), l(2, 1)),
        ix(Tensor.wrap(new float[] {1, 2, 3, 0}, new int[] {2, 2}, Tensor.DType.INT64),
            Tensor.wrap(new float[] {0, 1, 2, 3}, new int[] {2, 2}, Tensor.DType.INT64)),
        ix(null, l(2, 3)), ix(l(2, 3), null), ix(l(0))};
    for (Tensor[] idx : cases) {
      Tensor y = x.copy().requiresGrad(true);
      Tensor out = y.index(idx);
      assertArrayEquals(x.index(idx).toFloatArray(), out.toFloatArray());
      assertEquals("IndexBackward0", out.gradFn().name());
      out.sum().backward();
      Tensor expected = Tensor.zeros(4, 4);
      expected.indexPut_(idx, 1.0);
      assertArrayEquals(expected.toFloatArray(), y.grad().toFloatArray());
    }
  }
}
