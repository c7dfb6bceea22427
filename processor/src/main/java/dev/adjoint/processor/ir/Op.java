package dev.adjoint.processor.ir;

import java.util.List;
import java.util.Optional;

/** The right-hand side of an assignment: exactly one primitive operation on atomic operands (ANF). */
public sealed interface Op {
  /** The operands in input order (receiver first for instance calls). */
  List<Operand> inputs();

  /** Java arithmetic {@code left op right} on numeric operands; {@code op} is one of {@code + - * / %}. */
  record Arith(char op, Operand left, Operand right) implements Op {
    @Override
    public List<Operand> inputs() {
      return List.of(left, right);
    }
  }

  /** Unary minus. */
  record Neg(Operand operand) implements Op {
    @Override
    public List<Operand> inputs() {
      return List.of(operand);
    }
  }

  /** A primitive conversion ({@code (float) x}, or an implicit widening). */
  record Cast(Type to, Operand operand) implements Op {
    @Override
    public List<Operand> inputs() {
      return List.of(operand);
    }
  }

  /** A copy ({@code var y = x;}). */
  record Copy(Operand operand) implements Op {
    @Override
    public List<Operand> inputs() {
      return List.of(operand);
    }
  }

  /**
   * An element of a {@code Tensor[]} parameter, {@code array[index]} (the index is a passive {@code int}).
   * Its adjoint adds into the same entry of the array's gradient.
   */
  record Element(Operand array, Operand index) implements Op {
    @Override
    public List<Operand> inputs() {
      return List.of(array, index);
    }
  }

  /** A condition as a {@code boolean} value ({@code boolean pos = x > 0 && n < 3;}): passive. */
  record Test(Cond cond) implements Op {
    @Override
    public List<Operand> inputs() {
      List<Operand> out = new java.util.ArrayList<>();
      Cond.operands(cond, out);
      return List.copyOf(out);
    }
  }

  /** {@code array.length} of a {@code Tensor[]} (passive). */
  record Length(Operand array) implements Op {
    @Override
    public List<Operand> inputs() {
      return List.of(array);
    }
  }

  /**
   * A method call.
   *
   * @param receiver the receiver for an instance call on a value, empty for static calls and calls on
   *     {@code this}
   */
  record Call(Callee callee, Optional<Operand> receiver, List<Operand> args) implements Op {
    @Override
    public List<Operand> inputs() {
      if (receiver.isEmpty()) {
        return args;
      }
      var all = new java.util.ArrayList<Operand>();
      all.add(receiver.get());
      all.addAll(args);
      return List.copyOf(all);
    }
  }
}
