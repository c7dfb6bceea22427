package dev.adjoint.spark;

import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The value {@code treeAggregate} carries: the nodes of a {@link ReducePlan} known so far, each a {@link
 * Partial}. {@link #merge} is both the sequence and the combine operation; it adds a node's children only
 * once all of them are present, and then in index order, so the root is the same bits whatever order Spark
 * merges in (task completion order on the driver, shuffle fetch order on reducers) and however often a failed
 * task is retried.
 */
final class TreeSum implements Serializable {
  @Serial private static final long serialVersionUID = 1L;

  private final ReducePlan plan;
  private final TreeMap<Long, Partial> nodes = new TreeMap<>();

  private TreeSum(ReducePlan plan) {
    this.plan = plan;
  }

  /** No node yet: the zero of the aggregation. */
  static TreeSum empty(ReducePlan plan) {
    return new TreeSum(plan);
  }

  /** The leaf of partition {@code partition}. */
  static TreeSum leaf(ReducePlan plan, int partition, Partial value) {
    if (partition < 0 || partition >= plan.count(0)) {
      throw new IllegalArgumentException("aggregation: partition " + partition + " is outside the plan's "
          + plan.count(0) + " partitions");
    }
    TreeSum t = new TreeSum(plan);
    t.put(0, partition, value);
    return t;
  }

  /** Moves {@code other}'s nodes into this one, adding every node whose children are now complete. */
  TreeSum merge(TreeSum other) {
    if (other == this) {
      return this;
    }
    for (var e : other.nodes.entrySet()) {
      put(level(e.getKey()), index(e.getKey()), e.getValue());
    }
    other.nodes.clear();
    return this;
  }

  /** The root's value; throws when a partition's leaf never arrived. */
  Partial root() {
    Partial p = nodes.get(key(plan.top(), 0));
    if (p == null || nodes.size() != 1) {
      throw new IllegalStateException("aggregation incomplete: " + nodes.size() + " partial nodes " + nodes.keySet()
          + " of " + plan);
    }
    return p;
  }

  private void put(int level, int index, Partial value) {
    long k = key(level, index);
    if (nodes.putIfAbsent(k, value) != null) {
      throw new IllegalStateException("aggregation: node " + index + " of level " + level + " arrived twice");
    }
    if (level == plan.top()) {
      return;
    }
    int parent = plan.parent(level, index);
    int stride = plan.count(level + 1);
    List<Long> children = new ArrayList<>();
    for (int i = parent; i < plan.count(level); i += stride) {
      long ck = key(level, i);
      if (!nodes.containsKey(ck)) {
        return;
      }
      children.add(ck);
    }
    Partial sum = nodes.remove(children.get(0));
    for (int c = 1; c < children.size(); c++) {
      sum.add(nodes.remove(children.get(c)));
    }
    put(level + 1, parent, sum);
  }

  private static long key(int level, int index) {
    return ((long) level << 32) | index;
  }

  private static int level(long key) {
    return (int) (key >>> 32);
  }

  private static int index(long key) {
    return (int) key;
  }
}
