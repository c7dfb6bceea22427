package dev.adjoint.processor.fuzz;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import dev.adjoint.processor.fuzz.Ast.Param;
import dev.adjoint.processor.fuzz.Ast.Program;
import dev.adjoint.processor.fuzz.Ast.Type;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Runs a compiled program against oracles that share no code with the processor: the user's method
 * itself (values), its dual-number copy (exact forward-mode gradients), central differences, and for
 * tensors eager autograd and the generated tracked forward.
 */
final class Oracles {
  /** Input points per program. */
  static final int POINTS = 3;
  static final double DOUBLE_VALUE_TOL = 1e-12;
  static final double FLOAT_VALUE_TOL = 1e-5;
  static final double DUAL_TOL = 1e-9;
  static final double FLOAT_DUAL_TOL = 1e-3;
  static final double FD_TOL = 1e-5;
  static final double TENSOR_TOL = 1e-5;
  /** Whether fHvp is checked ({@code -Dadjoint.fuzz.hvp=false} switches it off, to time the fuzzer without it). */
  static final boolean CHECK_HVP = !"false".equals(System.getProperty("adjoint.fuzz.hvp"));
  /** fHvp against central differences of the generated gradient (float64, step 1e-5). */
  static final double HVP_TOL = 1e-5;
  /** ⟨H·u, w⟩ against ⟨u, H·w⟩, relative to ‖H·u‖‖w‖ + ‖u‖‖H·w‖. */
  static final double SYMMETRY_TOL = 1e-9;
  /** Values beyond this are skipped: they make every tolerance meaningless. */
  static final double HUGE = 1e8;

  /** Counts what happened, for the summary. */
  static final class Stats {
    int points;
    int skippedPoints;
    int notBitIdentical;
    int floatNotBitIdentical;
    /** fJvp results checked against the dual numbers (issue 16). */
    int jvps;
    /** fHvp results checked against central differences of the generated gradient and for symmetry (issue 16). */
    int hvps;
    /**
     * Scalar fHvp checked of programs whose main method calls the helper: forward over the generated gradient composed
     * through the helper's own fHvp (issue 16, session 11).
     */
    int hvpsThroughCalls;
    /** Tensor fHvp checked that are generated code (forward over the generated gradient, loops included). */
    int hvpsGenerated;
    /** Tensor fHvp checked that are the eager engine's double backward ({@code Hvps.byDoubleBackward}). */
    int hvpsEager;
    /** fHvp checks skipped: central differences of the gradient that disagree between two steps (kinks). */
    int hvpFdSkipped;
    /** Tensor fHvp checks skipped: the method does not run in float64. */
    int hvpSkipped;
    /** Tensor fHvp checks in float32 (the method does not run in float64: item() on float64 throws). */
    int hvpFloat32;
    /** The process's CPU time over the run (set by the fuzzer). */
    double cpuSeconds;
    /** Why, by message. */
    final java.util.Map<String, Integer> hvpSkipReasons = new java.util.TreeMap<>();
    /**
     * Tensor fHvp checked for symmetry only: the program detaches a tensor, so its gradient is not the derivative of
     * its value and central differences of the gradient are no oracle for the tangent of the gradient.
     */
    int hvpSymmetryOnly;
    int fdSkipped;
    int nonFiniteGradients;
    final java.util.Map<String, Integer> plainThrew = new java.util.TreeMap<>();

    /**
     * Counts a point whose plain value is {@code value}: true (a point) where it can be compared, false (a
     * skipped point) where it is not finite or beyond {@link #HUGE}.
     */
    boolean counted(double value) {
      if (!Double.isFinite(value) || Math.abs(value) > HUGE) {
        skippedPoints++;
        return false;
      }
      points++;
      return true;
    }

    void threw(Throwable t) {
      skippedPoints++;
      plainThrew.merge(t.getClass().getSimpleName() + ": " + t.getMessage(), 1, Integer::sum);
    }
  }

  private final Program program;
  private final Class<?> user;
  private final Class<?> diff;
  private final Random rnd;
  private final Stats stats;

  private Oracles(Program program, ClassLoader loader, long seed, Stats stats) throws ClassNotFoundException {
    this.program = program;
    this.user = loader.loadClass(Printer.PACKAGE + "." + program.className());
    this.diff = loader.loadClass(Printer.PACKAGE + "." + program.className() + "Diff");
    this.rnd = new Random(seed);
    this.stats = stats;
  }

  /** The first failure of the program, or null if every oracle agrees. */
  static Failure check(Program program, ClassLoader loader, long seed, Stats stats) {
    try {
      Oracles o = new Oracles(program, loader, seed, stats);
      return program.kind() == Ast.Kind.TENSOR ? o.checkTensor() : o.checkScalar();
    } catch (ClassNotFoundException e) {
      return new Failure(Failure.Kind.GENERATED_DOES_NOT_COMPILE, "missing class", e.toString());
    } catch (ReflectiveOperationException e) {
      return new Failure(Failure.Kind.RUNTIME_EXCEPTION, "reflection", e.toString());
    }
  }

  // ---------------------------------------------------------------- double and float

  private Failure checkScalar() throws ReflectiveOperationException {
    boolean f32 = program.kind() == Ast.Kind.FLOAT;
    List<Param> params = program.main().params();
    Method plain = method(user, "f");
    Method dual = method(user, "fDual");
    Method valueAndGrad = method(diff, "fValueAndGrad");
    Method grad = findMethod(diff, "fGrad");
    Method jvp = findMethod(diff, "fJvp");
    Method hvp = findMethod(diff, "fHvp");
    for (int point = 0; point < POINTS; point++) {
      Object[] args = scalarInputs(params, f32);
      double value;
      try {
        value = ((Number) plain.invoke(null, args)).doubleValue();
      } catch (InvocationTargetException e) {
        stats.threw(e.getCause());
        continue;
      }
      if (!stats.counted(value)) {
        continue;
      }
      Object vg;
      try {
        vg = valueAndGrad.invoke(null, args);
      } catch (InvocationTargetException e) {
        return thrown("fValueAndGrad", e, args);
      }
      double generated = ((Number) accessor(vg, "value")).doubleValue();
      Failure f = compareValue(value, generated, f32, "fValueAndGrad", args);
      if (f != null) {
        return f;
      }
      Object gradient = accessor(vg, "gradient");
      Object fGradient = null;
      if (grad != null) {
        try {
          fGradient = grad.invoke(null, args);
        } catch (InvocationTargetException e) {
          return thrown("fGrad", e, args);
        }
      }
      for (int i = 0; i < params.size(); i++) {
        Param p = params.get(i);
        if (p.type() != Type.REAL) {
          continue;
        }
        Object component = component(gradient, p.name());
        if (component == null) {
          return new Failure(Failure.Kind.WRONG_GRADIENT, "missing component",
              "FGradient has no component " + p.name() + ": " + gradient);
        }
        double g = ((Number) component).doubleValue();
        if (fGradient != null) {
          double g2 = ((Number) component(fGradient, p.name())).doubleValue();
          if (!close(g, g2, f32 ? FLOAT_DUAL_TOL : DUAL_TOL)) {
            return new Failure(Failure.Kind.WRONG_GRADIENT, "fGrad vs fValueAndGrad",
                "d/d" + p.name() + ": fGrad " + g2 + ", fValueAndGrad " + g + at(args));
          }
        }
        Dual d = dual(dual, args, i, f32);
        if (d == null || d.v != value) {
          return new Failure(Failure.Kind.INVALID_PROGRAM, "dual copy",
              "dual value " + (d == null ? "threw" : d.v) + " vs plain " + value + at(args));
        }
        if (!Double.isFinite(d.t) || Math.abs(d.t) > HUGE) {
          continue;
        }
        if (!close(g, d.t, f32 ? FLOAT_DUAL_TOL : DUAL_TOL)) {
          return new Failure(Failure.Kind.WRONG_GRADIENT, "dual numbers",
              "d/d" + p.name() + ": generated " + g + ", dual numbers " + d.t + at(args));
        }
        // forward mode: fJvp along the i-th unit direction is the same derivative (issue 16)
        if (jvp != null && jvp.getParameterCount() == args.length + reals(params)) {
          Object[] jargs = java.util.Arrays.copyOf(args, jvp.getParameterCount());
          int k = args.length;
          for (int j = 0; j < params.size(); j++) {
            if (params.get(j).type() == Type.REAL) {
              double unit = j == i ? 1 : 0;
              jargs[k++] = f32 ? (Object) (float) unit : (Object) unit;
            }
          }
          Object r;
          try {
            r = jvp.invoke(null, jargs);
          } catch (InvocationTargetException e) {
            return thrown("fJvp", e, args);
          }
          Failure fv = compareValue(value, ((Number) accessor(r, "value")).doubleValue(), f32, "fJvp", args);
          if (fv != null) {
            return fv;
          }
          double t = ((Number) accessor(r, "tangent")).doubleValue();
          if (!close(t, d.t, f32 ? FLOAT_DUAL_TOL : DUAL_TOL)) {
            return new Failure(Failure.Kind.WRONG_GRADIENT, "fJvp vs dual numbers",
                "d/d" + p.name() + ": fJvp " + t + ", dual numbers " + d.t + at(args));
          }
          stats.jvps++;
        }
        if (!f32) {
          Failure fd = finiteDifference(plain, args, i, g, p.name());
          if (fd != null) {
            return fd;
          }
        }
      }
      if (CHECK_HVP && !f32 && hvp != null && hvp.getParameterCount() == args.length + reals(params)) {
        Failure h = checkScalarHvp(hvp, valueAndGrad, args, params);
        if (h != null) {
          return h;
        }
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- Hessian-vector products (issue 16)

  /**
   * The generated {@code fHvp} (forward over the generated gradient) at {@code args} along two random directions
   * u and w: {@code H·u} against central differences of the generated gradient along u, and
   * {@code ⟨H·u, w⟩ = ⟨u, H·w⟩} (the Hessian is symmetric).
   */
  private Failure checkScalarHvp(Method hvp, Method valueAndGrad, Object[] args, List<Param> params)
      throws ReflectiveOperationException {
    List<Integer> reals = new ArrayList<>();
    for (int i = 0; i < params.size(); i++) {
      if (params.get(i).type() == Type.REAL) {
        reals.add(i);
      }
    }
    double[] u = new double[reals.size()];
    double[] w = new double[reals.size()];
    for (int k = 0; k < u.length; k++) {
      u[k] = rnd.nextDouble() * 2 - 1;
      w[k] = rnd.nextDouble() * 2 - 1;
    }
    double[] hu;
    double[] hw;
    try {
      hu = scalarComponents(hvp.invoke(null, hvpArgs(args, u)), reals, params);
      hw = scalarComponents(hvp.invoke(null, hvpArgs(args, w)), reals, params);
    } catch (InvocationTargetException e) {
      return thrown("fHvp", e, args);
    }
    double[] fd1 = gradientDifference(valueAndGrad, args, reals, params, u, 1e-5);
    double[] fd2 = gradientDifference(valueAndGrad, args, reals, params, u, 1e-4);
    if (fd1 == null || fd2 == null) {
      stats.hvpFdSkipped++;
      return null;
    }
    for (int k = 0; k < u.length; k++) {
      if (!Double.isFinite(hu[k]) || Math.abs(hu[k]) > HUGE) {
        stats.hvpFdSkipped++;
        return null;
      }
      if (!Double.isFinite(fd1[k]) || !close(fd1[k], fd2[k], 1e-4)) {
        stats.hvpFdSkipped++;
        return null;
      }
    }
    for (int k = 0; k < u.length; k++) {
      if (!close(hu[k], fd1[k], HVP_TOL)) {
        return new Failure(Failure.Kind.WRONG_GRADIENT, "fHvp vs central differences of the gradient",
            "(H·u)_" + params.get(reals.get(k)).name() + ": fHvp " + hu[k] + ", central differences " + fd1[k]
                + " (h=1e-4: " + fd2[k] + "), u = " + java.util.Arrays.toString(u) + at(args));
      }
    }
    Failure sym = symmetric(dot(hu, w), dot(u, hw), norm(hu) * norm(w) + norm(u) * norm(hw), u, w, args);
    if (sym != null) {
      return sym;
    }
    stats.hvps++;
    if (program.helper() != null && program.main().body().toString().contains("HelperCall[")) {
      stats.hvpsThroughCalls++;
    }
    return null;
  }

  private static Object[] hvpArgs(Object[] args, double[] direction) {
    Object[] out = java.util.Arrays.copyOf(args, args.length + direction.length);
    for (int k = 0; k < direction.length; k++) {
      out[args.length + k] = direction[k];
    }
    return out;
  }

  private static double[] scalarComponents(Object gradient, List<Integer> reals, List<Param> params)
      throws ReflectiveOperationException {
    double[] out = new double[reals.size()];
    for (int k = 0; k < out.length; k++) {
      Object c = component(gradient, params.get(reals.get(k)).name());
      out[k] = c == null ? 0 : ((Number) c).doubleValue();
    }
    return out;
  }

  /** (∇f(x + h·u) − ∇f(x − h·u)) / 2h from the generated gradient, or null if it threw or is not finite. */
  private static double[] gradientDifference(Method valueAndGrad, Object[] args, List<Integer> reals,
      List<Param> params, double[] u, double h) throws ReflectiveOperationException {
    Object[] up = args.clone();
    Object[] down = args.clone();
    for (int k = 0; k < u.length; k++) {
      int i = reals.get(k);
      up[i] = (Double) args[i] + h * u[k];
      down[i] = (Double) args[i] - h * u[k];
    }
    double[] a;
    double[] b;
    try {
      a = scalarComponents(accessor(valueAndGrad.invoke(null, up), "gradient"), reals, params);
      b = scalarComponents(accessor(valueAndGrad.invoke(null, down), "gradient"), reals, params);
    } catch (InvocationTargetException e) {
      return null;
    }
    double[] out = new double[a.length];
    for (int k = 0; k < out.length; k++) {
      out[k] = (a[k] - b[k]) / (2 * h);
    }
    return out;
  }

  private static Failure symmetric(double huW, double uHw, double scale, double[] u, double[] w, Object[] args) {
    if (Math.abs(huW - uHw) <= SYMMETRY_TOL * Math.max(1, scale)) {
      return null;
    }
    return new Failure(Failure.Kind.WRONG_GRADIENT, "fHvp symmetry",
        "<H·u, w> = " + huW + " but <u, H·w> = " + uHw + ", u = " + java.util.Arrays.toString(u) + ", w = "
            + java.util.Arrays.toString(w) + at(args));
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int k = 0; k < a.length; k++) {
      s += a[k] * b[k];
    }
    return s;
  }

  private static double norm(double[] a) {
    return Math.sqrt(dot(a, a));
  }

  private static int reals(List<Param> params) {
    return (int) params.stream().filter(p -> p.type() == Type.REAL).count();
  }

  private Object[] scalarInputs(List<Param> params, boolean f32) {
    Object[] args = new Object[params.size()];
    for (int i = 0; i < args.length; i++) {
      if (params.get(i).type() == Type.INT) {
        args[i] = rnd.nextInt(4);
      } else {
        double v = Math.round((rnd.nextDouble() * 4 - 2) * 1e6) / 1e6 + 1e-7;
        args[i] = f32 ? (Object) (float) v : (Object) v;
      }
    }
    return args;
  }

  private Failure compareValue(double plain, double generated, boolean f32, String form, Object[] args) {
    if (plain == generated) {
      return null;
    }
    if (close(plain, generated, f32 ? FLOAT_VALUE_TOL : DOUBLE_VALUE_TOL)) {
      if (f32) {
        stats.floatNotBitIdentical++;
      } else {
        stats.notBitIdentical++;
      }
      return null;
    }
    return new Failure(Failure.Kind.WRONG_VALUE, form,
        form + " value " + generated + ", the method itself " + plain + at(args));
  }

  private Dual dual(Method dual, Object[] args, int seeded, boolean f32) throws IllegalAccessException {
    Object[] duals = new Object[args.length];
    for (int i = 0; i < args.length; i++) {
      if (args[i] instanceof Integer) {
        duals[i] = args[i];
      } else {
        double t = i == seeded ? 1 : 0;
        duals[i] = f32 ? Dual.seedF((Float) args[i], t) : Dual.seed((Double) args[i], t);
      }
    }
    try {
      return (Dual) dual.invoke(null, duals);
    } catch (InvocationTargetException e) {
      return null;
    }
  }

  private Failure finiteDifference(Method plain, Object[] args, int i, double g, String name)
      throws IllegalAccessException {
    double fd1 = central(plain, args, i, 1e-6);
    double fd2 = central(plain, args, i, 1e-5);
    if (!Double.isFinite(fd1) || !Double.isFinite(fd2) || !close(fd1, fd2, 1e-4)) {
      stats.fdSkipped++;
      return null;
    }
    if (!close(g, fd1, FD_TOL)) {
      return new Failure(Failure.Kind.WRONG_GRADIENT, "central differences",
          "d/d" + name + ": generated " + g + ", central differences " + fd1 + " (h=1e-5: " + fd2 + ")" + at(args));
    }
    return null;
  }

  private static double central(Method plain, Object[] args, int i, double h) throws IllegalAccessException {
    Object[] up = args.clone();
    Object[] down = args.clone();
    double x = (Double) args[i];
    up[i] = x + h;
    down[i] = x - h;
    try {
      double a = ((Number) plain.invoke(null, up)).doubleValue();
      double b = ((Number) plain.invoke(null, down)).doubleValue();
      return (a - b) / (2 * h);
    } catch (InvocationTargetException e) {
      return Double.NaN;
    }
  }

  // ---------------------------------------------------------------- tensors

  private Failure checkTensor() throws ReflectiveOperationException {
    List<Param> params = program.main().params();
    Method plain = method(user, "f");
    Method pullback = method(diff, "fPullback");
    Method valueAndGrad = method(diff, "fValueAndGrad");
    Method tracked = method(diff, "f");
    Method eager = method(user, "fEager");
    Method hvp = findMethod(diff, "fHvp");
    boolean hvpChecked = false;
    for (int point = 0; point < POINTS; point++) {
      Object[] args = tensorInputs(params);
      double value;
      try (var g = Autograd.noGrad()) {
        Tensor result = (Tensor) plain.invoke(null, copies(args, null));
        if (result.numel() != 1) {
          return new Failure(Failure.Kind.INVALID_PROGRAM, "result not scalar", "shape "
              + java.util.Arrays.toString(result.shape()));
        }
        value = result.item();
      } catch (InvocationTargetException e) {
        stats.threw(e.getCause());
        continue;
      }
      if (!stats.counted(value)) {
        continue;
      }
      // the generated value
      Object vg;
      double pulledValue;
      try {
        pulledValue = ((Tensor) accessor(pullback.invoke(null, copies(args, null)), "value")).item();
        vg = valueAndGrad.invoke(null, copies(args, null));
      } catch (InvocationTargetException e) {
        return thrown("fPullback/fValueAndGrad", e, args);
      }
      if (!close(value, pulledValue, TENSOR_TOL)) {
        return new Failure(Failure.Kind.WRONG_VALUE, "fPullback",
            "fPullback value " + pulledValue + ", the method itself " + value + at(args));
      }
      double vgValue = ((Tensor) accessor(vg, "value")).item();
      if (!close(value, vgValue, TENSOR_TOL)) {
        return new Failure(Failure.Kind.WRONG_VALUE, "fValueAndGrad",
            "fValueAndGrad value " + vgValue + ", the method itself " + value + at(args));
      }
      Object gradient = accessor(vg, "gradient");
      List<Tensor> generated = new ArrayList<>();
      for (Param p : params) {
        if (p.type() == Type.TENSOR) {
          generated.add((Tensor) component(gradient, p.name()));
        } else {
          generated.add(null);
        }
      }
      // eager autograd on the user's method (its twin with in-place operations written out of place)
      Object[] leaves = copies(args, params);
      Tensor out;
      try {
        out = (Tensor) eager.invoke(null, leaves);
      } catch (InvocationTargetException e) {
        stats.threw(e.getCause());
        continue;
      }
      if (out.requiresGrad()) {
        try {
          out.backward();
        } catch (RuntimeException e) {
          stats.skippedPoints++;
          continue;
        }
      }
      Failure f = compareTensorGrads("eager autograd", leaves, generated, params, args);
      if (f != null) {
        return f;
      }
      // the tracked forward and backward()
      Object[] tleaves = copies(args, null);
      for (int i = 0; i < params.size(); i++) {
        if (params.get(i).type() == Type.TENSOR && generated.get(i) != null) {
          tleaves[i] = ((Tensor) tleaves[i]).requiresGrad(true);
        }
      }
      try {
        Tensor t = (Tensor) tracked.invoke(null, tleaves);
        if (t.requiresGrad()) {
          t.backward();
        }
      } catch (InvocationTargetException e) {
        return thrown("tracked forward " + program.className() + "Diff.f", e, args);
      } catch (RuntimeException e) {
        return new Failure(Failure.Kind.RUNTIME_EXCEPTION, e.getClass().getSimpleName(),
            "backward() of the tracked forward: " + e + at(args));
      }
      f = compareTensorGrads("tracked forward", tleaves, generated, params, args);
      if (f != null) {
        return f;
      }
      if (CHECK_HVP && hvp != null && !hvpChecked && hvp.getParameterCount() == args.length + tensors(params)) {
        // one point per program keeps the fuzzer's time in budget
        hvpChecked = true;
        f = checkTensorHvp(hvp, plain, valueAndGrad, args, params);
        if (f != null) {
          return f;
        }
      }
    }
    return null;
  }

  private static int tensors(List<Param> params) {
    return (int) params.stream().filter(p -> p.type() == Type.TENSOR).count();
  }

  /**
   * The generated {@code fHvp} of a tensor program in float64 (the point converted), along two random
   * directions u and w: {@code H·u} against central differences of the generated gradient
   * ({@code fValueAndGrad}) along u, and {@code ⟨H·u, w⟩ = ⟨u, H·w⟩}. In float32 with a larger step and
   * tolerance where the method does not run in float64; skipped where the differences disagree between two
   * steps (a kink); symmetry only where the program detaches a tensor.
   */
  private Failure checkTensorHvp(Method hvp, Method plain, Method valueAndGrad, Object[] args, List<Param> params)
      throws ReflectiveOperationException {
    Object[] x = new Object[args.length];
    for (int i = 0; i < args.length; i++) {
      x[i] = args[i] instanceof Tensor t ? t.to(Tensor.DType.FLOAT64) : args[i];
    }
    // float64 where the method runs in it; else (item() throws on float64: a condition on t.sum().item()) float32
    // with a larger step and tolerance
    boolean f64 = true;
    try (var g = Autograd.noGrad()) {
      Tensor r = (Tensor) plain.invoke(null, copies(x, null));
      if (r.dtype() != Tensor.DType.FLOAT64 || !Double.isFinite(r.itemDouble())) {
        stats.hvpSkipped++;
        stats.hvpSkipReasons.merge("result " + r.dtype() + " " + r.itemDouble(), 1, Integer::sum);
        return null;
      }
    } catch (InvocationTargetException e) {
      f64 = false;
      x = args;
      stats.hvpFloat32++;
    }
    double h1 = f64 ? 1e-5 : 1e-2;
    double h2 = f64 ? 1e-4 : 5e-3;
    double agree = f64 ? 1e-4 : 5e-2;
    double tol = f64 ? HVP_TOL : 2e-2;
    boolean detaches = Printer.methodsOnly(program).contains(".detach()");
    Tensor[] u = new Tensor[args.length];
    Tensor[] w = new Tensor[args.length];
    for (int i = 0; i < args.length; i++) {
      if (x[i] instanceof Tensor t) {
        u[i] = randomLike(t);
        w[i] = randomLike(t);
      }
    }
    double[][] hu;
    double[][] hw;
    try {
      hu = tensorComponents(hvp.invoke(null, tensorHvpArgs(x, u)), x, params);
      hw = tensorComponents(hvp.invoke(null, tensorHvpArgs(x, w)), x, params);
    } catch (InvocationTargetException e) {
      return thrown("fHvp (float64)", e, args);
    }
    double[][] fd1;
    double[][] fd2;
    try {
      fd1 = tensorGradientDifference(valueAndGrad, x, params, u, h1);
      fd2 = tensorGradientDifference(valueAndGrad, x, params, u, h2);
    } catch (InvocationTargetException e) {
      return thrown("fValueAndGrad (float64)", e, args);
    }
    for (int i = 0; i < x.length && !detaches; i++) {
      if (hu[i] == null) {
        continue;
      }
      double scale = 1;
      for (int k = 0; k < fd1[i].length; k++) {
        if (!Double.isFinite(fd1[i][k]) || !Double.isFinite(hu[i][k]) || Math.abs(hu[i][k]) > HUGE
            || !close(fd1[i][k], fd2[i][k], agree)) {
          stats.hvpFdSkipped++;
          return null;
        }
        scale = Math.max(scale, Math.abs(fd1[i][k]));
      }
      for (int k = 0; k < fd1[i].length; k++) {
        if (!(Math.abs(hu[i][k] - fd1[i][k]) <= tol * scale)) {
          return new Failure(Failure.Kind.WRONG_GRADIENT, "fHvp vs central differences of the gradient",
              "(H·u)_" + params.get(i).name() + "[" + k + "]: fHvp " + hu[i][k] + ", central differences "
                  + fd1[i][k] + (f64 ? " (float64" : " (float32") + "; fHvp " + java.util.Arrays.toString(hu[i])
                  + ", differences "
                  + java.util.Arrays.toString(fd1[i]) + ")" + at(args));
        }
      }
    }
    double huW = 0;
    double uHw = 0;
    double scale = 0;
    for (int i = 0; i < x.length; i++) {
      if (hu[i] != null) {
        double[] ui = u[i].toDoubleArray();
        double[] wi = w[i].toDoubleArray();
        huW += dot(hu[i], wi);
        uHw += dot(ui, hw[i]);
        scale += norm(hu[i]) * norm(wi) + norm(ui) * norm(hw[i]);
      }
    }
    Failure sym = f64 ? symmetric(huW, uHw, scale, new double[0], new double[0], args)
        : Math.abs(huW - uHw) <= 1e-4 * Math.max(1, scale) ? null
        : symmetric(huW, uHw, scale, new double[0], new double[0], args);
    if (sym != null) {
      return sym;
    }
    if (detaches) {
      stats.hvpSymmetryOnly++;
    } else {
      stats.hvps++;
    }
    // the eager fHvp hands the user's method to Hvps.byDoubleBackward as a lambda; the generated one has none
    if (java.util.Arrays.stream(diff.getDeclaredMethods()).anyMatch(m -> m.getName().startsWith("lambda$fHvp$"))) {
      stats.hvpsEager++;
    } else {
      stats.hvpsGenerated++;
    }
    return null;
  }

  private Tensor randomLike(Tensor t) {
    double[] d = new double[t.numel()];
    for (int k = 0; k < d.length; k++) {
      d[k] = rnd.nextDouble() * 2 - 1;
    }
    return Tensor.wrap(d, t.shape()).to(t.dtype());
  }

  private static Object[] tensorHvpArgs(Object[] x, Tensor[] direction) {
    List<Object> out = new ArrayList<>(java.util.Arrays.asList(copies(x, null)));
    for (int i = 0; i < x.length; i++) {
      if (x[i] instanceof Tensor) {
        out.add(direction[i]);
      }
    }
    return out.toArray();
  }

  /** Per argument, the gradient record's component as doubles (zeros for null); null for an int argument. */
  private static double[][] tensorComponents(Object gradient, Object[] x, List<Param> params)
      throws ReflectiveOperationException {
    double[][] out = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      if (x[i] instanceof Tensor t) {
        Tensor c = (Tensor) component(gradient, params.get(i).name());
        out[i] = c == null ? new double[t.numel()] : c.toDoubleArray();
      }
    }
    return out;
  }

  private static double[][] tensorGradientDifference(Method valueAndGrad, Object[] x, List<Param> params,
      Tensor[] u, double h) throws ReflectiveOperationException {
    Object[] up = new Object[x.length];
    Object[] down = new Object[x.length];
    for (int i = 0; i < x.length; i++) {
      up[i] = x[i] instanceof Tensor t ? t.add(u[i].mul(h)) : x[i];
      down[i] = x[i] instanceof Tensor t ? t.sub(u[i].mul(h)) : x[i];
    }
    double[][] a = tensorComponents(accessor(valueAndGrad.invoke(null, up), "gradient"), x, params);
    double[][] b = tensorComponents(accessor(valueAndGrad.invoke(null, down), "gradient"), x, params);
    double[][] out = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      if (a[i] != null) {
        out[i] = new double[a[i].length];
        for (int k = 0; k < a[i].length; k++) {
          out[i][k] = (a[i][k] - b[i][k]) / (2 * h);
        }
      }
    }
    return out;
  }

  private Object[] tensorInputs(List<Param> params) {
    Object[] args = new Object[params.size()];
    for (int i = 0; i < args.length; i++) {
      Param p = params.get(i);
      if (p.type() == Type.INT) {
        args[i] = rnd.nextInt(4);
        continue;
      }
      int[] shape = program.shapes().get(p.name());
      int n = 1;
      for (int d : shape) {
        n *= d;
      }
      float[] data = new float[n];
      for (int k = 0; k < n; k++) {
        data[k] = (float) (rnd.nextDouble() * 3 - 1.5);
      }
      args[i] = Tensor.wrap(data, shape);
    }
    return args;
  }

  /** Fresh copies of the inputs; with params, the tensors require grad. */
  private static Object[] copies(Object[] args, List<Param> params) {
    Object[] out = new Object[args.length];
    for (int i = 0; i < args.length; i++) {
      out[i] = args[i] instanceof Tensor t ? (params == null ? t.copy() : t.copy().requiresGrad(true)) : args[i];
    }
    return out;
  }

  private Failure compareTensorGrads(String oracle, Object[] leaves, List<Tensor> generated, List<Param> params,
      Object[] args) {
    for (int i = 0; i < params.size(); i++) {
      if (!(leaves[i] instanceof Tensor leaf)) {
        continue;
      }
      float[] expected = leaf.grad() == null ? new float[leaf.numel()] : leaf.grad().toFloatArray();
      float[] actual = generated.get(i) == null ? new float[leaf.numel()] : generated.get(i).toFloatArray();
      if (expected.length != actual.length) {
        return new Failure(Failure.Kind.WRONG_GRADIENT, oracle,
            "d/d" + params.get(i).name() + ": " + actual.length + " elements, " + oracle + " " + expected.length);
      }
      double scale = 1;
      for (float e : expected) {
        if (Float.isFinite(e)) {
          scale = Math.max(scale, Math.abs(e));
        }
      }
      for (int k = 0; k < expected.length; k++) {
        if (!Float.isFinite(expected[k])) {
          stats.nonFiniteGradients++;
          continue;
        }
        if (!(Math.abs(expected[k] - actual[k]) <= TENSOR_TOL * scale)) {
          return new Failure(Failure.Kind.WRONG_GRADIENT, oracle,
              "d/d" + params.get(i).name() + "[" + k + "]: generated " + actual[k] + ", " + oracle + " "
                  + expected[k] + " (generated " + java.util.Arrays.toString(actual) + ", " + oracle + " "
                  + java.util.Arrays.toString(expected) + ")" + at(args));
        }
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- reflection and numbers

  private static Failure thrown(String form, InvocationTargetException e, Object[] args) {
    Throwable cause = e.getCause();
    StackTraceElement top = cause.getStackTrace().length > 0 ? cause.getStackTrace()[0] : null;
    return new Failure(Failure.Kind.RUNTIME_EXCEPTION, cause.getClass().getSimpleName(),
        form + " threw " + cause + (top == null ? "" : " at " + top) + at(args));
  }

  private static String at(Object[] args) {
    StringBuilder sb = new StringBuilder(" at (");
    for (int i = 0; i < args.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(args[i] instanceof Tensor t
          ? java.util.Arrays.toString(t.toFloatArray()) : String.valueOf(args[i]));
    }
    return sb.append(')').toString();
  }

  static boolean close(double a, double b, double tol) {
    return Math.abs(a - b) <= tol * Math.max(1, Math.max(Math.abs(a), Math.abs(b)));
  }

  private static Method method(Class<?> c, String name) throws NoSuchMethodException {
    Method m = findMethod(c, name);
    if (m == null) {
      throw new NoSuchMethodException(c.getName() + "." + name);
    }
    return m;
  }

  private static Method findMethod(Class<?> c, String name) {
    for (Method m : c.getMethods()) {
      if (m.getName().equals(name)) {
        return m;
      }
    }
    return null;
  }

  private static Object accessor(Object record, String name) throws ReflectiveOperationException {
    return record.getClass().getMethod(name).invoke(record);
  }

  private static Object component(Object record, String name) throws ReflectiveOperationException {
    for (RecordComponent c : record.getClass().getRecordComponents()) {
      if (c.getName().equals(name)) {
        return c.getAccessor().invoke(record);
      }
    }
    return null;
  }
}
