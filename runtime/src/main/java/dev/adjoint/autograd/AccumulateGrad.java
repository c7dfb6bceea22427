package dev.adjoint.autograd;

import dev.adjoint.Tensor;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * PyTorch's {@code AccumulateGrad}: the node that stands for a leaf that requires grad in
 * {@link Node#nextFunctions()}, and holds the leaf's gradient hooks ({@code registerHook} on a leaf) and
 * post-accumulate hooks. One node per leaf while the leaf lives (a weak map: the leaf keeps no reference to
 * it and a dead leaf frees it). The engine accumulates into leaves itself; it consults this node only when
 * one exists, so leaves without hooks cost nothing.
 */
public final class AccumulateGrad {
  private static final Map<Tensor, Node> NODES = Collections.synchronizedMap(new WeakHashMap<>());
  private static volatile boolean any;

  private AccumulateGrad() {}

  /** The leaf's {@code AccumulateGrad} node, made on first request. */
  public static Node of(Tensor leaf) {
    any = true;
    return NODES.computeIfAbsent(leaf, l -> {
      Node n = new Node("AccumulateGrad", null, new Tensor[0], new Tensor[0], g -> Grads.none());
      n.setVariable(l);
      return n;
    });
  }

  /** The leaf's node if one was made, else {@code null} (no map lookup while none exists at all). */
  static Node existing(Tensor leaf) {
    return any ? NODES.get(leaf) : null;
  }

  /**
   * {@code Tensor.registerHook} on a leaf: {@code hook} sees the leaf's summed gradient of a backward
   * before it is accumulated, and may return a replacement.
   */
  public static RemovableHandle registerHook(Tensor leaf, java.util.function.UnaryOperator<Tensor> hook) {
    return of(leaf).registerPreHook(0, hook);
  }

  /** {@code Tensor.registerPostAccumulateGradHook}: {@code hook} receives the leaf after accumulation. */
  public static RemovableHandle registerPostAccumulateGradHook(Tensor leaf,
      java.util.function.Consumer<Tensor> hook) {
    return of(leaf).registerPostAccumulateHook(hook);
  }
}
