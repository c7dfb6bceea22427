package dev.adjoint.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The one-pass backward of a 2×2, stride-2 max pooling ({@link PoolRules#scatterMax2x2}) puts every gradient where
 * the general path ({@link PoolRules#argmax} then {@link PoolRules#scatterMax}) puts it, to the bit: ties (the
 * first equal element wins), NaN windows (the last NaN wins), infinities, signed zeros, and odd sizes whose last
 * row and column no window covers.
 */
class MaxPoolFastPathTest {
  @Test
  void oneByOneWindowsMatchTheGeneralPathWithTiesNaNsAndOddSizes() {
    Generator gen = new Generator(2018);
    for (int[] s : new int[][] {{3, 5, 8, 8}, {2, 3, 7, 9}, {1, 1, 2, 2}, {4, 2, 28, 28}}) {
      Tensor x = Tensor.randn(gen, s);
      float[] v = x.storage().clone();
      for (int i = 0; i < v.length; i++) {
        // few distinct values, so windows often hold ties; a few NaNs, infinities and negative zeros
        v[i] = Math.round(v[i] * 1.5f) / 2f;
        if (i % 37 == 5) {
          v[i] = Float.NaN;
        } else if (i % 41 == 7) {
          v[i] = Float.POSITIVE_INFINITY;
        } else if (i % 43 == 8) {
          v[i] = Float.NEGATIVE_INFINITY;
        } else if (i % 29 == 3) {
          v[i] = -0f;
        }
      }
      Tensor xs = Tensor.wrap(v, s);
      PoolRules.Geom g = PoolRules.geom("maxPool2d", xs, new int[] {2}, new int[0], new int[] {0}, new int[] {1},
          false);
      assertTrue(PoolRules.disjoint2x2(g));
      float[] out = PoolRules.maxValues(g, v);
      float[] gOut = Tensor.randn(gen, out.length).storage();
      float[] want = PoolRules.scatterMax(g, gOut, PoolRules.argmax(g, v, out));
      float[] got = PoolRules.scatterMax2x2(g, v, out, gOut);
      assertArrayEquals(want, got, java.util.Arrays.toString(s));
    }
  }
}
