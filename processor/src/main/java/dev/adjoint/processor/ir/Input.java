package dev.adjoint.processor.ir;

/**
 * An input of a differentiable function: a parameter, or a field of the module that the body reads.
 *
 * @param name the parameter's or field's Java name
 * @param var the variable bound to the input at entry
 * @param kind parameter or field
 * @param wrt whether the function differentiates with respect to it
 * @param component the name of its gradient record component
 * @param site the front end's handle on the declaration (for diagnostics)
 */
public record Input(String name, Var var, Kind kind, boolean wrt, String component, Object site) {
  /** Parameter or field. */
  public enum Kind {
    PARAMETER, FIELD
  }
}
