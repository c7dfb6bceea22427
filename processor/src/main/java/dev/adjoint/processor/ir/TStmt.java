package dev.adjoint.processor.ir;

import java.util.List;

/**
 * A statement of the generated forward-mode sweep ({@code fJvp}): the user's statements, each followed by
 * the tangent of what it assigns, inside the user's own {@code if}s and loops (forward mode records nothing).
 */
public sealed interface TStmt {
  /** {@code // ∂ File.java:12: statement}, opening the statements of one user statement. */
  record Comment(Origin origin) implements TStmt {}

  /** A statement of the user's method ({@link Stmt.Assign} or {@link Stmt.Effect}), computed as written. */
  record Primal(Stmt stmt) implements TStmt {}

  /**
   * A call of another {@code @Differentiable} method through its forward mode:
   * {@code holder = Companion.calleeJvp(args..., tangents...)}, then the target is {@code holder.value()}
   * and its tangent {@code holder.tangent()}.
   *
   * @param assign the user's call
   * @param callee the callee
   * @param holder the name of the callee's {@code Jvp} record
   * @param tangents the tangents passed, one per input the callee differentiates
   */
  record JvpCall(Stmt.Assign assign, Callee.Differentiable callee, String holder, List<AExpr> tangents)
      implements TStmt {}

  /**
   * An operation and its tangent computed by one fused call of the row's rules class, {@code <op>Dual(inputs...,
   * tangents...)}, which returns both ({@code dev.adjoint.rules.Jvps.Dual}): {@code holder = call}, then the
   * target is {@code holder.value()} and its tangent {@code holder.tangent()}. An add whose only reader was this
   * operation may be folded into the call (a bias before an activation); it then has no statement of its own.
   *
   * @param assign the user's operation (its target is the value)
   * @param holder the name of the {@code Jvps.Dual} the call returns
   * @param call the fused call
   * @param tangent the name of the target's tangent
   */
  record Dual(Stmt.Assign assign, String holder, AExpr call, String tangent) implements TStmt {}

  /**
   * For {@code fHvp} through a call of another {@code @Differentiable} method over numbers: beside its {@code fJvp}
   * ({@code call}), the callee's pullback {@code pullback = Companion.calleePullback(args...)}, whose
   * {@code backward} the gradient calls, and its Hessian-vector product {@code hvp = Companion.calleeHvp(args...,
   * tangents...)}: the tangent of {@code pullback.backward(u)} is {@code pullback.backward(u̇) + u·hvp}, since the
   * callee's result is one number.
   *
   * @param call the call's forward-mode statement
   * @param pullback the name of the callee's pullback record
   * @param hvp the name of the callee's Hessian-vector product (its gradient record)
   */
  record CalleeHvp(JvpCall call, String pullback, String hvp) implements TStmt {}

  /** {@code name = value}: the tangent of one assignment. */
  record Tangent(String name, Type type, AExpr value) implements TStmt {}

  /** The user's {@code if}, with the tangents inside. */
  record If(Stmt.If source, List<TStmt> then, List<TStmt> otherwise) implements TStmt {}

  /** The user's loop, with the tangents inside. */
  record Loop(Stmt.Loop source, List<TStmt> init, List<TStmt> head, List<TStmt> body, List<TStmt> update)
      implements TStmt {}
}
