package dev.adjoint.processor.step;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.JavaFile;
import dev.adjoint.processor.analysis.Activity;
import dev.adjoint.processor.analysis.ToBeRecorded;
import dev.adjoint.processor.diag.Diagnostics;
import dev.adjoint.processor.diag.Message;
import dev.adjoint.processor.emit.DiffClassGenerator;
import dev.adjoint.processor.emit.MethodPlan;
import dev.adjoint.processor.front.BodyReader;
import dev.adjoint.processor.front.TypeResolver;
import dev.adjoint.processor.ir.AExpr;
import dev.adjoint.processor.ir.Callee;
import dev.adjoint.processor.ir.Function;
import dev.adjoint.processor.ir.IrPrinter;
import dev.adjoint.processor.ir.Names;
import dev.adjoint.processor.ir.Stmt;
import dev.adjoint.processor.ir.Type;
import dev.adjoint.processor.ir.Var;
import dev.adjoint.processor.meta.DerivativeMetadata;
import dev.adjoint.processor.meta.MetadataReader;
import dev.adjoint.processor.pipeline.Differentiation;
import dev.adjoint.processor.reverse.ReverseTransform;
import dev.adjoint.processor.rules.RuleCatalog;
import dev.adjoint.processor.shape.ShapeInference;
import dev.adjoint.processor.shape.TapeMemory;
import dev.adjoint.processor.simplify.DeadCode;
import dev.adjoint.processor.validate.SignatureValidator;
import dev.adjoint.processor.diag.ValidationReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.annotation.processing.Filer;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;

/**
 * The {@code @Differentiable} step: for each annotated method, validate → model → analyse →
 * differentiate → simplify, then one companion per class. A method with errors is skipped (its
 * problems printed); the others of its class are still generated. A crash becomes one
 * {@code [Adjoint/InternalError]} with the stack trace.
 */
public final class DifferentiableStep {
  /** A lowered method and its report. */
  private record Lowered(Optional<Function> function, ValidationReport report) {}

  private final BodyReader reader;
  private final SignatureValidator signatures;
  private final Diagnostics diagnostics;
  private final Filer filer;
  private final Set<String> dump;
  private final Map<ExecutableElement, Lowered> lowered = new HashMap<>();
  private final Set<ExecutableElement> inProgress = new HashSet<>();
  private final Set<String> deferred = new java.util.LinkedHashSet<>();
  private final String failOn;
  private final javax.lang.model.util.Elements elements;
  private final RuleCatalog catalog;
  private final com.sun.source.util.Trees trees;

  /** A step reading with the compiler's trees and writing through {@code filer}. */
  public DifferentiableStep(com.sun.source.util.Trees trees, TypeResolver resolver, RuleCatalog catalog,
      Diagnostics diagnostics, Filer filer, Set<String> dump, javax.lang.model.util.Elements elements,
      javax.lang.model.util.Types types, String failOn) {
    this.failOn = failOn;
    this.trees = trees;
    this.elements = elements;
    this.catalog = catalog;
    this.reader = new BodyReader(trees, resolver, catalog, this::model, new MetadataReader(elements, types), types);
    this.signatures = new SignatureValidator(resolver);
    this.diagnostics = diagnostics;
    this.filer = filer;
    this.dump = dump;
  }

  /**
   * Processes the annotated methods of one round. A class with a method whose only problems are
   * unresolved names is deferred to the next round (another processor may generate the missing type,
   * as auto-common's {@code BasicAnnotationProcessor} does) and reported in the last round.
   */
  public void process(List<ExecutableElement> methods, boolean lastRound) {
    lowered.clear();
    hvpOf.clear();
    Map<TypeElement, List<ExecutableElement>> byClass = new LinkedHashMap<>();
    for (ExecutableElement m : methods) {
      byClass.computeIfAbsent((TypeElement) m.getEnclosingElement(), k -> new ArrayList<>()).add(m);
    }
    for (String name : deferred) {
      TypeElement type = elements.getTypeElement(name);
      if (type != null && !byClass.containsKey(type)) {
        byClass.put(type, javax.lang.model.util.ElementFilter.methodsIn(type.getEnclosedElements()).stream()
            .filter(RuleCatalog::isDifferentiable).toList());
      }
    }
    deferred.clear();
    // plan every class first, then write: a method calling one that failed (in any class) must not be written,
    // or its companion would name the missing pullback and not compile
    List<Planned> planned = new ArrayList<>();
    Set<String> failed = new HashSet<>();
    for (var entry : byClass.entrySet()) {
      if (!lastRound && onlyUnresolved(entry.getValue())) {
        deferred.add(entry.getKey().getQualifiedName().toString());
        continue;
      }
      List<MethodPlan> plans = new ArrayList<>();
      List<dev.adjoint.processor.emit.ChecksGenerator.Checked> checked = new ArrayList<>();
      List<DerivativeMetadata.Method> metadata = new ArrayList<>();
      List<ExecutableElement> planOf = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      for (ExecutableElement m : entry.getValue()) {
        try {
          if (!seen.add(m.getSimpleName().toString())) {
            diagnostics.report(Message.OVERLOADED, m, Message.OVERLOADED.format(m.getSimpleName()));
            continue;
          }
          Lowered l = lower(m);
          ValidationReport report = l.report();
          if (report.hasErrors() || l.function().isEmpty()) {
            report.printTo(diagnostics);
            failed.add(key(m));
            continue;
          }
          Optional<MethodPlan> plan = plan(m, l.function().get(), report);
          report.printTo(diagnostics);
          if (plan.isEmpty()) {
            failed.add(key(m));
          }
          if (plan.isPresent()) {
            plans.add(plan.get());
            planOf.add(m);
            if (dump.contains("checks") && dev.adjoint.processor.emit.ChecksGenerator.eligible(plan.get())) {
              checked.add(new dev.adjoint.processor.emit.ChecksGenerator.Checked(plan.get(), domains(m)));
            }
            metadata.add(reader.signature(m, l.function()).withSaved(plan.get().saved().stream()
                .map(v -> v.name() + ": " + v.type().spelling()).toList())
                .withJvp(plan.get().jvp().isPresent() ? DerivativeMetadata.JVP : "none"));
          }
        } catch (RuntimeException | StackOverflowError e) {
          internalError(m, e);
          failed.add(key(m));
        }
      }
      planned.add(new Planned(entry.getKey(), plans, planOf, checked, metadata));
    }
    boolean dropped;
    do {
      dropped = false;
      for (Planned p : planned) {
        for (int i = 0; i < p.plans().size(); i++) {
          MethodPlan plan = p.plans().get(i);
          Optional<String> callee = calleeIn(plan.function(), failed);
          if (callee.isPresent()) {
            ExecutableElement m = p.methods().get(i);
            diagnostics.report(Message.CALLEE_FAILED, m, Message.CALLEE_FAILED.format(
                m.getEnclosingElement().getSimpleName() + "." + m.getSimpleName(), callee.get()));
            failed.add(key(m));
            p.metadata().remove(i);
            int at = i;
            p.checked().removeIf(c -> c.plan() == p.plans().get(at));
            p.methods().remove(i);
            p.plans().remove(i--);
            dropped = true;
          }
        }
      }
    } while (dropped);
    for (Planned p : planned) {
      List<DiffClassGenerator.ModuleMember> members = moduleMembers(p.type());
      if (!p.plans().isEmpty() || members != null) {
        write(p.type(), p.plans(), p.metadata(), members);
      }
      List<dev.adjoint.processor.emit.ChecksGenerator.RulePair> pairs = dump.contains("checks") && !p.plans().isEmpty()
          ? rulePairs(p.type()) : List.of();
      if (!p.checked().isEmpty() || !pairs.isEmpty()) {
        writeChecks(p.type(), p.plans(), p.checked(), pairs);
      }
    }
  }

  /** A class's plans, before they are written. */
  private record Planned(TypeElement type, List<MethodPlan> plans, List<ExecutableElement> methods,
      List<dev.adjoint.processor.emit.ChecksGenerator.Checked> checked, List<DerivativeMetadata.Method> metadata) {}

  private static String key(ExecutableElement m) {
    return ((TypeElement) m.getEnclosingElement()).getQualifiedName() + "." + m.getSimpleName();
  }

  /** The first {@code @Differentiable} callee of {@code f} (as {@code Class.method}) among {@code failed}. */
  private static Optional<String> calleeIn(Function f, Set<String> failed) {
    for (Stmt s : Stmt.flatten(f.body().stmts())) {
      if (s instanceof Stmt.Assign a && a.op() instanceof dev.adjoint.processor.ir.Op.Call c
          && c.callee() instanceof dev.adjoint.processor.ir.Callee.Differentiable d
          && failed.contains(d.owner() + "." + d.method())) {
        return Optional.of(d.owner().substring(d.owner().lastIndexOf('.') + 1) + "." + d.method());
      }
    }
    return Optional.empty();
  }

  /** Whether some method of the class fails only because a name does not resolve (yet). */
  private boolean onlyUnresolved(List<ExecutableElement> methods) {
    for (ExecutableElement m : methods) {
      try {
        var problems = lower(m).report().problems().stream()
            .filter(p -> p.message().kind() == javax.tools.Diagnostic.Kind.ERROR).toList();
        if (!problems.isEmpty() && problems.stream().allMatch(p -> p.message() == Message.UNRESOLVED
            || p.message() == Message.UNRESOLVED_METHOD)) {
          return true;
        }
      } catch (RuntimeException e) {
        return false;
      }
    }
    return false;
  }

  /** Whether classes wait for a later round. */
  public boolean hasDeferred() {
    return !deferred.isEmpty();
  }

  private void internalError(Element m, Throwable e) {
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    diagnostics.report(Message.INTERNAL_ERROR, m, Message.INTERNAL_ERROR.format(
        m.getEnclosingElement().getSimpleName() + "." + m.getSimpleName(), trace));
  }

  /** The IR of another differentiable method, lowered on demand (for composition). */
  private Optional<Function> model(ExecutableElement callee) {
    if (inProgress.contains(callee)) {
      return Optional.empty();
    }
    Lowered l = lower(callee);
    return l.report().hasErrors() ? Optional.empty() : l.function();
  }

  private Lowered lower(ExecutableElement m) {
    Lowered cached = lowered.get(m);
    if (cached != null) {
      return cached;
    }
    ValidationReport report = new ValidationReport(m);
    signatures.validate(m, report);
    Optional<Function> f = Optional.empty();
    if (!report.hasErrors()) {
      inProgress.add(m);
      try {
        f = reader.read(m, report);
      } finally {
        inProgress.remove(m);
      }
    }
    Lowered l = new Lowered(f, report);
    lowered.put(m, l);
    return l;
  }

  private Optional<MethodPlan> plan(ExecutableElement m, Function f, ValidationReport report) {
    if (m.getSimpleName().contentEquals(failOn)) {
      throw new IllegalStateException("simulated failure (-A" + "adjoint.failOn)");
    }
    if (quiet == 0 && dump.contains("ir")) {
      diagnostics.note("[Adjoint/ir]\n" + IrPrinter.print(f), m);
    }
    Optional<ShapeInference.Result> shapes = shapes(f, m, report);
    if (report.hasErrors()) {
      return Optional.empty();
    }
    Optional<MethodPlan> planned = planShaped(m, f, report, shapes);
    return shapes.isEmpty() || planned.isEmpty() ? planned
        : Optional.of(planned.get().withShapeChecks(shapes.get().checks()));
  }

  /** {@code @Shape}s through the method ({@code -Aadjoint.shapes=false}: skipped). */
  private Optional<ShapeInference.Result> shapes(Function f, ExecutableElement m, ValidationReport report) {
    if (dump.contains("noshapes")) {
      return Optional.empty();
    }
    return Optional.of(new ShapeInference(elements, trees, rule -> {
      ValidationReport ignored = new ValidationReport(rule);
      Optional<Function> lowered = reader.read(rule, ignored);
      return ignored.hasErrors() ? Optional.empty() : lowered;
    }).run(f, m, report));
  }

  private Optional<MethodPlan> planShaped(ExecutableElement m, Function f, ValidationReport report,
      Optional<ShapeInference.Result> shapes) {
    Activity activity = Activity.of(f, report, suppressed(m));
    if (report.hasErrors()) {
      return Optional.empty();
    }
    List<String> taken = new ArrayList<>();
    f.inputs().forEach(i -> taken.add(i.var().name()));
    for (Stmt s : Stmt.flatten(f.body().stmts())) {
      if (s instanceof Stmt.Assign a) {
        taken.add(a.target().name());
      }
    }
    Names names = new Names(taken);
    Differentiation pullback = Differentiation.run(f, activity, names, new AExpr.Ref("dOut"), report, Set.of(),
        true);
    if (report.hasErrors()) {
      return Optional.empty();
    }
    ReverseTransform.Result reverse = pullback.reverse();
    if (quiet == 0 && dump.contains("reverse")) {
      diagnostics.note("[Adjoint/reverse]\n" + IrPrinter.print(reverse.stmts()), m);
    }
    List<Var> saved = pullback.saved();
    List<Stmt> forward = pullback.forward();
    Optional<MethodPlan.Direct> direct = Optional.empty();
    if (f.scalarOnly()) {
      // the seed has the result's type: an int literal 1 would make 'x * x / 2' adjoint '1 / 2', which is 0
      AExpr one = new AExpr.Lit(f.returnType().kind() == Type.Kind.FLOAT ? "1.0f" : "1.0");
      Differentiation plain = Differentiation.run(f, activity, names, one, report, Set.of(), false);
      ReverseTransform.Result r1 = plain.reverse();
      direct = Optional.of(new MethodPlan.Direct(plain.forward(), r1.stmts(), r1.inputAdjoints(), r1.pullbacks(),
          r1.tape()));
    }
    if (quiet == 0 && dump.contains("simplified")) {
      diagnostics.note("[Adjoint/simplified]\n" + IrPrinter.printStmts(forward) + "\n" + IrPrinter.print(reverse.stmts()), m);
    }
    Set<String> active = new HashSet<>();
    for (String v : activity.varied()) {
      if (activity.useful().contains(v)) {
        active.add(v);
      }
    }
    Optional<dev.adjoint.processor.fuse.Fused> fused = Stmt.hasControlFlow(f.body().stmts()) ? Optional.empty()
        : dev.adjoint.processor.fuse.FusionPlanner.plan(f, this::math);
    if (quiet == 0 && dump.contains("report")) {
      diagnostics.note(report(f, saved, reverse.tape(),
          ToBeRecorded.versionChecked(reverse.stmts(), reverse.inputAdjoints().values()))
          + shapes.map(r -> String.format("%n  tape: %s", TapeMemory.of(f, saved, r,
              f.inputs().stream().map(i -> i.var().name()).collect(java.util.stream.Collectors.toSet()),
              reverse.tape()))).orElse(""), m);
    }
    // a callee from a library built before forward mode has no fJvp to compose through: no fJvp (nor
    // fHvp, nor checks of it), reverse mode as usual
    Optional<Callee.NoJvp> noJvp = Callee.NoJvp.in(f.body().stmts());
    if (noJvp.isPresent()) {
      Callee.NoJvp n = noJvp.get();
      report.add(Message.NO_FORWARD_MODE, m, f.className() + "." + f.name(), String.join(", which calls ",
          n.chain()), n.companion(), n.location(), n.location(), f.name());
      return Optional.of(new MethodPlan(f, active, forward, saved, reverse.stmts(), reverse.inputAdjoints(),
          reverse.pullbacks(), direct, fused, reverse.tape(), Optional.empty(), Optional.empty()));
    }
    // forward mode after the reverse, so the reverse's names do not depend on it
    dev.adjoint.processor.forward.TangentTransform.Result jvp =
        dev.adjoint.processor.forward.TangentTransform.fused(f, activity, names, report, this::hasMethod);
    if (report.hasErrors()) {
      return Optional.empty();
    }
    Optional<dev.adjoint.processor.forward.TangentTransform.Hvp> hvp = direct.isEmpty()
        ? dev.adjoint.processor.forward.TangentTransform.tensorHvp(f, activity, names, report, reverse.stmts(),
            reverse.inputAdjoints(), this::hasMethod)
        : dev.adjoint.processor.forward.TangentTransform.hvp(f, activity, names, report, direct.get().backward(),
            direct.get().inputAdjoints(), this::hasMethod, this::hasScalarHvp);
    if (hvp.isEmpty() && direct.isEmpty()) {
      hvp = dev.adjoint.processor.forward.TangentTransform.loopHvp(f, activity, names, report, reverse.stmts(),
          reverse.inputAdjoints(), reverse.tape(), this::hasMethod);
    }
    if (hvp.isEmpty() && direct.isEmpty()) {
      hvp = dev.adjoint.processor.forward.TangentTransform.eagerHvp(f, jvp, reverse.inputAdjoints(),
          traceable(f, ((javax.lang.model.element.TypeElement) m.getEnclosingElement()).getQualifiedName().toString(),
              new HashSet<>()));
    }
    MethodPlan plan = new MethodPlan(f, active, forward, saved, reverse.stmts(), reverse.inputAdjoints(),
        reverse.pullbacks(), direct, fused, reverse.tape(), Optional.of(jvp), hvp);
    String cls = ((TypeElement) m.getEnclosingElement()).getQualifiedName().toString();
    Optional<String> once = onceDifferentiable(f, cls, new HashSet<>());
    Optional<String> wide = manyElements(m);
    if (wide.isPresent()) {
      plan = plan.withoutHvpAtAll("its result is declared @Shape(\"" + wide.get() + "\"), more than one element, and"
          + " a Hessian-vector product needs a result of one element (differentiate a loss of it: its sum, a norm)");
    } else if (once.isPresent()) {
      plan = plan.withoutHessian(once.get());
    } else if (hvp.isEmpty()) {
      plan = plan.withoutHvp(noHvpReason(f, cls));
    }
    if (quiet == 0 && dump.contains("report") && plan.noHvp().isPresent()) {
      diagnostics.note("[Adjoint/noHvp] " + f.className() + "." + f.name() + " has no fHvp: " + plan.noHvp().get(),
          m);
    }
    return Optional.of(plan);
  }

  /**
   * The text of the {@code @Shape} declared on {@code m}'s result when it has more than one element whatever its
   * symbols' sizes (a size other than 1, or a symbol: a batch dimension), else empty ({@code ""}, sizes of 1,
   * {@code _}, no {@code @Shape}). Such a method gets no {@code fHvp}: it would always throw.
   */
  private static Optional<String> manyElements(ExecutableElement m) {
    String text = ShapeInference.shapeText(m);
    if (text == null) {
      return Optional.empty();
    }
    dev.adjoint.shape.SymShape declared;
    try {
      declared = dev.adjoint.shape.SymShape.parse(text);
    } catch (IllegalArgumentException bad) {
      return Optional.empty(); // reported by the shape inference
    }
    for (dev.adjoint.shape.Dim d : declared.dims()) {
      if (d.symbol() || d.constant() && d.coeff() != 1) {
        return Optional.of(text);
      }
    }
    return Optional.empty();
  }

  /**
   * The first row {@code f} goes through (or a method of its class that it calls) that has no recorded double
   * backward ({@code @Primitive(doubleBackward = false)}), as {@code "Linalg.cholesky (LinalgCholeskyExBackward0)"};
   * empty when every row has one. A Hessian through such a row would throw at run time, so none is generated.
   */
  private Optional<String> onceDifferentiable(Function f, String cls, Set<String> seen) {
    if (!seen.add(f.className() + "#" + f.name())) {
      return Optional.empty();
    }
    for (Stmt s : Stmt.flatten(f.body().stmts())) {
      if (!(s instanceof Stmt.Assign a) || !(a.op() instanceof dev.adjoint.processor.ir.Op.Call c)) {
        continue;
      }
      if (c.callee() instanceof Callee.Primitive p && catalog.lacksDoubleBackward(p)) {
        return Optional.of(p.owner().substring(p.owner().lastIndexOf('.') + 1) + "." + p.method() + " ("
            + p.node() + ")");
      }
      if (c.callee() instanceof Callee.Differentiable d && d.owner().equals(cls)) {
        TypeElement owner = sourceType(d.owner());
        Optional<String> inner = (owner == null ? Optional.<Function>empty()
            : methodNamed(owner, d.method()).flatMap(this::model)).flatMap(g -> onceDifferentiable(g, cls, seen));
        if (inner.isPresent()) {
          return inner;
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Why {@code f} gets no {@code fHvp}, naming the call, rule or statement that blocks it (for the {@code fJvp}'s
   * javadoc and {@code -Aadjoint.dump=report}), in the order the forms are tried: over numbers, forward over the
   * straight-line gradient composing through callees' {@code fHvp}; over tensors, forward over the generated
   * gradient or pullback, else the eager double backward where eager recording is faithful.
   */
  private String noHvpReason(Function f, String cls) {
    List<Stmt> all = Stmt.flatten(f.body().stmts());
    if (f.scalarOnly()) {
      for (Stmt s : all) {
        if (s instanceof Stmt.Assign a && a.op() instanceof dev.adjoint.processor.ir.Op.Call c
            && c.callee() instanceof dev.adjoint.processor.ir.Callee.Differentiable d) {
          if (!d.isStatic()) {
            return "it calls " + simpleName(d.owner()) + "." + d.method() + " (" + a.origin().position()
                + "), an instance method, and fHvp composes through static callees only";
          }
          if (!hasScalarHvp(d)) {
            return "it calls " + simpleName(d.owner()) + "." + d.method() + " (" + a.origin().position()
                + "), which has no fHvp itself";
          }
        }
      }
      if (Stmt.hasControlFlow(f.body().stmts())) {
        return "it has loops or branches, and the fHvp of a method over numbers is generated for straight-line"
            + " code only";
      }
      if (Stmt.readsElements(f.body().stmts())) {
        return "it reads array elements, and the fHvp of a method over numbers is generated for straight-line"
            + " code over plain numbers only";
      }
      for (Stmt s : all) {
        if (s instanceof Stmt.Assign a && a.op() instanceof dev.adjoint.processor.ir.Op.Call c
            && c.callee() instanceof dev.adjoint.processor.ir.Callee.WithRule w) {
          for (var r : w.rules()) {
            if (!hasMethod(r.owner(), r.method() + "Jvp")) {
              return "the adjoint of " + simpleName(w.owner()) + "." + w.method() + " (" + a.origin().position()
                  + "), " + simpleName(r.owner()) + "." + r.method() + ", has no second-order rule "
                  + r.method() + "Jvp";
            }
          }
        }
      }
      return "a step of its gradient has no second-order rule";
    }
    if (f.returnType().kind() != dev.adjoint.processor.ir.Type.Kind.TENSOR) {
      return "its result is not a tensor";
    }
    for (var in : f.inputs()) {
      if (in.wrt() && in.var().type().kind() != dev.adjoint.processor.ir.Type.Kind.TENSOR) {
        return "its differentiated parameter '" + in.name() + "' is "
            + (in.var().type().isTensorArray() ? "an array of tensors" : "not a tensor")
            + " (fHvp of a tensor method differentiates tensors only)";
      }
    }
    for (Stmt s : all) {
      if (!(s instanceof Stmt.Assign a) || !(a.op() instanceof dev.adjoint.processor.ir.Op.Call c)) {
        continue;
      }
      String at = " (" + a.origin().position() + ")";
      switch (c.callee()) {
        case dev.adjoint.processor.ir.Callee.Differentiable d -> {
          String name = simpleName(d.owner()) + "." + d.method();
          if (!d.owner().equals(cls)) {
            return "it calls " + name + at + ", a method of another class: composing fHvp through calls is"
                + " not generated yet, and the eager double backward used instead needs the callee's source in this"
                + " class";
          }
          for (int i = 0; i < c.args().size(); i++) {
            if (d.gradientOf().get(i).isEmpty()
                && c.args().get(i).type().kind() == dev.adjoint.processor.ir.Type.Kind.TENSOR) {
              return "it passes a tensor to " + name + at + " that the callee does not differentiate, which eager"
                  + " recording would";
            }
          }
          TypeElement owner = sourceType(d.owner());
          Optional<Function> callee = owner == null ? Optional.empty()
              : methodNamed(owner, d.method()).flatMap(this::model);
          if (callee.isEmpty() || !traceable(callee.get(), cls, new HashSet<>())) {
            return "it calls " + name + at + ", whose body the eager double backward cannot record as the"
                + " generated code differentiates it";
          }
        }
        case dev.adjoint.processor.ir.Callee.WithRule w -> {
          if (a.target().type().kind() == dev.adjoint.processor.ir.Type.Kind.TENSOR) {
            return "it calls " + simpleName(w.owner()) + "." + w.method() + at + ", whose @Derivative rule has no"
                + " second-order rule";
          }
        }
        default -> { }
      }
    }
    for (Stmt s : all) {
      if ((s instanceof Stmt.Assign || s instanceof Stmt.Effect) && IN_PLACE.matcher(s.origin().statement()).find()
          && all.stream().anyMatch(x -> x instanceof Stmt.Assign a && a.op() instanceof dev.adjoint.processor.ir.Op.Call c
              && c.callee() instanceof dev.adjoint.processor.ir.Callee.Differentiable)) {
        return "it changes a tensor in place (" + s.origin().position() + ") and calls another @Differentiable"
            + " method, which only the eager double backward composes, and the eager engine has no double"
            + " backward through in-place operations";
      }
    }
    if (Stmt.readsElements(f.body().stmts())) {
      return "it reads or writes elements of a Tensor[], whose adjoints the generated fHvp does not track";
    }
    return "a step of its gradient has no known tangent";
  }

  private static String simpleName(String qualified) {
    return qualified.substring(qualified.lastIndexOf('.') + 1);
  }

  /** A call of an in-place tensor operation in a statement's source ({@code v.add_(a)}: PyTorch's trailing {@code _}). */
  private static final java.util.regex.Pattern IN_PLACE = java.util.regex.Pattern.compile("\\.[a-z][A-Za-z0-9]*_\\(");

  /**
   * Whether recording {@code f}'s body eagerly gives the derivative the generated code does: no in-place
   * operation (the eager engine has no double backward through them), calls of {@code @Differentiable} methods of
   * the same class only (the same source, whichever the compilation), no call of a
   * {@code @Derivative} rule with a tensor result (eager recording would go through the function's body, not the
   * rule), no tensor passed to a callee that does not differentiate it ({@code wrt}), and every
   * {@code @Differentiable} callee, transitively, with its source in this compilation and traceable itself.
   */
  private boolean traceable(Function f, String cls, Set<String> seen) {
    if (!seen.add(f.className() + "#" + f.name())) {
      return true;
    }
    for (Stmt s : Stmt.flatten(f.body().stmts())) {
      if ((s instanceof Stmt.Assign || s instanceof Stmt.Effect) && IN_PLACE.matcher(s.origin().statement()).find()) {
        return false; // rewritten out of place here, recorded in place by the eager engine (no double backward)
      }
      if (!(s instanceof Stmt.Assign a) || !(a.op() instanceof dev.adjoint.processor.ir.Op.Call c)) {
        continue;
      }
      switch (c.callee()) {
        case Callee.WithRule w -> {
          if (a.target().type().kind() == dev.adjoint.processor.ir.Type.Kind.TENSOR) {
            return false;
          }
        }
        case Callee.Differentiable d -> {
          if (!d.owner().equals(cls)) {
            // another class's method: whether its body records as generated is known only from its source, which
            // a jar does not have; the answer must not depend on whether the class is in this compilation
            return false;
          }
          for (int i = 0; i < c.args().size(); i++) {
            if (d.gradientOf().get(i).isEmpty()
                && c.args().get(i).type().kind() == dev.adjoint.processor.ir.Type.Kind.TENSOR) {
              return false; // a tensor the callee does not differentiate: eager recording would
            }
          }
          TypeElement owner = sourceType(d.owner());
          Optional<Function> callee = owner == null ? Optional.empty()
              : methodNamed(owner, d.method()).flatMap(this::model);
          if (callee.isEmpty() || !traceable(callee.get(), cls, seen)) {
            return false;
          }
        }
        default -> { }
      }
    }
    return true;
  }

  /** Whether class {@code owner} has a method named {@code name} (a second-order rule). */
  /** Whether {@code owner} has a method {@code name} with {@code parameters} parameters. */
  private boolean hasMethod(String owner, String name, int parameters) {
    javax.lang.model.element.TypeElement type = elements.getTypeElement(owner);
    return type != null && javax.lang.model.util.ElementFilter.methodsIn(type.getEnclosedElements()).stream()
        .anyMatch(m -> m.getSimpleName().contentEquals(name) && m.getParameters().size() == parameters);
  }

  private boolean hasMethod(String owner, String name) {
    javax.lang.model.element.TypeElement type = elements.getTypeElement(owner);
    return type != null && javax.lang.model.util.ElementFilter.methodsIn(type.getEnclosedElements()).stream()
        .anyMatch(m -> m.getSimpleName().contentEquals(name));
  }

  /**
   * {@code -Aadjoint.report=true}: what the pullback's forward saves per call (final values, top-level
   * decisions and trip counts) and what it pushes per iteration of each loop.
   */
  private static String report(Function f, List<Var> saved,
      Optional<dev.adjoint.processor.reverse.Tape> tape, Set<String> valueReads) {
    StringBuilder sb = new StringBuilder("[Adjoint/report] ").append(f.className()).append('.').append(f.name())
        .append(" saves per call: ");
    List<String> perCall = new ArrayList<>();
    for (Var v : saved) {
      boolean shapeOnly = v.type().kind() == dev.adjoint.processor.ir.Type.Kind.TENSOR
          && !valueReads.contains(v.name());
      perCall.add(v.name() + " (" + v.type() + (shapeOnly ? ", for its shape: not version-checked" : "") + ")");
    }
    Map<Stmt, List<String>> perIteration = new LinkedHashMap<>();
    tape.ifPresent(t -> collect(f.body().stmts(), null, t, perCall, perIteration));
    sb.append(perCall.isEmpty() ? "nothing" : String.join(", ", perCall));
    for (var e : perIteration.entrySet()) {
      Stmt.Loop l = (Stmt.Loop) e.getKey();
      sb.append(String.format("%n  per iteration of %s (%s): %s", l.origin().statement(), l.origin().position(),
          String.join(", ", e.getValue())));
    }
    if (tape.isPresent()) {
      for (Stmt s : Stmt.flatten(f.body().stmts())) {
        if (s instanceof Stmt.Loop l && l.counted().isPresent()) {
          sb.append(String.format("%n  %s (%s) is counted: the backward runs its index backwards, no trip count",
              l.origin().statement(), l.origin().position()));
        }
      }
    }
    return sb.toString();
  }

  private static void collect(List<Stmt> stmts, Stmt loop, dev.adjoint.processor.reverse.Tape t,
      List<String> perCall, Map<Stmt, List<String>> perIteration) {
    for (Stmt s : stmts) {
      List<String> into = loop == null ? perCall : perIteration.computeIfAbsent(loop, k -> new ArrayList<>());
      switch (s) {
        case Stmt.Assign a -> {
          String stack = t.pushes().get(a);
          String entry = a.target().name() + " (" + a.target().type() + ", pushed on " + stack + ")";
          if (stack != null && !into.contains(entry)) {
            into.add(entry);
          }
        }
        case Stmt.If i -> {
          String b = t.branches().get(i);
          if (b != null) {
            into.add(b + " (branch decision of " + i.origin().statement() + ", line " + i.origin().line() + ")");
          }
          collect(i.then().stmts(), loop, t, perCall, perIteration);
          collect(i.otherwise().stmts(), loop, t, perCall, perIteration);
        }
        case Stmt.Loop l -> {
          String trips = t.trips().get(l);
          if (trips != null) {
            into.add(trips + " (trip count of " + l.origin().statement() + ")");
          }
          collect(l.init().stmts(), loop, t, perCall, perIteration);
          collect(l.head().stmts(), l, t, perCall, perIteration);
          collect(l.body().stmts(), l, t, perCall, perIteration);
          collect(l.update().stmts(), l, t, perCall, perIteration);
        }
        default -> { }
      }
      if (loop != null && perIteration.get(loop) != null && perIteration.get(loop).isEmpty()) {
        perIteration.remove(loop);
      }
    }
  }

  /** {@code Math.name} over doubles with its {@code MathRules}, for fused loops. */
  private Optional<dev.adjoint.processor.ir.Callee> math(String name, int arity) {
    TypeElement math = elements.getTypeElement("java.lang.Math");
    for (ExecutableElement m : javax.lang.model.util.ElementFilter.methodsIn(math.getEnclosedElements())) {
      if (m.getSimpleName().contentEquals(name) && m.getParameters().size() == arity
          && m.getParameters().stream().allMatch(p -> p.asType().getKind() == javax.lang.model.type.TypeKind.DOUBLE)) {
        var rules = catalog.derivativeRules(m);
        return rules.isEmpty() ? Optional.empty()
            : Optional.of(new dev.adjoint.processor.ir.Callee.WithRule("java.lang.Math", name, true, rules));
      }
    }
    return Optional.empty();
  }

  private static boolean suppressed(Element m) {
    for (Element e = m; e != null; e = e.getEnclosingElement()) {
      SuppressWarnings s = e.getAnnotation(SuppressWarnings.class);
      if (s != null && List.of(s.value()).contains(Message.SUPPRESS_ZERO_GRADIENT)) {
        return true;
      }
    }
    return false;
  }

  /** The fully qualified name of the nn base class. */
  private static final String MODULE = "dev.adjoint.nn.Module";

  /**
   * For a class extending {@code Module} directly: its instance {@code Tensor} and {@code Module} fields
   * in declaration order, after checking that none is private and that every constructor passes the
   * generated list to {@code super(...)}; {@code null} for any other class.
   */
  private List<DiffClassGenerator.ModuleMember> moduleMembers(TypeElement type) {
    if (!(type.getSuperclass() instanceof javax.lang.model.type.DeclaredType sup)
        || !((TypeElement) sup.asElement()).getQualifiedName().contentEquals(MODULE)) {
      return null;
    }
    String companion = BodyReader.companionName(type);
    List<DiffClassGenerator.ModuleMember> members = new ArrayList<>();
    for (var f : javax.lang.model.util.ElementFilter.fieldsIn(type.getEnclosedElements())) {
      if (f.getModifiers().contains(javax.lang.model.element.Modifier.STATIC)) {
        continue;
      }
      boolean tensor = RuleCatalog.isTensor(f.asType());
      if (!tensor && !isModule(f.asType())) {
        continue;
      }
      if (f.getModifiers().contains(javax.lang.model.element.Modifier.PRIVATE)) {
        diagnostics.report(Message.PRIVATE_MEMBER, f, Message.PRIVATE_MEMBER.format(
            (tensor ? "parameter" : "module") + " field '" + f.getSimpleName() + "'", companion + ".MEMBERS"));
        continue;
      }
      members.add(new DiffClassGenerator.ModuleMember(f.getSimpleName().toString(), tensor));
    }
    for (var ctor : javax.lang.model.util.ElementFilter.constructorsIn(type.getEnclosedElements())) {
      if (!passesMembers(ctor, companion)) {
        diagnostics.report(Message.MODULE_MEMBERS, ctor.getParameters().isEmpty()
            && trees.getTree(ctor) == null ? type : ctor, Message.MODULE_MEMBERS.format(
                type.getSimpleName(), companion, companion));
      }
    }
    return members;
  }

  private static boolean isModule(javax.lang.model.type.TypeMirror t) {
    while (t instanceof javax.lang.model.type.DeclaredType d) {
      TypeElement e = (TypeElement) d.asElement();
      if (e.getQualifiedName().contentEquals(MODULE)) {
        return true;
      }
      t = e.getSuperclass();
    }
    return false;
  }

  /** Whether a constructor starts with {@code this(...)} or {@code super(<Companion>.MEMBERS)}. */
  private boolean passesMembers(ExecutableElement ctor, String companion) {
    com.sun.source.tree.MethodTree tree = trees.getTree(ctor);
    if (tree == null || tree.getBody() == null || tree.getBody().getStatements().isEmpty()) {
      return false;
    }
    if (!(tree.getBody().getStatements().get(0) instanceof com.sun.source.tree.ExpressionStatementTree es)
        || !(es.getExpression() instanceof com.sun.source.tree.MethodInvocationTree call)
        || !(call.getMethodSelect() instanceof com.sun.source.tree.IdentifierTree callee)) {
      return false;
    }
    if (callee.getName().contentEquals("this")) {
      return true;
    }
    if (!callee.getName().contentEquals("super") || call.getArguments().size() != 1) {
      return false;
    }
    String arg = call.getArguments().get(0).toString();
    return arg.equals(companion + ".MEMBERS") || arg.endsWith("." + companion + ".MEMBERS");
  }

  private void write(TypeElement type, List<MethodPlan> plans, List<DerivativeMetadata.Method> methods,
      List<DiffClassGenerator.ModuleMember> members) {
    String pkg = BodyReader.packageOf(type);
    String companion = BodyReader.companionName(type);
    ClassName user = ClassName.bestGuess(type.getQualifiedName().toString());
    String file = plans.isEmpty() ? type.getSimpleName() + ".java" : plans.get(0).function().origin().file();
    DerivativeMetadata metadata = new DerivativeMetadata(type.getQualifiedName().toString(),
        DerivativeMetadata.FORMAT, List.copyOf(methods), rules(type));
    JavaFile javaFile = DiffClassGenerator.generate(pkg, companion, user, file, plans, metadata,
        origins(type, plans), members);
    try {
      javaFile.writeTo(filer);
    } catch (IOException e) {
      internalError(type, e);
    }
  }

  /** {@code <Class>DiffChecks} ({@code -Aadjoint.checks=true}). */
  private void writeChecks(TypeElement type, List<MethodPlan> plans,
      List<dev.adjoint.processor.emit.ChecksGenerator.Checked> checked,
      List<dev.adjoint.processor.emit.ChecksGenerator.RulePair> pairs) {
    String file = plans.get(0).function().origin().file();
    JavaFile javaFile = dev.adjoint.processor.emit.ChecksGenerator.generate(BodyReader.packageOf(type),
        BodyReader.companionName(type), ClassName.bestGuess(type.getQualifiedName().toString()), file, checked,
        pairs, origins(type, plans));
    try {
      javaFile.writeTo(filer);
    } catch (IOException e) {
      internalError(type, e);
    }
  }

  /**
   * The {@code @Derivative} JVPs declared in {@code type} whose method also has a VJP, for the checks of the two
   * against each other: static methods over {@code double}, {@code float}, {@code int} and tensors with a number or
   * tensor result, the VJP covering every input that takes a tangent.
   */
  private List<dev.adjoint.processor.emit.ChecksGenerator.RulePair> rulePairs(TypeElement type) {
    List<dev.adjoint.processor.emit.ChecksGenerator.RulePair> out = new ArrayList<>();
    for (ExecutableElement e : javax.lang.model.util.ElementFilter.methodsIn(type.getEnclosedElements())) {
      var mirror = RuleCatalog.mirror(e, RuleCatalog.DERIVATIVE);
      if (mirror == null || !catalog.isJvp(e)) {
        continue;
      }
      TypeElement of = catalog.ofType(mirror);
      String method = (String) catalog.value(mirror, "method");
      for (ExecutableElement target : javax.lang.model.util.ElementFilter.methodsIn(of.getEnclosedElements())) {
        if (!target.getSimpleName().contentEquals(method) || !target.getModifiers().contains(
            javax.lang.model.element.Modifier.STATIC)
            || !catalog.matchesJvp(e, catalog.inputTypes(target), target.getReturnType())) {
          continue;
        }
        List<Callee.JvpRule> jvps = catalog.jvpRules(target);
        List<Callee.Rule> vjps = catalog.derivativeRules(target);
        List<String> names = new ArrayList<>();
        List<dev.adjoint.processor.ir.Type> types = new ArrayList<>();
        boolean fits = !jvps.isEmpty() && jvps.get(0).method().contentEquals(e.getSimpleName()) && !vjps.isEmpty();
        for (var p : target.getParameters()) {
          dev.adjoint.processor.ir.Type t = switch (p.asType().getKind()) {
            case DOUBLE -> dev.adjoint.processor.ir.Type.DOUBLE;
            case FLOAT -> dev.adjoint.processor.ir.Type.FLOAT;
            case INT -> dev.adjoint.processor.ir.Type.INT;
            default -> RuleCatalog.isTensor(p.asType()) ? dev.adjoint.processor.ir.Type.TENSOR : null;
          };
          fits &= t != null;
          names.add(p.getSimpleName().toString());
          types.add(t);
        }
        dev.adjoint.processor.ir.Type result = switch (target.getReturnType().getKind()) {
          case DOUBLE -> dev.adjoint.processor.ir.Type.DOUBLE;
          case FLOAT -> dev.adjoint.processor.ir.Type.FLOAT;
          default -> RuleCatalog.isTensor(target.getReturnType()) ? dev.adjoint.processor.ir.Type.TENSOR : null;
        };
        fits &= result != null;
        for (int i = 0; fits && i < types.size(); i++) {
          final int index = i;
          fits = !jvps.get(0).tangentSlots().get(i) || vjps.get(0).wrt() < 0
              || vjps.stream().anyMatch(v -> v.wrt() == index);
        }
        if (fits) {
          out.add(new dev.adjoint.processor.emit.ChecksGenerator.RulePair(of.getQualifiedName().toString(), method,
              names, types, result, jvps.get(0), vjps, domains(target)));
        }
      }
    }
    return out;
  }

  /** Each parameter's {@code @Domain}, or the default. */
  private List<dev.adjoint.processor.emit.ChecksGenerator.Domain> domains(ExecutableElement m) {
    List<dev.adjoint.processor.emit.ChecksGenerator.Domain> out = new ArrayList<>();
    for (var p : m.getParameters()) {
      var mirror = RuleCatalog.mirror(p, "dev.adjoint.annotation.Domain");
      if (mirror == null) {
        out.add(dev.adjoint.processor.emit.ChecksGenerator.Domain.DEFAULT);
        continue;
      }
      double min = -1;
      double max = 1;
      List<Integer> shape = List.of(3);
      for (var e : elements.getElementValuesWithDefaults(mirror).entrySet()) {
        String name = e.getKey().getSimpleName().toString();
        Object v = e.getValue().getValue();
        switch (name) {
          case "min" -> min = ((Number) v).doubleValue();
          case "max" -> max = ((Number) v).doubleValue();
          case "shape" -> shape = ((List<?>) v).stream()
              .map(x -> ((Number) ((javax.lang.model.element.AnnotationValue) x).getValue()).intValue()).toList();
          default -> { }
        }
      }
      // what the annotation spells out: a shape left out is the default [3]; a dtype left out is inferred
      boolean shapeGiven = false;
      String dtype = null;
      for (var e : mirror.getElementValues().entrySet()) {
        switch (e.getKey().getSimpleName().toString()) {
          case "shape" -> shapeGiven = true;
          case "dtype" -> dtype = e.getValue().getValue().toString();
          default -> { }
        }
      }
      out.add(new dev.adjoint.processor.emit.ChecksGenerator.Domain(min, max, shape, shapeGiven, dtype));
    }
    return out;
  }

  /** The {@code @Derivative} rules declared in a class, for its metadata. */
  private List<DerivativeMetadata.Rule> rules(TypeElement type) {
    List<DerivativeMetadata.Rule> out = new ArrayList<>();
    for (ExecutableElement e : javax.lang.model.util.ElementFilter.methodsIn(type.getEnclosedElements())) {
      var m = RuleCatalog.mirror(e, RuleCatalog.DERIVATIVE);
      if (m != null) {
        out.add(new DerivativeMetadata.Rule(catalog.ofType(m).getQualifiedName().toString(),
            (String) catalog.value(m, "method"), e.getSimpleName().toString(), (Integer) catalog.value(m, "wrt"),
            catalog.isJvp(e) ? "JVP" : "VJP"));
      }
    }
    return List.copyOf(out);
  }

  /**
   * The originating elements of a class's companion: the class and every other class of this compilation
   * whose source the generated code depends on — the classes of the {@code @Differentiable} methods it
   * calls (for an instance method, transitively through the fields it differentiates, which come from
   * its body) and of the {@code @Derivative} rules it uses. Classes read from class files are left out:
   * they are not sources of this compilation (a build tool tracks the class path itself).
   */
  private List<Element> origins(TypeElement type, List<MethodPlan> plans) {
    Set<TypeElement> found = new java.util.LinkedHashSet<>();
    found.add(type);
    java.util.ArrayDeque<Function> work = new java.util.ArrayDeque<>();
    plans.forEach(p -> work.add(p.function()));
    Set<Function> seenFunctions = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    while (!work.isEmpty()) {
      Function f = work.pop();
      if (!seenFunctions.add(f)) {
        continue;
      }
      for (Stmt s : Stmt.flatten(f.body().stmts())) {
        if (!(s instanceof Stmt.Assign a) || !(a.op() instanceof dev.adjoint.processor.ir.Op.Call c)) {
          continue;
        }
        switch (c.callee()) {
          case dev.adjoint.processor.ir.Callee.Differentiable d -> {
            TypeElement owner = sourceType(d.owner());
            if (owner != null) {
              found.add(owner);
              if (!d.isStatic()) {
                methodNamed(owner, d.method()).flatMap(this::model).ifPresent(work::add);
              }
            }
          }
          case dev.adjoint.processor.ir.Callee.WithRule w -> {
            for (String ruleOwner : java.util.stream.Stream.concat(w.rules().stream().map(r -> r.owner()),
                w.jvp().stream().map(j -> j.owner())).toList()) {
              TypeElement owner = sourceType(ruleOwner);
              if (owner != null) {
                found.add(owner);
              }
            }
          }
          default -> { }
        }
      }
    }
    return List.copyOf(found);
  }

  /** Per callee ({@code Class.method}) in this round, whether its companion has an {@code fHvp}. */
  private final Map<String, Boolean> hvpOf = new HashMap<>();
  /** The callees whose {@code fHvp} is being decided (a recursive call has none). */
  private final Set<String> hvpInProgress = new HashSet<>();
  /** While a callee is planned only to know whether it has an {@code fHvp}: no {@code -Aadjoint.dump} notes. */
  private int quiet;

  /**
   * Whether a static {@code @Differentiable} callee over numbers has an {@code fHvp} in its companion, for an
   * {@code fHvp} composed through it: a callee whose source is in this compilation is planned (once per round);
   * one from a jar or an earlier round is looked up in its companion.
   */
  private boolean hasScalarHvp(dev.adjoint.processor.ir.Callee.Differentiable d) {
    String key = d.owner() + "." + d.method();
    Boolean known = hvpOf.get(key);
    if (known != null) {
      return known;
    }
    TypeElement owner = sourceType(d.owner());
    boolean has;
    if (owner == null) {
      has = d.isStatic() && hasMethod(d.companion(), d.method() + "Hvp");
    } else {
      Optional<ExecutableElement> m = methodNamed(owner, d.method());
      if (m.isEmpty() || !hvpInProgress.add(key)) {
        return false;
      }
      quiet++;
      try {
        Optional<Function> g = model(m.get());
        has = g.isPresent() && plan(m.get(), g.get(), new ValidationReport(m.get()))
            .map(p -> p.hvp().isPresent()).orElse(false);
      } catch (RuntimeException e) {
        has = false; // reported when the callee itself is planned
      } finally {
        quiet--;
        hvpInProgress.remove(key);
      }
    }
    hvpOf.put(key, has);
    return has;
  }

  /** The class of that name if its source is in this compilation, else {@code null}. */
  private TypeElement sourceType(String qualifiedName) {
    TypeElement t = elements.getTypeElement(qualifiedName);
    return t != null && trees.getPath(t) != null ? t : null;
  }

  private static Optional<ExecutableElement> methodNamed(TypeElement type, String name) {
    return javax.lang.model.util.ElementFilter.methodsIn(type.getEnclosedElements()).stream()
        .filter(m -> m.getSimpleName().contentEquals(name) && RuleCatalog.isDifferentiable(m)).findFirst();
  }
}
