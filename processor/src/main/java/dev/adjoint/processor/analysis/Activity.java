package dev.adjoint.processor.analysis;

import dev.adjoint.processor.diag.Message;
import dev.adjoint.processor.diag.Site;
import dev.adjoint.processor.ir.Callee;
import dev.adjoint.processor.ir.Cond;
import dev.adjoint.processor.ir.Function;
import dev.adjoint.processor.ir.Input;
import dev.adjoint.processor.ir.Op;
import dev.adjoint.processor.ir.Operand;
import dev.adjoint.processor.ir.Stmt;
import dev.adjoint.processor.ir.Type;
import dev.adjoint.processor.ir.Var;
import dev.adjoint.processor.diag.ValidationReport;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Activity analysis: a value is <em>varied</em> if it depends on a differentiable input, <em>useful</em>
 * if the result depends on it, and <em>active</em> if both; only active values get adjoint code. Also
 * reports a call without a derivative rule whose result is active ({@code [Adjoint/NoDerivative]},
 * never a silent zero) and a differentiable input that cannot reach the result
 * ({@code [Adjoint/ZeroGradient]}, a suppressible warning).
 *
 * @param varied the varied variables
 * @param useful the useful variables
 */
public record Activity(Set<String> varied, Set<String> useful) {

  /** Whether {@code v} needs an adjoint. */
  public boolean active(Operand v) {
    return v instanceof Var var && varied.contains(var.name()) && useful.contains(var.name());
  }

  /**
   * The values an operation reads that gradients flow to: its operands, plus the module fields a
   * {@code @Differentiable} method called on {@code this} reads.
   */
  public static List<Operand> dataInputs(Op op) {
    if (op instanceof Op.Call c && c.callee() instanceof Callee.Differentiable d && !d.fieldGradients().isEmpty()) {
      var all = new java.util.ArrayList<Operand>(op.inputs());
      for (Callee.FieldGradient fg : d.fieldGradients()) {
        all.add(new Var(fg.field(), dev.adjoint.processor.ir.Type.TENSOR));
      }
      return all;
    }
    return op.inputs();
  }

  /**
   * Whether a passive value of type {@code t} may hold a differentiable one: any object but the ones that
   * hold only shapes, names and flags ({@code int[]}, {@code String}, {@code DType}, boxed primitives).
   */
  static boolean mayHoldVaried(Type t) {
    if (t.kind() != Type.Kind.OTHER) {
      return false;
    }
    return switch (t.spelling()) {
      case "int[]", "long[]", "boolean[]", "byte[]", "short[]", "char[]", "java.lang.String", "dev.adjoint.DType",
          "dev.adjoint.Tensor.DType",
          "java.lang.Integer", "java.lang.Long", "java.lang.Boolean", "java.lang.Short", "java.lang.Byte",
          "java.lang.Character" -> false;
      default -> true;
    };
  }

  private static String simpleType(Type t) {
    // whole package segments only: Linalg.Qr stays Linalg.Qr (a segment inside a name, "inalg.", is not one)
    return t.spelling().replaceAll("(?<![A-Za-z0-9_$])[a-z][a-zA-Z0-9_]*\\.", "");
  }

  /**
   * The fixes for the result records of {@code Linalg}'s several-output decompositions: no row differentiates them
   * (the eager engine records their outputs as one node), so generated code cannot read a component with its
   * gradient; each names the single-output row that gives the same value where there is one.
   */
  private static final java.util.Map<String, String> LINALG_RESULTS = java.util.Map.of(
      "Linalg.Qr", "Linalg.qr is differentiated by the eager engine only: call it outside the"
          + " @Differentiable method (recorded as in PyTorch) and pass q and r in as Tensor parameters",
      "Linalg.Slogdet", "For log|det A| call Linalg.logabsdet(a), a row with a gradient; its sign"
          + " has none (Linalg.det(a).sign(), or call Linalg.slogdet outside the @Differentiable method)",
      "Linalg.Eigh", "For the eigenvalues call Linalg.eigvalsh(a), a row with a gradient; for the"
          + " eigenvectors call Linalg.eigh outside the @Differentiable method (recorded as in PyTorch) and pass them"
          + " in as a Tensor parameter",
      "Linalg.Svd", "For the singular values call Linalg.svdvals(a), a row with a gradient; for u"
          + " and vh call Linalg.svd outside the @Differentiable method (recorded as in PyTorch) and pass them in as"
          + " Tensor parameters");

  /** What to write instead of reading a differentiable value out of an object of type {@code t}. */
  private static String lostGradientFix(Type t) {
    String linalgFix = LINALG_RESULTS.get(t.spelling().replaceFirst("^dev\\.adjoint\\.linalg\\.", ""));
    if (linalgFix != null) {
      return linalgFix;
    }
    if (t.spelling().startsWith("java.util.List<")) {
      return "Keep the tensors in Tensor locals; the list that split, chunk or unbind returns is followed when"
          + " it is read with get(i), size() or a for-each";
    }
    return "Keep the values in Tensor or double locals; a record is followed when it is built with new in this"
        + " method, assigned once, and has neither a compact constructor nor a declared accessor";
  }

  private static String ordinal(int n) {
    return switch (n) {
      case 1 -> "first";
      case 2 -> "second";
      case 3 -> "third";
      case 4 -> "fourth";
      default -> n + "th";
    };
  }

  /** What to write instead of passing an object of type {@code t} that holds differentiable values. */
  private static String passFix(Type t) {
    if (t.spelling().startsWith("java.util.List<")) {
      return "Write the list in the call itself, as in Tensor.cat(List.of(a, b), 0)";
    }
    return "Pass the values it holds as Tensor or double arguments";
  }

  /** Analyses {@code f}; problems go to {@code report}. */
  public static Activity of(Function f, ValidationReport report, boolean zeroGradientSuppressed) {
    Set<String> varied = new HashSet<>();
    Map<String, String> root = new HashMap<>();
    for (Input in : f.inputs()) {
      if (in.wrt()) {
        varied.add(in.var().name());
        root.put(in.var().name(), (in.kind() == Input.Kind.FIELD ? "field '" : "parameter '") + in.name() + "'");
      }
    }
    // control flow: statements of nested blocks in source order; loops iterate to a fixed point
    List<Stmt> stmts = Stmt.flatten(f.body().stmts());
    boolean loops = Stmt.hasControlFlow(f.body().stmts());
    int before;
    // objects that may hold a varied value (a List<Tensor> from unbind, a record built from tensors): not
    // differentiated, but a differentiable value read back out of one by a call without a rule is varied, so
    // that it is reported below rather than taken for a constant (a silent zero gradient)
    Set<String> carriers = new HashSet<>();
    Set<Stmt> lost = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    do {
      before = varied.size() + carriers.size();
      for (Stmt s : stmts) {
        if (!(s instanceof Stmt.Assign a)) {
          continue;
        }
        boolean passive = a.op() instanceof Op.Call c && c.callee() instanceof Callee.Passive;
        if (passive && ((Callee.Passive) ((Op.Call) a.op()).callee()).stopsGradient()) {
          continue;
        }
        boolean differentiable = a.target().type().differentiable();
        boolean carrier = mayHoldVaried(a.target().type());
        if (!differentiable && !carrier) {
          continue;
        }
        if (!passive && a.op() instanceof Op.Call call) {
          for (Operand in : dataInputs(a.op())) {
            if (in instanceof Var v && carriers.contains(v.name()) && lost.add(a)) {
              // an operation with a rule would differentiate the object, not what it holds: a silent zero
              report.addWithTrace(Message.LOST_GRADIENT, (Site) a.origin().site(),
                  String.format("%n    '%s' depends on %s", v.name(), root.get(v.name())),
                  call.callee().owner().substring(call.callee().owner().lastIndexOf('.') + 1) + "."
                      + call.callee().method(), simpleType(v.type()), passFix(v.type()));
            }
          }
        }
        for (Operand in : dataInputs(a.op())) {
          if (in instanceof Var v && (varied.contains(v.name())
              || carriers.contains(v.name()) && (passive || carrier))) {
            (differentiable ? varied : carriers).add(a.target().name());
            root.putIfAbsent(a.target().name(), root.get(v.name()));
            break;
          }
        }
      }
    } while (loops && varied.size() + carriers.size() != before);
    Set<String> useful = new HashSet<>();
    Set<Stmt> reported = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    do {
    before = useful.size();
    for (int i = stmts.size() - 1; i >= 0; i--) {
      Stmt s = stmts.get(i);
      if (s instanceof Stmt.Return r && r.value() instanceof Var v) {
        useful.add(v.name());
      } else if (s instanceof Stmt.Assign a && useful.contains(a.target().name())) {
        if (a.op() instanceof Op.Call c && c.callee() instanceof Callee.Differentiable d) {
          for (int k = 0; k < c.args().size() && k < d.gradientOf().size(); k++) {
            if (d.gradientOf().get(k).isEmpty() && c.args().get(k) instanceof Var v && varied.contains(v.name())
                && v.type().differentiable() && reported.add(a)) {
              // the callee's pullback returns nothing for this input: a silent zero (null) gradient upstream
              String callee = d.owner().substring(d.owner().lastIndexOf('.') + 1) + "." + d.method();
              report.add(Message.WRT_EXCLUDES_ARGUMENT, (Site) a.origin().site(), callee, ordinal(k + 1),
                  root.get(v.name()), callee);
            }
          }
        }
        if (a.op() instanceof Op.Call c && c.callee() instanceof Callee.Passive p) {
          if (p.stopsGradient() || !varied.contains(a.target().name())) {
            continue;
          }
          String trace = null;
          for (Operand in : dataInputs(a.op())) {
            if (in instanceof Var v && (varied.contains(v.name()) || carriers.contains(v.name()))) {
              trace = String.format("%n    '%s' depends on %s", v.name(), root.get(v.name()));
              break;
            }
          }
          if (trace == null || !reported.add(a)) {
            // no operand depends on an input: a constant (Tensor.zeros(3) starting an accumulator)
            continue;
          }
          if (c.receiver().isPresent() && c.receiver().get() instanceof Var holder
              && carriers.contains(holder.name())) {
            report.addWithTrace(Message.LOST_GRADIENT, (Site) a.origin().site(), trace, p.display(),
                simpleType(holder.type()), lostGradientFix(holder.type()));
          } else if (p.generic()) {
            // a pass-through helper (<T> T pick(T a, T b)): no rule can name a type variable, detach() is wrong
            report.addWithTrace(Message.GENERIC_HELPER, (Site) a.origin().site(), trace, p.display());
          } else {
            report.addWithTrace(Message.NO_DERIVATIVE, (Site) a.origin().site(), trace, p.display(),
                p.owner().substring(p.owner().lastIndexOf('.') + 1), p.method());
          }
          continue;
        }
        for (Operand in : dataInputs(a.op())) {
          if (in instanceof Var v) {
            useful.add(v.name());
          }
        }
      }
    }
    } while (loops && useful.size() != before);
    if (!zeroGradientSuppressed && reported.isEmpty() && lost.isEmpty()) {
      for (Input in : f.inputs()) {
        if (in.wrt() && !useful.contains(in.var().name())) {
          report.add(Message.ZERO_GRADIENT, (Site) in.site(),
              in.kind() == Input.Kind.FIELD ? "field" : "parameter", in.name(), unusedReason(f, in.var().name()));
        }
      }
    }
    return new Activity(Set.copyOf(varied), Set.copyOf(useful));
  }
  /**
   * Why an input the result does not depend on differentiably has a zero gradient, for {@code [Adjoint/ZeroGradient]}:
   * it is never read; it (or a value computed from it) only decides an {@code if} or a loop (a comparison, as in
   * {@code if (loss > thresh)}: it changes which code runs, but no derivative flows through a decision); or it
   * reaches the result only through values without a gradient.
   */
  static String unusedReason(Function f, String input) {
    List<Stmt> stmts = Stmt.flatten(f.body().stmts());
    Set<String> derived = new HashSet<>(Set.of(input));
    boolean read = false;
    int before;
    do {
      before = derived.size();
      for (Stmt s : stmts) {
        List<Operand> operands = switch (s) {
          case Stmt.Assign a -> dataInputs(a.op());
          case Stmt.Effect e -> dataInputs(e.call());
          case Stmt.Return r -> List.of(r.value());
          default -> List.of();
        };
        for (Operand o : operands) {
          if (o instanceof Var v && derived.contains(v.name())) {
            read = true;
            if (s instanceof Stmt.Assign a) {
              derived.add(a.target().name());
            }
            break;
          }
        }
      }
    } while (derived.size() != before);
    for (Stmt s : stmts) {
      List<Operand> decides = new java.util.ArrayList<>();
      switch (s) {
        case Stmt.If i -> Cond.operands(i.cond(), decides);
        case Stmt.Loop l -> {
          Cond.operands(l.cond(), decides);
          l.counted().ifPresent(c -> {
            decides.add(c.from());
            decides.add(c.to());
          });
        }
        default -> { }
      }
      for (Operand o : decides) {
        if (o instanceof Var v && derived.contains(v.name())) {
          return "only decides the control flow (it is compared, not computed with)";
        }
      }
    }
    return read ? "reaches the result only through values without a gradient (integers, booleans, detach())"
        : "does not affect the result";
  }
}
