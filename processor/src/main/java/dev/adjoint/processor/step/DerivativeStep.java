package dev.adjoint.processor.step;

import dev.adjoint.processor.diag.Diagnostics;
import dev.adjoint.processor.rules.RuleCatalog;
import dev.adjoint.processor.validate.DerivativeValidator;
import dev.adjoint.processor.diag.ValidationReport;
import javax.lang.model.element.ExecutableElement;

/**
 * The {@code @Derivative} step: validates each user rule and registers the valid ones in the
 * {@link RuleCatalog}, so calls in {@code @Differentiable} bodies find them exactly like the runtime's
 * {@code MathRules}. Runs before {@link DifferentiableStep} in every round.
 */
public final class DerivativeStep {
  private final RuleCatalog catalog;
  private final DerivativeValidator validator;
  private final Diagnostics diagnostics;

  /** A step registering into {@code catalog}. */
  public DerivativeStep(RuleCatalog catalog, Diagnostics diagnostics) {
    this.catalog = catalog;
    this.validator = new DerivativeValidator(catalog);
    this.diagnostics = diagnostics;
  }

  /** Validates and registers one rule. */
  public void process(ExecutableElement rule) {
    ValidationReport report = new ValidationReport(rule);
    validator.validate(rule, report);
    report.printTo(diagnostics);
    if (!report.hasErrors()) {
      catalog.register(rule);
    }
  }
}
