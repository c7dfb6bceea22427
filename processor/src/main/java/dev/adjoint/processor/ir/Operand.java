package dev.adjoint.processor.ir;

/** An argument of an IR operation: a variable or a constant. ANF keeps operands atomic. */
public sealed interface Operand permits Var, Const {
  /** The operand's type. */
  Type type();
}
