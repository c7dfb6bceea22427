package dev.adjoint.autograd;

/**
 * One entry of {@link Node#nextFunctions()}: the node that made an input and which of its outputs the input
 * is (PyTorch's {@code (node, output_nr)} pair); {@code node} is {@code null} for an input that needs no
 * gradient.
 */
public record Edge(Node node, int outputNr) {
  /** The node's name ({@code "MulBackward0"}, {@code "AccumulateGrad"}), or {@code null} for no node. */
  public String name() {
    return node == null ? null : node.name();
  }
}
