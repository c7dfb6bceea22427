package dev.adjoint.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
  /** Sample i is x = [i, -i], y = i (INT64); uses the default stacking batch(). */
  private static final Dataset RANGE = new Dataset() {
    @Override
    public int size() {
      return 10;
    }

    @Override
    public Example get(int i) {
      return new Example(Tensor.of((float) i, (float) -i), Tensor.wrap(new float[] {i}, new int[0], Tensor.DType.INT64));
    }
  };

  private static List<float[]> labels(DataLoader loader) {
    List<float[]> out = new ArrayList<>();
    for (Batch b : loader) {
      out.add(b.y().toFloatArray());
    }
    return out;
  }

  @Test
  void batchesInOrderWithASmallerLastBatch() {
    var loader = new DataLoader(RANGE, 4);
    assertEquals(3, loader.size());
    List<Batch> batches = new ArrayList<>();
    loader.forEach(batches::add);
    assertEquals(3, batches.size());
    assertArrayEquals(new int[] {4, 2}, batches.get(0).x().shape());
    assertArrayEquals(new float[] {0, 0, 1, -1, 2, -2, 3, -3}, batches.get(0).x().toFloatArray());
    assertEquals(Tensor.DType.INT64, batches.get(0).y().dtype());
    assertArrayEquals(new float[] {8, 9}, batches.get(2).y().toFloatArray());
    assertEquals(2, batches.get(2).size());
  }

  @Test
  void dropLastLeavesOutTheIncompleteBatch() {
    var loader = new DataLoader(RANGE, 4, false, null, true);
    assertEquals(2, loader.size());
    assertEquals(2, labels(loader).size());
  }

  @Test
  void seededShuffleIsReproducibleAndAPermutationEachEpoch() {
    var a = new DataLoader(RANGE, 3, true, new Generator(42), false);
    var b = new DataLoader(RANGE, 3, true, new Generator(42), false);
    List<float[]> a1 = labels(a);
    List<float[]> a2 = labels(a);
    List<float[]> b1 = labels(b);
    assertEquals(a1.size(), b1.size());
    for (int i = 0; i < a1.size(); i++) {
      assertArrayEquals(a1.get(i), b1.get(i));
    }
    float[] all = flatten(a1);
    float[] sorted = all.clone();
    Arrays.sort(sorted);
    assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, sorted);
    assertFalse(Arrays.equals(sorted, all), "a shuffle of 10 should not be the identity for this seed");
    assertNotEquals(Arrays.toString(all), Arrays.toString(flatten(a2)), "each epoch draws a new order");
  }

  private static float[] flatten(List<float[]> parts) {
    float[] out = new float[parts.stream().mapToInt(p -> p.length).sum()];
    int o = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, o, p.length);
      o += p.length;
    }
    return out;
  }

  @Test
  void badBatchSizeIsRejected() {
    var e = assertThrows(IllegalArgumentException.class, () -> new DataLoader(RANGE, 0));
    assertEquals("DataLoader: batch_size should be a positive integer value, but got batch_size=0", e.getMessage());
  }
}
