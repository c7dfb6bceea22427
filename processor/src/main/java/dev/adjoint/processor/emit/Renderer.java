package dev.adjoint.processor.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.adjoint.processor.ir.AExpr;
import dev.adjoint.processor.ir.AStmt;
import dev.adjoint.processor.ir.Callee;
import dev.adjoint.processor.ir.Cond;
import dev.adjoint.processor.ir.Const;
import dev.adjoint.processor.ir.Op;
import dev.adjoint.processor.ir.Operand;
import dev.adjoint.processor.ir.Type;
import dev.adjoint.processor.ir.Var;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one IR-to-code renderer every output form uses: operands, operations, conditions, backward
 * statements and adjoint expressions (with minimal parentheses), and Java types. Stateless.
 */
final class Renderer {
  static final ClassName TENSOR = ClassName.get("dev.adjoint", "Tensor");
  static final ClassName AUTOGRAD = ClassName.get("dev.adjoint", "Autograd");
  static final ClassName GRAD_MODE = ClassName.get("dev.adjoint", "Autograd", "GradMode");
  static final ClassName GRADS = ClassName.get("dev.adjoint.autograd", "Grads");
  static final ClassName GENERATED = ClassName.get("javax.annotation.processing", "Generated");
  static final ClassName ADJOINT_GENERATED = ClassName.get("dev.adjoint.annotation", "AdjointGenerated");
  static final ClassName ARRAYS = ClassName.get("java.util", "Arrays");
  static final ClassName ADJOINTS = ClassName.get("dev.adjoint.autograd", "Adjoints");
  static final ClassName DOUBLE_STACK = ClassName.get("dev.adjoint.autograd", "DoubleStack");
  static final ClassName INT_STACK = ClassName.get("dev.adjoint.autograd", "IntStack");
  static final ClassName OBJECT_STACK = ClassName.get("dev.adjoint.autograd", "ObjectStack");

  private Renderer() {}

  /** The right-hand side of an assignment. */
  static CodeBlock op(Op op) {
    return switch (op) {
      case Op.Arith ar -> CodeBlock.of("$L $L $L", operand(ar.left()), ar.op(), operand(ar.right()));
      case Op.Neg n -> operand(n.operand()).toString().startsWith("-")
          ? CodeBlock.of("-($L)", operand(n.operand())) : CodeBlock.of("-$L", operand(n.operand()));
      case Op.Cast c -> CodeBlock.of("($L) $L", c.to().spelling(), operand(c.operand()));
      case Op.Copy c -> operand(c.operand());
      case Op.Call c -> call(c);
      case Op.Element e -> CodeBlock.of("$L[$L]", operand(e.array()), operand(e.index()));
      case Op.Length l -> CodeBlock.of("$L.length", operand(l.array()));
      case Op.Test test -> cond(test.cond());
    };
  }

  static TypeName stackType(Type t) {
    return switch (t.kind()) {
      case DOUBLE, FLOAT -> DOUBLE_STACK;
      case INT, BOOLEAN -> INT_STACK;
      default -> com.palantir.javapoet.ParameterizedTypeName.get(OBJECT_STACK, typeName(t).box());
    };
  }


  static String zero(Type t) {
    return switch (t.kind()) {
      case DOUBLE, INT, LONG -> "0";
      case FLOAT -> "0f";
      case BOOLEAN -> "false";
      default -> "null";
    };
  }


  static CodeBlock cond(Cond c) {
    return switch (c) {
      case Cond.Compare k -> CodeBlock.of("$L $L $L", operand(k.left()), k.op(), operand(k.right()));
      case Cond.Value v -> operand(v.operand());
      case Cond.Not n -> n.operand() instanceof Cond.Value || n.operand() instanceof Cond.Not
          ? CodeBlock.of("!$L", cond(n.operand())) : CodeBlock.of("!($L)", cond(n.operand()));
      case Cond.Logic l -> CodeBlock.of("$L $L $L", side(l, l.left()), l.and() ? "&&" : "||", side(l, l.right()));
    };
  }


  static CodeBlock side(Cond.Logic parent, Cond c) {
    return c instanceof Cond.Logic l && l.and() != parent.and() ? CodeBlock.of("($L)", cond(c)) : cond(c);
  }


  static CodeBlock declared(Type t) {
    TypeName n = typeNameOrNull(t);
    return n == null ? CodeBlock.of("var") : CodeBlock.of("$T", n);
  }


  static CodeBlock call(Op.Call c) {
    Callee callee = c.callee();
    List<Operand> passed = c.args();
    if (callee instanceof Callee.Primitive p && !p.receiverInputs().isEmpty()) {
      passed = passed.subList(0, passed.size() - p.receiverInputs().size());
    }
    List<CodeBlock> args = new ArrayList<>(passed.stream().map(Renderer::operand).toList());
    if (callee instanceof Callee.Primitive p && p.listArity() > 0) {
      CodeBlock list = CodeBlock.of("$T.of($L)", ClassName.get("java.util", "List"),
          CodeBlock.join(args.subList(0, p.listArity()), ", "));
      List<CodeBlock> rest = new ArrayList<>(args.subList(p.listArity(), args.size()));
      args.clear();
      args.add(list);
      args.addAll(rest);
    }
    CodeBlock joined = CodeBlock.join(args, ", ");
    if (callee instanceof Callee.Passive && callee.method().equals("new") && callee.owner().equals("int[]")) {
      return CodeBlock.of("new int[] {$L}", joined);
    }
    if (callee instanceof Callee.Passive && callee.method().equals("new")) {
      return CodeBlock.of("new $T($L)", ClassName.bestGuess(callee.owner()), joined);
    }
    if (c.receiver().isPresent()) {
      return CodeBlock.of("$L.$L($L)", operand(c.receiver().get()), callee.method(), joined);
    }
    if (!callee.isStatic()) {
      return CodeBlock.of("self.$L($L)", callee.method(), joined);
    }
    return CodeBlock.of("$T.$L($L)", ClassName.bestGuess(callee.owner()), callee.method(), joined);
  }


  static CodeBlock operand(Operand o) {
    return switch (o) {
      case Var v -> CodeBlock.of("$L", v.name());
      case Const c -> c.owner().isEmpty() ? CodeBlock.of("$L", c.source())
          : CodeBlock.of("$T.$L", ClassName.bestGuess(c.owner()), c.source());
    };
  }


  static CodeBlock backward(List<AStmt> stmts, Map<String, String> rename, boolean mutableAdjoints) {
    CodeBlock.Builder code = CodeBlock.builder();
    for (AStmt s : stmts) {
      switch (s) {
        case AStmt.Comment c -> code.add("// ∂ $L: $L\n", c.origin().position(), c.origin().statement());
        case AStmt.Let l -> code.addStatement("$L $L = $L", declared(l.type()), l.name(), expr(l.value(), rename));
        case AStmt.Reset r -> code.addStatement("$L = $L", r.name(), zero(r.type()));
        case AStmt.Restore r -> {
          String pop = r.type().kind() == Type.Kind.BOOLEAN ? "popBoolean" : "pop";
          code.addStatement(r.type().kind() == Type.Kind.FLOAT ? "$L = (float) $L.$L()" : "$L = $L.$L()", r.name(),
              r.stack(), pop);
        }
        case AStmt.Guard g -> code.beginControlFlow("if ($L != null)", g.adjoint())
            .add(backward(g.body(), rename, mutableAdjoints)).endControlFlow();
        case AStmt.Branch b -> {
          code.add("// ∂ $L: $L\n", b.origin().position(), b.origin().statement());
          if (b.then().isEmpty()) {
            code.beginControlFlow("if (!$L)", expr(b.cond(), rename)).add(backward(b.otherwise(), rename, mutableAdjoints));
          } else {
            code.beginControlFlow("if ($L)", expr(b.cond(), rename)).add(backward(b.then(), rename, mutableAdjoints));
            if (!b.otherwise().isEmpty()) {
              code.nextControlFlow("else").add(backward(b.otherwise(), rename, mutableAdjoints));
            }
          }
          code.endControlFlow();
        }
        case AStmt.Reverse r -> {
          code.add("// ∂ $L: $L\n", r.origin().position(), r.origin().statement());
          if (r.counted()) {
            CodeBlock to = expr(r.to(), rename);
            CodeBlock start = r.inclusive() ? to : r.to() instanceof AExpr.Lit l && l.source().matches("\\d+")
                ? CodeBlock.of("$L", Integer.parseInt(l.source()) - 1) : CodeBlock.of("$L - 1", to);
            code.beginControlFlow("for (int $L = $L; $L >= $L; $L--)", r.counter(), start, r.counter(),
                expr(r.from(), rename), r.counter());
          } else {
            code.beginControlFlow("for (int $L = $L; $L > 0; $L--)", r.counter(), expr(r.from(), rename),
                r.counter(), r.counter());
          }
          code.add(backward(r.body(), rename, mutableAdjoints)).endControlFlow();
        }
        case AStmt.AccumulateElement a -> {
          CodeBlock entry = CodeBlock.of("$L[$L]", a.name(), expr(a.index(), rename));
          code.addStatement("$L = $T.add($L, $L)", entry, ADJOINTS, entry, expr(a.value(), rename));
        }
        case AStmt.Accumulate a -> {
          if (a.declare()) {
            code.addStatement("$T $L = $L", typeName(a.type()), a.name(), expr(a.value(), rename));
          } else if (a.type().kind() == Type.Kind.TENSOR && (mutableAdjoints || a.nullSafe())) {
            code.addStatement("$L = $T.add($L, $L)", a.name(), ADJOINTS, a.name(), expr(a.value(), rename));
          } else if (a.type().kind() == Type.Kind.TENSOR) {
            code.addStatement("$L = $L.add($L)", a.name(), a.name(), expr(a.value(), rename));
          } else if (a.value() instanceof AExpr.Neg n) {
            code.addStatement("$L -= $L", a.name(), expr(n.operand(), rename));
          } else {
            code.addStatement("$L += $L", a.name(), expr(a.value(), rename));
          }
        }
      }
    }
    return code.build();
  }


  static CodeBlock expr(AExpr e, Map<String, String> rename) {
    return switch (e) {
      case AExpr.Ref r -> CodeBlock.of("$L", rename.getOrDefault(r.name(), r.name()));
      case AExpr.Lit l -> CodeBlock.of("$L", l.source());
      case AExpr.StaticField sf -> CodeBlock.of("$T.$L", ClassName.bestGuess(sf.owner()), sf.name());
      case AExpr.ShapeOnly s -> expr(s.ref(), rename);
      case AExpr.Zero z -> throw new IllegalStateException("a symbolic zero reached the emitter");
      case AExpr.Bin b -> CodeBlock.of("$L $L $L", operandOf(b.left(), prec(b), false, rename), b.op(),
          operandOf(b.right(), prec(b), true, rename));
      case AExpr.Neg n -> CodeBlock.of("-$L", atomic(n.operand()) && !expr(n.operand(), rename).toString().startsWith("-")
          ? expr(n.operand(), rename) : CodeBlock.of("($L)", expr(n.operand(), rename)));
      case AExpr.Cast c -> CodeBlock.of("($L) $L", c.type().spelling(), atomic(c.operand())
          ? expr(c.operand(), rename) : CodeBlock.of("($L)", expr(c.operand(), rename)));
      case AExpr.StaticCall c -> CodeBlock.of("$T.$L($L)", ClassName.bestGuess(c.owner()), c.method(),
          CodeBlock.join(c.args().stream().map(a -> expr(a, rename)).toList(), ", "));
      case AExpr.Invoke i -> CodeBlock.of("$L.$L($L)", atomic(i.target()) ? expr(i.target(), rename)
              : CodeBlock.of("($L)", expr(i.target(), rename)), i.method(),
          CodeBlock.join(i.args().stream().map(a -> expr(a, rename)).toList(), ", "));
    };
  }


  static int prec(AExpr.Bin b) {
    return b.op() == '+' || b.op() == '-' ? 1 : 2;
  }


  static CodeBlock operandOf(AExpr e, int parent, boolean right, Map<String, String> rename) {
    boolean parens = false;
    if (e instanceof AExpr.Bin b) {
      int p = prec(b);
      parens = p < parent || (right && p == parent);
    }
    return parens ? CodeBlock.of("($L)", expr(e, rename)) : expr(e, rename);
  }


  static boolean atomic(AExpr e) {
    return e instanceof AExpr.Ref || e instanceof AExpr.StaticField || e instanceof AExpr.StaticCall
        || e instanceof AExpr.Invoke || (e instanceof AExpr.Lit l && !l.source().startsWith("-"));
  }


  static TypeName typeName(Type t) {
    TypeName n = typeNameOrNull(t);
    if (n == null) {
      throw new IllegalStateException("no Java type for " + t);
    }
    return n;
  }


  static TypeName typeNameOrNull(Type t) {
    return switch (t.kind()) {
      case TENSOR -> TENSOR;
      case DOUBLE -> TypeName.DOUBLE;
      case FLOAT -> TypeName.FLOAT;
      case LONG -> TypeName.LONG;
      case INT -> TypeName.INT;
      case BOOLEAN -> TypeName.BOOLEAN;
      case VOID -> TypeName.VOID;
      case ERROR -> null;
      case OTHER -> {
        String s = t.spelling();
        if (s.equals("int[]")) {
          yield com.palantir.javapoet.ArrayTypeName.of(TypeName.INT);
        }
        if (t.isTensorArray()) {
          yield com.palantir.javapoet.ArrayTypeName.of(TENSOR);
        }
        yield parse(s);
      }
    };
  }

  /**
   * A JavaPoet type from a Java spelling such as {@code java.util.Map<java.lang.String, int[]>}; null
   * for spellings it cannot name (type variables, wildcards), which the caller declares with {@code var}.
   */
  static TypeName parse(String spelling) {
    String s = spelling.trim();
    if (s.endsWith("[]")) {
      TypeName component = parse(s.substring(0, s.length() - 2));
      return component == null ? null : com.palantir.javapoet.ArrayTypeName.of(component);
    }
    switch (s) {
      case "int": return TypeName.INT;
      case "long": return TypeName.LONG;
      case "double": return TypeName.DOUBLE;
      case "float": return TypeName.FLOAT;
      case "boolean": return TypeName.BOOLEAN;
      case "short": return TypeName.SHORT;
      case "byte": return TypeName.BYTE;
      case "char": return TypeName.CHAR;
      default: break;
    }
    int lt = s.indexOf('<');
    String raw = lt < 0 ? s : s.substring(0, lt);
    if (!raw.contains(".") || raw.contains("?") || raw.contains(" ")) {
      return null;
    }
    ClassName cls = ClassName.bestGuess(raw);
    if (lt < 0) {
      return cls;
    }
    List<TypeName> args = new ArrayList<>();
    int depth = 0;
    int start = lt + 1;
    for (int i = lt + 1; i < s.length() - 1; i++) {
      char ch = s.charAt(i);
      if (ch == '<') {
        depth++;
      } else if (ch == '>') {
        depth--;
      } else if (ch == ',' && depth == 0) {
        args.add(parse(s.substring(start, i)));
        start = i + 1;
      }
    }
    args.add(parse(s.substring(start, s.length() - 1)));
    if (args.contains(null)) {
      return null;
    }
    return com.palantir.javapoet.ParameterizedTypeName.get(cls, args.toArray(TypeName[]::new));
  }
}
