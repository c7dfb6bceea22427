package dev.adjoint.processor.emit;

import static dev.adjoint.processor.emit.Renderer.GENERATED;
import static dev.adjoint.processor.emit.Renderer.typeName;

import com.palantir.javapoet.AnnotationSpec;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.adjoint.processor.ir.Function;
import dev.adjoint.processor.ir.Input;
import dev.adjoint.processor.ir.Type;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Element;
import javax.lang.model.element.Modifier;

/**
 * Writes {@code <Class>DiffChecks} ({@code -Aadjoint.checks=true}): one static method per {@code @Differentiable}
 * method that checks its generated JVP against central differences of the user's method and, by the
 * dot-product test, against its generated pullback, on seeded random inputs drawn from each parameter's
 * {@code @Domain}. {@code dev.adjoint.DiffChecks.assertAll} runs them.
 */
public final class ChecksGenerator {
  private ChecksGenerator() {}

  /**
   * A parameter's {@code @Domain}.
   *
   * @param min the lower end
   * @param max the upper end
   * @param shape a tensor's shape
   * @param shapeGiven whether the annotation spells the shape out (else it is the default [3])
   * @param dtype the dtype the annotation spells out ({@code "FLOAT64"}), or null: inferred from the method
   */
  public record Domain(double min, double max, List<Integer> shape, boolean shapeGiven, String dtype) {
    /** The default: [-1, 1], tensors of shape [3], their dtype inferred. */
    public static final Domain DEFAULT = new Domain(-1, 1, List.of(3), false, null);
  }

  /**
   * One method to check.
   *
   * @param plan the method's plan
   * @param domains one per parameter
   */
  public record Checked(MethodPlan plan, List<Domain> domains) {}

  /**
   * A {@code @Derivative} JVP and the VJP(s) of the same method, declared in the user class, checked against each
   * other directly: the JVP against central differences of the method and the dot-product test
   * ⟨J·v, w⟩ = ⟨v, Jᵀ·w⟩ against the VJP, on seeded random inputs from the method's {@code @Domain}s.
   *
   * @param owner the qualified class of the method
   * @param method the method's name (static)
   * @param names its parameters' names
   * @param types its parameters' types ({@code double}, {@code float}, {@code int}, {@code Tensor})
   * @param result its result type ({@code double}, {@code float}, {@code Tensor})
   * @param jvp the JVP
   * @param vjps the VJP: one rule with {@code wrt = -1}, or one per input that takes a tangent
   * @param domains one per parameter
   */
  public record RulePair(String owner, String method, List<String> names, List<Type> types, Type result,
      dev.adjoint.processor.ir.Callee.JvpRule jvp, List<dev.adjoint.processor.ir.Callee.Rule> vjps,
      List<Domain> domains) {}

  private static final ClassName DIFF_CHECKS = ClassName.get("dev.adjoint", "DiffChecks");
  private static final ClassName GENERATOR = ClassName.get("dev.adjoint", "Generator");
  private static final ClassName DTYPE = ClassName.get("dev.adjoint", "Tensor", "DType");

  /** Whether the checks can call {@code f} with drawn inputs (a static method over numbers and tensors). */
  public static boolean eligible(MethodPlan plan) {
    Function f = plan.function();
    if (!f.isStatic() || plan.jvp().isEmpty() || plan.jvp().get().tangentInputs().isEmpty() || f.drawsMasks()) {
      return false;
    }
    Type.Kind r = f.returnType().kind();
    if (r != Type.Kind.DOUBLE && r != Type.Kind.FLOAT && r != Type.Kind.TENSOR) {
      return false;
    }
    return f.params().stream().allMatch(p -> switch (p.var().type().kind()) {
      case DOUBLE, FLOAT, INT, TENSOR -> true;
      default -> false;
    });
  }

  /** The checks class of one user class. */
  public static JavaFile generate(String packageName, String companion, ClassName userClass, String sourceFile,
      List<Checked> methods, List<RulePair> pairs, List<? extends Element> origins) {
    ClassName diff = ClassName.get(packageName, companion);
    ClassName self = ClassName.get(packageName, companion + "Checks");
    TypeSpec.Builder type = TypeSpec.classBuilder(self)
        .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
        .addAnnotation(AnnotationSpec.builder(GENERATED).addMember("value", "$S", DiffClassGenerator.PROCESSOR).build())
        .addJavadoc("Checks of the derivatives Adjoint generated for {@link $T}: for each method, seeded random\n"
            + "inputs (its parameters' {@code @Domain}), the JVP against central differences of the method and\n"
            + "against the pullback by the dot-product test. Run them with\n"
            + "{@code DiffChecks.assertAll($L.class)}.\n", userClass, self.simpleName())
        .addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build());
    origins.forEach(type::addOriginatingElement);
    Set<String> names = new HashSet<>();
    for (Checked c : methods) {
      type.addMethod(check(c, diff, userClass));
      names.add(c.plan().function().name());
    }
    for (RulePair r : pairs) {
      type.addMethod(ruleCheck(r, JvpEmitter.fresh(r.method() + "Rules", names)));
    }
    return JavaFile.builder(packageName, type.build())
        .addFileComment("Generated by Adjoint from $L. Do not edit.", sourceFile)
        .skipJavaLangImports(true)
        .indent("  ")
        .build();
  }

  private static MethodSpec check(Checked c, ClassName diff, ClassName userClass) {
    Function f = c.plan().function();
    Map<String, String> tangents = c.plan().jvp().orElseThrow().tangentInputs();
    Set<String> taken = new HashSet<>();
    f.params().forEach(p -> taken.add(p.var().name()));
    taken.addAll(tangents.values());
    String gen = JvpEmitter.fresh("gen", taken);
    String trial = JvpEmitter.fresh("trial", taken);
    String jvp = JvpEmitter.fresh("jvp", taken);
    String h = JvpEmitter.fresh("h", taken);
    String plus = JvpEmitter.fresh("plus", taken);
    String minus = JvpEmitter.fresh("minus", taken);
    String w = JvpEmitter.fresh("w", taken);
    String grad = JvpEmitter.fresh("grad", taken);
    String vjtw = JvpEmitter.fresh("vjtw", taken);
    boolean doubles = f.scalarOnly() && f.returnType().kind() == Type.Kind.DOUBLE
        && f.params().stream().noneMatch(p -> p.var().type().kind() == Type.Kind.FLOAT);
    boolean floats = f.scalarOnly() && !doubles;
    List<String> names = new ArrayList<>();
    List<Type> types = new ArrayList<>();
    f.params().forEach(p -> {
      names.add(p.var().name());
      types.add(p.var().type());
    });
    String method = f.className() + "." + f.name();
    long seed = (long) method.hashCode();
    CodeBlock.Builder code = CodeBlock.builder();
    code.addStatement("$T $L = new $T($LL)", GENERATOR, gen, GENERATOR, seed);
    List<String> defaultShaped = defaultShaped(names, types, c.domains());
    String error = JvpEmitter.fresh("e", taken);
    if (!defaultShaped.isEmpty()) {
      code.beginControlFlow("try");
    }
    String dtype = f.returnType().kind() != Type.Kind.TENSOR ? null
        : probe(code, names, types, c.domains(), seed, CodeBlock.of("$T.$L", userClass, f.name()), taken);
    code.beginControlFlow("for (int $L = 0; $L < 3; $L++)", trial, trial, trial);
    draw(code, names, types, c.domains(), gen, dtype);
    List<String> args = new ArrayList<>(names);
    tangents.forEach((v, t) -> code.addStatement("$T $L = $T.normalLike($L, $L)", typeOf(f, v), t, DIFF_CHECKS, gen, v));
    List<String> jvpArgs = new ArrayList<>(args);
    jvpArgs.addAll(tangents.values());
    String cap = f.capitalized();
    code.addStatement("$T $L = $T.$L($L)", diff.nestedClass(cap + "Jvp"), jvp, diff, f.name() + "Jvp",
        String.join(", ", jvpArgs));
    String float64 = null;
    if (f.scalarOnly()) {
      code.addStatement("double $L = $L", h, doubles ? "1e-6" : "1e-2");
    } else {
      float64 = JvpEmitter.fresh("float64", taken);
      code.addStatement("boolean $L = $T.isFloat64($L)", float64, DIFF_CHECKS, String.join(", ",
          concat(List.of(jvp + ".value()"), tensors(names, types))));
      code.addStatement("double $L = $L ? 1e-6 : 1e-2", h, float64);
    }
    List<CodeBlock> up = new ArrayList<>();
    List<CodeBlock> down = new ArrayList<>();
    for (Input p : f.params()) {
      String n = p.var().name();
      String t = tangents.get(n);
      up.add(t == null ? CodeBlock.of("$L", n) : CodeBlock.of("$T.shift($L, $L, $L)", DIFF_CHECKS, n, t, h));
      down.add(t == null ? CodeBlock.of("$L", n) : CodeBlock.of("$T.shift($L, $L, -$L)", DIFF_CHECKS, n, t, h));
    }
    code.addStatement("$T $L = $T.$L($L)", typeName(f.returnType()), plus, userClass, f.name(),
        CodeBlock.join(up, ", "));
    code.addStatement("$T $L = $T.$L($L)", typeName(f.returnType()), minus, userClass, f.name(),
        CodeBlock.join(down, ", "));
    code.addStatement("$T $L = $T.normalLike($L, $L.value())", typeName(f.returnType()), w, DIFF_CHECKS, gen, jvp);
    code.addStatement("$T $L = $T.$L($L).backward($L)", diff.nestedClass(cap + "Gradient"), grad, diff,
        f.name() + "Pullback", String.join(", ", args), w);
    List<CodeBlock> terms = new ArrayList<>();
    for (Input p : f.params()) {
      String t = tangents.get(p.var().name());
      if (t != null) {
        terms.add(CodeBlock.of("$T.dot($L, $L.$L())", DIFF_CHECKS, t, grad, p.component()));
      }
    }
    code.addStatement("double $L = $L", vjtw, CodeBlock.join(terms, "\n    + "));
    code.addStatement("$T.check($S, $L, $L.tangent(), $L, $L, $L, $L, $L,\n$>$>$L, $L$<$<)", DIFF_CHECKS, method,
        trial, jvp, plus, minus, h, w, vjtw, tolerance(float64, doubles, floats, "1e-5", "1e-2", "3e-2"),
        tolerance(float64, doubles, floats, "1e-9", "1e-5", "1e-3"));
    if (c.plan().hvp().isPresent()) {
      secondOrder(code, f, diff, tangents, jvp, h, trial, method, up, down, taken,
          tolerance(float64, doubles, floats, "1e-5", "1e-2", "3e-2"));
    }
    code.endControlFlow();
    if (!defaultShaped.isEmpty()) {
      code.nextControlFlow("catch ($T $L)", RuntimeException.class, error);
      code.addStatement("throw $T.failedAtDefaultShape($S, $L, $L)", DIFF_CHECKS, method, error,
          CodeBlock.join(defaultShaped.stream().map(n -> CodeBlock.of("$S", n)).toList(), ", "));
      code.endControlFlow();
    }
    return MethodSpec.methodBuilder(f.name())
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .addJavadoc("Checks the derivatives of {@link $T#$L} on three seeded random points$L.\n", userClass, f.name(),
            f.scalarOnly() ? "" : ", in the dtype it computes in")
        .addCode(code.build())
        .build();
  }

  /**
   * The generated {@code fHvp} against central differences of the generated gradient along the same direction:
   * the one check that calls the second-order rules (a row's, or a user's {@code <vjp>Jvp}), which the JVP and the
   * dot-product test never reach. Only where the value is one element (an {@code fHvp} needs a scalar).
   */
  private static void secondOrder(CodeBlock.Builder code, Function f, ClassName diff, Map<String, String> tangents,
      String jvp, String h, String trial, String method, List<CodeBlock> up, List<CodeBlock> down, Set<String> taken,
      String tol) {
    String hvp = JvpEmitter.fresh("hvp", taken);
    String gradPlus = JvpEmitter.fresh("gradPlus", taken);
    String gradMinus = JvpEmitter.fresh("gradMinus", taken);
    boolean tensor = f.returnType().kind() == Type.Kind.TENSOR;
    CodeBlock one = switch (f.returnType().kind()) {
      case DOUBLE -> CodeBlock.of("1.0");
      case FLOAT -> CodeBlock.of("1f");
      default -> CodeBlock.of("$T.onesLike($L.value())", ClassName.get("dev.adjoint", "Tensor"), jvp);
    };
    if (tensor) {
      code.beginControlFlow("if ($T.oneElement($L.value()))", DIFF_CHECKS, jvp);
    }
    code.add("// the second order: the Hessian times the direction against central differences of the gradient\n");
    List<String> hvpArgs = new ArrayList<>();
    f.params().forEach(p -> hvpArgs.add(p.var().name()));
    hvpArgs.addAll(tangents.values());
    ClassName gradient = diff.nestedClass(f.capitalized() + "Gradient");
    code.addStatement("$T $L = $T.$L($L)", gradient, hvp, diff, f.name() + "Hvp", String.join(", ", hvpArgs));
    code.addStatement("$T $L = $T.$L($L).backward($L)", gradient, gradPlus, diff, f.name() + "Pullback",
        CodeBlock.join(up, ", "), one);
    code.addStatement("$T $L = $T.$L($L).backward($L)", gradient, gradMinus, diff, f.name() + "Pullback",
        CodeBlock.join(down, ", "), one);
    List<CodeBlock> names = new ArrayList<>();
    List<CodeBlock> hv = new ArrayList<>();
    List<CodeBlock> plus = new ArrayList<>();
    List<CodeBlock> minus = new ArrayList<>();
    for (Input p : f.params()) {
      if (tangents.get(p.var().name()) != null) {
        names.add(CodeBlock.of("$S", p.var().name()));
        hv.add(CodeBlock.of("$L.$L()", hvp, p.component()));
        plus.add(CodeBlock.of("$L.$L()", gradPlus, p.component()));
        minus.add(CodeBlock.of("$L.$L()", gradMinus, p.component()));
      }
    }
    code.addStatement("$T.checkHvp($S, $L, $L, new String[] {$L},\n$>$>new Object[] {$L},\nnew Object[] {$L},"
        + "\nnew Object[] {$L}, $L$<$<)", DIFF_CHECKS, method, trial, h, CodeBlock.join(names, ", "),
        CodeBlock.join(hv, ", "), CodeBlock.join(plus, ", "), CodeBlock.join(minus, ", "), tol);
    if (tensor) {
      code.endControlFlow();
    }
  }

  /** The JVP and VJP of a {@code @Derivative} pair against central differences and each other. */
  private static MethodSpec ruleCheck(RulePair r, String name) {
    ClassName owner = ClassName.bestGuess(r.owner());
    ClassName jvpOwner = ClassName.bestGuess(r.jvp().owner());
    Set<String> taken = new HashSet<>(r.names());
    List<String> tangents = new ArrayList<>();
    for (int i = 0; i < r.names().size(); i++) {
      tangents.add(r.jvp().tangentSlots().get(i)
          ? JvpEmitter.fresh("t" + Character.toUpperCase(r.names().get(i).charAt(0)) + r.names().get(i).substring(1), taken)
          : null);
    }
    String gen = JvpEmitter.fresh("gen", taken);
    String trial = JvpEmitter.fresh("trial", taken);
    String out = JvpEmitter.fresh("out", taken);
    String jvp = JvpEmitter.fresh("jvp", taken);
    String h = JvpEmitter.fresh("h", taken);
    String plus = JvpEmitter.fresh("plus", taken);
    String minus = JvpEmitter.fresh("minus", taken);
    String w = JvpEmitter.fresh("w", taken);
    String grads = JvpEmitter.fresh("grads", taken);
    String vjtw = JvpEmitter.fresh("vjtw", taken);
    boolean doubles = r.result().kind() == Type.Kind.DOUBLE
        && r.types().stream().noneMatch(t -> t.kind() == Type.Kind.FLOAT || t.kind() == Type.Kind.TENSOR);
    boolean floats = !doubles && r.result().kind() != Type.Kind.TENSOR
        && r.types().stream().noneMatch(t -> t.kind() == Type.Kind.TENSOR);
    boolean scalars = r.result().kind() != Type.Kind.TENSOR
        && r.types().stream().noneMatch(t -> t.kind() == Type.Kind.TENSOR);
    com.palantir.javapoet.TypeName result = typeName(r.result());
    String method = owner.simpleName() + "." + r.method() + " (its @Derivative JVP and VJP)";
    long seed = (long) (r.owner() + "." + r.method() + " rules").hashCode();
    CodeBlock.Builder code = CodeBlock.builder();
    code.addStatement("$T $L = new $T($LL)", GENERATOR, gen, GENERATOR, seed);
    List<String> defaultShaped = defaultShaped(r.names(), r.types(), r.domains());
    String error = JvpEmitter.fresh("e", taken);
    if (!defaultShaped.isEmpty()) {
      code.beginControlFlow("try");
    }
    String dtype = r.result().kind() != Type.Kind.TENSOR ? null
        : probe(code, r.names(), r.types(), r.domains(), seed, CodeBlock.of("$T.$L", owner, r.method()), taken);
    code.beginControlFlow("for (int $L = 0; $L < 3; $L++)", trial, trial, trial);
    draw(code, r.names(), r.types(), r.domains(), gen, dtype);
    for (int i = 0; i < r.names().size(); i++) {
      if (tangents.get(i) != null) {
        code.addStatement("$T $L = $T.normalLike($L, $L)", typeName(r.types().get(i)), tangents.get(i), DIFF_CHECKS,
            gen, r.names().get(i));
      }
    }
    String args = String.join(", ", r.names());
    code.addStatement("$T $L = $T.$L($L)", result, out, owner, r.method(), args);
    List<String> jvpArgs = new ArrayList<>(tangents.stream().filter(java.util.Objects::nonNull).toList());
    jvpArgs.add(out);
    jvpArgs.addAll(r.names());
    code.addStatement("$T $L = $T.$L($L)", result, jvp, jvpOwner, r.jvp().method(), String.join(", ", jvpArgs));
    String float64 = null;
    if (scalars) {
      code.addStatement("double $L = $L", h, doubles ? "1e-6" : "1e-2");
    } else {
      float64 = JvpEmitter.fresh("float64", taken);
      code.addStatement("boolean $L = $T.isFloat64($L)", float64, DIFF_CHECKS,
          String.join(", ", concat(List.of(out), tensors(r.names(), r.types()))));
      code.addStatement("double $L = $L ? 1e-6 : 1e-2", h, float64);
    }
    List<CodeBlock> up = new ArrayList<>();
    List<CodeBlock> down = new ArrayList<>();
    for (int i = 0; i < r.names().size(); i++) {
      String n = r.names().get(i);
      String t = tangents.get(i);
      up.add(t == null ? CodeBlock.of("$L", n) : CodeBlock.of("$T.shift($L, $L, $L)", DIFF_CHECKS, n, t, h));
      down.add(t == null ? CodeBlock.of("$L", n) : CodeBlock.of("$T.shift($L, $L, -$L)", DIFF_CHECKS, n, t, h));
    }
    code.addStatement("$T $L = $T.$L($L)", result, plus, owner, r.method(), CodeBlock.join(up, ", "));
    code.addStatement("$T $L = $T.$L($L)", result, minus, owner, r.method(), CodeBlock.join(down, ", "));
    code.addStatement("$T $L = $T.normalLike($L, $L)", result, w, DIFF_CHECKS, gen, out);
    List<CodeBlock> terms = new ArrayList<>();
    var all = r.vjps().get(0);
    if (all.wrt() < 0 && all.returnsGrads()) {
      code.addStatement("$T $L = $T.$L($L, $L, $L)", ClassName.get("dev.adjoint.autograd", "Grads"), grads,
          ClassName.bestGuess(all.owner()), all.method(), w, out, args);
    }
    for (int i = 0; i < r.names().size(); i++) {
      if (tangents.get(i) == null) {
        continue;
      }
      final int index = i;
      var rule = all.wrt() < 0 ? all : r.vjps().stream().filter(v -> v.wrt() == index).findFirst().orElseThrow();
      CodeBlock gradient = all.wrt() < 0 && all.returnsGrads() ? CodeBlock.of("$L.get($L)", grads, i)
          : CodeBlock.of("$T.$L($L, $L, $L)", ClassName.bestGuess(rule.owner()), rule.method(), w, out, args);
      terms.add(CodeBlock.of("$T.ruleDot($L, $L, $S, $S)", DIFF_CHECKS, tangents.get(i), gradient,
          ClassName.bestGuess(rule.owner()).simpleName() + "." + rule.method(), r.names().get(i)));
    }
    code.addStatement("double $L = $L", vjtw, CodeBlock.join(terms, "\n    + "));
    code.addStatement("$T.check($S, $L, $L, $L, $L, $L, $L, $L,\n$>$>$L, $L$<$<)", DIFF_CHECKS, method, trial, jvp,
        plus, minus, h, w, vjtw, tolerance(float64, doubles, floats, "1e-5", "1e-2", "3e-2"),
        tolerance(float64, doubles, floats, "1e-9", "1e-5", "1e-3"));
    code.endControlFlow();
    if (!defaultShaped.isEmpty()) {
      code.nextControlFlow("catch ($T $L)", RuntimeException.class, error);
      code.addStatement("throw $T.failedAtDefaultShape($S, $L, $L)", DIFF_CHECKS, method, error,
          CodeBlock.join(defaultShaped.stream().map(n -> CodeBlock.of("$S", n)).toList(), ", "));
      code.endControlFlow();
    }
    return MethodSpec.methodBuilder(name)
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .addJavadoc("Checks the {@code @Derivative} JVP {@link $T#$L} of {@link $T#$L} against central differences and\n"
            + "against its VJP by the dot-product test, on three seeded random points.\n", jvpOwner, r.jvp().method(),
            owner, r.method())
        .addCode(code.build())
        .build();
  }

  /** The tensor parameters whose {@code @Domain} gives no shape: drawn with the default [3]. */
  private static List<String> defaultShaped(List<String> names, List<Type> types, List<Domain> domains) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      if (types.get(i).kind() == Type.Kind.TENSOR && !domains.get(i).shapeGiven()) {
        out.add(names.get(i));
      }
    }
    return out;
  }

  /** The tensor parameters among {@code names}. */
  private static List<String> tensors(List<String> names, List<Type> types) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      if (types.get(i).kind() == Type.Kind.TENSOR) {
        out.add(names.get(i));
      }
    }
    return out;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /**
   * Where some tensor's dtype is left to inference, the statements that find it — the method's value at the first
   * trial's point drawn in float32 ({@code DiffChecks.dtypeOf}) — and the name of the local holding it; else null.
   */
  private static String probe(CodeBlock.Builder code, List<String> names, List<Type> types, List<Domain> domains,
      long seed, CodeBlock method, Set<String> taken) {
    boolean inferred = false;
    for (int i = 0; i < names.size(); i++) {
      inferred |= types.get(i).kind() == Type.Kind.TENSOR && domains.get(i).dtype() == null;
    }
    if (!inferred) {
      return null;
    }
    String probe = JvpEmitter.fresh("probe", taken);
    String dtype = JvpEmitter.fresh("dtype", taken);
    code.add("// the dtype the method computes in: its value at the first point drawn in float32\n");
    code.addStatement("$T $L = new $T($LL)", GENERATOR, probe, GENERATOR, seed);
    List<CodeBlock> args = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      args.add(drawn(types.get(i), domains.get(i), probe, CodeBlock.of("$T.FLOAT32", DTYPE)));
    }
    code.addStatement("$T $L = $T.dtypeOf($L(\n$>$>$L$<$<))", DTYPE, dtype, DIFF_CHECKS, method,
        CodeBlock.join(args, ",\n"));
    return dtype;
  }

  /**
   * One local per parameter, drawn from its {@code @Domain}; tensors of an inferred dtype in the local
   * {@code dtype} (float32 where there is none: a method whose value is a number).
   */
  private static void draw(CodeBlock.Builder code, List<String> names, List<Type> types, List<Domain> domains,
      String gen, String dtype) {
    CodeBlock inferred = dtype == null ? CodeBlock.of("$T.FLOAT32", DTYPE) : CodeBlock.of("$L", dtype);
    for (int i = 0; i < names.size(); i++) {
      Type t = types.get(i);
      code.addStatement("$T $L = $L", typeName(t), names.get(i), drawn(t, domains.get(i), gen, inferred));
    }
  }

  /** A parameter's value drawn from {@code gen}; {@code inferred} is the dtype of a tensor whose domain gives none. */
  private static CodeBlock drawn(Type t, Domain d, String gen, CodeBlock inferred) {
    return switch (t.kind()) {
      case DOUBLE -> CodeBlock.of("$T.uniform($L, $L, $L)", DIFF_CHECKS, gen, lit(d.min()), lit(d.max()));
      case FLOAT -> CodeBlock.of("(float) $T.uniform($L, $L, $L)", DIFF_CHECKS, gen, lit(d.min()), lit(d.max()));
      case INT -> CodeBlock.of("$L", d == Domain.DEFAULT ? 2 : (int) Math.round(d.min()));
      default -> CodeBlock.of("$T.uniform($L, $L, $L, $L, $L)", DIFF_CHECKS, gen, lit(d.min()), lit(d.max()),
          d.dtype() != null ? CodeBlock.of("$T.$L", DTYPE, d.dtype()) : inferred,
          String.join(", ", d.shape().stream().map(String::valueOf).toList()));
    };
  }

  /** The tolerance literal: a runtime choice on {@code float64} for tensor code, else by the scalar types. */
  private static String tolerance(String float64, boolean doubles, boolean floats, String f64, String f32,
      String tensor32) {
    return float64 != null ? float64 + " ? " + f64 + " : " + tensor32 : doubles ? f64 : floats ? f32 : tensor32;
  }

  private static com.palantir.javapoet.TypeName typeOf(Function f, String var) {
    for (Input in : f.inputs()) {
      if (in.var().name().equals(var)) {
        return typeName(in.var().type());
      }
    }
    throw new IllegalStateException(var);
  }

  private static String lit(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }
}
