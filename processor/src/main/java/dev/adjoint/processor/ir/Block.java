package dev.adjoint.processor.ir;

import java.util.List;

/** A sequence of statements. */
public record Block(List<Stmt> stmts) {
  /** Defensive copy. */
  public Block {
    stmts = List.copyOf(stmts);
  }
}
