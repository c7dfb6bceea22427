package dev.adjoint.processor.fuzz;

import dev.adjoint.processor.fuzz.Ast.Assign;
import dev.adjoint.processor.fuzz.Ast.Expr;
import dev.adjoint.processor.fuzz.Ast.HelperCall;
import dev.adjoint.processor.fuzz.Ast.MethodCall;
import dev.adjoint.processor.fuzz.Ast.Ternary;
import dev.adjoint.processor.fuzz.Ast.Type;
import dev.adjoint.processor.fuzz.Ast.Var;
import java.util.Arrays;
import java.util.function.Function;

/** Static shapes of tensor expressions (the generator only uses [3], [2, 3] and scalars). */
final class Shapes {
  private Shapes() {}

  /** The shape of e, given the shapes of variables. */
  static int[] of(Expr e, Function<String, int[]> variables) {
    return switch (e) {
      case Var v -> variables.apply(v.name());
      case Ast.Template t -> t.shape();
      case Assign a -> of(a.value(), variables);
      case Ternary t -> of(t.ifTrue(), variables);
      case HelperCall h -> h.args().stream().filter(a -> a.type() == Type.TENSOR)
          .map(a -> of(a, variables)).reduce(new int[0], Shapes::broadcast);
      case MethodCall m -> switch (m.name()) {
        case "sum", "mean" -> m.args().isEmpty() ? new int[0]
            : Arrays.copyOfRange(of(m.receiver(), variables), 1, of(m.receiver(), variables).length);
        case "add", "sub", "mul", "div" -> m.args().get(0).type() == Type.TENSOR
            ? broadcast(of(m.receiver(), variables), of(m.args().get(0), variables))
            : of(m.receiver(), variables);
        default -> of(m.receiver(), variables);
      };
      default -> new int[0];
    };
  }

  /** The broadcast of two shapes (right-aligned, as in PyTorch). */
  static int[] broadcast(int[] a, int[] b) {
    int[] longer = a.length >= b.length ? a : b;
    int[] shorter = a.length >= b.length ? b : a;
    int[] out = longer.clone();
    for (int i = 0; i < shorter.length; i++) {
      int j = out.length - shorter.length + i;
      out[j] = Math.max(out[j], shorter[i]);
    }
    return out;
  }
}
