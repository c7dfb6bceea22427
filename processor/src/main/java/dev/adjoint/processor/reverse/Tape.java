package dev.adjoint.processor.reverse;

import dev.adjoint.processor.ir.Stmt;
import dev.adjoint.processor.ir.Type;
import dev.adjoint.processor.ir.Var;
import java.util.Map;
import java.util.Set;

/**
 * What the forward sweep of a method with control flow records for its backward, and how the backward
 * holds its adjoints. Decided by {@link ReverseTransform} after pruning: only decisions, trip counts
 * and overwritten values that the backward reads are recorded (to-be-recorded analysis).
 *
 * @param adjoints adjoint variable → type, in order of first use; each starts at zero ({@code null} for
 *     tensors) except {@code seeded}
 * @param seeded the adjoint of the result, which starts at the seed ({@code dOut} or 1); empty if the
 *     result is not active
 * @param branches recorded {@code if} (by identity) → its record, {@code branch0}
 * @param trips recorded loop (by identity) → its trip count record, {@code trips0}
 * @param counters recorded loop nested in a loop → the forward's local counter pushed on {@code trips0}
 * @param stacks record names that are stacks (inside loops) rather than one {@code boolean}/{@code int}
 * @param pushes assignment (by identity) → the stack its target's old value is pushed on
 * @param pullbackPushes assignment composed through a callee's pullback (by identity) → the stack its old
 *     pullback is pushed on
 * @param saved stack name → the variable whose overwritten values it holds
 * @param restored the variables the backward restores (it declares local copies of them)
 */
public record Tape(
    Map<String, Type> adjoints,
    String seeded,
    Map<Stmt, String> branches,
    Map<Stmt, String> trips,
    Map<Stmt, String> counters,
    Set<String> stacks,
    Map<Stmt, String> pushes,
    Map<Stmt, String> pullbackPushes,
    Map<String, Var> saved,
    Set<String> restored) {}
