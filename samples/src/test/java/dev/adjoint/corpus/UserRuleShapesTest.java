package dev.adjoint.corpus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.adjoint.Tensor;
import dev.adjoint.Tensor.DType;
import dev.adjoint.autograd.Function;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * User derivative rules whose gradient is a broadcast (an outside user's findings A1, A2 and D1, session 10), against
 * central differences of the user's methods and PyTorch 1.13 ({@code user_rule_goldens.py}: a
 * {@code torch.autograd.Function} with the same backward, whose unreduced gradient PyTorch's engine sums to the
 * input's shape). Every form sums it alike — {@code *ValueAndGrad}, the pullback, the tracked node's backward,
 * forward mode through the adjoint — and a gradient or tangent that cannot be right throws naming the rule, the
 * input, both shapes and the user's line.
 */
class UserRuleShapesTest {
  private static JsonObject goldens;

  @BeforeAll
  static void load() throws Exception {
    try (var in = new InputStreamReader(UserRuleShapesTest.class.getResourceAsStream("/goldens/user_rules.json"),
        StandardCharsets.UTF_8)) {
      goldens = JsonParser.parseReader(in).getAsJsonObject();
    }
  }

  private static double[] doubles(JsonArray a) {
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).getAsDouble();
    }
    return out;
  }

  private static double[] flat(String key) {
    JsonArray a = goldens.getAsJsonArray(key);
    if (a.get(0).isJsonArray()) {
      double[] out = new double[0];
      for (var row : a) {
        double[] r = doubles(row.getAsJsonArray());
        double[] both = Arrays.copyOf(out, out.length + r.length);
        System.arraycopy(r, 0, both, out.length, r.length);
        out = both;
      }
      return out;
    }
    return doubles(a);
  }

  private static Tensor x() {
    return Tensor.wrap(flat("x"), 2, 3);
  }

  private static Tensor b() {
    return Tensor.wrap(flat("b"), 3);
  }

  private static Tensor tx() {
    return Tensor.wrap(flat("tx"), 2, 3);
  }

  private static Tensor tb() {
    return Tensor.wrap(flat("tb"), 3);
  }

  /** Central differences in double of {@code f} with respect to every element of {@code in[k]}. */
  private static double[] fd(ToDoubleFunction<Tensor[]> f, Tensor[] in, int k) {
    double[] base = in[k].toDoubleArray();
    double[] out = new double[base.length];
    double h = 1e-6;
    for (int i = 0; i < base.length; i++) {
      Tensor[] plus = in.clone();
      Tensor[] minus = in.clone();
      double[] p = base.clone();
      double[] m = base.clone();
      p[i] += h;
      m[i] -= h;
      plus[k] = Tensor.wrap(p, in[k].shape());
      minus[k] = Tensor.wrap(m, in[k].shape());
      out[i] = (f.applyAsDouble(plus) - f.applyAsDouble(minus)) / (2 * h);
    }
    return out;
  }

  private static void close(double[] want, Tensor got, double tol, String what) {
    assertNotNull(got, what);
    double[] g = got.toDoubleArray();
    assertEquals(want.length, g.length, what + ": " + Arrays.toString(got.shape()));
    for (int i = 0; i < g.length; i++) {
      assertEquals(want[i], g[i], tol * Math.max(1, Math.abs(want[i])), what + "[" + i + "]");
    }
  }

  /** The outside user's {@code SwishShapeTest}: the gradient of {@code b} is [3], the column sums, as PyTorch's. */
  @Test
  void anUnreducedBroadcastGradientIsSummedAsPyTorchSumsIt() {
    for (int n = 1; n <= 3; n++) {
      JsonObject want = goldens.getAsJsonObject("useSwish_n" + n);
      var vg = UserRuleShapesDiff.useSwishValueAndGrad(x(), b(), n);
      assertArrayEquals(new int[] {3}, vg.gradient().b().shape(), "n=" + n);
      assertEquals(want.get("value").getAsDouble(), vg.value().itemDouble(), 1e-12, "n=" + n);
      close(doubles(want.getAsJsonArray("grad0")), vg.gradient().x(), 1e-12, "torch gx n=" + n);
      close(doubles(want.getAsJsonArray("grad1")), vg.gradient().b(), 1e-12, "torch gb n=" + n);
      int nn = n;
      ToDoubleFunction<Tensor[]> f = a -> UserRuleShapes.useSwish(a[0], a[1], nn).itemDouble();
      close(fd(f, new Tensor[] {x(), b()}, 0), vg.gradient().x(), 1e-6, "fd gx n=" + n);
      close(fd(f, new Tensor[] {x(), b()}, 1), vg.gradient().b(), 1e-6, "fd gb n=" + n);
    }
    // the outside user's numbers: FD of the plain method [1.23703, -0.02167, 0.20984]
    close(new double[] {1.23703, -0.02167, 0.20984}, UserRuleShapesDiff.useSwishValueAndGrad(x(), b(), 1).gradient().b(),
        1e-5, "the finding's column sums");
    // n = 0: b does not reach the result
    var none = UserRuleShapesDiff.useSwishValueAndGrad(x(), b(), 0).gradient().b();
    assertTrue(none == null || Arrays.stream(none.toDoubleArray()).allMatch(v -> v == 0), "n=0");
  }

  /** The tracked node's backward (which blamed Adjoint: "a bug in the rule; please report it") gives the same. */
  @Test
  void theTrackedBackwardSumsItToo() {
    for (int n = 1; n <= 3; n++) {
      Tensor x = x().requiresGrad(true);
      Tensor b = b().requiresGrad(true);
      UserRuleShapesDiff.useSwish(x, b, n).backward();
      JsonObject want = goldens.getAsJsonObject("useSwish_n" + n);
      assertArrayEquals(new int[] {3}, b.grad().shape());
      close(doubles(want.getAsJsonArray("grad1")), b.grad(), 1e-12, "tracked gb n=" + n);
      close(doubles(want.getAsJsonArray("grad0")), x.grad(), 1e-12, "tracked gx n=" + n);
    }
    Tensor b = b().requiresGrad(true);
    UserRuleShapesDiff.swishOnce(x(), b).backward();
    close(doubles(goldens.getAsJsonObject("swishOnce").getAsJsonArray("grad1")), b.grad(), 1e-12, "straight-line");
    var pb = UserRuleShapesDiff.swishOncePullback(x(), b());
    close(doubles(goldens.getAsJsonObject("swishOnce").getAsJsonArray("grad1")),
        pb.backward(Tensor.onesLike(pb.value())).b(), 1e-12, "pullback");
  }

  /** Forward mode: the user's JVP, and a rule without one (its unreduced adjoint through {@code Jvps.viaVjp}). */
  @Test
  void forwardModeAgreesWithPyTorch() {
    for (int n = 1; n <= 3; n++) {
      double want = goldens.getAsJsonObject("useSwish_n" + n).get("jvp").getAsDouble();
      assertEquals(want, UserRuleShapesDiff.useSwishJvp(x(), b(), n, tx(), tb()).tangent().itemDouble(), 1e-12,
          "n=" + n);
    }
    JsonObject once = goldens.getAsJsonObject("swishOnce");
    assertEquals(once.get("jvp").getAsDouble(),
        UserRuleShapesDiff.useSwishNoJvpJvp(x(), b(), tx(), tb()).tangent().itemDouble(), 1e-12, "viaVjp");
    var vg = UserRuleShapesDiff.useSwishNoJvpValueAndGrad(x(), b());
    close(doubles(once.getAsJsonArray("grad1")), vg.gradient().b(), 1e-12, "no-JVP rule's gb");
  }

  /** Central difference in double of {@code f} along {@code t}. */
  private static double fdAlong(ToDoubleFunction<Tensor[]> f, Tensor[] in, Tensor[] t) {
    double h = 1e-6;
    Tensor[] plus = new Tensor[in.length];
    Tensor[] minus = new Tensor[in.length];
    for (int i = 0; i < in.length; i++) {
      plus[i] = in[i].add(t[i].mul(h));
      minus[i] = in[i].sub(t[i].mul(h));
    }
    return (f.applyAsDouble(plus) - f.applyAsDouble(minus)) / (2 * h);
  }

  /**
   * A per-input rule ({@code wrt = 1}) returning the gradient itself, unreduced: summed the same way; its forward
   * mode (whose generated code added two tensors with {@code +} before) equals central differences.
   */
  @Test
  void aPerInputRuleIsSummedToo() {
    Tensor w = b();
    var vg = UserRuleShapesDiff.useScaleRowsValueAndGrad(x(), w);
    assertArrayEquals(new int[] {3}, vg.gradient().w().shape());
    ToDoubleFunction<Tensor[]> f = a -> UserRuleShapes.useScaleRows(a[0], a[1]).itemDouble();
    close(fd(f, new Tensor[] {x(), w}, 1), vg.gradient().w(), 1e-6, "fd gw");
    close(fd(f, new Tensor[] {x(), w}, 0), vg.gradient().x(), 1e-6, "fd gx");
    assertEquals(fdAlong(f, new Tensor[] {x(), w}, new Tensor[] {tx(), tb()}),
        UserRuleShapesDiff.useScaleRowsJvp(x(), w, tx(), tb()).tangent().itemDouble(), 1e-7, "jvp");
  }

  /**
   * Forward mode through a rule without a JVP is {@code J·ṫ} (Adjoints.ruleJvp), not the adjoint applied to the
   * tangent ({@code Jᵀ·ṫ}, which it was: a silent wrong tangent for a non-symmetric Jacobian), also for a
   * package-private rule and for one whose body the eager engine cannot follow.
   */
  @Test
  void forwardModeThroughARuleIsTheJacobianTimesTheTangent() {
    Tensor x = Tensor.wrap(new double[] {0.3, -0.7}, 2);
    Tensor t = Tensor.wrap(new double[] {1.0, 0.5}, 2);
    ToDoubleFunction<Tensor[]> f = a -> UserRuleShapes.useSkew(a[0]).itemDouble();
    double want = fdAlong(f, new Tensor[] {x}, new Tensor[] {t});
    assertEquals(want, UserRuleShapesDiff.useSkewJvp(x, t).tangent().itemDouble(), 1e-7);
    // Aᵀ·ṫ would give another number: the test can tell them apart
    Tensor ax = Tensor.wrap(new double[] {1 * 0.3 + 2 * -0.7, -0.7}, 2);
    double transposed = ax.mul(2).mul(Tensor.wrap(new double[] {1.0, 2 * 1.0 + 0.5}, 2)).sum().itemDouble();
    assertTrue(Math.abs(transposed - want) > 0.1, transposed + " vs " + want);
    ToDoubleFunction<Tensor[]> g = a -> UserRuleShapes.useTwice(a[0]).itemDouble();
    assertEquals(fdAlong(g, new Tensor[] {x}, new Tensor[] {t}), UserRuleShapesDiff.useTwiceJvp(x, t).tangent()
        .itemDouble(), 1e-7);
  }

  private static String line(String statement) throws Exception {
    List<String> lines = Files.readAllLines(Path.of("src/test/java/dev/adjoint/corpus/UserRuleShapes.java"));
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(statement)) {
        return "UserRuleShapes.java:" + (i + 1);
      }
    }
    throw new AssertionError("no line " + statement);
  }

  /** A gradient the input does not broadcast to: an error naming the rule, its parameter, both shapes, the line. */
  @Test
  void aGradientThatCannotBeSummedNamesTheRule() throws Exception {
    String at = line("return swishBad(x, b).square().sum();");
    for (var call : List.<Runnable>of(() -> UserRuleShapesDiff.useSwishBadValueAndGrad(x(), b()),
        () -> UserRuleShapesDiff.useSwishBad(x(), b().requiresGrad(true)).backward())) {
      String m = assertThrows(IllegalStateException.class, call::run).getMessage();
      for (String part : List.of("UserRuleShapes.swishBadVjp returned a gradient of shape [3, 2] for beta, whose shape"
          + " is [3]", at, "fix the @Derivative rule")) {
        assertTrue(m.contains(part), m);
      }
    }
  }

  /** A user JVP whose tangent is not its result's shape (here [3] for [2, 3]): refused as PyTorch refuses it. */
  @Test
  void aTangentOfAnotherShapeNamesTheRule() throws Exception {
    String m = assertThrows(IllegalStateException.class,
        () -> UserRuleShapesDiff.useSwishBadTangentJvp(x(), b(), tx(), tb())).getMessage();
    for (String part : List.of("UserRuleShapes.swishBadTangentJvp returned a tangent of shape [3] for a result of"
        + " shape [2, 3]", line("return swishBadTangent(x, b).square().sum();"))) {
      assertTrue(m.contains(part), m);
    }
    // its adjoint is right: the reverse forms work
    close(doubles(goldens.getAsJsonObject("swishOnce").getAsJsonArray("grad1")),
        UserRuleShapesDiff.useSwishBadTangentValueAndGrad(x(), b()).gradient().b(), 1e-12, "reverse");
  }

  /** PyTorch's {@code Swish} function as an eager {@link Function} (finding A2). */
  static final class Swish extends Function {
    @Override
    public Object[] forward(Ctx ctx, Object... in) {
      Tensor x = (Tensor) in[0];
      Tensor beta = (Tensor) in[1];
      ctx.saveForBackward(x, beta);
      return new Tensor[] {x.mul(x.mul(beta).sigmoid())};
    }

    @Override
    public Tensor[] backward(Ctx ctx, Tensor... g) {
      Tensor x = ctx.savedTensors()[0];
      Tensor beta = ctx.savedTensors()[1];
      Tensor s = x.mul(beta).sigmoid();
      Tensor ds = s.mul(s.neg().add(1));
      return new Tensor[] {g[0].mul(s.add(x.mul(beta).mul(ds))), g[0].mul(x.square().mul(ds))};
    }
  }

  /** A function whose gradient for its second input does not broadcast to it. */
  static final class Bad extends Function {
    @Override
    public Object[] forward(Ctx ctx, Object... in) {
      return new Tensor[] {((Tensor) in[0]).mul((Tensor) in[1])};
    }

    @Override
    public Tensor[] backward(Ctx ctx, Tensor... g) {
      return new Tensor[] {g[0], g[0].t()};
    }
  }

  /** An eager custom function returning a broadcastable gradient: summed like torch 1.13, errors as torch's. */
  @Test
  void anEagerFunctionSumsABroadcastGradient() {
    Tensor x = x().requiresGrad(true);
    Tensor b = b().requiresGrad(true);
    new Swish().apply(x, b).square().sum().backward();
    JsonObject want = goldens.getAsJsonObject("function");
    assertArrayEquals(new int[] {3}, b.grad().shape());
    close(doubles(want.getAsJsonArray("gb")), b.grad(), 1e-12, "function gb");
    close(doubles(want.getAsJsonArray("gx")), x.grad(), 1e-12, "function gx");
    String m = assertThrows(IllegalStateException.class,
        () -> new Bad().apply(x().requiresGrad(true), b().requiresGrad(true)).sum().backward()).getMessage();
    assertTrue(m.contains(goldens.get("badFunctionError").getAsString()), m);
  }

  /** {@code zerosLike}, {@code onesLike}, {@code zeros(shape, x.dtype())} are constants (finding D1). */
  @Test
  void tensorFactoriesFromAnInputAreConstants() {
    JsonObject acc = goldens.getAsJsonObject("zerosLikeAccumulator_n3");
    var vg = UserRuleShapesDiff.zerosLikeAccumulatorValueAndGrad(x(), 3);
    assertEquals(DType.FLOAT64, vg.value().dtype());
    assertEquals(acc.get("value").getAsDouble(), vg.value().itemDouble(), 1e-12);
    close(doubles(acc.getAsJsonArray("grad0")), vg.gradient().x(), 1e-12, "zerosLike torch");
    close(fd(a -> UserRuleShapes.zerosLikeAccumulator(a[0], 3).itemDouble(), new Tensor[] {x()}, 0),
        vg.gradient().x(), 1e-6, "zerosLike fd");
    assertEquals(acc.get("jvp").getAsDouble(),
        UserRuleShapesDiff.zerosLikeAccumulatorJvp(x(), 3, tx()).tangent().itemDouble(), 1e-12, "zerosLike jvp");

    JsonObject ofDtype = goldens.getAsJsonObject("zerosOfDtype");
    var vd = UserRuleShapesDiff.zerosOfDtypeValueAndGrad(b());
    assertEquals(DType.FLOAT64, vd.gradient().x().dtype());
    close(doubles(ofDtype.getAsJsonArray("grad0")), vd.gradient().x(), 1e-12, "zeros(shape, dtype)");
    assertEquals(ofDtype.get("jvp").getAsDouble(), UserRuleShapesDiff.zerosOfDtypeJvp(b(), tb()).tangent()
        .itemDouble(), 1e-12);

    JsonObject ones = goldens.getAsJsonObject("onesLikeScale");
    Tensor w = Tensor.wrap(new double[] {1.2, 0.3, -0.8}, 3);
    var vo = UserRuleShapesDiff.onesLikeScaleValueAndGrad(x(), w);
    close(doubles(ones.getAsJsonArray("grad0")), vo.gradient().x(), 1e-12, "onesLike gx");
    close(doubles(ones.getAsJsonArray("grad1")), vo.gradient().w(), 1e-12, "onesLike gw");
    Tensor tw = Tensor.wrap(new double[] {0.3, -0.2, 0.5}, 3);
    assertEquals(ones.get("jvp").getAsDouble(), UserRuleShapesDiff.onesLikeScaleJvp(x(), w, tx(), tw).tangent()
        .itemDouble(), 1e-12, "onesLike jvp");
    // second order: the HVP equals central differences of the generated gradient along the direction
    var hv = UserRuleShapesDiff.onesLikeScaleHvp(x(), w, tx(), tw);
    double h = 1e-6;
    for (int k = 0; k < 2; k++) {
      Tensor xp = x().add(tx().mul(h));
      Tensor wp = w.add(tw.mul(h));
      Tensor xm = x().sub(tx().mul(h));
      Tensor wm = w.sub(tw.mul(h));
      var gp = UserRuleShapesDiff.onesLikeScaleValueAndGrad(xp, wp).gradient();
      var gm = UserRuleShapesDiff.onesLikeScaleValueAndGrad(xm, wm).gradient();
      Tensor want = (k == 0 ? gp.x().sub(gm.x()) : gp.w().sub(gm.w())).div(2 * h);
      close(want.toDoubleArray(), k == 0 ? hv.x() : hv.w(), 1e-6, "onesLike hvp " + k);
    }
    Tensor xx = x().requiresGrad(true);
    UserRuleShapesDiff.zerosLikeAccumulator(xx, 3).backward();
    close(doubles(acc.getAsJsonArray("grad0")), xx.grad(), 1e-12, "zerosLike tracked");
  }
}
