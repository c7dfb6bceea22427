package dev.adjoint.processor.front;

import com.sun.source.tree.AssignmentTree;
import com.sun.source.tree.BinaryTree;
import com.sun.source.tree.BlockTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.CompoundAssignmentTree;
import com.sun.source.tree.ExpressionStatementTree;
import com.sun.source.tree.ExpressionTree;
import com.sun.source.tree.IdentifierTree;
import com.sun.source.tree.LiteralTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.MethodInvocationTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ParenthesizedTree;
import com.sun.source.tree.ReturnTree;
import com.sun.source.tree.StatementTree;
import com.sun.source.tree.Tree;
import com.sun.source.tree.TypeCastTree;
import com.sun.source.tree.UnaryTree;
import com.sun.source.tree.VariableTree;
import com.sun.source.util.SourcePositions;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreeScanner;
import com.sun.source.util.Trees;
import dev.adjoint.processor.diag.Message;
import dev.adjoint.processor.diag.Site;
import dev.adjoint.processor.ir.Block;
import dev.adjoint.processor.ir.Callee;
import dev.adjoint.processor.ir.Cond;
import dev.adjoint.processor.ir.Const;
import dev.adjoint.processor.ir.Function;
import dev.adjoint.processor.ir.Input;
import dev.adjoint.processor.ir.Op;
import dev.adjoint.processor.ir.Operand;
import dev.adjoint.processor.ir.Origin;
import dev.adjoint.processor.ir.Stmt;
import dev.adjoint.processor.ir.Type;
import dev.adjoint.processor.ir.Var;
import dev.adjoint.processor.meta.DerivativeMetadata;
import dev.adjoint.processor.meta.MetadataReader;
import dev.adjoint.processor.rules.RuleCatalog;
import dev.adjoint.processor.diag.ValidationReport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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

/**
 * Stage 1 (parse) and 3 (model): reads one {@code @Differentiable} method body through the
 * {@code com.sun.source} Trees API and lowers it to ANF IR, resolving the types the subset needs
 * itself (no attribution; see {@link TypeResolver}). Every construct outside the subset is added to
 * the {@link ValidationReport} at its exact tree and lowering continues, so one compile shows every
 * problem.
 */
public final class BodyReader {
  /** Looks up the IR of another {@code @Differentiable} method of this compilation (for composition). */
  public interface Models {
    /** The callee's IR, if its source is in this compilation and it lowered cleanly. */
    Optional<Function> model(ExecutableElement callee);
  }

  private final Trees trees;
  private final TypeResolver resolver;
  private final RuleCatalog catalog;
  private final Models models;
  private final MetadataReader metadata;
  private final javax.lang.model.util.Types types;

  /**
   * A reader using the compiler's trees, the resolver, the rule catalogue, the other models of this
   * compilation and the metadata of classes compiled elsewhere.
   */
  public BodyReader(Trees trees, TypeResolver resolver, RuleCatalog catalog, Models models,
      MetadataReader metadata, javax.lang.model.util.Types types) {
    this.trees = trees;
    this.resolver = resolver;
    this.catalog = catalog;
    this.models = models;
    this.metadata = metadata;
    this.types = types;
  }

  /** Lowers {@code method}; problems go to {@code report}. Empty if the method has no source tree. */
  public Optional<Function> read(ExecutableElement method, ValidationReport report) {
    TreePath path = trees.getPath(method);
    if (path == null) {
      return Optional.empty();
    }
    return Optional.of(new Reader(method, path, report).lower());
  }

  /**
   * What a caller needs to compose {@code m} (its derivative metadata, without what its pullback saves):
   * the gradient component of each differentiated parameter, the object's differentiated fields from
   * {@code model} (instance methods), and whether its pullback has {@code saved()}. Calls within one
   * compilation and the metadata written for other compilations both come from here, so both compose
   * alike.
   */
  public DerivativeMetadata.Method signature(ExecutableElement m, Optional<Function> model) {
    List<String> wrt = wrtOf(m);
    List<String> gradients = new ArrayList<>();
    boolean tensorInput = false;
    for (VariableElement p : m.getParameters()) {
      Type t = resolver.typeOf(p.asType());
      String n = p.getSimpleName().toString();
      boolean differentiated = t.differentiable() && (wrt.isEmpty() || wrt.contains(n));
      gradients.add(differentiated ? n : "");
      tensorInput |= differentiated && (t.kind() == Type.Kind.TENSOR || t.isTensorArray());
    }
    List<DerivativeMetadata.Field> fields = new ArrayList<>();
    for (Input f : model.map(Function::fields).orElse(List.of())) {
      if (f.wrt()) {
        tensorInput |= f.var().type().kind() == Type.Kind.TENSOR;
        fields.add(new DerivativeMetadata.Field(f.name(), f.component()));
      }
    }
    // the pullback has saved() when there is a tracked forward: a Tensor result and a Tensor input
    boolean tracked = resolver.typeOf(m.getReturnType()).kind() == Type.Kind.TENSOR && tensorInput;
    return new DerivativeMetadata.Method(m.getSimpleName().toString(), MetadataReader.parameters(m, types),
        m.getModifiers().contains(Modifier.STATIC), List.copyOf(gradients), List.copyOf(fields), tracked, List.of(),
        "none");
  }

  /** The names of {@code @Differentiable(wrt = ...)}, empty for "every differentiable parameter". */
  public static List<String> wrtOf(ExecutableElement method) {
    AnnotationMirror m = RuleCatalog.mirror(method, RuleCatalog.DIFFERENTIABLE);
    List<String> names = new ArrayList<>();
    if (m == null) {
      return names;
    }
    for (var e : m.getElementValues().entrySet()) {
      if (e.getKey().getSimpleName().contentEquals("wrt")) {
        @SuppressWarnings("unchecked")
        var values = (List<? extends AnnotationValue>) e.getValue().getValue();
        for (AnnotationValue v : values) {
          names.add((String) v.getValue());
        }
      }
    }
    return names;
  }

  /** The generated companion's simple name: {@code ThermometerDiff}, nested {@code Outer_InnerDiff}. */
  public static String companionName(TypeElement type) {
    StringBuilder sb = new StringBuilder(type.getSimpleName());
    for (var e = type.getEnclosingElement(); e instanceof TypeElement te; e = te.getEnclosingElement()) {
      sb.insert(0, te.getSimpleName() + "_");
    }
    return sb.append("Diff").toString();
  }

  /** The package of a type. */
  public static String packageOf(TypeElement type) {
    var e = type.getEnclosingElement();
    while (!(e instanceof javax.lang.model.element.PackageElement)) {
      e = e.getEnclosingElement();
    }
    return ((javax.lang.model.element.PackageElement) e).getQualifiedName().toString();
  }

  /**
   * Tensor methods whose result carries no gradient by definition: {@code detach}, comparison masks
   * and indices (PyTorch's derivative of a comparison is zero; its result does not require grad), and
   * the factories that read only a tensor's shape and dtype ({@code zerosLike}, {@code onesLike}:
   * {@code torch.zeros_like} is not differentiable either), so that an accumulator started from them is a
   * constant, as {@code Tensor.zeros(3)} is.
   */
  static final Set<String> CONSTANT_RESULTS = Set.of("detach", "gt", "lt", "ge", "le", "eq", "ne", "argmax",
      "argmin", "argsort", "sign", "isnan", "isinf", "isfinite", "logicalNot", "logicalAnd", "logicalOr",
      "zerosLike", "onesLike");

  /**
   * Tensor methods whose result may share storage with their receiver (views in PyTorch): a local
   * made by one of them is an alias, so an in-place operation on it cannot be rewritten out of place.
   */
  static final Set<String> VIEWS = Set.of("detach", "reshape", "view", "viewAs", "t", "transpose", "permute",
      "slice", "select", "narrow", "expand", "expandAs", "squeeze", "unsqueeze", "flatten", "unflatten",
      "diagonal", "chunk", "split", "unbind", "contiguous", "real", "imag", "asStrided", "mT");

  /**
   * Names of the generated scaffolding (records, loops); user variables so named are renamed. {@code n} and
   * {@code i} are not among them: the fused loop's count and index yield to a user's {@code n} or {@code i}
   * instead (a counted loop's {@code i} keeps its spelling in the generated code).
   */
  static final Set<String> RESERVED = Set.of("value", "self", "dOut", "pullback", "grad", "gradient", "noGrad",
      "g", "d", "sum", "first", "backward", "saved", "inputs");

  /** The per-method lowering state. */
  private final class Reader {
    private final ExecutableElement method;
    private final TypeElement enclosing;
    private final CompilationUnitTree unit;
    private final MethodTree tree;
    private final ValidationReport report;
    private final SourcePositions positions;
    private final CharSequence source;
    private final String file;
    private final Map<String, Var> scope = new HashMap<>();
    private final Set<String> names = new HashSet<>();
    private final Map<String, Integer> counters = new HashMap<>();
    private List<Stmt> out = new ArrayList<>();
    /** Variables assigned in place (user variables assigned inside an if or a loop). */
    private final Set<String> mutable = new HashSet<>();
    /** How many if/loop statements enclose the statement being lowered. */
    private int depth;
    private final List<Input> params = new ArrayList<>();
    private final Map<String, Input> fields = new LinkedHashMap<>();
    private final boolean isStatic;
    private Origin origin;

    Reader(ExecutableElement method, TreePath path, ValidationReport report) {
      this.method = method;
      this.enclosing = (TypeElement) method.getEnclosingElement();
      this.unit = path.getCompilationUnit();
      this.tree = (MethodTree) path.getLeaf();
      this.report = report;
      this.positions = trees.getSourcePositions();
      this.isStatic = method.getModifiers().contains(Modifier.STATIC);
      CharSequence src;
      try {
        src = unit.getSourceFile().getCharContent(true);
      } catch (IOException e) {
        src = "";
      }
      this.source = src;
      String uri = unit.getSourceFile().getName();
      this.file = uri.substring(Math.max(uri.lastIndexOf('/'), uri.lastIndexOf('\\')) + 1);
    }

    Function lower() {
      // reserve every user name first so temporaries never clash with a later declaration
      new TreeScanner<Void, Void>() {
        @Override
        public Void visitVariable(VariableTree v, Void p) {
          names.add(v.getName().toString());
          return super.visitVariable(v, p);
        }
      }.scan(tree, null);
      Origin decl = originOf(tree);
      List<String> wrt = wrtOf(method);
      // names the generated code uses for itself: a user variable with one of them is renamed
      for (String r : RESERVED) {
        defined.add(r);
        names.add(r);
      }
      for (VariableElement p : method.getParameters()) {
        String name = p.getSimpleName().toString();
        Type t = resolver.typeOf(p.asType());
        Tree ptree = trees.getTree(p);
        Site site = new Site(unit, ptree == null ? tree : ptree);
        boolean refused = true;
        if (t.spelling().equals("double[]") || t.spelling().equals("float[]")) {
          boolean dbl = t.spelling().equals("double[]");
          report.add(Message.NUMBER_ARRAY, site, "parameter '" + name + "'", t,
              dbl ? "Tensor.of(Tensor.DType.FLOAT64, " + name + ")" : "Tensor.of(" + name + ")",
              dbl ? "double" : "float", dbl ? "double" : "float");
        } else if (!supportedParameterType(t)) {
          report.add(Message.UNSUPPORTED_TYPE, site, "parameter '" + name + "'", t);
        } else {
          refused = false;
        }
        Var v = new Var(RESERVED.contains(name) ? freshUserName(name) : name, t);
        // a refused parameter's uses report nothing more: one message per root cause
        scope.put(name, refused ? new Var(v.name(), Type.ERROR) : v);
        names.add(name);
        boolean isWrt = t.differentiable() && (wrt.isEmpty() || wrt.contains(name));
        params.add(new Input(name, v, Input.Kind.PARAMETER, isWrt, name, site));
      }
      origin = decl;
      if (tree.getBody() != null) {
        if (hasEarlyReturn(tree.getBody())) {
          returned = temp("returned", Type.BOOLEAN);
          mutable.add(returned.name());
          out.add(new Stmt.Assign(returned, new Op.Copy(Const.literal("false", Type.BOOLEAN)), origin));
          result = new Var(freshUserName("result"), resolver.typeOf(method.getReturnType()));
          mutable.add(result.name());
        }
        statements(tree.getBody().getStatements());
        if (result != null) {
          out.add(new Stmt.Return(result, origin));
        } else if (out.stream().noneMatch(st -> st instanceof Stmt.Return)) {
          // the body always throws: the generated code still needs a value after the raise
          Type r = resolver.typeOf(method.getReturnType());
          out.add(new Stmt.Return(zero(r), origin));
        }
      }
      Type ret = resolver.typeOf(method.getReturnType());
      return new Function(packageOf(enclosing), enclosing.getSimpleName().toString(),
          enclosing.getQualifiedName().toString(), method.getSimpleName().toString(), isStatic,
          List.copyOf(params), List.copyOf(fields.values()), ret, new Block(out), decl);
    }

    private boolean supportedParameterType(Type t) {
      if (t.isTensorArray()) {
        return true;
      }
      if (t.kind() != Type.Kind.OTHER) {
        return t.kind() != Type.Kind.ERROR;
      }
      return !holdsNumbersDirectly(t);
    }

    /** The types whose values carry gradients, as a type's spelling names them (qualified or not). */
    private static final Set<String> VALUE_TYPES = Set.of("double", "float", "Double", "java.lang.Double", "Float",
        "java.lang.Float", "Tensor", "dev.adjoint.Tensor");

    /**
     * Whether a type (other than {@code Tensor}, the numbers and {@code Tensor[]}) holds differentiable values
     * that the generated code could not give a gradient: an array of {@code double}, {@code float} or tensors
     * ({@code double[]}, {@code Tensor[][]}), a boxed {@code Double}/{@code Float}, or a generic type with such an
     * argument ({@code List<Tensor>}, {@code Optional<Double>}). Decided by the types the spelling names, not by
     * substrings: a {@code record TensorPair(Tensor a, Tensor b)} or a {@code class FloatBox} is an object, whose
     * values, when read, are followed or refused ({@code [Adjoint/LostGradient]}).
     */
    private static boolean holdsNumbersDirectly(Type t) {
      for (String token : t.spelling().split("[^A-Za-z0-9_$.]+")) {
        if (VALUE_TYPES.contains(token)) {
          return true;
        }
      }
      return false;
    }

    // ------------------------------------------------------------------------------------------
    // statements

    private void statement(StatementTree s) {
      origin = originOf(s);
      switch (s.getKind()) {
        case VARIABLE -> declaration((VariableTree) s);
        case EXPRESSION_STATEMENT -> expressionStatement(((ExpressionStatementTree) s).getExpression());
        case RETURN -> returnStatement((ReturnTree) s);
        case BLOCK -> statements(((BlockTree) s).getStatements());
        case BREAK -> exit((com.sun.source.tree.BreakTree) s, true);
        case CONTINUE -> exit((com.sun.source.tree.ContinueTree) s, false);
        case LABELED_STATEMENT -> {
          var l = (com.sun.source.tree.LabeledStatementTree) s;
          Tree.Kind k = l.getStatement().getKind();
          if (k == Tree.Kind.FOR_LOOP || k == Tree.Kind.WHILE_LOOP || k == Tree.Kind.DO_WHILE_LOOP
              || k == Tree.Kind.ENHANCED_FOR_LOOP) {
            label = l.getLabel().toString();
            statement(l.getStatement());
          } else {
            report.add(Message.UNSUPPORTED_STATEMENT, site(s), "labeled (other than loops)");
          }
        }
        case EMPTY_STATEMENT -> { }
        case IF -> ifStatement((com.sun.source.tree.IfTree) s);
        case SWITCH -> switchStatement((com.sun.source.tree.SwitchTree) s);
        case THROW -> throwStatement((com.sun.source.tree.ThrowTree) s);
        case ASSERT -> assertStatement((com.sun.source.tree.AssertTree) s);
        case FOR_LOOP -> forLoop((com.sun.source.tree.ForLoopTree) s);
        case ENHANCED_FOR_LOOP -> forEach((com.sun.source.tree.EnhancedForLoopTree) s);
        case WHILE_LOOP -> whileLoop((com.sun.source.tree.WhileLoopTree) s);
        case DO_WHILE_LOOP -> doWhileLoop((com.sun.source.tree.DoWhileLoopTree) s);
        default -> report.add(Message.UNSUPPORTED_STATEMENT, site(s), statementName(s.getKind()));
      }
    }

    private String statementName(Tree.Kind kind) {
      return switch (kind) {
        case IF -> "'if'";
        case FOR_LOOP -> "'for'";
        case ENHANCED_FOR_LOOP -> "for-each";
        case WHILE_LOOP -> "'while'";
        case DO_WHILE_LOOP -> "'do'-'while'";
        case SWITCH -> "'switch'";
        case TRY -> "'try'";
        case THROW -> "'throw'";
        case SYNCHRONIZED -> "'synchronized'";
        case LABELED_STATEMENT -> "labeled";
        case BREAK -> "'break'";
        case CONTINUE -> "'continue'";
        case ASSERT -> "'assert'";
        case CLASS, RECORD, ENUM, INTERFACE -> "local class";
        case YIELD -> "'yield'";
        default -> kind.toString().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
      };
    }

    // ------------------------------------------------------------------------------------------
    // control flow

    private static final Block EMPTY = new Block(List.of());

    /** A loop being lowered: its label and its exit flags, created by the first break or continue. */
    private static final class LoopContext {
      final String label;
      Var broke;
      Var continued;
      /** The exit flags raised outside the loop, set aside while its body is lowered. */
      Set<Var> outerRaised;

      LoopContext(String label) {
        this.label = label;
      }
    }

    private final java.util.ArrayDeque<LoopContext> loops = new java.util.ArrayDeque<>();
    /** Exit flags set by a break, continue or return lowered so far and not yet consumed by their loop. */
    private final Set<Var> pending = new java.util.LinkedHashSet<>();
    /**
     * Exit flags set by the statement being lowered (and its parts). A statement after which one of
     * them is still pending may have left its block, so the rest of the block is guarded by it, even
     * if an earlier statement already set the same flag (every exit guards what follows it).
     */
    private Set<Var> raised = new java.util.LinkedHashSet<>();
    private String label;
    private Var returned;
    private Var result;

    /**
     * Lowers a statement list. break, continue and an early return become flags (a standard lowering
     * that keeps the reverse mechanical): after a statement that may set one, the rest of the list runs
     * under {@code if (!flag)}, which the forward records like any branch.
     */
    private void statements(List<? extends StatementTree> list) {
      for (int i = 0; i < list.size(); i++) {
        Set<Var> outerRaised = raised;
        raised = new java.util.LinkedHashSet<>();
        statement(list.get(i));
        Set<Var> mayExit = new java.util.LinkedHashSet<>(raised);
        outerRaised.addAll(raised);
        raised = outerRaised;
        mayExit.retainAll(pending);
        if (i + 1 < list.size() && !mayExit.isEmpty()) {
          List<? extends StatementTree> rest = list.subList(i + 1, list.size());
          Cond guard = noneOf(mayExit);
          Origin o = originOf(rest.get(0));
          origin = o;
          for (StatementTree r : rest) {
            makeMutable(r, Set.of());
          }
          List<Stmt> outer = out;
          out = new ArrayList<>();
          Set<String> keys = new HashSet<>(scope.keySet());
          depth++;
          statements(rest);
          depth--;
          scope.keySet().retainAll(keys);
          Block b = new Block(out);
          out = outer;
          out.add(new Stmt.If(guard, b, EMPTY, new Origin(o.file(), o.line(), "after an exit: " + o.statement(),
              o.site())));
          return;
        }
      }
    }

    /** {@code !(f1 || f2 ...)}. */
    private Cond noneOf(Set<Var> flags) {
      Cond any = null;
      for (Var f : flags) {
        Cond v = new Cond.Value(f);
        any = any == null ? v : new Cond.Logic(false, any, v);
      }
      return new Cond.Not(any);
    }

    private void exit(Tree t, boolean isBreak) {
      var name = isBreak ? ((com.sun.source.tree.BreakTree) t).getLabel()
          : ((com.sun.source.tree.ContinueTree) t).getLabel();
      LoopContext target = null;
      for (LoopContext c : loops) {
        if (name == null || name.contentEquals(String.valueOf(c.label))) {
          target = c;
          break;
        }
      }
      if (target == null) {
        report.add(Message.UNSUPPORTED_STATEMENT, site(t), (isBreak ? "'break'" : "'continue'") + " (outside a loop)");
        return;
      }
      Var flag;
      if (isBreak) {
        if (target.broke == null) {
          target.broke = temp("broke", Type.BOOLEAN);
          mutable.add(target.broke.name());
        }
        flag = target.broke;
      } else {
        if (target.continued == null) {
          target.continued = temp("continued", Type.BOOLEAN);
          mutable.add(target.continued.name());
        }
        flag = target.continued;
      }
      out.add(new Stmt.Assign(flag, new Op.Copy(Const.literal("true", Type.BOOLEAN)), origin));
      pending.add(flag);
      raised.add(flag);
    }

    private boolean hasEarlyReturn(BlockTree body) {
      boolean[] found = {false};
      new TreeScanner<Void, Integer>() {
        @Override
        public Void scan(Tree t, Integer nesting) {
          if (t == null) {
            return null;
          }
          int n = nesting;
          switch (t.getKind()) {
            case RETURN -> found[0] |= n > 0;
            case IF, FOR_LOOP, WHILE_LOOP, DO_WHILE_LOOP, ENHANCED_FOR_LOOP, LABELED_STATEMENT, SWITCH,
                SWITCH_EXPRESSION -> n++;
            case LAMBDA_EXPRESSION, CLASS -> {
              return null;
            }
            default -> { }
          }
          return super.scan(t, n);
        }
      }.scan(body, 0);
      return found[0];
    }

    /** Starts a loop: its context (label, flags) and the exits lowered so far. */
    private LoopContext enterLoop() {
      LoopContext c = new LoopContext(label);
      c.outerRaised = raised;
      raised = new java.util.LinkedHashSet<>();
      label = null;
      loops.push(c);
      return c;
    }

    /**
     * Ends a loop: a continue flag is cleared at the top of each iteration; a break (or an exit to an
     * outer loop or a return) stops the loop through its condition and skips the update.
     */
    private Stmt.Loop exitLoop(LoopContext c, Stmt.Loop l) {
      loops.pop();
      Set<Var> exits = new java.util.LinkedHashSet<>(raised);
      exits.retainAll(pending);
      exits.remove(c.continued);
      c.outerRaised.addAll(raised);
      raised = c.outerRaised;
      Block body = l.body();
      if (c.continued != null) {
        List<Stmt> b = new ArrayList<>();
        b.add(new Stmt.Assign(c.continued, new Op.Copy(Const.literal("false", Type.BOOLEAN)), l.origin()));
        b.addAll(body.stmts());
        body = new Block(b);
      }
      if (c.broke != null) {
        out.add(new Stmt.Assign(c.broke, new Op.Copy(Const.literal("false", Type.BOOLEAN)), l.origin()));
      }
      pending.remove(c.broke);
      pending.remove(c.continued);
      if (exits.isEmpty()) {
        return new Stmt.Loop(l.kind(), l.init(), l.head(), l.cond(), body, l.update(), l.counted(), l.origin());
      }
      Cond none = noneOf(exits);
      Block head = l.head().stmts().isEmpty() ? l.head()
          : new Block(List.of(new Stmt.If(none, l.head(), EMPTY, l.origin())));
      Block update = l.update().stmts().isEmpty() ? l.update()
          : new Block(List.of(new Stmt.If(none, l.update(), EMPTY, l.origin())));
      return new Stmt.Loop(l.kind(), l.init(), head, new Cond.Logic(true, none, l.cond()), body, update,
          Optional.empty(), l.origin());
    }

    /**
     * {@code throw e} (an input check): the generated code throws the same exception, through
     * {@code Adjoints.raise} so that no statement the generated code adds after it is unreachable.
     */
    private void throwStatement(com.sun.source.tree.ThrowTree t) {
      Operand e = atom(t.getExpression());
      if (e.type().kind() == Type.Kind.ERROR) {
        return;
      }
      out.add(new Stmt.Effect(raise(e), origin));
    }

    private Op.Call raise(Operand e) {
      return new Op.Call(new Callee.Passive("dev.adjoint.autograd.Adjoints", "raise", true, true,
          "Adjoints.raise(Throwable)"), Optional.empty(), List.of(e));
    }

    /**
     * {@code assert c : m}: checked only when assertions are enabled for the generated class (which
     * shares the user's package, so {@code -ea} settings apply alike), and its operands computed only
     * then.
     */
    private void assertStatement(com.sun.source.tree.AssertTree t) {
      Origin o = headerOrigin(t, "assert " + text(stripParens(t.getCondition())));
      origin = o;
      makeMutable(t, Set.of());
      List<Stmt> outer = out;
      Set<String> keys = new HashSet<>(scope.keySet());
      depth++;
      out = new ArrayList<>();
      Cond c = condition(t.getCondition());
      List<Stmt> fail = new ArrayList<>();
      List<Stmt> check = out;
      out = fail;
      Operand message = t.getDetail() == null ? null : atom(t.getDetail());
      Var error = temp("error", Type.other("java.lang.AssertionError"));
      Callee.Passive ctor = new Callee.Passive("java.lang.AssertionError", "new", true, true, "new AssertionError");
      out.add(new Stmt.Assign(error, new Op.Call(ctor, Optional.empty(),
          message == null ? List.of() : List.of(message)), o));
      out.add(new Stmt.Effect(raise(error), o));
      check.add(new Stmt.If(new Cond.Not(c), new Block(fail), EMPTY, o));
      depth--;
      out = outer;
      scope.keySet().retainAll(keys);
      Const enabled = Const.literal(companionName(enclosing) + ".class.desiredAssertionStatus()", Type.BOOLEAN);
      out.add(new Stmt.If(new Cond.Value(enabled), new Block(check), EMPTY, o));
    }

    private void ifStatement(com.sun.source.tree.IfTree t) {
      Origin o = headerOrigin(t, "if (" + text(stripParens(t.getCondition())) + ")");
      origin = o;
      makeMutable(t, Set.of());
      Cond c = condition(t.getCondition());
      Block then = nested(t.getThenStatement());
      Block otherwise = t.getElseStatement() == null ? EMPTY : nested(t.getElseStatement());
      out.add(new Stmt.If(c, then, otherwise, o));
    }

    /**
     * One arm of a {@code switch}: its constant labels (none for {@code default}) and its statements (a colon
     * group without its closing {@code break}), or, in a switch expression, its value.
     */
    private record Arm(List<ExpressionTree> labels, List<? extends StatementTree> body, ExpressionTree value,
        ExpressionTree effect, Tree at) {}

    /**
     * {@code switch (k) { case 1, 2 -> ...; default -> ... }} on an {@code int} selector, read as the
     * {@code if}/{@code else if} chain it means: the selector is read once, each arm's labels compared with
     * it, {@code default} the last {@code else}. Colon groups are read when none falls through into the next
     * (each ends in {@code break}, {@code return}, {@code throw} or {@code continue}); a {@code break} that
     * leaves the switch from inside an arm is an error, since the chain has no switch to leave.
     */
    private void switchStatement(com.sun.source.tree.SwitchTree t) {
      Origin o = headerOrigin(t, "switch (" + text(stripParens(t.getExpression())) + ")");
      origin = o;
      makeMutable(t, Set.of());
      Operand selector = switchSelector(t.getExpression(), t);
      List<Arm> arms = arms(t.getCases(), t, false);
      if (selector == null || arms == null) {
        return;
      }
      List<Cond> tests = new ArrayList<>();
      List<Block> blocks = new ArrayList<>();
      Block otherwise = EMPTY;
      for (Arm arm : arms) {
        Cond test = armTest(selector, arm);
        origin = o;
        Block b = nestedAll(arm.body(), arm.effect());
        if (test == null) {
          otherwise = b;
        } else {
          tests.add(test);
          blocks.add(b);
        }
      }
      out.addAll(chain(tests, blocks, otherwise, o).stmts());
    }

    /**
     * {@code switch (k) { case 1 -> a; default -> b; }} as a value: a temporary assigned in each arm of the
     * same chain, like {@code ?:}. An arm may be an expression, a {@code throw}, or a block ending in its only
     * {@code yield}.
     */
    private Operand switchExpression(com.sun.source.tree.SwitchExpressionTree t) {
      makeMutable(t, Set.of());
      Operand selector = switchSelector(t.getExpression(), t);
      List<Arm> arms = arms(t.getCases(), t, true);
      if (selector == null || arms == null) {
        return ERROR;
      }
      Origin o = originOf(t);
      List<Cond> tests = new ArrayList<>();
      List<List<Stmt>> bodies = new ArrayList<>();
      List<Operand> values = new ArrayList<>();
      List<Stmt> outer = out;
      Set<String> keys = new HashSet<>(scope.keySet());
      for (Arm arm : arms) {
        Cond test = armTest(selector, arm);
        depth++;
        out = new ArrayList<>();
        statements(arm.body());
        values.add(arm.value() == null ? null : atom(arm.value()));
        bodies.add(out);
        tests.add(test);
        depth--;
        out = outer;
        scope.keySet().retainAll(keys);
      }
      Type type = null;
      for (Operand v : values) {
        if (v == null) {
          continue;
        }
        if (v.type().kind() == Type.Kind.ERROR) {
          return ERROR;
        }
        Type common = type == null ? v.type() : commonType(type, v.type());
        if (common == null) {
          report.add(Message.UNSUPPORTED_EXPRESSION, site(t), "a 'switch' expression whose arms have the types "
              + describe(type) + " and " + describe(v.type()));
          return ERROR;
        }
        type = common;
      }
      if (type == null) {
        report.add(Message.UNSUPPORTED_EXPRESSION, site(t), "a 'switch' expression none of whose arms gives a value");
        return ERROR;
      }
      Var v = temp("switched", type);
      mutable.add(v.name());
      List<Cond> armTests = new ArrayList<>();
      List<Block> blocks = new ArrayList<>();
      Block otherwise = EMPTY;
      for (int i = 0; i < arms.size(); i++) {
        List<Stmt> body = bodies.get(i);
        Operand value = values.get(i);
        if (value != null) {
          Arm arm = arms.get(i);
          Origin at = originOf(arm.value());
          Origin chosen = new Origin(at.file(), at.line(), text(arm.value()), at.site());
          body.add(new Stmt.Assign(v, value.type().equals(type) ? new Op.Copy(value) : new Op.Cast(type, value),
              chosen));
        }
        if (tests.get(i) == null) {
          otherwise = new Block(body);
        } else {
          armTests.add(tests.get(i));
          blocks.add(new Block(body));
        }
      }
      out.addAll(chain(armTests, blocks, otherwise,
          new Origin(o.file(), o.line(), "switch (" + text(stripParens(t.getExpression())) + ")", o.site())).stmts());
      return v;
    }

    /** The selector, read once; null (reported) unless it is an int (or char, short, byte). */
    private Operand switchSelector(ExpressionTree e, Tree at) {
      Operand s = atom(e);
      if (s.type().kind() == Type.Kind.ERROR) {
        return null;
      }
      if (s.type().kind() != Type.Kind.INT && enumOf(s.type()).isEmpty()) {
        // a switch expression is an expression: its message must not call it a statement
        report.add(at instanceof com.sun.source.tree.SwitchExpressionTree ? Message.UNSUPPORTED_EXPRESSION
            : Message.UNSUPPORTED_STATEMENT, site(at), "'switch' on a " + describe(s.type())
            + " selector (only an int or enum selector, with constant labels, is read here; use if/else with"
            + " equals)");
        return null;
      }
      // read once: the arms are an if/else-if chain, so an arm that assigns the selector cannot reach a later test
      return s;
    }

    /** {@code selector == l1 || selector == l2 ...}, or null for the default arm. */
    private Cond armTest(Operand selector, Arm arm) {
      Cond test = null;
      Optional<String> enumType = enumOf(selector.type());
      for (ExpressionTree l : arm.labels()) {
        // an enum's label is its constant's simple name ('case A'), compared as 'selector == Mode.A'
        Operand label = enumType.isPresent() && l instanceof IdentifierTree id
            ? new Const(id.getName().toString(), selector.type(), enumType.get()) : atom(l);
        Cond c = new Cond.Compare("==", selector, label);
        test = test == null ? c : new Cond.Logic(false, test, c);
      }
      return test;
    }

    /**
     * {@code if (t0) b0 else if (t1) b1 ... else otherwise}; a switch of nothing but {@code default} is
     * {@code if (true) otherwise}, since its block was read as a nested one.
     */
    private Block chain(List<Cond> tests, List<Block> blocks, Block otherwise, Origin o) {
      if (tests.isEmpty()) {
        return new Block(List.of(new Stmt.If(new Cond.Value(Const.literal("true", Type.BOOLEAN)), otherwise, EMPTY,
            o)));
      }
      Block rest = otherwise;
      for (int i = tests.size() - 1; i >= 0; i--) {
        rest = new Block(List.of(new Stmt.If(tests.get(i), blocks.get(i), rest, o)));
      }
      return rest;
    }

    /**
     * A nested block of several statements (a colon group) and an expression read as a statement (a rule's
     * {@code case 1 -> x = 2;}), scoped like {@link #nested}.
     */
    private Block nestedAll(List<? extends StatementTree> list, ExpressionTree effect) {
      List<Stmt> outer = out;
      out = new ArrayList<>();
      Set<String> keys = new HashSet<>(scope.keySet());
      depth++;
      statements(list);
      if (effect != null) {
        origin = originOf(effect);
        expressionStatement(effect);
      }
      depth--;
      scope.keySet().retainAll(keys);
      Block b = new Block(out);
      out = outer;
      return b;
    }

    /**
     * The arms of a switch, or null after reporting what cannot be read: patterns and guards, a colon group
     * that falls through, a {@code break} out of the switch before an arm's end, {@code yield} other than as
     * the last statement of an arm's block.
     */
    private List<Arm> arms(List<? extends com.sun.source.tree.CaseTree> cases, Tree at, boolean expression) {
      List<Arm> arms = new ArrayList<>();
      List<ExpressionTree> pendingLabels = new ArrayList<>();
      boolean ok = true;
      for (int i = 0; i < cases.size(); i++) {
        com.sun.source.tree.CaseTree c = cases.get(i);
        List<ExpressionTree> labels = new ArrayList<>(pendingLabels);
        boolean isDefault = false;
        for (com.sun.source.tree.CaseLabelTree l : c.getLabels()) {
          if (l instanceof com.sun.source.tree.ConstantCaseLabelTree k
              && k.getConstantExpression().getKind() != Tree.Kind.NULL_LITERAL) {
            labels.add(k.getConstantExpression());
          } else if (l instanceof com.sun.source.tree.DefaultCaseLabelTree) {
            isDefault = true;
          } else {
            report.add(Message.UNSUPPORTED_STATEMENT, site(c), "'switch' with a pattern or null label ('case "
                + l + "')");
            ok = false;
          }
        }
        if (c.getGuard() != null) {
          report.add(Message.UNSUPPORTED_STATEMENT, site(c), "'switch' with a guard ('when')");
          ok = false;
        }
        List<ExpressionTree> armLabels = isDefault ? List.of() : labels;
        if (c.getCaseKind() == com.sun.source.tree.CaseTree.CaseKind.RULE) {
          Tree body = c.getBody();
          if (body instanceof ExpressionTree value) {
            arms.add(new Arm(armLabels, List.of(), expression ? value : null, expression ? null : value, c));
          } else if (body instanceof BlockTree b) {
            List<? extends StatementTree> stmts = b.getStatements();
            ExpressionTree value = null;
            if (expression) {
              if (!stmts.isEmpty() && stmts.get(stmts.size() - 1) instanceof com.sun.source.tree.YieldTree y) {
                value = y.getValue();
                stmts = stmts.subList(0, stmts.size() - 1);
              }
            }
            ok &= exitsChecked(stmts, c);
            arms.add(new Arm(armLabels, stmts, value, null, c));
          } else {
            arms.add(new Arm(armLabels, List.of((StatementTree) body), null, null, c));
          }
          pendingLabels.clear();
          continue;
        }
        // a colon group: consecutive empty cases share the next one's statements
        List<? extends StatementTree> stmts = c.getStatements();
        if (stmts.isEmpty() && i + 1 < cases.size() && !isDefault) {
          pendingLabels.addAll(labels);
          continue;
        }
        pendingLabels.clear();
        if (expression) {
          // one error per switch (javac requires all cases of a switch to be of one kind)
          report.add(Message.UNSUPPORTED_EXPRESSION, site(c),
              "a 'switch' expression with ':' cases (write 'case 1 -> value;')");
          return null;
        }
        if (!stmts.isEmpty() && stmts.get(stmts.size() - 1) instanceof com.sun.source.tree.BreakTree br
            && br.getLabel() == null) {
          stmts = stmts.subList(0, stmts.size() - 1);
        } else if (i + 1 < cases.size() && (stmts.isEmpty() || !endsAbruptly(stmts.get(stmts.size() - 1)))) {
          report.add(Message.UNSUPPORTED_STATEMENT, site(c), "'switch' with a case that falls through into the"
              + " next (end the case with 'break;', or write 'case 1 -> ...')");
          ok = false;
          continue;
        }
        ok &= exitsChecked(stmts, c);
        arms.add(new Arm(armLabels, stmts, null, null, c));
      }
      return ok ? arms : null;
    }

    private static boolean endsAbruptly(StatementTree s) {
      return switch (s.getKind()) {
        case RETURN, THROW, CONTINUE -> true;
        case BREAK -> ((com.sun.source.tree.BreakTree) s).getLabel() != null;
        case BLOCK -> {
          var list = ((BlockTree) s).getStatements();
          yield !list.isEmpty() && endsAbruptly(list.get(list.size() - 1));
        }
        default -> false;
      };
    }

    /**
     * False (reported) if an arm's statements hold a {@code break} that leaves the switch, or a
     * {@code yield}, outside nested loops, switches, lambdas and classes.
     */
    private boolean exitsChecked(List<? extends StatementTree> stmts, Tree at) {
      boolean[] ok = {true};
      TreeScanner<Void, Void> scanner = new TreeScanner<>() {
        @Override
        public Void scan(Tree t, Void p) {
          if (t == null) {
            return null;
          }
          switch (t.getKind()) {
            case FOR_LOOP, ENHANCED_FOR_LOOP, WHILE_LOOP, DO_WHILE_LOOP, SWITCH, SWITCH_EXPRESSION,
                LAMBDA_EXPRESSION, CLASS -> {
              return null;
            }
            case BREAK -> {
              if (((com.sun.source.tree.BreakTree) t).getLabel() == null) {
                report.add(Message.UNSUPPORTED_STATEMENT, site(t), "'break' out of a 'switch' before the end of"
                    + " its case (use if/else inside the case instead)");
                ok[0] = false;
              }
            }
            case YIELD -> {
              report.add(Message.UNSUPPORTED_STATEMENT, site(t), "'yield' other than as the last statement of a"
                  + " 'switch' expression's case");
              ok[0] = false;
            }
            default -> { }
          }
          return super.scan(t, p);
        }
      };
      for (StatementTree s : stmts) {
        scanner.scan(s, null);
      }
      return ok[0];
    }

    private void forLoop(com.sun.source.tree.ForLoopTree t) {
      String header = "for (" + String.join(", ", t.getInitializer().stream().map(this::text).toList())
          .replaceAll(";$", "").replace(";, ", ", ")
          + "; " + (t.getCondition() == null ? "" : text(stripParens(t.getCondition()))) + "; "
          + String.join(", ", t.getUpdate().stream().map(u -> text(u.getExpression())).toList()) + ")";
      Origin o = headerOrigin(t, header.replaceAll("\\s+", " "));
      Set<String> keys = new HashSet<>(scope.keySet());
      Set<String> before = new HashSet<>(scope.values().stream().map(Var::name).toList());
      LoopContext ctx = enterLoop();
      List<Stmt> outer = out;
      out = new ArrayList<>();
      for (StatementTree i : t.getInitializer()) {
        statement(i);
      }
      Block init = new Block(out);
      out = outer;
      Set<String> declaredInInit = new HashSet<>();
      for (Var v : scope.values()) {
        if (!before.contains(v.name())) {
          declaredInInit.add(v.name());
        }
      }
      origin = o;
      makeMutable(t, declaredInInit);
      depth++;
      out = new ArrayList<>();
      Cond c = t.getCondition() == null ? new Cond.Value(Const.literal("true", Type.BOOLEAN))
          : condition(t.getCondition());
      Block head = new Block(out);
      out = outer;
      depth--;
      if (!head.stmts().isEmpty() && head.stmts().stream()
          .allMatch(h -> h instanceof Stmt.Assign a && a.op() instanceof Op.Length len
              && len.array().type().isTensorArray())) {
        // i < xs.length: a Tensor[] parameter cannot be reassigned, so its length is read once, before the loop
        out.addAll(head.stmts());
        head = EMPTY;
      }
      Block body = nested(t.getStatement());
      depth++;
      out = new ArrayList<>();
      for (ExpressionStatementTree u : t.getUpdate()) {
        origin = originOf(u);
        expressionStatement(u.getExpression());
      }
      Block update = new Block(out);
      out = outer;
      depth--;
      out.add(exitLoop(ctx,
          new Stmt.Loop(Stmt.Loop.Kind.FOR, init, head, c, body, update, counted(init, head, c, body, update), o)));
      scope.keySet().retainAll(keys);
    }

    /**
     * {@code for (Tensor u : xs) body} over a {@code Tensor[]} becomes the counted loop
     * {@code for (int i = 0; i < xs.length; i++) { Tensor u = xs[i]; body }} (the length is read once,
     * before the loop), so the counted-loop reversal applies: nothing is recorded unless the body exits.
     */
    private void forEach(com.sun.source.tree.EnhancedForLoopTree t) {
      Origin o = headerOrigin(t, ("for (" + text(t.getVariable()) + " : " + text(t.getExpression()) + ")")
          .replaceAll("\\s+", " "));
      origin = o;
      Operand array = atom(t.getExpression());
      if (array.type().kind() == Type.Kind.ERROR) {
        return;
      }
      Pieces listed = array instanceof Var av && pieces.containsKey(av.name()) && !mutable.contains(av.name())
          ? pieces.get(av.name()) : null;
      if (!array.type().isTensorArray() && listed == null && resolver.isModule(array.type())) {
        report.add(Message.MODULE_CONTAINER, site(t), "for (" + text(t.getVariable()) + " : "
            + text(t.getExpression()) + ")", simpleName(array.type()), simpleName(array.type()));
        return;
      }
      if (!array.type().isTensorArray() && listed == null) {
        report.add(Message.UNSUPPORTED_STATEMENT, site(t), "for-each (over " + describe(array.type())
            + ", not a Tensor[] parameter or the pieces of split, chunk or unbind)");
        return;
      }
      Tree vt = t.getVariable().getType();
      if (vt != null && positions.getStartPosition(unit, vt) >= 0 && !vt.toString().equals("var")
          && resolver.typeOfTree(vt, unit, enclosing).kind() != Type.Kind.TENSOR) {
        report.add(Message.UNSUPPORTED_TYPE, site(vt), "local '" + t.getVariable().getName() + "'",
            resolver.typeOfTree(vt, unit, enclosing));
        return;
      }
      Var length = temp("length", Type.INT);
      out.add(new Stmt.Assign(length, listed != null ? count(listed) : new Op.Length(array), o));
      Set<String> keys = new HashSet<>(scope.keySet());
      LoopContext ctx = enterLoop();
      Var index = temp("i", Type.INT);
      mutable.add(index.name());
      Block init = new Block(List.of(new Stmt.Assign(index, new Op.Copy(Const.literal("0", Type.INT)), o)));
      makeMutable(t, Set.of());
      Cond c = new Cond.Compare("<", index, length);
      List<Stmt> outer = out;
      out = new ArrayList<>();
      depth++;
      String name = t.getVariable().getName().toString();
      Var u = new Var(freshUserName(name), Type.TENSOR);
      if (listed != null) {
        Typed element = piece(listed, index, t);
        if (element == null) {
          out = outer;
          depth--;
          return;
        }
        out.add(new Stmt.Assign(u, element.op(), o));
      } else {
        out.add(new Stmt.Assign(u, new Op.Element(array, index), o));
      }
      scope.put(name, u);
      List<Stmt> element = out;
      out = outer;
      depth--;
      Block rest = nested(t.getStatement());
      List<Stmt> body = new ArrayList<>(element);
      body.addAll(rest.stmts());
      Block update = new Block(List.of(new Stmt.Assign(index,
          new Op.Arith('+', index, Const.literal("1", Type.INT)), o)));
      Block head = EMPTY;
      Block b = new Block(body);
      out.add(exitLoop(ctx,
          new Stmt.Loop(Stmt.Loop.Kind.FOR, init, head, c, b, update, counted(init, head, c, b, update), o)));
      scope.keySet().retainAll(keys);
    }

    private void whileLoop(com.sun.source.tree.WhileLoopTree t) {
      Origin o = headerOrigin(t, "while (" + text(stripParens(t.getCondition())) + ")");
      origin = o;
      makeMutable(t, Set.of());
      LoopContext ctx = enterLoop();
      List<Stmt> outer = out;
      depth++;
      out = new ArrayList<>();
      Cond c = condition(t.getCondition());
      Block head = new Block(out);
      out = outer;
      depth--;
      Block body = nested(t.getStatement());
      out.add(exitLoop(ctx,
          new Stmt.Loop(Stmt.Loop.Kind.WHILE, EMPTY, head, c, body, EMPTY, Optional.empty(), o)));
    }

    private void doWhileLoop(com.sun.source.tree.DoWhileLoopTree t) {
      Origin o = headerOrigin(t, "do ... while (" + text(stripParens(t.getCondition())) + ")");
      origin = o;
      makeMutable(t, Set.of());
      LoopContext ctx = enterLoop();
      Block body = nested(t.getStatement());
      List<Stmt> outer = out;
      depth++;
      out = new ArrayList<>();
      origin = o;
      Cond c = condition(t.getCondition());
      Block head = new Block(out);
      out = outer;
      depth--;
      out.add(exitLoop(ctx,
          new Stmt.Loop(Stmt.Loop.Kind.DO_WHILE, EMPTY, head, c, body, EMPTY, Optional.empty(), o)));
    }

    /** A counted loop: {@code for (int i = from; i < to; i++)}, index and bound unchanged by the body. */
    private Optional<Stmt.Counted> counted(Block init, Block head, Cond c, Block body, Block update) {
      if (init.stmts().size() != 1 || !(init.stmts().get(0) instanceof Stmt.Assign ia)
          || !(ia.op() instanceof Op.Copy from) || ia.target().type().kind() != Type.Kind.INT
          || !head.stmts().isEmpty()
          || !(c instanceof Cond.Compare cmp) || !(cmp.op().equals("<") || cmp.op().equals("<="))
          || !cmp.left().equals(ia.target())
          || update.stmts().size() != 1 || !(update.stmts().get(0) instanceof Stmt.Assign ua)
          || !ua.target().equals(ia.target()) || !(ua.op() instanceof Op.Arith ar) || ar.op() != '+'
          || !ar.left().equals(ia.target()) || !(ar.right() instanceof Const one) || !one.source().equals("1")) {
        return Optional.empty();
      }
      Set<String> assigned = new HashSet<>();
      for (Stmt s : Stmt.flatten(body.stmts())) {
        if (s instanceof Stmt.Assign a) {
          assigned.add(a.target().name());
        }
      }
      Var index = ia.target();
      if (assigned.contains(index.name())
          || (cmp.right() instanceof Var to && (assigned.contains(to.name()) || to.equals(index)))
          || (from.operand() instanceof Var fv && assigned.contains(fv.name()))
          || !cmp.right().type().equals(Type.INT) && cmp.right().type().kind() != Type.Kind.INT) {
        return Optional.empty();
      }
      return Optional.of(new Stmt.Counted(index, from.operand(), cmp.right(), cmp.op().equals("<=")));
    }

    /** Lowers a nested statement into its own block; declarations inside go out of scope after it. */
    private Block nested(StatementTree s) {
      List<Stmt> outer = out;
      out = new ArrayList<>();
      Set<String> keys = new HashSet<>(scope.keySet());
      depth++;
      statement(s);
      depth--;
      scope.keySet().retainAll(keys);
      Block b = new Block(out);
      out = outer;
      return b;
    }

    /**
     * Makes the user variables that {@code t} assigns mutable: assigned in place from now on, so a
     * loop-carried value keeps one name. Inputs are first copied (their adjoints are the gradient);
     * variables declared by a {@code for}'s initializer ({@code declaredInInit}) just become mutable.
     */
    private void makeMutable(Tree t, Set<String> declaredInInit) {
      Set<String> assigned = new java.util.TreeSet<>();
      Set<String> changedInPlace = new java.util.TreeSet<>();
      new TreeScanner<Void, Void>() {
        @Override
        public Void visitAssignment(AssignmentTree a, Void p) {
          if (a.getVariable() instanceof IdentifierTree id) {
            assigned.add(id.getName().toString());
          }
          return super.visitAssignment(a, p);
        }

        @Override
        public Void visitCompoundAssignment(CompoundAssignmentTree a, Void p) {
          if (a.getVariable() instanceof IdentifierTree id) {
            assigned.add(id.getName().toString());
          }
          return super.visitCompoundAssignment(a, p);
        }

        @Override
        public Void visitUnary(UnaryTree u, Void p) {
          boolean step = switch (u.getKind()) {
            case PREFIX_INCREMENT, POSTFIX_INCREMENT, PREFIX_DECREMENT, POSTFIX_DECREMENT -> true;
            default -> false;
          };
          if (step && stripParens(u.getExpression()) instanceof IdentifierTree id) {
            assigned.add(id.getName().toString());
          }
          return super.visitUnary(u, p);
        }

        @Override
        public Void visitMethodInvocation(MethodInvocationTree call, Void p) {
          // y.mul_(2) is y = y.mul(2): in a loop or a branch it assigns y as much as the assignment does
          if (call.getMethodSelect() instanceof MemberSelectTree ms && ms.getIdentifier().toString().endsWith("_")
              && stripParens(ms.getExpression()) instanceof IdentifierTree id) {
            changedInPlace.add(id.getName().toString());
          }
          return super.visitMethodInvocation(call, p);
        }
      }.scan(t, null);
      for (String name : changedInPlace) {
        Var cur = scope.get(name);
        if (cur != null && cur.type().kind() == Type.Kind.TENSOR) {
          assigned.add(name);
        }
      }
      for (String name : assigned) {
        Var cur = scope.get(name);
        if (cur == null || mutable.contains(cur.name()) || cur.type().kind() == Type.Kind.ERROR) {
          continue;
        }
        boolean input = params.stream().anyMatch(p -> p.var().equals(cur));
        if (!input || declaredInInit.contains(cur.name())) {
          mutable.add(cur.name());
          continue;
        }
        Var m = new Var(freshUserName(name), cur.type());
        out.add(new Stmt.Assign(m, new Op.Copy(cur), origin));
        scope.put(name, m);
        mutable.add(m.name());
      }
    }

    /** The condition of an if or a loop; its operands are computed into {@code out} first. */
    private Cond condition(ExpressionTree e) {
      ExpressionTree x = stripParens(e);
      switch (x.getKind()) {
        case CONDITIONAL_AND, CONDITIONAL_OR -> {
          BinaryTree b = (BinaryTree) x;
          boolean and = x.getKind() == Tree.Kind.CONDITIONAL_AND;
          makeMutable(b.getRightOperand(), Set.of());
          Cond l = condition(b.getLeftOperand());
          List<Stmt> outer = out;
          out = new ArrayList<>();
          depth++;
          Cond r = condition(b.getRightOperand());
          depth--;
          List<Stmt> right = out;
          out = outer;
          if (right.isEmpty()) {
            return new Cond.Logic(and, l, r);
          }
          // the right operand computes something (an assignment, a call, an element): only when Java would
          // evaluate it, as in 'test = false; if (l) { ...; if (r) test = true; }' for &&
          Origin o = origin;
          Var test = temp("test", Type.BOOLEAN);
          mutable.add(test.name());
          out.add(new Stmt.Assign(test, new Op.Copy(Const.literal(and ? "false" : "true", Type.BOOLEAN)), o));
          right.add(new Stmt.If(and ? r : new Cond.Not(r), new Block(List.of(new Stmt.Assign(test,
              new Op.Copy(Const.literal(and ? "true" : "false", Type.BOOLEAN)), o))), EMPTY, o));
          out.add(new Stmt.If(and ? l : new Cond.Not(l), new Block(right), EMPTY, o));
          return new Cond.Value(test);
        }
        case LOGICAL_COMPLEMENT -> {
          return new Cond.Not(condition(((UnaryTree) x).getExpression()));
        }
        case LESS_THAN, LESS_THAN_EQUAL, GREATER_THAN, GREATER_THAN_EQUAL, EQUAL_TO, NOT_EQUAL_TO -> {
          BinaryTree b = (BinaryTree) x;
          Operand l = settled(atom(b.getLeftOperand()), b.getRightOperand());
          Operand r = atom(b.getRightOperand());
          boolean numeric = l.type().numeric() && r.type().numeric();
          boolean equality = x.getKind() == Tree.Kind.EQUAL_TO || x.getKind() == Tree.Kind.NOT_EQUAL_TO;
          boolean bools = l.type().kind() == Type.Kind.BOOLEAN && r.type().kind() == Type.Kind.BOOLEAN && equality;
          // two constants of one enum (a mode field or parameter against Mode.A): identity, as Java compares them
          boolean enums = equality && enumOf(l.type()).isPresent() && l.type().equals(r.type());
          if (l.type().kind() != Type.Kind.ERROR && r.type().kind() != Type.Kind.ERROR && !numeric && !bools
              && !enums) {
            Type bad = l.type().numeric() ? r.type() : l.type();
            report.add(Message.UNSUPPORTED_OPERATOR, site(x), operatorSymbol(x.getKind()), describe(bad));
          }
          return new Cond.Compare(operatorSymbol(x.getKind()), l, r);
        }
        default -> {
          Operand o = atom(x);
          if (o.type().kind() != Type.Kind.BOOLEAN && o.type().kind() != Type.Kind.ERROR) {
            report.add(Message.UNSUPPORTED_EXPRESSION, site(x), "a condition of type " + describe(o.type()));
          }
          return new Cond.Value(o);
        }
      }
    }

    private Origin headerOrigin(Tree t, String header) {
      Origin o = originOf(t);
      return new Origin(o.file(), o.line(), header, o.site());
    }

    private void declaration(VariableTree v) {
      String name = v.getName().toString();
      Tree typeTree = v.getType();
      if (v.getInitializer() == null) {
        uninitialized(name, typeTree, v);
        return;
      }
      boolean inferred = typeTree == null || typeTree.toString().equals("var")
          || positions.getStartPosition(unit, typeTree) < 0;
      Type declared = inferred ? null : resolver.typeOfTree(typeTree, unit, enclosing);
      if (declared != null && declared.kind() == Type.Kind.ERROR) {
        report.add(Message.UNRESOLVED, site(typeTree), typeTree.toString());
      } else if (declared != null && declared.kind() == Type.Kind.OTHER
          && !tensorList(declared)
          && (!supportedParameterType(declared) || declared.spelling().endsWith("Tensor[]"))) {
        // a List<Tensor> local is allowed: split/chunk/unbind pieces are followed, any other read is LostGradient
        report.add(Message.UNSUPPORTED_TYPE, site(typeTree), "local '" + name + "'", declared);
      }
      if (reachedFromThis(v.getInitializer())) {
        fromThis.add(name);
      } else {
        fromThis.remove(name);
      }
      // List<Tensor> as written (maybe unqualified): the type the initializer gives, which calls resolve against
      define(name, declared != null && tensorList(declared) ? null : declared, v.getInitializer(), true);
    }

    private static boolean tensorList(Type t) {
      return t.kind() == Type.Kind.OTHER
          && t.spelling().matches("(java\\.util\\.)?List<(dev\\.adjoint\\.)?Tensor>");
    }

    /**
     * {@code T y;} assigned later (Java's definite assignment guarantees it is assigned before it is
     * read): one mutable variable, started at zero ({@code null} for a tensor) so that assignments in
     * branches and loops assign it in place.
     */
    private void uninitialized(String name, Tree typeTree, VariableTree v) {
      Type declared = resolver.typeOfTree(typeTree, unit, enclosing);
      if (declared.kind() == Type.Kind.ERROR) {
        report.add(Message.UNRESOLVED, site(typeTree), typeTree.toString());
        scope.put(name, new Var(freshUserName(name), Type.ERROR));
        return;
      }
      if (declared.kind() == Type.Kind.OTHER && (!supportedParameterType(declared) || declared.isTensorArray())) {
        report.add(Message.UNSUPPORTED_TYPE, site(typeTree), "local '" + name + "'", declared);
        scope.put(name, new Var(freshUserName(name), Type.ERROR));
        return;
      }
      Var m = new Var(freshUserName(name), declared);
      mutable.add(m.name());
      out.add(new Stmt.Assign(m, new Op.Copy(zero(declared)), originOf(v)));
      scope.put(name, m);
    }

    /** The zero of a type as a constant ({@code 0.0}, {@code 0f}, {@code false}, {@code null} ...). */
    private static Const zero(Type t) {
      String zero = switch (t.kind()) {
        case DOUBLE -> "0.0";
        case FLOAT -> "0f";
        case LONG -> "0L";
        case INT -> "0";
        case BOOLEAN -> "false";
        default -> "null";
      };
      return Const.literal(zero, t);
    }

    /**
     * {@code c ? a : b}: one mutable temporary assigned in an {@code if}, so only the chosen operand is
     * computed (as in Java) and the branch is recorded like any other.
     */
    private Operand conditional(com.sun.source.tree.ConditionalExpressionTree t) {
      makeMutable(t, Set.of());
      Cond c = condition(t.getCondition());
      List<Stmt> outer = out;
      Set<String> keys = new HashSet<>(scope.keySet());
      depth++;
      out = new ArrayList<>();
      Operand a = atom(t.getTrueExpression());
      List<Stmt> then = out;
      out = new ArrayList<>();
      Operand b = atom(t.getFalseExpression());
      List<Stmt> otherwise = out;
      depth--;
      out = outer;
      scope.keySet().retainAll(keys);
      if (a.type().kind() == Type.Kind.ERROR || b.type().kind() == Type.Kind.ERROR) {
        return ERROR;
      }
      Type type = commonType(a.type(), b.type());
      if (type == null) {
        report.add(Message.UNSUPPORTED_EXPRESSION, site(t), "a conditional '?:' whose operands have the types "
            + describe(a.type()) + " and " + describe(b.type()));
        return ERROR;
      }
      Var v = temp("cond", type);
      mutable.add(v.name());
      Origin o = originOf(t);
      // each branch's copy is commented with its operand, so the backward reads '∂ ...: x * x' inside the branch
      Origin chosenTrue = new Origin(o.file(), o.line(), text(t.getTrueExpression()), o.site());
      Origin chosenFalse = new Origin(o.file(), o.line(), text(t.getFalseExpression()), o.site());
      then.add(new Stmt.Assign(v, a.type().equals(type) ? new Op.Copy(a) : new Op.Cast(type, a), chosenTrue));
      otherwise.add(new Stmt.Assign(v, b.type().equals(type) ? new Op.Copy(b) : new Op.Cast(type, b), chosenFalse));
      out.add(new Stmt.If(c, new Block(then), new Block(otherwise),
          new Origin(o.file(), o.line(), text(t).replaceAll("\\s+", " "), o.site())));
      return v;
    }

    /**
     * The type of a value chosen between branches of types {@code a} and {@code b} ({@code ?:}, a switch
     * expression's arms): numbers promote, equal types stay, {@code null} or {@code Object} takes the other; null
     * when there is none.
     */
    private static Type commonType(Type a, Type b) {
      if (a.numeric() && b.numeric()) {
        return Type.promote(a, b);
      }
      if (a.equals(b)) {
        return a;
      }
      if (a.spelling().equals("java.lang.Object") || a.spelling().equals("null")) {
        return b;
      }
      if (b.spelling().equals("java.lang.Object") || b.spelling().equals("null")) {
        return a;
      }
      return null;
    }

    /** {@code new T(args)}: a passive object (an exception for a guard, a message). */
    private Typed newObject(com.sun.source.tree.NewClassTree t) {
      if (t.getClassBody() != null || t.getEnclosingExpression() != null) {
        report.add(Message.UNSUPPORTED_EXPRESSION, site(t), "anonymous classes");
        return null;
      }
      Type type = resolver.typeOfTree(t.getIdentifier(), unit, enclosing);
      if (type.kind() == Type.Kind.ERROR) {
        report.add(Message.UNRESOLVED, site(t.getIdentifier()), t.getIdentifier().toString());
        return null;
      }
      if (type.kind() != Type.Kind.OTHER || type.spelling().contains("<")) {
        report.add(Message.UNSUPPORTED_EXPRESSION, site(t), "'new " + t.getIdentifier() + "(...)'");
        return null;
      }
      List<Operand> args = new ArrayList<>();
      boolean ok = true;
      for (ExpressionTree a : t.getArguments()) {
        Operand o = atom(a);
        ok &= o.type().kind() != Type.Kind.ERROR;
        args.add(o);
      }
      if (!ok) {
        return null;
      }
      // an exception holds nothing differentiable; any other object (a record of tensors) may, and what is read
      // back out of it is checked by the activity analysis, never taken for a constant
      Callee.Passive ctor = new Callee.Passive(type.spelling(), "new", true, resolver.isThrowable(type),
          "new " + t.getIdentifier());
      return new Typed(new Op.Call(ctor, Optional.empty(), args), type, "object", t);
    }

    /** Lowers {@code init} into a fresh version of user variable {@code name}. */
    private void define(String name, Type declared, ExpressionTree init) {
      define(name, declared, init, false);
    }

    private void define(String name, Type declared, ExpressionTree init, boolean declaration) {
      Typed op = lowerOp(init);
      if (op == null && !isAtomic(init)) {
        scope.put(name, new Var(freshUserName(name), Type.ERROR));
        return;
      }
      if (op == null) {
        Operand a = atom(init);
        op = new Typed(new Op.Copy(a), a.type(), "copy");
      }
      Type t = declared == null ? op.type() : declared;
      if (declared != null && op.type().equals(INT_ARRAY) && !declared.equals(INT_ARRAY)) {
        // an initializer {2, 3} is read as int[]; for any other array it is not supported
        report.add(Message.UNSUPPORTED_EXPRESSION, site(init), expressionName(Tree.Kind.NEW_ARRAY));
        scope.put(name, new Var(freshUserName(name), Type.ERROR));
        return;
      }
      if (op.type().kind() == Type.Kind.ERROR || t.kind() == Type.Kind.ERROR) {
        scope.put(name, new Var(freshUserName(name), Type.ERROR));
        return;
      }
      if (declared != null && !declared.equals(op.type()) && declared.numeric() && op.type().numeric()) {
        // implicit primitive conversion: compute, then convert into the variable
        Var tmp = temp(op.base(), op.type());
        out.add(new Stmt.Assign(tmp, op.op(), originFor(op)));
        op = new Typed(new Op.Cast(declared, tmp), declared, "cast");
      }
      Var current = declaration ? null : scope.get(name);
      if (current != null && mutable.contains(current.name())) {
        assignInPlace(current, op, originFor(op));
        return;
      }
      Var v = new Var(freshUserName(name), t);
      if (op.op() instanceof Op.Call c && c.callee() instanceof Callee.Passive p && p.method().equals("new")) {
        remember(v, c, originFor(op));
      }
      rememberPieces(v, op.op(), originFor(op));
      out.add(new Stmt.Assign(v, op.op(), originFor(op)));
      scope.put(name, v);
    }

    /**
     * The components of records built in this method, by the variable holding the record: {@code r.a()} on a
     * variable bound once to {@code new R(a, b)} reads {@code a}'s value at construction, so gradients flow
     * through the record as through the locals. Anything else read out of an object is a call without a
     * rule, which the activity analysis reports.
     */
    private final Map<String, Map<String, Operand>> records = new HashMap<>();

    /**
     * A {@code List<Tensor>} that {@code split}, {@code chunk} or {@code unbind} made in this method: its pieces
     * are read as the views they are, {@code parts.get(k)} as {@code base.narrow(dim, start, length)} (or
     * {@code base.select(dim, k)} for {@code unbind}), so each carries its gradient back to the base.
     *
     * @param base the split tensor, as it was when split
     * @param size the size of a piece, or null for {@code unbind} and for {@code split(int[] sizes, dim)}
     * @param dim the dimension
     * @param sizes for {@code split(int[] sizes, dim)}: the checked copy of the sizes ({@code int[]}), else null
     */
    private record Pieces(Operand base, Operand size, Operand dim, Var sizes) {
      Pieces(Operand base, Operand size, Operand dim) {
        this(base, size, dim, null);
      }
    }

    /** The lists of pieces made in this method, by the variable holding the list. */
    private final Map<String, Pieces> pieces = new HashMap<>();

    private static final Set<String> SPLITS = Set.of("split", "chunk", "unbind");

    private static Callee.Passive viewRules(String method) {
      return new Callee.Passive("dev.adjoint.rules.ViewRules", method, true, true, "ViewRules." + method);
    }

    /** Records {@code v = x.split(size, dim)} / {@code chunk} / {@code unbind} (int arguments) as pieces. */
    private void rememberPieces(Var v, Op op, Origin at) {
      if (!(op instanceof Op.Call c && c.callee() instanceof Callee.Passive p
          && p.owner().equals("dev.adjoint.Tensor") && SPLITS.contains(p.method()) && c.receiver().isPresent())) {
        return;
      }
      boolean withSizes = p.method().equals("split") && c.args().size() == 2
          && c.args().get(0).type().equals(INT_ARRAY) && c.args().get(1).type().kind() == Type.Kind.INT;
      if (!withSizes && !c.args().stream().allMatch(a -> a.type().kind() == Type.Kind.INT)) {
        return;
      }
      // the tensor and the numbers as they are now (a later loop may reassign the locals)
      Operand base = snapshot(c.receiver().get(), "base", at);
      if (withSizes) {
        // split(int[] sizes, dim): a checked copy of the sizes (the caller's array may change later)
        Operand dim = snapshot(c.args().get(1), "n", at);
        Var sizes = temp("sizes", INT_ARRAY);
        out.add(new Stmt.Assign(sizes, new Op.Call(viewRules("splitSizes"), Optional.empty(),
            List.of(base, c.args().get(0), dim)), at));
        pieces.put(v.name(), new Pieces(base, null, dim, sizes));
        return;
      }
      List<Operand> args = new ArrayList<>();
      for (Operand a : c.args()) {
        args.add(snapshot(a, "n", at));
      }
      switch (p.method()) {
        case "unbind" -> pieces.put(v.name(),
            new Pieces(base, null, args.isEmpty() ? Const.literal("0", Type.INT) : args.get(0)));
        case "split" -> pieces.put(v.name(), new Pieces(base, args.get(0), args.get(1)));
        default -> {
          Var size = temp("size", Type.INT);
          out.add(new Stmt.Assign(size, new Op.Call(viewRules("chunkSize"), Optional.empty(),
              List.of(base, args.get(0), args.get(1))), at));
          pieces.put(v.name(), new Pieces(base, size, args.get(1)));
        }
      }
    }

    /** {@code a} as it is now: a variable is copied into a fresh one that nothing reassigns. */
    private Operand snapshot(Operand a, String name, Origin at) {
      if (!(a instanceof Var av)) {
        return a;
      }
      Var copy = temp(name, av.type());
      out.add(new Stmt.Assign(copy, new Op.Copy(av), at));
      return copy;
    }

    /** Piece {@code k} of {@code p}: a {@code narrow} or {@code select} view of the base. */
    private Typed piece(Pieces p, Operand k, Tree at) {
      TypeElement tensor = resolver.classOf(Type.TENSOR).orElseThrow();
      if (p.size() == null && p.sizes() == null) {
        ExecutableElement select = resolver.pickOverload(resolver.methodsNamed(tensor, "select"),
            List.of(Type.INT, Type.INT)).orElseThrow();
        Callee callee = classify(select, false, Optional.of(p.base()), at);
        return callee == null ? null : new Typed(new Op.Call(callee, Optional.of(p.base()), List.of(p.dim(), k)),
            Type.TENSOR, "select", at);
      }
      List<Operand> where = p.sizes() != null ? List.of(p.sizes(), k) : List.of(p.base(), p.size(), p.dim(), k);
      Var start = temp("start", Type.INT);
      out.add(new Stmt.Assign(start, new Op.Call(viewRules("splitStart"), Optional.empty(), where), origin));
      Var length = temp("length", Type.INT);
      out.add(new Stmt.Assign(length, new Op.Call(viewRules("splitLength"), Optional.empty(), where), origin));
      ExecutableElement narrow = resolver.pickOverload(resolver.methodsNamed(tensor, "narrow"),
          List.of(Type.INT, Type.INT, Type.INT)).orElseThrow();
      Callee callee = classify(narrow, false, Optional.of(p.base()), at);
      return callee == null ? null : new Typed(new Op.Call(callee, Optional.of(p.base()),
          List.of(p.dim(), start, length)), Type.TENSOR, "narrow", at);
    }

    /** How many pieces {@code p} has. */
    private Op count(Pieces p) {
      if (p.sizes() != null) {
        return new Op.Length(p.sizes());
      }
      if (p.size() == null) {
        return new Op.Call(new Callee.Passive("dev.adjoint.Tensor", "size", false, true, "Tensor.size(int)"),
            Optional.of(p.base()), List.of(p.dim()));
      }
      return new Op.Call(viewRules("splitCount"), Optional.empty(), List.of(p.base(), p.size(), p.dim()));
    }

    /** Whether a parameter of type {@code t} may hold differentiable values: a record or a collection. */
    private boolean holdsValues(Type t) {
      Optional<TypeElement> c = resolver.classOf(t);
      if (c.isEmpty()) {
        return false;
      }
      String q = c.get().getQualifiedName().toString();
      return c.get().getKind() == javax.lang.model.element.ElementKind.RECORD || q.startsWith("java.util.");
    }

    /**
     * Whether a record's accessor is the implicit one: javac gives a declared accessor a tree and the implicit
     * one none. A record read from a class file has no trees at all, so there it is not known: false.
     */
    private boolean implicitAccessor(ExecutableElement accessor) {
      return trees.getPath(accessor.getEnclosingElement()) != null && trees.getPath(accessor) == null;
    }

    private void remember(Var v, Op.Call ctor, Origin at) {
      Optional<List<String>> names = resolver.plainRecordComponents(v.type(), ctor.args().size(),
          this::implicitAccessor);
      if (names.isEmpty()) {
        return;
      }
      Map<String, Operand> components = new HashMap<>();
      for (int i = 0; i < names.get().size(); i++) {
        // the local may be reassigned later (a loop after this statement makes it mutable): the value it has now
        components.put(names.get().get(i), snapshot(ctor.args().get(i), names.get().get(i), at));
      }
      records.put(v.name(), components);
    }

    /**
     * {@code target = op} on a mutable variable. A differentiable target that the operation reads is
     * computed into a temporary first, so the backward never reads an adjoint it is resetting.
     */
    private void assignInPlace(Var target, Typed op, Origin at) {
      if (op.op() instanceof Op.Copy c && c.operand().equals(target)) {
        return; // x = x: nothing changes (and a self-copy would reset the adjoint it reads)
      }
      boolean composed = op.op() instanceof Op.Call c && c.callee() instanceof Callee.Differentiable;
      if (target.type().differentiable() && !(op.op() instanceof Op.Copy)
          && (op.op().inputs().contains(target) || composed)) {
        // a composed call's result gets its own name too: each call site keeps its own pullback
        Var tmp = temp(op.base(), op.type());
        out.add(new Stmt.Assign(tmp, op.op(), at));
        op = new Typed(new Op.Copy(tmp), op.type(), "copy");
      }
      out.add(new Stmt.Assign(target, op.op(), at));
    }

    private void expressionStatement(ExpressionTree e) {
      switch (e.getKind()) {
        case ASSIGNMENT -> {
          AssignmentTree a = (AssignmentTree) e;
          String target = localTarget(a.getVariable());
          if (target != null) {
            define(target, scope.get(target).type(), a.getExpression());
          }
        }
        case PLUS_ASSIGNMENT, MINUS_ASSIGNMENT, MULTIPLY_ASSIGNMENT, DIVIDE_ASSIGNMENT -> {
          CompoundAssignmentTree c = (CompoundAssignmentTree) e;
          String target = localTarget(c.getVariable());
          if (target == null) {
            return;
          }
          Operand left = settled(scope.get(target), c.getExpression());
          Operand rhs = atom(c.getExpression());
          Var current = scope.get(target);
          char op = switch (e.getKind()) {
            case PLUS_ASSIGNMENT -> '+';
            case MINUS_ASSIGNMENT -> '-';
            case MULTIPLY_ASSIGNMENT -> '*';
            default -> '/';
          };
          Typed arith = arith(op, left, rhs, e);
          if (arith == null) {
            return;
          }
          Type t = current.type();
          if (!arith.type().equals(t)) {
            Var tmp = temp(arith.base(), arith.type());
            out.add(new Stmt.Assign(tmp, arith.op(), origin));
            arith = new Typed(new Op.Cast(t, tmp), t, "cast");
          }
          if (mutable.contains(current.name())) {
            assignInPlace(current, arith, origin);
            return;
          }
          Var v = new Var(freshUserName(target), t);
          out.add(new Stmt.Assign(v, arith.op(), origin));
          scope.put(target, v);
        }
        case PREFIX_INCREMENT, POSTFIX_INCREMENT, PREFIX_DECREMENT, POSTFIX_DECREMENT -> increment((UnaryTree) e);
        case METHOD_INVOCATION -> {
          if (inPlaceName((MethodInvocationTree) e) != null) {
            inPlace((MethodInvocationTree) e);
            return;
          }
          Typed call = lowerCall((MethodInvocationTree) e);
          if (call != null && call.op() instanceof Op.Call c) {
            out.add(new Stmt.Effect(c, originFor(call)));
          }
        }
        default -> lowerOp(e);
      }
    }

    /**
     * The name of a tensor's in-place method called by {@code call} ({@code y.mul_(3)} gives
     * {@code mul_}), or null if {@code call} is not one.
     */
    private String inPlaceName(MethodInvocationTree call) {
      if (!(call.getMethodSelect() instanceof MemberSelectTree ms)) {
        return null;
      }
      String name = ms.getIdentifier().toString();
      if (!name.endsWith("_") || name.length() < 2) {
        return null;
      }
      ExpressionTree q = stripParens(ms.getExpression());
      if (q instanceof IdentifierTree id && scope.get(id.getName().toString()) instanceof Var v
          && v.type().kind() == Type.Kind.TENSOR) {
        return name;
      }
      if (q instanceof IdentifierTree id && scope.containsKey(id.getName().toString())) {
        return null;
      }
      if (q instanceof MethodInvocationTree || q instanceof IdentifierTree || q instanceof MemberSelectTree) {
        // a tensor expression (x.mul(x).add_(1)) or a field: decided by the receiver's type
        return isValue(q) && !(q instanceof MemberSelectTree m && resolver.resolveTypeName(m.toString(), unit, enclosing)
            .isPresent()) ? name : null;
      }
      return null;
    }

    /**
     * {@code y.op_(args);} on a local tensor that nothing else refers to is {@code y = y.op(args);}: the
     * same values, and a gradient that sees the change. Anything else (an input, a field, an alias made
     * by {@code z = y} or a view, a value used as an expression) is an error with the out-of-place form
     * to write instead.
     */
    private void inPlace(MethodInvocationTree call) {
      MemberSelectTree ms = (MemberSelectTree) call.getMethodSelect();
      String name = ms.getIdentifier().toString();
      String outOfPlace = name.substring(0, name.length() - 1);
      ExpressionTree q = stripParens(ms.getExpression());
      String receiver = q instanceof IdentifierTree id ? id.getName().toString() : null;
      String args = String.join(", ", call.getArguments().stream().map(this::text).toList());
      Var current = receiver == null ? null : scope.get(receiver);
      String rewrite = inPlaceFix(name, current == null ? null : receiver, q, call, false);
      String why = null;
      if (current == null) {
        why = "its receiver is not a local variable";
      } else if (params.stream().anyMatch(p -> p.name().equals(receiver))) {
        why = "'" + receiver + "' is an input: the caller's tensor would change";
      } else if (aliasedBefore(receiver, call)) {
        why = "'" + receiver + "' may share its storage with another tensor (it is copied, made by a view or"
            + " an unknown method, held by a record, or passed on as itself), which the change would reach too";
        rewrite = inPlaceFix(name, receiver, q, call, true);
      }
      Optional<TypeElement> tensor = resolver.resolveTypeName("dev.adjoint.Tensor", unit, enclosing);
      List<ExecutableElement> candidates = tensor.map(t -> resolver.methodsNamed(t, outOfPlace)).orElse(List.of());
      if (why == null && candidates.isEmpty()) {
        why = "Tensor has no out-of-place '" + outOfPlace + "'";
      }
      if (why != null) {
        report.add(Message.UNSUPPORTED_IN_PLACE, site(call), name, why, rewrite);
        return;
      }
      List<Operand> lowered = lowerArgs(call);
      if (lowered == null) {
        return;
      }
      List<Type> argTypes = lowered.stream().map(Operand::type).toList();
      Optional<ExecutableElement> m = resolver.pickOverload(candidates, argTypes);
      if (m.isEmpty() || resolver.typeOf(m.get().getReturnType()).kind() != Type.Kind.TENSOR) {
        report.add(Message.UNSUPPORTED_IN_PLACE, site(call), name, "Tensor has no out-of-place '" + outOfPlace
            + "(" + String.join(", ", argTypes.stream().map(Type::toString).toList()) + ")" + "' returning a tensor", rewrite);
        return;
      }
      Callee callee = classify(m.get(), false, Optional.of(current), call);
      if (callee == null) {
        return;
      }
      Typed op = new Typed(new Op.Call(callee, Optional.of(current), lowered), Type.TENSOR, outOfPlace, call);
      if (mutable.contains(current.name())) {
        assignInPlace(current, op, originFor(op));
        return;
      }
      Var v = new Var(freshUserName(receiver), Type.TENSOR);
      out.add(new Stmt.Assign(v, op.op(), originFor(op)));
      scope.put(receiver, v);
    }

    /**
     * The fix-it of an in-place call that cannot be differentiated: its out-of-place form assigned to the
     * local {@code receiver} ({@code copy_} becomes the assignment of its source); with no local to assign
     * (a view, a field, an expression), how to build the changed value instead. {@code aliased}: what shares
     * the local's tensor keeps the old values, so it says to compute those again.
     */
    private String inPlaceFix(String name, String receiver, ExpressionTree q, MethodInvocationTree call,
        boolean aliased) {
      String outOfPlace = name.substring(0, name.length() - 1);
      String args = String.join(", ", call.getArguments().stream().map(this::text).toList());
      if (receiver == null) {
        return "Compute the changed tensor out of place into a local instead (" + (name.equals("copy_")
            ? "for a slice, Tensor.cat of the kept pieces and the new one"
            : "'" + text(q) + "." + outOfPlace + "(" + args + ")', or Tensor.cat / where / maskedFill to rebuild the"
                + " whole tensor") + ") and use that local afterwards";
      }
      String form = name.equals("copy_") && call.getArguments().size() == 1
          ? receiver + " = " + args
          : receiver + " = " + receiver + "." + outOfPlace + "(" + args + ")";
      return "Write the out-of-place form, '" + form + "'" + (aliased ? ", and compute what shares '" + receiver
          + "' (a view, a record, a call's result) again from the new '" + receiver + "' where it should see the"
          + " change" : "");
    }

    private Map<String, List<Long>> aliases;
    private Map<String, List<Long>> declarations;

    /**
     * The source positions of every local declaration in the body, by name (parameters at -1), read once:
     * the alias checks of in-place calls ask which binding of a name is in effect at a position.
     */
    private Map<String, List<Long>> declarations() {
      if (declarations == null) {
        Map<String, List<Long>> found = new HashMap<>();
        for (VariableElement p : method.getParameters()) {
          found.computeIfAbsent(p.getSimpleName().toString(), k -> new ArrayList<>()).add(-1L);
        }
        new TreeScanner<Void, Void>() {
          @Override
          public Void visitVariable(VariableTree v, Void p) {
            found.computeIfAbsent(v.getName().toString(), k -> new ArrayList<>())
                .add(positions.getStartPosition(unit, v));
            return super.visitVariable(v, p);
          }
        }.scan(tree.getBody(), null);
        declarations = found;
      }
      return declarations;
    }

    /**
     * Whether {@code name} may share its tensor with another name where {@code at} runs: an alias made
     * before {@code at} in the source, or anywhere in the outermost loop around {@code at} (a later
     * statement of a loop runs before its next iteration).
     */
    private boolean aliasedBefore(String name, Tree at) {
      List<Long> events = aliases().getOrDefault(name, List.of());
      long pos = positions.getStartPosition(unit, at);
      Tree loop = null;
      for (TreePath p = trees.getPath(unit, at); p != null && p.getLeaf() != tree; p = p.getParentPath()) {
        switch (p.getLeaf().getKind()) {
          case FOR_LOOP, ENHANCED_FOR_LOOP, WHILE_LOOP, DO_WHILE_LOOP -> loop = p.getLeaf();
          default -> { }
        }
      }
      long loopStart = loop == null ? -1 : positions.getStartPosition(unit, loop);
      long loopEnd = loop == null ? -1 : positions.getEndPosition(unit, loop);
      List<Long> declared = declarations().getOrDefault(name, List.of());
      if (loop != null && declared.stream().anyMatch(d -> d >= loopStart && d < pos)) {
        // declared in the loop body before 'at': each iteration binds a new tensor, so an alias made later
        // in the loop cannot reach the next iteration's in-place call
        loop = null;
      }
      long binding = declared.stream().filter(d -> d < pos).max(Long::compare).orElse(-1L);
      for (long e : events) {
        if ((e >= binding && e < pos) || (loop != null && e >= loopStart && e <= loopEnd)) {
          return true;
        }
      }
      return false;
    }

    /** Methods of a tensor that may return the tensor itself or share its storage, besides {@link #VIEWS}. */
    private static final Set<String> SELF_OR_VIEW = Set.of("to", "toDouble", "toFloat", "requiresGrad", "data");

    /** Static functions of {@code Tensor} and {@code F} that may return an argument itself. */
    private static final Set<String> PASSING_ON = Set.of("dropout", "identity");

    /**
     * Adds to {@code roots} the locals whose tensor the value of {@code e} may be or share storage with,
     * following views, {@code ?:}, assignments, records and calls we do not know (their arguments may come
     * back); returns whether {@code e} may also hold a tensor of no local (a field, an element, an unknown
     * call's result). A tensor operation that is not a view makes a new tensor: no roots.
     */
    private boolean sharedRoots(ExpressionTree e, Set<String> roots) {
      ExpressionTree v = stripParens(e);
      if (v instanceof TypeCastTree c) {
        return sharedRoots(c.getExpression(), roots);
      }
      if (v instanceof IdentifierTree id) {
        roots.add(id.getName().toString());
        return false;
      }
      if (v instanceof com.sun.source.tree.ConditionalExpressionTree c) {
        boolean a = sharedRoots(c.getTrueExpression(), roots);
        return sharedRoots(c.getFalseExpression(), roots) || a;
      }
      if (v instanceof AssignmentTree a) {
        if (a.getVariable() instanceof IdentifierTree id) {
          roots.add(id.getName().toString());
        }
        return sharedRoots(a.getExpression(), roots);
      }
      if (v instanceof com.sun.source.tree.NewClassTree n) {
        // a record or object holding its arguments
        for (ExpressionTree arg : n.getArguments()) {
          sharedRoots(arg, roots);
        }
        return true;
      }
      if (v instanceof MethodInvocationTree mi) {
        if (!(mi.getMethodSelect() instanceof MemberSelectTree ms)) {
          // a method of this class: its result may be one of its arguments
          mi.getArguments().forEach(arg -> sharedRoots(arg, roots));
          return true;
        }
        String method = ms.getIdentifier().toString();
        ExpressionTree q = stripParens(ms.getExpression());
        String qText = q.toString();
        boolean onType = q instanceof IdentifierTree && !declarations().containsKey(qText)
            && resolver.field(enclosing, qText).isEmpty();
        if (onType) {
          if ((qText.equals("Tensor") || qText.equals("F")) && !PASSING_ON.contains(method)) {
            return false;
          }
          // a static method elsewhere (or one that may pass an argument on): its result may be an argument
          mi.getArguments().forEach(arg -> sharedRoots(arg, roots));
          return true;
        }
        if (VIEWS.contains(method) || SELF_OR_VIEW.contains(method) || method.endsWith("_")) {
          return sharedRoots(q, roots);
        }
        if (tensorMethod(method) && !heldByOther(q) || libraryLayer(q) && !PASSING_ON_LAYERS.contains(qTypeName(q))) {
          // an operation of a tensor that is not a view, or a library layer's forward: a new tensor
          return false;
        }
        // a method of a record, list, module or other object: it may return what the object holds
        sharedRoots(q, roots);
        mi.getArguments().forEach(arg -> sharedRoots(arg, roots));
        return true;
      }
      if (v instanceof com.sun.source.tree.SwitchExpressionTree sw) {
        // what each arm yields, as for ?:
        new TreeScanner<Void, Void>() {
          @Override
          public Void visitYield(com.sun.source.tree.YieldTree y, Void p) {
            sharedRoots(y.getValue(), roots);
            return null;
          }

          @Override
          public Void visitCase(com.sun.source.tree.CaseTree c, Void p) {
            if (c.getBody() instanceof ExpressionTree body) {
              sharedRoots(body, roots);
            }
            return super.visitCase(c, p);
          }
        }.scan(sw, null);
        return true;
      }
      if (v instanceof MemberSelectTree || v instanceof com.sun.source.tree.ArrayAccessTree
          || v instanceof com.sun.source.tree.LambdaExpressionTree) {
        // a field, an element, a lambda: what it holds is not a local's
        return true;
      }
      // literals, arithmetic: no tensor of a local
      return false;
    }

    /**
     * Whether {@code q} names a local or field declared with a type other than {@code Tensor} (a record, a
     * list, a module): a method of it named like a tensor operation may still return what it holds.
     */
    private boolean heldByOther(ExpressionTree q) {
      ExpressionTree v = stripParens(q);
      if (!(v instanceof IdentifierTree id)) {
        return false;
      }
      String name = id.getName().toString();
      List<String> types = localTypes().get(name);
      if (types != null) {
        // the declaration in scope here (a name declared again in a sibling block has another type there)
        String here = typeInScope(name, positions.getStartPosition(unit, v));
        return here != null ? !(here.equals("Tensor") || here.equals("dev.adjoint.Tensor"))
            : !types.stream().allMatch(t -> t.equals("Tensor") || t.equals("dev.adjoint.Tensor"));
      }
      String field = qTypeName(v);
      return !field.isEmpty() && !field.equals("dev.adjoint.Tensor");
    }

    /** Library layers whose forward may return its input itself (PyTorch's Dropout in eval mode, Identity). */
    private static final Set<String> PASSING_ON_LAYERS = Set.of("dev.adjoint.nn.Dropout", "dev.adjoint.nn.Identity",
        "dev.adjoint.nn.Sequential", "dev.adjoint.nn.ModuleList", "dev.adjoint.nn.ModuleDict");

    /** The type of the field {@code q} ({@code fc} or {@code this.fc}) names, or "". */
    private String qTypeName(ExpressionTree q) {
      String name = q instanceof IdentifierTree id ? id.getName().toString()
          : q instanceof MemberSelectTree ms && ms.getExpression().toString().equals("this")
              ? ms.getIdentifier().toString() : null;
      if (name == null || q instanceof IdentifierTree && declarations().containsKey(name)) {
        return "";
      }
      return resolver.field(enclosing, name).map(f -> types.erasure(f.asType()).toString()).orElse("");
    }

    /** The runtime's modules that hold other modules, which {@code @Differentiable} code does not follow. */
    private static final Set<String> CONTAINERS = Set.of("dev.adjoint.nn.Sequential", "dev.adjoint.nn.ModuleList",
        "dev.adjoint.nn.ModuleDict");

    /**
     * The simple name of the container a module call's receiver {@code q} is or comes out of: a container field
     * ({@code seq}) or an element of one ({@code layers.get(i)}); {@code null} otherwise.
     */
    private String container(ExpressionTree q) {
      String t = qTypeName(q);
      if (CONTAINERS.contains(t)) {
        return t.substring(t.lastIndexOf('.') + 1);
      }
      if (q instanceof MethodInvocationTree mi && mi.getMethodSelect() instanceof MemberSelectTree ms) {
        String held = qTypeName(stripParens(ms.getExpression()));
        if (CONTAINERS.contains(held)) {
          return held.substring(held.lastIndexOf('.') + 1);
        }
      }
      return null;
    }

    /** Whether {@code q} is a field holding one of the runtime's own layers ({@code dev.adjoint.nn}). */
    private boolean libraryLayer(ExpressionTree q) {
      String t = qTypeName(q);
      return t.startsWith("dev.adjoint.nn.") && t.indexOf('.', "dev.adjoint.nn.".length()) < 0;
    }

    private Set<String> tensorMethods;

    /** Whether {@code Tensor} has an instance method of this name returning a tensor. */
    private boolean tensorMethod(String name) {
      if (tensorMethods == null) {
        tensorMethods = new HashSet<>();
        resolver.resolveTypeName("dev.adjoint.Tensor", unit, enclosing).ifPresent(t -> {
          for (Element e : t.getEnclosedElements()) {
            if (e instanceof ExecutableElement m && !m.getModifiers().contains(Modifier.STATIC)
                && m.getReturnType().toString().equals("dev.adjoint.Tensor")) {
              tensorMethods.add(m.getSimpleName().toString());
            }
          }
        });
      }
      return tensorMethods.contains(name);
    }

    private Map<String, List<String>> localTypes;
    private Map<String, List<Long>> scopeEnds;

    /**
     * The declared type of the binding of {@code name} in scope at {@code pos}: the latest declaration before it
     * whose block (or loop, for a loop variable) encloses it; {@code null} when none is found.
     */
    private String typeInScope(String name, long pos) {
      List<Long> at = declarations().getOrDefault(name, List.of());
      List<String> types = localTypes().getOrDefault(name, List.of());
      List<Long> ends = scopeEnds().getOrDefault(name, List.of());
      if (at.size() != types.size() || at.size() != ends.size()) {
        return null;
      }
      String found = null;
      long best = Long.MIN_VALUE;
      for (int i = 0; i < at.size(); i++) {
        if (at.get(i) < pos && pos <= ends.get(i) && at.get(i) > best) {
          best = at.get(i);
          found = types.get(i);
        }
      }
      return found;
    }

    /** Where the scope of each declaration of {@link #declarations()} ends, in the same order (parameters: never). */
    private Map<String, List<Long>> scopeEnds() {
      if (scopeEnds == null) {
        Map<String, List<Long>> found = new HashMap<>();
        for (VariableElement p : method.getParameters()) {
          found.computeIfAbsent(p.getSimpleName().toString(), k -> new ArrayList<>()).add(Long.MAX_VALUE);
        }
        new TreeScanner<Void, Void>() {
          @Override
          public Void visitVariable(VariableTree v, Void p) {
            TreePath path = trees.getPath(unit, v);
            Tree parent = path == null || path.getParentPath() == null ? null : path.getParentPath().getLeaf();
            found.computeIfAbsent(v.getName().toString(), k -> new ArrayList<>())
                .add(parent == null ? Long.MAX_VALUE : positions.getEndPosition(unit, parent));
            return super.visitVariable(v, p);
          }
        }.scan(tree.getBody(), null);
        scopeEnds = found;
      }
      return scopeEnds;
    }

    /** The declared type of each local and parameter of the method, as written, by name. */
    private Map<String, List<String>> localTypes() {
      if (localTypes == null) {
        Map<String, List<String>> found = new HashMap<>();
        for (VariableElement p : method.getParameters()) {
          found.computeIfAbsent(p.getSimpleName().toString(), k -> new ArrayList<>()).add(p.asType().toString());
        }
        new TreeScanner<Void, Void>() {
          @Override
          public Void visitVariable(VariableTree v, Void p) {
            found.computeIfAbsent(v.getName().toString(), k -> new ArrayList<>())
                .add(v.getType() == null ? "var" : v.getType().toString());
            return super.visitVariable(v, p);
          }
        }.scan(tree.getBody(), null);
        localTypes = found;
      }
      return localTypes;
    }

    /**
     * Where each local name may start to share a tensor with another name: assigned from a plain name,
     * a conditional, an array element, a view or a call other than a tensor operation; or its value
     * assigned to another name (source positions of those definitions).
     */
    private Map<String, List<Long>> aliases() {
      if (aliases != null) {
        return aliases;
      }
      Map<String, List<Long>> found = new HashMap<>();
      java.util.function.BiConsumer<String, Tree> mark = (n, t) ->
          found.computeIfAbsent(n, k -> new ArrayList<>()).add(positions.getStartPosition(unit, t));
      java.util.function.BiConsumer<String, ExpressionTree> definition = (target, value) -> {
        ExpressionTree v = stripParens(value);
        Set<String> roots = new java.util.TreeSet<>();
        if (sharedRoots(v, roots)) {
          mark.accept(target, v);
        }
        for (String r : roots) {
          mark.accept(target, v);
          mark.accept(r, v);
        }
      };
      new TreeScanner<Void, Void>() {
        @Override
        public Void visitVariable(VariableTree v, Void p) {
          if (v.getInitializer() != null) {
            definition.accept(v.getName().toString(), v.getInitializer());
          }
          return super.visitVariable(v, p);
        }

        @Override
        public Void visitAssignment(AssignmentTree a, Void p) {
          if (a.getVariable() instanceof IdentifierTree id) {
            definition.accept(id.getName().toString(), a.getExpression());
          }
          return super.visitAssignment(a, p);
        }

        @Override
        public Void visitConditionalExpression(com.sun.source.tree.ConditionalExpressionTree c, Void p) {
          for (ExpressionTree e : List.of(c.getTrueExpression(), c.getFalseExpression())) {
            if (stripParens(e) instanceof IdentifierTree id) {
              mark.accept(id.getName().toString(), e);
            }
          }
          return super.visitConditionalExpression(c, p);
        }
      }.scan(tree.getBody(), null);
      aliases = found;
      return found;
    }

    /**
     * {@code o}, or a copy of it when {@code later} (evaluated after it, as Java evaluates left to right)
     * assigns the mutable variable {@code o} is: {@code y + (y = 1.0)} adds the old {@code y}.
     */
    private Operand settled(Operand o, ExpressionTree later) {
      if (!(o instanceof Var v)) {
        return o;
      }
      boolean[] assigns = {false};
      // a ?:, switch, && or || in the later operand makes the variables it assigns mutable when it is read, after
      // this operand was: then an assignment there overwrites this very variable (value / ((value = 1) < 0 ? a : b))
      boolean[] branches = {false};
      new TreeScanner<Void, Void>() {
        @Override
        public Void visitConditionalExpression(com.sun.source.tree.ConditionalExpressionTree c, Void p) {
          branches[0] = true;
          return super.visitConditionalExpression(c, p);
        }

        @Override
        public Void visitSwitchExpression(com.sun.source.tree.SwitchExpressionTree w, Void p) {
          branches[0] = true;
          return super.visitSwitchExpression(w, p);
        }

        @Override
        public Void visitBinary(BinaryTree b, Void p) {
          if (b.getKind() == Tree.Kind.CONDITIONAL_AND || b.getKind() == Tree.Kind.CONDITIONAL_OR) {
            branches[0] = true;
          }
          return super.visitBinary(b, p);
        }

        @Override
        public Void visitAssignment(AssignmentTree a, Void p) {
          assigns[0] = true;
          return super.visitAssignment(a, p);
        }

        @Override
        public Void visitCompoundAssignment(CompoundAssignmentTree a, Void p) {
          assigns[0] = true;
          return super.visitCompoundAssignment(a, p);
        }

        @Override
        public Void visitUnary(UnaryTree u, Void p) {
          switch (u.getKind()) {
            case PREFIX_INCREMENT, POSTFIX_INCREMENT, PREFIX_DECREMENT, POSTFIX_DECREMENT -> assigns[0] = true;
            default -> { }
          }
          return super.visitUnary(u, p);
        }
      }.scan(later, null);
      if (!assigns[0] || !mutable.contains(v.name()) && !branches[0]) {
        return o;
      }
      Var copy = temp(v.name().replaceAll("\\d+$", "") + "Before", v.type());
      out.add(new Stmt.Assign(copy, new Op.Copy(v), origin));
      return copy;
    }

    /** {@code i++} and friends as statements: {@code i = i + 1} on a numeric local. */
    private void increment(UnaryTree u) {
      String target = localTarget(u.getExpression());
      if (target == null) {
        return;
      }
      Var current = scope.get(target);
      if (!current.type().numeric()) {
        report.add(Message.UNSUPPORTED_OPERATOR, site(u), u.getKind().toString().contains("INCREMENT") ? "++" : "--",
            describe(current.type()));
        return;
      }
      char op = u.getKind() == Tree.Kind.PREFIX_INCREMENT || u.getKind() == Tree.Kind.POSTFIX_INCREMENT ? '+' : '-';
      Typed arith = new Typed(new Op.Arith(op, current, Const.literal("1", Type.INT)), current.type(),
          op == '+' ? "add" : "sub");
      if (mutable.contains(current.name())) {
        assignInPlace(current, arith, origin);
        return;
      }
      Var v = new Var(freshUserName(target), current.type());
      out.add(new Stmt.Assign(v, arith.op(), origin));
      scope.put(target, v);
    }

    private String localTarget(ExpressionTree variable) {
      if (variable instanceof IdentifierTree id && scope.get(id.getName().toString()) instanceof Var v
          && v.type().isTensorArray()) {
        report.add(Message.UNSUPPORTED_EXPRESSION, site(variable), "assignments to a Tensor[] parameter");
        return null;
      }
      if (variable instanceof IdentifierTree id && scope.containsKey(id.getName().toString())) {
        return id.getName().toString();
      }
      report.add(Message.UNSUPPORTED_EXPRESSION, site(variable), "assignments to fields or array elements");
      return null;
    }

    private void returnStatement(ReturnTree r) {
      if (r.getExpression() == null) {
        return;
      }
      if (result != null) {
        // an early return: the value goes to one result variable and a flag skips the rest
        Operand v = atom(r.getExpression());
        out.add(new Stmt.Assign(result, new Op.Copy(v), origin));
        if (depth > 0) {
          out.add(new Stmt.Assign(returned, new Op.Copy(Const.literal("true", Type.BOOLEAN)), origin));
          pending.add(returned);
          raised.add(returned);
        }
        return;
      }
      Operand value = atom(r.getExpression());
      out.add(new Stmt.Return(value, origin));
    }

    // ------------------------------------------------------------------------------------------
    // expressions

    /** An operation with its result type and the base name for a temporary holding it. */
    private record Typed(Op op, Type type, String base, Tree at) {
      Typed(Op op, Type type, String base) {
        this(op, type, base, null);
      }
    }

    private Origin originFor(Typed op) {
      return op.at() == null ? origin : origin.at(site(op.at()));
    }

    private static final Const ERROR = Const.literal("?", Type.ERROR);
    /** The type of an {@code int[]} constant ({@code new int[] {2, 3}}). */
    private static final Type INT_ARRAY = Type.other("int[]");

    /** Lowers an expression to an atomic operand, assigning a temporary if it is an operation. */
    private Operand atom(ExpressionTree e) {
      switch (e.getKind()) {
        case PARENTHESIZED:
          return atom(((ParenthesizedTree) e).getExpression());
        case INT_LITERAL:
        case LONG_LITERAL:
        case FLOAT_LITERAL:
        case DOUBLE_LITERAL:
        case BOOLEAN_LITERAL:
        case STRING_LITERAL:
        case CHAR_LITERAL:
        case NULL_LITERAL:
          return literal((LiteralTree) e, "");
        case IDENTIFIER:
          return identifier((IdentifierTree) e);
        case MEMBER_SELECT: {
          MemberSelectTree ms = (MemberSelectTree) e;
          if (ms.getIdentifier().contentEquals("length") && ms.getExpression() instanceof IdentifierTree aid
              && scope.get(aid.getName().toString()) instanceof Var av && av.type().spelling().endsWith("[]")) {
            Var length = temp("length", Type.INT);
            out.add(new Stmt.Assign(length, new Op.Length(av), origin));
            return length;
          }
          if (ms.getExpression() instanceof IdentifierTree id && id.getName().contentEquals("this")) {
            return fieldOperand(ms.getIdentifier().toString(), e).orElse(ERROR);
          }
          if (ms.getExpression() instanceof IdentifierTree eid && scope.get(eid.getName().toString()) instanceof Var ev
              && ev.type().kind() == Type.Kind.ERROR) {
            return ERROR; // the variable's own error is reported already: one message per root cause
          }
          Optional<TypeElement> owner = resolver.resolveTypeName(ms.getExpression().toString(), unit, enclosing);
          if (owner.isPresent() && !scope.containsKey(ms.getExpression().toString())) {
            Optional<VariableElement> f = resolver.field(owner.get(), ms.getIdentifier().toString());
            if (f.isPresent() && f.get().getModifiers().contains(Modifier.STATIC)) {
              return staticField(owner.get(), f.get(), e);
            }
          }
          String q = ms.getExpression().toString();
          if (owner.isEmpty() && ms.getExpression() instanceof IdentifierTree && !scope.containsKey(q)
              && resolver.field(enclosing, q).isEmpty()) {
            report.add(Message.UNRESOLVED, site(ms.getExpression()), q);
            return ERROR;
          }
          report.add(Message.UNSUPPORTED_EXPRESSION, site(e), "the field access '" + e + "'");
          return ERROR;
        }
        case UNARY_MINUS: {
          ExpressionTree inner = ((UnaryTree) e).getExpression();
          while (inner instanceof ParenthesizedTree p) {
            inner = p.getExpression();
          }
          if (inner instanceof LiteralTree lit) {
            return literal(lit, "-");
          }
          break;
        }
        case UNARY_PLUS: {
          Operand x = atom(((UnaryTree) e).getExpression());
          if (x.type().kind() != Type.Kind.ERROR && !x.type().numeric()) {
            report.add(Message.UNSUPPORTED_OPERATOR, site(e), "+", describe(x.type()));
            return ERROR;
          }
          return x;
        }
        case CONDITIONAL_EXPRESSION:
          return conditional((com.sun.source.tree.ConditionalExpressionTree) e);
        case SWITCH_EXPRESSION:
          return switchExpression((com.sun.source.tree.SwitchExpressionTree) e);
        case NEW_ARRAY: {
          // new int[] {2, -1} of constants: a constant itself, so shapes can read it (other arrays: an error below)
          String ints = ConstantFolder.intArray((com.sun.source.tree.NewArrayTree) e);
          if (ints != null) {
            return Const.literal(ints, INT_ARRAY);
          }
          break;
        }
        case ASSIGNMENT: {
          // an assignment used as a value (a = b = x, while ((x = f(x)) > 0)): assign, then read the variable
          AssignmentTree a = (AssignmentTree) e;
          String target = localTarget(a.getVariable());
          if (target == null) {
            return ERROR;
          }
          define(target, scope.get(target).type(), a.getExpression());
          Var v = scope.get(target);
          return v.type().kind() == Type.Kind.ERROR ? ERROR : v;
        }
        default:
          break;
      }
      Typed op = lowerOp(e);
      if (op == null) {
        return ERROR;
      }
      if (op.type().kind() == Type.Kind.ERROR) {
        return ERROR;
      }
      Var t = temp(op.base(), op.type());
      rememberPieces(t, op.op(), originFor(op));
      out.add(new Stmt.Assign(t, op.op(), originFor(op)));
      return t;
    }

    private Const literal(LiteralTree lit, String sign) {
      Type t = switch (lit.getKind()) {
        case INT_LITERAL -> Type.INT;
        case LONG_LITERAL -> Type.LONG;
        case FLOAT_LITERAL -> Type.FLOAT;
        case DOUBLE_LITERAL -> Type.DOUBLE;
        case BOOLEAN_LITERAL -> Type.BOOLEAN;
        case STRING_LITERAL -> Type.other("java.lang.String");
        case CHAR_LITERAL -> Type.INT;
        default -> Type.other("java.lang.Object");
      };
      return Const.literal(sign + text(lit), t);
    }

    private Operand identifier(IdentifierTree id) {
      String name = id.getName().toString();
      Var v = scope.get(name);
      if (v != null) {
        return v.type().kind() == Type.Kind.ERROR ? ERROR : v;
      }
      Optional<Operand> field = fieldOperand(name, id);
      if (field.isPresent()) {
        return field.get();
      }
      report.add(Message.UNRESOLVED, site(id), name);
      return ERROR;
    }

    private Optional<Operand> fieldOperand(String name, Tree at) {
      Optional<VariableElement> f = resolver.field(enclosing, name);
      if (f.isEmpty()) {
        report.add(Message.UNRESOLVED, site(at), name);
        return Optional.of(ERROR);
      }
      VariableElement field = f.get();
      if (field.getModifiers().contains(Modifier.STATIC)) {
        return Optional.of(staticField((TypeElement) field.getEnclosingElement(), field, at));
      }
      if (field.getModifiers().contains(Modifier.PRIVATE) && enclosing.getKind() == javax.lang.model.element.ElementKind.RECORD
          && enclosing.getRecordComponents().stream().anyMatch(rc -> rc.getSimpleName().contentEquals(name))) {
        // a record component: read through its accessor
        return Optional.of(nestedField(name + "()", resolver.typeOf(field.asType()), at).var());
      }
      if (field.getModifiers().contains(Modifier.PRIVATE)) {
        report.add(Message.PRIVATE_MEMBER, site(at), "field '" + name + "'", companionName(enclosing));
        return Optional.of(ERROR);
      }
      Input in = fields.get(name);
      if (in == null) {
        Type t = resolver.typeOf(field.asType());
        String varName = name;
        String component = name;
        if (params.stream().anyMatch(p -> p.var().name().equals(name))) {
          component = "this" + Character.toUpperCase(name.charAt(0)) + name.substring(1);
        }
        if (names.contains(varName) || scope.containsKey(varName)) {
          varName = component.equals(name) ? "this" + Character.toUpperCase(name.charAt(0)) + name.substring(1)
              : component;
        }
        names.add(varName);
        Tree ft = trees.getTree(field);
        in = new Input(name, new Var(varName, t), Input.Kind.FIELD, t.kind() == Type.Kind.TENSOR, component,
            new Site(unit, ft == null ? at : ft));
        fields.put(name, in);
      }
      return Optional.of(in.var());
    }

    /** The path of the field input bound to {@code o} ({@code "fc1"}), if {@code o} is one. */
    private Optional<String> fieldPath(Operand o) {
      for (Input in : fields.values()) {
        if (in.var().equals(o)) {
          return Optional.of(in.name());
        }
      }
      return Optional.empty();
    }

    /**
     * The input for a tensor inside a field's object, {@code path} relative to this object
     * ({@code "fc1.weight()"}, {@code "block.w"}): read once at entry as {@code self.<path>} and
     * differentiated like a field of this module; named by the path in camel case ({@code fc1Weight}).
     */
    private Input nestedField(String path, Type t, Tree at) {
      Input in = fields.get(path);
      if (in != null) {
        return in;
      }
      StringBuilder camel = new StringBuilder();
      boolean upper = false;
      for (char c : path.toCharArray()) {
        if (c == '.' || c == '(' || c == ')') {
          upper = camel.length() > 0;
          continue;
        }
        camel.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
      String varName = camel.toString();
      int n = 2;
      while (names.contains(varName) || scope.containsKey(varName)) {
        varName = camel + Integer.toString(n++);
      }
      names.add(varName);
      in = new Input(path, new Var(varName, t), Input.Kind.FIELD, t.kind() == Type.Kind.TENSOR, varName, site(at));
      fields.put(path, in);
      return in;
    }

    private Operand staticField(TypeElement owner, VariableElement field, Tree at) {
      if (field.getModifiers().contains(Modifier.PRIVATE)) {
        report.add(Message.PRIVATE_MEMBER, site(at), "field '" + field.getSimpleName() + "'",
            companionName(enclosing));
        return ERROR;
      }
      return new Const(field.getSimpleName().toString(), resolver.typeOf(field.asType()),
          owner.getQualifiedName().toString());
    }

    /** Lowers an operation (not an atom) to a typed op whose operands are atoms; null for atoms/errors. */
    private Typed lowerOp(ExpressionTree e) {
      switch (e.getKind()) {
        case PARENTHESIZED:
          return lowerOp(((ParenthesizedTree) e).getExpression());
        case INT_LITERAL, LONG_LITERAL, FLOAT_LITERAL, DOUBLE_LITERAL, BOOLEAN_LITERAL, STRING_LITERAL,
            CHAR_LITERAL, NULL_LITERAL, IDENTIFIER, MEMBER_SELECT:
          return null;
        case NEW_ARRAY:
          if (ConstantFolder.intArray((com.sun.source.tree.NewArrayTree) e) != null) {
            return null;
          }
          return intArray((com.sun.source.tree.NewArrayTree) e);
        case PLUS, MINUS, MULTIPLY, DIVIDE, REMAINDER: {
          BinaryTree b = (BinaryTree) e;
          Operand l = settled(atom(b.getLeftOperand()), b.getRightOperand());
          Operand r = atom(b.getRightOperand());
          char op = switch (e.getKind()) {
            case PLUS -> '+';
            case MINUS -> '-';
            case MULTIPLY -> '*';
            case DIVIDE -> '/';
            default -> '%';
          };
          return arith(op, l, r, e);
        }
        case UNARY_MINUS: {
          ExpressionTree inner = ((UnaryTree) e).getExpression();
          if (stripParens(inner) instanceof LiteralTree) {
            return null;
          }
          Operand x = atom(inner);
          if (x.type().kind() == Type.Kind.ERROR) {
            return null;
          }
          if (!x.type().numeric()) {
            report.add(Message.UNSUPPORTED_OPERATOR, site(e), "-", describe(x.type()));
            return null;
          }
          return new Typed(new Op.Neg(x), x.type(), "neg");
        }
        case UNARY_PLUS, CONDITIONAL_EXPRESSION, SWITCH_EXPRESSION: {
          Operand v = atom(e);
          return v.type().kind() == Type.Kind.ERROR ? null : new Typed(new Op.Copy(v), v.type(), "copy");
        }
        case NEW_CLASS:
          return newObject((com.sun.source.tree.NewClassTree) e);
        case TYPE_CAST: {
          TypeCastTree c = (TypeCastTree) e;
          Type to = resolver.typeOfTree(c.getType(), unit, enclosing);
          Operand x = atom(c.getExpression());
          if (x.type().kind() == Type.Kind.ERROR) {
            return null;
          }
          if (resolver.isModule(to) && resolver.isModule(x.type())) {
            // ((Linear) layers.get(0)).forward(h): a layer out of a ModuleList, a ModuleDict or a Sequential
            String held = stripParens(c.getExpression()) instanceof MethodInvocationTree mi
                && mi.getMethodSelect() instanceof MemberSelectTree ms ? qTypeName(stripParens(ms.getExpression()))
                : "";
            String container = held.isEmpty() ? "container" : held.substring(held.lastIndexOf('.') + 1);
            report.add(Message.MODULE_CONTAINER, site(e), "the cast to " + c.getType(), container, container);
            return null;
          }
          if (!to.numeric() || !x.type().numeric()) {
            report.add(Message.UNSUPPORTED_EXPRESSION, site(e), "the cast to " + c.getType());
            return null;
          }
          return new Typed(new Op.Cast(to, x), to, "to" + Character.toUpperCase(to.spelling().charAt(0))
              + to.spelling().substring(1));
        }
        case METHOD_INVOCATION:
          return lowerCall((MethodInvocationTree) e);
        case ARRAY_ACCESS: {
          var aa = (com.sun.source.tree.ArrayAccessTree) e;
          Operand array = atom(aa.getExpression());
          Operand index = atom(aa.getIndex());
          if (array.type().kind() == Type.Kind.ERROR || index.type().kind() == Type.Kind.ERROR) {
            return null;
          }
          boolean passive = switch (array.type().spelling()) {
            case "int[]", "long[]", "boolean[]" -> true;
            default -> false;
          };
          if (!array.type().isTensorArray() && !passive) {
            report.add(Message.UNSUPPORTED_EXPRESSION, site(e), "array access");
            return null;
          }
          if (index.type().kind() != Type.Kind.INT) {
            report.add(Message.UNSUPPORTED_EXPRESSION, site(aa.getIndex()), "an array index of type "
                + describe(index.type()));
            return null;
          }
          if (passive) {
            // an element of a passive array (x.shape()[0], an int[] parameter): passive
            String component = array.type().spelling().substring(0, array.type().spelling().length() - 2);
            Type t = component.equals("int") ? Type.INT : component.equals("long") ? Type.LONG : Type.BOOLEAN;
            return new Typed(new Op.Element(array, index), t, "element");
          }
          return new Typed(new Op.Element(array, index), Type.TENSOR, "element");
        }
        case ASSIGNMENT: {
          Operand v = atom(e);
          return v.type().kind() == Type.Kind.ERROR ? null : new Typed(new Op.Copy(v), v.type(), "copy");
        }
        case LOGICAL_COMPLEMENT: {
          int errors = report.errorCount();
          Cond c = condition(e);
          return report.errorCount() > errors ? null : new Typed(new Op.Test(c), Type.BOOLEAN, "test");
        }
        case PREFIX_INCREMENT, POSTFIX_INCREMENT, PREFIX_DECREMENT, POSTFIX_DECREMENT, BITWISE_COMPLEMENT: {
          String sym = switch (e.getKind()) {
            case PREFIX_INCREMENT, POSTFIX_INCREMENT -> "++";
            case PREFIX_DECREMENT, POSTFIX_DECREMENT -> "--";
            case LOGICAL_COMPLEMENT -> "!";
            default -> "~";
          };
          report.add(Message.UNSUPPORTED_OPERATOR, site(e), sym, "any value");
          return null;
        }
        case LESS_THAN, LESS_THAN_EQUAL, GREATER_THAN, GREATER_THAN_EQUAL, EQUAL_TO, NOT_EQUAL_TO,
            CONDITIONAL_AND, CONDITIONAL_OR: {
          // a condition used as a value: passive, like a branch decision
          int errors = report.errorCount();
          Cond c = condition(e);
          return report.errorCount() > errors ? null : new Typed(new Op.Test(c), Type.BOOLEAN, "test");
        }
        case AND, OR, XOR: {
          BinaryTree b = (BinaryTree) e;
          Operand l = settled(atom(b.getLeftOperand()), b.getRightOperand());
          Operand r = atom(b.getRightOperand());
          if (l.type().kind() == Type.Kind.ERROR || r.type().kind() == Type.Kind.ERROR) {
            return null;
          }
          boolean integral = (l.type().kind() == Type.Kind.INT || l.type().kind() == Type.Kind.LONG)
              && (r.type().kind() == Type.Kind.INT || r.type().kind() == Type.Kind.LONG);
          if (!integral) {
            Type bad = l.type().kind() == Type.Kind.INT || l.type().kind() == Type.Kind.LONG ? r.type() : l.type();
            report.add(Message.UNSUPPORTED_OPERATOR, site(e), operatorSymbol(e.getKind()), describe(bad));
            return null;
          }
          char op = e.getKind() == Tree.Kind.AND ? '&' : e.getKind() == Tree.Kind.OR ? '|' : '^';
          // bitwise operations on int and long: passive, like any integer arithmetic
          return new Typed(new Op.Arith(op, l, r), Type.promote(l.type(), r.type()), "bits");
        }
        case LEFT_SHIFT, RIGHT_SHIFT, UNSIGNED_RIGHT_SHIFT: {
          report.add(Message.UNSUPPORTED_OPERATOR, site(e), operatorSymbol(e.getKind()), "any value");
          return null;
        }
        default:
          report.add(Message.UNSUPPORTED_EXPRESSION, site(e), expressionName(e.getKind()));
          return null;
      }
    }

    /**
     * {@code new int[] {b, 5}} with elements that are not all constants: ints carry no gradient, so the array is a
     * passive value like the constant form ({@code new int[] {2, -1}}) wherever that is accepted (a shape, dims).
     * Any other array is refused, saying what it holds: its elements would not be followed.
     */
    private Typed intArray(com.sun.source.tree.NewArrayTree a) {
      String element = a.getType() == null ? null : a.getType().toString();
      if (!a.getDimensions().isEmpty() || a.getInitializers() == null) {
        String dims = String.join("", a.getDimensions().stream().map(d -> "[" + d + "]").toList());
        report.add(Message.UNSUPPORTED_EXPRESSION, site(a), "array creation with a length ('new " + element + dims
            + "'); write the elements instead ('new int[] {b, 5}')");
        return null;
      }
      if (element != null && !element.equals("int")) {
        report.add(Message.UNSUPPORTED_EXPRESSION, site(a), "an array of " + element + (element.equals("Tensor")
            || element.equals("double") || element.equals("float") ? " values (its elements can carry a gradient,"
            + " which an array does not follow; only int[] of sizes and dimensions is supported)"
            : " values (only int[] of sizes and dimensions is supported)"));
        return null;
      }
      List<Operand> elements = new ArrayList<>();
      for (ExpressionTree x : a.getInitializers()) {
        Operand o = atom(x);
        if (o.type().kind() == Type.Kind.ERROR) {
          return null;
        }
        if (o.type().kind() != Type.Kind.INT) {
          report.add(Message.UNSUPPORTED_EXPRESSION, site(x), "an array element of type " + describe(o.type())
              + (o.type().differentiable() ? " (it can carry a gradient, which an array does not follow;"
              + " only int[] of sizes and dimensions is supported)" : " (only int[] of sizes and dimensions is"
              + " supported)"));
          return null;
        }
        elements.add(o);
      }
      Callee.Passive make = new Callee.Passive("int[]", "new", true, false, "new int[]");
      return new Typed(new Op.Call(make, Optional.empty(), elements), INT_ARRAY, "dims", a);
    }

    private boolean isAtomic(ExpressionTree e) {
      ExpressionTree x = stripParens(e);
      return switch (x.getKind()) {
        case INT_LITERAL, LONG_LITERAL, FLOAT_LITERAL, DOUBLE_LITERAL, BOOLEAN_LITERAL, STRING_LITERAL,
            CHAR_LITERAL, NULL_LITERAL, IDENTIFIER, MEMBER_SELECT -> true;
        case UNARY_MINUS -> stripParens(((UnaryTree) x).getExpression()) instanceof LiteralTree;
        case NEW_ARRAY -> ConstantFolder.intArray((com.sun.source.tree.NewArrayTree) x) != null;
        default -> false;
      };
    }

    private ExpressionTree stripParens(ExpressionTree e) {
      while (e instanceof ParenthesizedTree p) {
        e = p.getExpression();
      }
      return e;
    }

    private String operatorSymbol(Tree.Kind k) {
      return switch (k) {
        case LESS_THAN -> "<";
        case LESS_THAN_EQUAL -> "<=";
        case GREATER_THAN -> ">";
        case GREATER_THAN_EQUAL -> ">=";
        case EQUAL_TO -> "==";
        case NOT_EQUAL_TO -> "!=";
        case CONDITIONAL_AND -> "&&";
        case CONDITIONAL_OR -> "||";
        case AND -> "&";
        case OR -> "|";
        case XOR -> "^";
        case LEFT_SHIFT -> "<<";
        case RIGHT_SHIFT -> ">>";
        default -> ">>>";
      };
    }

    private String expressionName(Tree.Kind k) {
      return switch (k) {
        case CONDITIONAL_EXPRESSION -> "the conditional operator '?:'";
        case NEW_CLASS -> "object creation with 'new'";
        case NEW_ARRAY -> "array creation";
        case ARRAY_ACCESS -> "array access";
        case LAMBDA_EXPRESSION -> "lambda expressions";
        case MEMBER_REFERENCE -> "method references";
        case INSTANCE_OF -> "'instanceof'";
        case SWITCH_EXPRESSION -> "'switch' expressions";
        case ASSIGNMENT, PLUS_ASSIGNMENT, MINUS_ASSIGNMENT, MULTIPLY_ASSIGNMENT, DIVIDE_ASSIGNMENT,
            REMAINDER_ASSIGNMENT, AND_ASSIGNMENT, OR_ASSIGNMENT, XOR_ASSIGNMENT, LEFT_SHIFT_ASSIGNMENT,
            RIGHT_SHIFT_ASSIGNMENT, UNSIGNED_RIGHT_SHIFT_ASSIGNMENT -> "assignments inside expressions";
        default -> k.toString().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
      };
    }

    /** The simple name of a declared type ({@code ModuleList} for {@code dev.adjoint.nn.ModuleList}). */
    private String simpleName(Type t) {
      return resolver.classOf(t).map(c -> c.getSimpleName().toString()).orElse(describe(t));
    }

    /** The qualified name of the enum {@code t} names, if it is an enum type. */
    private Optional<String> enumOf(Type t) {
      return resolver.classOf(t).filter(c -> c.getKind() == javax.lang.model.element.ElementKind.ENUM)
          .map(c -> c.getQualifiedName().toString());
    }

    private String describe(Type t) {
      return t.kind() == Type.Kind.TENSOR ? "Tensor" : t.spelling();
    }

    private Typed arith(char op, Operand l, Operand r, Tree at) {
      if (l.type().kind() == Type.Kind.ERROR || r.type().kind() == Type.Kind.ERROR) {
        return null;
      }
      Type string = Type.other("java.lang.String");
      if (op == '+' && (l.type().equals(string) || r.type().equals(string))) {
        // string concatenation (a message, a log line): passive
        return new Typed(new Op.Arith(op, l, r), string, "text");
      }
      if (!l.type().numeric() || !r.type().numeric()) {
        Type bad = l.type().numeric() ? r.type() : l.type();
        report.add(Message.UNSUPPORTED_OPERATOR, site(at), String.valueOf(op), describe(bad));
        return null;
      }
      Type t = Type.promote(l.type(), r.type());
      if (op == '%' && t.floating()) {
        report.add(Message.UNSUPPORTED_OPERATOR, site(at), "%", t.spelling());
        return null;
      }
      String base = switch (op) {
        case '+' -> "add";
        case '-' -> "sub";
        case '*' -> "mul";
        case '/' -> "div";
        default -> "rem";
      };
      return new Typed(new Op.Arith(op, l, r), t, base);
    }

    // ------------------------------------------------------------------------------------------
    // calls

    /** The receiver of the {@code detach()} call being lowered ({@code emb.weight()} in {@code emb.weight().detach()}). */
    private Tree detachedReceiver;

    private Typed lowerCall(MethodInvocationTree call) {
      ExpressionTree select = call.getMethodSelect();
      String name;
      Optional<Operand> receiver = Optional.empty();
      List<ExecutableElement> candidates;
      boolean onThis = false;
      if (select instanceof IdentifierTree id) {
        name = id.getName().toString();
        candidates = resolver.methodsNamed(enclosing, name);
        onThis = true;
        if (candidates.isEmpty()) {
          candidates = resolver.staticImports(name, unit);
          onThis = false;
        }
      } else if (select instanceof MemberSelectTree ms) {
        name = ms.getIdentifier().toString();
        ExpressionTree q = ms.getExpression();
        String qs = q.toString();
        if (q instanceof IdentifierTree qid && qid.getName().contentEquals("this")) {
          candidates = resolver.methodsNamed(enclosing, name);
          onThis = true;
        } else if (q instanceof IdentifierTree qid && qid.getName().contentEquals("super")) {
          report.add(Message.UNSUPPORTED_EXPRESSION, site(q), "'super' calls");
          return null;
        } else if (isValue(q)) {
          Tree outerDetached = detachedReceiver;
          // x.detach() says no gradient is wanted: a getter of a module's tensor detached at once is a constant
          detachedReceiver = name.equals("detach") && call.getArguments().isEmpty() ? stripParens(q) : null;
          Operand r = atom(q);
          detachedReceiver = outerDetached;
          if (r.type().kind() == Type.Kind.ERROR) {
            lowerArgs(call);
            return null;
          }
          receiver = Optional.of(r);
          Optional<TypeElement> owner = resolver.classOf(r.type());
          if (owner.isEmpty()) {
            report.add(Message.UNSUPPORTED_EXPRESSION, site(call), "calls on values of type " + describe(r.type()));
            lowerArgs(call);
            return null;
          }
          candidates = resolver.methodsNamed(owner.get(), name);
        } else {
          Optional<TypeElement> owner = resolver.resolveTypeName(qs, unit, enclosing);
          if (owner.isEmpty()) {
            report.add(Message.UNRESOLVED, site(q), qs);
            lowerArgs(call);
            return null;
          }
          candidates = resolver.methodsNamed(owner.get(), name).stream()
              .filter(m -> m.getModifiers().contains(Modifier.STATIC))
              .toList();
        }
      } else {
        report.add(Message.UNSUPPORTED_EXPRESSION, site(call), "this form of method call");
        return null;
      }
      List<Operand> args = lowerArgs(call);
      if (args == null) {
        return null;
      }
      List<Type> argTypes = args.stream().map(Operand::type).toList();
      Optional<ExecutableElement> resolved = resolver.pickOverload(candidates, argTypes);
      if (resolved.isEmpty()) {
        String owner = receiver.isPresent() ? receiver.get().type().toString()
            : select instanceof MemberSelectTree ms ? text(ms.getExpression()) : enclosing.getSimpleName().toString();
        report.add(Message.UNRESOLVED_METHOD, site(call), owner, name,
            String.join(", ", argTypes.stream().map(Type::toString).toList()));
        return null;
      }
      ExecutableElement m = resolved.get();
      boolean mStatic = m.getModifiers().contains(Modifier.STATIC);
      if (onThis && !mStatic && isStatic) {
        report.add(Message.UNRESOLVED, site(call), name);
        return null;
      }
      if (m.getModifiers().contains(Modifier.PRIVATE)) {
        report.add(Message.PRIVATE_MEMBER, site(call), "method '" + name + "'", companionName(enclosing));
        return null;
      }
      Type result = resolver.typeOf(m.getReturnType());
      if (result.kind() == Type.Kind.OTHER && m.getReturnType().getKind() == javax.lang.model.type.TypeKind.TYPEVAR) {
        result = Type.other("java.lang.Object");
      }
      if (name.endsWith("_") && ((TypeElement) m.getEnclosingElement()).getQualifiedName()
          .contentEquals("dev.adjoint.Tensor")) {
        String recv = select instanceof MemberSelectTree ms ? text(ms.getExpression()) : "y";
        String local = receiver.isPresent() && stripParens(((MemberSelectTree) select).getExpression())
            instanceof IdentifierTree ? recv : "y";
        report.add(Message.UNSUPPORTED_IN_PLACE, site(call), name,
            local.equals("y") ? "its receiver is not a local variable" : "its result is used as a value",
            inPlaceFix(name, local.equals("y") ? null : local, stripParens(((MemberSelectTree) select).getExpression()),
                call, false));
        return null;
      }
      if (receiver.isPresent() && receiver.get() instanceof Var lv && pieces.containsKey(lv.name())
          && !mutable.contains(lv.name())) {
        Pieces p = pieces.get(lv.name());
        if (name.equals("get") && args.size() == 1 && args.get(0).type().kind() == Type.Kind.INT) {
          return piece(p, args.get(0), call);
        }
        if (name.equals("size") && args.isEmpty()) {
          return new Typed(count(p), Type.INT, "count", call);
        }
      }
      if (receiver.isPresent() && receiver.get() instanceof Var rv && records.containsKey(rv.name())
          && !mutable.contains(rv.name()) && m.getParameters().isEmpty() && records.get(rv.name()).containsKey(name)) {
        // an accessor of a record built in this method: the component itself
        Operand component = records.get(rv.name()).get(name);
        return new Typed(new Op.Copy(component), component.type(), name, call);
      }
      if (receiver.isPresent() && receiver.get() instanceof Var pv && result.differentiable()
          && params.stream().anyMatch(p -> p.var().equals(pv)) && holdsValues(pv.type())) {
        // a tensor read out of a parameter object (a record of weights): its gradient has nowhere to go
        report.add(Message.LOST_GRADIENT, site(call), m.getEnclosingElement().getSimpleName() + "." + name + "()",
            describe(pv.type()), "Pass the values it holds as Tensor or double parameters of their own, so that"
                + " their gradients are returned (and recorded) like the others'");
        return null;
      }
      if (isDropout(m) && !args.isEmpty() && args.get(0).type().kind() == Type.Kind.TENSOR) {
        return dropout(m, receiver, args, call);
      }
      Callee callee = classify(m, onThis && !mStatic, receiver, call);
      if (callee == null) {
        return null;
      }
      boolean viaThis = onThis && !mStatic || receiver.isPresent() && resolver.isModule(receiver.get().type())
          && select instanceof MemberSelectTree rs && reachedFromThis(rs.getExpression());
      if (callee instanceof Callee.Passive && viaThis && !onThis && call != detachedReceiver
          && result.kind() == Type.Kind.TENSOR
          && select instanceof MemberSelectTree cs) {
        // seq.forward(x) on a Sequential field, layers.get(i).forward(h) on a ModuleList field: the container's
        // own message, with its workaround, as the for-each over it gets
        String container = container(stripParens(cs.getExpression()));
        if (container != null) {
          report.add(Message.MODULE_CONTAINER, site(call), text(call).replaceAll("\\s+", " "), container, container);
          return null;
        }
      }
      if (callee instanceof Callee.Passive && viaThis && call != detachedReceiver
          && (result.kind() == Type.Kind.TENSOR || onThis && !mStatic && result.differentiable())) {
        // a getter of this, or a module reached through a ModuleList, a Sequential or another object: what it
        // returns may be (or be computed from) a parameter of this module, which a constant would silently lose
        String display = m.getEnclosingElement().getSimpleName() + "." + name + "("
            + String.join(", ", m.getParameters().stream().map(pm -> resolver.typeOf(pm.asType()).toString()).toList())
            + ")";
        report.add(Message.LOST_GRADIENT, site(call), display, onThis ? enclosing.getSimpleName() + " (this)"
            : describe(receiver.get().type()), onThis
            ? "Read the field itself, or mark " + name + "() @Differentiable so that its derivative is written too"
            : "Hold each module in a field of its own and call it on that field (fc1.forward(h)), or call a"
                + " @Differentiable method of it; a module reached through a ModuleList, a Sequential or another"
                + " object is not followed");
        return null;
      }
      for (int i = 0; i < args.size(); i++) {
        var list = tensorLists.remove(args.get(i));
        if (list == null) {
          continue;
        }
        if (i == 0 && callee instanceof Callee.Primitive p && p.isStatic()) {
          List<Operand> all = new ArrayList<>(list.getKey());
          all.addAll(args.subList(1, args.size()));
          args = all;
          callee = p.withListArity(list.getKey().size());
          break;
        }
        report.add(Message.UNSUPPORTED_EXPRESSION, site(list.getValue()),
            "List.of(...) of tensors other than as the first argument of an operation like Tensor.cat or Tensor.stack");
        return null;
      }
      if (callee instanceof Callee.Primitive p && !p.receiverInputs().isEmpty()) {
        // a module's forward: the receiver's tensors (fc1.weight()) are inputs after the arguments
        Optional<String> path = receiver.flatMap(this::fieldPath);
        if (path.isEmpty()) {
          report.add(Message.UNSUPPORTED_CALL, site(call), m.getEnclosingElement().getSimpleName() + "." + name,
              "its parameters live in the module, which must be a field of this module",
              "Hold the module in a field and call it as " + name + "(...) on that field");
          return null;
        }
        List<Operand> all = new ArrayList<>(args);
        for (String accessor : p.receiverInputs()) {
          all.add(nestedField(path.get() + "." + accessor + "()", Type.TENSOR, call).var());
        }
        args = all;
      }
      return new Typed(new Op.Call(callee, receiver, args), result, name, call);
    }

    /** {@code Dropout.forward(x)} or {@code F.dropout(x, p, training[, gen])}. */
    private boolean isDropout(ExecutableElement m) {
      String owner = ((TypeElement) m.getEnclosingElement()).getQualifiedName().toString();
      String name = m.getSimpleName().toString();
      return owner.equals("dev.adjoint.nn.Dropout") && name.equals("forward")
          || owner.equals("dev.adjoint.nn.F") && name.equals("dropout");
    }

    /**
     * Dropout as the runtime computes it, {@code x.mul(mask)}: the mask ({@code drop.mask(x)}, {@code
     * F.dropoutMask(x, p, training[, gen])}) is drawn in the forward from the same generator as the eager call
     * and carries no gradient; {@code mul}'s row saves it for the backward.
     */
    private Typed dropout(ExecutableElement m, Optional<Operand> receiver, List<Operand> args, Tree at) {
      boolean module = m.getSimpleName().contentEquals("forward");
      TypeElement owner = (TypeElement) m.getEnclosingElement();
      String maskName = module ? "mask" : "dropoutMask";
      List<Type> types = args.stream().map(Operand::type).toList();
      ExecutableElement maskMethod = resolver.pickOverload(resolver.methodsNamed(owner, maskName), types)
          .orElseThrow(() -> new IllegalStateException("no " + owner.getSimpleName() + "." + maskName + types));
      Var mask = temp("mask", Type.TENSOR);
      out.add(new Stmt.Assign(mask, new Op.Call(new Callee.Passive(owner.getQualifiedName().toString(), maskName,
          !module, true, owner.getSimpleName() + "." + maskName), module ? receiver : Optional.empty(), args),
          origin.at(site(at))));
      TypeElement tensor = resolver.classOf(Type.TENSOR).orElseThrow();
      ExecutableElement mul = resolver.pickOverload(resolver.methodsNamed(tensor, "mul"), List.of(Type.TENSOR))
          .orElseThrow();
      Callee callee = classify(mul, false, Optional.of(args.get(0)), at);
      return callee == null ? null
          : new Typed(new Op.Call(callee, Optional.of(args.get(0)), List.of(mask)), Type.TENSOR, "dropped", at);
    }

    /** Locals holding an object reached from this (a module out of a ModuleList field, ...). */
    private final Set<String> fromThis = new HashSet<>();

    /**
     * Whether {@code e} is reached from this: {@code this}, an instance field, a local assigned one, or a call,
     * member or element of one.
     */
    private boolean reachedFromThis(ExpressionTree e) {
      ExpressionTree x = stripParens(e);
      while (true) {
        if (x instanceof MethodInvocationTree mi && mi.getMethodSelect() instanceof MemberSelectTree ms) {
          x = stripParens(ms.getExpression());
        } else if (x instanceof MemberSelectTree ms) {
          if (ms.getExpression() instanceof IdentifierTree id && id.getName().contentEquals("this")) {
            return true;
          }
          x = stripParens(ms.getExpression());
        } else if (x instanceof com.sun.source.tree.ArrayAccessTree aa) {
          x = stripParens(aa.getExpression());
        } else if (x instanceof IdentifierTree id) {
          String n = id.getName().toString();
          if (n.equals("this")) {
            return true;
          }
          if (scope.containsKey(n)) {
            return fromThis.contains(n);
          }
          return resolver.field(enclosing, n).filter(f -> !f.getModifiers().contains(Modifier.STATIC)).isPresent();
        } else {
          return false;
        }
      }
    }

    private boolean isValue(ExpressionTree q) {
      if (q instanceof IdentifierTree id) {
        String n = id.getName().toString();
        return scope.containsKey(n) || resolver.field(enclosing, n).isPresent();
      }
      if (q instanceof MemberSelectTree ms) {
        if (ms.getExpression() instanceof IdentifierTree id && id.getName().contentEquals("this")) {
          return true;
        }
        return resolver.resolveTypeName(q.toString(), unit, enclosing).isEmpty()
            && resolver.resolveTypeName(ms.getExpression().toString(), unit, enclosing).isPresent();
      }
      return true;
    }

    /** {@code List.of(t1, ..., tn)} arguments of tensors: a placeholder operand → the tensors and the tree. */
    private final Map<Operand, Map.Entry<List<Operand>, Tree>> tensorLists = new java.util.IdentityHashMap<>();

    /** Whether {@code e} is {@code List.of(...)} with at least one argument. */
    private boolean isListOf(ExpressionTree e) {
      return e instanceof MethodInvocationTree mi && !mi.getArguments().isEmpty()
          && (mi.getMethodSelect().toString().equals("List.of")
              || mi.getMethodSelect().toString().equals("java.util.List.of"));
    }

    private List<Operand> lowerArgs(MethodInvocationTree call) {
      List<Operand> args = new ArrayList<>();
      boolean ok = true;
      for (ExpressionTree a : call.getArguments()) {
        if (isListOf(a)) {
          // the tensors of Tensor.cat(List.of(a, b), dim): kept as operands, the list is rebuilt where used
          List<Operand> elements = new ArrayList<>();
          boolean tensors = true;
          for (ExpressionTree e : ((MethodInvocationTree) a).getArguments()) {
            Operand o = atom(e);
            ok &= o.type().kind() != Type.Kind.ERROR;
            tensors &= o.type().kind() == Type.Kind.TENSOR;
            elements.add(o);
          }
          if (tensors) {
            Operand list = Const.literal("List.of(...)", Type.other("java.util.List<dev.adjoint.Tensor>"));
            tensorLists.put(list, Map.entry(elements, a));
            args.add(list);
            continue;
          }
          report.add(Message.UNSUPPORTED_EXPRESSION, site(a), "List.of(...) of values other than tensors");
          ok = false;
          continue;
        }
        Operand o = atom(a);
        ok &= o.type().kind() != Type.Kind.ERROR;
        List<? extends ExpressionTree> all = call.getArguments();
        for (ExpressionTree later : all.subList(all.indexOf(a) + 1, all.size())) {
          o = settled(o, later);
        }
        args.add(o);
      }
      return ok ? args : null;
    }

    private Callee classify(ExecutableElement m, boolean onThis, Optional<Operand> receiver, Tree at) {
      String owner = ((TypeElement) m.getEnclosingElement()).getQualifiedName().toString();
      String name = m.getSimpleName().toString();
      boolean mStatic = m.getModifiers().contains(Modifier.STATIC);
      Optional<Callee.Primitive> prim = catalog.primitive(m);
      if (prim.isPresent() && m.getParameters().stream().allMatch(p -> vjpFriendly(resolver.typeOf(p.asType())))) {
        return prim.get();
      }
      if (RuleCatalog.isDifferentiable(m)) {
        return differentiableCallee(m, onThis, receiver, at);
      }
      List<Callee.Rule> rules = catalog.derivativeRules(m);
      if (!rules.isEmpty()) {
        return new Callee.WithRule(owner, name, mStatic, rules, catalog.jvpRules(m).stream().findFirst());
      }
      if (!mStatic && !onThis && receiver.isPresent() && resolver.isModule(receiver.get().type())
          && !owner.startsWith("dev.adjoint.") && !m.getParameters().isEmpty()
          && resolver.typeOf(m.getReturnType()).kind() == Type.Kind.TENSOR) {
        // a user module's plain method (its forward delegating to a @Differentiable one): name what to call
        report.add(Message.MODULE_FORWARD, site(at), m.getEnclosingElement().getSimpleName() + "." + name,
            m.getEnclosingElement().getSimpleName(), moduleFix((TypeElement) m.getEnclosingElement(), m, at));
        return null;
      }
      boolean stops = owner.equals("dev.adjoint.Tensor") && CONSTANT_RESULTS.contains(name);
      String display = m.getEnclosingElement().getSimpleName() + "." + name + "("
          + String.join(", ", m.getParameters().stream().map(p -> resolver.typeOf(p.asType()).toString()).toList())
          + ")";
      if (m.getReturnType().toString().equals("dev.adjoint.Tensor.ValuesIndices")) {
        // the values would be read through a record accessor, which carries no gradient: refuse, never a zero
        report.add(Message.VALUES_AND_INDICES, site(at), display, switch (name) {
          case "maxWithIndices" -> "x.max(dim, keepDim) (and x.argmax(dim, keepDim) for the indices)";
          case "minWithIndices" -> "x.min(dim, keepDim) (and x.argmin(dim, keepDim) for the indices)";
          case "topk" -> "x.gather(dim, x.argsort(dim, largest).slice(dim, 0, k))";
          case "forwardWithIndices" -> "the module's forward(x); compute the indices, if you need them, outside the"
              + " method";
          case "maxPool2dWithIndices" -> "F.maxPool2d(x, kernelSize, stride, padding, dilation, ceilMode) (or a"
              + " MaxPool2d field's forward); compute the indices, if you need them, outside the method";
          default -> "x.gather(dim, x.argsort(dim, descending))";
        });
      }
      // a generic pass-through (<T> T pick(T a, T b)): its result has the type of its own type variable
      boolean generic = m.getTypeParameters().stream().anyMatch(tp -> types.isSameType(tp.asType(), m.getReturnType()));
      return new Callee.Passive(owner, name, mStatic, stops, display, generic);
    }

    /**
     * The fix for calling a user module's plain method {@code m}: the module's {@code @Differentiable} instance
     * methods taking the same parameter types, written as a call on the same receiver with the same arguments
     * ({@code block.apply(x)}); else marking {@code m} itself.
     */
    private String moduleFix(TypeElement owner, ExecutableElement m, Tree at) {
      List<String> calls = new ArrayList<>();
      String recv = "";
      String argList = "";
      if (at instanceof MethodInvocationTree mi && mi.getMethodSelect() instanceof MemberSelectTree ms) {
        recv = text(ms.getExpression()) + ".";
        argList = String.join(", ", mi.getArguments().stream().map(this::text).toList());
      }
      for (ExecutableElement e : javax.lang.model.util.ElementFilter.methodsIn(owner.getEnclosedElements())) {
        if (RuleCatalog.isDifferentiable(e) && !e.getModifiers().contains(Modifier.STATIC)
            && sameParameterTypes(e, m)) {
          calls.add(recv + e.getSimpleName() + "(" + argList + ")");
        }
      }
      String simple = owner.getSimpleName().toString();
      if (calls.isEmpty()) {
        return "Mark " + simple + "." + m.getSimpleName() + " @Differentiable, or call a @Differentiable method of "
            + simple + " here";
      }
      return "Call " + String.join(" or ", calls) + " instead, " + (calls.size() == 1 ? "its" : "a")
          + " @Differentiable method (" + simple + "." + m.getSimpleName() + " is the plain method that"
          + " ordinary code calls)";
    }

    private boolean sameParameterTypes(ExecutableElement a, ExecutableElement b) {
      if (a.getParameters().size() != b.getParameters().size()) {
        return false;
      }
      for (int i = 0; i < a.getParameters().size(); i++) {
        if (!types.isSameType(types.erasure(a.getParameters().get(i).asType()),
            types.erasure(b.getParameters().get(i).asType()))) {
          return false;
        }
      }
      return true;
    }

    private boolean vjpFriendly(Type t) {
      // Tensor[]: the index tensors of Tensor.index(Tensor...) and indexPut, never differentiated; DType: to(dtype)
      return t.kind() != Type.Kind.OTHER || t.spelling().equals("int[]")
          || t.spelling().equals("java.util.List<dev.adjoint.Tensor>") || t.spelling().equals("java.lang.String")
          || t.spelling().equals("dev.adjoint.Tensor[]") || t.spelling().equals("dev.adjoint.Tensor.DType");
    }

    private Callee differentiableCallee(ExecutableElement m, boolean onThis, Optional<Operand> receiver,
        Tree at) {
      TypeElement owner = (TypeElement) m.getEnclosingElement();
      boolean mStatic = m.getModifiers().contains(Modifier.STATIC);
      if (m.equals(method)) {
        report.add(Message.RECURSION, site(at), method.getSimpleName());
        return null;
      }
      // a child module held in a field: its fields are this method's inputs under the field's path
      Optional<String> childPath = onThis || mStatic ? Optional.empty() : receiver.flatMap(this::fieldPath);
      if (!mStatic && !onThis && childPath.isEmpty()) {
        report.add(Message.UNSUPPORTED_CALL, site(at), "@Differentiable instance method " + m.getSimpleName(),
            "only static @Differentiable methods and those of this object or of a module held in one of its"
                + " fields compose statically",
            "Hold the object in a field, or make the method static and pass its tensors as parameters");
        return null;
      }
      if (m.getParameters().stream().anyMatch(p -> resolver.typeOf(p.asType()).isTensorArray())) {
        report.add(Message.UNSUPPORTED_CALL, site(at), "@Differentiable method " + m.getSimpleName(),
            "a call passing a Tensor[] does not compose yet", "Pass the elements as Tensor parameters");
        return null;
      }
      DerivativeMetadata.Method callee;
      String display = owner.getSimpleName() + "." + m.getSimpleName();
      Optional<Callee.NoJvp> noJvp = Optional.empty();
      if (trees.getPath(m) == null) {
        // compiled elsewhere (a library jar): what to call comes from its companion's class file
        switch (metadata.lookup(m)) {
          case MetadataReader.Lookup.Found f -> {
            callee = f.method();
            if (!callee.hasJvp()) {
              noJvp = Optional.of(new Callee.NoJvp(List.of(display), f.companion(), f.location()));
            }
          }
          case MetadataReader.Lookup.Missing miss -> {
            report.add(Message.MISSING_DERIVATIVE, site(at), owner.getSimpleName() + "." + m.getSimpleName(),
                miss.location(), miss.companion(), owner.getSimpleName(), m.getSimpleName());
            return null;
          }
          case MetadataReader.Lookup.Stale stale -> {
            report.add(Message.STALE_METADATA, site(at), owner.getSimpleName() + "." + m.getSimpleName(),
                stale.companion(), stale.location(), stale.reason(), owner.getSimpleName());
            return null;
          }
        }
      } else {
        Optional<Function> model = mStatic ? Optional.empty() : models.model(m);
        if (!mStatic && model.isEmpty()) {
          report.add(Message.UNSUPPORTED_CALL, site(at), "@Differentiable instance method " + m.getSimpleName(),
              "its body could not be differentiated", "Fix the errors reported on it");
          return null;
        }
        callee = signature(m, model);
        // its fJvp exists unless it calls, at any depth, a library method without one
        noJvp = (mStatic ? models.model(m) : model).flatMap(g -> Callee.NoJvp.in(g.body().stmts()))
            .map(n -> n.through(display));
      }
      List<Callee.FieldGradient> fieldGradients = new ArrayList<>();
      for (DerivativeMetadata.Field f : callee.fields()) {
        if (childPath.isPresent()) {
          Var v = nestedField(childPath.get() + "." + f.path(), Type.TENSOR, at).var();
          fieldGradients.add(new Callee.FieldGradient(v.name(), f.component()));
        } else if (f.path().contains(".") || f.path().endsWith("()")) {
          // a tensor inside one of this module's fields (fc.weight()) or a record component (w())
          Var v = nestedField(f.path(), Type.TENSOR, at).var();
          fieldGradients.add(new Callee.FieldGradient(v.name(), f.component()));
        } else if (fieldOperand(f.path(), at).orElse(ERROR) instanceof Var v) {
          fieldGradients.add(new Callee.FieldGradient(v.name(), f.component()));
        }
      }
      String companion = packageOf(owner).isEmpty() ? companionName(owner)
          : packageOf(owner) + "." + companionName(owner);
      String cap = Character.toUpperCase(m.getSimpleName().charAt(0)) + m.getSimpleName().toString().substring(1);
      return new Callee.Differentiable(owner.getQualifiedName().toString(), m.getSimpleName().toString(), mStatic,
          companion, cap, callee.gradients(), fieldGradients, callee.tracked(), noJvp);
    }

    // ------------------------------------------------------------------------------------------
    // names, positions

    private Var temp(String base, Type type) {
      int n = counters.getOrDefault(base, 0);
      String name;
      do {
        n++;
        name = base + n;
      } while (names.contains(name));
      counters.put(base, n);
      names.add(name);
      return new Var(name, type);
    }

    private String freshUserName(String name) {
      if (!scope.containsKey(name) && !definedBefore(name)) {
        names.add(name);
        defined.add(name);
        return name;
      }
      int n = 2;
      while (names.contains(name + n)) {
        n++;
      }
      names.add(name + n);
      return name + n;
    }

    private final Set<String> defined = new HashSet<>();

    private boolean definedBefore(String name) {
      return defined.contains(name);
    }

    private Site site(Tree t) {
      return new Site(unit, t);
    }

    private String text(Tree t) {
      long s = positions.getStartPosition(unit, t);
      long e = positions.getEndPosition(unit, t);
      if (s < 0 || e < 0 || e > source.length()) {
        return t.toString();
      }
      return source.subSequence((int) s, (int) e).toString();
    }

    private Origin originOf(Tree t) {
      Tree at = t instanceof MethodTree mt && mt.getReturnType() != null ? mt.getReturnType() : t;
      long s = positions.getStartPosition(unit, at);
      long line = s < 0 ? 0 : unit.getLineMap().getLineNumber(s);
      String statement;
      if (t instanceof MethodTree mt) {
        statement = mt.getName().toString();
      } else {
        statement = text(t).replaceAll("\\s+", " ").trim();
      }
      return new Origin(file, line, statement, new Site(unit, t));
    }
  }
}
