package dev.adjoint.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.Tensor.DType;
import java.util.regex.Pattern;
import org.junit.jupiter.api.function.Executable;

/**
 * What the translations of PyTorch's {@code TestAutograd} share: its default dtype (the suite runs with
 * {@code torch.set_default_dtype(torch.double)}), its tensor factories, {@code assertEqual} with PyTorch's
 * tolerances for float64 (rtol 1e-7, atol 1e-7) and {@code assertRaisesRegex}. Python's {@code RuntimeError}
 * reads {@link RuntimeException} (our errors are its subclasses), {@code ValueError}
 * {@link IllegalArgumentException}; the regex must be found in our message, which may say more.
 */
class TorchCase {
  /** Each test gets its own seeded generator, so every test is deterministic. */
  final Generator gen = new Generator(1234);

  Tensor randn(int... shape) {
    return Tensor.randn(gen, shape, DType.FLOAT64);
  }

  Tensor rand(int... shape) {
    return Tensor.rand(gen, shape, DType.FLOAT64);
  }

  static Tensor ones(int... shape) {
    return Tensor.ones(shape, DType.FLOAT64);
  }

  static Tensor zeros(int... shape) {
    return Tensor.zeros(shape, DType.FLOAT64);
  }

  static Tensor full(double value, int... shape) {
    return Tensor.full(value, shape, DType.FLOAT64);
  }

  /** {@code torch.tensor([...])} in the default dtype. */
  static Tensor tensor(double... values) {
    return Tensor.of(DType.FLOAT64, values);
  }

  /** {@code torch.tensor(v)}: a zero-dimensional tensor. */
  static Tensor scalar(double v) {
    return Tensor.scalar(v, DType.FLOAT64);
  }

  /** {@code self.assertEqual(expected, actual)} for tensors: same shape, values within PyTorch's float64 tolerance. */
  static void assertEqual(Tensor expected, Tensor actual) {
    assertClose(expected, actual, 1e-7, 1e-7);
  }

  static void assertClose(Tensor expected, Tensor actual, double rtol, double atol) {
    if (actual == null) {
      fail("expected a tensor, got null");
    }
    assertArrayEquals(expected.shape(), actual.shape(), "shape");
    double[] e = expected.toDoubleArray();
    double[] a = actual.toDoubleArray();
    for (int i = 0; i < e.length; i++) {
      double diff = Math.abs(e[i] - a[i]);
      if (!(diff <= atol + rtol * Math.abs(e[i])) && !(Double.isNaN(e[i]) && Double.isNaN(a[i]))) {
        fail("element " + i + ": expected " + e[i] + ", got " + a[i] + " (expected " + expected + ", got "
            + actual + ")");
      }
    }
  }

  /** {@code self.assertRaisesRegex(type, regex, fn)}; returns the exception. */
  static <T extends Throwable> T assertRaisesRegex(Class<T> type, String regex, Executable body) {
    T e = assertThrows(type, body);
    String m = String.valueOf(e.getMessage());
    assertTrue(Pattern.compile(regex).matcher(m).find(), () -> "message does not match /" + regex + "/: " + m);
    return e;
  }
}
