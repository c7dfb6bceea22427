package dev.adjoint.processor.fuzz;

/**
 * How a program failed: its class and a key that stays the same while the program shrinks (a
 * message tag, a javac diagnostic code, an oracle's name, an exception type), and the details.
 */
public record Failure(Kind kind, String key, String detail) {
  /** The failure classes. */
  public enum Kind {
    /** (a) The processor reported an {@code [Adjoint/...]} error: a construct it rejects. */
    REJECTED("processor rejection"),
    /** (b) javac reported an error in the generated {@code *Diff.java}. */
    GENERATED_DOES_NOT_COMPILE("javac error in generated code"),
    /** (b) javac warned about the generated code under {@code -Xlint:all}. */
    GENERATED_WARNING("javac warning in generated code"),
    /** (c) {@code [Adjoint/InternalError]}. */
    INTERNAL_ERROR("processor internal error"),
    /** (d) The generated value differs from the user's method. */
    WRONG_VALUE("wrong value"),
    /** (e) A generated gradient differs from an oracle. */
    WRONG_GRADIENT("wrong gradient"),
    /** (f) Generated code threw (or did not finish). */
    RUNTIME_EXCEPTION("exception at run time"),
    /** The fuzzer's own fault: the user program does not compile or its dual copy disagrees. */
    INVALID_PROGRAM("invalid generated program (fuzzer bug)");

    final String description;

    Kind(String description) {
      this.description = description;
    }
  }

  /** Whether another failure is the same bug class (used while shrinking). */
  public boolean sameAs(Failure other) {
    return other != null && kind == other.kind && key.equals(other.key);
  }

  @Override
  public String toString() {
    return kind.description + " [" + key + "]: " + detail;
  }
}
