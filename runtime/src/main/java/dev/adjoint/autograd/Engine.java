package dev.adjoint.autograd;

import dev.adjoint.Tensor;
import dev.adjoint.kernel.Kernels;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The backward pass: runs the nodes reachable from the root in reverse topological order, sums the
 * gradients that reach a node along several paths before running it, and accumulates into the
 * {@code grad} of leaves (and of non-leaves that asked for {@code retainGrad()}). Adjoints run with grad
 * mode off. {@code Tensor.backward} is the public entry.
 */
public final class Engine {
  private static final TensorAccess ACCESS = TensorAccess.get();

  private Engine() {}

  /**
   * Backward from {@code root} with {@code gradient} (null: ones, for a one-element root); keeps the saved
   * tensors for another backward when {@code retainGraph}.
   */
  public static void backward(Tensor root, Tensor gradient, boolean retainGraph) {
    if (!root.requiresGrad()) {
      throw new IllegalStateException("backward: element 0 of tensors does not require grad and does not "
          + "have a gradFn (shape " + str(root) + ")");
    }
    if (gradient == null) {
      if (root.numel() != 1) {
        throw new IllegalStateException("backward: grad can be implicitly created only for scalar outputs"
            + " (this tensor has shape " + str(root) + "; pass a gradient of that shape)");
      }
      gradient = Tensor.onesLike(root);
    } else if (!Arrays.equals(shape(gradient), shape(root))) {
      throw new IllegalArgumentException("backward: Mismatch in shape: gradient has a shape of "
          + str(gradient) + " and output has a shape of " + str(root));
    }
    boolean previous = GradMode.set(false);
    try {
      if (root.gradFn() == null) {
        accumulate(root, gradient);
        return;
      }
      run(root.gradFn(), gradient, retainGraph);
    } finally {
      GradMode.set(previous);
    }
  }

  private static int[] shape(Tensor t) {
    return ACCESS.shape(t);
  }

  private static String str(Tensor t) {
    return Arrays.toString(shape(t));
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
          if (!Arrays.equals(shape(gi), shape(in))) {
            throw new IllegalStateException(n.name() + ": the adjoint returned a gradient of shape "
                + str(gi) + " for input " + i + " of shape " + str(in)
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
    float[] out = new float[a.numel()];
    Kernels.get().add(a.storage(), b.storage(), out, out.length);
    return Tensor.wrap(out, shape(a));
  }

  /**
   * {@code t.grad += g}; the first gradient is copied (dense) so that later accumulation never aliases. A
   * gradient the user set that is not dense is replaced by the sum.
   */
  private static void accumulate(Tensor t, Tensor g) {
    Tensor grad = t.grad();
    if (grad == null) {
      t.setGrad(Tensor.wrap(g.toFloatArray(), shape(t)));
    } else if (ACCESS.isDense(grad)) {
      float[] d = grad.storage();
      Kernels.get().add(d, g.storage(), d, g.numel());
      grad.bumpVersion();
    } else {
      t.setGrad(sum(grad, g));
    }
  }
}
