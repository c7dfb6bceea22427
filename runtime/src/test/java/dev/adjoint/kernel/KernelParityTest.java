package dev.adjoint.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.kernel.vector.VectorKernels;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scalar reference vs Vector API kernels over awkward sizes (Lucene style: around every multiple of the
 * vector width and of the micro-kernel's tile, and past {@link Kernels#SEQUENTIAL_SUM}). Arithmetic must be
 * bit-identical, transcendental functions within a few ulps, sums and products within a bound that
 * scales with the number of terms. Surefire runs this class again with {@code -Dadjoint.vectorBitSize=128}
 * and {@code 512} (runtime/pom.xml), so every width is covered.
 */
class KernelParityTest {
  static final ScalarKernels REF = ScalarKernels.instance();
  static final VectorKernels VEC = VectorKernels.instance();
  static final int[] SIZES = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 255, 256, 257, 1000, 4097};

  static float[] rand(SplittableRandom r, int n, double lo, double hi) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (lo + (hi - lo) * r.nextDouble());
    }
    return x;
  }

  static IntStream sizes() {
    return IntStream.of(SIZES);
  }

  @Test
  void forcedWidthIsHonoured() {
    String p = System.getProperty("adjoint.vectorBitSize");
    if (p != null) {
      assertEquals(Integer.parseInt(p), VectorKernels.bitSize());
      assertEquals("vector-" + p, Kernels.get().name());
    } else {
      assertTrue(Kernels.get().name().startsWith("vector-"), Kernels.get().name());
    }
  }

  @ParameterizedTest
  @MethodSource("sizes")
  void arithmeticIsBitIdentical(int n) {
    SplittableRandom r = new SplittableRandom(n);
    float[] a = rand(r, n, -3, 3);
    float[] b = rand(r, n, 0.5, 2);
    float[] g = rand(r, n, -1, 1);
    a[0] = Float.NaN; // relu(NaN) = 0 in both
    if (n > 2) {
      a[1] = 0f;
      a[2] = -0f;
    }
    List<String> names = List.of("add", "sub", "mul", "div", "affine", "axpy", "relu", "reluBackward",
        "sigmoidBackward", "tanhBackward");
    for (String name : names) {
      float[] want = new float[n];
      float[] got = new float[n];
      if (name.equals("axpy")) {
        want = g.clone();
        got = g.clone();
      }
      run(REF, name, a, b, g, want, n);
      run(VEC, name, a, b, g, got, n);
      assertArrayEquals(want, got, name + " n=" + n);
    }
  }

  private static void run(Kernels k, String name, float[] a, float[] b, float[] g, float[] out, int n) {
    switch (name) {
      case "add" -> k.add(a, b, out, n);
      case "sub" -> k.sub(a, b, out, n);
      case "mul" -> k.mul(a, b, out, n);
      case "div" -> k.div(a, b, out, n);
      case "affine" -> k.affine(a, 0.37f, -1.25f, out, n);
      case "axpy" -> k.axpy(-0.01f, b, out, n);
      case "relu" -> k.relu(a, out, n);
      case "reluBackward" -> k.reluBackward(g, a, out, n);
      case "sigmoidBackward" -> k.sigmoidBackward(g, b, out, n);
      case "tanhBackward" -> k.tanhBackward(g, b, out, n);
      default -> throw new AssertionError(name);
    }
  }

  @Test
  void outputMayAliasInput() {
    float[] a = rand(new SplittableRandom(1), 37, -1, 1);
    float[] want = a.clone();
    REF.mul(want, want, want, 37);
    float[] got = a.clone();
    VEC.mul(got, got, got, 37);
    assertArrayEquals(want, got);
  }

  static void assertUlps(float[] want, float[] got, int ulps, String what) {
    for (int i = 0; i < want.length; i++) {
      float w = want[i];
      float v = got[i];
      if (Float.isNaN(w) || Float.isInfinite(w)) {
        assertEquals(w, v, what + " [" + i + "]");
        continue;
      }
      // subnormal results (sigmoid(-100) = 3.8e-44) may flush to zero in vector code
      float tol = Math.max(ulps * Math.ulp(Math.abs(w)), Float.MIN_NORMAL);
      assertTrue(Math.abs(w - v) <= tol, what + " [" + i + "]: want " + w + ", got " + v);
    }
  }

  @ParameterizedTest
  @MethodSource("sizes")
  void transcendentalsWithinUlps(int n) {
    SplittableRandom r = new SplittableRandom(100 + n);
    float[] x = rand(r, n, -20, 20);
    float[] pos = rand(r, n, 1e-3, 1e3);
    float[] want = new float[n];
    float[] got = new float[n];
    REF.exp(x, want, n);
    VEC.exp(x, got, n);
    assertUlps(want, got, 2, "exp n=" + n);
    REF.log(pos, want, n);
    VEC.log(pos, got, n);
    assertUlps(want, got, 2, "log n=" + n);
    REF.tanh(x, want, n);
    VEC.tanh(x, got, n);
    assertUlps(want, got, 2, "tanh n=" + n);
    REF.sigmoid(x, want, n);
    VEC.sigmoid(x, got, n);
    assertUlps(want, got, 4, "sigmoid n=" + n);
  }

  @Test
  void expAccurateOverItsWholeRange() {
    // sweep the finite range densely, past both ends, and the special values
    int n = 400_003;
    float[] x = new float[n + 12];
    for (int i = 0; i < n; i++) {
      x[i] = -90f + 180f * i / (n - 1);
    }
    float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 88.72283f, 88.72284f, 88.8f,
        -87.3f, -87.4f, -103f, 0f, -0f, 1e-30f};
    System.arraycopy(specials, 0, x, n, specials.length);
    float[] want = new float[x.length];
    float[] got = new float[x.length];
    REF.exp(x, want, x.length);
    VectorKernels.withThreads(1).exp(x, got, x.length);
    assertUlps(want, got, 2, "exp sweep");
  }

  @Test
  void sigmoidSaturatesWithoutNaN() {
    float[] x = {-1000f, -100f, -89f, 89f, 100f, 1000f, 0f, -0f, -1000f, -100f, -89f, 89f, 100f, 1000f, 0f, -0f,
        -1000f, -100f, -89f, 89f, 100f, 1000f, 0f, -0f, -1000f, -100f, -89f, 89f, 100f, 1000f, 0f, -0f};
    float[] want = new float[x.length];
    float[] got = new float[x.length];
    REF.sigmoid(x, want, x.length);
    VEC.sigmoid(x, got, x.length);
    assertUlps(want, got, 4, "sigmoid saturation");
  }

  @ParameterizedTest
  @MethodSource("sizes")
  void sumAndDotSequentialBelowThresholdBoundedAbove(int n) {
    SplittableRandom r = new SplittableRandom(200 + n);
    float[] a = rand(r, n + 5, -1, 1);
    float[] b = rand(r, n, -1, 1);
    if (n < Kernels.SEQUENTIAL_SUM) {
      // the contract: bit-identical, strictly left to right (also at an offset)
      float s = 0f;
      for (int i = 5; i < n + 5; i++) {
        s += a[i];
      }
      assertEquals(s, VEC.sum(a, 5, n), "sum n=" + n);
      assertEquals(REF.sum(a, 5, n), VEC.sum(a, 5, n));
      float d = 0f;
      for (int i = 0; i < n; i++) {
        d += a[i] * b[i];
      }
      assertEquals(d, VEC.dot(a, b, n), "dot n=" + n);
    } else {
      double exact = 0;
      double abs = 0;
      double exactDot = 0;
      double absDot = 0;
      for (int i = 0; i < n; i++) {
        exact += a[i + 5];
        abs += Math.abs(a[i + 5]);
        exactDot += (double) a[i] * b[i];
        absDot += Math.abs((double) a[i] * b[i]);
      }
      double eps = 0x1p-24;
      assertTrue(Math.abs(VEC.sum(a, 5, n) - exact) <= 2 * n * eps * abs, "sum n=" + n);
      assertTrue(Math.abs(VEC.dot(a, b, n) - exactDot) <= 2 * n * eps * absDot, "dot n=" + n);
    }
  }

  @ParameterizedTest
  @MethodSource("sizes")
  void maxMatchesAndPropagatesNaN(int n) {
    SplittableRandom r = new SplittableRandom(300 + n);
    float[] a = rand(r, n + 3, -5, 5);
    assertEquals(REF.max(a, 3, n), VEC.max(a, 3, n), "max n=" + n);
    a[3 + n - 1] = Float.NaN;
    assertTrue(Float.isNaN(VEC.max(a, 3, n)), "NaN at the end, n=" + n);
    a[3 + n - 1] = 0f;
    a[3] = Float.NaN;
    assertTrue(Float.isNaN(VEC.max(a, 3, n)), "NaN at the start, n=" + n);
  }

  static Stream<Arguments> axes() {
    List<Arguments> list = new ArrayList<>();
    for (int outer : new int[] {1, 3}) {
      for (int n : new int[] {1, 7, 17, 255, 300}) {
        for (int inner : new int[] {1, 5, 16, 33}) {
          list.add(Arguments.of(outer, n, inner));
        }
      }
    }
    return list.stream();
  }

  @ParameterizedTest
  @MethodSource("axes")
  void sumAxisMatches(int outer, int n, int inner) {
    float[] x = rand(new SplittableRandom(outer * 1000 + n * 10 + inner), outer * n * inner, -1, 1);
    float[] want = new float[outer * inner];
    float[] got = new float[outer * inner];
    REF.sumAxis(x, outer, n, inner, want);
    VEC.sumAxis(x, outer, n, inner, got);
    if (n < Kernels.SEQUENTIAL_SUM || inner > 1) {
      assertArrayEquals(want, got); // both left to right
    } else {
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], got[i], 2 * n * 0x1p-24 * n, "sumAxis " + i);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("sizes")
  void addRowMatches(int n) {
    SplittableRandom r = new SplittableRandom(400 + n);
    int rows = 3;
    float[] a = rand(r, rows * n, -1, 1);
    float[] row = rand(r, n, -1, 1);
    float[] want = new float[rows * n];
    float[] got = new float[rows * n];
    REF.addRow(a, row, want, rows, n);
    VEC.addRow(a, row, got, rows, n);
    assertArrayEquals(want, got);
  }

  @ParameterizedTest
  @MethodSource("sizes")
  void addColumnMatches(int n) {
    SplittableRandom r = new SplittableRandom(450 + n);
    int rows = 3;
    float[] a = rand(r, rows * n, -1, 1);
    float[] column = rand(r, rows, -1, 1);
    float[] want = new float[rows * n];
    float[] got = new float[rows * n];
    REF.addColumn(a, column, want, rows, n);
    VEC.addColumn(a, column, got, rows, n);
    assertArrayEquals(want, got);
    for (int i = 0; i < rows * n; i++) {
      assertEquals(a[i] + column[i / n], want[i], 0f, "addColumn " + i);
    }
  }

  @ParameterizedTest
  @MethodSource("sizes")
  void softmaxRowsAndBackward(int n) {
    SplittableRandom r = new SplittableRandom(500 + n);
    int rows = 3;
    float[] x = rand(r, rows * n, -10, 10);
    float[] g = rand(r, rows * n, -1, 1);
    for (boolean log : new boolean[] {false, true}) {
      float[] want = new float[rows * n];
      float[] got = new float[rows * n];
      REF.softmaxRows(x, want, rows, n, log);
      VEC.softmaxRows(x, got, rows, n, log);
      for (int i = 0; i < want.length; i++) {
        // relative to the row's scale: probabilities within 1e-6 · (1 + n·eps); log-probabilities absolute
        double tol = log ? 2e-6 * (1 + Math.abs(want[i])) + n * 1e-7 : 4e-6 * want[i] + 1e-9;
        assertEquals(want[i], got[i], tol, (log ? "logSoftmax" : "softmax") + " n=" + n + " [" + i + "]");
      }
      float[] gw = new float[rows * n];
      float[] gg = new float[rows * n];
      REF.softmaxBackwardRows(g, want, gw, rows, n, log);
      VEC.softmaxBackwardRows(g, want, gg, rows, n, log);
      for (int i = 0; i < gw.length; i++) {
        assertEquals(gw[i], gg[i], 1e-5 * (1 + Math.abs(gw[i])) + n * 1e-7,
            (log ? "logSoftmax" : "softmax") + " backward n=" + n + " [" + i + "]");
      }
    }
  }

  // ---- gemm

  static Stream<Arguments> gemmShapes() {
    int[] dims = {1, 3, 4, 5, 7, 8, 15, 16, 17, 33, 63, 65};
    List<Arguments> list = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(7);
    for (int m : dims) {
      for (int n : dims) {
        int k = dims[r.nextInt(dims.length)];
        list.add(Arguments.of(m, n, k));
      }
    }
    // past the blocking sizes: KC = 256 (k), MC = 96 (m), several NR panels and threads (n)
    list.add(Arguments.of(97, 130, 257));
    list.add(Arguments.of(100, 1000, 300));
    list.add(Arguments.of(65, 4097, 17));
    list.add(Arguments.of(4097, 9, 33));
    list.add(Arguments.of(200, 2100, 70)); // n > NC = 2048
    return list.stream();
  }

  @ParameterizedTest
  @MethodSource("gemmShapes")
  void gemmMatchesEveryTransposeAndAccumulate(int m, int n, int k) {
    SplittableRandom r = new SplittableRandom(m * 31L + n * 17L + k);
    float[] a = rand(r, m * k + 3, -1, 1);
    float[] b = rand(r, k * n + 2, -1, 1);
    float[] c0 = rand(r, m * n + 4, -1, 1);
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        for (boolean acc : new boolean[] {false, true}) {
          checkGemm(VEC, ta, tb, m, n, k, a, b, c0, acc);
        }
      }
    }
  }

  /**
   * A pre-packed B ({@link Kernels#packB}, how a linear layer reads its weight at inference) gives the same
   * bits as packing on the way, for both layouts of B, on every split (1 and 3 threads; 3 also splits the
   * packing itself), across the KC block edge and around the tile widths, and for tiny products.
   */
  @Test
  void gemmPackedEqualsGemmToTheBit() {
    SplittableRandom r = new SplittableRandom(17);
    int[][] shapes = {{64, 784, 512}, {64, 512, 10}, {5, 7, 3}, {33, 257, 65}, {70, 300, 90}, {1, 513, 31}};
    for (int[] sh : shapes) {
      int m = sh[0];
      int k = sh[1];
      int n = sh[2];
      float[] a = rand(r, m * k, -1, 1);
      float[] at = rand(r, k * m, -1, 1);
      float[] b = rand(r, k * n, -1, 1);
      float[] c0 = rand(r, m * n, -1, 1);
      for (int threads : new int[] {1, 3}) {
        VectorKernels v = VectorKernels.withThreads(threads);
        for (boolean tb : new boolean[] {false, true}) {
          Kernels.PackedB p = v.packB(tb, k, n, b, 0);
          assertEquals(k, p.k());
          assertEquals(n, p.n());
          for (boolean ta : new boolean[] {false, true}) {
            float[] src = ta ? at : a;
            for (boolean acc : new boolean[] {false, true}) {
              float[] want = c0.clone();
              float[] got = c0.clone();
              v.gemm(ta, tb, m, n, k, src, 0, b, 0, want, 0, acc);
              v.gemmPacked(ta, m, src, 0, p, got, 0, acc);
              assertArrayEquals(want, got, m + "x" + k + "x" + n + " ta=" + ta + " tb=" + tb + " acc=" + acc
                  + " threads=" + threads);
              float[] ref = c0.clone();
              REF.gemmPacked(ta, m, src, 0, REF.packB(tb, k, n, b, 0), ref, 0, acc);
              float[] refWant = c0.clone();
              REF.gemm(ta, tb, m, n, k, src, 0, b, 0, refWant, 0, acc);
              assertArrayEquals(refWant, ref);
            }
          }
        }
      }
    }
    Kernels.PackedB scalarPacked = REF.packB(true, 3, 2, new float[6], 0);
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> VEC.gemmPacked(false, 1, new float[3], 0, scalarPacked, new float[2], 0, false));
    assertTrue(e.getMessage().contains("gemmPacked"), e.getMessage());
  }

  @Test
  void gemmSingleThreadedAndThreadedAgree() {
    int m = 70;
    int n = 300;
    int k = 90;
    SplittableRandom r = new SplittableRandom(9);
    float[] a = rand(r, m * k, -1, 1);
    float[] b = rand(r, k * n, -1, 1);
    float[] c1 = new float[m * n];
    float[] c4 = new float[m * n];
    VectorKernels.withThreads(1).gemm(false, true, m, n, k, a, 0, b, 0, c1, 0, false);
    VectorKernels.withThreads(4).gemm(false, true, m, n, k, a, 0, b, 0, c4, 0, false);
    assertArrayEquals(c1, c4); // each element is computed by one thread in the same order
    float[] t1 = new float[4097 * 9];
    float[] t3 = new float[4097 * 9];
    float[] tall = rand(r, 4097 * 33, -1, 1);
    float[] narrow = rand(r, 33 * 9, -1, 1);
    VectorKernels.withThreads(1).gemm(false, false, 4097, 9, 33, tall, 0, narrow, 0, t1, 0, false);
    VectorKernels.withThreads(3).gemm(false, false, 4097, 9, 33, tall, 0, narrow, 0, t3, 0, false); // rows split
    assertArrayEquals(t1, t3);
  }

  @Test
  void batchSizedProductsSplitOverThreadsGiveTheSingleThreadBits() {
    // the benchmark shapes, on the chunked split: a chunk's thread and order of chunks must not matter
    SplittableRandom r = new SplittableRandom(21);
    for (int[] s : new int[][] {{64, 784, 512}, {64, 512, 512}, {64, 512, 10}, {96, 256, 1000}}) {
      int m = s[0];
      int k = s[1];
      int n = s[2];
      float[] a = rand(r, m * k, -1, 1);
      float[] b = rand(r, k * n, -1, 1);
      float[] want = new float[m * n];
      VectorKernels.withThreads(1).gemm(false, false, m, n, k, a, 0, b, 0, want, 0, false);
      for (int threads : new int[] {2, 3}) {
        VectorKernels kt = VectorKernels.withThreads(threads);
        for (int rep = 0; rep < 3; rep++) {
          float[] got = new float[m * n];
          kt.gemm(false, false, m, n, k, a, 0, b, 0, got, 0, false);
          assertArrayEquals(want, got, m + "x" + k + "x" + n + " on " + threads + " threads");
          float[] packed = new float[m * n];
          kt.gemmPacked(false, m, a, 0, kt.packB(false, k, n, b, 0), packed, 0, false);
          assertArrayEquals(want, packed, m + "x" + k + "x" + n + " pre-packed, " + threads + " threads");
        }
      }
    }
  }

  @Test
  void expIsWithinOneUlpOnItsFastRange() {
    // the inlined polynomial covers |x| <= 86.6; beyond, whole vectors go to the Vector API's EXP
    int n = 1 << 20;
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = -86.6f + 173.2f * i / (n - 1);
    }
    float[] want = new float[n];
    float[] got = new float[n];
    REF.exp(x, want, n);
    VectorKernels.withThreads(1).exp(x, got, n);
    assertUlps(want, got, 1, "exp fast range");
    float[] zeros = {0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f, 0f, -0f};
    float[] ones = new float[zeros.length];
    VEC.exp(zeros, ones, zeros.length);
    for (float one : ones) {
      assertEquals(1f, one, "exp(±0)");
    }
  }

  @Test
  void largeMemoryBoundKernelsSplitOverThreadsBitForBit() {
    int n = VectorKernels.PARALLEL_ELEMENTS * 2 + 13;
    float[] a = rand(new SplittableRandom(21), n, -5, 5);
    float[] b = rand(new SplittableRandom(22), n, 0.5, 3);
    VectorKernels three = VectorKernels.withThreads(3);
    float[] want = new float[n];
    float[] got = new float[n];
    REF.add(a, b, want, n);
    three.add(a, b, got, n);
    assertArrayEquals(want, got, "add");
    REF.sub(a, b, want, n);
    three.sub(a, b, got, n);
    assertArrayEquals(want, got, "sub");
    REF.mul(a, b, want, n);
    three.mul(a, b, got, n);
    assertArrayEquals(want, got, "mul");
    REF.div(a, b, want, n);
    three.div(a, b, got, n);
    assertArrayEquals(want, got, "div");
    REF.affine(a, 1.5f, -0.25f, want, n);
    three.affine(a, 1.5f, -0.25f, got, n);
    assertArrayEquals(want, got, "affine");
    REF.relu(a, want, n);
    three.relu(a, got, n);
    assertArrayEquals(want, got, "relu");
    REF.reluBackward(b, a, want, n);
    three.reluBackward(b, a, got, n);
    assertArrayEquals(want, got, "reluBackward");
    float[] y1 = b.clone();
    float[] y2 = b.clone();
    REF.axpy(-0.1f, a, y1, n);
    three.axpy(-0.1f, a, y2, n);
    assertArrayEquals(y1, y2, "axpy");
  }

  @Test
  void largeElementwiseKernelsSplitOverThreads() {
    // the same code runs on every element whatever the split; only an ulp may differ, because the Vector
    // API's EXP/LOG/TANH give slightly different results in interpreted, C1 and C2 code
    int n = VectorKernels.PARALLEL_ELEMENTS * 2 + 13;
    float[] x = rand(new SplittableRandom(12), n, -5, 5);
    VectorKernels one = VectorKernels.withThreads(1);
    VectorKernels three = VectorKernels.withThreads(3);
    float[] want = new float[n];
    float[] got = new float[n];
    one.exp(x, want, n);
    three.exp(x, got, n);
    assertUlps(want, got, 2, "exp");
    one.sigmoid(x, want, n);
    three.sigmoid(x, got, n);
    assertUlps(want, got, 2, "sigmoid");
    one.tanh(x, want, n);
    three.tanh(x, got, n);
    assertUlps(want, got, 2, "tanh");
    float[] pos = rand(new SplittableRandom(13), n, 0.1, 9);
    one.log(pos, want, n);
    three.log(pos, got, n);
    assertUlps(want, got, 2, "log");
    int rows = n / 1000;
    one.softmaxRows(x, want, rows, 1000, false);
    three.softmaxRows(x, got, rows, 1000, false);
    for (int i = 0; i < rows * 1000; i++) {
      assertEquals(want[i], got[i], 4e-6 * want[i], "softmax [" + i + "]"); // the row sum's order may differ too
    }
    float[] ref = new float[rows * 1000];
    REF.softmaxRows(x, ref, rows, 1000, false);
    for (int i = 0; i < ref.length; i++) {
      assertEquals(ref[i], got[i], 4e-6 * ref[i] + 1e-9, "softmax vs reference [" + i + "]");
    }
    float[] gw = new float[rows * 1000];
    float[] gg = new float[rows * 1000];
    one.softmaxBackwardRows(x, want, gw, rows, 1000, true);
    three.softmaxBackwardRows(x, want, gg, rows, 1000, true);
    for (int i = 0; i < gw.length; i++) {
      // Σg over 1000 terms is reduced lane-wise, in a different order in interpreted and compiled code
      assertEquals(gw[i], gg[i], 1e-4, "logSoftmax backward [" + i + "]");
    }
  }

  @Test
  void gemmBatchedMatchesLoop() {
    // small products, many of them: the vector kernels spread whole products over the pool
    int batch = 40;
    int m = 24;
    int n = 17;
    int k = 33;
    SplittableRandom r = new SplittableRandom(11);
    float[] a = rand(r, batch * m * k, -1, 1);
    float[] b = rand(r, k * n, -1, 1); // broadcast: stride 0
    float[] want = new float[batch * m * n];
    REF.gemmBatched(false, false, batch, m, n, k, a, 0, m * k, b, 0, 0, want, 0, m * n, false);
    for (int threads : new int[] {1, 2, 3}) {
      float[] got = new float[batch * m * n];
      VectorKernels.withThreads(threads).gemmBatched(false, false, batch, m, n, k, a, 0, m * k, b, 0, 0,
          got, 0, m * n, false);
      for (int i = 0; i < want.length; i++) {
        assertEquals(want[i], got[i], 1e-5 * k, "batched, " + threads + " threads [" + i + "]");
      }
    }
  }

  /** Runs {@code kern} at offsets 3/2/4 and checks every element against a double reference with an error bound. */
  static void checkGemm(Kernels kern, boolean ta, boolean tb, int m, int n, int k,
      float[] a, float[] b, float[] c0, boolean acc) {
    float[] c = c0.clone();
    kern.gemm(ta, tb, m, n, k, a, 3, b, 2, c, 4, acc);
    float[] cr = c0.clone();
    REF.gemm(ta, tb, m, n, k, a, 3, b, 2, cr, 4, acc);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double exact = acc ? c0[4 + i * n + j] : 0;
        double abs = Math.abs(exact);
        for (int p = 0; p < k; p++) {
          double x = ta ? a[3 + p * m + i] : a[3 + i * k + p];
          double y = tb ? b[2 + j * k + p] : b[2 + p * n + j];
          exact += x * y;
          abs += Math.abs(x * y);
        }
        double tol = (k + 2) * 0x1p-24 * abs + 1e-30;
        String where = "gemm ta=" + ta + " tb=" + tb + " acc=" + acc + " " + m + "x" + n + "x" + k
            + " at (" + i + "," + j + ")";
        float got = c[4 + i * n + j];
        assertTrue(Math.abs(got - exact) <= tol, where + ": want " + exact + ", got " + got);
        assertTrue(Math.abs(cr[4 + i * n + j] - exact) <= tol, "reference " + where);
      }
    }
    // nothing outside C is touched
    for (int i = 0; i < 4; i++) {
      assertEquals(c0[i], c[i]);
    }
    assertEquals(c0.length, c.length);
  }
}
