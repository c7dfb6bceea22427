package dev.adjoint.processor.ir;

/**
 * A statement of a differentiable body. Straight-line code is {@link Assign}s and one final
 * {@link Return}; structured {@code If} and {@code Loop} statements will join this sealed hierarchy
 * (each holding {@link Block}s), so the analyses and the transform switch over it exhaustively.
 */
public sealed interface Stmt {
  /** Where the statement comes from. */
  Origin origin();

  /** {@code target = op}. */
  record Assign(Var target, Op op, Origin origin) implements Stmt {}

  /** A call whose result is discarded (a passive side effect, such as logging). */
  record Effect(Op.Call call, Origin origin) implements Stmt {}

  /** {@code return value}. */
  record Return(Operand value, Origin origin) implements Stmt {}
}
