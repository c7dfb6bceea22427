package dev.adjoint.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import dev.adjoint.Tensor.DType;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The gradient of {@code Linalg.vectorNorm}, {@code matrixNorm("fro")} and {@code std} where a norm or a standard
 * deviation is 0 is 0, as PyTorch's (it was NaN: the root's infinite slope times 0). Expected values are PyTorch 1.13's, printed by
 * {@code runtime/src/test/python/norm_zero_goldens.py}; the nonzero rows are also checked against central
 * differences here.
 */
class NormAtZeroTest {

  private static double[] grad(UnaryOperator<Tensor> f, int[] shape, double... values) {
    Tensor x = Tensor.of(DType.FLOAT64, values).reshape(shape).requiresGrad(true);
    f.apply(x).sum().backward();
    return x.grad().toDoubleArray();
  }

  /** Central differences of {@code f(x).sum()} in double. */
  private static double[] fd(UnaryOperator<Tensor> f, int[] shape, double... values) {
    double[] out = new double[values.length];
    double h = 1e-6;
    for (int i = 0; i < values.length; i++) {
      double[] up = values.clone();
      double[] down = values.clone();
      up[i] += h;
      down[i] -= h;
      out[i] = (f.apply(Tensor.of(DType.FLOAT64, up).reshape(shape)).sum().itemDouble()
          - f.apply(Tensor.of(DType.FLOAT64, down).reshape(shape)).sum().itemDouble()) / (2 * h);
    }
    return out;
  }

  @Test
  void twoNormOverADimensionWithAZeroRow() {
    UnaryOperator<Tensor> f = x -> Linalg.vectorNorm(x, 2, new int[] {1}, false);
    assertArrayEquals(new double[] {0, 0, 0, 0.6, 0.8, 0}, grad(f, new int[] {2, 3}, 0, 0, 0, 3, 4, 0), 1e-12);
  }

  @Test
  void threeNormKeepingTheDimensionWithAZeroRow() {
    UnaryOperator<Tensor> f = x -> Linalg.vectorNorm(x, 3, new int[] {1}, true);
    double[] g = grad(f, new int[] {2, 3}, 0, 0, 0, 3, -4, 1);
    assertArrayEquals(new double[] {0, 0, 0, 0.4416219230355002, -0.7851056409520003, 0.04906910255950002}, g,
        1e-12);
    double[] byFd = fd(f, new int[] {1, 3}, 3, -4, 1);
    assertArrayEquals(byFd, new double[] {g[3], g[4], g[5]}, 1e-6);
  }

  @Test
  void normsOfAllElements() {
    assertArrayEquals(new double[] {0, 0, 0, 0.5055475570320758, -0.7783413817083377, 0.09729267271354221},
        grad(x -> Linalg.vectorNorm(x, 2.5), new int[] {2, 3}, 0, 0, 0, 3, -4, 1), 1e-12);
    assertArrayEquals(new double[3], grad(x -> Linalg.vectorNorm(x, 2), new int[] {3}, 0, 0, 0), 0);
    assertArrayEquals(new double[3], grad(x -> Linalg.vectorNorm(x, 1.5), new int[] {3}, 0, 0, 0), 0);
  }

  @Test
  void frobeniusOfABatchWithAZeroMatrix() {
    UnaryOperator<Tensor> f = x -> Linalg.matrixNorm(x, "fro");
    assertArrayEquals(new double[8], grad(f, new int[] {2, 2, 2}, new double[8]), 0);
    assertArrayEquals(new double[] {0, 0, 0, 0, 0.2, 0.4, 0.4, 0.8},
        grad(f, new int[] {2, 2, 2}, 0, 0, 0, 0, 1, 2, 2, 4), 1e-12);
  }

  @Test
  void standardDeviationOfAConstant() {
    assertArrayEquals(new double[3], grad(Tensor::std, new int[] {3}, 1, 1, 1), 0);
    assertArrayEquals(new double[] {0, 0, 0, -0.43643578047198484, -0.10910894511799625, 0.5455447255899809},
        grad(x -> x.std(new int[] {1}, 1, true), new int[] {2, 3}, 1, 1, 1, 1, 2, 4), 1e-12);
  }

  @Test
  void standardDeviationOfAConstantToSecondOrder() {
    Tensor x = Tensor.of(DType.FLOAT64, 1, 1, 1, 1, 2, 4).reshape(2, 3).requiresGrad(true);
    Tensor g = Autograd.grad(new Tensor[] {x.std(new int[] {1}, 1, false).sum()}, new Tensor[] {x}, null, true)[0];
    Tensor v = Tensor.of(DType.FLOAT64, 1, -2, 0.5, 0.3, 1, -1).reshape(2, 3);
    Tensor h = Autograd.grad(new Tensor[] {g.mul(v).sum()}, new Tensor[] {x}, null, false)[0];
    assertArrayEquals(new double[] {0, 0, 0, -0.15898732002908025, 0.23848098004362023, -0.07949366001454006},
        h.toDoubleArray(), 1e-12);
    Tensor c = Tensor.of(DType.FLOAT64, 2, 2, 2).requiresGrad(true);
    Tensor gc = Autograd.grad(new Tensor[] {c.std()}, new Tensor[] {c}, null, true)[0];
    Tensor hc = Autograd.grad(new Tensor[] {gc.mul(Tensor.of(DType.FLOAT64, 1, -2, 0.5)).sum()}, new Tensor[] {c},
        null, false)[0];
    assertArrayEquals(new double[3], gc.toDoubleArray(), 0);
    assertArrayEquals(new double[3], hc.toDoubleArray(), 0);
  }
}
