package dev.adjoint.processor.diag;

import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Element;

/**
 * Every problem found in one {@code @Differentiable} method, collected rather than thrown, so a
 * compile shows all of them (Dagger's {@code ValidationReport}). A report with an error skips emission
 * for its method only.
 */
public final class ValidationReport {
  /**
   * One problem: a catalogue message with its text, at a tree or (failing that) an element.
   *
   * @param message the catalogue entry
   * @param text the formatted text
   * @param site the tree, or {@code null} to fall back to {@code element}
   * @param element the element for the fallback
   */
  public record Problem(Message message, String text, Site site, Element element) {}

  private final Element subject;
  private final List<Problem> problems = new ArrayList<>();

  /** A report about {@code subject} (the method). */
  public ValidationReport(Element subject) {
    this.subject = subject;
  }

  /** Adds a problem at a tree. */
  public void add(Message message, Site site, Object... args) {
    problems.add(new Problem(message, message.format(args), site, subject));
  }

  /** Adds a problem with extra trace lines appended (Dagger-style "depends on" lines). */
  public void addWithTrace(Message message, Site site, String trace, Object... args) {
    problems.add(new Problem(message, message.format(args) + trace, site, subject));
  }

  /** Adds a problem on an element. */
  public void add(Message message, Element element, Object... args) {
    problems.add(new Problem(message, message.format(args), null, element));
  }

  /** Whether an error was found. */
  public boolean hasErrors() {
    return problems.stream().anyMatch(p -> p.message().kind() == javax.tools.Diagnostic.Kind.ERROR);
  }

  /** How many errors were found so far (a lowering can tell whether its part added one). */
  public int errorCount() {
    return (int) problems.stream().filter(p -> p.message().kind() == javax.tools.Diagnostic.Kind.ERROR).count();
  }

  /** The problems in the order found. */
  public List<Problem> problems() {
    return List.copyOf(problems);
  }

  /** Prints every problem. */
  public void printTo(Diagnostics diagnostics) {
    for (Problem p : problems) {
      if (p.site() != null) {
        diagnostics.report(p.message(), p.site(), p.text());
      } else {
        diagnostics.report(p.message(), p.element(), p.text());
      }
    }
  }
}
