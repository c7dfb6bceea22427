package dev.adjoint.processor.pipeline;

import dev.adjoint.processor.analysis.Activity;
import dev.adjoint.processor.analysis.ToBeRecorded;
import dev.adjoint.processor.diag.ValidationReport;
import dev.adjoint.processor.ir.AExpr;
import dev.adjoint.processor.ir.Function;
import dev.adjoint.processor.ir.Names;
import dev.adjoint.processor.ir.Stmt;
import dev.adjoint.processor.ir.Var;
import dev.adjoint.processor.reverse.ReverseTransform;
import dev.adjoint.processor.simplify.DeadCode;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one entry to stages 4–6 (differentiate, record, simplify): every output form that needs a
 * backward — the pullback, the plain {@code fGrad}, the fused loop's element — runs through here, so
 * none wires the stages by hand.
 *
 * @param reverse the backward statements, input adjoints, pullbacks and tape (stage 4)
 * @param saved the values the backward reads, which the forward keeps (stage 5)
 * @param forward the forward statements the result and the backward need (stage 6)
 */
public record Differentiation(ReverseTransform.Result reverse, List<Var> saved, List<Stmt> forward) {

  /**
   * Differentiates {@code f} with the backward seeded by {@code seed} ({@code dOut}, {@code 1},
   * {@code g}); problems go to {@code report}.
   *
   * @param extraLive names the forward must compute besides what the backward reads (the fused
   *     element's result)
   * @param keepReturn whether the forward keeps its {@code return}
   */
  public static Differentiation run(Function f, Activity activity, Names names, AExpr seed, ValidationReport report,
      Set<String> extraLive, boolean keepReturn) {
    ReverseTransform.Result reverse = ReverseTransform.run(f, activity, names, seed, report);
    List<Var> saved = ToBeRecorded.of(f, reverse.stmts(), reverse.inputAdjoints().values(), reverse.pullbacks());
    Set<String> live = liveTargets(saved, reverse.pullbacks());
    live.addAll(extraLive);
    return new Differentiation(reverse, saved, DeadCode.prune(f.body().stmts(), live, keepReturn));
  }

  /** Saved variables, with a saved pullback standing for the call that produces it. */
  private static Set<String> liveTargets(List<Var> saved, Map<String, Var> pullbacks) {
    Set<String> live = new HashSet<>();
    for (Var v : saved) {
      live.add(v.name());
      for (var e : pullbacks.entrySet()) {
        if (e.getValue().equals(v)) {
          live.add(e.getKey());
        }
      }
    }
    return live;
  }
}
