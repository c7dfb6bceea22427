package dev.adjoint.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.Tensor.DType;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rows of {@code lstsq}, {@code pinv}, {@code vectorNorm} and {@code matrixNorm} ({@link CompositeRules}), made
 * so that {@code @Differentiable} code can call them: in the shapes the rows' own tests do not reach (a batch of
 * matrices, one right-hand side, a wide matrix, every norm order, a norm over some dimensions), the eager
 * gradient is the central difference ({@code gradcheck}), the second order too ({@code gradgradcheck}, through the
 * recorded formulas) and the node has PyTorch's name; each row's JVP is its adjoint's transpose (⟨J·v, w⟩ = ⟨v, Jᵀ·w⟩)
 * and the central difference of its forward.
 */
class CompositeRowsTest {
  private static Tensor r(long seed, int... shape) {
    return Tensor.randn(new Generator(seed), shape, DType.FLOAT64);
  }

  /** A well-conditioned tall matrix: diagonal 2 plus noise. */
  private static Tensor tall(long seed, int... shape) {
    Tensor eye = Tensor.eye(shape[shape.length - 2], shape[shape.length - 1], DType.FLOAT64).mul(2);
    return r(seed, shape).mul(0.3).add(eye);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("lstsq batched", "LinalgLstsqBackward0",
            (Function<Tensor[], Tensor>) x -> Linalg.lstsq(x[0], x[1]), new Tensor[] {tall(1, 2, 4, 3), r(2, 2, 4, 2)}),
        Arguments.of("lstsq 5×3, 5×1", "LinalgLstsqBackward0",
            (Function<Tensor[], Tensor>) x -> Linalg.lstsq(x[0], x[1]), new Tensor[] {tall(3, 5, 3), r(4, 5, 1)}),
        Arguments.of("pinv tall", "LinalgPinvBackward0",
            (Function<Tensor[], Tensor>) x -> Linalg.pinv(x[0]), new Tensor[] {tall(5, 4, 3)}),
        Arguments.of("pinv wide batched", "LinalgPinvBackward0",
            (Function<Tensor[], Tensor>) x -> Linalg.pinv(x[0]), new Tensor[] {tall(6, 2, 4, 3).transpose(-2, -1)}),
        Arguments.of("vectorNorm 3", "LinalgVectorNormBackward0",
            (Function<Tensor[], Tensor>) x -> Linalg.vectorNorm(x[0], 3.0), new Tensor[] {r(7, 3, 4)}),
        Arguments.of("vectorNorm 2 dims", "LinalgVectorNormBackward0",
            (Function<Tensor[], Tensor>) x -> Linalg.vectorNorm(x[0], 2.0, new int[] {-1}, false),
            new Tensor[] {r(8, 3, 4)}),
        Arguments.of("vectorNorm 1.5 keepDim", "LinalgVectorNormBackward0",
            (Function<Tensor[], Tensor>) x -> Linalg.vectorNorm(x[0], 1.5, new int[] {0, 2}, true),
            new Tensor[] {r(9, 2, 3, 4)}),
        Arguments.of("vectorNorm inf dims", "LinalgVectorNormBackward0",
            (Function<Tensor[], Tensor>) x -> Linalg.vectorNorm(x[0], Double.POSITIVE_INFINITY, new int[] {1}, false),
            new Tensor[] {r(10, 3, 4)}),
        Arguments.of("matrixNorm fro batched", "LinalgVectorNormBackward0",
            (Function<Tensor[], Tensor>) x -> Linalg.matrixNorm(x[0], "fro"), new Tensor[] {r(11, 2, 3, 4)}),
        Arguments.of("matrixNorm nuc", "SumBackward1",
            (Function<Tensor[], Tensor>) x -> Linalg.matrixNorm(x[0], "nuc"), new Tensor[] {r(12, 4, 3)}),
        Arguments.of("matrixNorm 2", "AmaxBackward0",
            (Function<Tensor[], Tensor>) x -> Linalg.matrixNorm(x[0], "2"), new Tensor[] {r(13, 3, 4)}),
        Arguments.of("matrixNorm -2 batched", "AminBackward0",
            (Function<Tensor[], Tensor>) x -> Linalg.matrixNorm(x[0], "-2"), new Tensor[] {r(14, 2, 4, 3)}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void gradientsSecondOrderAndNodeName(String name, String node, Function<Tensor[], Tensor> f, Tensor[] inputs) {
    Tensor[] leaves = new Tensor[inputs.length];
    for (int i = 0; i < inputs.length; i++) {
      leaves[i] = inputs[i].detach().contiguous().requiresGrad(true);
    }
    assertEquals(node, f.apply(leaves).gradFn().name(), name);
    assertTrue(Autograd.gradcheck(f, leaves), name);
    assertTrue(Autograd.gradgradcheck(f, leaves, 1e-6, 1e-5, 1e-3, 0, true), name + ": second order");
  }

  /** A row's JVP and adjoint on given inputs: {@code jvp(tangents, out, inputs)}, {@code vjp(w, out, inputs)}. */
  interface Pair {
    Tensor jvp(Tensor[] t, Tensor out, Tensor[] x);

    dev.adjoint.autograd.Grads vjp(Tensor w, Tensor out, Tensor[] x);
  }

  static Stream<Arguments> jvps() {
    double inf = Double.POSITIVE_INFINITY;
    int[] last = {-1};
    return Stream.of(
        Arguments.of("lstsq", (Function<Tensor[], Tensor>) x -> Linalg.lstsq(x[0], x[1]), new Pair() {
          public Tensor jvp(Tensor[] t, Tensor out, Tensor[] x) {
            return CompositeRules.lstsqJvp(t[0], t[1], out, x[0], x[1]);
          }

          public dev.adjoint.autograd.Grads vjp(Tensor w, Tensor out, Tensor[] x) {
            return CompositeRules.lstsqVjp(w, out, x[0], x[1]);
          }
        }, new Tensor[] {tall(21, 2, 4, 3), r(22, 2, 4, 2)}),
        Arguments.of("pinv tall", (Function<Tensor[], Tensor>) x -> Linalg.pinv(x[0]), pinv(), new Tensor[] {tall(23, 4, 3)}),
        Arguments.of("pinv wide", (Function<Tensor[], Tensor>) x -> Linalg.pinv(x[0]), pinv(),
            new Tensor[] {tall(24, 4, 3).t().contiguous()}),
        Arguments.of("vectorNorm 3", (Function<Tensor[], Tensor>) x -> Linalg.vectorNorm(x[0], 3.0), new Pair() {
          public Tensor jvp(Tensor[] t, Tensor out, Tensor[] x) {
            return CompositeRules.vectorNormJvp(t[0], 0, out, x[0], 3.0);
          }

          public dev.adjoint.autograd.Grads vjp(Tensor w, Tensor out, Tensor[] x) {
            return CompositeRules.vectorNormVjp(w, out, x[0], 3.0);
          }
        }, new Tensor[] {r(25, 3, 4)}),
        Arguments.of("vectorNorm dims 2", (Function<Tensor[], Tensor>) x -> Linalg.vectorNorm(x[0], 2, last, false),
            dims(2, last, false), new Tensor[] {r(26, 3, 4)}),
        Arguments.of("vectorNorm dims 1 keepDim", (Function<Tensor[], Tensor>) x -> Linalg.vectorNorm(x[0], 1, last,
            true), dims(1, last, true), new Tensor[] {r(27, 3, 4)}),
        Arguments.of("vectorNorm dims inf", (Function<Tensor[], Tensor>) x -> Linalg.vectorNorm(x[0], inf, last,
            false), dims(inf, last, false), new Tensor[] {r(28, 3, 4)}),
        Arguments.of("matrixNorm fro", (Function<Tensor[], Tensor>) x -> Linalg.matrixNorm(x[0], "fro"),
            matrixNorm("fro"), new Tensor[] {r(29, 2, 3, 4)}),
        Arguments.of("matrixNorm nuc", (Function<Tensor[], Tensor>) x -> Linalg.matrixNorm(x[0], "nuc"),
            matrixNorm("nuc"), new Tensor[] {r(30, 4, 3)}),
        Arguments.of("matrixNorm 2", (Function<Tensor[], Tensor>) x -> Linalg.matrixNorm(x[0], "2"),
            matrixNorm("2"), new Tensor[] {r(31, 3, 4)}),
        Arguments.of("matrixNorm -2", (Function<Tensor[], Tensor>) x -> Linalg.matrixNorm(x[0], "-2"),
            matrixNorm("-2"), new Tensor[] {r(32, 2, 4, 3)}));
  }

  private static Pair pinv() {
    return new Pair() {
      public Tensor jvp(Tensor[] t, Tensor out, Tensor[] x) {
        return CompositeRules.pinvJvp(t[0], out, x[0]);
      }

      public dev.adjoint.autograd.Grads vjp(Tensor w, Tensor out, Tensor[] x) {
        return CompositeRules.pinvVjp(w, out, x[0]);
      }
    };
  }

  private static Pair dims(double ord, int[] dims, boolean keepDim) {
    return new Pair() {
      public Tensor jvp(Tensor[] t, Tensor out, Tensor[] x) {
        return CompositeRules.vectorNormDimsJvp(t[0], 0, out, x[0], ord, dims, keepDim);
      }

      public dev.adjoint.autograd.Grads vjp(Tensor w, Tensor out, Tensor[] x) {
        return CompositeRules.vectorNormDimsVjp(w, out, x[0], ord, dims, keepDim);
      }
    };
  }

  private static Pair matrixNorm(String ord) {
    return new Pair() {
      public Tensor jvp(Tensor[] t, Tensor out, Tensor[] x) {
        return CompositeRules.matrixNormJvp(t[0], out, x[0], ord);
      }

      public dev.adjoint.autograd.Grads vjp(Tensor w, Tensor out, Tensor[] x) {
        return CompositeRules.matrixNormVjp(w, out, x[0], ord);
      }
    };
  }

  /**
   * The row's JVP is the transpose of its adjoint, ⟨J·v, w⟩ = ⟨v, Jᵀ·w⟩, and the central difference of the forward
   * along v (float64, 1e-6 relative).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("jvps")
  void jvpIsTheAdjointsTransposeAndTheCentralDifference(String name, Function<Tensor[], Tensor> f, Pair row,
      Tensor[] x) {
    Tensor out = f.apply(x);
    Tensor[] v = new Tensor[x.length];
    for (int i = 0; i < x.length; i++) {
      v[i] = r(100 + i, x[i].shape());
    }
    Tensor jv = row.jvp(v, out, x);
    Tensor w = r(200, out.shape());
    var grads = row.vjp(w, out, x);
    double lhs = jv.mul(w).sum().itemDouble();
    double rhs = 0;
    for (int i = 0; i < x.length; i++) {
      rhs += grads.get(i).mul(v[i]).sum().itemDouble();
    }
    assertEquals(lhs, rhs, 1e-10 * Math.max(1, Math.abs(lhs)), name + ": <Jv, w> = <v, J'w>");
    double h = 1e-6;
    Tensor[] plus = new Tensor[x.length];
    Tensor[] minus = new Tensor[x.length];
    for (int i = 0; i < x.length; i++) {
      plus[i] = x[i].add(v[i].mul(h));
      minus[i] = x[i].sub(v[i].mul(h));
    }
    double[] fd = f.apply(plus).sub(f.apply(minus)).div(2 * h).toDoubleArray();
    double[] got = jv.toDoubleArray();
    for (int i = 0; i < got.length; i++) {
      assertEquals(fd[i], got[i], 1e-6 * Math.max(1, Math.abs(fd[i])), name + ": JVP element " + i);
    }
  }
}
