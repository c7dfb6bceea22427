package dev.adjoint.processor.fuse;

import dev.adjoint.processor.analysis.Activity;
import dev.adjoint.processor.analysis.ToBeRecorded;
import dev.adjoint.processor.ir.AExpr;
import dev.adjoint.processor.ir.Block;
import dev.adjoint.processor.ir.Callee;
import dev.adjoint.processor.ir.Const;
import dev.adjoint.processor.ir.Function;
import dev.adjoint.processor.ir.Input;
import dev.adjoint.processor.ir.Names;
import dev.adjoint.processor.ir.Op;
import dev.adjoint.processor.ir.Operand;
import dev.adjoint.processor.ir.Stmt;
import dev.adjoint.processor.ir.Type;
import dev.adjoint.processor.ir.Var;
import dev.adjoint.processor.pipeline.Differentiation;
import dev.adjoint.processor.reverse.ReverseTransform;
import dev.adjoint.processor.simplify.DeadCode;
import dev.adjoint.processor.diag.ValidationReport;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Stage 5c (fuse): finds methods that are an elementwise chain ending in {@code sum()} or
 * {@code mean()} and rewrites the chain on one element. Which operations are elementwise, and what
 * they do to one element, comes from the runtime ({@code @Primitive(scalar = ...)}); the scalar
 * derivatives are the processor's own arithmetic rules and {@code MathRules}, so fused code and
 * unfused code share the one rule table. The rewritten function goes through the same activity
 * analysis and reverse transform as any {@code double} method.
 */
public final class FusionPlanner {
  /** Resolves {@code Math.<name>} over {@code double} arguments to a callee with its rules. */
  public interface MathLookup {
    /** The callee for {@code Math.name} with {@code arity} double parameters, if it has rules. */
    Optional<Callee> math(String name, int arity);
  }

  private FusionPlanner() {}

  /** The fused form of {@code f}, or empty if its body is not an elementwise chain and a reduction. */
  public static Optional<Fused> plan(Function f, MathLookup math) {
    if (f.returnType().kind() != Type.Kind.TENSOR) {
      return Optional.empty();
    }
    List<Stmt> stmts = f.body().stmts();
    if (stmts.size() < 2 || !(stmts.get(stmts.size() - 1) instanceof Stmt.Return ret)
        || !(ret.value() instanceof Var resultVar)
        || !(stmts.get(stmts.size() - 2) instanceof Stmt.Assign red)
        || !red.target().equals(resultVar)
        || !(red.op() instanceof Op.Call rc)
        || !(rc.callee() instanceof Callee.Primitive rp)
        || !(rp.scalar().equals("sum") || rp.scalar().equals("mean"))
        || !(rc.receiver().orElse(null) instanceof Var reduced)) {
      return Optional.empty();
    }
    List<Stmt> element = new ArrayList<>();
    for (Stmt s : stmts.subList(0, stmts.size() - 2)) {
      if (!(s instanceof Stmt.Assign a)) {
        return Optional.empty();
      }
      Optional<Op> op;
      try {
        op = scalarOp(a.op(), math);
      } catch (NotElementwise e) {
        return Optional.empty();
      }
      if (op.isEmpty() || a.target().type().kind() == Type.Kind.OTHER) {
        return Optional.empty();
      }
      element.add(new Stmt.Assign(scalar(a.target()), op.get(), a.origin()));
    }
    Var result = scalar(reduced);
    element.add(new Stmt.Return(result, ret.origin()));
    List<Input> params = f.params().stream().map(FusionPlanner::scalar).toList();
    List<Input> fields = f.fields().stream().map(FusionPlanner::scalar).toList();
    Function fn = new Function(f.packageName(), f.className(), f.qualifiedClassName(), f.name(), true, params,
        fields, Type.DOUBLE, new Block(element), f.origin());
    ValidationReport scratch = new ValidationReport(null);
    Activity activity = Activity.of(fn, scratch, true);
    if (scratch.hasErrors()) {
      return Optional.empty();
    }
    List<String> taken = new ArrayList<>(List.of("i", "n", "g"));
    fn.inputs().forEach(in -> taken.add(in.var().name()));
    for (Stmt s : element) {
      if (s instanceof Stmt.Assign a) {
        taken.add(a.target().name());
      }
    }
    Names names = new Names(taken);
    Differentiation d = Differentiation.run(fn, activity, names, new AExpr.Ref("g"), scratch, Set.of(result.name()),
        false);
    ReverseTransform.Result rev = d.reverse();
    if (scratch.hasErrors() || !rev.pullbacks().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Fused(fn, result, rp.scalar().equals("mean"), d.forward(), rev.stmts(),
        rev.inputAdjoints()));
  }

  private static Optional<Op> scalarOp(Op op, MathLookup math) {
    switch (op) {
      case Op.Call c -> {
        if (!(c.callee() instanceof Callee.Primitive p) || p.scalar().isEmpty()) {
          return Optional.empty();
        }
        List<Operand> in = c.inputs().stream().map(FusionPlanner::scalar).toList();
        String s = p.scalar();
        return switch (s) {
          case "+", "-", "*", "/" -> in.size() == 2 ? Optional.of(new Op.Arith(s.charAt(0), in.get(0), in.get(1)))
              : Optional.empty();
          case "r-" -> in.size() == 2 ? Optional.of(new Op.Arith('-', in.get(1), in.get(0))) : Optional.empty();
          case "neg" -> in.size() == 1 ? Optional.of(new Op.Neg(in.get(0))) : Optional.empty();
          default -> {
            if (!s.startsWith("Math.")) {
              yield Optional.empty();
            }
            yield math.math(s.substring(5), in.size())
                .map(callee -> (Op) new Op.Call(callee, Optional.empty(), in));
          }
        };
      }
      case Op.Arith a -> {
        return Optional.of(new Op.Arith(a.op(), scalar(a.left()), scalar(a.right())));
      }
      case Op.Neg n -> {
        return Optional.of(new Op.Neg(scalar(n.operand())));
      }
      case Op.Cast c -> {
        return Optional.of(new Op.Cast(c.to(), scalar(c.operand())));
      }
      case Op.Copy c -> {
        return Optional.of(new Op.Copy(scalar(c.operand())));
      }
      case Op.Element e -> {
        return Optional.empty();
      }
      case Op.Length l -> {
        return Optional.empty();
      }
      case Op.Test t -> {
        return Optional.empty();
      }
    }
  }

  private static Operand scalar(Operand o) {
    return switch (o) {
      case Var v -> scalar(v);
      case Const c -> {
        if (c.type().kind() == Type.Kind.TENSOR) {
          // a tensor constant (a static final field) has elements of its own: not one scalar per element
          throw new NotElementwise();
        }
        yield c;
      }
    };
  }

  /** An operand the per-element form cannot express; the method is not fused. */
  private static final class NotElementwise extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotElementwise() {
      super(null, null, false, false);
    }
  }

  private static Var scalar(Var v) {
    return v.type().kind() == Type.Kind.TENSOR ? new Var(v.name(), Type.DOUBLE) : v;
  }

  private static Input scalar(Input in) {
    return new Input(in.name(), scalar(in.var()), in.kind(), in.wrt(), in.component(), in.site());
  }
}
