package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Tensor.DType;
import dev.adjoint.linalg.Linalg;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Batched linear algebra runs its batch elements over the kernels' gang: each element's result (and gradient)
 * is bit for bit the one it gets alone, whatever the split, and a failure names the first failing element.
 */
class LinalgBatchParallelTest {
  static final int B = 7;

  static Tensor spdBatch(Generator g, int n) {
    Tensor x = Tensor.randn(g, new int[] {B, n, n}, DType.FLOAT64);
    double[] eye = new double[n * n];
    for (int i = 0; i < n; i++) {
      eye[i * n + i] = n;
    }
    return x.matmul(x.transpose(-2, -1)).add(Tensor.wrap(eye, n, n));
  }

  /** {@code op} on the whole batch equals {@code op} on each element alone, values and input gradients. */
  static void sameAsAlone(Tensor batch, Function<Tensor, Tensor> op) {
    Tensor a = batch.detach().requiresGrad(true);
    Tensor out = op.apply(a);
    out.square().sum().backward();
    for (int b = 0; b < B; b++) {
      Tensor one = batch.select(0, b).contiguous().detach().requiresGrad(true);
      Tensor o = op.apply(one);
      o.square().sum().backward();
      assertArrayEquals(o.toDoubleArray(), out.select(0, b).toDoubleArray(), "result of batch element " + b);
      assertArrayEquals(one.grad().toDoubleArray(), a.grad().select(0, b).toDoubleArray(), "gradient of " + b);
    }
  }

  @Test
  void batchedResultsAreThoseOfEachElementAlone() {
    Generator g = new Generator(7);
    Tensor spd = spdBatch(g, 5);
    sameAsAlone(spd, Linalg::cholesky);
    sameAsAlone(spd, x -> Linalg.solve(x, x.select(-1, 0).unsqueeze(-1)));
    sameAsAlone(spd, Linalg::inv);
    sameAsAlone(spd, Linalg::logdet);
    sameAsAlone(spd, x -> Linalg.eigh(x).eigenvalues());
    Tensor tall = Tensor.randn(g, new int[] {B, 6, 4}, DType.FLOAT64);
    sameAsAlone(tall, x -> Linalg.svd(x).s());
    sameAsAlone(tall, x -> Linalg.svdvals(x));
    sameAsAlone(tall, x -> Linalg.qr(x).r());
  }

  @Test
  void theFirstFailingBatchElementIsReported() {
    Tensor spd = spdBatch(new Generator(8), 3);
    double[] v = spd.toDoubleArray();
    for (int b : new int[] {2, 5}) {
      v[b * 9] = -1; // a negative leading minor
    }
    Tensor bad = Tensor.wrap(v, spd.shape());
    for (int i = 0; i < 5; i++) {
      ArithmeticException e = assertThrows(ArithmeticException.class, () -> Linalg.cholesky(bad));
      assertTrue(e.getMessage().contains("(Batch element 2)"), e.getMessage());
    }
  }
}
