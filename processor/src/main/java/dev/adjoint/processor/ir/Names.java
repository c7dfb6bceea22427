package dev.adjoint.processor.ir;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Allocates the generated names of one function: adjoints {@code dW}, gradient holders
 * {@code gMul1}, callee pullbacks {@code pModel1}; a clash with a user's name gets a trailing
 * {@code _} (as JavaPoet's {@code NameAllocator} does). Deterministic: same input, same names.
 */
public final class Names {
  private final Set<String> used = new HashSet<>();
  private final Map<String, String> derived = new HashMap<>();

  /** Reserves the names of the generated scaffolding and every primal name. */
  public Names(Iterable<String> taken) {
    for (String n : taken) {
      used.add(n);
    }
    for (String n : new String[] {"self", "dOut", "value", "pullback", "grad", "noGrad", "gradient"}) {
      used.add(n);
    }
  }

  /** Reserves a name (a primal variable). */
  public void reserve(String name) {
    used.add(name);
  }

  /** Whether the name is taken. */
  public boolean isUsed(String name) {
    return used.contains(name);
  }

  /** The adjoint of {@code var}: {@code w → dW}, {@code tU → dTU}, {@code mul1 → dMul1}. */
  public String adjoint(String var) {
    return derive("d", var);
  }

  /** The tangent of {@code var} in forward mode: {@code x → tX}, {@code mul1 → tMul1}. */
  public String tangent(String var) {
    return derive("t", var);
  }

  /** The {@code Jvp} record of the call of another method that produced {@code var} (forward mode). */
  public String jvp(String var) {
    return derive("jvp", var);
  }

  /** The {@code Grads} holder of the rule applied to produce {@code var}. */
  public String grads(String var) {
    return derive("g", var);
  }

  /** The Hessian-vector product of the call that produced {@code var} ({@code fHvp} through calls). */
  public String hvp(String var) {
    return derive("h", var);
  }

  /** The pullback of the call that produced {@code var}. */
  public String pullback(String var) {
    return derive("p", var);
  }

  /**
   * A fresh name {@code base0}, {@code base1}, ... for a generated record such as {@code branch0} or
   * {@code trips0}; the same {@code key} (compared by identity) always gets the same name.
   */
  public String fresh(String base, Object key) {
    return fresh.computeIfAbsent(key, k -> {
      int i = 0;
      while (used.contains(base + i)) {
        i++;
      }
      used.add(base + i);
      return base + i;
    });
  }

  private final Map<Object, String> fresh = new java.util.IdentityHashMap<>();

  /** {@code saved<Var>} for the stack of values of {@code var} that the forward overwrites. */
  public String saved(String var) {
    return derive("saved", var);
  }

  private String derive(String prefix, String var) {
    return derived.computeIfAbsent(prefix + ":" + var, k -> {
      String base = prefix + Character.toUpperCase(var.charAt(0)) + var.substring(1);
      String n = base;
      while (used.contains(n)) {
        n = n + "_";
      }
      used.add(n);
      return n;
    });
  }

  /** {@code tU → TU}. */
  public static String capitalize(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
