package dev.adjoint.data;

/**
 * A dataset could not be read: a file is missing, is not what it should be, or is cut short. The
 * message names the file, what was expected and what was found, and how to get the data.
 */
public final class DatasetException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** An error with the given message. */
  public DatasetException(String message) {
    super(message);
  }

  /** An error with the given message and cause. */
  public DatasetException(String message, Throwable cause) {
    super(message, cause);
  }
}
