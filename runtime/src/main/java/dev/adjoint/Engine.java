package dev.adjoint;

import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Node;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The backward pass: runs the nodes reachable from the root in reverse topological order, sums the
 * gradients that reach a node along several paths before running it, and accumulates into the
 * {@code grad} of leaves (and of non-leaves that asked for {@code retainGrad()}).
 */
final class Engine {
  private Engine() {}

  static void backward(Tensor root, Tensor gradient, boolean retainGraph) {
    if (!root.requiresGrad()) {
      throw new IllegalStateException("backward: element 0 of tensors does not require grad and does not "
          + "have a gradFn (shape " + Shapes.str(root.shape) + ")");
    }
    if (gradient == null) {
      if (root.numel() != 1) {
        throw new IllegalStateException("backward: grad can be implicitly created only for scalar outputs"
            + " (this tensor has shape " + Shapes.str(root.shape) + "; pass a gradient of that shape)");
      }
      gradient = Tensor.onesLike(root);
    } else if (!Arrays.equals(gradient.shape, root.shape)) {
      throw new IllegalArgumentException("backward: Mismatch in shape: gradient has a shape of "
          + Shapes.str(gradient.shape) + " and output has a shape of " + Shapes.str(root.shape));
    }
    try (var g = Autograd.noGrad()) {
      Node fn = root.gradFn();
      if (fn == null) {
        accumulate(root, gradient);
        return;
      }
      run(fn, gradient, retainGraph);
    }
  }

  private static void run(Node start, Tensor gradient, boolean retainGraph) {
    // Count, for each node, how many edges from reachable nodes point to it.
    Map<Node, int[]> deps = new IdentityHashMap<>();
    List<Node> stack = new ArrayList<>();
    deps.put(start, new int[1]);
    stack.add(start);
    while (!stack.isEmpty()) {
      Node n = stack.remove(stack.size() - 1);
      for (int i = 0; i < n.inputCount(); i++) {
        Node m = n.next(i);
        if (m == null) {
          continue;
        }
        int[] c = deps.get(m);
        if (c == null) {
          deps.put(m, new int[] {1});
          stack.add(m);
        } else {
          c[0]++;
        }
      }
    }
    Map<Node, Tensor> buffers = new IdentityHashMap<>();
    buffers.put(start, gradient);
    ArrayDeque<Node> ready = new ArrayDeque<>();
    ready.add(start);
    while (!ready.isEmpty()) {
      Node n = ready.poll();
      Tensor g = buffers.remove(n);
      Grads grads = null;
      if (g != null) {
        if (n.retained() != null) {
          accumulate(n.retained(), g);
        }
        grads = n.apply(g, retainGraph);
      }
      for (int i = 0; i < n.inputCount(); i++) {
        Node m = n.next(i);
        Tensor gi = grads == null || !n.needsGrad(i) ? null : grads.get(i);
        if (gi != null) {
          Tensor in = n.input(i);
          if (!Arrays.equals(gi.shape, in.shape)) {
            throw new IllegalStateException(n.name() + ": the adjoint returned a gradient of shape "
                + Shapes.str(gi.shape) + " for input " + i + " of shape " + Shapes.str(in.shape)
                + " (a bug in the rule; please report it)");
          }
          if (m == null) {
            accumulate(in, gi);
          } else {
            Tensor prev = buffers.get(m);
            buffers.put(m, prev == null ? gi : sum(prev, gi));
          }
        }
        if (m != null && --deps.get(m)[0] == 0) {
          ready.add(m);
        }
      }
    }
  }

  private static Tensor sum(Tensor a, Tensor b) {
    float[] out = new float[a.numel];
    dev.adjoint.kernel.Kernels.get().add(a.storage(), b.storage(), out, out.length);
    return new Tensor(out, a.shape, Tensor.DType.FLOAT32, new int[1]);
  }

  /**
   * {@code t.grad += g}; the first gradient is copied (dense) so that later accumulation never aliases. A
   * gradient the user set that is not dense is replaced by the sum.
   */
  private static void accumulate(Tensor t, Tensor g) {
    if (t.grad == null) {
      t.grad = new Tensor(g.toFloatArray(), t.shape, Tensor.DType.FLOAT32, new int[1]);
    } else if (t.grad.isDense()) {
      dev.adjoint.kernel.Kernels.get().add(t.grad.data, g.storage(), t.grad.data, g.numel);
      t.grad.bumpVersion();
    } else {
      t.grad = sum(t.grad, g);
    }
  }
}
