package dev.adjoint.shape;

import java.io.Serial;

/** A shape function's verdict that its inputs cannot fit: the message names the operation's shapes. */
public final class ShapeError extends RuntimeException {
  @Serial
  private static final long serialVersionUID = 1L;

  /** An error with this text, e.g. {@code [B, 784] @ [128, 10]: size 784 of dimension 1 ...}. */
  public ShapeError(String message) {
    super(message, null, false, false);
  }
}
