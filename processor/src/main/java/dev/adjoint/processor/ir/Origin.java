package dev.adjoint.processor.ir;

/**
 * Where an IR node comes from: file, line and the statement as the user wrote it (for the
 * {@code // ∂} comments), plus an opaque handle the front end uses to report problems on the exact
 * tree. The IR never looks inside {@code site}.
 *
 * @param file the source file's simple name, e.g. {@code Thermometer.java}
 * @param line the 1-based line
 * @param statement the statement's source text on one line
 * @param site the front end's position handle
 */
public record Origin(String file, long line, String statement, Object site) {
  /** The same statement, with problems reported at {@code narrower} (a call inside it). */
  public Origin at(Object narrower) {
    return new Origin(file, line, statement, narrower);
  }

  /** Whether two origins are the same user statement (the unit of one {@code // ∂} block). */
  public boolean sameStatement(Origin o) {
    return line == o.line && statement.equals(o.statement) && file.equals(o.file);
  }

  /** {@code File.java:12}. */
  public String position() {
    return file + ":" + line;
  }
}
