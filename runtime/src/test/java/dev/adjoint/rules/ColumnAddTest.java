package dev.adjoint.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import org.junit.jupiter.api.Test;

/**
 * A column broadcast in {@code add} ({@code [.., m, n] + [.., m, 1]}, either order: the bias of {@code W·X + b})
 * goes through the {@code addColumn} kernel; its values are bit for bit those of the general broadcast.
 */
class ColumnAddTest {
  @Test
  void columnBroadcastMatchesTheGeneralBroadcastBitForBit() {
    Generator g = new Generator(7);
    for (int[][] shapes : new int[][][] {{{64, 32}, {64, 1}}, {{5, 17}, {5, 1}}, {{2, 3, 33}, {2, 3, 1}},
        {{1, 2}, {1, 1}}}) {
      Tensor a = Tensor.randn(g, shapes[0]);
      Tensor c = Tensor.randn(g, shapes[1]);
      assertTrue(Rules.isColumnOf(c, a));
      float[] want = Rules.broadcastBinary("add", a, c, Float::sum).toFloatArray();
      assertArrayEquals(want, a.add(c).toFloatArray());
      assertArrayEquals(want, c.add(a).toFloatArray());
      assertArrayEquals(a.shape(), c.add(a).shape());
    }
  }

  @Test
  void onlyAColumnOfTheSameLeadingShapeIsOne() {
    Generator g = new Generator(8);
    Tensor a = Tensor.randn(g, 4, 6);
    assertFalse(Rules.isColumnOf(Tensor.randn(g, 4), a)); // a row of 4 does not broadcast as a column
    assertFalse(Rules.isColumnOf(Tensor.randn(g, 1, 1), a)); // a scalar-like [1, 1]
    assertFalse(Rules.isColumnOf(Tensor.randn(g, 2, 4, 1), a)); // more dimensions
    assertFalse(Rules.isColumnOf(Tensor.randn(g, 4, 1), Tensor.randn(g, 4, 1))); // the same shape
    assertFalse(Rules.isColumnOf(Tensor.randn(g, 3, 1), a));
  }
}
