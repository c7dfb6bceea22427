package dev.adjoint.autograd;

import dev.adjoint.Tensor;
import java.util.Arrays;

/**
 * One recorded operation of the autograd graph: PyTorch's {@code grad_fn}. It keeps the edges to
 * the nodes of its inputs, the adjoint to run, and the tensors the adjoint reads, with their versions
 * at record time so that an in-place change to a saved tensor is reported instead of producing a
 * wrong gradient. Nodes are made by {@link dev.adjoint.Autograd#record}; the engine runs them.
 */
public final class Node {
  private final String name;
  private final String site;
  private final Tensor[] inputs;
  private final Node[] next;
  private final boolean[] needsGrad;
  private Tensor[] saved;
  private int[] savedVersions;
  private Vjp vjp;
  private Tensor retained;
  private Tensor output;

  /**
   * Internal: use {@link dev.adjoint.Autograd#record}. {@code inputs[i].gradFn()} is read now, so a
   * later change of an input does not rewire the graph.
   */
  public Node(String name, String site, Tensor[] inputs, Tensor[] saved, Vjp vjp) {
    this.name = name;
    this.site = site;
    this.inputs = inputs;
    this.next = new Node[inputs.length];
    this.needsGrad = new boolean[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      Tensor in = inputs[i];
      needsGrad[i] = in != null && in.requiresGrad();
      next[i] = in == null ? null : in.gradFn();
    }
    this.saved = saved;
    this.savedVersions = new int[saved.length];
    for (int i = 0; i < saved.length; i++) {
      savedVersions[i] = saved[i].version();
    }
    this.vjp = vjp;
  }

  /** The PyTorch-style name of this node, e.g. {@code MulBackward0}. */
  public String name() {
    return name;
  }

  /** Where the operation was recorded in user code ({@code File.java:12}), or {@code null}. */
  public String site() {
    return site;
  }

  /** The nodes of the inputs, {@code null} for leaves and for inputs that need no gradient. */
  public Node[] nextFunctions() {
    return next.clone();
  }

  /** Internal, for the engine: the number of inputs. */
  public int inputCount() {
    return inputs.length;
  }

  /**
   * Internal, for the engine: input {@code i} as recorded. For an in-place operation input 0 is the
   * changed tensor itself, standing for its value before the change: the engine reads only its shape,
   * and a leaf that requires grad never changes in place while recording.
   */
  public Tensor input(int i) {
    return inputs[i];
  }

  /** Internal, for the engine: the node of input {@code i}, or {@code null}. */
  public Node next(int i) {
    return next[i];
  }

  /** Internal, for the engine: whether input {@code i} required a gradient when recorded. */
  public boolean needsGrad(int i) {
    return needsGrad[i];
  }

  /** Internal: the output tensor that asked for {@code retainGrad()}, or {@code null}. */
  public Tensor retained() {
    return retained;
  }

  /**
   * Internal: called by {@code Tensor.retainGrad()} on a non-leaf, and with {@code null} when an
   * in-place operation moves the retained tensor to its new node.
   */
  public void retain(Tensor output) {
    this.retained = output;
  }

  /**
   * Internal: called once when the node is made, with the tensor it produced (for an in-place operation,
   * the changed tensor). Only read to name the producer of a saved tensor in the version error.
   */
  public void setOutput(Tensor output) {
    this.output = output;
  }

  /**
   * Runs the adjoint for {@code upstream}; frees the saved tensors afterwards unless {@code retainGraph}.
   * Throws if the saved tensors were already freed or one of them changed in place. A node that saved no
   * tensor has nothing to free and may run again, as in PyTorch.
   */
  public Grads apply(Tensor upstream, boolean retainGraph) {
    if (vjp == null) {
      throw new IllegalStateException(where() + "Trying to backward through the graph a second time (or "
          + "directly access saved tensors after they have already been freed). Saved intermediate values "
          + "of the graph are freed when you call backward(). Specify retainGraph=true if you need to "
          + "backward through the graph a second time or if you need to access saved tensors after "
          + "calling backward.");
    }
    for (int i = 0; i < saved.length; i++) {
      if (saved[i].version() != savedVersions[i]) {
        throw new IllegalStateException(where() + "one of the variables needed for gradient computation "
            + "has been modified by an inplace operation: [FloatTensor " + Arrays.toString(saved[i].shape())
            + "]" + producer(saved[i]) + " is at version " + saved[i].version() + "; expected version " + savedVersions[i]
            + " instead. Use an out-of-place operation (e.g. sub instead of sub_) on tensors that a "
            + "recorded operation still needs.");
      }
    }
    Grads grads = vjp.apply(upstream);
    if (!retainGraph && saved.length > 0) {
      // as PyTorch, only saved tensors are freed: a node that saved none can run again
      vjp = null;
      saved = null;
      savedVersions = null;
    }
    return grads;
  }

  /**
   * PyTorch's ", which is output 0 of X," for a saved tensor that is not a leaf: X is this node when it
   * saved its own output, else the node that made the tensor's current value.
   */
  private String producer(Tensor t) {
    Node made = t == output ? this : t.gradFn();
    return made == null ? "" : ", which is output 0 of " + made.name() + ",";
  }

  private String where() {
    return site == null ? name + ": " : name + " (" + site + "): ";
  }

  @Override
  public String toString() {
    return name;
  }
}
