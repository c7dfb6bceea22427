package dev.adjoint.processor.shape;

import dev.adjoint.processor.ir.Const;
import dev.adjoint.processor.ir.Function;
import dev.adjoint.processor.ir.Op;
import dev.adjoint.processor.ir.Operand;
import dev.adjoint.processor.ir.Stmt;
import dev.adjoint.processor.ir.Type;
import dev.adjoint.processor.ir.Var;
import dev.adjoint.processor.reverse.Tape;
import dev.adjoint.shape.Dim;
import dev.adjoint.shape.SymShape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The memory the tape holds, symbolically: per saved value its element size times its sizes
 * ({@code 4·B·512} for a float32 {@code [B, 512]}), summed; a tensor of unknown shape is {@code 4·numel(h)}.
 * Values pushed on the tape's stacks inside a loop are summed per iteration and multiplied by the loop's trip
 * count ({@code n·(4·B·10) bytes}: the bound of a counted loop, else {@code iters}).
 *
 * <p>Element sizes: the IR knows a tensor's dtype only where the method sets it ({@code toDouble()},
 * {@code to(DType.FLOAT64)}: 8 bytes; a comparison's BOOL result: 1) or where every tensor an operation reads
 * has the same known one. Elsewhere (the inputs, and what is computed from them) it does not, and the report
 * counts 4 bytes an element and says that it assumes float32.
 */
public final class TapeMemory {
  private TapeMemory() {}

  /** The report's tape lines for {@code f}: per call, then per loop iteration where the tape pushes values. */
  public static String of(Function f, List<Var> saved, ShapeInference.Result shapes, Set<String> inputs,
      Optional<Tape> tape) {
    Map<String, Integer> sizes = elementSizes(f);
    boolean[] assumed = new boolean[1];
    List<String> kept = new ArrayList<>();
    List<Var> made = new ArrayList<>();
    for (Var v : saved) {
      if (inputs.contains(v.name())) {
        kept.add(v.name());
      } else {
        made.add(v);
      }
    }
    StringBuilder sb = new StringBuilder(sum(made, List.of(), shapes, sizes, assumed, null));
    if (!kept.isEmpty()) {
      sb.append("; refers to the inputs ").append(String.join(", ", kept));
    }
    if (tape.isPresent()) {
      loops(f.body().stmts(), List.of(), tape.get(), shapes, sizes, assumed, sb);
    }
    if (assumed[0]) {
      sb.append(String.format("%n  tape: ×4 bytes an element assumed for the tensors whose dtype the method does not"
          + " set (float32; float64 doubles those terms)"));
    }
    return sb.toString();
  }

  /** One line per loop whose iterations push on the tape: the bytes per iteration, and times the trip counts. */
  private static void loops(List<Stmt> stmts, List<String> outer, Tape t, ShapeInference.Result shapes,
      Map<String, Integer> sizes, boolean[] assumed, StringBuilder sb) {
    for (Stmt s : stmts) {
      switch (s) {
        case Stmt.Loop l -> {
          List<String> counts = new ArrayList<>(outer);
          counts.add(tripCount(l));
          List<Var> pushed = new ArrayList<>();
          List<String> extra = new ArrayList<>();
          iteration(List.of(l.head(), l.body(), l.update()), t, pushed, extra);
          if (!pushed.isEmpty() || !extra.isEmpty()) {
            String per = sum(pushed, extra, shapes, sizes, assumed, t);
            int eq = per.indexOf(" = ");
            String bytes = eq >= 0 ? per.substring(eq + 3, per.lastIndexOf(" bytes"))
                : per.substring(0, per.indexOf(" bytes"));
            String all = String.join("·", counts) + "·" + (bytes.matches("[0-9]+") ? bytes : "(" + bytes + ")");
            sb.append(String.format("%n  tape per iteration of %s (%s): %s; %s bytes over the loop",
                l.origin().statement(), l.origin().position(), per, all));
          }
          loops(l.body().stmts(), counts, t, shapes, sizes, assumed, sb);
        }
        case Stmt.If i -> {
          loops(i.then().stmts(), outer, t, shapes, sizes, assumed, sb);
          loops(i.otherwise().stmts(), outer, t, shapes, sizes, assumed, sb);
        }
        default -> { }
      }
    }
  }

  /** What one iteration pushes (not counting nested loops, which get their own line). */
  private static void iteration(List<dev.adjoint.processor.ir.Block> blocks, Tape t, List<Var> pushed,
      List<String> extra) {
    for (var b : blocks) {
      for (Stmt s : b.stmts()) {
        switch (s) {
          case Stmt.Assign a -> {
            if (t.pushes().containsKey(a) && !pushed.contains(a.target())) {
              pushed.add(a.target());
            }
          }
          case Stmt.If i -> {
            if (t.branches().containsKey(i)) {
              extra.add(t.branches().get(i));
            }
            iteration(List.of(i.then(), i.otherwise()), t, pushed, extra);
          }
          case Stmt.Loop l -> {
            if (t.trips().containsKey(l) || t.counters().containsKey(l)) {
              extra.add(t.trips().getOrDefault(l, t.counters().get(l)));
            }
          }
          default -> { }
        }
      }
    }
  }

  /**
   * The trip count's symbol: {@code n} for {@code for (int i = 0; i < n; i++)} over a variable {@code n},
   * {@code (n - k)} from another start, a constant for constant bounds, else {@code iters}.
   */
  private static String tripCount(Stmt.Loop l) {
    if (l.counted().isEmpty()) {
      return "iters";
    }
    Stmt.Counted c = l.counted().get();
    Long from = constant(c.from());
    Long to = constant(c.to());
    long extra = c.inclusive() ? 1 : 0;
    if (from != null && to != null) {
      return Long.toString(Math.max(to - from + extra, 0));
    }
    java.util.regex.Matcher m = BOUND.matcher(l.origin().statement());
    if (from != null && m.find()) {
      // the bound as the user wrote it (the IR's variable may be a renamed copy)
      String bound = m.group(1).strip();
      bound = bound.matches("[A-Za-z_][A-Za-z0-9_.()]*") ? bound : "(" + bound + ")";
      long start = from - extra;
      return start == 0 ? bound : "(" + bound + (start > 0 ? " - " + start : " + " + -start) + ")";
    }
    return "iters";
  }

  /** The bound of {@code for (...; i < bound; ...)}. */
  private static final java.util.regex.Pattern BOUND = java.util.regex.Pattern.compile(";\\s*[A-Za-z_][A-Za-z0-9_]*"
      + "\\s*<=?\\s*([^;]+);");

  private static Long constant(Operand o) {
    return o instanceof Const k && k.owner().isEmpty() ? dev.adjoint.processor.front.ConstantFolder.parseLong(
        k.source()) : null;
  }

  /**
   * {@code 4·B·512 + 4·B·10 bytes (h, out) = 4136·B bytes}, or {@code nothing}; {@code extra} are one-byte
   * branch decisions and four-byte trip counts (by record name, when {@code t} is given).
   */
  private static String sum(List<Var> saved, List<String> extra, ShapeInference.Result shapes,
      Map<String, Integer> sizes, boolean[] assumed, Tape t) {
    List<String> terms = new ArrayList<>();
    List<String> names = new ArrayList<>();
    Map<List<String>, Long> total = new LinkedHashMap<>();
    boolean exact = true;
    for (Var v : saved) {
      long bytes = bytes(v.type());
      if (bytes == 0) {
        continue;
      }
      names.add(v.name() + (t == null ? "" : " pushed on " + stack(t, v)));
      if (v.type().kind() != Type.Kind.TENSOR) {
        terms.add(Long.toString(bytes));
        total.merge(List.of(), bytes, Long::sum);
        continue;
      }
      Integer known = sizes.get(v.name());
      if (known == null) {
        assumed[0] = true;
      } else {
        bytes = known;
      }
      SymShape s = shapes.shape(v.name());
      if (!s.known() || !s.numel().known()) {
        terms.add(bytes + "·numel(" + v.name() + ")");
        exact = false;
        continue;
      }
      List<String> parts = new ArrayList<>();
      parts.add(Long.toString(bytes));
      s.dims().forEach(d -> parts.add(d.toString()));
      terms.add(String.join("·", parts));
      Dim n = s.numel();
      total.merge(n.symbols(), bytes * n.coeff(), Long::sum);
    }
    for (String record : extra) {
      long bytes = record.startsWith("branch") ? 1 : 4;
      terms.add(Long.toString(bytes));
      names.add(record + (record.startsWith("branch") ? " decision" : " trip count"));
      total.merge(List.of(), bytes, Long::sum);
    }
    if (terms.isEmpty()) {
      return "nothing";
    }
    StringBuilder sb = new StringBuilder(String.join(" + ", terms)).append(" bytes (")
        .append(String.join(", ", names)).append(')');
    if (exact && terms.size() > 1) {
      List<String> folded = new ArrayList<>();
      total.forEach((syms, c) -> folded.add(new Dim(c, syms).toString()));
      sb.append(" = ").append(String.join(" + ", folded)).append(" bytes");
    }
    return sb.toString();
  }

  private static String stack(Tape t, Var v) {
    for (var e : t.pushes().entrySet()) {
      if (e.getKey() instanceof Stmt.Assign a && a.target().equals(v)) {
        return e.getValue();
      }
    }
    return "?";
  }

  private static long bytes(Type t) {
    return switch (t.kind()) {
      case TENSOR, FLOAT, INT -> 4;
      case DOUBLE, LONG -> 8;
      case BOOLEAN -> 1;
      default -> 0;
    };
  }

  /** Bytes an element of each tensor whose dtype the method's own operations fix (see the class comment). */
  static Map<String, Integer> elementSizes(Function f) {
    Map<String, Integer> out = new HashMap<>();
    for (Stmt s : Stmt.flatten(f.body().stmts())) {
      if (!(s instanceof Stmt.Assign a) || a.target().type().kind() != Type.Kind.TENSOR) {
        continue;
      }
      Integer size = switch (a.op()) {
        case Op.Call c -> switch (c.callee().method()) {
          case "toDouble" -> 8;
          case "toFloat" -> 4;
          case "gt", "lt", "ge", "le", "eq", "ne", "logicalNot", "logicalAnd", "logicalOr", "isnan" -> 1;
          case "to" -> c.args().stream().map(TapeMemory::dtypeSize).filter(x -> x != null).findFirst()
              .orElse(null);
          default -> same(c.inputs(), out);
        };
        case Op.Copy c -> same(List.of(c.operand()), out);
        default -> null;
      };
      if (size != null) {
        out.put(a.target().name(), size);
      } else {
        out.remove(a.target().name());
      }
    }
    return out;
  }

  /** The element size of a {@code Tensor.DType} constant. */
  private static Integer dtypeSize(Operand o) {
    if (!(o instanceof Const k) || !k.owner().endsWith("DType")) {
      return null;
    }
    return switch (k.source()) {
      case "FLOAT64", "INT64" -> 8;
      case "FLOAT32", "INT32" -> 4;
      case "BOOL" -> 1;
      default -> null;
    };
  }

  /** The element size every tensor operand has, or {@code null} when one is unknown or they differ. */
  private static Integer same(List<Operand> operands, Map<String, Integer> known) {
    Integer size = null;
    for (Operand o : operands) {
      if (o.type().kind() != Type.Kind.TENSOR) {
        continue;
      }
      Integer s = o instanceof Var v ? known.get(v.name()) : null;
      if (s == null || (size != null && !size.equals(s))) {
        return null;
      }
      size = s;
    }
    return size;
  }
}
