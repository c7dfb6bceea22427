package dev.adjoint.spark;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The fixed tree in which partial results are added: level 0 holds one leaf per partition, level {@code L + 1}
 * holds {@code counts[L + 1]} nodes, and node {@code i} of level {@code L} belongs to node {@code i % counts[L +
 * 1]}; the last level is the root. A node's value is the sum of its children's values taken left to right in
 * index order, whatever order they arrive in, so the total is the same float for float on every run.
 *
 * <p>The levels copy the schedule of Spark's {@code RDD.treeAggregate(depth)}: with {@code scale =
 * max(ceil(P^(1/depth)), 2)} it adds a level of {@code n / scale} nodes while {@code n > scale + ceil(n /
 * scale)}, and groups partition {@code i} of one level under key {@code i % n} of the next, then the driver folds
 * the last level. Matching it means every reducer receives exactly the children of its node and sends one
 * value on; were Spark's schedule different, the sums would stay the same and only more partial values would
 * travel.
 */
final class ReducePlan implements Serializable {
  @Serial private static final long serialVersionUID = 1L;

  private final int[] counts;

  private ReducePlan(int[] counts) {
    this.counts = counts;
  }

  /** The plan of {@code treeAggregate} over {@code partitions} partitions with the given {@code depth}. */
  static ReducePlan treeAggregate(int partitions, int depth) {
    if (partitions < 1 || depth < 1) {
      throw new IllegalArgumentException("treeAggregate plan: partitions and depth must be positive, got "
          + partitions + " and " + depth);
    }
    List<Integer> levels = new ArrayList<>();
    levels.add(partitions);
    int n = partitions;
    int scale = Math.max((int) Math.ceil(Math.pow(n, 1.0 / depth)), 2);
    while (n > scale + (int) Math.ceil((double) n / scale)) {
      n /= scale;
      levels.add(n);
    }
    levels.add(1);
    return new ReducePlan(levels.stream().mapToInt(Integer::intValue).toArray());
  }

  /** The number of levels, leaves and root included. */
  int levels() {
    return counts.length;
  }

  /** How many nodes {@code level} has. */
  int count(int level) {
    return counts[level];
  }

  /** The root's level. */
  int top() {
    return counts.length - 1;
  }

  /** The node of level {@code level + 1} that node {@code index} of {@code level} belongs to. */
  int parent(int level, int index) {
    return index % counts[level + 1];
  }

  @Override
  public String toString() {
    return "ReducePlan" + Arrays.toString(counts);
  }
}
