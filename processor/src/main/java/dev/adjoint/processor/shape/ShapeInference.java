package dev.adjoint.processor.shape;

import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.Trees;
import dev.adjoint.processor.diag.Message;
import dev.adjoint.processor.diag.Site;
import dev.adjoint.processor.diag.ValidationReport;
import dev.adjoint.processor.front.ConstantFolder;
import dev.adjoint.processor.ir.Callee;
import dev.adjoint.processor.ir.Const;
import dev.adjoint.processor.ir.Function;
import dev.adjoint.processor.ir.Input;
import dev.adjoint.processor.ir.Op;
import dev.adjoint.processor.ir.Operand;
import dev.adjoint.processor.ir.Origin;
import dev.adjoint.processor.ir.Stmt;
import dev.adjoint.processor.ir.Type;
import dev.adjoint.processor.ir.Var;
import dev.adjoint.processor.rules.RuleCatalog;
import dev.adjoint.shape.Dim;
import dev.adjoint.shape.ShapeError;
import dev.adjoint.shape.ShapeRules;
import dev.adjoint.shape.SymShape;
import dev.adjoint.shape.Unifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;

/**
 * Propagates {@code @Shape}s through one method: every primitive row through its shape function
 * ({@code dev.adjoint.shape.ShapeRules}), calls of other {@code @Differentiable} methods through their own
 * {@code @Shape}s (symbols renamed per call), and the backward through the bodies of user {@code @Derivative} rules
 * (each gradient must have its input's shape: a broadcast the rule does not reduce is caught here). Two constant
 * sizes that differ are {@code [Adjoint/ShapeMismatch]} at the user's statement, naming both shapes; a symbol
 * equated with another size becomes an {@link EntryCheck}, run once at the generated method's entry. Unknown
 * shapes propagate as unknown and never fail.
 */
public final class ShapeInference {
  /** The annotation. */
  public static final String SHAPE = "dev.adjoint.annotation.Shape";

  /** The comparisons of {@code Tensor}, whose BOOL results broadcast their operands. */
  private static final Set<String> COMPARISONS = Set.of("gt", "lt", "ge", "le", "eq", "ne");

  /**
   * A check left to run time.
   *
   * @param condition the Java condition over the inputs' sizes ({@code x.shape()[1] == 784})
   * @param message the user's position and statement, the equation and the declared shapes
   * @param reads the inputs it reads, as {@code name, expression} pairs
   */
  public record EntryCheck(String condition, String message, List<String> reads) {}

  /**
   * What the inference found.
   *
   * @param shapes variable → its shape, as last known
   * @param checks the run-time checks, in order
   * @param annotated whether the method or a callee carries {@code @Shape} (nothing to check otherwise)
   */
  public record Result(Map<String, SymShape> shapes, List<EntryCheck> checks, boolean annotated) {
    /** A variable's shape, unknown if none was found. */
    public SymShape shape(String var) {
      return shapes.getOrDefault(var, SymShape.UNKNOWN);
    }
  }

  /** Lowers a method with source (a {@code @Derivative} rule's body) to IR, if it can. */
  @FunctionalInterface
  public interface Lowering {
    /** The IR of {@code method}, or empty. */
    Optional<Function> lower(ExecutableElement method);
  }

  private final Elements elements;
  private final Trees trees;
  private final Lowering lowering;

  /** An inference reading annotations through {@code elements} and initializers through {@code trees}. */
  public ShapeInference(Elements elements, Trees trees, Lowering lowering) {
    this.elements = elements;
    this.trees = trees;
    this.lowering = lowering;
  }

  /** Where a symbol's size can be read at entry: {@code expr.shape()[dim]}. */
  private record Home(String name, String expr, int dim, SymShape declared) {}

  /** Runs over {@code f} (the IR of {@code m}); problems go to {@code report}. */
  public Result run(Function f, ExecutableElement m, ValidationReport report) {
    Run r = new Run(report);
    int i = 0;
    for (Input in : f.params()) {
      VariableElement p = m.getParameters().get(i++);
      r.declare(in, p, in.var().name());
      r.contract(in, p, f.origin());
    }
    TypeElement owner = (TypeElement) m.getEnclosingElement();
    for (Input in : f.fields()) {
      r.field(owner, in);
    }
    SymShape result = r.parse(m, "the result of " + m.getSimpleName(), site(f.origin()));
    r.locals(m);
    r.block(f.body().stmts(), result);
    return new Result(r.env, r.checks, r.annotated);
  }

  /** The user's statement without {@code return} and the semicolon: {@code x.matmul(w)}. */
  private static String statement(Origin o) {
    String st = o.statement().strip();
    if (st.endsWith(";")) {
      st = st.substring(0, st.length() - 1);
    }
    return st.startsWith("return ") ? st.substring(7) : st;
  }

  private static Site site(Origin o) {
    return o.site() instanceof Site s ? s : null;
  }

  /** The text of {@code @Shape} on {@code e}, or {@code null}. */
  public static String shapeText(Element e) {
    AnnotationMirror a = RuleCatalog.mirror(e, SHAPE);
    if (a == null) {
      return null;
    }
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> v : a.getElementValues().entrySet()) {
      return (String) v.getValue().getValue();
    }
    return null;
  }

  /** The depth of method bodies followed for their result's shape. */
  private static final int MAX_NESTED = 4;

  private final class Run {
    final ValidationReport report;
    final Unifier u = new Unifier();
    final Map<String, SymShape> env = new LinkedHashMap<>();
    final Map<String, Long> ints = new HashMap<>();
    /** {@code int[]} locals holding a constant ({@code int[] s = {4, -1};}). */
    final Map<String, long[]> arrays = new HashMap<>();
    final Map<String, ShapeRules.Module> modules = new HashMap<>();
    final Map<String, Home> homes = new LinkedHashMap<>();
    final List<EntryCheck> checks = new ArrayList<>();
    final Set<String> seenChecks = new LinkedHashSet<>();
    boolean annotated;
    int calls;
    /** How many method bodies deep this run is ({@link #bodyShape}): a recursive method stops here. */
    int nested;
    /** Local variable name → its declared {@code @Shape}. */
    final Map<String, SymShape> locals = new HashMap<>();

    /** The {@code @Shape}s on the method's local variables (read from the tree: locals have no elements here). */
    void locals(ExecutableElement m) {
      com.sun.source.util.TreePath path = trees.getPath(m);
      if (path == null) {
        return;
      }
      var unit = path.getCompilationUnit();
      if (!(path.getLeaf() instanceof com.sun.source.tree.MethodTree mt) || mt.getBody() == null) {
        return;
      }
      new com.sun.source.util.TreeScanner<Void, Void>() {
        @Override
        public Void visitVariable(VariableTree v, Void p) {
          for (com.sun.source.tree.AnnotationTree a : v.getModifiers().getAnnotations()) {
            String type = a.getAnnotationType().toString();
            if (!(type.equals("Shape") || type.equals(SHAPE)) || a.getArguments().size() != 1) {
              continue;
            }
            ExpressionTree arg = a.getArguments().get(0);
            if (arg instanceof com.sun.source.tree.AssignmentTree as) {
              arg = as.getExpression();
            }
            if (arg instanceof com.sun.source.tree.LiteralTree lit && lit.getValue() instanceof String text) {
              annotated = true;
              try {
                locals.put(v.getName().toString(), SymShape.parse(text));
              } catch (IllegalArgumentException bad) {
                report.add(Message.BAD_SHAPE, new Site(unit, a), text, v.getName(), bad.getMessage());
              }
            }
          }
          return super.visitVariable(v, p);
        }
      }.scan(mt.getBody(), null);
    }

    /** The declared shape of the local a target belongs to ({@code h}, or {@code h2} renamed from {@code h}). */
    SymShape declaredLocal(Stmt.Assign a) {
      String name = a.target().name();
      SymShape s = locals.get(name);
      if (s != null) {
        return s;
      }
      String base = name.replaceAll("[0-9]+$", "");
      s = locals.get(base);
      return s != null && a.origin().statement().matches(".*\\b" + base + "\\s*=[^=].*") ? s : SymShape.UNKNOWN;
    }

    Run(ValidationReport report) {
      this.report = report;
    }

    SymShape parse(Element e, String what, Site site) {
      String text = shapeText(e);
      if (text == null) {
        return SymShape.UNKNOWN;
      }
      annotated = true;
      try {
        return SymShape.parse(text);
      } catch (IllegalArgumentException bad) {
        if (site != null) {
          report.add(Message.BAD_SHAPE, site, text, what, bad.getMessage());
        } else {
          report.add(Message.BAD_SHAPE, e, text, what, bad.getMessage());
        }
        return SymShape.UNKNOWN;
      }
    }

    void declare(Input in, Element e, String expr) {
      if (in.var().type().kind() != Type.Kind.TENSOR) {
        return;
      }
      SymShape s = parse(e, in.name(), in.site() instanceof Site st ? st : null);
      bind(in.var().name(), in.name(), expr, s);
    }

    /**
     * An annotated tensor parameter's rank and constant sizes, checked at entry before the equations (which
     * index its sizes): {@code @Shape("128, 10") w} refuses a {@code [128, 9]} {@code w} at the call, as a
     * contract; its symbols are checked where the body equates them.
     */
    void contract(Input in, Element e, Origin o) {
      if (in.var().type().kind() != Type.Kind.TENSOR) {
        return;
      }
      String text = shapeText(e);
      SymShape s = env.get(in.var().name());
      if (text == null || s == null || !s.known()) {
        return;
      }
      String expr = in.var().name();
      StringBuilder condition = new StringBuilder(expr + ".shape().length == " + s.rank());
      for (int d = 0; d < s.rank(); d++) {
        if (s.dim(d).constant()) {
          condition.append(" && ").append(expr).append(".shape()[").append(d).append("] == ")
              .append(s.dim(d).coeff());
        }
      }
      if (seenChecks.add(condition.toString())) {
        checks.add(new EntryCheck(condition.toString(), o.position() + ": " + in.name() + " is declared @Shape(\""
            + text + "\")", List.of(in.name(), expr)));
      }
    }

    void bind(String var, String name, String expr, SymShape s) {
      if (!s.known()) {
        return;
      }
      env.put(var, s);
      for (int d = 0; d < s.rank(); d++) {
        Dim dim = s.dim(d);
        if (dim.symbol()) {
          homes.putIfAbsent(dim.symbols().get(0), new Home(name, expr, d, s));
        }
      }
    }

    /** A field input: a tensor field's {@code @Shape}, or a module field's weight and bias. */
    void field(TypeElement owner, Input in) {
      String path = in.name();
      int dot = path.indexOf('.');
      String head = dot < 0 ? path : path.substring(0, dot);
      VariableElement field = ElementFilter.fieldsIn(owner.getEnclosedElements()).stream()
          .filter(v -> v.getSimpleName().contentEquals(head)).findFirst().orElse(null);
      if (field == null || field.getModifiers().contains(Modifier.STATIC)) {
        return;
      }
      String expr = "self." + path;
      if (dot < 0) {
        if (in.var().type().kind() == Type.Kind.TENSOR) {
          declare(in, field, expr);
        } else {
          module(field).ifPresent(mod -> modules.put(in.var().name(), mod));
        }
        return;
      }
      String accessor = path.substring(dot + 1);
      Optional<ShapeRules.Module> mod = module(field);
      SymShape weight = parse(field, head, in.site() instanceof Site st ? st : null);
      if (!weight.known() && mod.isPresent()) {
        weight = initialWeight(mod.get());
      }
      if (!weight.known()) {
        return;
      }
      if (accessor.equals("weight()")) {
        bind(in.var().name(), path, expr, weight);
      } else if (accessor.equals("bias()") && weight.rank() >= 1) {
        bind(in.var().name(), path, expr, new SymShape(List.of(weight.dim(0))));
      }
    }

    /** A module's weight shape from its constructor's arguments ({@code Linear(in, out)}: {@code [out, in]}). */
    SymShape initialWeight(ShapeRules.Module m) {
      List<Long> c = m.config();
      boolean known = c.size() >= 2 && c.get(0) != null && c.get(1) != null;
      return switch (m.type()) {
        case "Linear" -> known ? SymShape.of(c.get(1).intValue(), c.get(0).intValue()) : SymShape.UNKNOWN;
        case "Embedding" -> known ? SymShape.of(c.get(0).intValue(), c.get(1).intValue()) : SymShape.UNKNOWN;
        case "Conv2d" -> known && c.size() >= 3 && c.get(2) != null ? SymShape.of(c.get(1).intValue(),
            c.get(0).intValue(), c.get(2).intValue(), c.get(2).intValue()) : SymShape.UNKNOWN;
        default -> SymShape.UNKNOWN;
      };
    }

    /** The module a field holds, with its initializer's {@code int} arguments ({@code new Linear(28 * 28, 512)}). */
    Optional<ShapeRules.Module> module(VariableElement field) {
      String type = field.asType().toString();
      type = type.substring(type.lastIndexOf('.') + 1);
      List<Long> config = new ArrayList<>();
      var tree = trees.getTree(field);
      if (tree instanceof VariableTree vt && vt.getInitializer() instanceof NewClassTree nc) {
        for (ExpressionTree arg : nc.getArguments()) {
          config.add(ConstantFolder.fold(arg));
        }
      }
      return Optional.of(new ShapeRules.Module(type, config));
    }

    // ---- the walk

    void block(List<Stmt> stmts, SymShape result) {
      for (Stmt s : stmts) {
        stmt(s, result);
      }
    }

    void stmt(Stmt s, SymShape result) {
      switch (s) {
        case Stmt.Assign a -> {
          int before = u.constraintCount();
          Object value = op(a);
          if (a.target().type().kind() == Type.Kind.TENSOR) {
            SymShape sh = value instanceof SymShape x ? u.resolve(x) : SymShape.UNKNOWN;
            SymShape declared = locals.isEmpty() ? SymShape.UNKNOWN : declaredLocal(a);
            if (declared.known()) {
              conform(sh, declared, a.origin(), a.target().name().replaceAll("[0-9]+$", "")
                  + " is assigned a tensor of shape %s, but its @Shape is %s");
              sh = sh.known() ? u.resolve(sh) : u.resolve(declared);
            }
            if (sh.known()) {
              env.put(a.target().name(), sh);
            } else {
              env.remove(a.target().name());
            }
          } else if (value instanceof Long l) {
            ints.put(a.target().name(), l);
          } else if (value instanceof long[] l) {
            arrays.put(a.target().name(), l);
          } else {
            ints.remove(a.target().name());
            arrays.remove(a.target().name());
          }
          constraints(before, a.origin());
        }
        case Stmt.Return r -> {
          if (result.known() && r.value().type().kind() == Type.Kind.TENSOR) {
            int before = u.constraintCount();
            SymShape got = shapeOf(r.value());
            conform(got, result, r.origin(), "returns " + "%s" + ", but its @Shape is " + "%s");
            constraints(before, r.origin());
          }
        }
        case Stmt.If i -> {
          Map<String, SymShape> snapshot = new HashMap<>(env);
          block(i.then().stmts(), result);
          Map<String, SymShape> then = new HashMap<>(env);
          env.clear();
          env.putAll(snapshot);
          block(i.otherwise().stmts(), result);
          merge(then);
        }
        case Stmt.Loop l -> {
          block(l.init().stmts(), result);
          Map<String, SymShape> snapshot = new HashMap<>(env);
          block(l.head().stmts(), result);
          block(l.body().stmts(), result);
          block(l.update().stmts(), result);
          merge(snapshot);
        }
        case Stmt.Effect e -> { }
      }
    }

    /** Keeps the shapes both sides agree on. */
    void merge(Map<String, SymShape> other) {
      env.entrySet().removeIf(e -> {
        SymShape o = other.get(e.getKey());
        return o == null ? false : !u.resolve(o).equals(u.resolve(e.getValue()));
      });
    }

    /** {@code got} must be {@code want} (same rank, each size equated). */
    void conform(SymShape got, SymShape want, Origin o, String template) {
      if (!got.known() || !want.known()) {
        return;
      }
      SymShape g = u.resolve(got);
      SymShape w = u.resolve(want);
      try {
        if (got.rank() != want.rank()) {
          throw new ShapeError(String.format(template, g, w));
        }
        for (int d = 0; d < got.rank(); d++) {
          // the wanted side first: a callee's renamed symbol binds to the caller's size, not the other way
          u.equal(want.dim(d), got.dim(d), () -> String.format(template, g, w));
        }
      } catch (ShapeError e) {
        mismatch(o, e.getMessage());
      }
    }

    void mismatch(Origin o, String text) {
      Site site = site(o);
      String where = o.position() + ": " + statement(o);
      if (site != null) {
        report.add(Message.SHAPE_MISMATCH, site, where, text, "shapes in []: sizes, symbols, _ unknown");
      }
    }

    SymShape shapeOf(Operand o) {
      return o instanceof Var v ? env.getOrDefault(v.name(), SymShape.UNKNOWN) : SymShape.UNKNOWN;
    }

    /** The value an operand contributes to a shape function. */
    Object arg(Operand o) {
      Type t = o.type();
      if (o instanceof Var v) {
        return switch (t.kind()) {
          case TENSOR -> env.getOrDefault(v.name(), SymShape.UNKNOWN);
          case INT, LONG -> ints.get(v.name());
          case DOUBLE, FLOAT -> 0.0;
          default -> t.spelling().equals("int[]") ? arrays.get(v.name()) : modules.get(v.name());
        };
      }
      Const c = (Const) o;
      if (!c.owner().isEmpty()) {
        return constantField(c);
      }
      return switch (t.kind()) {
        case INT, LONG -> ConstantFolder.parseLong(c.source());
        case BOOLEAN -> Boolean.parseBoolean(c.source());
        case DOUBLE, FLOAT -> 0.0;
        default -> c.source().startsWith("\"") && c.source().endsWith("\"") && c.source().length() >= 2
            ? c.source().substring(1, c.source().length() - 1) : ConstantFolder.parseIntArray(c.source());
      };
    }

    Object constantField(Const c) {
      TypeElement owner = elements.getTypeElement(c.owner());
      if (owner == null) {
        return null;
      }
      for (VariableElement v : ElementFilter.fieldsIn(owner.getEnclosedElements())) {
        if (v.getSimpleName().contentEquals(c.source()) && v.getConstantValue() == null
            && v.asType().toString().equals("int[]") && v.getModifiers().contains(Modifier.FINAL)) {
          // a static final int[] compiled here: its initializer's constants (the array could be written to at run
          // time; a program that does so is checked against the initializer, and never gets a different gradient)
          String source = trees.getTree(v) instanceof VariableTree vt
              && vt.getInitializer() instanceof com.sun.source.tree.NewArrayTree na
              ? ConstantFolder.intArray(na) : null;
          return source == null ? null : ConstantFolder.parseIntArray(source);
        }
        if (v.getSimpleName().contentEquals(c.source()) && v.getConstantValue() != null) {
          Object k = v.getConstantValue();
          return k instanceof Integer i ? Long.valueOf(i) : k instanceof Long l ? l : k instanceof String s ? s
              : k instanceof Boolean b ? b : null;
        }
      }
      return null;
    }

    Object op(Stmt.Assign a) {
      Op op = a.op();
      switch (op) {
        case Op.Copy c -> {
          return c.operand().type().kind() == Type.Kind.TENSOR ? shapeOf(c.operand()) : arg(c.operand());
        }
        case Op.Neg n -> {
          return arg(n.operand()) instanceof Long l ? -l : null;
        }
        case Op.Arith ar -> {
          if (arg(ar.left()) instanceof Long x && arg(ar.right()) instanceof Long y) {
            return switch (ar.op()) {
              case '+' -> x + y;
              case '-' -> x - y;
              case '*' -> x * y;
              case '/' -> y == 0 ? null : x / y;
              default -> null;
            };
          }
          return null;
        }
        case Op.Cast c -> {
          return arg(c.operand()) instanceof Long l && (c.to().kind() == Type.Kind.INT
              || c.to().kind() == Type.Kind.LONG) ? l : null;
        }
        case Op.Call c -> {
          return call(a, c);
        }
        default -> {
          return null;
        }
      }
    }

    Object call(Stmt.Assign a, Op.Call c) {
      switch (c.callee()) {
        case Callee.Primitive p -> {
          String owner = p.owner().substring(p.owner().lastIndexOf('.') + 1);
          Optional<ShapeRules.ShapeFn> fn = ShapeRules.of(owner, p.method());
          if (fn.isEmpty()) {
            return null;
          }
          List<Object> args = new ArrayList<>();
          for (Operand o : c.inputs()) {
            args.add(arg(o));
          }
          try {
            return fn.get().apply(u, args);
          } catch (ShapeError e) {
            mismatch(a.origin(), e.getMessage());
            return null;
          }
        }
        case Callee.Differentiable d -> {
          return callee(a, c, d.owner(), d.method(), c.args()).orElse(null);
        }
        case Callee.WithRule w -> {
          if (a.target().type().kind() != Type.Kind.TENSOR) {
            return null;
          }
          Optional<SymShape> out = callee(a, c, w.owner(), w.method(), c.inputs());
          if (out.isEmpty()) {
            // no @Shape on the result: the method's own body, when its source is here, gives it
            out = bodyShape(a, c, w);
          }
          backward(a, c, w, out.orElse(SymShape.UNKNOWN));
          return out.orElse(null);
        }
        case Callee.Passive p when p.owner().equals("dev.adjoint.Tensor") && COMPARISONS.contains(p.method())
            && c.inputs().size() == 2 -> {
          // a mask: not differentiated, but its shape is the broadcast (where() and the tape report read it)
          try {
            return c.inputs().get(1).type().kind() == Type.Kind.TENSOR
                ? ShapeRules.broadcast(u, shapeOf(c.inputs().get(0)), shapeOf(c.inputs().get(1)), p.method())
                : shapeOf(c.inputs().get(0));
          } catch (ShapeError e) {
            mismatch(a.origin(), e.getMessage());
            return null;
          }
        }
        case Callee.Passive p when p.owner().equals("dev.adjoint.nn.Dropout") && p.method().equals("mask")
            || p.owner().equals("dev.adjoint.nn.F") && p.method().equals("dropoutMask") -> {
          // a dropout mask: the input's shape in training (a 0-d one otherwise, which broadcasts to it)
          return c.inputs().stream().filter(o -> o.type().kind() == Type.Kind.TENSOR).findFirst()
              .map(this::shapeOf).orElse(null);
        }
        default -> {
          return null;
        }
      }
    }

    Optional<ExecutableElement> method(String owner, String name, int arity) {
      TypeElement t = elements.getTypeElement(owner);
      if (t == null) {
        return Optional.empty();
      }
      return ElementFilter.methodsIn(t.getEnclosedElements()).stream()
          .filter(e -> e.getSimpleName().contentEquals(name) && e.getParameters().size() == arity).findFirst();
    }

    /**
     * A call of a method with {@code @Shape}s: its symbols renamed for this call ({@code B_1}), each argument
     * equated with its parameter's shape; the result's shape, if declared.
     */
    Optional<SymShape> callee(Stmt.Assign a, Op.Call c, String owner, String name, List<Operand> args) {
      Optional<ExecutableElement> m = method(owner, name, args.size());
      if (m.isEmpty()) {
        return Optional.empty();
      }
      ExecutableElement e = m.get();
      String suffix = "_" + (++calls);
      for (int i = 0; i < args.size(); i++) {
        VariableElement p = e.getParameters().get(i);
        String text = shapeText(p);
        if (text == null) {
          continue;
        }
        annotated = true;
        SymShape want = rename(SymShape.parse(text), suffix);
        String label = owner.substring(owner.lastIndexOf('.') + 1) + "." + name + " expects parameter " + (i + 1)
            + ", " + p.getSimpleName() + ", to be @Shape(\"" + text + "\"), got %1$s";
        conform(shapeOf(args.get(i)), want, a.origin(), label);
      }
      String text = shapeText(e);
      if (text == null) {
        return Optional.empty();
      }
      annotated = true;
      return Optional.of(u.resolve(rename(SymShape.parse(text), suffix)));
    }

    SymShape rename(SymShape s, String suffix) {
      if (!s.known()) {
        return s;
      }
      List<Dim> out = new ArrayList<>();
      for (Dim d : s.dims()) {
        Map<String, Dim> fresh = new HashMap<>();
        d.symbols().forEach(x -> fresh.put(x, Dim.sym(x + suffix)));
        out.add(d.substitute(fresh));
      }
      return new SymShape(out);
    }

    /**
     * The shape of a call of a static method with {@code @Derivative} rules but no {@code @Shape} on its result:
     * its body (when the source is in this compilation) run here with the parameters shaped as the arguments, the
     * shape of what it returns; a mismatch inside is reported at the call. Empty when unknown.
     */
    Optional<SymShape> bodyShape(Stmt.Assign a, Op.Call c, Callee.WithRule w) {
      Optional<ExecutableElement> m = method(w.owner(), w.method(), c.inputs().size());
      if (m.isEmpty() || !m.get().getModifiers().contains(javax.lang.model.element.Modifier.STATIC)
          || nested >= MAX_NESTED) {
        return Optional.empty();
      }
      Optional<Function> body;
      try {
        body = lowering.lower(m.get());
      } catch (RuntimeException e) {
        body = Optional.empty();
      }
      if (body.isEmpty()) {
        return Optional.empty();
      }
      Function pf = body.get();
      Run inner = new Run(new ValidationReport(m.get()));
      inner.nested = nested + 1;
      for (int i = 0; i < pf.params().size() && i < c.inputs().size(); i++) {
        SymShape in = c.inputs().get(i).type().kind() == Type.Kind.TENSOR ? shapeOf(c.inputs().get(i))
            : SymShape.UNKNOWN;
        if (in.known()) {
          inner.env.put(pf.params().get(i).var().name(), u.resolve(in));
        }
      }
      inner.block(pf.body().stmts(), SymShape.UNKNOWN);
      String name = w.owner().substring(w.owner().lastIndexOf('.') + 1) + "." + w.method();
      for (ValidationReport.Problem p : inner.report.problems()) {
        if (p.message() == Message.SHAPE_MISMATCH) {
          mismatch(a.origin(), "in " + name + ": " + p.text());
        }
      }
      Operand ret = null;
      for (Stmt st : Stmt.flatten(pf.body().stmts())) {
        if (st instanceof Stmt.Return r) {
          ret = r.value();
        }
      }
      SymShape shape = ret == null ? SymShape.UNKNOWN : inner.u.resolve(inner.shapeOf(ret));
      return shape.known() ? Optional.of(shape) : Optional.empty();
    }

    /**
     * A gradient of shape {@code got} for an input of shape {@code want}, as PyTorch's engine takes it: the input's
     * shape, or a shape the input broadcasts to (summed back at run time, {@code Adjoints.fromRule}); anything else
     * is a mismatch at the user's call.
     */
    void summable(SymShape got, SymShape want, Origin o, String template) {
      if (!got.known() || !want.known()) {
        return;
      }
      SymShape g = u.resolve(got);
      SymShape w = u.resolve(want);
      try {
        if (w.rank() > g.rank()) {
          throw new ShapeError(String.format(template, g, w));
        }
        int lead = g.rank() - w.rank();
        for (int d = 0; d < w.rank(); d++) {
          Dim wd = w.dim(d);
          if (wd.constant() && wd.coeff() == 1) {
            continue; // the input was broadcast along this dimension: the gradient sums back over it
          }
          u.equal(wd, g.dim(lead + d), () -> String.format(template, g, w));
        }
      } catch (ShapeError e) {
        mismatch(o, e.getMessage());
      }
    }

    /**
     * The generated backward calls the user's rules: each rule's body runs here with {@code g} and {@code out}
     * shaped as the result and the inputs as the arguments; the gradient it returns for an input must have that
     * input's shape or one the input broadcasts to ({@link #summable}).
     */
    void backward(Stmt.Assign a, Op.Call c, Callee.WithRule w, SymShape out) {
      List<Operand> inputs = c.inputs();
      for (Callee.Rule rule : w.rules()) {
        Optional<ExecutableElement> re = method(rule.owner(), rule.method(), inputs.size() + 2);
        if (re.isEmpty() || rule.returns().kind() != Type.Kind.TENSOR && !rule.returnsGrads()) {
          continue;
        }
        Optional<Function> body;
        try {
          body = lowering.lower(re.get());
        } catch (RuntimeException e) {
          body = Optional.empty();
        }
        if (body.isEmpty()) {
          continue;
        }
        Function rf = body.get();
        Run inner = new Run(new ValidationReport(re.get()));
        inner.nested = nested + 1;
        List<SymShape> bound = new ArrayList<>();
        bound.add(out);
        bound.add(out);
        for (Operand o : inputs) {
          bound.add(o.type().kind() == Type.Kind.TENSOR ? shapeOf(o) : SymShape.UNKNOWN);
        }
        for (int i = 0; i < rf.params().size() && i < bound.size(); i++) {
          if (bound.get(i).known()) {
            inner.env.put(rf.params().get(i).var().name(), u.resolve(bound.get(i)));
          }
        }
        inner.block(rf.body().stmts(), SymShape.UNKNOWN);
        String ruleName = rule.owner().substring(rule.owner().lastIndexOf('.') + 1) + "." + rule.method();
        for (ValidationReport.Problem p : inner.report.problems()) {
          if (p.message() == Message.SHAPE_MISMATCH) {
            mismatch(a.origin(), "in the backward, rule " + ruleName + ": " + p.text());
          }
        }
        List<Operand> grads = returned(rf, rule);
        for (int i = 0; i < grads.size() && i < inputs.size(); i++) {
          Operand gi = grads.get(i);
          if (gi == null || inputs.get(i).type().kind() != Type.Kind.TENSOR) {
            continue;
          }
          SymShape got = inner.shapeOf(gi);
          SymShape want = shapeOf(inputs.get(i));
          String input = inputs.get(i) instanceof Var v ? v.name() : inputs.get(i).toString();
          String param = rule.param(i);
          String names = param.equals(input) ? input : param + " (argument " + input + ")";
          summable(got, want, a.origin(), "in the backward, rule " + ruleName + " returns a gradient of shape %s for "
              + names + ", whose shape is %s: a gradient must have its input's shape, or one the input broadcasts to"
              + " (summed back as PyTorch does)");
        }
      }
    }

    /** The gradients a rule returns, one per input ({@code null} where not a tensor). */
    List<Operand> returned(Function rf, Callee.Rule rule) {
      Operand ret = null;
      Map<String, Op> defs = new HashMap<>();
      for (Stmt s : Stmt.flatten(rf.body().stmts())) {
        if (s instanceof Stmt.Return r) {
          ret = r.value();
        } else if (s instanceof Stmt.Assign x) {
          defs.put(x.target().name(), x.op());
        }
      }
      if (ret == null) {
        return List.of();
      }
      List<Operand> out = new ArrayList<>();
      if (!rule.returnsGrads()) {
        for (int i = 0; i < Math.max(rule.wrt(), 0); i++) {
          out.add(null);
        }
        out.add(ret);
        return out;
      }
      if (ret instanceof Var v && defs.get(v.name()) instanceof Op.Call call && call.callee().method().equals("of")) {
        return call.args();
      }
      return List.of();
    }

    /** Turns the equations added since {@code before} into entry checks. */
    void constraints(int before, Origin o) {
      List<Unifier.Constraint> all = u.constraints();
      for (int k = before; k < all.size(); k++) {
        Unifier.Constraint c = all.get(k);
        Map<String, Home> used = new LinkedHashMap<>();
        String left = render(c.left(), used);
        String right = render(c.right(), used);
        if (left == null || right == null) {
          continue;
        }
        String condition = left + " == " + right;
        if (!seenChecks.add(condition)) {
          continue;
        }
        List<String> decls = new ArrayList<>();
        List<String> reads = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (Home h : used.values()) {
          if (names.add(h.name())) {
            decls.add(h.name() + " " + h.declared());
            reads.add(h.name());
            reads.add(h.expr());
          }
        }
        checks.add(new EntryCheck(condition, o.position() + ": " + statement(o) + " needs " + c + " ("
            + String.join(", ", decls) + ")", reads));
      }
    }

    /** A size as Java over the inputs' shapes, or {@code null} if a symbol has no input to read it from. */
    String render(Dim d, Map<String, Home> used) {
      if (!d.known()) {
        return null;
      }
      List<String> factors = new ArrayList<>();
      if (d.coeff() != 1 || d.symbols().isEmpty()) {
        factors.add(Long.toString(d.coeff()));
      }
      for (String s : d.symbols()) {
        Home h = homes.get(s);
        if (h == null) {
          return null;
        }
        used.put(s, h);
        factors.add(h.expr() + ".shape()[" + h.dim() + "]");
      }
      return String.join(" * ", factors);
    }
  }
}
