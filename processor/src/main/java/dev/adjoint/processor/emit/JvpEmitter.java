package dev.adjoint.processor.emit;

import static dev.adjoint.processor.emit.Renderer.*;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.adjoint.processor.forward.TangentTransform;
import dev.adjoint.processor.ir.AExpr;
import dev.adjoint.processor.ir.Callee;
import dev.adjoint.processor.ir.Cond;
import dev.adjoint.processor.ir.Function;
import dev.adjoint.processor.ir.Input;
import dev.adjoint.processor.ir.Op;
import dev.adjoint.processor.ir.Operand;
import dev.adjoint.processor.ir.Stmt;
import dev.adjoint.processor.ir.TStmt;
import dev.adjoint.processor.ir.Type;
import dev.adjoint.processor.ir.Var;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * Renders forward mode: {@code fJvp(inputs..., tangents...)} and its record {@code FJvp(value, tangent)}.
 * The user's statements keep their structure; a variable first assigned inside an {@code if} or a loop and
 * read after it (or assigned more than once) is declared before that statement, with its tangent.
 */
final class JvpEmitter {
  private final Function f;
  private final TangentTransform.Result jvp;
  private final ClassName userClass;
  private final ClassName recordType;
  private final boolean hasTensors;
  /** Whether the class extends {@code Module} (its parameters then have names: {@link #byNameMethod}). */
  private final boolean module;
  /** The {@code @Shape} equations left to run time, checked at entry as the reverse companions do. */
  private final CodeBlock shapeChecks;
  private final Set<String> declared = new HashSet<>();
  private final Map<String, Integer> assignments = new HashMap<>();
  private final Set<String> counted = new HashSet<>();
  /** While an {@code fHvp} through control flow is rendered: what its forward records beside the tangents. */
  private TangentTransform.Taped taped;
  /** The variables that the backward of such an {@code fHvp} reads (declared before the statement assigning them). */
  private final Set<String> backwardReads = new HashSet<>();
  /** How deep in the user's {@code if}s and loops the statement being rendered is. */
  private int depth;

  JvpEmitter(Function f, TangentTransform.Result jvp, ClassName companion, ClassName userClass, boolean hasTensors,
      CodeBlock shapeChecks, boolean module) {
    this.f = f;
    this.module = module;
    this.shapeChecks = shapeChecks;
    this.jvp = jvp;
    this.userClass = userClass;
    this.recordType = companion.nestedClass(f.capitalized() + "Jvp");
    this.hasTensors = hasTensors;
  }

  MethodSpec method() {
    List<ParameterSpec> ps = parameters();
    Map<String, Input> byVar = new HashMap<>();
    f.inputs().forEach(i -> byVar.put(i.var().name(), i));
    CodeBlock.Builder code = CodeBlock.builder();
    List<Stmt> flat = Stmt.flatten(f.body().stmts());
    for (Stmt s : flat) {
      if (s instanceof Stmt.Assign a) {
        assignments.merge(a.target().name(), 1, Integer::sum);
      }
      if (s instanceof Stmt.Loop l) {
        l.counted().ifPresent(c -> counted.add(c.index().name()));
      }
    }
    f.inputs().forEach(i -> declared.add(i.var().name()));
    declared.addAll(jvp.tangentInputs().values());
    prologue(code);
    block(code, jvp.stmts(), f.body().stmts());
    AExpr t = jvp.tangent();
    CodeBlock tangent = t instanceof AExpr.Zero
        ? (f.returnType().kind() == Type.Kind.TENSOR ? CodeBlock.of("$T.zerosLike($L)", TENSOR, operand(jvp.result()))
            : CodeBlock.of("0"))
        : expr(t, Map.of());
    code.addStatement("return new $T($L, $L)", recordType, operand(jvp.result()), tangent);
    CodeBlock body = code.build();
    if (hasTensors) {
      body = CodeBlock.builder()
          .addStatement("$T noGrad = $T.noGrad()", GRAD_MODE, AUTOGRAD)
          .beginControlFlow("try")
          .add(body)
          .nextControlFlow("finally")
          .addStatement("noGrad.close()")
          .endControlFlow()
          .build();
    }
    body = CodeBlock.builder().add(shapeChecks).add(body).build();
    return MethodSpec.methodBuilder(f.name() + "Jvp")
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .addJavadoc("Forward mode: the value of {@link $T#$L} and its directional derivative along the\n"
            + "tangents {@code $L}\n(one per differentiable input), in one sweep. Nothing is recorded"
            + (hasTensors ? ";\na {@code null} tensor tangent is zero" : "") + ".\n"
            + (byNameMethod() != null ? "The fields' tangents come in the order the method first uses the"
                + " fields, which is not\n{@code parameters()} order; the overload taking a"
                + " {@code Map<String, Tensor>} takes them by name.\n" : ""),
            userClass, f.name(), String.join(", ", jvp.tangentInputs().values()))
        .returns(recordType)
        .addParameters(ps)
        .addCode(body)
        .build();
  }

  /** {@code fHvp(inputs..., tangents...)}: forward over reverse, the tangent of the gradient. */
  MethodSpec hvpMethod(TangentTransform.Hvp h, ClassName gradientType) {
    declared.clear();
    assignments.clear();
    counted.clear();
    for (Stmt s : Stmt.flatten(f.body().stmts())) {
      if (s instanceof Stmt.Assign a) {
        assignments.merge(a.target().name(), 1, Integer::sum);
      }
      if (s instanceof Stmt.Loop l) {
        l.counted().ifPresent(c -> counted.add(c.index().name()));
      }
    }
    CodeBlock.Builder code = CodeBlock.builder();
    List<ParameterSpec> ps = parameters();
    f.inputs().forEach(i -> declared.add(i.var().name()));
    declared.addAll(jvp.tangentInputs().values());
    if (hasTensors) {
      prologue(code);
    }
    taped = h.taped().orElse(null);
    backwardReads.clear();
    depth = 0;
    if (taped != null) {
      reads(h.backward(), backwardReads);
      stacks(code);
    }
    block(code, h.forward().stmts(), f.body().stmts());
    if (hasTensors) {
      // the gradient of a one-element result: its seed is ones, a constant (zero tangent)
      CodeBlock result = operand(h.forward().result());
      code.beginControlFlow("if ($L.numel() != 1)", result)
          .addStatement("throw new $T($S + $T.toString($L.shape()))", IllegalArgumentException.class,
              f.name() + "Hvp needs a result of one element, got shape ", java.util.Arrays.class, result)
          .endControlFlow()
          .addStatement("$T dOut = $T.onesLike($L)", TENSOR, TENSOR, result);
    }
    if (taped != null) {
      // every mutable adjoint with its tangent: the seed's is zero (ones, a constant), and a tangent is
      // non-null wherever its adjoint is
      taped.tape().adjoints().forEach((n, t) -> {
        boolean seed = n.equals(taped.tape().seeded());
        if (!taped.dead().contains(n)) {
          code.addStatement("$T $L = $L", typeName(t), n, seed ? "dOut" : zero(t));
        }
        String tn = taped.adjointTangents().get(n);
        if (tn != null) {
          code.addStatement("$T $L = $L", typeName(t), tn, !seed ? zero(t)
              : t.kind() == Type.Kind.TENSOR ? CodeBlock.of("$T.zerosLike(dOut)", TENSOR) : zero(t));
        }
      });
    }
    code.add(backward(h.backward(), Map.of(), taped != null));
    List<CodeBlock> components = new ArrayList<>();
    Map<String, Input> byVar = new HashMap<>();
    f.inputs().forEach(i -> byVar.put(i.var().name(), i));
    h.components().forEach((v, t) -> {
      boolean tensor = hasTensors && isTensorInput(v);
      CodeBlock like = CodeBlock.of("$L", byVar.get(v).kind() == Input.Kind.FIELD ? "self." + byVar.get(v).name() : v);
      if (t instanceof AExpr.Zero) {
        // a zero component is zeros of the input's shape and dtype, as PyTorch's hvp returns
        components.add(tensor && byVar.get(v).var().type().kind() == Type.Kind.TENSOR
            ? CodeBlock.of("$T.zerosLike($L)", TENSOR, like) : CodeBlock.of(tensor ? "null" : "0"));
      } else if (taped != null && t instanceof AExpr.Ref) {
        // the tangent of an adjoint nothing flowed into is still null
        components.add(CodeBlock.of("$T.orZeros($L, $L)", HVPS, expr(t, Map.of()), like));
      } else {
        components.add(expr(t, Map.of()));
      }
    });
    code.addStatement("return new $T($L)", gradientType, CodeBlock.join(components, ", "));
    taped = null;
    CodeBlock body = code.build();
    if (hasTensors) {
      body = CodeBlock.builder()
          .addStatement("$T noGrad = $T.noGrad()", GRAD_MODE, AUTOGRAD)
          .beginControlFlow("try")
          .add(body)
          .nextControlFlow("finally")
          .addStatement("noGrad.close()")
          .endControlFlow()
          .build();
    }
    body = CodeBlock.builder().add(shapeChecks).add(body).build();
    boolean throughControlFlow = h.taped().isPresent();
    return MethodSpec.methodBuilder(f.name() + "Hvp")
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .addJavadoc("The Hessian of {@link $T#$L} times the direction {@code $L}, by forward mode over\n"
            + "the generated gradient (the tangent of every adjoint beside it), in one sweep"
            + (throughControlFlow ? ";\nthrough its branches and loops, each overwritten value's tangent is pushed"
                + " and popped with it" : "")
            + (hasTensors ? ";\na {@code null} tensor direction is zero, a zero component is zeros of its input's"
                + " shape" : "")
            + ".\n", userClass, f.name(), String.join(", ", jvp.tangentInputs().values()))
        .returns(gradientType)
        .addParameters(ps)
        .addCode(body)
        .build();
  }

  /**
   * {@code fHvp(inputs..., tangents...)} of a tensor method with loops, {@code if}s or calls: the eager engine's
   * double backward of the user's method itself ({@code Hvps.byDoubleBackward}), parameters as fresh leaves,
   * fields in place.
   */
  MethodSpec eagerHvpMethod(TangentTransform.Hvp h, ClassName gradientType) {
    Map<String, Input> byVar = new HashMap<>();
    f.inputs().forEach(i -> byVar.put(i.var().name(), i));
    Set<String> taken = new HashSet<>();
    parameters().forEach(p -> taken.add(p.name()));
    String at = fresh("at", taken);
    String hv = fresh("hv", taken);
    List<String> order = new ArrayList<>(jvp.tangentInputs().keySet());
    List<CodeBlock> points = new ArrayList<>();
    List<CodeBlock> fresh = new ArrayList<>();
    List<CodeBlock> directions = new ArrayList<>();
    for (String v : order) {
      Input in = byVar.get(v);
      boolean field = in.kind() == Input.Kind.FIELD;
      points.add(CodeBlock.of(field ? "self." + in.name() : v));
      fresh.add(CodeBlock.of(field ? "false" : "true"));
      directions.add(CodeBlock.of(jvp.tangentInputs().get(v)));
    }
    List<String> call = new ArrayList<>();
    for (Input p : f.params()) {
      int k = order.indexOf(p.var().name());
      call.add(k >= 0 ? at + "[" + k + "]" : p.var().name());
    }
    CodeBlock target = f.isStatic() ? CodeBlock.of("$T.$L($L)", userClass, f.name(), String.join(", ", call))
        : CodeBlock.of("self.$L($L)", f.name(), String.join(", ", call));
    List<CodeBlock> components = new ArrayList<>();
    for (String v : h.components().keySet()) {
      int k = order.indexOf(v);
      components.add(k >= 0 ? CodeBlock.of("$L[$L]", hv, k) : CodeBlock.of("null"));
    }
    CodeBlock body = CodeBlock.builder()
        .addStatement("$T[] $L = $T.byDoubleBackward($S, $S,$W$L -> $L,$W$L,$Wnew boolean[] {$L},$W$L)", TENSOR, hv,
            ClassName.get("dev.adjoint.autograd", "Hvps"), f.className() + "." + f.name(), f.origin().position(), at,
            target, array(points), CodeBlock.join(fresh, ", "), array(directions))
        .addStatement("return new $T($L)", gradientType, CodeBlock.join(components, ", "))
        .build();
    return MethodSpec.methodBuilder(f.name() + "Hvp")
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .addJavadoc("The Hessian of {@link $T#$L} times the direction {@code $L}.\n\n"
            + "<p>The method has loops, {@code if}s or calls of other {@code @Differentiable} methods, so this is\n"
            + "the eager engine's double backward of the method itself (PyTorch's HVP), not forward mode over the\n"
            + "generated gradient; a {@code null} direction is zero, a zero component is zeros of its input's"
            + " shape.\n",
            userClass, f.name(),
            String.join(", ", jvp.tangentInputs().values()))
        .returns(gradientType)
        .addParameters(parameters())
        .addCode(body)
        .build();
  }

  private static CodeBlock array(List<CodeBlock> elements) {
    return CodeBlock.of("new $T[] {$L}", TENSOR, CodeBlock.join(elements, ", "));
  }

  /** {@code base}, or {@code base_}, {@code base__} ... whichever {@code taken} lacks; added to it. */
  static String fresh(String base, Set<String> taken) {
    String n = base;
    while (taken.contains(n)) {
      n = n + "_";
    }
    taken.add(n);
    return n;
  }

  /** Locals for the fields a body reads, and zeros for {@code null} tensor tangents. */
  private void prologue(CodeBlock.Builder code) {
    Map<String, Input> byVar = new HashMap<>();
    f.inputs().forEach(i -> byVar.put(i.var().name(), i));
    Set<String> read = new HashSet<>();
    for (Stmt s : Stmt.flatten(f.body().stmts())) {
      inputsOf(s).forEach(o -> read.add(o.toString()));
    }
    for (Input in : f.fields()) {
      if (read.contains(in.var().name()) || jvp.result().equals(in.var())) {
        code.addStatement("$T $L = self.$L", typeName(in.var().type()), in.var().name(), in.name());
      }
    }
    jvp.tangentInputs().forEach((v, t) -> {
      Input in = byVar.get(v);
      if (in.var().type().kind() == Type.Kind.TENSOR) {
        // a null tangent is the zero tangent; one of another shape than its input throws, naming both
        if (in.kind() == Input.Kind.FIELD) {
          code.addStatement("$L = $T.fieldOrZeros($L, self.$L, $S, $S)", t, JVPS, t, in.name(), t,
              fieldName(in));
        } else {
          code.addStatement("$L = $T.orZeros($L, $L, $S, $S)", t, JVPS, t, v, t, in.name());
        }
      }
    });
  }

  /** A field input as {@code namedParameters()} names it: {@code fc1.weight} for {@code fc1.weight()}. */
  private static String fieldName(Input in) {
    return in.name().replace("()", "");
  }

  /**
   * For a module's method whose field tangents are tensors: {@code fJvp(self, Map<String, Tensor> tangents,
   * inputs..., parameter tangents...)}, the fields' tangents by their {@code namedParameters()} names, in any order
   * ({@code Jvps.byName}); {@code null} when the method has no field tangent or no parameter. The map comes second,
   * where the positional form has the first parameter (a primal, never a literal {@code null}), so that a call of
   * the positional form with a {@code null} tangent (generated code passes them) is never ambiguous.
   */
  MethodSpec byNameMethod() {
    Map<String, Input> byVar = new HashMap<>();
    f.inputs().forEach(i -> byVar.put(i.var().name(), i));
    List<CodeBlock> fields = new ArrayList<>();
    List<String> call = new ArrayList<>();
    call.add("self");
    f.params().forEach(p -> call.add(p.var().name()));
    List<ParameterSpec> ps = new ArrayList<>(parameters().subList(0, call.size()));
    Set<String> taken = new HashSet<>(call);
    for (var e : jvp.tangentInputs().entrySet()) {
      taken.add(e.getValue());
    }
    String map = fresh("tangents", taken);
    String array = fresh("t", taken);
    int k = 0;
    for (var e : jvp.tangentInputs().entrySet()) {
      Input in = byVar.get(e.getKey());
      if (in.kind() == Input.Kind.FIELD) {
        if (in.var().type().kind() != Type.Kind.TENSOR) {
          return null;
        }
        fields.add(CodeBlock.of("self.$L", in.name()));
        call.add(array + "[" + k++ + "]");
      } else {
        ps.add(ParameterSpec.builder(typeName(in.var().type()), e.getValue()).build());
        call.add(e.getValue());
      }
    }
    if (fields.isEmpty() || f.isStatic() || f.params().isEmpty() || !module) {
      return null;
    }
    ps.add(1, ParameterSpec.builder(com.palantir.javapoet.ParameterizedTypeName.get(ClassName.get(Map.class),
        ClassName.get(String.class), TENSOR), map).build());
    return MethodSpec.methodBuilder(f.name() + "Jvp")
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .addJavadoc("Forward mode as the positional {@code $LJvp}, with the tangents of the module's parameters\n"
            + "by name, as {@code namedParameters()} names them ({@code $L}), in any order: a parameter the\n"
            + "map leaves out has a zero tangent; a name that is not a parameter, or a tangent of another shape\n"
            + "than its parameter, throws naming it.\n", f.name(), fieldName(byVar.get(jvp.tangentInputs().keySet().stream()
                .filter(v -> byVar.get(v).kind() == Input.Kind.FIELD).findFirst().orElseThrow())))
        .returns(recordType)
        .addParameters(ps)
        .addStatement("$T[] $L = $T.byName(self.namedParameters(), $L,$W$L)", TENSOR, array, JVPS, map,
            CodeBlock.join(fields, ",$W"))
        .addStatement("return $L($L)", f.name() + "Jvp", String.join(", ", call))
        .build();
  }

  private boolean isTensorInput(String var) {
    return f.inputs().stream().anyMatch(i -> i.var().name().equals(var)
        && (i.var().type().kind() == Type.Kind.TENSOR || i.var().type().isTensorArray()));
  }

  /** {@code fHessian(inputs...)}: the dense Hessian, one {@code fHvp} per differentiable input. */
  MethodSpec hessianMethod(ClassName gradientType) {
    List<String> args = new ArrayList<>();
    if (!f.isStatic()) {
      args.add("self");
    }
    f.params().forEach(p -> args.add(p.var().name()));
    List<String> tangents = new ArrayList<>(jvp.tangentInputs().values());
    Map<String, Input> byVar = new HashMap<>();
    f.inputs().forEach(i -> byVar.put(i.var().name(), i));
    List<String> components = new ArrayList<>();
    jvp.tangentInputs().keySet().forEach(v -> components.add(byVar.get(v).component()));
    CodeBlock.Builder code = CodeBlock.builder();
    List<CodeBlock> rows = new ArrayList<>();
    for (int i = 0; i < tangents.size(); i++) {
      List<String> call = new ArrayList<>(args);
      for (int j = 0; j < tangents.size(); j++) {
        call.add(i == j ? "1" : "0");
      }
      String row = "row" + i;
      while (args.contains(row)) {
        row = row + "_";
      }
      code.addStatement("$T $L = $L($L)", gradientType, row, f.name() + "Hvp", String.join(", ", call));
      List<CodeBlock> entries = new ArrayList<>();
      for (String c : components) {
        entries.add(CodeBlock.of("$L.$L()", row, c));
      }
      rows.add(CodeBlock.of("{$L}", CodeBlock.join(entries, ", ")));
    }
    code.addStatement("return new double[][] {$L}", CodeBlock.join(rows, ", "));
    return MethodSpec.methodBuilder(f.name() + "Hessian")
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .addJavadoc("The Hessian of {@link $T#$L}, row {@code i} the Hessian-vector product with the\n"
            + "{@code i}-th unit direction (inputs in the order of {@code $L}).\n", userClass, f.name(),
            String.join(", ", tangents))
        .returns(double[][].class)
        .addParameters(parameters().subList(0, args.size()))
        .addCode(code.build())
        .build();
  }

  /**
   * {@code fHessian(inputs...)} of a method over tensors: the dense Hessian over the differentiated tensors
   * flattened in order, one {@code fHvp} per element ({@code Hvps.hessian}), for small tensors; {@code null} when
   * an input differentiated is not a tensor.
   */
  MethodSpec tensorHessianMethod(ClassName gradientType) {
    Map<String, Input> byVar = new HashMap<>();
    f.inputs().forEach(i -> byVar.put(i.var().name(), i));
    List<CodeBlock> inputs = new ArrayList<>();
    List<CodeBlock> components = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (String v : jvp.tangentInputs().keySet()) {
      Input in = byVar.get(v);
      if (in.var().type().kind() != Type.Kind.TENSOR) {
        return null;
      }
      inputs.add(CodeBlock.of(in.kind() == Input.Kind.FIELD ? "self." + in.name() : v));
      components.add(CodeBlock.of("$L", in.component()));
      names.add(in.kind() == Input.Kind.FIELD ? "self." + in.name() : v);
    }
    List<String> call = new ArrayList<>();
    if (!f.isStatic()) {
      call.add("self");
    }
    f.params().forEach(p -> call.add(p.var().name()));
    String v = "v";
    String hv = "hv";
    while (call.contains(v) || v.equals(hv)) {
      v = v + "_";
    }
    while (call.contains(hv)) {
      hv = hv + "_";
    }
    for (int i = 0; i < inputs.size(); i++) {
      call.add(v + "[" + i + "]");
    }
    final String result = hv;
    List<CodeBlock> reads = components.stream().map(cb -> CodeBlock.of("$L.$L()", result, cb)).toList();
    CodeBlock lambda = CodeBlock.of("$L -> {\n$>$T $L = $L($L);\nreturn new $T[] {$L};\n$<}", v, gradientType, hv,
        f.name() + "Hvp", String.join(", ", call), TENSOR, CodeBlock.join(reads, ", "));
    // a module's forward may move its buffers (batch norm in training mode): put back between the products
    boolean buffers = module && !f.isStatic();
    return MethodSpec.methodBuilder(f.name() + "Hessian")
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .addJavadoc("The Hessian of {@link $T#$L} over {@code $L} flattened in that order (row-major), one\n"
            + "{@code $LHvp} per element: {@code n × n} for {@code n} elements in all, for small tensors.\n"
            + (buffers ? "The module's buffers are left as one forward leaves them (restored between the products).\n"
                : ""),
            userClass, f.name(), String.join(", ", names), f.name())
        .returns(double[][].class)
        .addParameters(parameters().subList(0, call.size() - inputs.size()))
        .addCode(buffers
            ? "return $T.hessian(new $T[] {$L}, self.namedBuffers().values(), $L);\n"
            : "return $T.hessian(new $T[] {$L}, $L);\n", ClassName.get("dev.adjoint.autograd", "Hvps"), TENSOR,
            CodeBlock.join(inputs, ", "), lambda)
        .build();
  }

  private List<ParameterSpec> parameters() {
    List<ParameterSpec> ps = new ArrayList<>();
    if (!f.isStatic()) {
      ps.add(ParameterSpec.builder(userClass, "self").build());
    }
    for (Input p : f.params()) {
      ps.add(ParameterSpec.builder(typeName(p.var().type()), p.var().name()).build());
    }
    Map<String, Input> byVar = new HashMap<>();
    f.inputs().forEach(i -> byVar.put(i.var().name(), i));
    jvp.tangentInputs().forEach((v, t) -> ps.add(ParameterSpec.builder(typeName(byVar.get(v).var().type()), t)
        .build()));
    return ps;
  }

  TypeSpec record() {
    TypeName t = typeName(f.returnType());
    return TypeSpec.recordBuilder(recordType)
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC)
        .addJavadoc("The value of {@link $T#$L} and its tangent (directional derivative).\n\n"
            + "@param value the value\n@param tangent the tangent of the value\n", userClass, f.name())
        .recordConstructor(MethodSpec.constructorBuilder()
            .addParameter(t, "value")
            .addParameter(t, "tangent")
            .build())
        .build();
  }

  private static final ClassName JVPS = ClassName.get("dev.adjoint.rules", "Jvps");
  private static final ClassName DUAL = JVPS.nestedClass("Dual");
  private static final ClassName HVPS = ClassName.get("dev.adjoint.autograd", "Hvps");

  /** The stacks of an {@code fHvp} through control flow: the pullback's, and one per pushed tangent. */
  private void stacks(CodeBlock.Builder code) {
    taped.tape().saved().forEach((stack, v) -> {
      TypeName t = stackType(v.type());
      List<String> names = new ArrayList<>(List.of(stack));
      String ts = taped.tangentStacks().get(stack);
      if (ts != null) {
        names.add(ts);
      }
      for (String n : names) {
        if (t instanceof com.palantir.javapoet.ParameterizedTypeName p) {
          code.addStatement("$T $L = new $T<>()", t, n, p.rawType());
        } else {
          code.addStatement("$T $L = new $T()", t, n, t);
        }
      }
    });
    java.util.Comparator<String> byNumber = java.util.Comparator.comparingInt(String::length)
        .thenComparing(java.util.Comparator.naturalOrder());
    java.util.stream.Stream.concat(taped.tape().branches().values().stream().sorted(byNumber),
            taped.tape().trips().values().stream().sorted(byNumber))
        .filter(n -> taped.tape().stacks().contains(n) && !taped.tape().saved().containsKey(n))
        .forEach(n -> code.addStatement("$T $L = new $T()", INT_STACK, n, INT_STACK));
  }

  /** The names a backward reads. */
  private static void reads(List<dev.adjoint.processor.ir.AStmt> stmts, Set<String> into) {
    for (dev.adjoint.processor.ir.AStmt s : stmts) {
      switch (s) {
        case dev.adjoint.processor.ir.AStmt.Let l -> refs(l.value(), into);
        case dev.adjoint.processor.ir.AStmt.Accumulate a -> refs(a.value(), into);
        case dev.adjoint.processor.ir.AStmt.AccumulateElement a -> refs(a.value(), into);
        case dev.adjoint.processor.ir.AStmt.Restore r -> into.add(r.name());
        case dev.adjoint.processor.ir.AStmt.Guard g -> reads(g.body(), into);
        case dev.adjoint.processor.ir.AStmt.Branch b -> {
          refs(b.cond(), into);
          reads(b.then(), into);
          reads(b.otherwise(), into);
        }
        case dev.adjoint.processor.ir.AStmt.Reverse r -> {
          refs(r.from(), into);
          refs(r.to(), into);
          reads(r.body(), into);
        }
        default -> { }
      }
    }
  }

  private static void refs(AExpr e, Set<String> into) {
    switch (e) {
      case AExpr.Ref r -> into.add(r.name());
      case AExpr.ShapeOnly so -> into.add(so.ref().name());
      case AExpr.Bin b -> {
        refs(b.left(), into);
        refs(b.right(), into);
      }
      case AExpr.Neg n -> refs(n.operand(), into);
      case AExpr.Cast c -> refs(c.operand(), into);
      case AExpr.StaticCall c -> c.args().forEach(a -> refs(a, into));
      case AExpr.Invoke i -> {
        refs(i.target(), into);
        i.args().forEach(a -> refs(a, into));
      }
      default -> { }
    }
  }

  private void block(CodeBlock.Builder code, List<TStmt> stmts, List<Stmt> all) {
    for (TStmt s : stmts) {
      switch (s) {
        case TStmt.Comment c -> code.add("// ∂ $L: $L\n", c.origin().position(), c.origin().statement());
        case TStmt.Primal p -> {
          switch (p.stmt()) {
            case Stmt.Assign a -> {
              String stack = taped == null ? null : taped.tape().pushes().get(a);
              if (stack != null) {
                // the value this overwrites, and its tangent, for the backward
                code.addStatement("$L.push($L)", stack, a.target().name());
                String ts = taped.tangentStacks().get(stack);
                if (ts != null) {
                  code.addStatement("$L.push($L)", ts, taped.stackTangents().get(stack));
                }
              }
              assign(code, a.target(), op(a.op()));
            }
            case Stmt.Effect e -> code.addStatement(call(e.call()));
            default -> throw new IllegalStateException("primal " + p.stmt());
          }
        }
        case TStmt.JvpCall j -> {
          Stmt.Assign a = j.assign();
          Op.Call c = (Op.Call) a.op();
          List<CodeBlock> args = new ArrayList<>();
          if (!j.callee().isStatic()) {
            args.add(c.receiver().map(Renderer::operand).orElse(CodeBlock.of("self")));
          }
          c.args().forEach(o -> args.add(operand(o)));
          j.tangents().forEach(t -> args.add(expr(t, Map.of())));
          ClassName companion = ClassName.bestGuess(j.callee().companion());
          code.addStatement("$T $L = $T.$L($L)", companion.nestedClass(j.callee().capitalized() + "Jvp"), j.holder(),
              companion, j.callee().method() + "Jvp", CodeBlock.join(args, ", "));
          assign(code, a.target(), CodeBlock.of("$L.value()", j.holder()));
        }
        case TStmt.CalleeHvp h -> {
          // the callee's pullback, whose backward the gradient calls, and its Hessian-vector product
          Op.Call c = (Op.Call) h.call().assign().op();
          List<CodeBlock> args = new ArrayList<>();
          c.args().forEach(o -> args.add(operand(o)));
          List<CodeBlock> withTangents = new ArrayList<>(args);
          h.call().tangents().forEach(t -> withTangents.add(expr(t, Map.of())));
          Callee.Differentiable d = h.call().callee();
          ClassName companion = ClassName.bestGuess(d.companion());
          code.addStatement("$T $L = $T.$L($L)", companion.nestedClass(d.capitalized() + "Pullback"), h.pullback(),
              companion, d.method() + "Pullback", CodeBlock.join(args, ", "));
          code.addStatement("$T $L = $T.$L($L)", companion.nestedClass(d.capitalized() + "Gradient"), h.hvp(),
              companion, d.method() + "Hvp", CodeBlock.join(withTangents, ", "));
        }
        case TStmt.Tangent t -> assign(code, new Var(t.name(), t.type()), expr(t.value(), Map.of()));
        case TStmt.Dual d -> {
          // the operation and its tangent in one fused call of the row's rules class
          code.addStatement("$T $L = $L", DUAL, d.holder(), expr(d.call(), Map.of()));
          Var target = d.assign().target();
          assign(code, target, CodeBlock.of("$L.value()", d.holder()));
          assign(code, new Var(d.tangent(), target.type()), CodeBlock.of("$L.tangent()", d.holder()));
        }
        case TStmt.If i -> {
          hoist(code, i.source(), all);
          String rec = taped == null ? null : taped.tape().branches().get(i.source());
          boolean stacked = rec != null && taped.tape().stacks().contains(rec);
          if (rec != null && !stacked) {
            // the decision, as the pullback records it
            code.addStatement(depth == 0 ? "boolean $L = $L" : "$L = $L", rec, cond(i.source().cond()));
            code.beginControlFlow("if ($L)", rec);
          } else {
            code.beginControlFlow("if ($L)", cond(i.source().cond()));
          }
          if (stacked) {
            code.addStatement("$L.push(true)", rec);
          }
          depth++;
          block(code, i.then(), all);
          if (stacked || !i.otherwise().isEmpty()) {
            code.nextControlFlow("else");
            if (stacked) {
              code.addStatement("$L.push(false)", rec);
            }
            block(code, i.otherwise(), all);
          }
          depth--;
          code.endControlFlow();
        }
        case TStmt.Loop l -> loop(code, l, all);
      }
    }
  }

  private void loop(CodeBlock.Builder code, TStmt.Loop t, List<Stmt> all) {
    Stmt.Loop l = t.source();
    hoist(code, l, all);
    if (l.counted().isPresent()) {
      Stmt.Counted c = l.counted().get();
      String i = c.index().name();
      code.beginControlFlow("for (int $L = $L; $L $L $L; $L++)", i, operand(c.from()), i,
          c.inclusive() ? "<=" : "<", operand(c.to()), i);
      declared.add(i);
      depth++;
      block(code, t.body(), all);
      depth--;
      code.endControlFlow();
      return;
    }
    block(code, t.init(), all);
    String trips = taped == null ? null : taped.tape().trips().get(l);
    String counter = trips == null ? null : taped.tape().counters().getOrDefault(l, trips);
    if (trips != null) {
      // the trip count, as the pullback records it
      code.addStatement(depth == 0 || !counter.equals(trips) ? "int $L = 0" : "$L = 0", counter);
    }
    depth++;
    if (l.kind() == Stmt.Loop.Kind.DO_WHILE) {
      code.beginControlFlow("do");
      if (trips != null) {
        code.addStatement("$L++", counter);
      }
      block(code, t.body(), all);
      block(code, t.head(), all);
      code.endControlFlow("while ($L)", cond(l.cond()));
    } else {
      if (t.head().isEmpty()) {
        code.beginControlFlow("while ($L)", cond(l.cond()));
      } else {
        code.beginControlFlow("while (true)");
        block(code, t.head(), all);
        code.beginControlFlow("if ($L)", cond(new Cond.Not(l.cond()))).addStatement("break").endControlFlow();
      }
      if (trips != null) {
        code.addStatement("$L++", counter);
      }
      block(code, t.body(), all);
      block(code, t.update(), all);
      code.endControlFlow();
    }
    depth--;
    if (trips != null && !counter.equals(trips)) {
      code.addStatement("$L.push($L)", trips, counter);
    }
  }

  /**
   * Declares, before {@code s}, the variables (and their tangents) first assigned inside it that are read
   * outside it or assigned more than once; a do-while's condition reads its head's variables after the body.
   */
  private void hoist(CodeBlock.Builder code, Stmt s, List<Stmt> all) {
    List<Stmt> inside = Stmt.flatten(List.of(s));
    Set<Stmt> mine = Collections.newSetFromMap(new IdentityHashMap<>());
    mine.addAll(inside);
    Set<String> outside = new HashSet<>(backwardReads);
    outside.add(jvp.result().toString());
    for (Stmt o : Stmt.flatten(all)) {
      if (!mine.contains(o)) {
        inputsOf(o).forEach(x -> outside.add(x.toString()));
      }
    }
    for (Stmt o : inside) {
      if (o instanceof Stmt.Loop l && l.kind() == Stmt.Loop.Kind.DO_WHILE) {
        for (Stmt h : Stmt.flatten(l.head().stmts())) {
          if (h instanceof Stmt.Assign a) {
            outside.add(a.target().name());
          }
        }
      }
    }
    for (Stmt o : inside) {
      if (o instanceof Stmt.Assign a) {
        String n = a.target().name();
        if (!declared.contains(n) && !counted.contains(n)
            && (outside.contains(n) || assignments.getOrDefault(n, 0) > 1
                || (taped != null && taped.tape().pushes().containsKey(a)))) {
          code.addStatement("$L $L = $L", declared(a.target().type()), n, zero(a.target().type()));
          declared.add(n);
          String t = tangentName(n);
          if (t != null && !declared.contains(t)) {
            code.addStatement("$L $L = $L", declared(a.target().type()), t, zero(a.target().type()));
            declared.add(t);
          }
        }
      }
    }
    if (taped != null && depth == 0) {
      // the records of nested statements that are not stacks: declared once, outside
      for (Stmt o : inside) {
        if (o == s) {
          continue;
        }
        String rec = taped.tape().branches().get(o);
        if (rec != null && !taped.tape().stacks().contains(rec)) {
          code.addStatement("boolean $L = false", rec);
        }
        String trips = taped.tape().trips().get(o);
        if (trips != null && !taped.tape().stacks().contains(trips)) {
          code.addStatement("int $L = 0", trips);
        }
      }
    }
  }

  /** The tangent variable of {@code n} if the sweep assigns one. */
  private String tangentName(String n) {
    String[] found = {null};
    find(jvp.stmts(), n, found);
    return found[0];
  }

  private final Map<String, String> tangentOf = new HashMap<>();

  private void find(List<TStmt> stmts, String n, String[] found) {
    if (tangentOf.isEmpty()) {
      index(jvp.stmts(), null);
    }
    found[0] = tangentOf.get(n);
  }

  private void index(List<TStmt> stmts, String[] last) {
    String[] previous = last == null ? new String[1] : last;
    for (TStmt s : stmts) {
      switch (s) {
        case TStmt.Primal p when p.stmt() instanceof Stmt.Assign a -> previous[0] = a.target().name();
        case TStmt.JvpCall j -> previous[0] = j.assign().target().name();
        case TStmt.Dual d -> {
          previous[0] = null;
          tangentOf.putIfAbsent(d.assign().target().name(), d.tangent());
        }
        case TStmt.Tangent t -> {
          if (previous[0] != null) {
            tangentOf.putIfAbsent(previous[0], t.name());
          }
        }
        case TStmt.If i -> {
          index(i.then(), previous);
          index(i.otherwise(), previous);
        }
        case TStmt.Loop l -> {
          index(l.init(), previous);
          index(l.head(), previous);
          index(l.body(), previous);
          index(l.update(), previous);
        }
        default -> { }
      }
    }
  }

  private void assign(CodeBlock.Builder code, Var target, CodeBlock rhs) {
    if (declared.add(target.name())) {
      code.addStatement("$L $L = $L", declared(target.type()), target.name(), rhs);
    } else {
      code.addStatement("$L = $L", target.name(), rhs);
    }
  }

  /** The operands a statement reads (a structured statement's condition only). */
  private static List<Operand> inputsOf(Stmt s) {
    return switch (s) {
      case Stmt.Assign a -> dev.adjoint.processor.analysis.Activity.dataInputs(a.op());
      case Stmt.Effect e -> e.call().inputs();
      case Stmt.Return r -> List.of(r.value());
      case Stmt.If i -> {
        List<Operand> out = new ArrayList<>();
        Cond.operands(i.cond(), out);
        yield out;
      }
      case Stmt.Loop l -> {
        List<Operand> out = new ArrayList<>();
        Cond.operands(l.cond(), out);
        l.counted().ifPresent(c -> {
          out.add(c.from());
          out.add(c.to());
        });
        yield out;
      }
    };
  }
}
