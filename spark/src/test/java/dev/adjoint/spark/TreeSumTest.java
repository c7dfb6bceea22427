package dev.adjoint.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fixed-order tree of partial sums, without Spark: any merge order gives the same bits. */
class TreeSumTest {
  @Test
  void thePlanFollowsTreeAggregatesSchedule() {
    // scale = max(ceil(P^(1/depth)), 2); a level of n / scale while n > scale + ceil(n / scale)
    assertEquals("ReducePlan[1, 1]", ReducePlan.treeAggregate(1, 2).toString());
    assertEquals("ReducePlan[4, 1]", ReducePlan.treeAggregate(4, 2).toString());
    assertEquals("ReducePlan[6, 2, 1]", ReducePlan.treeAggregate(6, 2).toString());
    assertEquals("ReducePlan[100, 10, 1]", ReducePlan.treeAggregate(100, 2).toString());
    assertEquals("ReducePlan[1000, 100, 10, 1]", ReducePlan.treeAggregate(1000, 3).toString());
    assertEquals(1, ReducePlan.treeAggregate(100, 2).parent(0, 31));
  }

  private static Partial leafValue(int p, int n) {
    Random r = new Random(p);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      // magnitudes spread over many binades, so that the order of additions shows in the result
      a[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(8) - 4));
    }
    return new Partial(new float[][] {a, p % 3 == 0 ? null : a.clone()}, p * 0.1, p + 1, p, null);
  }

  /** Merges the partitions' leaves in a shuffled order, in random groups, as reducers and the driver would. */
  private static Partial total(ReducePlan plan, int partitions, long seed) {
    List<TreeSum> pending = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      pending.add(TreeSum.leaf(plan, p, leafValue(p, 64)));
    }
    Random r = new Random(seed);
    while (pending.size() > 1) {
      Collections.shuffle(pending, r);
      TreeSum a = pending.remove(pending.size() - 1);
      TreeSum b = pending.remove(pending.size() - 1);
      pending.add(r.nextBoolean() ? a.merge(b) : b.merge(a));
    }
    return pending.get(0).root();
  }

  @Test
  void anyMergeOrderGivesTheSameBits() {
    for (int partitions : new int[] {1, 2, 5, 6, 17, 40}) {
      ReducePlan plan = ReducePlan.treeAggregate(partitions, 2);
      Partial first = total(plan, partitions, 1);
      for (long seed = 2; seed < 8; seed++) {
        Partial other = total(plan, partitions, seed);
        assertArrayEquals(first.arrays[0], other.arrays[0], "partitions " + partitions + ", order " + seed);
        assertArrayEquals(first.arrays[1], other.arrays[1]);
        assertEquals(first.lossSum, other.lossSum, 0.0);
      }
      assertEquals((long) partitions * (partitions + 1) / 2, first.count);
    }
  }

  @Test
  void theOrderMattersWithoutThePlanSoTheTestCanFail() {
    // the same leaves added left to right and right to left differ: a plain fold in arrival order would not be
    // reproducible
    List<Partial> leaves = new ArrayList<>();
    for (int p = 0; p < 17; p++) {
      leaves.add(leafValue(p, 64));
    }
    float[] forward = leaves.get(0).arrays[0].clone();
    for (int p = 1; p < 17; p++) {
      for (int i = 0; i < forward.length; i++) {
        forward[i] += leaves.get(p).arrays[0][i];
      }
    }
    float[] backward = leaves.get(16).arrays[0].clone();
    for (int p = 15; p >= 0; p--) {
      for (int i = 0; i < backward.length; i++) {
        backward[i] += leaves.get(p).arrays[0][i];
      }
    }
    assertNotEquals(java.util.Arrays.toString(forward), java.util.Arrays.toString(backward));
  }

  @Test
  void oneLeafIsTheRootUnchanged() {
    ReducePlan plan = ReducePlan.treeAggregate(1, 2);
    Partial only = leafValue(0, 8);
    assertSame(only, TreeSum.empty(plan).merge(TreeSum.leaf(plan, 0, only)).root());
  }

  @Test
  void aMissingOrRepeatedPartitionIsAnError() {
    ReducePlan plan = ReducePlan.treeAggregate(3, 2);
    TreeSum t = TreeSum.leaf(plan, 0, leafValue(0, 4)).merge(TreeSum.leaf(plan, 2, leafValue(2, 4)));
    var e = assertThrows(IllegalStateException.class, t::root);
    assertTrue(e.getMessage().startsWith("aggregation incomplete"), e.getMessage());
    var twice = assertThrows(IllegalStateException.class, () -> t.merge(TreeSum.leaf(plan, 2, leafValue(2, 4))));
    assertEquals("aggregation: node 2 of level 0 arrived twice", twice.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TreeSum.leaf(plan, 3, leafValue(3, 4)));
  }
}
