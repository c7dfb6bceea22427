package dev.adjoint.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.kernel.Kernels;
import java.util.Arrays;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The fused forward-mode rules ({@code tanhDual}, {@code sigmoidDual}, {@code reluDual}, their bias forms, and
 * {@code matmulDual}) and their kernels ({@link Kernels#tanhJvp} and siblings, {@link Kernels#gemmShared}) against
 * the unfused composition they replace in {@code fJvp}: the operation, then its JVP. Odd lengths (vector body and
 * scalar tail), float32 and float64, {@code null} tangents. Run by the default build (the preferred width) and again
 * with the scalar kernels and at 128, 256 and 512 bits (the runtime pom's kernel executions).
 *
 * <p>Bits: every value is the composition's to the last bit except tanh's float32 value, which goes through the
 * Vector API's {@code TANH} (an SVML stub once C2 compiles the loop, the Java fallback before), so two loops at
 * different compilation stages may differ by an ulp; for tanh the test asserts 2 ulps on the value and, exactly,
 * that the tangent is {@code ṫ·(1 − y²)} of the value the kernel returned.
 */
class FusedJvpTest {
  private static final int[] LENGTHS = {1, 3, 7, 8, 15, 16, 17, 31, 33, 64, 100, 257, 1023};

  private static final Tensor.DType[] FLOATS = {Tensor.DType.FLOAT32, Tensor.DType.FLOAT64};

  private final Generator g = new Generator(2026);

  private interface Composition {
    Tensor tangent(Tensor ta, Tensor out, Tensor a);
  }

  @Test
  void reluAndSigmoidAreTheCompositionToTheBit() {
    for (int n : LENGTHS) {
      for (Tensor.DType dt : FLOATS) {
        Tensor a = Tensor.randn(g, n).to(dt);
        Tensor ta = Tensor.randn(g, n).to(dt);
        exact("relu", a, ta, ElementwiseRules::reluDual, ElementwiseRules::relu, ElementwiseRules::reluJvp);
        exact("sigmoid", a, ta, ElementwiseRules::sigmoidDual, ElementwiseRules::sigmoid,
            ElementwiseRules::sigmoidJvp);
      }
    }
  }

  @Test
  void reluAtZeroAndNaNAsTheComposition() {
    Tensor a = Tensor.of(0f, -0f, Float.NaN, 1f, -1f, 0f, 2f, Float.NaN, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f);
    Tensor ta = Tensor.randn(g, a.numel());
    exact("relu", a, ta, ElementwiseRules::reluDual, ElementwiseRules::relu, ElementwiseRules::reluJvp);
    float[] t = ElementwiseRules.reluDual(a, ta).tangent().toFloatArray();
    assertEquals(0f, t[0], "relu'(0) = 0");
    assertEquals(0f, t[2], "NaN maps to 0, its tangent too");
  }

  @Test
  void tanhIsTheCompositionWithinAnUlpAndItsTangentExactly() {
    for (int n : LENGTHS) {
      Tensor a = Tensor.randn(g, n).mul(2);
      Tensor ta = Tensor.randn(g, n);
      Jvps.Dual d = ElementwiseRules.tanhDual(a, ta);
      float[] y = d.value().toFloatArray();
      float[] want = a.tanh().toFloatArray();
      float[] t = ta.toFloatArray();
      float[] ty = d.tangent().toFloatArray();
      for (int i = 0; i < n; i++) {
        assertEquals(want[i], y[i], 2 * Math.ulp(want[i]), "tanh at " + i + " of " + n);
        assertEquals(t[i] * (1f - y[i] * y[i]), ty[i], 0f, "tangent at " + i + " of " + n);
      }
      // and in float64, to the bit
      Tensor a64 = a.to(Tensor.DType.FLOAT64);
      Tensor ta64 = ta.to(Tensor.DType.FLOAT64);
      exact("tanh", a64, ta64, ElementwiseRules::tanhDual, ElementwiseRules::tanh,
          (x, out, in) -> ElementwiseRules.tanhVjp(x, out, in).get(0));
    }
  }

  @Test
  void theKernelsAreTheirTwoKernelsInOnePass() {
    Kernels k = Kernels.get();
    for (int n : LENGTHS) {
      float[] x = Tensor.randn(g, n).mul(3).toFloatArray();
      float[] t = Tensor.randn(g, n).toFloatArray();
      float[] y = new float[n];
      float[] ty = new float[n];
      float[] wantY = new float[n];
      float[] wantT = new float[n];
      k.reluJvp(x, t, y, ty, n);
      k.relu(x, wantY, n);
      k.reluBackward(t, wantY, wantT, n);
      assertArrayEquals(wantY, y, k.name() + " relu " + n);
      assertArrayEquals(wantT, ty, k.name() + " relu tangent " + n);
      k.sigmoidJvp(x, t, y, ty, n);
      k.sigmoid(x, wantY, n);
      k.sigmoidBackward(t, wantY, wantT, n);
      assertArrayEquals(wantY, y, k.name() + " sigmoid " + n);
      assertArrayEquals(wantT, ty, k.name() + " sigmoid tangent " + n);
      k.tanhJvp(x, t, y, ty, n);
      k.tanh(x, wantY, n);
      for (int i = 0; i < n; i++) {
        assertEquals(wantY[i], y[i], 2 * Math.ulp(wantY[i]), k.name() + " tanh " + n);
        assertEquals(t[i] * (1f - y[i] * y[i]), ty[i], 0f, k.name() + " tanh tangent " + n);
      }
      // in place: y over x and ty over t
      float[] xs = x.clone();
      float[] ts = t.clone();
      k.sigmoidJvp(xs, ts, xs, ts, n);
      k.sigmoid(x, wantY, n);
      k.sigmoidBackward(t, wantY, wantT, n);
      assertArrayEquals(wantY, xs, k.name() + " sigmoid in place " + n);
      assertArrayEquals(wantT, ts, k.name() + " sigmoid tangent in place " + n);
    }
  }

  @Test
  void theBiasKernelIsTheTwoAddsAndTheTanhPass() {
    Kernels k = Kernels.get();
    for (int rows : new int[] {1, 3, 5}) {
      for (int n : new int[] {1, 16, 17, 32, 48, 64}) {
        for (boolean perRow : new boolean[] {true, false}) {
          int per = perRow ? rows : n;
          float[] p = Tensor.randn(g, rows * n).mul(2).toFloatArray();
          float[] tp = Tensor.randn(g, rows * n).toFloatArray();
          float[] bias = Tensor.randn(g, per).toFloatArray();
          float[] tBias = Tensor.randn(g, per).toFloatArray();
          float[] y = new float[rows * n];
          float[] ty = new float[rows * n];
          k.tanhJvpBias(p, tp, bias, tBias, perRow, y, ty, rows, n);
          float[] z = new float[rows * n];
          float[] tz = new float[rows * n];
          if (perRow) {
            k.addColumn(p, bias, z, rows, n);
            k.addColumn(tp, tBias, tz, rows, n);
          } else {
            k.addRow(p, bias, z, rows, n);
            k.addRow(tp, tBias, tz, rows, n);
          }
          float[] want = new float[rows * n];
          k.tanh(z, want, rows * n);
          String what = k.name() + " " + rows + "x" + n + (perRow ? " per row" : " per column");
          for (int i = 0; i < rows * n; i++) {
            assertEquals(want[i], y[i], 2 * Math.ulp(want[i]), what + " tanh at " + i);
            assertEquals(tz[i] * (1f - y[i] * y[i]), ty[i], 0f, what + " tangent at " + i);
          }
        }
      }
    }
  }

  @Test
  void aBiasIsFoldedInAsTheAddAndItsJvpWouldGive() {
    for (int rows : new int[] {1, 5, 9}) {
      for (int cols : new int[] {1, 7, 16, 33}) {
        Tensor a = Tensor.randn(g, rows, cols);
        Tensor ta = Tensor.randn(g, rows, cols);
        for (int[] bs : new int[][] {{rows, cols}, {rows, 1}, {cols}, {1, cols}}) {
          Tensor b = Tensor.randn(g, bs);
          Tensor tb = Tensor.randn(g, bs);
          for (Tensor[] tangents : new Tensor[][] {{ta, tb}, {ta, null}, {null, tb}, {null, null}}) {
            for (Tensor.DType dt : FLOATS) {
              Tensor a2 = a.to(dt);
              Tensor b2 = b.to(dt);
              Tensor ta2 = tangents[0] == null ? null : tangents[0].to(dt);
              Tensor tb2 = tangents[1] == null ? null : tangents[1].to(dt);
              Tensor z = a2.add(b2);
              Tensor tz = ElementwiseRules.addJvp(ta2, tb2, z, a2, b2);
              String what = Arrays.toString(a.shape()) + " + " + Arrays.toString(bs) + " " + dt
                  + (ta2 == null ? " no ȧ" : "") + (tb2 == null ? " no ḃ" : "");
              biased(what + " relu", ElementwiseRules.reluDual(a2, b2, ta2, tb2), z, tz, ElementwiseRules::relu,
                  ElementwiseRules::reluJvp);
              biased(what + " sigmoid", ElementwiseRules.sigmoidDual(a2, b2, ta2, tb2), z, tz,
                  ElementwiseRules::sigmoid, ElementwiseRules::sigmoidJvp);
              Jvps.Dual th = ElementwiseRules.tanhDual(a2, b2, ta2, tb2);
              assertArrayEquals(z.tanh().toDoubleArray(), th.value().toDoubleArray(), 1e-6, what + " tanh");
              if (tz == null) {
                assertNull(th.tangent(), what);
              } else {
                assertArrayEquals(ElementwiseRules.tanhVjp(tz, th.value(), z).get(0).toDoubleArray(),
                    th.tangent().toDoubleArray(), 0, what + " tanh tangent");
              }
            }
          }
        }
      }
    }
  }

  @Test
  void theInputsAndTheirTangentsAreNotWrittenTo() {
    Tensor a = Tensor.randn(g, 6, 17);
    Tensor ta = Tensor.randn(g, 6, 17);
    float[] before = ta.toFloatArray();
    float[] aBefore = a.toFloatArray();
    // ȧ + null: the add's JVP hands ȧ itself back, which the pass must not overwrite
    Tensor b = Tensor.randn(g, 6, 17);
    ElementwiseRules.tanhDual(a, b, ta, null);
    ElementwiseRules.sigmoidDual(a, ta);
    assertArrayEquals(before, ta.toFloatArray());
    assertArrayEquals(aBefore, a.toFloatArray());
  }

  @Test
  void gemmSharedIsTheTwoProductsToTheBit() {
    Kernels k = Kernels.get();
    int[][] sizes = {{64, 32, 64}, {64, 20, 64}, {63, 32, 64}, {61, 40, 37}, {8, 64, 300}, {3, 3, 3},
        {64, 200, 64}, {128, 64, 64}, {5, 17, 1}};
    for (int[] s : sizes) {
      int m = s[0];
      int n = s[1];
      int kk = s[2];
      float[] a = Tensor.randn(g, m, kk).toFloatArray();
      float[] b1 = Tensor.randn(g, kk, n).toFloatArray();
      float[] b2 = Tensor.randn(g, kk, n).toFloatArray();
      float[] c1 = Tensor.randn(g, m, n).toFloatArray();
      float[] c2 = Tensor.randn(g, m, n).toFloatArray();
      float[] w1 = c1.clone();
      float[] w2 = c2.clone();
      k.gemmShared(m, n, kk, a, b1, b2, c1, c2);
      k.gemm(false, false, m, n, kk, a, 0, b1, 0, w1, 0, true);
      k.gemm(false, false, m, n, kk, a, 0, b2, 0, w2, 0, true);
      assertArrayEquals(w1, c1, k.name() + " C1 " + Arrays.toString(s));
      assertArrayEquals(w2, c2, k.name() + " C2 " + Arrays.toString(s));
    }
  }

  @Test
  void gemmJvpIsTheThreeProductsInOrderToTheBit() {
    Kernels k = Kernels.get();
    int[][] sizes = {{64, 32, 64}, {64, 20, 64}, {63, 32, 64}, {61, 40, 37}, {8, 64, 300}, {3, 3, 3},
        {64, 200, 64}, {128, 64, 64}, {5, 17, 1}, {64, 64, 256}};
    for (int[] s : sizes) {
      int m = s[0];
      int n = s[1];
      int kk = s[2];
      float[] a = Tensor.randn(g, m, kk).toFloatArray();
      float[] ta = Tensor.randn(g, m, kk).toFloatArray();
      float[] b = Tensor.randn(g, kk, n).toFloatArray();
      float[] tb = Tensor.randn(g, kk, n).toFloatArray();
      float[] c = Tensor.randn(g, m, n).toFloatArray();
      float[] tc = Tensor.randn(g, m, n).toFloatArray();
      float[] wc = c.clone();
      float[] wt = tc.clone();
      k.gemmJvp(m, n, kk, a, ta, b, tb, c, tc);
      k.gemm(false, false, m, n, kk, a, 0, b, 0, wc, 0, true);
      k.gemm(false, false, m, n, kk, ta, 0, b, 0, wt, 0, true);
      k.gemm(false, false, m, n, kk, a, 0, tb, 0, wt, 0, true);
      assertArrayEquals(wc, c, k.name() + " C " + Arrays.toString(s));
      assertArrayEquals(wt, tc, k.name() + " TC " + Arrays.toString(s));
    }
  }

  @Test
  void matmulDualIsTheProductAndMatmulJvpToTheBit() {
    for (int[] s : new int[][] {{64, 64, 32}, {7, 5, 3}, {33, 17, 40}}) {
      Tensor a = Tensor.randn(g, s[0], s[1]);
      Tensor b = Tensor.randn(g, s[1], s[2]);
      Tensor ta = Tensor.randn(g, s[0], s[1]);
      Tensor tb = Tensor.randn(g, s[1], s[2]);
      for (Tensor[] t : new Tensor[][] {{ta, tb}, {ta, null}, {null, tb}, {Tensor.zeros(s[0], s[1]), tb},
          {ta, Tensor.zeros(s[1], s[2])}}) {
        for (Tensor.DType dt : FLOATS) {
          Tensor a2 = a.to(dt);
          Tensor b2 = b.to(dt);
          Tensor ta2 = t[0] == null ? null : t[0].to(dt);
          Tensor tb2 = t[1] == null ? null : t[1].to(dt);
          Tensor out = a2.matmul(b2);
          Jvps.Dual d = LinalgRules.matmulDual(a2, b2, ta2, tb2);
          String what = Arrays.toString(s) + " " + dt;
          assertArrayEquals(out.toDoubleArray(), d.value().toDoubleArray(), 0, what);
          assertArrayEquals(LinalgRules.matmulJvp(ta2, tb2, out, a2, b2).toDoubleArray(),
              d.tangent().toDoubleArray(), 0, what + " tangent");
        }
      }
      assertNull(LinalgRules.matmulDual(a, b, null, null).tangent());
      // a transposed view goes through the product as Tensor.matmul reads it
      Tensor at = Tensor.randn(g, s[1], s[0]).t();
      Jvps.Dual d = LinalgRules.matmulDual(at, b, null, tb);
      assertArrayEquals(at.matmul(b).toFloatArray(), d.value().toFloatArray());
      assertArrayEquals(at.matmul(tb).toFloatArray(), d.tangent().toFloatArray());
    }
  }

  private static void exact(String what, Tensor a, Tensor ta, BiFunction<Tensor, Tensor, Jvps.Dual> dual,
      UnaryOperator<Tensor> op, Composition jvp) {
    Tensor y = op.apply(a);
    Jvps.Dual d = dual.apply(a, ta);
    String at = what + " " + a.dtype() + " n=" + a.numel();
    assertArrayEquals(y.toDoubleArray(), d.value().toDoubleArray(), 0, at);
    assertArrayEquals(jvp.tangent(ta, y, a).toDoubleArray(), d.tangent().toDoubleArray(), 0, at + " tangent");
    Jvps.Dual none = dual.apply(a, null);
    assertNull(none.tangent(), at);
    assertArrayEquals(y.toDoubleArray(), none.value().toDoubleArray(), 0, at);
  }

  private static void biased(String what, Jvps.Dual d, Tensor z, Tensor tz, UnaryOperator<Tensor> op,
      Composition jvp) {
    Tensor y = op.apply(z);
    assertArrayEquals(y.toDoubleArray(), d.value().toDoubleArray(), 0, what);
    if (tz == null) {
      assertNull(d.tangent(), what);
      return;
    }
    assertArrayEquals(jvp.tangent(tz, y, z).toDoubleArray(), d.tangent().toDoubleArray(), 0, what + " tangent");
    assertEquals(z.dtype(), d.tangent().dtype(), what);
  }
}
