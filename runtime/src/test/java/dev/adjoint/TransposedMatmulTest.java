package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * {@code matmul} on transposed views ({@code m.t()}, as the recorded backward of a product writes them) reads the
 * transposed layout in place instead of copying it out: the same bits as the product of the copies, at every
 * size the kernels treat differently (scalar, narrow with A read in place, wide with A packed), and the same
 * gradients.
 */
class TransposedMatmulTest {

  @Test
  void productsOfTransposedViewsHaveTheBitsOfTheProductsOfTheirCopies() {
    Generator g = new Generator(5);
    int checked = 0;
    for (int[] mkn : new int[][] {{3, 4, 5}, {17, 9, 13}, {64, 64, 32}, {66, 70, 31}, {40, 300, 100}}) {
      int m = mkn[0];
      int k = mkn[1];
      int n = mkn[2];
      Tensor at = Tensor.randn(g, k, m); // a = at.t(): m×k
      Tensor bt = Tensor.randn(g, n, k); // b = bt.t(): k×n
      Tensor a = Tensor.randn(g, m, k);
      Tensor b = Tensor.randn(g, k, n);
      assertSame(at.t().contiguous().matmul(b), at.t().matmul(b), "aᵀ·b", mkn);
      assertSame(a.matmul(bt.t().contiguous()), a.matmul(bt.t()), "a·bᵀ", mkn);
      assertSame(at.t().contiguous().matmul(bt.t().contiguous()), at.t().matmul(bt.t()), "aᵀ·bᵀ", mkn);
      checked += 3;
    }
    assertEquals(15, checked);
  }

  @Test
  void aTransposedRowSliceIsReadFromItsOffset() {
    Generator g = new Generator(6);
    Tensor m = Tensor.randn(g, 10, 12);
    Tensor rows = m.slice(0, 3, 9); // 6×12, storage offset 36
    Tensor b = Tensor.randn(g, 6, 20);
    assertEquals(36, rows.storageOffset());
    assertSame(rows.t().contiguous().matmul(b), rows.t().matmul(b), "sliceᵀ·b", new int[] {12, 6, 20});
  }

  @Test
  void gradientsThroughTransposedOperandsAreThoseOfTheCopies() {
    Generator g = new Generator(7);
    Tensor w0 = Tensor.randn(g, 24, 16);
    Tensor x0 = Tensor.randn(g, 24, 8);
    Tensor w1 = w0.detach().requiresGrad(true);
    Tensor x1 = x0.detach().requiresGrad(true);
    w1.t().matmul(x1).tanh().sum().backward();
    Tensor w2 = w0.detach().requiresGrad(true);
    Tensor x2 = x0.detach().requiresGrad(true);
    w2.t().contiguous().matmul(x2).tanh().sum().backward();
    assertArrayEquals(w2.grad().toFloatArray(), w1.grad().toFloatArray());
    assertArrayEquals(x2.grad().toFloatArray(), x1.grad().toFloatArray());
  }

  private static void assertSame(Tensor want, Tensor got, String what, int[] mkn) {
    assertArrayEquals(want.shape(), got.shape(), what);
    assertArrayEquals(want.toFloatArray(), got.toFloatArray(),
        what + " at m, k, n = " + mkn[0] + ", " + mkn[1] + ", " + mkn[2]);
  }
}
