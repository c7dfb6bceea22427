package dev.adjoint.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import dev.adjoint.processor.diag.Message;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * The shape corpus: methods whose {@code @Shape}s fit compile without a warning under {@code -Xlint:all}; methods
 * with a mismatch (in the forward, or only in the generated backward through a user rule) are each rejected with
 * one {@code [Adjoint/ShapeMismatch]} at the marked line, naming both shapes.
 */
final class ShapeCorpusTest {
  private static final String HEADER = """
      package shapes;

      import dev.adjoint.Tensor;
      import dev.adjoint.annotation.Derivative;
      import dev.adjoint.annotation.Differentiable;
      import dev.adjoint.annotation.Shape;
      import dev.adjoint.autograd.Grads;
      import dev.adjoint.nn.F;
      import dev.adjoint.nn.Linear;
      import java.util.List;
      """;

  /** Correct methods, one per entry (a static method of class {@code Good}). */
  static final List<String> GOOD = List.of(
      """
      @Differentiable @Shape("B, 10")
      static Tensor affine(@Shape("B, 784") Tensor x, @Shape("784, 10") Tensor w, @Shape("10") Tensor b) {
        return x.matmul(w).add(b);
      }""",
      """
      @Differentiable @Shape("B, N")
      static Tensor sameShape(@Shape("B, N") Tensor a, @Shape("B, N") Tensor b) {
        return a.mul(b).sub(a);
      }""",
      """
      @Differentiable @Shape("B, N")
      static Tensor rowBroadcast(@Shape("B, N") Tensor a, @Shape("N") Tensor b) {
        return a.add(b).div(b);
      }""",
      """
      @Differentiable @Shape("B, N")
      static Tensor scalarOps(@Shape("B, N") Tensor a, double s) {
        return a.mul(s).add(1.0).pow(2);
      }""",
      """
      @Differentiable @Shape("")
      static Tensor total(@Shape("B, N") Tensor a) {
        return a.sum();
      }""",
      """
      @Differentiable @Shape("B")
      static Tensor rowSums(@Shape("B, N") Tensor a) {
        return a.sum(1);
      }""",
      """
      @Differentiable @Shape("B, 1")
      static Tensor rowSumsKept(@Shape("B, N") Tensor a) {
        return a.sum(1, true);
      }""",
      """
      @Differentiable @Shape("N")
      static Tensor columnMeans(@Shape("B, N") Tensor a) {
        return a.mean(0);
      }""",
      """
      @Differentiable @Shape("B")
      static Tensor rowMax(@Shape("B, N") Tensor a) {
        return a.max(1);
      }""",
      """
      @Differentiable @Shape("24")
      static Tensor flat(@Shape("4, 6") Tensor a) {
        return a.reshape(-1);
      }""",
      """
      @Differentiable @Shape("B, 6")
      static Tensor mergeLast(@Shape("B, 2, 3") Tensor a) {
        return a.reshape(-1, 6);
      }""",
      """
      @Differentiable @Shape("2, 12")
      static Tensor viewed(@Shape("4, 6") Tensor a) {
        return a.view(2, 12);
      }""",
      """
      @Differentiable @Shape("N, B")
      static Tensor swapped(@Shape("B, N") Tensor a) {
        return a.transpose(0, 1);
      }""",
      """
      @Differentiable @Shape("N, B")
      static Tensor transposed(@Shape("B, N") Tensor a) {
        return a.t();
      }""",
      """
      @Differentiable @Shape("C, A, B")
      static Tensor permuted(@Shape("A, B, C") Tensor a) {
        return a.permute(2, 0, 1);
      }""",
      """
      @Differentiable @Shape("1, N")
      static Tensor unsqueezed(@Shape("N") Tensor a) {
        return a.unsqueeze(0);
      }""",
      """
      @Differentiable @Shape("B")
      static Tensor squeezed(@Shape("B, 1") Tensor a) {
        return a.squeeze(1);
      }""",
      """
      @Differentiable @Shape("B, 7")
      static Tensor concatenated(@Shape("B, 3") Tensor a, @Shape("B, 4") Tensor b) {
        return Tensor.cat(List.of(a, b), 1);
      }""",
      """
      @Differentiable @Shape("2, N")
      static Tensor stacked(@Shape("N") Tensor a, @Shape("N") Tensor b) {
        return Tensor.stack(List.of(a, b), 0);
      }""",
      """
      @Differentiable @Shape("B, C")
      static Tensor probabilities(@Shape("B, C") Tensor logits) {
        return F.softmax(logits, 1);
      }""",
      """
      @Differentiable @Shape("B, C")
      static Tensor logProbabilities(@Shape("B, C") Tensor logits) {
        return F.logSoftmax(logits, -1);
      }""",
      """
      @Differentiable(wrt = "logits") @Shape("")
      static Tensor classification(@Shape("B, C") Tensor logits, @Shape("B") Tensor target) {
        return F.crossEntropy(logits, target);
      }""",
      """
      @Differentiable @Shape("")
      static Tensor regression(@Shape("B, 1") Tensor prediction, @Shape("B, 1") Tensor target) {
        return F.mseLoss(prediction, target);
      }""",
      """
      @Differentiable @Shape("B, N")
      static Tensor activations(@Shape("B, N") Tensor a) {
        return F.tanh(F.sigmoid(a.relu()));
      }""",
      """
      @Differentiable @Shape("B, 128")
      static Tensor functionalLinear(@Shape("B, 784") Tensor x, @Shape("128, 784") Tensor w, @Shape("128") Tensor b) {
        return F.linear(x, w, b);
      }""",
      """
      @Differentiable @Shape("K, B, M")
      static Tensor batched(@Shape("K, B, N") Tensor a, @Shape("N, M") Tensor b) {
        return a.matmul(b);
      }""",
      """
      @Differentiable @Shape("B")
      static Tensor matrixVector(@Shape("B, N") Tensor a, @Shape("N") Tensor v) {
        return a.matmul(v);
      }""",
      """
      @Differentiable @Shape("B, 10")
      static Tensor symbolicFeatures(@Shape("B, N") Tensor x, @Shape("784, 10") Tensor w) {
        return x.matmul(w);
      }""",
      """
      @Differentiable @Shape("B, 10")
      static Tensor composed(@Shape("B, 784") Tensor x, @Shape("784, 10") Tensor w, @Shape("10") Tensor b) {
        Tensor h = affine(x, w, b);
        return h.relu();
      }""",
      """
      @Differentiable @Shape("N, 16, 26, 26")
      static Tensor convolved(@Shape("N, 1, 28, 28") Tensor x, @Shape("16, 1, 3, 3") Tensor w,
          @Shape("16") Tensor b) {
        return F.conv2d(x, w, b);
      }""",
      """
      @Differentiable @Shape("B, N")
      static Tensor branched(@Shape("B, N") Tensor a, @Shape("N") Tensor b, boolean flip) {
        Tensor y;
        if (flip) {
          y = a.sub(b);
        } else {
          y = a.add(b);
        }
        return y;
      }""",
      """
      @Differentiable @Shape("B, N")
      static Tensor looped(@Shape("B, N") Tensor a, @Shape("N, N") Tensor w, int steps) {
        Tensor h = a;
        for (int i = 0; i < steps; i++) {
          h = h.matmul(w).tanh();
        }
        return h;
      }""",
      """
      @Differentiable @Shape("B, N")
      static Tensor biased(@Shape("B, N") Tensor x, @Shape("N") Tensor b) {
        return addBias(x, b).relu();
      }""",
      """
      @Differentiable @Shape("B, N")
      static Tensor expanded(@Shape("N") Tensor a, @Shape("B, N") Tensor b) {
        return a.expandAs(b).mul(b);
      }""",
      """
      @Differentiable(wrt = "logits") @Shape("")
      static Tensor binary(@Shape("B, 1") Tensor logits, @Shape("B, 1") Tensor target) {
        return F.binaryCrossEntropyWithLogits(logits, target);
      }""",
      """
      @Differentiable @Shape("N")
      static Tensor row(@Shape("B, N") Tensor a) {
        return a.select(0, 1);
      }""",
      """
      @Differentiable @Shape("B, 10")
      static Tensor annotatedLocal(@Shape("B, 784") Tensor x, @Shape("784, 10") Tensor w) {
        @Shape("B, 10") Tensor h = x.matmul(w);
        return h.relu();
      }""",
      """
      @Differentiable
      static Tensor unannotated(Tensor a, Tensor b) {
        return a.matmul(b).sum();
      }""",
      // int[] constants: array literals, an int[] local, a static final int[] field, varargs
      """
      @Differentiable @Shape("8, 6")
      static Tensor repeatedRows(@Shape("4, 6") Tensor a) {
        return a.repeat(new int[] {2, 1});
      }""",
      """
      @Differentiable @Shape("3, 8")
      static Tensor reshapedByLocal(@Shape("4, 6") Tensor a) {
        int[] s = {3, -1};
        return a.reshape(s);
      }""",
      """
      @Differentiable @Shape("8, 18")
      static Tensor tiledByField(@Shape("4, 6") Tensor a) {
        return a.tile(PAIR);
      }""",
      """
      @Differentiable @Shape("B, 2, 6")
      static Tensor unflattened(@Shape("B, 12") Tensor a) {
        return a.unflatten(1, 2, -1);
      }""",
      """
      @Differentiable @Shape("B, 4, 5")
      static Tensor convolved1d(@Shape("B, 3, 10") Tensor x, @Shape("4, 3, 3") Tensor w, @Shape("4") Tensor b) {
        return F.conv1d(x, w, b, new int[] {2}, new int[] {1}, new int[] {1}, 1);
      }""",
      """
      @Differentiable @Shape("B, 3, 4, 4")
      static Tensor pooled(@Shape("B, 3, 8, 8") Tensor x) {
        return F.maxPool2d(x, new int[] {2}, new int[] {2}, new int[] {0}, new int[] {1}, false);
      }""",
      """
      @Differentiable @Shape("B, 3, 2, 2")
      static Tensor adaptivePooled(@Shape("B, 3, 8, 8") Tensor x) {
        return F.adaptiveAvgPool2d(x.relu(), new int[] {2, 2});
      }""",
      """
      @Differentiable @Shape("N")
      static Tensor mainDiagonal(@Shape("N, N") Tensor a) {
        return a.diagonal(0, 0, 1);
      }""",
      """
      @Differentiable @Shape("")
      static Tensor selected(@Shape("B, N") Tensor a, Tensor mask) {
        @Shape("_") Tensor picked = a.maskedSelect(mask);
        return picked.sum();
      }""");

  /** Helpers of {@code Good} (a primal with shapes and its rule that sums the broadcast back). */
  private static final String GOOD_HELPERS = """
      static final int[] PAIR = {2, 3};

      @Shape("B, N")
      static Tensor addBias(@Shape("B, N") Tensor x, @Shape("N") Tensor b) {
        return x.add(b);
      }

      @Derivative(of = Good.class, method = "addBias")
      static Grads addBiasVjp(Tensor g, Tensor out, Tensor x, Tensor b) {
        return Grads.of(g, g.sum(0));
      }
      """;

  /**
   * Methods with a mismatch: the line marked {@code //!} is where the error must be, and the strings after
   * {@code //!} (separated by {@code |}) must be in its message.
   */
  static final List<String> BAD = List.of(
      """
      @Differentiable
      static Tensor contraction(@Shape("B, 784") Tensor x, @Shape("128, 10") Tensor w) {
        return x.matmul(w); //! [B, 784] @ [128, 10]
      }""",
      """
      @Differentiable
      static Tensor addColumns(@Shape("B, 10") Tensor a, @Shape("B, 5") Tensor b) {
        return a.add(b); //! [B, 10] + [B, 5]|size of tensor a (10)
      }""",
      """
      @Differentiable
      static Tensor trailing(@Shape("3, 4") Tensor a, @Shape("3") Tensor b) {
        return a.mul(b); //! [3, 4] * [3]
      }""",
      """
      @Differentiable
      static Tensor linearIn(@Shape("B, 784") Tensor x, @Shape("128, 100") Tensor w, @Shape("128") Tensor b) {
        return F.linear(x, w, b); //! linear([B, 784], weight [128, 100])
      }""",
      """
      @Differentiable
      static Tensor linearBias(@Shape("B, 784") Tensor x, @Shape("128, 784") Tensor w, @Shape("64") Tensor b) {
        return F.linear(x, w, b); //! bias [64]|weight [128, 784]
      }""",
      """
      @Differentiable
      static Tensor reshapeCount(@Shape("4, 6") Tensor a) {
        return a.reshape(5, 5); //! input of size 24|[4, 6]
      }""",
      """
      @Differentiable
      static Tensor reshapeInfer(@Shape("4, 6") Tensor a) {
        return a.reshape(-1, 5); //! input of size 24|[4, 6]
      }""",
      """
      @Differentiable
      static Tensor reshapeLiteral(@Shape("4, 6") Tensor a) {
        return a.reshape(new int[] {5, 5}); //! input of size 24|[4, 6]
      }""",
      """
      @Differentiable
      static Tensor reshapeLocal(@Shape("4, 6") Tensor a) {
        int[] s = {-1, 5};
        return a.reshape(s); //! input of size 24|[4, 6]
      }""",
      """
      @Differentiable
      static Tensor repeatTooFew(@Shape("2, 4, 6") Tensor a) {
        return a.repeat(new int[] {2, 1}); //! can not be smaller|[2, 4, 6]
      }""",
      """
      @Differentiable @Shape("B, 4, 10")
      static Tensor convStrided(@Shape("B, 3, 10") Tensor x, @Shape("4, 3, 3") Tensor w) {
        return F.conv1d(x, w, null, new int[] {2}, new int[] {1}, new int[] {1}, 1); //! [B, 4, 5]|[B, 4, 10]
      }""",
      """
      @Differentiable
      static Tensor conv1dChannels(@Shape("B, 5, 10") Tensor x, @Shape("4, 3, 3") Tensor w) {
        return F.conv1d(x, w, null, new int[] {1}, new int[] {0}, new int[] {1}, 1); //! [B, 5, 10]|[4, 3, 3]
      }""",
      """
      @Differentiable @Shape("B, 3, 4, 4")
      static Tensor poolStride(@Shape("B, 3, 8, 8") Tensor x) {
        return F.maxPool2d(x, new int[] {2}, new int[] {1}, new int[] {0}, new int[] {1}, false); //! [B, 3, 7, 7]
      }""",
      """
      @Differentiable
      static Tensor unflattenCount(@Shape("B, 12") Tensor a) {
        return a.unflatten(1, 5, -1); //! input of size 12|[B, 12]
      }""",
      """
      @Differentiable
      static Tensor reshapeTwice(@Shape("4, 6") Tensor a) {
        return a.reshape(-1, -1); //! only one dimension can be inferred|[4, 6]
      }""",
      """
      @Differentiable
      static Tensor transposeRange(@Shape("B, N") Tensor a) {
        return a.transpose(0, 2); //! [B, N]|dimension out of range
      }""",
      """
      @Differentiable
      static Tensor permuteCount(@Shape("A, B, C") Tensor a) {
        return a.permute(1, 0); //! [A, B, C]|[1, 0]
      }""",
      """
      @Differentiable
      static Tensor transpose3d(@Shape("A, B, C") Tensor a) {
        return a.t(); //! [A, B, C]|<= 2 dimensions
      }""",
      """
      @Differentiable
      static Tensor catSizes(@Shape("2, 3") Tensor a, @Shape("4, 5") Tensor b) {
        return Tensor.cat(List.of(a, b), 0); //! [2, 3] and [4, 5]
      }""",
      """
      @Differentiable
      static Tensor stackSizes(@Shape("3") Tensor a, @Shape("4") Tensor b) {
        return Tensor.stack(List.of(a, b), 0); //! [3] and [4]
      }""",
      """
      @Differentiable @Shape("B, 5")
      static Tensor declaredResult(@Shape("B, 784") Tensor x, @Shape("784, 10") Tensor w) {
        return x.matmul(w); //! returns [B, 10]|[B, 5]
      }""",
      """
      @Differentiable(wrt = "logits")
      static Tensor batchSizes(@Shape("32, 10") Tensor logits, @Shape("16") Tensor target) {
        return F.crossEntropy(logits, target); //! [32, 10]|[16]
      }""",
      """
      @Differentiable
      static Tensor regressionSizes(@Shape("B, 10") Tensor p, @Shape("B, 5") Tensor t) {
        return F.mseLoss(p, t); //! [B, 10]|[B, 5]
      }""",
      """
      @Differentiable(wrt = "logits")
      static Tensor binarySizes(@Shape("B, 1") Tensor logits, @Shape("B") Tensor target) {
        return F.binaryCrossEntropyWithLogits(logits, target); //! [B, 1]|[B]
      }""",
      """
      @Differentiable
      static Tensor scalarMatmul(@Shape("N") Tensor a, @Shape("N, M") Tensor b) {
        Tensor s = a.sum();
        return s.matmul(b); //! [] @ [N, M]
      }""",
      """
      @Differentiable
      static Tensor softmaxDim(@Shape("B, C") Tensor a) {
        return F.softmax(a, 2); //! [B, C]|dimension out of range
      }""",
      """
      @Differentiable
      static Tensor sumDim(@Shape("B, C") Tensor a) {
        return a.sum(2); //! [B, C]|dimension out of range
      }""",
      """
      @Differentiable
      static Tensor unsqueezeDim(@Shape("N") Tensor a) {
        return a.unsqueeze(3); //! [N]|dimension out of range
      }""",
      """
      @Differentiable
      static Tensor symbolsUnify(@Shape("B, N") Tensor x, @Shape("784, 10") Tensor w, @Shape("B, 10") Tensor c) {
        Tensor h = x.matmul(w);
        return x.add(c).add(h); //! [B, 784] + [B, 10]
      }""",
      """
      @Differentiable
      static Tensor calleeArgument(@Shape("B, 64") Tensor x, @Shape("784, 10") Tensor w, @Shape("10") Tensor b) {
        return Good.affine(x, w, b); //! Good.affine expects parameter 1, x, to be @Shape("B, 784"), got [B, 64]
      }""",
      """
      @Differentiable
      static Tensor backwardNotSummable(@Shape("2, 3") Tensor x, @Shape("3") Tensor b) {
        return badBias(x, b).sum(); //! in the backward|BadRules.badBiasVjp|[3, 2]|for b, whose shape is [3]
      }""",
      """
      @Differentiable
      static Tensor backwardReduced(@Shape("B, N") Tensor x) {
        return badSquare(x).sum(); //! in the backward|BadRules.badSquareVjp|[]|[B, N]
      }""",
      """
      @Differentiable
      static Tensor convChannels(@Shape("N, 3, 28, 28") Tensor x, @Shape("16, 1, 3, 3") Tensor w,
          @Shape("16") Tensor b) {
        return F.conv2d(x, w, b); //! [N, 3, 28, 28]|[16, 1, 3, 3]
      }""",
      """
      @Differentiable
      static Tensor inBranch(@Shape("B, 3") Tensor a, @Shape("B, 4") Tensor b, boolean c) {
        Tensor y = a;
        if (c) {
          y = a.sub(b); //! [B, 3] - [B, 4]
        }
        return y;
      }""",
      """
      @Differentiable
      static Tensor vector(@Shape("4, 5") Tensor a, @Shape("6") Tensor v) {
        return a.matmul(v); //! [4, 5] @ [6]
      }""",
      """
      @Differentiable
      static Tensor elementwiseMax(@Shape("2, 3") Tensor a, @Shape("3, 2") Tensor b) {
        return a.maximum(b); //! [2, 3] maximum [3, 2]
      }""",
      """
      @Differentiable
      static Tensor batchDims(@Shape("2, B, N") Tensor a, @Shape("3, N, M") Tensor b) {
        return a.matmul(b); //! [2] @ (batch) [3]
      }""",
      """
      @Differentiable
      static Tensor inLoop(@Shape("B, 4") Tensor a, @Shape("5, 5") Tensor w, int steps) {
        Tensor h = a;
        for (int i = 0; i < steps; i++) {
          h = h.matmul(w).tanh(); //! [B, 4] @ [5, 5]
        }
        return h;
      }""",
      """
      @Differentiable
      static Tensor squeezeThenAdd(@Shape("4, 1") Tensor a, @Shape("4, 2") Tensor b) {
        return a.squeeze(1).add(b); //! [4] + [4, 2]
      }""",
      """
      @Differentiable
      static Tensor localDeclared(@Shape("B, 784") Tensor x, @Shape("784, 10") Tensor w) {
        @Shape("B, 784") Tensor h = x.matmul(w); //! h is assigned a tensor of shape [B, 10]|[B, 784]
        return h;
      }""",
      """
      @Differentiable
      static Tensor localGivesShape(@Shape("B, 784") Tensor x) {
        @Shape("3, 3") Tensor m = Tensor.ones(3, 3);
        return x.matmul(m); //! [B, 784] @ [3, 3]
      }""");

  /** Modules and rules the bad corpus uses. */
  private static final String BAD_HELPERS = """
      @Shape("B, N")
      static Tensor badBias(@Shape("B, N") Tensor x, @Shape("N") Tensor b) {
        return x.add(b);
      }

      @Shape("B, N")
      static Tensor badSquare(@Shape("B, N") Tensor x) {
        return x.mul(x);
      }
      """;

  private static final String BAD_RULES = """
      package shapes;

      import dev.adjoint.Tensor;
      import dev.adjoint.annotation.Derivative;
      import dev.adjoint.autograd.Grads;

      final class BadRules {
        private BadRules() {}

        @Derivative(of = Bad.class, method = "badBias")
        static Grads badBiasVjp(Tensor g, Tensor out, Tensor x, Tensor b) {
          return Grads.of(g, g.t());
        }

        @Derivative(of = Bad.class, method = "badSquare")
        static Tensor badSquareVjp(Tensor g, Tensor out, Tensor x) {
          return g.mul(x).mul(2).sum();
        }
      }
      """;

  /** A module of library layers, shapes from the fields' initializers and a tensor field's {@code @Shape}. */
  private static final String GOOD_MODULE = HEADER + """

      public final class Net {
        final Linear fc1 = new Linear(28 * 28, 128);
        @Shape("10, 128") final Linear fc2 = new Linear(128, 10);
        @Shape("10") final Tensor scale = Tensor.ones(10);

        @Differentiable(wrt = "this") @Shape("B, 10")
        Tensor logits(@Shape("B, 784") Tensor x) {
          Tensor h = fc1.forward(x).relu();
          return fc2.forward(h).mul(scale);
        }
      }
      """;

  private static final String BAD_MODULE = HEADER + """

      public final class BadNet {
        final Linear fc1 = new Linear(784, 128);
        final Linear fc2 = new Linear(64, 10);
        @Shape("10, 784") final Tensor w = Tensor.ones(10, 784);

        @Differentiable(wrt = "this")
        Tensor logits(@Shape("B, 784") Tensor x) {
          return fc2.forward(fc1.forward(x)); //! linear([B, 128], weight [10, 64])
        }

        @Differentiable(wrt = "this")
        Tensor projected(@Shape("B, 784") Tensor x) {
          return x.matmul(w); //! [B, 784] @ [10, 784]
        }
      }
      """;

  private static String classOf(String name, List<String> methods, String helpers) {
    StringBuilder sb = new StringBuilder(HEADER).append("\nfinal class ").append(name).append(" {\n  private ")
        .append(name).append("() {}\n\n");
    sb.append(helpers.indent(2)).append('\n');
    for (String m : methods) {
      sb.append(m.indent(2)).append('\n');
    }
    return sb.append("}\n").toString();
  }

  private static JavaFileObject source(String fqcn, String text) {
    return com.google.testing.compile.JavaFileObjects.forSourceString(fqcn, text);
  }

  @Test
  void correctShapesCompileWithoutWarnings() throws IOException {
    Compilation c = Compile.compile(List.of(), source("shapes.Good", classOf("Good", GOOD, GOOD_HELPERS)),
        source("shapes.Net", GOOD_MODULE));
    assertThat(c).succeededWithoutWarnings();
    assertTrue(GOOD.size() >= 30, "corpus size " + GOOD.size());
    String generated = c.generatedSourceFile("shapes.GoodDiff").orElseThrow().getCharContent(true).toString();
    // a symbol equated with a constant is one check at entry, naming the line
    assertTrue(generated.contains("ShapeGuard.require(x.shape()[1] == 784,"), generated);
    assertTrue(generated.contains("x.matmul(w) needs N = 784 (x [B, N])"), generated);
    // (no fHvp: the result is declared [B, 10], more than one element, and its javadoc says so)
    assertEquals(3, generated.split("needs N = 784 \\(x \\[B, N\\]\\)", -1).length - 1,
        "the equation's check in the plain path, the pullback and fJvp");
    assertTrue(generated.contains("{@code symbolicFeaturesHessian}:") && !generated.contains("symbolicFeaturesHvp("),
        generated);
    // each annotated parameter's rank and constant sizes are a contract checked at entry
    assertTrue(generated.contains("ShapeGuard.require(x.shape().length == 2,"), generated);
    assertTrue(generated.contains("is declared @Shape(\\\"B, 784\\\")"), generated);
  }

  @Test
  void eachMismatchIsRejectedAtItsLineNamingBothShapes() {
    String bad = classOf("Bad", BAD, BAD_HELPERS);
    Compilation c = Compile.compile(List.of(), source("shapes.Bad", bad), source("shapes.BadRules", BAD_RULES),
        source("shapes.Good", classOf("Good", GOOD, GOOD_HELPERS)),
        source("shapes.BadNet", BAD_MODULE));
    assertThat(c).failed();
    List<Expected> expected = new ArrayList<>();
    expected.addAll(expectations("Bad.java", bad));
    expected.addAll(expectations("BadNet.java", BAD_MODULE));
    assertTrue(expected.size() >= 30, "corpus size " + expected.size());
    List<Diagnostic<? extends JavaFileObject>> errors = c.errors();
    List<String> problems = new ArrayList<>();
    for (Expected e : expected) {
      boolean found = errors.stream().anyMatch(d -> d.getSource() != null
          && d.getSource().getName().endsWith(e.file) && d.getLineNumber() == e.line
          && e.fragments.stream().allMatch(f -> d.getMessage(Locale.ROOT).contains(f))
          && d.getMessage(Locale.ROOT).startsWith(Message.SHAPE_MISMATCH.prefix().substring(0, 22)));
      if (!found) {
        problems.add(e.file + ":" + e.line + " " + e.fragments);
      }
    }
    assertTrue(problems.isEmpty(), "not reported as expected: " + problems + "\nerrors: " + errors);
    assertEquals(expected.size(), errors.size(), "one error per mismatch: " + errors);
  }

  /**
   * An outside user's repro (finding A1, session 10, {@code SwishShaped} and their {@code Rules.swish}, verbatim): the
   * rule returns beta's gradient unreduced ({@code [B, 3]} for {@code [3]}), which the generated backward sums back
   * as PyTorch does, so it compiles cleanly; {@code swish} has no {@code @Shape}, so its result's shape comes from its
   * body. A rule whose gradient cannot be summed back ({@code [3, 2]} for {@code [3]}) is an error at the call.
   */
  @Test
  void aRuleReturningAnUnreducedBroadcastGradientCompilesAndANonSummableOneDoesNot() throws IOException {
    String rules = """
        package app;

        import dev.adjoint.Tensor;
        import dev.adjoint.annotation.Derivative;

        public final class Rules {
          private Rules() {}

          public static Tensor swish(Tensor x, Tensor beta) {
            return x.mul(x.mul(beta).sigmoid());
          }

          @Derivative(of = Rules.class, method = "swish")
          public static dev.adjoint.autograd.Grads swishVjp(Tensor g, Tensor out, Tensor x, Tensor beta) {
            Tensor s = x.mul(beta).sigmoid();
            Tensor ds = s.mul(s.neg().add(1));
            return dev.adjoint.autograd.Grads.of(g.mul(s.add(x.mul(beta).mul(ds))), g.mul(x.square().mul(ds)));
          }

          public static Tensor swishT(Tensor x, Tensor beta) {
            return x.mul(x.mul(beta).sigmoid());
          }

          @Derivative(of = Rules.class, method = "swishT")
          public static dev.adjoint.autograd.Grads swishTVjp(Tensor g, Tensor out, Tensor x, Tensor beta) {
            Tensor s = x.mul(beta).sigmoid();
            Tensor ds = s.mul(s.neg().add(1));
            return dev.adjoint.autograd.Grads.of(g.mul(s.add(x.mul(beta).mul(ds))), g.mul(x.square().mul(ds)).t());
          }
        }
        """;
    String shaped = """
        package app;

        import dev.adjoint.Tensor;
        import dev.adjoint.annotation.Differentiable;
        import dev.adjoint.annotation.Shape;

        public final class SwishShaped {
          private SwishShaped() {}

          @Differentiable
          public static Tensor useSwish(@Shape("B, 3") Tensor x, @Shape("3") Tensor b) {
            return Rules.swish(x, b).square().sum();
          }
        }
        """;
    Compilation good = Compile.compile(List.of(), source("app.Rules", rules), source("app.SwishShaped", shaped));
    assertThat(good).succeededWithoutWarnings();
    String generated = good.generatedSourceFile("app.SwishShapedDiff").orElseThrow().getCharContent(true).toString();
    assertTrue(generated.contains("Adjoints.fromRule(gSwish1.get(1), b, \"Rules.swishVjp\", \"beta\","
        + " \"SwishShaped.java:12\")"), generated);
    Compilation bad = Compile.compile(List.of(), source("app.Rules", rules), source("app.SwishBad", """
        package app;

        import dev.adjoint.Tensor;
        import dev.adjoint.annotation.Differentiable;
        import dev.adjoint.annotation.Shape;

        public final class SwishBad {
          private SwishBad() {}

          @Differentiable
          public static Tensor useSwish(@Shape("2, 3") Tensor x, @Shape("3") Tensor b) {
            return Rules.swishT(x, b).square().sum();
          }
        }
        """));
    assertThat(bad).hadErrorContaining("[Adjoint/ShapeMismatch]");
    assertThat(bad).hadErrorContaining("in the backward, rule Rules.swishTVjp returns a gradient of shape [3, 2] for"
        + " beta (argument b), whose shape is [3]");
    assertThat(bad).hadErrorContaining("SwishBad.java:12");
    assertThat(bad).hadErrorCount(1);
  }

  @Test
  void aShapeThatIsNoShapeIsAnError() {
    Compilation c = Compile.compile(List.of(), source("shapes.Odd", HEADER + """

        final class Odd {
          private Odd() {}

          @Differentiable
          static Tensor f(@Shape("B, 7.5") Tensor x) {
            return x.sum();
          }
        }
        """));
    assertThat(c).hadErrorContaining("[Adjoint/BadShape] @Shape(\"B, 7.5\") on x: '7.5'");
    assertThat(c).hadErrorCount(1);
  }

  @Test
  void shapesOfALibraryInAJarAreCheckedAtTheCall(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    Compilation lib = Libraries.compile(new AdjointProcessor(), List.of(), List.of(), List.of(source("zoo.Layers", """
        package zoo;

        import dev.adjoint.Tensor;
        import dev.adjoint.annotation.Differentiable;
        import dev.adjoint.annotation.Shape;

        public final class Layers {
          private Layers() {}

          @Differentiable @Shape("B, 10")
          public static Tensor head(@Shape("B, 512") Tensor h, @Shape("512, 10") Tensor w) {
            return h.matmul(w);
          }
        }
        """)));
    assertThat(lib).succeededWithoutWarnings();
    java.nio.file.Path jar = Libraries.jar(lib, dir.resolve("zoo.jar"), name -> true);
    Compilation app = Libraries.compile(new AdjointProcessor(), List.of(jar), List.of(), List.of(source("app.App", """
        package app;

        import dev.adjoint.Tensor;
        import dev.adjoint.annotation.Differentiable;
        import dev.adjoint.annotation.Shape;
        import zoo.Layers;

        final class App {
          private App() {}

          @Differentiable @Shape("B, 10")
          static Tensor fits(@Shape("B, 512") Tensor h, @Shape("512, 10") Tensor w) {
            return Layers.head(h, w).relu();
          }

          @Differentiable
          static Tensor wrong(@Shape("B, 256") Tensor h, @Shape("512, 10") Tensor w) {
            return Layers.head(h, w);
          }
        }
        """)));
    assertThat(app).hadErrorCount(1);
    // parameter names are not in a class file compiled without -parameters
    assertThat(app).hadErrorContaining("App.java:18: Layers.head(h, w): Layers.head expects parameter 1, arg0, to be"
        + " @Shape(\"B, 512\"), got [B, 256]");
  }

  private record Expected(String file, long line, List<String> fragments) {}

  private static List<Expected> expectations(String file, String text) {
    List<Expected> out = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      int k = lines[i].indexOf("//!");
      if (k >= 0) {
        out.add(new Expected(file, i + 1, List.of(lines[i].substring(k + 3).strip().split("\\|"))));
      }
    }
    return out;
  }
}
