package dev.adjoint.processor.emit;

import dev.adjoint.processor.ir.AExpr;
import dev.adjoint.processor.ir.AStmt;
import dev.adjoint.processor.ir.Function;
import dev.adjoint.processor.ir.Stmt;
import dev.adjoint.processor.ir.Var;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the generator needs for one method, computed by the earlier stages; the generator
 * only renders it.
 *
 * @param function the IR
 * @param active the active variables (calls producing them are composed through pullbacks)
 * @param pullbackForward the forward statements of the pullback (after dead-code removal)
 * @param saved what the pullback saves for the backward, in definition order
 * @param backward the backward statements, seeded with {@code dOut}
 * @param inputAdjoints input variable → adjoint expression, for the gradient record
 * @param pullbacks call target → the callee pullback variable
 * @param direct for {@code double}-only methods, the plain gradient method's forward, backward and adjoints
 * @param fused for an elementwise chain ending in a full reduction, its per-element form
 * @param tape for methods with control flow, what the forward records and how adjoints are held
 * @param jvp the forward-mode sweep with tangents ({@code fJvp})
 * @param hvp for {@code double}-only straight-line methods, forward over reverse ({@code fHvp}, {@code fHessian})
 * @param shapeChecks the {@code @Shape} equations left to run time, checked once at entry
 * @param noHessian why there is no {@code fHvp}/{@code fHessian} when the reason is a row without a double
 *     backward ({@code @Primitive(doubleBackward = false)}), written in the tracked method's javadoc; else empty
 * @param noHvp why there is no {@code fHvp}/{@code fHessian} (the call, row or statement that blocks it), written in
 *     the {@code fJvp}'s javadoc; empty when there is one
 */
public record MethodPlan(
    Function function,
    Set<String> active,
    List<Stmt> pullbackForward,
    List<Var> saved,
    List<AStmt> backward,
    Map<String, AExpr> inputAdjoints,
    Map<String, Var> pullbacks,
    Optional<Direct> direct,
    Optional<dev.adjoint.processor.fuse.Fused> fused,
    Optional<dev.adjoint.processor.reverse.Tape> tape,
    Optional<dev.adjoint.processor.forward.TangentTransform.Result> jvp,
    Optional<dev.adjoint.processor.forward.TangentTransform.Hvp> hvp,
    List<dev.adjoint.processor.shape.ShapeInference.EntryCheck> shapeChecks,
    Optional<String> noHessian,
    Optional<String> noHvp) {

  /** A plan without shape checks. */
  public MethodPlan(Function function, Set<String> active, List<Stmt> pullbackForward, List<Var> saved,
      List<AStmt> backward, Map<String, AExpr> inputAdjoints, Map<String, Var> pullbacks, Optional<Direct> direct,
      Optional<dev.adjoint.processor.fuse.Fused> fused, Optional<dev.adjoint.processor.reverse.Tape> tape,
      Optional<dev.adjoint.processor.forward.TangentTransform.Result> jvp,
      Optional<dev.adjoint.processor.forward.TangentTransform.Hvp> hvp) {
    this(function, active, pullbackForward, saved, backward, inputAdjoints, pullbacks, direct, fused, tape, jvp, hvp,
        List.of(), Optional.empty(), Optional.empty());
  }

  /** The same plan with these entry checks. */
  public MethodPlan withShapeChecks(List<dev.adjoint.processor.shape.ShapeInference.EntryCheck> checks) {
    return new MethodPlan(function, active, pullbackForward, saved, backward, inputAdjoints, pullbacks, direct, fused,
        tape, jvp, hvp, List.copyOf(checks), noHessian, noHvp);
  }

  /** The same plan without {@code fHvp}/{@code fHessian}, for {@code reason}. */
  public MethodPlan withoutHessian(String reason) {
    return new MethodPlan(function, active, pullbackForward, saved, backward, inputAdjoints, pullbacks, direct, fused,
        tape, jvp, Optional.empty(), shapeChecks, Optional.of(reason),
        Optional.of("it goes through " + reason + ", which has no recorded double backward yet"));
  }

  /** The same plan without {@code fHvp}/{@code fHessian} (had it one), saying why. */
  public MethodPlan withoutHvpAtAll(String reason) {
    return new MethodPlan(function, active, pullbackForward, saved, backward, inputAdjoints, pullbacks, direct, fused,
        tape, jvp, Optional.empty(), shapeChecks, noHessian, Optional.of(reason));
  }

  /** The same plan, which has no {@code fHvp}, saying why. */
  public MethodPlan withoutHvp(String reason) {
    return new MethodPlan(function, active, pullbackForward, saved, backward, inputAdjoints, pullbacks, direct, fused,
        tape, jvp, hvp, shapeChecks, noHessian, Optional.of(reason));
  }

  /**
   * The plain gradient method of a {@code double}-only function.
   *
   * @param forward the forward statements it needs
   * @param backward the backward, seeded with the literal 1
   * @param inputAdjoints input variable → adjoint expression
   * @param pullbacks call target → callee pullback variable
   * @param tape for methods with control flow, what the forward records
   */
  public record Direct(List<Stmt> forward, List<AStmt> backward, Map<String, AExpr> inputAdjoints,
      Map<String, Var> pullbacks, Optional<dev.adjoint.processor.reverse.Tape> tape) {}
}
