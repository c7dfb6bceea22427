package dev.adjoint.processor.fuzz;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/** A switch for each construct the generator can emit; a program only uses enabled features. */
public enum Feature {
  DOUBLE_METHODS,
  FLOAT_METHODS,
  TENSOR_METHODS,
  /** A passive {@code int n} parameter (loop bounds, comparisons, operands). */
  INT_PARAM,
  IF_ELSE,
  ELSE_IF,
  FOR_LOOPS,
  NESTED_LOOPS,
  WHILE_LOOPS,
  DO_WHILE,
  BREAK,
  CONTINUE,
  LABELLED_EXITS,
  EARLY_RETURN,
  /** More than one early return in a method. */
  SEVERAL_EARLY_RETURNS,
  RETURN_IN_LOOP,
  COMPOUND_ASSIGN,
  REASSIGN,
  ASSIGN_PARAMS,
  /** {@code double y; if (c) y = a; else y = b;}. */
  DECL_WITHOUT_INIT,
  /** {@code a = b = x} and assignments inside expressions. */
  ASSIGN_AS_VALUE,
  /** An assignment as an operand inside an arithmetic expression: {@code y + (y = 1.0)}. */
  ASSIGN_IN_EXPRESSION,
  /** {@code while ((y = y * 0.5) > 1) { k++; if (k > 3) { break; } ... }}. */
  ASSIGN_IN_CONDITION,
  /** {@code while (k < 3 && (y = y * 0.5) > 1)}: the assignment is skipped once the guard fails. */
  ASSIGN_IN_GUARDED_CONDITION,
  /** An assignment as an operand of {@code &&} or {@code ||}. */
  ASSIGN_IN_AND_OR,
  /** {@code x = x;}. */
  SELF_ASSIGN,
  TERNARY_INT,
  TERNARY_REAL,
  /** {@code i * x}, {@code n + x}. */
  INT_OPERANDS,
  /** {@code (double) i}. */
  CASTS,
  /** {@code -(-2.0)}, {@code - -x}. */
  NEGATION,
  UNARY_PLUS,
  MATH_FUNCTIONS,
  MIN_MAX,
  /** {@code Math.abs}, {@code max}, {@code min} in float programs (they return float). */
  FLOAT_ABS_MAX_MIN,
  /** Division by {@code (1 + x * x)}. */
  DIVISION,
  /**
   * Some programs are straight-line code (no branches, loops, ternaries or early returns): their
   * {@code fGrad} is the direct, tape-free form, seeded with a literal one.
   */
  STRAIGHT_LINE,
  /** Division by an int literal, {@code x * x / 2}: the adjoint must not become the int division {@code 1 / 2}. */
  DIVISION_BY_INT,
  /** A second {@code @Differentiable} method called from the main one. */
  HELPER_CALLS,
  /** Helper calls in tensor programs. */
  TENSOR_HELPER_CALLS,
  /**
   * A variable holding the helper's result assigned again, or the result assigned to a variable that
   * already has a value: {@code x = h(x)}, {@code double v = h(x); ... v = 2;}.
   */
  HELPER_RESULT_REASSIGNED,
  /** Calls of the helper inside loops. */
  HELPER_IN_LOOPS,
  /** Calls of the helper whose arguments do not depend on the inputs. */
  CONSTANT_ARG_CALLS,
  /** {@code if (n < 0) throw new IllegalArgumentException("n " + n);}. */
  THROW_GUARD,
  /** {@code assert x == x;}. */
  ASSERT,
  /** A nested block statement {@code { ... }}. */
  NESTED_BLOCKS,
  /** Local names the processor may also use for its own variables ({@code result}, {@code dX}, ...). */
  NAME_CLASHES,
  /** A loop variable or local name reused in sibling scopes. */
  SIBLING_NAMES,
  IN_PLACE_TENSOR,
  /**
   * A local changed in place again in later statements, inside loops, branches and switch arms:
   * {@code Tensor acc = x.mul(0.5); for (...) { acc.add_(x.sin()); }}.
   */
  IN_PLACE_LATER,
  BROADCASTING,
  /** {@code if (t.sum().item() > 0)}. */
  TENSOR_ITEM_CONDITIONS,
  /** {@code Pair r = new Pair(a, b);} then {@code r.first()}, {@code r.second()}: values carried in a record. */
  RECORDS,
  /**
   * {@code List<Tensor> parts = t.unbind(0);} (or {@code chunk}, {@code split}) then {@code parts.get(k)} and
   * {@code parts.size()}.
   */
  LIST_PIECES,
  /** A helper declared {@code @Differentiable(wrt = "a")}, its other argument a constant. */
  WRT_HELPER,
  /** {@code switch (i) { case 0 -> {...} case 1, 2 -> {...} default -> {...} }} on an int. */
  SWITCH,
  /**
   * Tensor operations beyond the elementwise ones: views ({@code t()}, {@code reshape}, {@code narrow},
   * {@code select}, {@code permute}, {@code expand}), reductions kept as dimensions ({@code mean(1, true)},
   * {@code logsumexp}, {@code amax}, {@code std}), {@code matmul}, {@code cumsum}, {@code flip}, {@code roll},
   * {@code cat}, {@code stack}, {@code where}, {@code clamp}, {@code maximum}, a tensor exponent, and the
   * activations of {@code F}.
   */
  SHAPE_OPS;

  /** Every feature. */
  public static Set<Feature> all() {
    return EnumSet.allOf(Feature.class);
  }

  /**
   * The features switched off in the CI seed set, each with the processor bug it hits (FUZZ-FINDINGS.md
   * has the shrunk programs). Remove an entry once its bug is fixed.
   */
  public static Map<Feature, String> offInCi() {
    Map<Feature, String> off = new EnumMap<>(Feature.class);
    return off;
  }

  /**
   * The features chosen by system properties: {@code adjoint.fuzz.features} is {@code ci} (the default) or
   * {@code all}; {@code adjoint.fuzz.on} and {@code adjoint.fuzz.off} list features to switch on or off
   * besides, comma-separated.
   */
  public static Set<Feature> fromProperties() {
    Set<Feature> on = "all".equals(System.getProperty("adjoint.fuzz.features")) ? all() : ci();
    for (String name : System.getProperty("adjoint.fuzz.on", "").split(",")) {
      if (!name.isBlank()) {
        on.add(valueOf(name.strip()));
      }
    }
    for (String name : System.getProperty("adjoint.fuzz.off", "").split(",")) {
      if (!name.isBlank()) {
        on.remove(valueOf(name.strip()));
      }
    }
    return on;
  }

  /** The features of the CI seed set: all but {@link #offInCi()}. */
  public static Set<Feature> ci() {
    Set<Feature> on = all();
    on.removeAll(offInCi().keySet());
    return on;
  }
}
