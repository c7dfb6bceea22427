package dev.adjoint.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link UpsamplingDecoder}: the generated backward through {@code ConvTranspose2d} and {@code ConvTranspose1d}
 * gives the eager gradients of the input and of every parameter.
 */
class UpsamplingDecoderTest {
  @Test
  void generatedGradientsEqualEager() {
    Tensor x0 = Tensor.randn(new Generator(41), 2, 3, 3, 4);
    UpsamplingDecoder generated = new UpsamplingDecoder();
    UpsamplingDecoder eager = new UpsamplingDecoder();
    assertEquals(List.of("up.weight", "up.bias", "line.weight", "line.bias"),
        List.copyOf(generated.namedParameters().keySet()));
    Tensor xg = x0.copy().requiresGrad(true);
    Tensor lossG = UpsamplingDecoderDiff.forward(generated, xg);
    assertEquals("UpsamplingDecoderForwardBackward", lossG.gradFn().name());
    lossG.backward();
    Tensor xe = x0.copy().requiresGrad(true);
    Tensor lossE = eager.forward(xe);
    assertTrue(lossE.gradFn().name().startsWith("Sum"), lossE.gradFn().name());
    lossE.backward();
    assertEquals(lossE.item(), lossG.item(), 1e-5 * Math.abs(lossE.item()));
    close("x", xe.grad(), xg.grad());
    Map<String, Tensor> g = generated.namedParameters();
    Map<String, Tensor> e = eager.namedParameters();
    for (String name : e.keySet()) {
      close(name, e.get(name).grad(), g.get(name).grad());
    }
  }

  private static void close(String what, Tensor want, Tensor got) {
    float[] w = want.toFloatArray();
    float[] a = got.toFloatArray();
    assertEquals(w.length, a.length, what);
    double norm = 0;
    for (int i = 0; i < w.length; i++) {
      assertEquals(w[i], a[i], 1e-5 * Math.max(1, Math.abs(w[i])), what + "[" + i + "]");
      norm += Math.abs(w[i]);
    }
    assertTrue(norm > 0, what + ": a zero gradient proves nothing");
  }
}
