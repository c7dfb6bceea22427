package dev.adjoint;

import dev.adjoint.Tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * PyTorch's {@code torch.autograd.gradcheck} and {@code gradgradcheck} (the slow mode, 1.13): the numerical
 * Jacobian of every output with respect to every input that requires grad, column by column by central
 * differences {@code (f(x + eps·e_k) - f(x - eps·e_k)) / 2eps}, against the analytical Jacobian, row by row
 * through vector-Jacobian products with the unit vectors {@code e_j} ({@link Autograd#grad}). An entry
 * passes when {@code |analytical - numerical| <= atol + rtol·|numerical|} (PyTorch's {@code allclose}).
 */
final class GradCheck {
  private GradCheck() {}

  /** PyTorch's defaults. */
  static final double EPS = 1e-6;
  static final double ATOL = 1e-5;
  static final double RTOL = 1e-3;

  static boolean gradcheck(Function<Tensor[], Tensor[]> fn, Tensor[] inputs, double eps, double atol, double rtol,
      boolean raise) {
    return gradcheck(fn, inputs, eps, atol, rtol, 0.0, raise);
  }

  /**
   * gradcheck with {@code nondetTol} ({@code nondet_tol}): besides the Jacobians, as PyTorch's slow mode, it checks
   * that backward is reentrant (two runs with the same input and grad_output differ by at most {@code nondetTol}),
   * that a function none of whose outputs is differentiable has a zero numerical gradient, that the outputs keep
   * their shapes when an input is perturbed, and that backward is multiplied by grad_output (zero gradients for a
   * zero grad_output).
   */
  static boolean gradcheck(Function<Tensor[], Tensor[]> fn, Tensor[] inputs, double eps, double atol, double rtol,
      double nondetTol, boolean raise) {
    List<Integer> diff = new ArrayList<>();
    for (int i = 0; i < inputs.length; i++) {
      if (inputs[i] != null && inputs[i].requiresGrad()) {
        diff.add(i);
      }
    }
    if (diff.isEmpty()) {
      throw new IllegalArgumentException("gradcheck expects at least one input tensor to require gradient, but "
          + "none of the them have requiresGrad=true.");
    }
    Tensor[] outs = fn.apply(inputs);
    for (int o = 0; o < outs.length; o++) {
      Tensor out = outs[o];
      if (out == null || !out.dtype().isFloatingPoint()) {
        continue;
      }
      int rows = out.numel();
      // analytical: one VJP per output element (a row of the Jacobian per input)
      double[][][] analytical = new double[diff.size()][][];
      for (int d = 0; d < diff.size(); d++) {
        analytical[d] = new double[rows][inputs[diff.get(d)].numel()];
      }
      Tensor[] wrt = diff.stream().map(i -> inputs[i]).toArray(Tensor[]::new);
      double[][][] again = new double[diff.size()][][];
      if (out.requiresGrad()) {
        vjps(out, wrt, analytical);
        for (int d = 0; d < diff.size(); d++) {
          again[d] = new double[rows][inputs[diff.get(d)].numel()];
        }
        vjps(out, wrt, again);
      }
      // numerical: central differences, one input element (a column) at a time
      for (int d = 0; d < diff.size(); d++) {
        int which = diff.get(d);
        Tensor x = inputs[which];
        int cols = x.numel();
        double[][] numerical = new double[rows][cols];
        for (int k = 0; k < cols; k++) {
          double[] plus = evaluate(fn, inputs, which, k, eps, o, out.shape());
          double[] minus = evaluate(fn, inputs, which, k, -eps, o, out.shape());
          for (int j = 0; j < rows; j++) {
            numerical[j][k] = (plus[j] - minus[j]) / (2 * eps);
          }
        }
        String failure = out.requiresGrad() ? compare(numerical, analytical[d], atol, rtol, o, which, x)
            : nonZero(numerical, o, which);
        if (failure == null && out.requiresGrad()) {
          failure = reentrant(analytical[d], again[d], nondetTol, o, which);
        }
        if (failure != null) {
          if (raise) {
            throw new GradcheckError(failure);
          }
          return false;
        }
      }
    }
    String failure = mulByGradOutput(outs, inputs, diff);
    if (failure != null) {
      if (raise) {
        throw new GradcheckError(failure);
      }
      return false;
    }
    return true;
  }

  /** Fills {@code into[d][j]} with the gradient of input {@code d} for the unit grad_output {@code e_j}. */
  private static void vjps(Tensor out, Tensor[] wrt, double[][][] into) {
    int rows = out.numel();
    for (int j = 0; j < rows; j++) {
      double[] e = new double[rows];
      e[j] = 1;
      Tensor unit = Tensor.fromDoubles("gradcheck", e, out.shape(), out.dtype());
      Tensor[] g = Autograd.grad(new Tensor[] {out}, wrt, new Tensor[] {unit}, true, false, true);
      for (int d = 0; d < wrt.length; d++) {
        if (g[d] != null) {
          into[d][j] = g[d].toDoubleArray();
        }
      }
    }
  }

  /** PyTorch's check for an output that is not differentiable: its numerical gradient must be zero. */
  private static String nonZero(double[][] numerical, int o, int which) {
    for (double[] row : numerical) {
      for (double v : row) {
        if (v != 0) {
          return "Numerical gradient for function expected to be zero: output " + o + " does not require grad, "
              + "but moving input " + which + " changes it (numerical gradient " + v + ")";
        }
      }
    }
    return null;
  }

  /** PyTorch's reentrancy check: two backward runs with the same grad_output must agree within nondetTol. */
  private static String reentrant(double[][] first, double[][] second, double nondetTol, int o, int which) {
    for (int j = 0; j < first.length; j++) {
      for (int k = 0; k < first[j].length; k++) {
        double diff = Math.abs(first[j][k] - second[j][k]);
        if (!(diff <= nondetTol)) {
          return "Backward is not reentrant, i.e., running backward with same input and grad_output multiple "
              + "times gives different values, although analytical gradient matches numerical gradient. The "
              + "tolerance for nondeterminism was " + nondetTol + " (output " + o + ", input " + which + ", entry ["
              + j + ", " + k + "]: " + first[j][k] + " then " + second[j][k] + ")";
        }
      }
    }
    return null;
  }

  /** PyTorch's {@code _test_backward_mul_by_grad_output}: zero grad_outputs must give zero gradients. */
  private static String mulByGradOutput(Tensor[] outs, Tensor[] inputs, List<Integer> diff) {
    List<Tensor> differentiable = new ArrayList<>();
    for (Tensor out : outs) {
      if (out != null && out.requiresGrad()) {
        differentiable.add(out);
      }
    }
    if (differentiable.isEmpty()) {
      return null;
    }
    Tensor[] os = differentiable.toArray(new Tensor[0]);
    Tensor[] zeros = new Tensor[os.length];
    for (int i = 0; i < os.length; i++) {
      zeros[i] = Tensor.zeros(os[i].shape(), os[i].dtype());
    }
    Tensor[] wrt = diff.stream().map(i -> inputs[i]).toArray(Tensor[]::new);
    Tensor[] g = Autograd.grad(os, wrt, zeros, true, false, true);
    for (int d = 0; d < g.length; d++) {
      if (g[d] != null) {
        for (double v : g[d].toDoubleArray()) {
          if (v != 0) {
            return "backward not multiplied by grad_output: the gradient of input " + diff.get(d) + " for a zero "
                + "grad_output has the non-zero element " + v;
          }
        }
      }
    }
    return null;
  }

  /** The failure of a gradient check, with PyTorch's wording and the worst entry. */
  static final class GradcheckError extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    GradcheckError(String message) {
      super(message);
    }
  }

  /** Output {@code o} of {@code fn} with element {@code k} of input {@code which} moved by {@code delta}. */
  private static double[] evaluate(Function<Tensor[], Tensor[]> fn, Tensor[] inputs, int which, int k,
      double delta, int o, int[] shape) {
    Tensor[] args = inputs.clone();
    Tensor x = inputs[which];
    Tensor moved;
    if (x.dtype() == DType.FLOAT64) {
      double[] v = x.toDoubleArray();
      v[k] += delta;
      moved = Tensor.wrap(v, x.shape());
    } else {
      float[] v = x.toFloatArray();
      v[k] = (float) (v[k] + delta);
      moved = Tensor.wrap(v, x.shape(), x.dtype());
    }
    // as PyTorch's numerical Jacobian: the perturbed input keeps requires_grad and fn runs in the caller's grad
    // mode, so fn may do what needs a differentiable input (register a hook, call autograd.grad)
    args[which] = moved.requiresGrad(x.requiresGrad());
    Tensor r = fn.apply(args)[o];
    if (!java.util.Arrays.equals(r.shape(), shape)) {
      throw new GradcheckError("gradcheck: Expected `func` to return outputs with the same shape when inputs "
          + "are perturbed: output " + o + " has shape " + java.util.Arrays.toString(shape) + ", and "
          + java.util.Arrays.toString(r.shape()) + " when element " + k + " of input " + which + " moves by "
          + delta);
    }
    return r.toDoubleArray();
  }

  private static String compare(double[][] numerical, double[][] analytical, double atol, double rtol, int o,
      int which, Tensor x) {
    int wi = -1;
    int wk = -1;
    double worst = 0;
    for (int j = 0; j < numerical.length; j++) {
      for (int k = 0; k < numerical[j].length; k++) {
        double n = numerical[j][k];
        double a = analytical[j][k];
        double excess = Math.abs(a - n) - (atol + rtol * Math.abs(n));
        if (!(excess <= 0) && (wi < 0 || excess > worst || Double.isNaN(excess))) {
          worst = excess;
          wi = j;
          wk = k;
        }
      }
    }
    if (wi < 0) {
      return null;
    }
    double n = numerical[wi][wk];
    double a = analytical[wi][wk];
    StringBuilder sb = new StringBuilder("Jacobian mismatch for output ").append(o).append(" with respect to input ")
        .append(which).append(",\nnumerical:").append(matrix(numerical)).append("\nanalytical:")
        .append(matrix(analytical)).append(String.format(Locale.ROOT, "%nworst entry: output element %d, input "
            + "element %d: numerical %.10g, analytical %.10g, |difference| %.3g > atol + rtol·|numerical| = %.3g",
            wi, wk, n, a, Math.abs(a - n), atol + rtol * Math.abs(n)));
    if (x.dtype() != DType.FLOAT64) {
      sb.append("\n(input ").append(which).append(" is ").append(x.dtype()).append(", not FLOAT64: gradcheck "
          + "needs double precision to be meaningful)");
    }
    return sb.toString();
  }

  /** The Jacobian as PyTorch prints it (input elements as rows, output elements as columns). */
  private static String matrix(double[][] jac) {
    int rows = jac.length;
    int cols = rows == 0 ? 0 : jac[0].length;
    double[] t = new double[rows * cols];
    for (int j = 0; j < rows; j++) {
      for (int k = 0; k < cols; k++) {
        t[k * rows + j] = jac[j][k];
      }
    }
    return Tensor.wrap(t, cols, rows).toString();
  }

  /**
   * gradgradcheck: gradcheck of {@code (inputs, v) -> vjp(fn)(inputs)·v} with random float64 {@code v} (seeded)
   * for each output, the gradients made with {@code createGraph}.
   */
  static boolean gradgradcheck(Function<Tensor[], Tensor[]> fn, Tensor[] inputs, double eps, double atol,
      double rtol, boolean raise, long seed) {
    return gradgradcheck(fn, inputs, eps, atol, rtol, 0.0, raise, seed);
  }

  /** gradgradcheck with {@code nondetTol}. */
  static boolean gradgradcheck(Function<Tensor[], Tensor[]> fn, Tensor[] inputs, double eps, double atol,
      double rtol, double nondetTol, boolean raise, long seed) {
    Tensor[] outs = fn.apply(inputs);
    Generator gen = new Generator(seed);
    int n = inputs.length;
    Tensor[] all = new Tensor[n + outs.length];
    System.arraycopy(inputs, 0, all, 0, n);
    for (int o = 0; o < outs.length; o++) {
      Tensor v = Tensor.randn(gen, outs[o].shape(), outs[o].dtype());
      all[n + o] = v.requiresGrad(true);
    }
    List<Integer> diff = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (inputs[i] != null && inputs[i].requiresGrad()) {
        diff.add(i);
      }
    }
    Function<Tensor[], Tensor[]> first = args -> {
      Tensor[] x = java.util.Arrays.copyOf(args, n);
      Tensor[] y = fn.apply(x);
      Tensor[] wrt = diff.stream().map(i -> x[i]).toArray(Tensor[]::new);
      Tensor[] vs = java.util.Arrays.copyOfRange(args, n, args.length);
      if (!Autograd.isGradEnabled()) {
        // a numerical evaluation: the first derivatives themselves still need a graph of f
        try (var on = Autograd.enableGrad()) {
          Tensor[] xg = new Tensor[n];
          for (int i = 0; i < n; i++) {
            xg[i] = x[i] == null ? null : diff.contains(i) ? x[i].detach().requiresGrad(true) : x[i];
          }
          Tensor[] yg = fn.apply(xg);
          Tensor[] wg = diff.stream().map(i -> xg[i]).toArray(Tensor[]::new);
          Tensor[] r = Autograd.grad(yg, wg, vs, false, false, true);
          return zerosForNull(r, wg);
        }
      }
      return zerosForNull(Autograd.grad(y, wrt, vs, true, true, true), wrt);
    };
    return gradcheck(first, all, eps, atol, rtol, nondetTol, raise);
  }

  private static Tensor[] zerosForNull(Tensor[] grads, Tensor[] like) {
    Tensor[] r = grads.clone();
    for (int i = 0; i < r.length; i++) {
      if (r[i] == null) {
        r[i] = Tensor.zeros(like[i].shape(), like[i].dtype());
      }
    }
    return r;
  }
}
