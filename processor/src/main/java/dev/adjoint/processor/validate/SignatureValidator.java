package dev.adjoint.processor.validate;

import dev.adjoint.processor.diag.Message;
import dev.adjoint.processor.diag.ValidationReport;
import dev.adjoint.processor.front.BodyReader;
import dev.adjoint.processor.front.TypeResolver;
import dev.adjoint.processor.ir.Type;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;

/** Checks what a {@code @Differentiable} method's signature must satisfy before its body is read. */
public final class SignatureValidator {
  private final TypeResolver resolver;

  /** A validator resolving types with {@code resolver}. */
  public SignatureValidator(TypeResolver resolver) {
    this.resolver = resolver;
  }

  /** Adds the signature's problems to {@code report}. */
  public void validate(ExecutableElement m, ValidationReport report) {
    String name = m.getEnclosingElement().getSimpleName() + "." + m.getSimpleName();
    if (m.getModifiers().contains(Modifier.PRIVATE)) {
      report.add(Message.UNSUPPORTED_SIGNATURE, m, name, "is private",
          "Make it package-private so the generated companion can call it");
    }
    if (m.getModifiers().contains(Modifier.ABSTRACT) || m.getModifiers().contains(Modifier.NATIVE)) {
      report.add(Message.UNSUPPORTED_SIGNATURE, m, name, "has no body", "Differentiate a method with a body");
    }
    if (!m.getTypeParameters().isEmpty()) {
      report.add(Message.UNSUPPORTED_SIGNATURE, m, name, "declares type parameters", "Remove them");
    }
    Type ret = resolver.typeOf(m.getReturnType());
    if (!ret.differentiable() || ret.isTensorArray()) {
      report.add(Message.UNSUPPORTED_SIGNATURE, m, name, "returns " + ret, "Return Tensor, double or float");
    }
    for (Element e = m.getEnclosingElement(); e instanceof TypeElement te; e = e.getEnclosingElement()) {
      if (te.getNestingKind() == NestingKind.LOCAL || te.getNestingKind() == NestingKind.ANONYMOUS) {
        report.add(Message.UNSUPPORTED_SIGNATURE, m, name, "is declared in a local or anonymous class",
            "Move it to a top-level or member class");
        break;
      }
      if (te.getModifiers().contains(Modifier.PRIVATE)) {
        report.add(Message.PRIVATE_MEMBER, m, "class " + te.getSimpleName(),
            BodyReader.companionName((TypeElement) m.getEnclosingElement()));
        break;
      }
    }
    List<String> differentiable = new ArrayList<>();
    for (VariableElement p : m.getParameters()) {
      if (resolver.typeOf(p.asType()).differentiable()) {
        differentiable.add(p.getSimpleName().toString());
      }
    }
    if (!m.getModifiers().contains(Modifier.STATIC)) {
      differentiable.add("this");
    }
    for (String w : BodyReader.wrtOf(m)) {
      if (!differentiable.contains(w)) {
        report.add(Message.UNKNOWN_WRT, m, w, name, differentiable.isEmpty() ? "(none)" : String.join(", ", differentiable));
      }
    }
  }
}
