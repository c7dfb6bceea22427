package dev.adjoint.processor.emit;

import static dev.adjoint.processor.emit.Renderer.*;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.adjoint.processor.analysis.ToBeRecorded;
import dev.adjoint.processor.ir.AExpr;
import dev.adjoint.processor.ir.AStmt;
import dev.adjoint.processor.ir.Callee;
import dev.adjoint.processor.ir.Cond;
import dev.adjoint.processor.ir.Const;
import dev.adjoint.processor.ir.Function;
import dev.adjoint.processor.ir.Input;
import dev.adjoint.processor.ir.Op;
import dev.adjoint.processor.ir.Operand;
import dev.adjoint.processor.ir.Stmt;
import dev.adjoint.processor.ir.Type;
import dev.adjoint.processor.ir.Var;
import dev.adjoint.processor.meta.DerivativeMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Element;
import javax.lang.model.element.Modifier;

/**
 * Stage 8 (emit): renders the companion {@code <Class>Diff} of one class with JavaPoet from the
 * {@link MethodPlan}s of its methods. It takes IR, never javac elements (the originating element is
 * only passed through to the filer). For each method {@code f}:
 * <ul>
 *   <li>{@code f(...)}: the tracked forward (tensor results): plain computation unless grad mode is on
 *       and an input requires grad, then one autograd node whose backward is the generated code;
 *   <li>{@code fPullback(...)}: the value plus what the backward needs, with {@code backward(dOut)};
 *   <li>{@code fValueAndGrad(...)}: the functional form, value and gradient record;
 *   <li>{@code fGrad(...)}: for {@code double}-only methods, the gradient without tensors.
 * </ul>
 * Output is deterministic: declaration order everywhere, no dates.
 */
public final class DiffClassGenerator {
  /** The processor's name in {@code @Generated}. */
  public static final String PROCESSOR = "dev.adjoint.processor.AdjointProcessor";

  private DiffClassGenerator() {}

  /**
   * A field of a module class listed in its generated member list.
   *
   * @param field the field's name, which is also the member's name
   * @param parameter whether it holds a {@code Tensor} (a parameter) rather than a child module
   */
  public record ModuleMember(String field, boolean parameter) {}

  /**
   * The companion of a class; for a module ({@code members} not null) it also holds {@code MEMBERS},
   * the member list its constructors pass to {@code super(...)}.
   *
   * @param packageName the package
   * @param companion the companion's simple name
   * @param userClass the user's class as a JavaPoet name
   * @param sourceFile the user's file name
   * @param plans the methods, in declaration order
   * @param metadata what other compilations need to call the methods, written as {@code @AdjointGenerated}
   * @param origins the originating elements (for incremental builds), passed to the filer only
   * @param members the module's member fields, or {@code null} for a class that is not a module
   */
  public static JavaFile generate(String packageName, String companion, ClassName userClass, String sourceFile,
      List<MethodPlan> plans, DerivativeMetadata metadata, List<? extends Element> origins,
      List<ModuleMember> members) {
    ClassName self = ClassName.get(packageName, companion);
    TypeSpec.Builder type = TypeSpec.classBuilder(self)
        .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .addAnnotation(AnnotationSpec.builder(GENERATED).addMember("value", "$S", PROCESSOR).build())
        .addAnnotation(metadataAnnotation(metadata))
        .addJavadoc("Reverse-mode derivatives of the {@code @Differentiable} methods of\n"
            + "{@link $T}, written by Adjoint at compile time.\n\n"
            + "<p>For each method {@code f}: {@code f(...)} computes the value and, when grad mode is on\n"
            + "and an input requires grad, records one autograd node whose backward is the code below,\n"
            + "so {@code loss.backward()} works as in eager mode; {@code fPullback(...)} returns the\n"
            + "value with a {@code backward(dOut)} that returns the gradients; {@code fValueAndGrad(...)}\n"
            + "returns both at once; methods over {@code double} only also get {@code fGrad(...)},\n"
            + "which allocates nothing but its result. Gradients of tensors that do not affect the\n"
            + "result are {@code null}.\n", userClass)
        .addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build());
    origins.forEach(type::addOriginatingElement);
    if (members != null) {
      type.addField(membersField(userClass, members));
    }
    for (MethodPlan plan : plans) {
      new MethodEmitter(plan, self, userClass, members != null).emitInto(type);
    }
    return JavaFile.builder(packageName, type.build())
        .addFileComment("Generated by Adjoint from $L. Do not edit.", sourceFile)
        .skipJavaLangImports(true)
        .indent("  ")
        .build();
  }

  /**
   * {@code @AdjointGenerated(from, version, methods, rules)}: the derivative metadata in the class file.
   * Members at their default (no fields, nothing saved, {@code jvp = "none"}) are left out; nested
   * annotations are built as code, so long ones wrap like the rest of the file.
   */
  private static AnnotationSpec metadataAnnotation(DerivativeMetadata metadata) {
    AnnotationSpec.Builder a = AnnotationSpec.builder(ADJOINT_GENERATED)
        .addMember("from", "$S", metadata.from())
        .addMember("version", "$L", metadata.version());
    for (DerivativeMetadata.Method m : metadata.methods()) {
      CodeBlock.Builder b = CodeBlock.builder().add("@$T(name = $S,$Wparameters = $S,$WisStatic = $L,$Wgradients = $L",
          ADJOINT_GENERATED.nestedClass("Method"), m.name(), m.parameters(), m.isStatic(),
          array(m.gradients().stream().map(g -> CodeBlock.of("$S", g)).toList()));
      if (!m.fields().isEmpty()) {
        b.add(",$Wfields = $L", array(m.fields().stream().map(f -> CodeBlock.of("@$T(path = $S,$Wcomponent = $S)",
            ADJOINT_GENERATED.nestedClass("Field"), f.path(), f.component())).toList()));
      }
      b.add(",$Wtracked = $L", m.tracked());
      if (!m.saved().isEmpty()) {
        b.add(",$Wsaved = $L", array(m.saved().stream().map(v -> CodeBlock.of("$S", v)).toList()));
      }
      if (!m.jvp().equals("none")) {
        b.add(",$Wjvp = $S", m.jvp());
      }
      a.addMember("methods", "$L", b.add(")").build());
    }
    for (DerivativeMetadata.Rule r : metadata.rules()) {
      a.addMember("rules", "$L", r.isJvp()
          ? CodeBlock.of("@$T(of = $S,$Wmethod = $S,$Wrule = $S,$Wwrt = $L,$Wkind = $S)",
              ADJOINT_GENERATED.nestedClass("Rule"), r.of(), r.method(), r.rule(), r.wrt(), r.kind())
          : CodeBlock.of("@$T(of = $S,$Wmethod = $S,$Wrule = $S,$Wwrt = $L)",
              ADJOINT_GENERATED.nestedClass("Rule"), r.of(), r.method(), r.rule(), r.wrt()));
    }
    return a.build();
  }

  /** An annotation array: one element bare, otherwise {@code {a, b}} with wrapping points. */
  private static CodeBlock array(List<CodeBlock> elements) {
    if (elements.size() == 1) {
      return elements.get(0);
    }
    return CodeBlock.builder().add("{").add(CodeBlock.join(elements, ",$W")).add("}").build();
  }

  private static final ClassName SHAPE_GUARD = ClassName.get("dev.adjoint.shape", "ShapeGuard");
  private static final ClassName MODULE_MEMBERS = ClassName.get("dev.adjoint.nn", "Module", "Members");

  /** {@code MEMBERS}: a lambda reporting each parameter and child field, in declaration order. */
  private static com.palantir.javapoet.FieldSpec membersField(ClassName userClass, List<ModuleMember> members) {
    CodeBlock.Builder body = CodeBlock.builder().add("(module, members) -> {\n").indent();
    if (!members.isEmpty()) {
      body.addStatement("$T self = ($T) module", userClass, userClass);
    }
    for (ModuleMember m : members) {
      body.addStatement("members.$L($S, self.$L)", m.parameter() ? "parameter" : "module", m.field(), m.field());
    }
    body.unindent().add("}");
    return com.palantir.javapoet.FieldSpec.builder(MODULE_MEMBERS, "MEMBERS", Modifier.PUBLIC, Modifier.STATIC,
            Modifier.FINAL)
        .addJavadoc("The parameters ({@code Tensor} fields) and child modules ({@code Module} fields) of\n"
            + "{@link $T}, in declaration order, named after the fields. Its constructors pass this\n"
            + "to {@code super(...)}, so {@code parameters()}, {@code stateDict()} and {@code train()}\n"
            + "see the fields without reflection.\n", userClass)
        .initializer(body.build())
        .build();
  }

  /** Renders one method's members. */
  private static final class MethodEmitter {
    private final MethodPlan plan;
    private final Function f;
    private final ClassName userClass;
    private final ClassName companion;
    private final ClassName pullbackType;
    private final ClassName gradientType;
    private final ClassName valueAndGradType;
    private final boolean hasTensors;

    /** Whether the user's class is a module with generated members (its tracked forwards mark its parameters). */
    private final boolean module;

    MethodEmitter(MethodPlan plan, ClassName companion, ClassName userClass, boolean module) {
      this.plan = plan;
      this.module = module;
      this.f = plan.function();
      this.userClass = userClass;
      String cap = f.capitalized();
      this.companion = companion;
      this.pullbackType = companion.nestedClass(cap + "Pullback");
      this.gradientType = companion.nestedClass(cap + "Gradient");
      this.valueAndGradType = companion.nestedClass(cap + "ValueAndGrad");
      this.hasTensors = !f.scalarOnly() || usesTensors(f);
      this.tape = plan.tape().orElse(null);
      java.util.Set<String> taken = new java.util.HashSet<>(List.of("g", "sum", "value", "gradient", "pullback",
          "self"));
      f.inputs().forEach(in -> taken.add(in.var().name()));
      plan.fused().ifPresent(fu -> Stmt.flatten(fu.forward()).forEach(st -> {
        if (st instanceof Stmt.Assign a) {
          taken.add(a.target().name());
        }
      }));
      this.index = JvpEmitter.fresh("i", taken);
      this.length = JvpEmitter.fresh("n", taken);
    }

    /** The fused loop's element count: {@code n}, unless a user's name takes it (the user's names win). */
    private final String length;
    /** The fused loop's index: {@code i}, unless a user's name takes it. */
    private final String index;

    /** Non-null for methods with control flow. */
    private final dev.adjoint.processor.reverse.Tape tape;

    private static boolean usesTensors(Function f) {
      for (Stmt s : Stmt.flatten(f.body().stmts())) {
        if (s instanceof Stmt.Assign a && a.target().type().kind() == Type.Kind.TENSOR) {
          return true;
        }
      }
      return false;
    }

    void emitInto(TypeSpec.Builder type) {
      List<Input> wrtTensors = f.inputs().stream()
          .filter(i -> i.wrt() && (i.var().type().kind() == Type.Kind.TENSOR || i.var().type().isTensorArray()))
          .toList();
      if (f.returnType().kind() == Type.Kind.TENSOR && !wrtTensors.isEmpty()) {
        type.addMethod(tracked(wrtTensors));
      }
      type.addMethod(pullbackMethod());
      type.addMethod(valueAndGrad());
      plan.direct().ifPresent(d -> type.addMethod(direct(d)));
      plan.fused().ifPresent(fu -> type.addMethod(fusedMethod(fu)));
      JvpEmitter jvp = plan.jvp()
          .map(j -> new JvpEmitter(f, j, companion, userClass, hasTensors, shapeChecks(), module))
          .orElse(null);
      if (jvp != null) {
        MethodSpec forward = jvp.method();
        if (plan.hvp().isEmpty() && plan.noHvp().isPresent()) {
          // the reason a user looking for the second order finds next to the first
          forward = forward.toBuilder().addJavadoc("\n$L\n", wrap("<p>No {@code " + f.name() + "Hvp} or {@code "
              + f.name() + "Hessian}: " + plan.noHvp().get() + ".", 95)).build();
        }
        type.addMethod(forward);
        MethodSpec byName = jvp.byNameMethod();
        if (byName != null) {
          type.addMethod(byName);
        }
        plan.hvp().ifPresent(h -> {
          type.addMethod(h.eager() ? jvp.eagerHvpMethod(h, gradientType) : jvp.hvpMethod(h, gradientType));
          MethodSpec hessian = hasTensors ? jvp.tensorHessianMethod(gradientType) : jvp.hessianMethod(gradientType);
          if (hessian != null && !f.drawsMasks()) { // one fHvp per element: each would draw its own mask
            type.addMethod(hessian);
          }
        });
      }
      type.addType(gradientRecord());
      type.addType(valueAndGradRecord());
      if (jvp != null) {
        type.addType(jvp.record());
      }
      type.addType(pullbackRecord(!wrtTensors.isEmpty() && f.returnType().kind() == Type.Kind.TENSOR));
    }

    // ---- signatures

    private List<ParameterSpec> parameters() {
      List<ParameterSpec> ps = new ArrayList<>();
      if (!f.isStatic()) {
        ps.add(ParameterSpec.builder(userClass, "self").build());
      }
      for (Input p : f.params()) {
        ps.add(ParameterSpec.builder(typeName(p.var().type()), p.var().name()).build());
      }
      return ps;
    }

    private String argumentList() {
      List<String> names = new ArrayList<>();
      if (!f.isStatic()) {
        names.add("self");
      }
      for (Input p : f.params()) {
        names.add(p.var().name());
      }
      return String.join(", ", names);
    }

    private String userCall() {
      List<String> names = new ArrayList<>();
      for (Input p : f.params()) {
        names.add(p.var().name());
      }
      return String.join(", ", names);
    }

    private CodeBlock inputRead(Input in) {
      return in.kind() == Input.Kind.FIELD ? CodeBlock.of("self.$L", in.name()) : CodeBlock.of("$L", in.var().name());
    }

    // ---- tracked forward

    private MethodSpec tracked(List<Input> wrtTensors) {
      if (wrtTensors.stream().anyMatch(i -> i.var().type().isTensorArray())) {
        return trackedWithArrays(wrtTensors);
      }
      CodeBlock inputs = CodeBlock.join(wrtTensors.stream().map(this::inputRead).toList(), ",$W");
      List<CodeBlock> grads = new ArrayList<>();
      for (Input in : wrtTensors) {
        grads.add(CodeBlock.of("grad.$L()", in.component()));
      }
      CodeBlock plain = f.isStatic()
          ? CodeBlock.of("$T.$L($L)", userClass, f.name(), userCall())
          : CodeBlock.of("self.$L($L)", f.name(), userCall());
      String node = f.className() + f.capitalized() + "Backward";
      CodeBlock body = CodeBlock.builder()
          .add(notDifferentiatedChecks())
          .add(markParameters())
          .beginControlFlow("if (!$T.shouldRecord($L))", AUTOGRAD, inputs)
          .add(shapeChecks())
          .addStatement("return $L", plain)
          .endControlFlow()
          .addStatement("$T pullback = $L($L)", pullbackType, f.name() + "Pullback", argumentList())
          .add("return $T.record($S, $S, pullback.value(),\n", AUTOGRAD, node, f.origin().position())
          .indent().indent()
          .add("new $T[] {$L}, pullback.saved(), dOut -> {\n", TENSOR, inputs)
          .indent()
          .addStatement("$T grad = pullback.backward(dOut)", gradientType)
          .addStatement("return $T.of($L)", GRADS, CodeBlock.join(grads, ",$W"))
          .unindent()
          .add("});\n")
          .unindent().unindent()
          .build();
      return MethodSpec.methodBuilder(f.name())
          .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
          .addJavadoc("{@link $T#$L}, tracked: when grad mode is on and one of\n"
              + "{@code $L} requires grad, the result carries one autograd node,\n"
              + "{@code $L}, whose backward is the generated code.\n"
              + "Otherwise this is plain computation that saves nothing.\n",
              userClass, f.name(), wrapped(wrtTensors.stream().map(i -> inputRead(i).toString()).toList()), node)
          .addJavadoc(noHessianNote())
          .returns(TENSOR)
          .addParameters(parameters())
          .addCode(body)
          .build();
    }

    /** {@code text} broken at spaces into lines of at most {@code width} characters (a longer word stays whole). */
    private static String wrap(String text, int width) {
      StringBuilder out = new StringBuilder();
      int line = 0;
      for (String word : text.split(" ")) {
        if (line > 0 && line + 1 + word.length() > width) {
          out.append('\n');
          line = 0;
        } else if (line > 0) {
          out.append(' ');
          line++;
        }
        out.append(word);
        line += word.length();
      }
      return out.toString();
    }

    /** Why there is no {@code fHvp}/{@code fHessian}, when a row without a double backward is the reason. */
    private CodeBlock noHessianNote() {
      return plan.noHessian().map(r -> CodeBlock.of("\n<p>No {@code $LHvp} or {@code $LHessian}: the method goes"
          + " through\n{@code $L}, which has no recorded double backward yet, so a second\n"
          + "differentiation through it would throw at run time.\n", f.name(), f.name(), r)).orElse(CodeBlock.of(""));
    }

    /**
     * {@code self.markParameters()} for an instance method of a module with generated members: its parameter
     * fields require grad before the first forward reads them (as {@code Module.call} does), so a direct
     * {@code net.forward(x)} delegating here records the node on a fresh module. One flag read after the first.
     */
    private CodeBlock markParameters() {
      return module && !f.isStatic() ? CodeBlock.builder().addStatement("self.markParameters()").build()
          : CodeBlock.of("");
    }

    /**
     * A tensor parameter left out of {@code wrt} gets no gradient from the node, so the tracked forward
     * refuses one that requires grad instead of leaving its {@code grad} silently empty.
     */
    private CodeBlock notDifferentiatedChecks() {
      CodeBlock.Builder code = CodeBlock.builder();
      List<String> wrt = new ArrayList<>();
      for (Input in : f.params()) {
        if (in.wrt()) {
          wrt.add(in.name());
        }
      }
      if (!f.isStatic()) {
        wrt.add("this");
      }
      for (Input in : f.params()) {
        Type t = in.var().type();
        if (in.wrt() || (t.kind() != Type.Kind.TENSOR && !t.isTensorArray())) {
          continue;
        }
        code.addStatement("$T.requireNotDifferentiated($L, $S, $S, $S,$W$S)", AUTOGRAD, in.var().name(),
            in.name(), f.className() + "." + f.name(), f.origin().position(), String.join(", ", wrt));
      }
      return code.build();
    }

    /** Comma-separated, broken into javadoc lines of at most about 80 characters. */
    private static String wrapped(List<String> items) {
      StringBuilder sb = new StringBuilder();
      int line = 0;
      for (int i = 0; i < items.size(); i++) {
        String item = items.get(i) + (i + 1 < items.size() ? "," : "");
        if (line > 0 && line + item.length() + 1 > 80) {
          sb.append('\n');
          line = 0;
        } else if (line > 0) {
          sb.append(' ');
          line++;
        }
        sb.append(item);
        line += item.length();
      }
      return sb.toString();
    }

    /**
     * The tracked forward of a method with {@code Tensor[]} parameters: the node's inputs are every
     * tensor, arrays flattened in order ({@code Adjoints.flatten}), and so are its gradients (an array
     * whose gradient is null gives one null per element).
     */
    private MethodSpec trackedWithArrays(List<Input> wrtTensors) {
      List<CodeBlock> parts = new ArrayList<>();
      List<CodeBlock> grads = new ArrayList<>();
      for (Input in : wrtTensors) {
        boolean array = in.var().type().isTensorArray();
        parts.add(array ? inputRead(in) : CodeBlock.of("new $T[] {$L}", TENSOR, inputRead(in)));
        grads.add(array ? CodeBlock.of("$T.entries(grad.$L(), $L.length)", ADJOINTS, in.component(), inputRead(in))
            : CodeBlock.of("new $T[] {grad.$L()}", TENSOR, in.component()));
      }
      CodeBlock plain = f.isStatic()
          ? CodeBlock.of("$T.$L($L)", userClass, f.name(), userCall())
          : CodeBlock.of("self.$L($L)", f.name(), userCall());
      String node = f.className() + f.capitalized() + "Backward";
      CodeBlock body = CodeBlock.builder()
          .add(notDifferentiatedChecks())
          .add(markParameters())
          .addStatement("$T[] inputs = $T.flatten($L)", TENSOR, ADJOINTS, CodeBlock.join(parts, ", "))
          .beginControlFlow("if (!$T.shouldRecord(inputs))", AUTOGRAD)
          .add(shapeChecks())
          .addStatement("return $L", plain)
          .endControlFlow()
          .addStatement("$T pullback = $L($L)", pullbackType, f.name() + "Pullback", argumentList())
          .add("return $T.record($S, $S, pullback.value(),\n", AUTOGRAD, node, f.origin().position())
          .indent().indent()
          .add("inputs, pullback.saved(), dOut -> {\n")
          .indent()
          .addStatement("$T grad = pullback.backward(dOut)", gradientType)
          .addStatement("return $T.of($T.flatten($L))", GRADS, ADJOINTS, CodeBlock.join(grads, ",$W"))
          .unindent()
          .add("});\n")
          .unindent().unindent()
          .build();
      return MethodSpec.methodBuilder(f.name())
          .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
          .addJavadoc("{@link $T#$L}, tracked: when grad mode is on and one of\n"
              + "{@code $L} (every array element) requires grad, the result carries one autograd node,\n"
              + "{@code $L}, whose backward is the generated code.\n"
              + "Otherwise this is plain computation that saves nothing.\n",
              userClass, f.name(), wrapped(wrtTensors.stream().map(i -> inputRead(i).toString()).toList()), node)
          .addJavadoc(noHessianNote())
          .returns(TENSOR)
          .addParameters(parameters())
          .addCode(body)
          .build();
    }

    // ---- pullback

    /**
     * The {@code @Shape} equations left to run time ({@code ShapeGuard.require}), at the entry of the pullback, of
     * the tracked forward's plain path and of a fused value-and-grad: one check per call whichever way it goes.
     */
    private CodeBlock shapeChecks() {
      CodeBlock.Builder code = CodeBlock.builder();
      for (var c : plan.shapeChecks()) {
        List<CodeBlock> reads = new ArrayList<>();
        for (int i = 0; i + 1 < c.reads().size(); i += 2) {
          reads.add(CodeBlock.of("$S, $L", c.reads().get(i), c.reads().get(i + 1)));
        }
        code.addStatement("$T.require($L,$W$S,$W$L)", SHAPE_GUARD, c.condition(), c.message(),
            CodeBlock.join(reads, ",$W"));
      }
      return code.build();
    }

    private MethodSpec pullbackMethod() {
      CodeBlock.Builder code = CodeBlock.builder();
      code.add(shapeChecks());
      Operand result = resultOperand();
      List<CodeBlock> args = new ArrayList<>();
      args.add(operand(result));
      for (Var v : savedComponents()) {
        args.add(CodeBlock.of("$L", v.name()));
      }
      java.util.Set<String> reads = new java.util.HashSet<>();
      plan.saved().forEach(v -> reads.add(v.name()));
      CodeBlock forward;
      if (tape != null) {
        for (String r : tapeRecords().keySet()) {
          args.add(CodeBlock.of("$L", r));
        }
        forward = new ControlFlowForward(tape, plan.pullbacks(), reads).render(plan.pullbackForward());
      } else {
        forward = forward(plan.pullbackForward(), plan.pullbacks(), reads);
      }
      CodeBlock ret = CodeBlock.of("return new $T($L)", pullbackType, CodeBlock.join(args, ",$W"));
      if (hasTensors) {
        code.addStatement("$T noGrad = $T.noGrad()", GRAD_MODE, AUTOGRAD)
            .beginControlFlow("try")
            .add(forward)
            .addStatement(ret)
            .nextControlFlow("finally")
            .addStatement("noGrad.close()")
            .endControlFlow();
      } else {
        code.add(forward).addStatement(ret);
      }
      return MethodSpec.methodBuilder(f.name() + "Pullback")
          .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
          .addJavadoc("{@link $T#$L} with what its backward needs;\n"
              + "{@code backward(dOut)} on the result returns the gradients. Nothing is recorded.\n",
              userClass, f.name())
          .returns(pullbackType)
          .addParameters(parameters())
          .addCode(code.build())
          .build();
    }

    private Operand resultOperand() {
      for (Stmt s : f.body().stmts()) {
        if (s instanceof Stmt.Return r) {
          return r.value();
        }
      }
      throw new IllegalStateException("no return in " + f.name());
    }

    /**
     * {@code p.saved()} for each saved pullback of a call to another {@code @Differentiable} method whose
     * pullback has saved tensors, so that an in-place change to a tensor only the callee saved (a nested
     * module's parameter) is caught too. Pullbacks pushed on a stack inside a loop are not included.
     */
    private List<CodeBlock> nestedSaved() {
      List<Var> components = savedComponents();
      List<CodeBlock> out = new ArrayList<>();
      for (Stmt s : Stmt.flatten(f.body().stmts())) {
        if (s instanceof Stmt.Assign a && a.op() instanceof Op.Call c && c.callee() instanceof Callee.Differentiable d
            && d.savesTensors()) {
          Var p = plan.pullbacks().get(a.target().name());
          if (p != null && components.contains(p)) {
            // with control flow the call may not have run (a branch not taken, an earlier return)
            out.add(tape == null ? CodeBlock.of("$L.saved()", p.name())
                : CodeBlock.of("$L == null ? new $T[0] : $L.saved()", p.name(), TENSOR, p.name()));
          }
        }
      }
      return out;
    }

    /** The saved variables other than the result itself (which is the record's {@code value}). */
    private List<Var> savedComponents() {
      Operand result = resultOperand();
      return plan.saved().stream().filter(v -> !v.equals(result)).toList();
    }

    private TypeSpec pullbackRecord(boolean needsSaved) {
      MethodSpec.Builder ctor = MethodSpec.constructorBuilder()
          .addParameter(ParameterSpec.builder(typeName(f.returnType()), "value").build());
      for (Var v : savedComponents()) {
        ctor.addParameter(ParameterSpec.builder(typeName(v.type()), v.name()).build());
      }
      if (tape != null) {
        tapeRecords().forEach((n, t) -> ctor.addParameter(ParameterSpec.builder(t, n).build()));
      }
      Map<String, String> rename = resultOperand() instanceof Var rv
          && (tape == null || !tape.restored().contains(rv.name())) ? Map.of(rv.name(), "value") : Map.of();
      CodeBlock.Builder body = CodeBlock.builder();
      CodeBlock backward = backward(plan.backward(), rename, tape != null);
      if (tape != null) {
        CodeBlock.Builder prologue = CodeBlock.builder();
        for (String r : tape.restored()) {
          Var v = tape.saved().values().stream().filter(x -> x.name().equals(r)).findFirst().orElseThrow();
          boolean isResult = resultOperand() instanceof Var rv && rv.name().equals(r);
          prologue.addStatement("$T $L = $L", typeName(v.type()), r, isResult ? "value" : "this." + r);
        }
        tapeRecords().forEach((n, t) -> {
          if (!t.isPrimitive()) {
            prologue.addStatement("$T $L = this.$L.replay()", t, n, n);
          }
        });
        prologue.add(adjointDeclarations("dOut", rename));
        backward = prologue.add(backward).build();
      }
      CodeBlock ret = CodeBlock.of("return new $T($L)", gradientType, gradientArgs(plan.inputAdjoints(), rename));
      if (hasTensors) {
        body.addStatement("$T noGrad = $T.noGrad()", GRAD_MODE, AUTOGRAD)
            .beginControlFlow("try")
            .add(backward)
            .addStatement(ret)
            .nextControlFlow("finally")
            .addStatement("noGrad.close()")
            .endControlFlow();
      } else {
        body.add(backward).addStatement(ret);
      }
      TypeSpec.Builder rec = TypeSpec.recordBuilder(pullbackType)
          .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
          .addJavadoc("The value of {@link $T#$L} and what its backward reads.\n", userClass, f.name())
          .recordConstructor(ctor.build())
          .addMethod(MethodSpec.methodBuilder("backward")
              .addModifiers(Modifier.PUBLIC)
              .addJavadoc("The gradients of the inputs, given the gradient {@code dOut} of the value.\n")
              .returns(gradientType)
              .addParameter(typeName(f.returnType()), "dOut")
              .addCode(body.build())
              .build());
      if (needsSaved) {
        // the tensors whose values the backward reads; one it needs only for a shape may change in place
        java.util.Set<String> checked = ToBeRecorded.versionChecked(plan.backward(), plan.inputAdjoints().values());
        List<CodeBlock> tensors = new ArrayList<>();
        if (plan.saved().contains(resultOperand()) && resultOperand() instanceof Var rv && checked.contains(rv.name())) {
          tensors.add(CodeBlock.of("value"));
        }
        for (Var v : savedComponents()) {
          if (v.type().kind() == Type.Kind.TENSOR && checked.contains(v.name())) {
            tensors.add(CodeBlock.of("$L", v.name()));
          }
        }
        CodeBlock own = tensors.isEmpty() ? CodeBlock.of("new $T[0]", TENSOR)
            : tape != null ? CodeBlock.of("$T.present($L)", ADJOINTS, CodeBlock.join(tensors, ", "))
            : CodeBlock.of("new $T[] {$L}", TENSOR, CodeBlock.join(tensors, ",$W"));
        List<CodeBlock> nested = nestedSaved();
        CodeBlock all = nested.isEmpty() ? own : CodeBlock.of("$T.flatten($L,$W$L)", ADJOINTS, own,
            CodeBlock.join(nested, ",$W"));
        rec.addMethod(MethodSpec.methodBuilder("saved")
            .addModifiers(Modifier.PUBLIC)
            .addJavadoc(nested.isEmpty() ? "The saved tensors, whose versions backward checks.\n"
                : "The saved tensors, whose versions backward checks, with those of the nested pullbacks.\n")
            .returns(com.palantir.javapoet.ArrayTypeName.of(TENSOR))
            .addStatement("return $L", all)
            .build());
      }
      return rec.build();
    }

    private CodeBlock gradientArgs(Map<String, AExpr> adjoints, Map<String, String> rename) {
      List<CodeBlock> args = new ArrayList<>();
      for (Input in : f.inputs()) {
        if (!in.wrt()) {
          continue;
        }
        AExpr a = adjoints.get(in.var().name());
        if (a == null || a instanceof AExpr.Zero) {
          args.add(CodeBlock.of(in.var().type().kind() == Type.Kind.TENSOR || in.var().type().isTensorArray() ? "null"
              : in.var().type().kind() == Type.Kind.FLOAT ? "0f" : "0"));
        } else {
          args.add(expr(a, rename));
        }
      }
      return CodeBlock.join(args, ", ");
    }

    // ---- functional forms

    private MethodSpec valueAndGrad() {
      CodeBlock.Builder code = CodeBlock.builder();
      if (plan.fused().isPresent()) {
        code.add(shapeChecks()); // the fused loop does not go through the pullback, which checks
        List<CodeBlock> tensors = f.inputs().stream().filter(i -> i.var().type().kind() == Type.Kind.TENSOR)
            .map(this::inputRead).toList();
        code.addStatement("int $L = $T.fusedLength($L)", length, ADJOINTS, CodeBlock.join(tensors, ", "))
            .beginControlFlow("if ($L > 0)", length)
            .addStatement("return $L($L, $L)", f.name() + "Fused", length, argumentList())
            .endControlFlow();
      }
      code.addStatement("$T pullback = $L($L)", pullbackType, f.name() + "Pullback", argumentList());
      if (f.returnType().kind() == Type.Kind.TENSOR) {
        code.addStatement("$T value = pullback.value()", TENSOR)
            .beginControlFlow("if (value.numel() != 1)")
            .addStatement("throw new $T($S\n+ $T.toString(value.shape()) + $S)", IllegalArgumentException.class,
                f.name() + "ValueAndGrad needs one element, got shape ", ARRAYS,
                "; use " + f.name() + "Pullback(...).backward(seed)")
            .endControlFlow()
            .addStatement("return new $T(value, pullback.backward($T.onesLike(value)))", valueAndGradType, TENSOR);
      } else {
        code.addStatement("return new $T(pullback.value(), pullback.backward(1))", valueAndGradType);
      }
      return MethodSpec.methodBuilder(f.name() + "ValueAndGrad")
          .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
          .addJavadoc("The value of {@link $T#$L} and its gradient with respect to every\n"
              + "differentiable input$L.\n", userClass, f.name(),
              f.returnType().kind() == Type.Kind.TENSOR ? " (the result must have one element)" : "")
          .returns(valueAndGradType)
          .addParameters(parameters())
          .addCode(code.build())
          .build();
    }

    private MethodSpec direct(MethodPlan.Direct d) {
      CodeBlock.Builder code = CodeBlock.builder();
      java.util.Set<String> reads = new java.util.HashSet<>();
      if (tape == null) {
        ToBeRecorded.reads(d.backward(), reads);
      }
      d.inputAdjoints().values().forEach(e -> ToBeRecorded.refs(e, reads));
      if (tape != null) {
        ToBeRecorded.reads(d.backward(), reads);
        code.add(new ControlFlowForward(d.tape().orElseThrow(), d.pullbacks(), reads).render(d.forward()));
        code.add(adjointDeclarations("1", Map.of()));
      } else {
        code.add(forward(d.forward(), d.pullbacks(), reads));
      }
      code.add(backward(d.backward(), Map.of(), tape != null));
      code.addStatement("return new $T($L)", gradientType, gradientArgs(d.inputAdjoints(), Map.of()));
      return MethodSpec.methodBuilder(f.name() + "Grad")
          .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
          .addJavadoc(tape == null ? "The gradient of {@link $T#$L}: no tensors, no allocation but the result.\n"
              : "The gradient of {@link $T#$L}: no tensors; allocates the result and the stacks\n"
                  + "that record what its loops and branches overwrite.\n", userClass, f.name())
          .returns(gradientType)
          .addParameters(parameters())
          .addCode(code.build())
          .build();
    }

    /**
     * The fused loop: forward and backward of one element per iteration, reading the tensors'
     * storage directly; one-element tensors broadcast with a step of 0.
     */
    private MethodSpec fusedMethod(dev.adjoint.processor.fuse.Fused fu) {
      List<ParameterSpec> ps = new ArrayList<>();
      ps.add(ParameterSpec.builder(TypeName.INT, length).build());
      if (!f.isStatic()) {
        ps.add(ParameterSpec.builder(userClass, "self").build());
      }
      for (Input p : f.params()) {
        String name = p.var().type().kind() == Type.Kind.TENSOR ? p.var().name() + "Tensor" : p.var().name();
        ps.add(ParameterSpec.builder(typeName(p.var().type()), name).build());
      }
      CodeBlock.Builder code = CodeBlock.builder();
      List<Input> tensors = f.inputs().stream().filter(i -> i.var().type().kind() == Type.Kind.TENSOR).toList();
      java.util.Set<String> reads = new java.util.HashSet<>();
      ToBeRecorded.reads(fu.backward(), reads);
      fu.inputAdjoints().values().forEach(e -> ToBeRecorded.refs(e, reads));
      for (Stmt st : fu.forward()) {
        if (st instanceof Stmt.Assign a) {
          a.op().inputs().forEach(o -> reads.add(o.toString()));
        }
      }
      reads.add(fu.result().name());
      for (Input in : tensors) {
        String v = in.var().name();
        CodeBlock source = in.kind() == Input.Kind.FIELD ? CodeBlock.of("self.$L", in.name())
            : CodeBlock.of("$L", v + "Tensor");
        if (reads.contains(v)) {
          code.addStatement("float[] $LData = $L.storage()", v, source);
          code.addStatement("int $LStep = $L.numel() == 1 ? 0 : 1", v, source);
        } else if (in.wrt() && !(fu.inputAdjoints().get(v) instanceof AExpr.Zero)) {
          code.addStatement("int $LStep = $L.numel() == 1 ? 0 : 1", v, source);
        }
        if (in.wrt() && !(fu.inputAdjoints().get(v) instanceof AExpr.Zero)) {
          code.addStatement("float[] $LGrad = new float[$L.numel()]", v, source);
        }
      }
      for (Input in : f.fields()) {
        if (in.var().type().kind() != Type.Kind.TENSOR && reads.contains(in.var().name())) {
          code.addStatement("$T $L = self.$L", typeName(in.var().type()), in.var().name(), in.name());
        }
      }
      for (Input in : f.inputs()) {
        if (in.wrt() && in.var().type().floating() && !(fu.inputAdjoints().get(in.var().name()) instanceof AExpr.Zero)) {
          code.addStatement("$T $LGrad = 0", typeName(in.var().type()), in.var().name());
        }
      }
      code.addStatement("double g = $L", fu.mean() ? "1.0 / " + length : "1.0");
      code.addStatement("float sum = 0f");
      code.beginControlFlow("for (int $L = 0; $L < $L; $L++)", index, index, length, index);
      for (Input in : tensors) {
        String v = in.var().name();
        if (reads.contains(v)) {
          code.addStatement("double $L = $LData[$L * $LStep]", v, v, index, v);
        }
      }
      code.add(forward(fu.forward(), Map.of(), reads, false));
      code.addStatement("sum += (float) $L", fu.result().name());
      code.add(backward(fu.backward(), Map.of(), tape != null));
      for (Input in : f.inputs()) {
        AExpr a = fu.inputAdjoints().get(in.var().name());
        if (!in.wrt() || a == null || a instanceof AExpr.Zero) {
          continue;
        }
        if (in.var().type().kind() == Type.Kind.TENSOR) {
          code.addStatement("$LGrad[$L * $LStep] += (float) $L", in.var().name(), index, in.var().name(),
              atomic(a) ? expr(a, Map.of()) : CodeBlock.of("($L)", expr(a, Map.of())));
        } else {
          code.addStatement("$LGrad += $L", in.var().name(), expr(a, Map.of()));
        }
      }
      code.endControlFlow();
      List<CodeBlock> grads = new ArrayList<>();
      for (Input in : f.inputs()) {
        if (!in.wrt()) {
          continue;
        }
        AExpr a = fu.inputAdjoints().get(in.var().name());
        if (a == null || a instanceof AExpr.Zero) {
          grads.add(CodeBlock.of(in.var().type().kind() == Type.Kind.TENSOR ? "null" : "0"));
        } else if (in.var().type().kind() == Type.Kind.TENSOR) {
          CodeBlock source = in.kind() == Input.Kind.FIELD ? CodeBlock.of("self.$L", in.name())
              : CodeBlock.of("$L", in.var().name() + "Tensor");
          grads.add(CodeBlock.of("$T.wrap($LGrad, $L.shape())", TENSOR, in.var().name(), source));
        } else {
          grads.add(CodeBlock.of("$LGrad", in.var().name()));
        }
      }
      code.addStatement("$T value = $T.scalar($L)", TENSOR, TENSOR, fu.mean() ? "sum / (float) " + length : "sum");
      code.add("$T gradient = new $T(", gradientType, gradientType);
      if (grads.size() > 1) {
        code.add("\n$>$>$L$<$<", CodeBlock.join(grads, ",\n"));
      } else {
        code.add("$L", CodeBlock.join(grads, ", "));
      }
      code.add(");\n");
      code.addStatement("return new $T(value, gradient)", valueAndGradType);
      return MethodSpec.methodBuilder(f.name() + "Fused")
          .addModifiers(Modifier.PRIVATE, Modifier.STATIC)
          .addJavadoc("{@link #$L} as one fused loop (every tensor has {@code $L} elements or one):\n"
              + "the forward and backward of each element, nothing allocated per element.\n",
              f.name() + "ValueAndGrad", length)
          .returns(valueAndGradType)
          .addParameters(ps)
          .addCode(code.build())
          .build();
    }

    private TypeSpec gradientRecord() {
      MethodSpec.Builder ctor = MethodSpec.constructorBuilder();
      StringBuilder doc = new StringBuilder();
      for (Input in : f.inputs()) {
        if (in.wrt()) {
          ctor.addParameter(ParameterSpec.builder(typeName(in.var().type()), in.component()).build());
          doc.append("@param ").append(in.component()).append(" the gradient of ")
              .append(in.kind() == Input.Kind.FIELD ? "field {@code " : "{@code ").append(in.name()).append("}\n");
        }
      }
      return TypeSpec.recordBuilder(gradientType)
          .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
          .addJavadoc("The gradient of {@link $T#$L}, one component per differentiable input.\n\n$L", userClass,
              f.name(), doc.toString())
          .recordConstructor(ctor.build())
          .build();
    }

    private TypeSpec valueAndGradRecord() {
      return TypeSpec.recordBuilder(valueAndGradType)
          .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
          .addJavadoc("The value of {@link $T#$L} and its gradient.\n\n@param value the value\n"
              + "@param gradient the gradient\n", userClass, f.name())
          .recordConstructor(MethodSpec.constructorBuilder()
              .addParameter(typeName(f.returnType()), "value")
              .addParameter(gradientType, "gradient")
              .build())
          .build();
    }

    // ---- statements

    private CodeBlock forward(List<Stmt> stmts, Map<String, Var> pullbacks, java.util.Set<String> backwardReads) {
      return forward(stmts, pullbacks, backwardReads, true);
    }

    private CodeBlock forward(List<Stmt> stmts, Map<String, Var> pullbacks, java.util.Set<String> backwardReads,
        boolean readFields) {
      CodeBlock.Builder code = CodeBlock.builder();
      for (Input in : readFields ? f.fields() : List.<Input>of()) {
        if (usedIn(in.var(), stmts)) {
          code.addStatement("$T $L = self.$L", typeName(in.var().type()), in.var().name(), in.name());
        }
      }
      java.util.Set<String> read = new java.util.HashSet<>(backwardReads);
      for (Stmt s : stmts) {
        inputsOf(s).forEach(o -> read.add(o.toString()));
      }
      for (Stmt s : stmts) {
        switch (s) {
          case Stmt.Assign a -> assign(code, a, pullbacks, read);
          case Stmt.Effect e -> code.addStatement(call(e.call()));
          default -> { }
        }
      }
      return code.build();
    }

    /** The operands a statement reads (a structured statement's condition only). */
    private static List<Operand> inputsOf(Stmt s) {
      return switch (s) {
        case Stmt.Assign a -> a.op().inputs();
        case Stmt.Effect e -> e.call().inputs();
        case Stmt.Return r -> List.of(r.value());
        case Stmt.If i -> {
          List<Operand> out = new ArrayList<>();
          condOperands(i.cond(), out);
          yield out;
        }
        case Stmt.Loop l -> {
          List<Operand> out = new ArrayList<>();
          condOperands(l.cond(), out);
          l.counted().ifPresent(c -> {
            out.add(c.from());
            out.add(c.to());
          });
          yield out;
        }
      };
    }

    private static void condOperands(Cond c, List<Operand> out) {
      switch (c) {
        case Cond.Compare k -> {
          out.add(k.left());
          out.add(k.right());
        }
        case Cond.Value v -> out.add(v.operand());
        case Cond.Not n -> condOperands(n.operand(), out);
        case Cond.Logic l -> {
          condOperands(l.left(), out);
          condOperands(l.right(), out);
        }
      }
    }

    /** The records a method with control flow saves beyond values: stacks, decisions, trip counts. */
    private java.util.LinkedHashMap<String, TypeName> tapeRecords() {
      var records = new java.util.LinkedHashMap<String, TypeName>();
      tape.saved().forEach((stack, v) -> records.put(stack, stackType(v.type())));
      java.util.Comparator<String> byNumber = java.util.Comparator.comparingInt(String::length)
          .thenComparing(java.util.Comparator.naturalOrder());
      tape.branches().values().stream().sorted(byNumber)
          .forEach(n -> records.put(n, tape.stacks().contains(n) ? INT_STACK : TypeName.BOOLEAN));
      tape.trips().values().stream().sorted(byNumber)
          .forEach(n -> records.put(n, tape.stacks().contains(n) ? INT_STACK : TypeName.INT));
      return records;
    }

    /** The adjoint variables of a method with control flow: the result's starts at {@code seed}. */
    private CodeBlock adjointDeclarations(String seed, Map<String, String> rename) {
      CodeBlock.Builder code = CodeBlock.builder();
      tape.adjoints().forEach((n, t) -> code.addStatement("$T $L = $L", typeName(t), n,
          n.equals(tape.seeded()) ? seed : zero(t)));
      return code.build();
    }

    /**
     * The forward sweep of a method with control flow: the user's structure, plus the records the
     * backward reads (branch decisions, trip counts, overwritten values). Variables assigned inside an
     * {@code if} or a loop and read after it are declared before it.
     */
    private final class ControlFlowForward {
      private final dev.adjoint.processor.reverse.Tape tape;
      private final Map<String, Var> pullbacks;
      private final java.util.Set<String> reads;
      private final java.util.Set<String> declaredVars = new java.util.HashSet<>();
      private final java.util.Set<String> read = new java.util.HashSet<>();
      private List<Stmt> all = List.of();

      ControlFlowForward(dev.adjoint.processor.reverse.Tape tape, Map<String, Var> pullbacks,
          java.util.Set<String> reads) {
        this.tape = tape;
        this.pullbacks = pullbacks;
        this.reads = reads;
      }

      CodeBlock render(List<Stmt> stmts) {
        all = stmts;
        CodeBlock.Builder code = CodeBlock.builder();
        List<Stmt> flat = Stmt.flatten(stmts);
        for (Input in : f.fields()) {
          if (usedIn(in.var(), flat)) {
            code.addStatement("$T $L = self.$L", typeName(in.var().type()), in.var().name(), in.name());
          }
        }
        f.inputs().forEach(i -> declaredVars.add(i.var().name()));
        read.addAll(reads);
        for (Stmt s : flat) {
          inputsOf(s).forEach(o -> read.add(o.toString()));
        }
        tape.saved().forEach((stack, v) -> {
          TypeName t = stackType(v.type());
          if (t instanceof com.palantir.javapoet.ParameterizedTypeName p) {
            code.addStatement("$T $L = new $T<>()", t, stack, p.rawType());
          } else {
            code.addStatement("$T $L = new $T()", t, stack, t);
          }
        });
        for (var e : tapeRecords().entrySet()) {
          if (e.getValue().equals(INT_STACK) && !tape.saved().containsKey(e.getKey())) {
            code.addStatement("$T $L = new $T()", INT_STACK, e.getKey(), INT_STACK);
          }
        }
        block(code, stmts, 0);
        return code.build();
      }

      private void block(CodeBlock.Builder code, List<Stmt> stmts, int depth) {
        for (Stmt s : stmts) {
          switch (s) {
            case Stmt.Assign a -> {
              String stack = tape.pushes().get(a);
              if (stack != null) {
                code.addStatement("$L.push($L)", stack, a.target().name());
              }
              String pullbackStack = tape.pullbackPushes().get(a);
              if (pullbackStack != null) {
                code.addStatement("$L.push($L)", pullbackStack, pullbacks.get(a.target().name()).name());
              }
              if (declaredVars.contains(a.target().name())) {
                assign(code, a, pullbacks, read, false);
              } else {
                assign(code, a, pullbacks, read);
                declaredVars.add(a.target().name());
              }
            }
            case Stmt.Effect e -> code.addStatement(call(e.call()));
            case Stmt.Return r -> { }
            case Stmt.If x -> {
              hoist(code, x, depth);
              String rec = tape.branches().get(x);
              boolean stacked = rec != null && tape.stacks().contains(rec);
              if (rec != null && !stacked) {
                if (depth == 0) {
                  code.addStatement("boolean $L = $L", rec, cond(x.cond()));
                } else {
                  code.addStatement("$L = $L", rec, cond(x.cond()));
                }
                code.beginControlFlow("if ($L)", rec);
              } else {
                code.beginControlFlow("if ($L)", cond(x.cond()));
              }
              if (stacked) {
                code.addStatement("$L.push(true)", rec);
              }
              block(code, x.then().stmts(), depth + 1);
              if (stacked || !x.otherwise().stmts().isEmpty()) {
                code.nextControlFlow("else");
                if (stacked) {
                  code.addStatement("$L.push(false)", rec);
                }
                block(code, x.otherwise().stmts(), depth + 1);
              }
              code.endControlFlow();
            }
            case Stmt.Loop l -> loop(code, l, depth);
          }
        }
      }

      private void loop(CodeBlock.Builder code, Stmt.Loop l, int depth) {
        hoist(code, l, depth);
        if (l.counted().isPresent()) {
          Stmt.Counted c = l.counted().get();
          String i = c.index().name();
          code.beginControlFlow("for (int $L = $L; $L $L $L; $L++)", i, operand(c.from()), i, c.inclusive() ? "<=" : "<",
              operand(c.to()), i);
          declaredVars.add(i);
          block(code, l.body().stmts(), depth + 1);
          code.endControlFlow();
          return;
        }
        block(code, l.init().stmts(), depth);
        String trips = tape.trips().get(l);
        String counter = tape.counters().getOrDefault(l, trips);
        if (trips != null) {
          if (depth == 0 || !counter.equals(trips)) {
            code.addStatement("int $L = 0", counter);
          } else {
            code.addStatement("$L = 0", counter);
          }
        }
        if (l.kind() == Stmt.Loop.Kind.DO_WHILE) {
          code.beginControlFlow("do");
          if (trips != null) {
            code.addStatement("$L++", counter);
          }
          block(code, l.body().stmts(), depth + 1);
          block(code, l.head().stmts(), depth + 1);
          code.endControlFlow("while ($L)", cond(l.cond()));
        } else {
          if (l.head().stmts().isEmpty()) {
            code.beginControlFlow("while ($L)", cond(l.cond()));
          } else {
            code.beginControlFlow("while (true)");
            block(code, l.head().stmts(), depth + 1);
            code.beginControlFlow("if ($L)", cond(new Cond.Not(l.cond()))).addStatement("break").endControlFlow();
          }
          if (trips != null) {
            code.addStatement("$L++", counter);
          }
          block(code, l.body().stmts(), depth + 1);
          block(code, l.update().stmts(), depth + 1);
          code.endControlFlow();
        }
        if (trips != null && !counter.equals(trips)) {
          code.addStatement("$L.push($L)", trips, counter);
        }
      }

      /**
       * Declares, before {@code s}, the variables first assigned inside it that are read outside it, by
       * the backward, or by a do-while condition; and the non-stack records of nested statements.
       */
      private void hoist(CodeBlock.Builder code, Stmt s, int depth) {
        List<Stmt> inside = Stmt.flatten(List.of(s));
        java.util.Set<Stmt> mine = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        mine.addAll(inside);
        java.util.Set<String> outside = new java.util.HashSet<>(reads);
        for (Stmt o : Stmt.flatten(all)) {
          if (!mine.contains(o)) {
            inputsOf(o).forEach(x -> outside.add(x.toString()));
          }
        }
        java.util.Map<String, Integer> assignments = new java.util.HashMap<>();
        for (Stmt o : Stmt.flatten(all)) {
          if (o instanceof Stmt.Assign a) {
            assignments.merge(a.target().name(), 1, Integer::sum);
          }
        }
        java.util.Set<String> counted = new java.util.HashSet<>();
        for (Stmt o : inside) {
          if (o instanceof Stmt.Loop l) {
            l.counted().ifPresent(c -> counted.add(c.index().name()));
            if (l.kind() == Stmt.Loop.Kind.DO_WHILE) {
              for (Stmt h : Stmt.flatten(l.head().stmts())) {
                if (h instanceof Stmt.Assign a) {
                  outside.add(a.target().name());
                }
              }
            }
          }
        }
        for (Stmt o : inside) {
          if (o instanceof Stmt.Assign a) {
            String n = a.target().name();
            if (!declaredVars.contains(n) && !counted.contains(n)
                && (outside.contains(n) || tape.pushes().containsKey(a) || assignments.get(n) > 1
                    || pullbacks.containsKey(n))) {
              Var p = pullbacks.get(n);
              if (p != null) {
                code.addStatement("$T $L = null", typeName(p.type()), p.name());
              }
              code.addStatement("$L $L = $L", declared(a.target().type()), n, zero(a.target().type()));
              declaredVars.add(n);
            }
          }
        }
        if (depth == 0) {
          for (Stmt o : inside) {
            if (o == s) {
              continue;
            }
            String rec = tape.branches().get(o);
            if (rec != null && !tape.stacks().contains(rec)) {
              code.addStatement("boolean $L = false", rec);
            }
            String trips = tape.trips().get(o);
            if (trips != null && !tape.stacks().contains(trips)) {
              code.addStatement("int $L = 0", trips);
            }
          }
        }
      }
    }

    private boolean usedIn(Var v, List<Stmt> stmts) {
      if (plan.saved().contains(v)) {
        return true;
      }
      for (Stmt s : stmts) {
        List<Operand> ins = inputsOf(s);
        if (ins.contains(v)) {
          return true;
        }
      }
      return false;
    }

    private void assign(CodeBlock.Builder code, Stmt.Assign a, Map<String, Var> pullbacks,
        java.util.Set<String> read) {
      assign(code, a, pullbacks, read, true);
    }

    private void assign(CodeBlock.Builder code, Stmt.Assign a, Map<String, Var> pullbacks,
        java.util.Set<String> read, boolean declare) {
      Var t = a.target();
      if (a.op() instanceof Op.Call c && c.callee() instanceof Callee.Differentiable d && pullbacks.containsKey(t.name())) {
        Var p = pullbacks.get(t.name());
        ClassName companionOfCallee = ClassName.bestGuess(d.companion());
        List<CodeBlock> args = new ArrayList<>();
        if (!d.isStatic()) {
          args.add(c.receiver().map(Renderer::operand).orElse(CodeBlock.of("self")));
        }
        for (Operand o : c.args()) {
          args.add(operand(o));
        }
        if (declare) {
          code.addStatement("$T $L = $T.$L($L)", typeName(p.type()), p.name(), companionOfCallee,
              d.method() + "Pullback", CodeBlock.join(args, ", "));
        } else {
          code.addStatement("$L = $T.$L($L)", p.name(), companionOfCallee, d.method() + "Pullback",
              CodeBlock.join(args, ", "));
        }
        if (read.contains(t.name())) {
          if (declare) {
            code.addStatement("$L $L = $L.value()", declared(t.type()), t.name(), p.name());
          } else {
            code.addStatement("$L = $L.value()", t.name(), p.name());
          }
        }
        return;
      }
      CodeBlock rhs = op(a.op());
      if (declare) {
        code.addStatement("$L $L = $L", declared(t.type()), t.name(), rhs);
      } else {
        code.addStatement("$L = $L", t.name(), rhs);
      }
    }

    // ---- expressions with minimal parentheses

    // ---- types

  }
}
