package dev.adjoint.processor.fuse;

import dev.adjoint.processor.ir.AExpr;
import dev.adjoint.processor.ir.AStmt;
import dev.adjoint.processor.ir.Function;
import dev.adjoint.processor.ir.Stmt;
import dev.adjoint.processor.ir.Var;
import java.util.List;
import java.util.Map;

/**
 * A method whose body is an elementwise chain reduced by {@code sum()} or {@code mean()}, rewritten
 * as the same computation on one element: the fused loop runs {@link #forward} and {@link #backward}
 * per element, with no tensor allocated inside.
 *
 * @param element the per-element function (tensors become {@code double} elements)
 * @param result the element variable that is reduced
 * @param mean whether the reduction is {@code mean} (else {@code sum})
 * @param forward the per-element forward statements the result and the backward need
 * @param backward the per-element backward, seeded with {@code g}
 * @param inputAdjoints input variable → its per-element adjoint
 */
public record Fused(Function element, Var result, boolean mean, List<Stmt> forward, List<AStmt> backward,
    Map<String, AExpr> inputAdjoints) {}
