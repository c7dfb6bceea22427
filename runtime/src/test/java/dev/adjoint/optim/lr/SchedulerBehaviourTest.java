package dev.adjoint.optim.lr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Tensor;
import dev.adjoint.optim.Adagrad;
import dev.adjoint.optim.Adam;
import dev.adjoint.optim.SGD;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Scheduler misuse messages, state dicts, and OneCycleLR driving Adam's beta1. */
class SchedulerBehaviourTest {

  static SGD sgd() {
    return new SGD(List.of(Tensor.of(1f).requiresGrad(true)), SGD.options().lr(0.1).momentum(0.9));
  }

  static void assertMessage(String start, Class<? extends Throwable> type, org.junit.jupiter.api.function.Executable e) {
    Throwable t = assertThrows(type, e);
    assertTrue(t.getMessage().startsWith(start), "message was: " + t.getMessage());
  }

  @Test
  void badArgumentsThrowNamingTheArgument() {
    assertMessage("StepLR: invalid step_size value: 0", IllegalArgumentException.class, () -> new StepLR(sgd(), 0));
    assertMessage("LinearLR: invalid start_factor value: 2.0", IllegalArgumentException.class,
        () -> new LinearLR(sgd(), 2.0, 1.0, 5));
    assertMessage("CosineAnnealingLR: invalid T_max value: 0", IllegalArgumentException.class,
        () -> new CosineAnnealingLR(sgd(), 0));
    assertMessage("ReduceLROnPlateau: factor should be < 1.0, got 1.5", IllegalArgumentException.class,
        () -> new ReduceLROnPlateau(sgd(), ReduceLROnPlateau.options().factor(1.5)));
    assertMessage("ReduceLROnPlateau: mode avg is unknown", IllegalArgumentException.class,
        () -> new ReduceLROnPlateau(sgd(), ReduceLROnPlateau.options().mode("avg")));
    assertMessage("LambdaLR: expected 1 lr_lambdas, but got 2", IllegalArgumentException.class,
        () -> new LambdaLR(sgd(), List.of(e -> 1.0, e -> 2.0)));
    assertMessage("OneCycleLR: you must define either total_steps OR (epochs AND steps_per_epoch)",
        IllegalArgumentException.class, () -> new OneCycleLR(sgd(), OneCycleLR.options(1.0)));
    assertMessage("OneCycleLR: optimizer Adagrad must support momentum", IllegalArgumentException.class,
        () -> new OneCycleLR(new Adagrad(List.of(Tensor.of(1f).requiresGrad(true)), Adagrad.options()),
            OneCycleLR.options(1.0).totalSteps(10)));
    assertMessage("ConstantLR: Constant multiplicative factor expected to be between 0 and 1, got 1.5",
        IllegalArgumentException.class, () -> new ConstantLR(sgd(), 1.5, 5));
    assertMessage("PolynomialLR: invalid total_iters value: 0", IllegalArgumentException.class,
        () -> new PolynomialLR(sgd(), 0, 1.0));
    assertMessage("MultiplicativeLR: expected 1 lr_lambdas, but got 2", IllegalArgumentException.class,
        () -> new MultiplicativeLR(sgd(), List.of(e -> 1.0, e -> 2.0)));
    assertMessage("CyclicLR: mode is invalid and scale_fn is None (mode triangle", IllegalArgumentException.class,
        () -> new CyclicLR(sgd(), CyclicLR.options(0.01, 0.1).mode("triangle")));
    assertMessage("CyclicLR: optimizer Adam must support momentum with `cycle_momentum` option enabled",
        IllegalArgumentException.class, () -> new CyclicLR(new Adam(List.of(Tensor.of(1f).requiresGrad(true)),
            Adam.options()), CyclicLR.options(0.01, 0.1)));
    assertMessage("CyclicLR: expected 1 values for max_lr, got 2", IllegalArgumentException.class,
        () -> new CyclicLR(sgd(), CyclicLR.options(new double[] {0.01}, new double[] {0.1, 0.2})));
    assertMessage("CosineAnnealingWarmRestarts: Expected positive integer T_0, but got 0",
        IllegalArgumentException.class, () -> new CosineAnnealingWarmRestarts(sgd(), 0));
    assertMessage("CosineAnnealingWarmRestarts: Expected integer T_mult >= 1, but got 0",
        IllegalArgumentException.class, () -> new CosineAnnealingWarmRestarts(sgd(), 3, 0, 0.0));
    assertMessage("CosineAnnealingWarmRestarts: Expected non-negative epoch, but got -1.0",
        IllegalArgumentException.class, () -> new CosineAnnealingWarmRestarts(sgd(), 3).step(-1.0));
    SGD opt = sgd();
    var a = new StepLR(opt, 2);
    var b = new ExponentialLR(opt, 0.5);
    assertMessage("SequentialLR: expects number of schedulers provided to be one more than the number of milestone "
        + "points, but got number of schedulers 2 and the number of milestones to be equal to 2",
        IllegalArgumentException.class, () -> new SequentialLR(opt, List.of(a, b), new int[] {1, 2}));
    assertMessage("SequentialLR: expects all schedulers to belong to the same optimizer",
        IllegalArgumentException.class, () -> new SequentialLR(sgd(), List.of(a, b), new int[] {1}));
  }

  @Test
  void oneCycleThrowsWhenSteppedPastTotalSteps() {
    var s = new OneCycleLR(sgd(), OneCycleLR.options(1.0).totalSteps(3));
    s.step();
    s.step();
    s.step();
    assertMessage("OneCycleLR: tried to step 5 times. The specified number of total steps is 3",
        IllegalStateException.class, s::step);
  }

  @Test
  void oneCycleCyclesAdamsBeta1() {
    Adam opt = new Adam(List.of(Tensor.of(1f).requiresGrad(true)), Adam.options().betas(0.9, 0.99));
    var s = new OneCycleLR(opt, OneCycleLR.options(0.01).totalSteps(10).baseMomentum(0.8).maxMomentum(0.9));
    assertArrayEquals(new double[] {0.9, 0.99}, opt.paramGroups().get(0).getPair("betas"));
    for (int i = 0; i < 2; i++) {
      s.step();
    }
    assertEquals(0.8, opt.paramGroups().get(0).getPair("betas")[0], 1e-12, "beta1 at the peak of the cycle");
    assertEquals(0.99, opt.paramGroups().get(0).getPair("betas")[1]);
    assertEquals(0.01, s.getLastLr()[0], 1e-12);
  }

  @Test
  void cyclicLrWithoutMomentumCyclingDrivesAdam() {
    Adam opt = new Adam(List.of(Tensor.of(1f).requiresGrad(true)), Adam.options().lr(0.5));
    var s = new CyclicLR(opt, CyclicLR.options(0.01, 0.05).stepSizeUp(2).cycleMomentum(false));
    assertEquals(0.01, opt.paramGroups().get(0).lr(), "the constructor sets base_lr");
    s.step();
    s.step();
    assertEquals(0.05, s.getLastLr()[0], 1e-15, "max_lr at the top of the cycle");
    assertArrayEquals(new double[] {0.9, 0.999}, opt.paramGroups().get(0).getPair("betas"));
  }

  @Test
  void stateDictResumesASchedule() {
    SGD opt = sgd();
    var s = new CosineAnnealingLR(opt, 10, 0.001);
    for (int i = 0; i < 4; i++) {
      s.step();
    }
    Map<String, Object> saved = s.stateDict();
    double lrAt4 = opt.paramGroups().get(0).lr();
    for (int i = 0; i < 3; i++) {
      s.step();
    }
    double lrAt7 = opt.paramGroups().get(0).lr();

    SGD opt2 = sgd();
    var s2 = new CosineAnnealingLR(opt2, 10, 0.001);
    s2.loadStateDict(saved);
    opt2.paramGroups().get(0).lr(lrAt4);
    for (int i = 0; i < 3; i++) {
      s2.step();
    }
    assertEquals(lrAt7, opt2.paramGroups().get(0).lr());
    assertEquals(7, s2.lastEpoch());
  }

  @Test
  void plateauStateDictRoundTrips() {
    SGD opt = sgd();
    var p = new ReduceLROnPlateau(opt, ReduceLROnPlateau.options().patience(1));
    p.step(1.0);
    p.step(2.0);
    Map<String, Object> saved = p.stateDict();
    var q = new ReduceLROnPlateau(opt, ReduceLROnPlateau.options().patience(1));
    q.loadStateDict(saved);
    assertEquals(1.0, q.best());
    q.step(2.0);
    assertEquals(0.01, opt.paramGroups().get(0).lr(), 1e-15, "second bad epoch with patience 1 reduces");
  }
}
