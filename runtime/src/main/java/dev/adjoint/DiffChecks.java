package dev.adjoint;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs and supports the derivative checks the annotation processor writes with {@code -Aadjoint.checks=true}:
 * one {@code <Class>DiffChecks} per class with one static method per {@code @Differentiable} method, which
 * draws seeded random inputs (see {@link dev.adjoint.annotation.Domain}) and directions and checks the
 * generated JVP against central differences of the user's own method and against the generated pullback by
 * the dot-product test ⟨J·v, w⟩ = ⟨v, Jᵀ·w⟩. A user's test suite runs them in one line:
 * <pre>{@code @Test void derivatives() { DiffChecks.assertAll(MyModelDiffChecks.class); }}</pre>
 * No test framework is needed: a failure is an {@link AssertionError}.
 */
public final class DiffChecks {
  private DiffChecks() {}

  /**
   * Runs every check of a generated {@code <Class>DiffChecks} class and throws one {@link AssertionError}
   * listing each that failed (or when the class has none).
   */
  public static void assertAll(Class<?> checks) {
    List<String> failures = new ArrayList<>();
    int ran = 0;
    for (Method m : checks.getMethods()) {
      if (!Modifier.isStatic(m.getModifiers()) || m.getParameterCount() != 0 || m.getReturnType() != void.class) {
        continue;
      }
      ran++;
      try {
        m.invoke(null);
      } catch (InvocationTargetException e) {
        failures.add(m.getName() + ": " + e.getCause());
      } catch (IllegalAccessException e) {
        failures.add(m.getName() + ": " + e);
      }
    }
    if (ran == 0) {
      throw new AssertionError(checks.getName() + " has no derivative checks");
    }
    if (!failures.isEmpty()) {
      throw new AssertionError(failures.size() + " of " + ran + " derivative checks of " + checks.getSimpleName()
          + " failed:\n  " + String.join("\n  ", failures));
    }
  }

  /** A number uniform in {@code [min, max]}. */
  public static double uniform(Generator g, double min, double max) {
    return min + (max - min) * Tensor.rand(g, 1).item();
  }

  /** A float32 tensor of {@code shape}, uniform in {@code [min, max]}. */
  public static Tensor uniform(Generator g, double min, double max, int... shape) {
    return Tensor.rand(g, shape).mul(max - min).add(min);
  }

  /**
   * A tensor of {@code shape} and {@code dtype} ({@code FLOAT32}, drawn as {@link #uniform(Generator, double,
   * double, int...)}, or {@code FLOAT64}, 53 random bits per element), uniform in {@code [min, max]}.
   */
  public static Tensor uniform(Generator g, double min, double max, Tensor.DType dtype, int... shape) {
    return switch (dtype) {
      case FLOAT32 -> uniform(g, min, max, shape);
      case FLOAT64 -> Tensor.rand(g, shape, dtype).mul(max - min).add(min);
      default -> throw new IllegalArgumentException("DiffChecks.uniform: @Domain(dtype = " + dtype + "): derivative"
          + " checks draw FLOAT32 or FLOAT64 tensors");
    };
  }

  /**
   * The dtype in which a method computes, from its value at float32 inputs: {@code FLOAT64} when that value is a
   * float64 tensor (its constants are float64 and promote the result), else {@code FLOAT32}. The generated checks
   * then draw the tensors whose {@code @Domain} gives no dtype in it.
   */
  public static Tensor.DType dtypeOf(Object value) {
    return value instanceof Tensor t && t.dtype() == Tensor.DType.FLOAT64 ? Tensor.DType.FLOAT64
        : Tensor.DType.FLOAT32;
  }

  /**
   * Whether a check runs in float64 (step 1e-6 and tolerances as for {@code double} code) rather than float32: the
   * method's value is a float64 tensor, or a number computed from tensor inputs that are all float64.
   */
  public static boolean isFloat64(Object value, Object... inputs) {
    if (value instanceof Tensor t) {
      return t.dtype() == Tensor.DType.FLOAT64;
    }
    boolean any = false;
    for (Object in : inputs) {
      if (in instanceof Tensor t) {
        if (t.dtype() != Tensor.DType.FLOAT64) {
          return false;
        }
        any = true;
      }
    }
    return any;
  }

  /**
   * The failure of a check whose method (or its generated derivative) threw while some tensor parameters were
   * drawn with the default shape [3]: most often the method needs another shape (a matrix), which
   * {@code @Domain(shape = ...)} declares. The message names the method, the exception and those parameters.
   */
  public static AssertionError failedAtDefaultShape(String method, RuntimeException e, String... parameters) {
    String which = String.join(", ", Arrays.stream(parameters).map(p -> "'" + p + "'").toList());
    return new AssertionError(method + ": " + e + "\n    inputs drawn with shape [3], the default (" + which
        + (parameters.length == 1 ? " has" : " have") + " no @Domain(shape = ...)); declare @Domain(shape = ...)"
        + " with the shapes the method expects", e);
  }

  /** A standard normal direction for a {@code double}. */
  public static double normalLike(Generator g, double like) {
    return Tensor.randn(g, 1).item();
  }

  /** A standard normal direction for a {@code float}. */
  public static float normalLike(Generator g, float like) {
    return Tensor.randn(g, 1).item();
  }

  /** A standard normal direction of {@code like}'s shape and dtype (float32 unless {@code like} is float64). */
  public static Tensor normalLike(Generator g, Tensor like) {
    return like.dtype() == Tensor.DType.FLOAT64 ? Tensor.randn(g, like.shape(), Tensor.DType.FLOAT64)
        : Tensor.randn(g, like.shape());
  }

  /** {@code x + h·v}. */
  public static double shift(double x, double v, double h) {
    return x + h * v;
  }

  /** {@code x + h·v} in float. */
  public static float shift(float x, float v, double h) {
    return (float) (x + h * v);
  }

  /** {@code x + h·v}. */
  public static Tensor shift(Tensor x, Tensor v, double h) {
    try (var noGrad = Autograd.noGrad()) {
      return x.add(v.mul(h));
    }
  }

  /** ⟨a, b⟩ of numbers or tensors of one shape; a {@code null} (a zero gradient) gives 0. */
  public static double dot(Object a, Object b) {
    if (a == null || b == null) {
      return 0;
    }
    double[] x = values(a);
    double[] y = values(b);
    if (x.length != y.length) {
      throw new AssertionError("the tangent has shape " + shape(a) + " but the gradient paired with it has shape "
          + shape(b) + ": a VJP must return a gradient of its input's shape (sum a broadcast gradient over the"
          + " broadcast dimensions)");
    }
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      s += x[i] * y[i];
    }
    return s;
  }

  /**
   * One check: the JVP's tangent against the central difference {@code (plus - minus) / 2h} of the user's
   * method (elementwise, relative {@code fdTol}), and ⟨tangent, w⟩ against {@code vjtw} = ⟨v, Jᵀ·w⟩ (relative
   * {@code dotTol}).
   */
  public static void check(String method, int trial, Object tangent, Object plus, Object minus, double h, Object w,
      double vjtw, double fdTol, double dotTol) {
    double[] t = values(tangent);
    double[] p = values(plus);
    double[] m = values(minus);
    for (int i = 0; i < t.length; i++) {
      if (!Double.isFinite(p[i]) || !Double.isFinite(m[i])) {
        throw new AssertionError(method + " (trial " + trial + "): the method itself is " + (Double.isFinite(p[i])
            ? m[i] : p[i]) + (t.length > 1 ? " at element " + i : "") + " next to the drawn point (±" + h
            + " along the direction), so the function is undefined there and its derivative cannot be checked;"
            + " declare @Domain(min = ..., max = ...) on its parameters to draw where it is defined");
      }
      double fd = (p[i] - m[i]) / (2 * h);
      if (!(Math.abs(t[i] - fd) <= fdTol * Math.max(1, Math.abs(fd)))) {
        throw new AssertionError(method + " (trial " + trial + "): the JVP gives " + t[i] + (t.length > 1
            ? " at element " + i : "") + " but central differences give " + fd
            + ", so the derivative rule it uses is wrong (or the method is not smooth here: declare @Domain)");
      }
    }
    double jvw = dot(tangent, w);
    if (!(Math.abs(jvw - vjtw) <= dotTol * Math.max(1, Math.abs(jvw) + Math.abs(vjtw)))) {
      throw new AssertionError(method + " (trial " + trial + "): <J v, w> = " + jvw + " but <v, J^T w> = " + vjtw
          + ", so the JVP and the VJP disagree");
    }
  }

  /**
   * ⟨tangent, gradient⟩ for a {@code @Derivative} VJP's gradient: one of a shape its input broadcasts to is first
   * summed to the input's shape, as the engine and the generated code sum it ({@code Adjoints.fromRule}); any other
   * shape fails naming the rule and the parameter.
   */
  public static double ruleDot(Object tangent, Object gradient, String rule, String param) {
    if (tangent instanceof Tensor t && gradient instanceof Tensor g) {
      try (var noGrad = Autograd.noGrad()) {
        return dot(t, dev.adjoint.autograd.Adjoints.fromRule(g, t, rule, param, "the generated check"));
      } catch (IllegalStateException e) {
        throw new AssertionError(e.getMessage(), e);
      }
    }
    return dot(tangent, gradient);
  }


  /** Whether the generated {@code fHvp} applies: a number, or a tensor of one element. */
  public static boolean oneElement(Object value) {
    return !(value instanceof Tensor t) || t.numel() == 1;
  }

  /**
   * The second-order check: each component of the generated {@code fHvp}, H·v, against the central difference
   * {@code (plus - minus) / 2h} of the generated gradient along v (elementwise, relative {@code tol}); a
   * {@code null} component is zero. It catches a wrong second-order rule, which the JVP and the dot-product test
   * never call.
   *
   * @param names the parameters, one per component
   */
  public static void checkHvp(String method, int trial, double h, String[] names, Object[] hvp, Object[] plus,
      Object[] minus, double tol) {
    for (int c = 0; c < names.length; c++) {
      double[] p = plus[c] == null ? null : values(plus[c]);
      double[] m = minus[c] == null ? null : values(minus[c]);
      double[] v = hvp[c] == null ? null : values(hvp[c]);
      int n = v != null ? v.length : p != null ? p.length : m != null ? m.length : 0;
      for (int i = 0; i < n; i++) {
        double fd = ((p == null ? 0 : p[i]) - (m == null ? 0 : m[i])) / (2 * h);
        double got = v == null ? 0 : v[i];
        if (!Double.isFinite(fd)) {
          continue; // the gradient is undefined next to the point: the first-order check says so
        }
        if (!(Math.abs(got - fd) <= tol * Math.max(1, Math.abs(fd)))) {
          throw new AssertionError(method + " (trial " + trial + "): the Hessian-vector product gives " + got
              + " for " + names[c] + (n > 1 ? " at element " + i : "") + " but central differences of the"
              + " gradient give " + fd + ", so a second-order rule it uses (a row's, or a user's <vjp>Jvp) is wrong"
              + " (or the method is not twice differentiable here: declare @Domain)");
        }
      }
    }
  }

  private static String shape(Object o) {
    return o instanceof Tensor t ? Arrays.toString(t.shape()) : "[] (a number)";
  }

  private static double[] values(Object o) {
    if (o instanceof Number n) {
      return new double[] {n.doubleValue()};
    }
    if (o instanceof Tensor t) {
      return t.toDoubleArray(); // exact for float32 and float64
    }
    throw new AssertionError("not a number or a tensor: " + (o == null ? "null" : o.getClass()) + " "
        + Arrays.toString(new Object[] {o}));
  }
}
