package dev.adjoint.processor.validate;

import dev.adjoint.processor.diag.Message;
import dev.adjoint.processor.diag.ValidationReport;
import dev.adjoint.processor.rules.RuleCatalog;
import java.util.List;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;

/**
 * Checks a {@code @Derivative} rule against its target at compile time: static and reachable, a
 * target that exists, parameters {@code (g, out, inputs...)} matching one overload, and a return type
 * that fits {@code wrt}.
 */
public final class DerivativeValidator {
  private final RuleCatalog catalog;

  /** A validator reading rules through {@code catalog}. */
  public DerivativeValidator(RuleCatalog catalog) {
    this.catalog = catalog;
  }

  /** Adds the rule's problems to {@code report}. */
  public void validate(ExecutableElement rule, ValidationReport report) {
    String name = rule.getEnclosingElement().getSimpleName() + "." + rule.getSimpleName();
    AnnotationMirror m = RuleCatalog.mirror(rule, RuleCatalog.DERIVATIVE);
    if (!rule.getModifiers().contains(Modifier.STATIC)) {
      report.add(Message.BAD_DERIVATIVE, rule, name, "must be static", "Declare it static");
    }
    if (rule.getModifiers().contains(Modifier.PRIVATE)) {
      report.add(Message.BAD_DERIVATIVE, rule, name, "must not be private",
          "Make it package-private or public so generated code can call it");
    }
    TypeElement of = catalog.ofType(m);
    String method = (String) catalog.value(m, "method");
    int wrt = (Integer) catalog.value(m, "wrt");
    List<ExecutableElement> targets = ElementFilter.methodsIn(of.getEnclosedElements()).stream()
        .filter(e -> e.getSimpleName().contentEquals(method)).toList();
    String target = of.getSimpleName() + "." + method;
    if (targets.isEmpty()) {
      report.add(Message.BAD_DERIVATIVE, rule, name, "names " + target + ", which does not exist",
          "Check of and method");
      return;
    }
    if (catalog.isJvp(rule)) {
      validateJvp(rule, name, target, targets, wrt, report);
      return;
    }
    ExecutableElement match = null;
    for (ExecutableElement t : targets) {
      if (catalog.matches(rule, catalog.inputTypes(t), t.getReturnType())) {
        match = t;
        break;
      }
    }
    if (match == null) {
      boolean jvpShaped = targets.stream()
          .anyMatch(t -> catalog.matchesJvp(rule, catalog.inputTypes(t), t.getReturnType()));
      report.add(Message.BAD_DERIVATIVE, rule, name, "does not match any overload of " + target, jvpShaped
          ? "Its parameters are those of a JVP (tangents, out, inputs): add kind = Derivative.Kind.JVP, or declare"
              + " them as (g, out, inputs...) for an adjoint"
          : "Declare its parameters as (g, out, inputs...): g and out of the result's type, then the inputs of "
              + target + " in order, receiver first");
      return;
    }
    for (var other : catalog.derivativeRules(match)) {
      if (other.method().contentEquals(rule.getSimpleName()) && other.owner().equals(
          ((javax.lang.model.element.TypeElement) rule.getEnclosingElement()).getQualifiedName().toString())) {
        continue;
      }
      if (other.wrt() == wrt || other.wrt() < 0 || wrt < 0) {
        report.add(Message.BAD_DERIVATIVE, rule, name, "is a second rule for " + target
                + (wrt < 0 && other.wrt() < 0 ? "" : " (wrt " + (wrt < 0 ? "every input" : "input " + wrt)
                    + ", and " + simple(other.owner()) + "." + other.method() + " has wrt "
                    + (other.wrt() < 0 ? "every input" : "input " + other.wrt()) + ")")
                + ", beside " + simple(other.owner()) + "." + other.method(),
            "Keep one rule per input: one with wrt = -1 for all inputs, or one per input index");
        return;
      }
    }
    secondOrder(rule, name, report);
    List<TypeMirror> inputs = catalog.inputTypes(match);
    TypeMirror ret = rule.getReturnType();
    boolean grads = ret.toString().equals("dev.adjoint.autograd.Grads");
    if (wrt >= inputs.size()) {
      report.add(Message.BAD_DERIVATIVE, rule, name, "has wrt = " + wrt + " but " + target + " has "
          + inputs.size() + " inputs", "Use an input index from 0");
    } else if (wrt >= 0 && !sameKind(ret, inputs.get(wrt))) {
      report.add(Message.BAD_DERIVATIVE, rule, name, "returns " + ret + " but input " + wrt + " is "
          + inputs.get(wrt), "Return the gradient of that input");
    } else if (wrt < 0 && inputs.size() == 1 && !grads && !sameKind(ret, inputs.get(0))) {
      report.add(Message.BAD_DERIVATIVE, rule, name, "returns " + ret + " but the input is " + inputs.get(0),
          "Return the input's gradient, or Grads");
    } else if (wrt < 0 && inputs.size() > 1 && !grads) {
      report.add(Message.BAD_DERIVATIVE, rule, name, "returns " + ret + " for " + inputs.size() + " inputs",
          "Return Grads with one entry per input, or write one rule per input with wrt");
    }
  }

  /**
   * A method named {@code <vjp>Jvp} beside an adjoint {@code vjp(g, out, x...)} is taken by its name as the adjoint's
   * second-order rule: it must be {@code static <vjp's result> <vjp>Jvp(g, out, x..., tOut, tX...)}, the adjoint's
   * parameters then a tangent of each but {@code g}, of the same types; else the generated {@code fHvp} would call
   * it with arguments it does not take (code that does not compile), so it is an error at the method.
   */
  private static void secondOrder(ExecutableElement vjp, String name, ValidationReport report) {
    String second = vjp.getSimpleName() + "Jvp";
    var params = vjp.getParameters();
    for (ExecutableElement e : ElementFilter.methodsIn(vjp.getEnclosingElement().getEnclosedElements())) {
      if (!e.getSimpleName().contentEquals(second)) {
        continue;
      }
      var ps = e.getParameters();
      boolean fits = e.getModifiers().contains(Modifier.STATIC) && !e.getModifiers().contains(Modifier.PRIVATE)
          && ps.size() == 2 * params.size() - 1 && e.getReturnType().toString().equals(vjp.getReturnType().toString());
      for (int i = 0; fits && i < ps.size(); i++) {
        TypeMirror want = params.get(i < params.size() ? i : i - params.size() + 1).asType();
        fits = ps.get(i).asType().toString().equals(want.toString());
      }
      if (fits) {
        continue;
      }
      StringBuilder sig = new StringBuilder("static " + vjp.getReturnType() + " " + second + "(");
      for (int i = 0; i < 2 * params.size() - 1; i++) {
        var p = params.get(i < params.size() ? i : i - params.size() + 1);
        String pn = p.getSimpleName().toString();
        sig.append(i > 0 ? ", " : "").append(simpleType(p.asType())).append(' ')
            .append(i < params.size() ? pn : "t" + Character.toUpperCase(pn.charAt(0)) + pn.substring(1));
      }
      sig.append(')');
      String where = e.getEnclosingElement().getSimpleName() + "." + second;
      report.add(Message.BAD_DERIVATIVE, e, name, "has a method " + where + " beside it, which is taken by its name as"
          + " its second-order rule (for fHvp and fHessian) but does not take the adjoint's parameters and their"
          + " tangents", "Declare it as " + sig + ", or rename it if it is not a second-order rule");
    }
  }

  private static String simpleType(TypeMirror t) {
    String s = t.toString();
    return s.substring(s.lastIndexOf('.') + 1);
  }

  /**
   * A JVP ({@code kind = JVP}): {@code wrt} left at {@code -1}, {@code (tangents..., out, inputs...)} fitting an
   * overload (the fix-it spells the signature out from the first overload's parameter names), one JVP per method.
   */
  private void validateJvp(ExecutableElement rule, String name, String target, List<ExecutableElement> targets,
      int wrt, ValidationReport report) {
    if (wrt != -1) {
      report.add(Message.BAD_DERIVATIVE, rule, name, "is a JVP with wrt = " + wrt
          + ", but a JVP gives the result's tangent from the tangents of every input", "Remove wrt");
      return;
    }
    ExecutableElement match = null;
    for (ExecutableElement t : targets) {
      if (catalog.matchesJvp(rule, catalog.inputTypes(t), t.getReturnType())) {
        match = t;
        break;
      }
    }
    if (match == null) {
      report.add(Message.BAD_DERIVATIVE, rule, name, "is a JVP that does not match any overload of " + target,
          "Declare it as " + jvpSignature(targets.get(0), rule.getSimpleName().toString())
              + ": the tangent of each Tensor, double or float input, then out, then the inputs of " + target
              + " in order, receiver first");
      return;
    }
    for (var other : catalog.jvpRules(match)) {
      if (other.method().contentEquals(rule.getSimpleName()) && other.owner().equals(
          ((TypeElement) rule.getEnclosingElement()).getQualifiedName().toString())) {
        break; // the first JVP registered is this one
      }
      report.add(Message.BAD_DERIVATIVE, rule, name, "is a second JVP for " + target + ", beside "
          + simple(other.owner()) + "." + other.method(), "Keep one JVP per method");
      return;
    }
  }

  /** The JVP signature that fits {@code target}, e.g. {@code static double fJvp(double dx, double out, double x)}. */
  private static String jvpSignature(ExecutableElement target, String ruleName) {
    List<String> tangents = new java.util.ArrayList<>();
    List<String> inputs = new java.util.ArrayList<>();
    java.util.Set<String> names = new java.util.HashSet<>();
    target.getParameters().forEach(p -> names.add(p.getSimpleName().toString()));
    if (!target.getModifiers().contains(Modifier.STATIC)) {
      TypeElement owner = (TypeElement) target.getEnclosingElement();
      String self = owner.getSimpleName().toString();
      String receiver = names.contains("self") ? "receiver" : "self";
      inputs.add(self + " " + receiver);
      if (RuleCatalog.isTensor(owner.asType())) {
        tangents.add("Tensor d" + cap(receiver));
      }
    }
    for (var p : target.getParameters()) {
      String type = spell(p.asType());
      String n = p.getSimpleName().toString();
      inputs.add(type + " " + n);
      if (RuleCatalog.takesTangent(p.asType())) {
        String t = "d" + cap(n);
        while (names.contains(t)) {
          t = t + "_";
        }
        tangents.add(type + " " + t);
      }
    }
    String out = names.contains("out") ? "result" : "out";
    String ret = spell(target.getReturnType());
    List<String> all = new java.util.ArrayList<>(tangents);
    all.add(ret + " " + out);
    all.addAll(inputs);
    return "static " + ret + " " + ruleName + "(" + String.join(", ", all) + ")";
  }

  private static String spell(TypeMirror t) {
    String s = t.toString();
    return s.startsWith("java.lang.") ? s.substring("java.lang.".length())
        : s.equals("dev.adjoint.Tensor") ? "Tensor" : s;
  }

  private static String cap(String n) {
    return Character.toUpperCase(n.charAt(0)) + n.substring(1);
  }

  private static String simple(String qualified) {
    return qualified.substring(qualified.lastIndexOf('.') + 1);
  }

  private static boolean sameKind(TypeMirror a, TypeMirror b) {
    if (a.getKind() == TypeKind.DOUBLE) {
      return b.getKind() == TypeKind.DOUBLE || b.getKind() == TypeKind.FLOAT;
    }
    return a.getKind() == b.getKind() && a.toString().equals(b.toString());
  }
}
