package dev.adjoint.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Adjoint;
import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.Tensor.DType;
import dev.adjoint.samples.fashion.CompiledFashionCnn;
import dev.adjoint.samples.thermometer.ThermometerData;
import dev.adjoint.samples.thermometer.ThermometerDiff;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code @Differentiable} modules converted with {@code toDouble()} ({@code module.double()}): the generated code
 * reads the converted parameters from the same fields and runs in float64. The nested user module's generated
 * gradients equal the eager float64 ones, pass gradcheck with respect to the input and central differences with
 * respect to every parameter; the compiled FashionMNIST CNN (convolutions, batch norms with running statistics,
 * pooling, linear, all through one generated backward) agrees with its float32 self to float32 accuracy; the
 * thermometer's fused loss (a float32 loop) takes the tensor path on float64 inputs and equals the eager loss.
 */
class GeneratedModuleDtypeTest {

  @Test
  void nestedUserModulesRunInFloat64AfterToDouble() {
    NestedModules m = new NestedModules();
    List<Tensor> before = m.parameters();
    m.toDouble();
    List<Tensor> after = m.parameters();
    for (int i = 0; i < before.size(); i++) {
      assertSame(before.get(i), after.get(i));
      assertEquals(DType.FLOAT64, after.get(i).dtype());
    }
    Tensor x = Tensor.randn(new Generator(21), 5, 3).toDouble();
    var r = NestedModulesDiff.forwardValueAndGrad(m, x);
    assertEquals(DType.FLOAT64, r.value().dtype());
    m.zeroGrad();
    Tensor eager = m.forward(x);
    eager.backward();
    assertEquals(r.value().toDoubleArray()[0], eager.toDoubleArray()[0], 1e-12);
    Tensor[] generated = {r.gradient().out(), r.gradient().inWeight(), r.gradient().inBias(),
        r.gradient().gateScale(), r.gradient().gateShift()};
    Map<String, Tensor> named = m.namedParameters();
    int i = 0;
    for (var e : named.entrySet()) {
      assertEquals(DType.FLOAT64, generated[i].dtype(), e.getKey());
      assertArrayEquals(e.getValue().grad().toDoubleArray(), generated[i].toDoubleArray(), 1e-12, e.getKey());
      checkByCentralDifferences(m, x, e.getKey(), e.getValue(), generated[i].toDoubleArray());
      i++;
    }
    Tensor xg = x.detach().requiresGrad(true);
    assertTrue(Autograd.gradcheck(in -> m.forward(in[0]), xg));
  }

  /** The gradient of {@code m(x)} (a scalar) with respect to {@code p} against central differences (gradcheck's). */
  static void checkByCentralDifferences(NestedModules m, Tensor x, String name, Tensor p, double[] analytical) {
    double[] data = p.mutableStorageF64("central differences");
    for (int k = 0; k < data.length; k++) {
      double keep = data[k];
      double plus;
      double minus;
      try (var g = Autograd.noGrad()) {
        data[k] = keep + 1e-6;
        p.bumpVersion();
        plus = m.forward(x).toDoubleArray()[0];
        data[k] = keep - 1e-6;
        p.bumpVersion();
        minus = m.forward(x).toDoubleArray()[0];
      }
      data[k] = keep;
      p.bumpVersion();
      double numerical = (plus - minus) / 2e-6;
      assertEquals(numerical, analytical[k], 1e-5 + 1e-3 * Math.abs(numerical), name + " element " + k);
    }
  }

  @Test
  void theCompiledCnnRunsInFloat64AfterToDouble() {
    Adjoint.manualSeed(5);
    CompiledFashionCnn m32 = new CompiledFashionCnn();
    Adjoint.manualSeed(5);
    CompiledFashionCnn m64 = new CompiledFashionCnn();
    m64.toDouble();
    Tensor x32 = Tensor.randn(new Generator(6), 3, 1, 28, 28);
    Tensor x64 = x32.toDouble();
    Tensor y32 = m32.forward(x32);
    Tensor y64 = m64.forward(x64);
    assertEquals(DType.FLOAT64, y64.dtype());
    close(y32, y64, "logits");
    Tensor v = Tensor.randn(new Generator(7), 3, 10);
    y32.mul(v).sum().backward();
    y64.mul(v.toDouble()).sum().backward();
    Map<String, Tensor> p32 = m32.namedParameters();
    for (var e : m64.namedParameters().entrySet()) {
      assertEquals(DType.FLOAT64, e.getValue().grad().dtype(), e.getKey());
      close(p32.get(e.getKey()).grad(), e.getValue().grad(), e.getKey() + " gradient");
    }
    Map<String, Tensor> b32 = m32.namedBuffers();
    for (var e : m64.namedBuffers().entrySet()) {
      // module.double() converts floating-point buffers only: num_batches_tracked stays INT64
      assertEquals(e.getKey().endsWith("num_batches_tracked") ? DType.INT64 : DType.FLOAT64, e.getValue().dtype(),
          e.getKey());
      close(b32.get(e.getKey()), e.getValue(), e.getKey() + " after one training forward");
    }
    m32.eval();
    m64.eval();
    close(m32.forward(x32), m64.forward(x64), "logits in evaluation mode");
  }

  @Test
  void theFusedLossTakesTheTensorPathInFloat64() {
    Tensor tP = ThermometerData.tU().toDouble().mul(0.5).requiresGrad(true);
    Tensor tC = ThermometerData.tC().toDouble();
    var r = ThermometerDiff.lossFnValueAndGrad(tP, tC);
    assertEquals(DType.FLOAT64, r.value().dtype());
    Tensor eager = tP.sub(tC).square().mean();
    eager.backward();
    assertEquals(eager.toDoubleArray()[0], r.value().toDoubleArray()[0], 1e-12 * Math.abs(eager.toDoubleArray()[0]));
    assertEquals(DType.FLOAT64, r.gradient().tP().dtype());
    assertArrayEquals(tP.grad().toDoubleArray(), r.gradient().tP().toDoubleArray(), 1e-12);
  }

  /**
   * float64 {@code got} against float32 {@code want}, to float32 accuracy relative to the largest entry or 1 (a
   * conv bias before a batch norm has gradient 0 in exact arithmetic and 1e-7 of float32 noise).
   */
  static void close(Tensor want, Tensor got, String what) {
    assertArrayEquals(want.shape(), got.shape(), what + " shape");
    float[] w = want.toFloatArray();
    double[] g = got.toDoubleArray();
    double scale = 0;
    for (float f : w) {
      scale = Math.max(scale, Math.abs(f));
    }
    for (int i = 0; i < w.length; i++) {
      assertEquals(w[i], g[i], 1e-4 * Math.max(1, scale), what + " element " + i);
    }
  }
}
