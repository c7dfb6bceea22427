package dev.adjoint.processor.fuzz;

import java.util.List;

/**
 * The fuzzer's own syntax tree for generated programs: just enough Java to print a
 * {@code @Differentiable} method, its dual-number copy, and to shrink it.
 */
public final class Ast {
  private Ast() {}

  /** The static type of an expression or variable. */
  public enum Type {
    /** {@code double} or {@code float}, depending on the program's {@link Kind}. */
    REAL,
    /** A passive {@code int}. */
    INT,
    /** A {@code dev.adjoint.Tensor}. */
    TENSOR,
    /**
     * A {@code Pair} record of two values of the program's element type (read through its accessors,
     * which the generator keeps in scope as variables named {@code r.first()} and {@code r.second()}).
     */
    RECORD,
    /** The {@code List<Tensor>} of {@code unbind}, {@code chunk} or {@code split}. */
    LIST
  }

  /** The element type of a program. */
  public enum Kind {
    DOUBLE("double"),
    FLOAT("float"),
    TENSOR("Tensor");

    final String javaName;

    Kind(String javaName) {
      this.javaName = javaName;
    }
  }

  /** An expression. */
  public sealed interface Expr
      permits Lit, IntLit, Var, Unary, Binary, Cast, MathCall, HelperCall, Assign, Ternary, MethodCall, New,
      Pieces, Template {
    /** Its static type. */
    Type type();
  }

  /** A real literal; negative ones print in parentheses. */
  public record Lit(double value) implements Expr {
    @Override
    public Type type() {
      return Type.REAL;
    }
  }

  /** An int literal. */
  public record IntLit(int value) implements Expr {
    @Override
    public Type type() {
      return Type.INT;
    }
  }

  /** A variable read. */
  public record Var(String name, Type type) implements Expr {}

  /** {@code -e} or {@code +e}. */
  public record Unary(char op, Expr operand) implements Expr {
    @Override
    public Type type() {
      return operand.type();
    }
  }

  /** {@code l op r} for {@code + - * /}; INT only when both sides are INT. */
  public record Binary(char op, Expr left, Expr right) implements Expr {
    @Override
    public Type type() {
      return left.type() == Type.INT && right.type() == Type.INT ? Type.INT : Type.REAL;
    }
  }

  /** {@code (double) e} (or {@code (float) e}) of an int expression. */
  public record Cast(Expr operand) implements Expr {
    @Override
    public Type type() {
      return Type.REAL;
    }
  }

  /** A {@code Math} function on reals (a float program casts the result back to float). */
  public record MathCall(String function, List<Expr> args) implements Expr {
    @Override
    public Type type() {
      return Type.REAL;
    }
  }

  /** A call of the program's second {@code @Differentiable} method. */
  public record HelperCall(String name, List<Expr> args, Type type) implements Expr {}

  /** An assignment used as an expression: {@code target op= value}. */
  public record Assign(String target, String op, Expr value, Type type) implements Expr {}

  /** {@code cond ? a : b}. */
  public record Ternary(Cond cond, Expr ifTrue, Expr ifFalse) implements Expr {
    @Override
    public Type type() {
      return ifTrue.type() == Type.INT && ifFalse.type() == Type.INT ? Type.INT
          : ifTrue.type() == Type.TENSOR ? Type.TENSOR : Type.REAL;
    }
  }

  /** A tensor method call {@code receiver.name(args)} (the result is a tensor). */
  public record MethodCall(Expr receiver, String name, List<Expr> args) implements Expr {
    @Override
    public Type type() {
      return Type.TENSOR;
    }
  }

  /** {@code new Pair(first, second)}: a record of two values of {@code element} type. */
  public record New(List<Expr> args, Type element) implements Expr {
    @Override
    public Type type() {
      return Type.RECORD;
    }
  }

  /** {@code tensor.op(args)} for {@code unbind}, {@code chunk} and {@code split}: a list of pieces. */
  public record Pieces(Expr tensor, String op, List<Expr> args) implements Expr {
    @Override
    public Type type() {
      return Type.LIST;
    }
  }

  /**
   * A tensor expression written as a pattern whose holes {@code $0}, {@code $1}, ... are tensor
   * expressions (views, reductions kept as dimensions, products, activations of {@code F}); {@code shape} is
   * the result's shape.
   */
  public record Template(String pattern, List<Expr> holes, int[] shape) implements Expr {
    @Override
    public Type type() {
      return Type.TENSOR;
    }
  }

  /** A boolean condition. */
  public sealed interface Cond permits Cmp, And, Or, Not, ItemCmp {}

  /** {@code l op r} for {@code < <= > >= == !=}. */
  public record Cmp(Expr left, String op, Expr right) implements Cond {}

  /** {@code tensor.sum().item() op value}: a decision read from a tensor. */
  public record ItemCmp(Expr tensor, String op, double value) implements Cond {}

  /** {@code l && r}. */
  public record And(Cond left, Cond right) implements Cond {}

  /** {@code l || r}. */
  public record Or(Cond left, Cond right) implements Cond {}

  /** {@code !c}. */
  public record Not(Cond operand) implements Cond {}

  /** A statement. */
  public sealed interface Stmt
      permits Decl, ExprStmt, If, For, While, Break, Continue, Return, ThrowGuard, AssertSelf, Block, Switch {}

  /** {@code type name = init;} or, with a null init, {@code type name;}. */
  public record Decl(Type type, String name, Expr init) implements Stmt {}

  /** An expression statement (an assignment or a call). */
  public record ExprStmt(Expr expr) implements Stmt {}

  /** {@code if (cond) then else otherwise}; otherwise may be null. */
  public record If(Cond cond, Block then, Block otherwise) implements Stmt {}

  /** {@code label: for (int var = 0; var < bound; var++) body}; label may be null. */
  public record For(String label, String var, Expr bound, Block body) implements Stmt {}

  /**
   * {@code int counter = 0; label: while (counter < limit && cond) { counter++; body }}: the counter
   * guard keeps every loop finite whatever the shrinker does to cond and body. cond may be null.
   * With {@code doWhile} it prints as {@code do { counter++; body } while (counter < limit && cond);}, with
   * {@code guardInBody} as {@code while (cond) { counter++; if (counter > limit) { break; } body }}.
   */
  public record While(String label, String counter, int limit, Cond cond, Block body, boolean doWhile,
      boolean guardInBody) implements Stmt {}

  /** {@code break label;} (label may be null). */
  public record Break(String label) implements Stmt {}

  /** {@code continue label;} (label may be null). */
  public record Continue(String label) implements Stmt {}

  /** {@code return value;}. */
  public record Return(Expr value) implements Stmt {}

  /** {@code if (n < 0) throw new IllegalArgumentException("n " + n);}: passive. */
  public record ThrowGuard(String intVar) implements Stmt {}

  /** {@code assert x == x;}: passive. */
  public record AssertSelf(String var) implements Stmt {}

  /**
   * {@code switch (selector) { case l1, l2 -> { arm } ... default -> { otherwise } }} on an int selector; otherwise
   * may be null (no default arm).
   */
  public record Switch(Expr selector, List<List<Integer>> labels, List<Block> arms, Block otherwise) implements Stmt {}

  /** {@code { stmts }}. */
  public record Block(List<Stmt> stmts) implements Stmt {}

  /** A parameter. */
  public record Param(Type type, String name) {}

  /**
   * A method: its name, parameters, body, and the parameter its {@code @Differentiable(wrt = ...)} names
   * (null: every parameter).
   */
  public record Method(String name, List<Param> params, Block body, String wrt) {
    /** A method differentiable in every parameter. */
    public Method(String name, List<Param> params, Block body) {
      this(name, params, body, null);
    }
  }

  /**
   * A program: one class with a main {@code @Differentiable} method and an optional helper that
   * the main method may call. Tensor parameters have the given shapes (by parameter name).
   */
  public record Program(String className, Kind kind, Method main, Method helper,
      java.util.Map<String, int[]> shapes) {}
}
