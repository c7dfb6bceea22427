package dev.adjoint.processor.rules;

import dev.adjoint.processor.ir.Callee;
import dev.adjoint.processor.ir.Type;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * Where derivative rules come from. It holds no list of operations: it reads {@code @Primitive} from
 * the runtime's methods and {@code @Derivative} from rule classes through {@link Elements}, with
 * annotation mirrors because the values are class literals. Rule classes are found in the runtime's
 * {@code dev.adjoint.rules} package (where {@code MathRules} lives), in the class declaring the called
 * method, in the class being differentiated, and in every {@code @Derivative} method of the
 * compilation.
 */
public final class RuleCatalog {
  /** The annotation naming a runtime operation's adjoint. */
  public static final String PRIMITIVE = "dev.adjoint.annotation.Primitive";
  /** The annotation declaring a rule. */
  public static final String DERIVATIVE = "dev.adjoint.annotation.Derivative";
  /** The annotation marking differentiable methods. */
  public static final String DIFFERENTIABLE = "dev.adjoint.annotation.Differentiable";
  /** The runtime package whose classes are scanned for rules. */
  public static final String RUNTIME_RULES_PACKAGE = "dev.adjoint.rules";

  private final Elements elements;
  private final Types types;
  private final Set<String> scanned = new HashSet<>();
  private final Map<String, List<ExecutableElement>> derivatives = new LinkedHashMap<>();

  /** A catalogue reading through the compiler's element utilities. */
  public RuleCatalog(Elements elements, Types types) {
    this.elements = elements;
    this.types = types;
    PackageElement pkg = elements.getPackageElement(RUNTIME_RULES_PACKAGE);
    if (pkg != null) {
      for (TypeElement t : ElementFilter.typesIn(pkg.getEnclosedElements())) {
        scan(t);
      }
    }
  }

  /** The rule metadata on a runtime operation, if it has any. */
  public Optional<Callee.Primitive> primitive(ExecutableElement method) {
    AnnotationMirror m = mirror(method, PRIMITIVE);
    if (m == null) {
      return Optional.empty();
    }
    TypeElement owner = (TypeElement) method.getEnclosingElement();
    TypeElement rulesType = (TypeElement) types.asElement((TypeMirror) value(m, "rules"));
    String rules = rulesType.getQualifiedName().toString();
    String vjp = (String) value(m, "vjp");
    return Optional.of(new Callee.Primitive(owner.getQualifiedName().toString(), method.getSimpleName().toString(),
        method.getModifiers().contains(Modifier.STATIC), rules, vjp, (String) value(m, "node"),
        (String) value(m, "scalar"), strings(value(m, "receiverInputs")), 0, ints(value(m, "reads")),
        jvpOf(method, rulesType, (String) value(m, "jvp"), vjp), tangentSlots(method)));
  }

  /**
   * Whether the row called as {@code p} has no recorded backward formula ({@code @Primitive(doubleBackward =
   * false)}): a second differentiation through it throws at run time, so no Hessian is generated through it. The
   * row is found among {@code p}'s owner's methods of that name by its adjoint (overloads have their own).
   */
  public boolean lacksDoubleBackward(Callee.Primitive p) {
    TypeElement owner = elements.getTypeElement(p.owner());
    if (owner == null) {
      return false;
    }
    for (ExecutableElement m : ElementFilter.methodsIn(owner.getEnclosedElements())) {
      AnnotationMirror a = m.getSimpleName().contentEquals(p.method()) ? mirror(m, PRIMITIVE) : null;
      if (a != null && p.vjp().equals(value(a, "vjp")) && Boolean.FALSE.equals(valueOrNull(a, "doubleBackward"))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Per input of the row (receiver first, then the parameters, then the receiver inputs of a module row), whether
   * it takes a tangent in the row's JVP: a {@code Tensor}, {@code double} or {@code float} (a module receiver does
   * not; its receiver inputs, its weights, do).
   */
  private List<Boolean> tangentSlots(ExecutableElement op) {
    List<Boolean> slots = new java.util.ArrayList<>();
    if (!op.getModifiers().contains(Modifier.STATIC)) {
      slots.add(isTensor(op.getEnclosingElement().asType()));
    }
    for (var p : op.getParameters()) {
      slots.add(takesTangent(p.asType()));
    }
    AnnotationMirror m = mirror(op, PRIMITIVE);
    for (int i = 0; m != null && i < strings(value(m, "receiverInputs")).size(); i++) {
      slots.add(true);
    }
    return List.copyOf(slots);
  }

  /**
   * The row's JVP: {@code @Primitive(jvp)}, else the adjoint's name with {@code Jvp} for {@code Vjp}, when
   * {@code rules} has a public static method of that name taking one tangent per input that takes one
   * ({@link #tangentSlots}), the result and the inputs (a module row's receiver inputs after its parameters, as
   * its adjoint takes them); empty otherwise.
   */
  private String jvpOf(ExecutableElement op, TypeElement rules, String declared, String vjp) {
    String name = !declared.isEmpty() ? declared : vjp.endsWith("Vjp")
        ? vjp.substring(0, vjp.length() - 3) + "Jvp" : "";
    if (name.isEmpty()) {
      return "";
    }
    List<Boolean> slots = tangentSlots(op);
    int inputs = slots.size();
    int tangents = (int) slots.stream().filter(b -> b).count();
    for (ExecutableElement e : ElementFilter.methodsIn(rules.getEnclosedElements())) {
      if (e.getSimpleName().contentEquals(name) && e.getModifiers().contains(Modifier.STATIC)
          && e.getModifiers().contains(Modifier.PUBLIC) && e.getParameters().size() == tangents + 1 + inputs
          && isTensor(e.getReturnType())) {
        return name;
      }
    }
    return "";
  }

  /** The ints of an array-valued annotation member. */
  private static List<Integer> ints(Object array) {
    List<Integer> out = new ArrayList<>();
    for (Object v : (List<?>) array) {
      out.add((Integer) ((AnnotationValue) v).getValue());
    }
    return List.copyOf(out);
  }

  /** The strings of an array-valued annotation member. */
  private static List<String> strings(Object array) {
    List<String> out = new ArrayList<>();
    for (Object v : (List<?>) array) {
      out.add((String) ((AnnotationValue) v).getValue());
    }
    return List.copyOf(out);
  }

  /** Registers the {@code @Derivative} rules declared in a class (idempotent). */
  public void scan(TypeElement type) {
    if (!scanned.add(type.getQualifiedName().toString())) {
      return;
    }
    for (ExecutableElement e : ElementFilter.methodsIn(type.getEnclosedElements())) {
      register(e);
    }
  }

  /** Registers one {@code @Derivative} method (idempotent per method). */
  public void register(ExecutableElement rule) {
    AnnotationMirror m = mirror(rule, DERIVATIVE);
    if (m == null) {
      return;
    }
    String key = key(ofType(m), (String) value(m, "method"));
    List<ExecutableElement> list = derivatives.computeIfAbsent(key, k -> new ArrayList<>());
    if (!list.contains(rule)) {
      list.add(rule);
    }
  }

  /** The class a {@code @Derivative} rule differentiates. */
  public TypeElement ofType(AnnotationMirror derivative) {
    return (TypeElement) types.asElement((TypeMirror) value(derivative, "of"));
  }

  /**
   * The {@code @Derivative} rules for {@code method} whose input types match its inputs (receiver first
   * for an instance method), or an empty list.
   */
  public List<Callee.Rule> derivativeRules(ExecutableElement method) {
    TypeElement owner = (TypeElement) method.getEnclosingElement();
    scan(owner);
    List<TypeMirror> inputs = inputTypes(method);
    List<Callee.Rule> found = new ArrayList<>();
    for (ExecutableElement rule : derivatives.getOrDefault(key(owner, method.getSimpleName().toString()), List.of())) {
      if (!isJvp(rule) && matches(rule, inputs, method.getReturnType())) {
        AnnotationMirror m = mirror(rule, DERIVATIVE);
        int wrt = (Integer) value(m, "wrt");
        String ruleOwner = ((TypeElement) rule.getEnclosingElement()).getQualifiedName().toString();
        boolean grads = rule.getReturnType().toString().equals("dev.adjoint.autograd.Grads");
        Type returns = switch (rule.getReturnType().getKind()) {
          case DOUBLE -> Type.DOUBLE;
          case FLOAT -> Type.FLOAT;
          default -> Type.TENSOR;
        };
        List<String> params = rule.getParameters().stream().skip(2).map(p -> p.getSimpleName().toString()).toList();
        found.add(new Callee.Rule(ruleOwner, rule.getSimpleName().toString(), wrt, grads, returns, params));
      }
    }
    found.sort(java.util.Comparator.comparingInt(Callee.Rule::wrt));
    return found;
  }

  /**
   * The {@code @Derivative(kind = JVP)} rules for {@code method} whose signature fits it ({@link #matchesJvp}), in
   * registration order; more than one is a {@code BadDerivative} error, reported where the second is declared.
   */
  public List<Callee.JvpRule> jvpRules(ExecutableElement method) {
    TypeElement owner = (TypeElement) method.getEnclosingElement();
    scan(owner);
    List<TypeMirror> inputs = inputTypes(method);
    List<Boolean> slots = inputs.stream().map(RuleCatalog::takesTangent).toList();
    List<Boolean> tensors = inputs.stream().map(RuleCatalog::isTensor).toList();
    List<Callee.JvpRule> found = new ArrayList<>();
    for (ExecutableElement rule : derivatives.getOrDefault(key(owner, method.getSimpleName().toString()), List.of())) {
      if (isJvp(rule) && matchesJvp(rule, inputs, method.getReturnType())) {
        String ruleOwner = ((TypeElement) rule.getEnclosingElement()).getQualifiedName().toString();
        Type returns = switch (rule.getReturnType().getKind()) {
          case DOUBLE -> Type.DOUBLE;
          case FLOAT -> Type.FLOAT;
          default -> Type.TENSOR;
        };
        found.add(new Callee.JvpRule(ruleOwner, rule.getSimpleName().toString(), returns, slots, tensors));
      }
    }
    return found;
  }

  /** Whether a {@code @Derivative} method is a JVP ({@code kind = Kind.JVP}). */
  public boolean isJvp(ExecutableElement rule) {
    AnnotationMirror m = mirror(rule, DERIVATIVE);
    return m != null && value(m, "kind") instanceof javax.lang.model.element.VariableElement v
        && v.getSimpleName().contentEquals("JVP");
  }

  /** Whether an input of this type takes a tangent ({@code Tensor}, {@code double}, {@code float}). */
  public static boolean takesTangent(TypeMirror t) {
    return isTensor(t) || t.getKind() == TypeKind.DOUBLE || t.getKind() == TypeKind.FLOAT;
  }

  /**
   * Whether a JVP's {@code (tangents..., out, inputs...)} fits a primal with these inputs and result: one
   * tangent per input that takes one, of its type, and the result's type returned.
   */
  public boolean matchesJvp(ExecutableElement rule, List<TypeMirror> inputs, TypeMirror result) {
    List<TypeMirror> expected = new ArrayList<>();
    for (TypeMirror in : inputs) {
      if (takesTangent(in)) {
        expected.add(in);
      }
    }
    expected.add(result);
    expected.addAll(inputs);
    var ps = rule.getParameters();
    if (ps.size() != expected.size() || !compatible(rule.getReturnType(), result)) {
      return false;
    }
    for (int i = 0; i < expected.size(); i++) {
      if (!compatible(ps.get(i).asType(), expected.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** The primal inputs of a method: receiver (for instance methods) then parameters. */
  public List<TypeMirror> inputTypes(ExecutableElement method) {
    List<TypeMirror> in = new ArrayList<>();
    if (!method.getModifiers().contains(Modifier.STATIC)) {
      in.add(method.getEnclosingElement().asType());
    }
    for (var p : method.getParameters()) {
      in.add(p.asType());
    }
    return in;
  }

  /** Whether a rule's (g, out, inputs...) fits a primal with these inputs and result. */
  public boolean matches(ExecutableElement rule, List<TypeMirror> inputs, TypeMirror result) {
    var ps = rule.getParameters();
    if (ps.size() != inputs.size() + 2) {
      return false;
    }
    if (!compatible(ps.get(0).asType(), result) || !compatible(ps.get(1).asType(), result)) {
      return false;
    }
    for (int i = 0; i < inputs.size(); i++) {
      if (!compatible(ps.get(i + 2).asType(), inputs.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** Same type, or a {@code double} rule parameter for a {@code float} primal. */
  private boolean compatible(TypeMirror ruleParam, TypeMirror primal) {
    if (types.isSameType(types.erasure(ruleParam), types.erasure(primal))) {
      return true;
    }
    return ruleParam.getKind() == TypeKind.DOUBLE && primal.getKind() == TypeKind.FLOAT;
  }

  /** The annotation of the given type on an element, or {@code null}. */
  public static AnnotationMirror mirror(Element e, String annotation) {
    for (AnnotationMirror m : e.getAnnotationMirrors()) {
      if (((TypeElement) m.getAnnotationType().asElement()).getQualifiedName().contentEquals(annotation)) {
        return m;
      }
    }
    return null;
  }

  /** An annotation member's value, defaults included; {@code null} when a runtime older than the member lacks it. */
  private Object valueOrNull(AnnotationMirror m, String name) {
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e
        : elements.getElementValuesWithDefaults(m).entrySet()) {
      if (e.getKey().getSimpleName().contentEquals(name)) {
        return e.getValue().getValue();
      }
    }
    return null;
  }

  /** An annotation member's value, defaults included. */
  public Object value(AnnotationMirror m, String name) {
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e
        : elements.getElementValuesWithDefaults(m).entrySet()) {
      if (e.getKey().getSimpleName().contentEquals(name)) {
        return e.getValue().getValue();
      }
    }
    throw new IllegalStateException("no member " + name + " on " + m);
  }

  private static String key(TypeElement owner, String method) {
    return owner.getQualifiedName() + "#" + method;
  }

  /** Whether {@code e} is a method annotated {@code @Differentiable}. */
  public static boolean isDifferentiable(Element e) {
    return e.getKind() == ElementKind.METHOD && mirror(e, DIFFERENTIABLE) != null;
  }

  /** Whether the type is {@code dev.adjoint.Tensor}. */
  public static boolean isTensor(TypeMirror t) {
    return t instanceof DeclaredType d
        && ((TypeElement) d.asElement()).getQualifiedName().contentEquals("dev.adjoint.Tensor");
  }
}
