package dev.adjoint.processor.shape;

import dev.adjoint.processor.ir.Type;
import dev.adjoint.processor.ir.Var;
import dev.adjoint.shape.Dim;
import dev.adjoint.shape.SymShape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The memory the tape holds, symbolically: per saved value its dtype's bytes times its sizes
 * ({@code 4·B·512} for a float32 {@code [B, 512]}), summed; a tensor of unknown shape is {@code 4·numel(h)}. Tensors
 * are float32 (the default dtype: the IR does not track dtypes).
 */
public final class TapeMemory {
  private TapeMemory() {}

  /**
   * {@code 4·B·512 + 4·B·10 bytes (h, out) = 2088·B bytes}, or {@code nothing} when nothing but inputs is saved;
   * inputs (parameters, fields) the tape only refers to are named after it ({@code ; refers to the inputs x, w}).
   */
  public static String of(List<Var> saved, ShapeInference.Result shapes, java.util.Set<String> inputs) {
    List<String> kept = new ArrayList<>();
    List<Var> made = new ArrayList<>();
    for (Var v : saved) {
      if (inputs.contains(v.name())) {
        kept.add(v.name());
      } else {
        made.add(v);
      }
    }
    return sum(made, shapes) + (kept.isEmpty() ? "" : "; refers to the inputs " + String.join(", ", kept));
  }

  private static String sum(List<Var> saved, ShapeInference.Result shapes) {
    List<String> terms = new ArrayList<>();
    List<String> names = new ArrayList<>();
    Map<List<String>, Long> total = new LinkedHashMap<>();
    boolean exact = true;
    for (Var v : saved) {
      long bytes = bytes(v.type());
      if (bytes == 0) {
        continue;
      }
      names.add(v.name());
      if (v.type().kind() != Type.Kind.TENSOR) {
        terms.add(Long.toString(bytes));
        total.merge(List.of(), bytes, Long::sum);
        continue;
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

  private static long bytes(Type t) {
    return switch (t.kind()) {
      case TENSOR, FLOAT, INT -> 4;
      case DOUBLE, LONG -> 8;
      case BOOLEAN -> 1;
      default -> 0;
    };
  }
}
