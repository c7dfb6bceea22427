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
      if (out.requiresGrad()) {
        for (int j = 0; j < rows; j++) {
          double[] e = new double[rows];
          e[j] = 1;
          Tensor unit = Tensor.fromDoubles("gradcheck", e, out.shape(), out.dtype());
          Tensor[] g = Autograd.grad(new Tensor[] {out}, wrt, new Tensor[] {unit}, true, false, true);
          for (int d = 0; d < diff.size(); d++) {
            if (g[d] != null) {
              analytical[d][j] = g[d].toDoubleArray();
            }
          }
        }
      }
      // numerical: central differences, one input element (a column) at a time
      for (int d = 0; d < diff.size(); d++) {
        int which = diff.get(d);
        Tensor x = inputs[which];
        int cols = x.numel();
        double[][] numerical = new double[rows][cols];
        for (int k = 0; k < cols; k++) {
          double[] plus = evaluate(fn, inputs, which, k, eps, o);
          double[] minus = evaluate(fn, inputs, which, k, -eps, o);
          for (int j = 0; j < rows; j++) {
            numerical[j][k] = (plus[j] - minus[j]) / (2 * eps);
          }
        }
        String failure = compare(numerical, analytical[d], atol, rtol, o, which, x);
        if (failure != null) {
          if (raise) {
            throw new GradcheckError(failure);
          }
          return false;
        }
      }
    }
    return true;
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
      double delta, int o) {
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
    // as PyTorch's, which moves the input itself: the function sees an input that requires grad, in the
    // caller's grad mode (an in-place change of a clone of it makes the clone require grad, as at x)
    args[which] = x.requiresGrad() ? moved.requiresGrad(true) : moved;
    return fn.apply(args)[o].toDoubleArray();
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
    return gradcheck(first, all, eps, atol, rtol, raise);
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
