package dev.adjoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.adjoint.Tensor.DType;
import dev.adjoint.linalg.DecompositionRules;
import dev.adjoint.linalg.Linalg;
import dev.adjoint.nn.F;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * PyTorch 1.13 float64 goldens (linalg_goldens.py → goldens/linalg.json): for every case the forward outputs
 * and the input gradients for PyTorch's upstream, to 1e-8 relative to each tensor's largest magnitude.
 */
class LinalgGoldenTest {
  static final double RTOL = 1e-8;

  /** The operation of each golden {@code op}, on float64 inputs, with the case's arguments. */
  static Tensor[] run(String op, JsonObject args, Tensor[] x) {
    return switch (op) {
      case "cholesky" -> one(Linalg.cholesky(x[0]));
      case "choleskySolve" -> one(Linalg.choleskySolve(x[0], x[1]));
      case "solveTriangular" -> one(Linalg.solveTriangular(x[0], x[1], args.get("upper").getAsBoolean()));
      case "solve" -> one(Linalg.solve(x[0], x[1]));
      case "inv" -> one(Linalg.inv(x[0]));
      case "det" -> one(Linalg.det(x[0]));
      case "logabsdet" -> one(Linalg.slogdet(x[0]).logabsdet());
      case "detSign" -> one(Linalg.slogdet(x[0]).sign());
      case "logdet" -> one(Linalg.logdet(x[0]));
      case "eigvalsh" -> one(Linalg.eigvalsh(x[0]));
      case "eigh" -> {
        Linalg.Eigh e = Linalg.eigh(x[0]);
        yield new Tensor[] {e.eigenvalues(), e.eigenvectors()};
      }
      case "svdvals" -> one(Linalg.svdvals(x[0]));
      case "svd" -> {
        Linalg.Svd f = Linalg.svd(x[0]);
        yield new Tensor[] {f.u(), f.s(), f.vh()};
      }
      case "svdU" -> one(Linalg.svd(x[0]).u());
      case "svdVh" -> one(Linalg.svd(x[0]).vh());
      case "qr" -> {
        Linalg.Qr q = Linalg.qr(x[0]);
        yield new Tensor[] {q.q(), q.r()};
      }
      case "lstsq" -> one(Linalg.lstsq(x[0], x[1]));
      case "pinv" -> one(Linalg.pinv(x[0]));
      case "vectorNorm" -> one(Linalg.vectorNorm(x[0], args.get("ord").isJsonPrimitive()
          && args.get("ord").getAsJsonPrimitive().isString() ? Double.POSITIVE_INFINITY
          : args.get("ord").getAsDouble()));
      case "matrixNorm" -> one(Linalg.matrixNorm(x[0], args.get("ord").getAsString()));
      case "add" -> one(x[0].add(x[1]));
      case "mul" -> one(x[0].mul(x[1]));
      case "div" -> one(x[0].div(x[1]));
      case "pow" -> one(x[0].pow(args.get("p").getAsDouble()));
      case "exp" -> one(x[0].exp());
      case "sin" -> one(x[0].sin());
      case "cos" -> one(x[0].cos());
      case "tanh" -> one(x[0].tanh());
      case "sigmoid" -> one(x[0].sigmoid());
      case "relu" -> one(x[0].relu());
      case "abs" -> one(x[0].abs());
      case "neg" -> one(x[0].neg());
      case "log" -> one(x[0].log());
      case "sqrt" -> one(x[0].sqrt());
      case "rsqrt" -> one(x[0].rsqrt());
      case "reciprocal" -> one(x[0].reciprocal());
      case "sum_dim" -> one(x[0].sum(args.get("dim").getAsInt()));
      case "mean" -> one(x[0].mean());
      case "matmul" -> one(x[0].matmul(x[1]));
      case "softmax" -> one(F.softmax(x[0], args.get("dim").getAsInt()));
      case "logSoftmax" -> one(F.logSoftmax(x[0], args.get("dim").getAsInt()));
      case "mseLoss" -> one(F.mseLoss(x[0], x[1]));
      default -> throw new AssertionError("no operation for golden op " + op);
    };
  }

  private static Tensor[] one(Tensor t) {
    return new Tensor[] {t};
  }

  static Tensor f64(JsonElement e) {
    JsonObject o = e.getAsJsonObject();
    JsonArray s = o.getAsJsonArray("shape");
    int[] shape = new int[s.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = s.get(i).getAsInt();
    }
    JsonArray d = o.getAsJsonArray("data");
    double[] v = new double[d.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = d.get(i).getAsDouble();
    }
    return Tensor.wrap(v, shape);
  }

  static void close(Tensor want, Tensor got, String what) {
    assertNotNull(got, what + ": missing");
    assertEquals(DType.FLOAT64, got.dtype(), what + ": dtype");
    assertArrayEquals(want.shape(), got.shape(), what + ": shape");
    double[] w = want.toDoubleArray();
    double[] g = got.toDoubleArray();
    double scale = 0;
    for (double v : w) {
      scale = Math.max(scale, Double.isFinite(v) ? Math.abs(v) : 0);
    }
    for (int i = 0; i < w.length; i++) {
      if (Double.isNaN(w[i]) || Double.isInfinite(w[i])) {
        assertEquals(w[i], g[i], what + " [" + i + "]");
        continue;
      }
      double err = Math.abs(w[i] - g[i]);
      assertTrue(err <= RTOL * Math.max(scale, 1e-300), what + " [" + i + "]: PyTorch " + w[i] + ", ours " + g[i]
          + " (|difference| " + err + " > " + RTOL + " × " + scale + ")");
    }
  }

  @TestFactory
  Stream<DynamicTest> linalgAndFloat64OpsMatchPyTorch() {
    JsonObject all = Goldens.load("linalg.json");
    List<DynamicTest> tests = new ArrayList<>();
    for (Map.Entry<String, JsonElement> e : all.entrySet()) {
      JsonObject c = e.getValue().getAsJsonObject();
      tests.add(DynamicTest.dynamicTest(e.getKey(), () -> check(e.getKey(), c)));
    }
    return tests.stream();
  }

  private static void check(String id, JsonObject c) {
    String op = c.get("op").getAsString();
    JsonObject args = c.getAsJsonObject("args");
    JsonArray ins = c.getAsJsonArray("inputs");
    Tensor[] x = new Tensor[ins.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = f64(ins.get(i)).requiresGrad(true);
    }
    Tensor[] outs = run(op, args, x);
    JsonArray wantOuts = c.getAsJsonArray("outputs");
    JsonArray ups = c.getAsJsonArray("upstream");
    boolean squares = !c.get("loss").isJsonNull();
    Tensor total = null;
    for (int o = 0; o < outs.length; o++) {
      Tensor want = f64(wantOuts.get(o));
      if (!squares) {
        close(want, outs[o], id + ": output " + o);
      } else {
        close(want.mul(want), outs[o].mul(outs[o]), id + ": output " + o + " squared (signs are arbitrary)");
      }
      Tensor u = f64(ups.get(o));
      Tensor term = squares ? u.mul(outs[o]).mul(outs[o]).sum() : outs[o].mul(u).sum();
      total = total == null ? term : total.add(term);
    }
    if (!outs[0].requiresGrad()) {
      return; // slogdet's sign
    }
    total.backward();
    JsonArray grads = c.getAsJsonArray("grads");
    for (int i = 0; i < x.length; i++) {
      if (grads.get(i).isJsonNull()) {
        assertNull(x[i].grad(), id + ": input " + i + " gets no gradient");
      } else {
        close(f64(grads.get(i)), x[i].grad(), id + ": gradient of input " + i);
      }
    }
  }

  /** 1, 2, ... in an r×c float64 matrix: weights that make a sum of squares depend on every entry. */
  static Tensor ramp(int r, int c) {
    return Tensor.arange(1, r * c + 1, 1, DType.FLOAT64).reshape(r, c);
  }

  /** A loss of all three factors that does not depend on the singular vectors' signs. */
  static Tensor svdSquares(Linalg.Svd f) {
    int m = f.u().size(-2);
    int k = f.s().size(-1);
    int n = f.vh().size(-1);
    return f.u().square().mul(ramp(m, k)).sum().add(f.vh().square().mul(ramp(k, n)).sum())
        .add(f.s().square().sum());
  }

  /**
   * Through U and Vh the SVD's gradient divides by S_j² − S_i²; with a repeated singular value it is not
   * defined (PyTorch returns inf/NaN), and we say so, naming the values. Through S alone it is defined.
   */
  @org.junit.jupiter.api.Test
  void svdBackwardThroughVectorsRefusesRepeatedSingularValues() {
    Tensor a = Tensor.of(DType.FLOAT64, new double[][] {{2, 0, 0}, {0, 2, 0}, {0, 0, 1}}).requiresGrad(true);
    ArithmeticException e = org.junit.jupiter.api.Assertions.assertThrows(ArithmeticException.class,
        () -> Linalg.svd(a).u().select(-1, 0).mul(Tensor.of(DType.FLOAT64, 1, 1, 0)).sum().square().backward());
    assertTrue(e.getMessage().contains("singular values 0 and 1 are equal (2.0)"), e.getMessage());
    Linalg.svd(a).s().sum().backward();
    close(Tensor.of(DType.FLOAT64, new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}), a.grad(), "gradient through S");
  }

  /** gradcheck (PyTorch's tolerances) on every new rule, batched where the rule is. */
  @TestFactory
  Stream<DynamicTest> gradcheckOnEveryLinalgRule() {
    Generator g = new Generator(15);
    Map<String, Function<Tensor[], Tensor>> ops = new java.util.LinkedHashMap<>();
    ops.put("cholesky", x -> Linalg.cholesky(spd(x[0])));
    ops.put("choleskySolve", x -> Linalg.choleskySolve(x[1], Linalg.cholesky(spd(x[0]))));
    ops.put("solveTriangular", x -> Linalg.solveTriangular(x[0].add(eye(3).mul(3)), x[1], true)
        .add(Linalg.solveTriangular(x[0].add(eye(3).mul(3)), x[1], false)));
    ops.put("solve", x -> Linalg.solve(x[0].add(eye(3).mul(3)), x[1]));
    ops.put("inv", x -> Linalg.inv(x[0].add(eye(3).mul(3))));
    ops.put("det", x -> Linalg.det(x[0]));
    ops.put("logabsdet", x -> Linalg.slogdet(x[0]).logabsdet());
    ops.put("logdet", x -> Linalg.logdet(spd(x[0])));
    ops.put("eigvalsh", x -> Linalg.eigvalsh(x[0].add(x[0].transpose(-2, -1))));
    ops.put("eigh vectors", x -> {
      Tensor v = Linalg.eigh(x[0].add(x[0].transpose(-2, -1))).eigenvectors();
      return v.mul(v);
    });
    ops.put("svdvals", x -> Linalg.svdvals(x[1]));
    ops.put("qr", x -> {
      Linalg.Qr q = Linalg.qr(x[0]);
      return q.q().mul(q.q()).sum(-1).add(q.r().mul(q.r()).sum(-1));
    });
    ops.put("qr wide", x -> {
      Linalg.Qr q = Linalg.qr(x[1].transpose(-2, -1));
      return q.q().square().mul(ramp(2, 2)).sum(-1).add(q.r().square().mul(ramp(2, 3)).sum(-1));
    });
    ops.put("svd U, S, Vh (tall)", x -> svdSquares(Linalg.svd(x[1])));
    ops.put("svd U, S, Vh (wide)", x -> svdSquares(Linalg.svd(x[1].transpose(-2, -1))));
    ops.put("svd U, S, Vh (square)", x -> svdSquares(Linalg.svd(x[0])));
    ops.put("lstsq", x -> Linalg.lstsq(x[0], x[1]));
    ops.put("matrixNorm nuc", x -> Linalg.matrixNorm(x[1], "nuc"));
    return ops.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
      Tensor a = Tensor.randn(g, new int[] {2, 3, 3}, DType.FLOAT64).requiresGrad(true);
      Tensor b = Tensor.randn(g, new int[] {2, 3, 2}, DType.FLOAT64).requiresGrad(true);
      assertTrue(Autograd.gradcheck(e.getValue(), a, b));
    }));
  }

  private static Tensor spd(Tensor x) {
    return x.matmul(x.transpose(-2, -1)).add(eye(x.size(-1)));
  }

  private static Tensor eye(int n) {
    double[] v = new double[n * n];
    for (int i = 0; i < n; i++) {
      v[i * n + i] = 1;
    }
    return Tensor.wrap(v, n, n);
  }

  /** Orders above the substitution block (64): the blocked triangular solve and choleskySolve by their residuals. */
  @org.junit.jupiter.api.Test
  void largeSolvesHaveSmallResiduals() {
    Generator g = new Generator(150);
    int n = 150;
    Tensor x = Tensor.randn(g, new int[] {n, n}, DType.FLOAT64).div(Math.sqrt(n));
    Tensor a = x.matmul(x.t()).add(eye(n));
    Tensor b = Tensor.randn(g, new int[] {n, 7}, DType.FLOAT64);
    Tensor l = Linalg.cholesky(a);
    assertTrue(l.matmul(l.t()).sub(a).abs().max().itemDouble() < 1e-12, "L Lᵀ = A");
    for (boolean upper : new boolean[] {false, true}) {
      Tensor t = upper ? l.t().contiguous() : l;
      Tensor sol = Linalg.solveTriangular(t, b, upper);
      assertTrue(t.matmul(sol).sub(b).abs().max().itemDouble() < 1e-12, "triangular residual, upper=" + upper);
    }
    Tensor sol = Linalg.choleskySolve(b, l);
    assertTrue(a.matmul(sol).sub(b).abs().max().itemDouble() < 1e-11, "choleskySolve residual");
    Tensor ap = a.detach().requiresGrad(true);
    Linalg.choleskySolve(b, Linalg.cholesky(ap)).sum().backward();
    // the gradient of sum(A⁻¹B) is G = -A⁻ᵀ 1 (A⁻¹B)ᵀ, from a plain solve; through cholesky (a function of the
    // symmetric A) PyTorch's formula gives its symmetric part
    Tensor ones = Tensor.ones(new int[] {n, 7}, DType.FLOAT64);
    Tensor gfull = Linalg.solve(a.t(), ones).matmul(Linalg.solve(a, b).t()).neg();
    Tensor want = gfull.add(gfull.t()).mul(0.5);
    assertTrue(ap.grad().sub(want).abs().max().itemDouble() < 1e-10, "cholesky + choleskySolve gradient");
  }

  @org.junit.jupiter.api.Test
  void errorsAsPyTorch() {
    Tensor notPd = Tensor.of(DType.FLOAT64, new double[][] {{1, 2}, {2, 1}});
    ArithmeticException e = org.junit.jupiter.api.Assertions.assertThrows(ArithmeticException.class,
        () -> Linalg.cholesky(notPd));
    assertEquals("linalg.cholesky: The factorization could not be completed because the input is not "
        + "positive-definite (the leading minor of order 2 is not positive-definite).", e.getMessage());
    Tensor batch = Tensor.stack(eye(2), notPd);
    assertEquals("linalg.cholesky: (Batch element 1): The factorization could not be completed because the input "
        + "is not positive-definite (the leading minor of order 2 is not positive-definite).",
        org.junit.jupiter.api.Assertions.assertThrows(ArithmeticException.class, () -> Linalg.cholesky(batch))
            .getMessage());
    Tensor singular = Tensor.of(DType.FLOAT64, new double[][] {{1, 2}, {2, 4}});
    assertEquals("torch.linalg.solve: The solver failed because the input matrix is singular.",
        org.junit.jupiter.api.Assertions.assertThrows(ArithmeticException.class,
            () -> Linalg.solve(singular, Tensor.ones(new int[] {2}, DType.FLOAT64))).getMessage());
    assertEquals("linalg.inv: The diagonal element 2 is zero, the inversion could not be completed because the "
        + "input matrix is singular.", org.junit.jupiter.api.Assertions.assertThrows(ArithmeticException.class,
            () -> Linalg.inv(singular)).getMessage());
    assertEquals("linalg.cholesky: A must be batches of square matrices, but they are 2 by 3 matrices",
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> Linalg.cholesky(Tensor.ones(new int[] {2, 3}, DType.FLOAT64))).getMessage());
  }

  /**
   * The outside user's rank-deficient 5×3 matrix (third column the sum of the first two): PyTorch's SVD-based
   * pinv and lstsq cut the tiny singular value off; the QR-based ones here returned entries near 1e14, and now
   * throw naming the op.
   */
  @org.junit.jupiter.api.Test
  void rankDeficientPinvAndLstsqThrowInsteadOfReturningHugeValues() {
    Tensor a = Tensor.of(DType.FLOAT64, new double[][] {
        {1, 0.5, 1.5}, {-0.3, 1, 0.7}, {0.8, -1.2, -0.4}, {0.1, 0.4, 0.5}, {-1, 0.2, -0.8}});
    IllegalArgumentException pinv = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Linalg.pinv(a));
    assertTrue(pinv.getMessage().startsWith("pinv: the 5×3 matrix is rank-deficient"), pinv.getMessage());
    IllegalArgumentException lstsq = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> Linalg.lstsq(a, Tensor.ones(new int[] {5, 2}, DType.FLOAT64)));
    assertTrue(lstsq.getMessage().startsWith("lstsq: the 5×3 matrix is rank-deficient"), lstsq.getMessage());
    // a full-rank neighbour still works: the third column moved off the span
    Tensor full = a.add(Tensor.of(DType.FLOAT64, new double[][] {{0, 0, 0.3}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0},
        {0, 0, 0}}));
    assertEquals(3, Linalg.pinv(full).size(0));
  }

  @org.junit.jupiter.api.Test
  void float32InputComputesInDoubleAndRounds() {
    Tensor a32 = Tensor.of(new float[][] {{4, 1}, {1, 3}}).requiresGrad(true);
    Tensor l = Linalg.cholesky(a32);
    assertEquals(DType.FLOAT32, l.dtype());
    double[] exact = DecompositionRules.cholesky(a32.detach().toDouble()).toDoubleArray();
    float[] got = l.toFloatArray();
    for (int i = 0; i < got.length; i++) {
      assertEquals((float) exact[i], got[i], "element " + i + " is the rounded double result");
    }
    l.sum().backward();
    assertEquals(DType.FLOAT32, a32.grad().dtype());
  }
}
