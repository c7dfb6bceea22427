package dev.adjoint.processor.diag;

import com.sun.source.util.Trees;
import javax.annotation.processing.Messager;
import javax.lang.model.element.Element;

/**
 * Prints catalogue messages on the narrowest tree ({@code Trees.printMessage}); {@code Messager}
 * only reaches whole elements, so it is the fallback when no tree is known.
 */
public final class Diagnostics {
  private final Trees trees;
  private final Messager messager;

  /** Wraps the compiler's reporters. */
  public Diagnostics(Trees trees, Messager messager) {
    this.trees = trees;
    this.messager = messager;
  }

  /** Reports {@code message} at {@code site}. */
  public void report(Message message, Site site, String text) {
    trees.printMessage(message.kind(), text, site.tree(), site.unit());
  }

  /** Reports {@code message} on an element. */
  public void report(Message message, Element element, String text) {
    messager.printMessage(message.kind(), text, element);
  }

  /** Prints a note (the {@code -Aadjoint.dump} output). */
  public void note(String text, Element element) {
    messager.printMessage(javax.tools.Diagnostic.Kind.NOTE, text, element);
  }
}
