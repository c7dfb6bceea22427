package dev.adjoint.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Tensor;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/** Parameter groups, zeroGrad, skipping, closures, validation messages and state dicts. */
class OptimizerBehaviourTest {

  static Tensor rosen(Tensor p) {
    Tensor x = p.slice(0, 0, 1);
    Tensor y = p.slice(0, 1, 2);
    return x.rsub(1).pow(2).add(y.sub(x.pow(2)).pow(2).mul(100)).sum();
  }

  /** A factory per optimizer kind, on the given params, with non-default options where they exist. */
  static List<Function<List<Tensor>, Optimizer>> factories() {
    return List.of(
        ps -> new SGD(ps, SGD.options().lr(1e-3).momentum(0.9).nesterov(true)),
        ps -> new Adam(ps, Adam.options().lr(1e-2).amsgrad(true)),
        ps -> new AdamW(ps, AdamW.options().lr(1e-2)),
        ps -> new Adamax(ps, Adamax.options().lr(1e-2)),
        ps -> new Adagrad(ps, Adagrad.options().lr(1e-1).lrDecay(0.01)),
        ps -> new Adadelta(ps, Adadelta.options()),
        ps -> new RMSprop(ps, RMSprop.options().lr(1e-3).momentum(0.5).centered(true)),
        ps -> new Rprop(ps, Rprop.options().lr(1e-3)),
        ps -> new ASGD(ps, ASGD.options().lr(1e-3).t0(3)),
        ps -> new NAdam(ps, NAdam.options().lr(1e-2)),
        ps -> new RAdam(ps, RAdam.options().lr(1e-2)),
        ps -> new LBFGS(ps, LBFGS.options().lr(0.5).maxIter(3).historySize(4)),
        ps -> new LBFGS(ps, LBFGS.options().maxIter(5).lineSearchFn("strong_wolfe")));
  }

  static Closure closure(Optimizer opt, Tensor p) {
    return () -> {
      opt.zeroGrad();
      Tensor loss = rosen(p);
      loss.backward();
      return loss;
    };
  }

  @TestFactory
  Stream<DynamicTest> stateDictRoundTripContinuesTheTrajectoryIdentically() {
    List<DynamicTest> tests = new ArrayList<>();
    for (var factory : factories()) {
      Tensor probe = Tensor.of(0f, 0f).requiresGrad(true);
      String name = factory.apply(List.of(probe)).name();
      tests.add(DynamicTest.dynamicTest(name, () -> {
        Tensor p = Tensor.of(-1.5f, 2f).requiresGrad(true);
        Optimizer opt = factory.apply(List.of(p));
        for (int i = 0; i < 5; i++) {
          opt.step(closure(opt, p));
        }
        StateDict saved = opt.stateDict();
        float[] savedParams = p.toFloatArray();
        for (int i = 0; i < 5; i++) {
          opt.step(closure(opt, p));
        }
        float[] expected = p.toFloatArray();

        Tensor q = Tensor.wrap(savedParams.clone(), 2).requiresGrad(true);
        Optimizer fresh = factory.apply(List.of(q));
        fresh.loadStateDict(saved);
        for (int i = 0; i < 5; i++) {
          fresh.step(closure(fresh, q));
        }
        assertArrayEquals(expected, q.toFloatArray(), name + " continues bit for bit after loadStateDict");
        assertTrue(saved.paramGroups().get(0).containsKey("lr"));
        assertEquals(List.of(0), saved.paramGroups().get(0).get("params"));
      }));
    }
    return tests.stream();
  }

  @Test
  void stateDictIsACopy() {
    Tensor p = Tensor.of(-1.5f, 2f).requiresGrad(true);
    Adam opt = new Adam(List.of(p), 1e-2);
    opt.step(closure(opt, p));
    StateDict d = opt.stateDict();
    Tensor expAvg = (Tensor) d.state().get(0).get("exp_avg");
    float before = expAvg.get(0);
    opt.step(closure(opt, p));
    assertEquals(before, expAvg.get(0));
    assertEquals(1L, d.state().get(0).get("step"));
    assertEquals(2L, opt.stateDict().state().get(0).get("step"));
  }

  @Test
  void loadStateDictChecksTheGroups() {
    Tensor a = Tensor.of(1f).requiresGrad(true);
    Tensor b = Tensor.of(2f).requiresGrad(true);
    SGD one = new SGD(List.of(a, b), 0.1);
    SGD two = new SGD(List.of(ParamGroup.of(a), ParamGroup.of(b)), SGD.options().lr(0.1));
    var e = assertThrows(IllegalArgumentException.class, () -> two.loadStateDict(one.stateDict()));
    assertEquals("SGD: loaded state dict has a different number of parameter groups (1, this optimizer has 2)",
        e.getMessage());
    SGD other = new SGD(List.of(a), 0.1);
    e = assertThrows(IllegalArgumentException.class, () -> other.loadStateDict(one.stateDict()));
    assertTrue(e.getMessage().contains("doesn't match the size of optimizer's group 0 (2 vs 1)"), e.getMessage());
  }

  @Test
  void parameterGroupsHaveTheirOwnOptions() {
    Tensor a = Tensor.of(1f).requiresGrad(true);
    Tensor b = Tensor.of(1f).requiresGrad(true);
    SGD opt = new SGD(List.of(ParamGroup.of(a), ParamGroup.of(b).lr(1e-3).set("momentum", 0.0)),
        SGD.options().lr(1e-1).momentum(0.9));
    assertEquals(0.9, opt.paramGroups().get(0).getDouble("momentum"));
    assertEquals(0.0, opt.paramGroups().get(1).getDouble("momentum"));
    a.mul(2).add(b.mul(2)).sum().backward();
    opt.step();
    assertEquals(1f - 0.1f * 2, a.get(0), 1e-7);
    assertEquals(1f - 1e-3f * 2, b.get(0), 1e-7);
    // changing an option takes effect at the next step
    opt.paramGroups().get(1).lr(0.5);
    opt.step();
    assertEquals(1f - 1e-3f * 2 - 0.5f * 2, b.get(0), 1e-6);
  }

  @Test
  void addParamGroupFillsDefaultsAndRejectsDuplicates() {
    Tensor a = Tensor.of(1f).requiresGrad(true);
    Tensor b = Tensor.of(1f).requiresGrad(true);
    Adam opt = new Adam(List.of(a), Adam.options().lr(0.01).betas(0.8, 0.9));
    opt.addParamGroup(ParamGroup.of(b).lr(0.5));
    assertEquals(0.5, opt.paramGroups().get(1).lr());
    assertArrayEquals(new double[] {0.8, 0.9}, opt.paramGroups().get(1).getPair("betas"));
    var e = assertThrows(IllegalArgumentException.class, () -> opt.addParamGroup(ParamGroup.of(a)));
    assertEquals("Adam: some parameters appear in more than one parameter group", e.getMessage());
  }

  @Test
  void parametersWithoutAGradientAreSkipped() {
    Tensor a = Tensor.of(1f, 2f).requiresGrad(true);
    Tensor unused = Tensor.of(3f).requiresGrad(true);
    Adam opt = new Adam(List.of(a, unused), Adam.options().lr(0.1).weightDecay(0.5));
    a.sum().backward();
    opt.step();
    assertEquals(3f, unused.get(0));
    assertNull(opt.stateDict().state().get(1), "no state for a parameter that never had a gradient");
    assertNotNull(opt.stateDict().state().get(0));
  }

  @Test
  void zeroGradZeroesInPlaceByDefaultAndSetsToNullOnRequest() {
    Tensor a = Tensor.of(1f, 2f).requiresGrad(true);
    SGD opt = new SGD(List.of(a), 0.1);
    a.sum().backward();
    Tensor grad = a.grad();
    opt.zeroGrad(); // PyTorch 1.13: set_to_none=False
    assertSame(grad, a.grad());
    assertArrayEquals(new float[] {0f, 0f}, a.grad().toFloatArray());
    a.mul(Tensor.of(3f, 4f)).sum().backward(); // written into the same buffer
    assertSame(grad, a.grad());
    assertArrayEquals(new float[] {3f, 4f}, grad.toFloatArray());
    opt.zeroGrad(true);
    assertNull(a.grad());
    a.sum().backward();
    assertNotSame(grad, a.grad());
    assertArrayEquals(new float[] {3f, 4f}, grad.toFloatArray(), "the old gradient is left alone");
  }

  @Test
  void zeroGradDetachesAGradientThatRequiresGradBeforeZeroingIt() {
    Tensor a = Tensor.of(1f, 2f).requiresGrad(true);
    SGD opt = new SGD(List.of(a), 0.1);
    a.pow(2).sum().backward(null, false, true); // createGraph: the gradient 2a has a graph
    assertTrue(a.grad().requiresGrad());
    opt.zeroGrad();
    assertFalse(a.grad().requiresGrad());
    assertArrayEquals(new float[] {0f, 0f}, a.grad().toFloatArray());
  }

  @Test
  void stepWithClosureReturnsItsLossForEveryOptimizer() {
    for (var factory : factories()) {
      Tensor p = Tensor.of(-1.5f, 2f).requiresGrad(true);
      Optimizer opt = factory.apply(List.of(p));
      Tensor loss = opt.step(closure(opt, p));
      assertEquals(rosenAt(-1.5f, 2f), loss.item(), 1e-4, opt.name());
      assertTrue(p.get(0) != -1.5f || p.get(1) != 2f, opt.name() + " moved the parameters");
    }
  }

  static float rosenAt(float x, float y) {
    return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
  }

  @Test
  void lbfgsNeedsAClosureAndOneGroup() {
    Tensor p = Tensor.of(1f).requiresGrad(true);
    LBFGS opt = new LBFGS(List.of(p), LBFGS.options());
    var e = assertThrows(IllegalStateException.class, opt::step);
    assertTrue(e.getMessage().startsWith("LBFGS: step() needs a closure"), e.getMessage());
    Tensor q = Tensor.of(1f).requiresGrad(true);
    assertThrows(IllegalArgumentException.class, () -> opt.addParamGroup(ParamGroup.of(q)));
  }

  @Test
  void stepBumpsTheVersionSoAStaleGraphFailsAtBackward() {
    Tensor p = Tensor.of(2f).requiresGrad(true);
    SGD opt = new SGD(List.of(p), 0.1);
    p.mul(p).sum().backward();
    int v = p.version();
    Tensor stale = p.mul(p).sum();
    opt.step();
    assertTrue(p.version() > v);
    var e = assertThrows(RuntimeException.class, stale::backward);
    assertTrue(e.getMessage().contains("version"), e.getMessage());
  }

  @Test
  void nonLeafParametersAndMixedListsAreRejected() {
    Tensor a = Tensor.of(1f).requiresGrad(true);
    var e = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(a.mul(2)), 0.1));
    assertTrue(e.getMessage().startsWith("SGD: can't optimize a non-leaf Tensor (made by MulBackward0"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(), 0.1));
    assertEquals("SGD: optimizer got an empty parameter list", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(a, ParamGroup.of(a)), 0.1));
    assertTrue(e.getMessage().contains("all Tensors or all ParamGroups"), e.getMessage());
  }

  record Bad(String message, Executable make) {}

  @TestFactory
  Stream<DynamicTest> badHyperparametersThrowNamingTheOptionAndValue() {
    Supplier<List<Tensor>> ps = () -> List.of(Tensor.of(1f).requiresGrad(true));
    List<Bad> bad = List.of(
        new Bad("SGD: invalid lr value: -0.1 in defaults (must be >= 0)", () -> new SGD(ps.get(), -0.1)),
        new Bad("SGD: option lr is required in defaults", () -> new SGD(ps.get(), SGD.options())),
        new Bad("SGD: invalid momentum value: -0.5", () -> new SGD(ps.get(), SGD.options().lr(1).momentum(-0.5))),
        new Bad("SGD: nesterov momentum requires a momentum and zero dampening",
            () -> new SGD(ps.get(), SGD.options().lr(1).nesterov(true))),
        new Bad("SGD: invalid lr value: -1.0 in param group 1 (must be >= 0)",
            () -> new SGD(List.of(ParamGroup.of(Tensor.of(1f)), ParamGroup.of(Tensor.of(2f)).lr(-1)),
                SGD.options().lr(1))),
        new Bad("Adam: invalid beta parameter at index 0: 1.0 in defaults (betas must be in [0, 1))",
            () -> new Adam(ps.get(), Adam.options().betas(1.0, 0.999))),
        new Bad("Adam: invalid beta parameter at index 1: -0.1",
            () -> new Adam(ps.get(), Adam.options().betas(0.9, -0.1))),
        new Bad("Adam: invalid eps value: -1.0E-8", () -> new Adam(ps.get(), Adam.options().eps(-1e-8))),
        new Bad("AdamW: invalid weight_decay value: -0.01", () -> new AdamW(ps.get(), AdamW.options().weightDecay(-0.01))),
        new Bad("Adamax: invalid beta parameter at index 0: NaN", () -> new Adamax(ps.get(), Adamax.options().betas(Double.NaN, 0.9))),
        new Bad("Adagrad: invalid lr_decay value: -1.0", () -> new Adagrad(ps.get(), Adagrad.options().lrDecay(-1))),
        new Bad("Adagrad: invalid initial_accumulator_value value: -0.5",
            () -> new Adagrad(ps.get(), Adagrad.options().initialAccumulatorValue(-0.5))),
        new Bad("Adadelta: invalid rho value: 1.5", () -> new Adadelta(ps.get(), Adadelta.options().rho(1.5))),
        new Bad("RMSprop: invalid alpha value: -0.99", () -> new RMSprop(ps.get(), RMSprop.options().alpha(-0.99))),
        new Bad("Rprop: invalid eta values: (1.5, 1.2)", () -> new Rprop(ps.get(), Rprop.options().etas(1.5, 1.2))),
        new Bad("ASGD: invalid lr value: -1.0", () -> new ASGD(ps.get(), ASGD.options().lr(-1))),
        new Bad("NAdam: invalid momentum_decay value: -0.004",
            () -> new NAdam(ps.get(), NAdam.options().momentumDecay(-0.004))),
        new Bad("RAdam: invalid beta parameter at index 1: 1.0", () -> new RAdam(ps.get(), RAdam.options().betas(0.9, 1))),
        new Bad("LBFGS: invalid line_search_fn value: armijo",
            () -> new LBFGS(ps.get(), LBFGS.options().lineSearchFn("armijo"))),
        new Bad("Adam: option lr in defaults must be a number, got fast (String)",
            () -> new Adam(ps.get(), Adam.options().set("lr", "fast"))));
    return bad.stream().map(b -> DynamicTest.dynamicTest(b.message(), () -> {
      var e = assertThrows(IllegalArgumentException.class, b.make());
      assertTrue(e.getMessage().startsWith(b.message()), "message was: " + e.getMessage());
    }));
  }

  @Test
  void groupOptionsAreValidatedWhenLoaded() {
    Tensor a = Tensor.of(1f).requiresGrad(true);
    Adam opt = new Adam(List.of(a), 0.1);
    StateDict d = opt.stateDict();
    d.paramGroups().get(0).put("betas", new double[] {0.9, 1.0});
    var e = assertThrows(IllegalArgumentException.class, () -> opt.loadStateDict(d));
    assertTrue(e.getMessage().startsWith("Adam: invalid beta parameter at index 1: 1.0 in loaded param group 0"),
        e.getMessage());
  }

  /**
   * The shared setters come from OptimizerOptions' mixin interfaces: each optimizer's options have
   * exactly PyTorch's keyword arguments among them (SGD has no eps, NAdam and RAdam no maximize), and
   * each stores under PyTorch's name.
   */
  @Test
  void optionsHaveExactlyTheSharedSettersOfTheirOptimizer() {
    Map<Class<?>, Set<String>> expected = new LinkedHashMap<>();
    expected.put(SGD.Options.class, Set.of("momentum", "weightDecay", "maximize"));
    expected.put(Adam.Options.class, Set.of("betas", "eps", "weightDecay", "maximize"));
    expected.put(Adamax.Options.class, Set.of("betas", "eps", "weightDecay", "maximize"));
    expected.put(Adagrad.Options.class, Set.of("eps", "weightDecay", "maximize"));
    expected.put(Adadelta.Options.class, Set.of("eps", "weightDecay", "maximize"));
    expected.put(RMSprop.Options.class, Set.of("eps", "weightDecay", "momentum", "maximize"));
    expected.put(Rprop.Options.class, Set.of("maximize"));
    expected.put(ASGD.Options.class, Set.of("weightDecay", "maximize"));
    expected.put(NAdam.Options.class, Set.of("betas", "eps", "weightDecay"));
    expected.put(RAdam.Options.class, Set.of("betas", "eps", "weightDecay"));
    expected.put(LBFGS.Options.class, Set.of());
    for (var e : expected.entrySet()) {
      for (String setter : List.of("betas", "eps", "weightDecay", "momentum", "maximize")) {
        boolean has = Arrays.stream(e.getKey().getMethods()).map(Method::getName).anyMatch(setter::equals);
        assertEquals(e.getValue().contains(setter), has, e.getKey().getName() + "." + setter + "(...)");
      }
    }
    Map<String, Object> sgd = SGD.options().lr(0.1).momentum(0.9).weightDecay(1e-4).maximize(true).toMap();
    assertEquals(0.9, sgd.get("momentum"));
    assertEquals(1e-4, sgd.get("weight_decay"));
    assertEquals(true, sgd.get("maximize"));
    Map<String, Object> adam = Adam.options().betas(0.8, 0.9).eps(1e-6).amsgrad(true).toMap();
    assertArrayEquals(new double[] {0.8, 0.9}, (double[]) adam.get("betas"));
    assertEquals(1e-6, adam.get("eps"));
  }
}
