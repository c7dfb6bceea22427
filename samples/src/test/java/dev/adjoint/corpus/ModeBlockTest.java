package dev.adjoint.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link ModeBlock}: for every activation and pooling mode, the generated gradients (one node) equal the eager ones
 * and central differences in float64, and the branch the generated forward took is the one the mode names (the
 * values differ from mode to mode).
 */
class ModeBlockTest {
  @Test
  void everyModeMatchesEagerAndCentralDifferences() {
    List<Double> values = new ArrayList<>();
    for (ModeBlock.Act act : ModeBlock.Act.values()) {
      for (ModeBlock.Pool pool : ModeBlock.Pool.values()) {
        String what = act + "/" + pool;
        ModeBlock gen = new ModeBlock();
        ModeBlock eag = new ModeBlock();
        gen.act = act;
        eag.act = act;
        Tensor x0 = Tensor.randn(new Generator(78), 5, 3);
        Tensor xg = x0.copy().requiresGrad(true);
        Tensor lg = ModeBlockDiff.loss(gen, xg, pool);
        assertEquals("ModeBlockLossBackward", lg.gradFn().name(), what);
        lg.backward();
        Tensor xe = x0.copy().requiresGrad(true);
        Tensor le = eag.loss(xe, pool);
        le.backward();
        assertEquals(le.item(), lg.item(), 1e-5 * Math.abs(le.item()), what + " value");
        values.add((double) lg.item());
        close(what + " x", xe.grad(), xg.grad(), 1e-5);
        Map<String, Tensor> pe = eag.namedParameters();
        for (var e : gen.namedParameters().entrySet()) {
          close(what + " " + e.getKey(), pe.get(e.getKey()).grad(), e.getValue().grad(), 1e-5);
        }
        // float64: central differences of the generated forward
        ModeBlock m64 = new ModeBlock();
        m64.act = act;
        m64.toDouble();
        Tensor x64 = x0.toDouble().requiresGrad(true);
        ModeBlockDiff.loss(m64, x64, pool).backward();
        Tensor plain = x0.toDouble();
        List<Tensor> leaves = new ArrayList<>(List.of(plain));
        List<Tensor> grads = new ArrayList<>(List.of(x64.grad()));
        for (Tensor p : m64.parameters()) {
          leaves.add(p);
          grads.add(p.grad());
        }
        for (int i = 0; i < leaves.size(); i++) {
          Tensor leaf = leaves.get(i);
          double[] data = leaf.mutableStorageF64("central differences");
          double[] analytical = grads.get(i).toDoubleArray();
          for (int k = 0; k < data.length; k++) {
            double keep = data[k];
            data[k] = keep + 1e-6;
            leaf.bumpVersion();
            double plus = value(m64, plain, pool);
            data[k] = keep - 1e-6;
            leaf.bumpVersion();
            double minus = value(m64, plain, pool);
            data[k] = keep;
            leaf.bumpVersion();
            double numerical = (plus - minus) / 2e-6;
            assertEquals(numerical, analytical[k], 1e-6 + 1e-6 * Math.abs(numerical), what + " leaf " + i + "[" + k
                + "]");
          }
        }
      }
    }
    assertEquals(values.size(), values.stream().distinct().count(), "each mode computes its own value: " + values);
  }

  private static double value(ModeBlock m, Tensor x, ModeBlock.Pool pool) {
    try (var g = Autograd.noGrad()) {
      return ModeBlockDiff.loss(m, x, pool).toDoubleArray()[0];
    }
  }

  private static void close(String what, Tensor want, Tensor got, double tol) {
    float[] w = want.toFloatArray();
    float[] a = got.toFloatArray();
    assertEquals(w.length, a.length, what);
    double norm = 0;
    for (int i = 0; i < w.length; i++) {
      assertEquals(w[i], a[i], tol * Math.max(1, Math.abs(w[i])), what + "[" + i + "]");
      norm += Math.abs(w[i]);
    }
    assertTrue(norm > 0, what + ": a zero gradient proves nothing");
  }
}
