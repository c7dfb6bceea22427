package dev.adjoint.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.data.Batch;
import dev.adjoint.data.FashionMNIST;
import dev.adjoint.nn.F;
import dev.adjoint.nn.Module;
import dev.adjoint.optim.Adam;
import dev.adjoint.optim.LBFGS;
import dev.adjoint.optim.Optimizer;
import dev.adjoint.optim.SGD;
import dev.adjoint.samples.fashion.NeuralNetwork;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Parameter averaging every K local steps: what a round computes, and that it trains the MLP. */
class AveragingTest {
  static JavaSparkContext sc;

  @BeforeAll
  static void start() {
    sc = LocalSpark.sc();
  }

  /** Local Adam steps on {@code samples} in batches of {@code batch}, from {@code init}, as one partition does. */
  private static Module localTraining(Map<String, Tensor> init, List<Sample> samples, int batch, Optimizer[] opt) {
    Module m = new TinyNet();
    m.loadStateDict(init);
    opt[0] = new Adam(m.parameters(), 0.01);
    var ds = SingleJvm.dataset(samples, TinyNet.IN);
    for (int from = 0; from < samples.size(); from += batch) {
      Batch b = ds.batch(IntStream.range(from, Math.min(samples.size(), from + batch)).toArray());
      opt[0].zeroGrad();
      F.crossEntropy(m.forward(b.x()), b.y()).backward();
      opt[0].step();
    }
    return m;
  }

  /** The samples in the order of the epoch's permutation from {@code new Generator(seed)}. */
  private static List<Sample> shuffled(List<Sample> samples, long seed) {
    int[] order = new Generator(seed).permutation(samples.size());
    List<Sample> out = new ArrayList<>();
    for (int i : order) {
      out.add(samples.get(i));
    }
    return out;
  }

  @Test
  void withOnePartitionTwoRoundsOfThreeStepsAreSixLocalStepsBitForBit() {
    List<Sample> data = TinyNet.data(96, 4);
    SparkTrainer trainer = SparkTrainer.builder(sc, TinyNet::new, F::crossEntropy, p -> new Adam(p, 0.01))
        .batchSize(16).averageEvery(3).shuffle(8).inputShape(TinyNet.IN).build();
    Map<String, Tensor> init = SingleJvm.copy(trainer.model().stateDict());
    try (var d = trainer.prepare(sc.parallelize(data, 1))) {
      assertEquals(2, trainer.stepsPerEpoch(d));
      trainer.fit(d, 1);
    }
    Optimizer[] opt = new Optimizer[1];
    Module reference = localTraining(init, shuffled(data, 8), 16, opt);
    SingleJvm.assertBitIdentical(SingleJvm.values(reference, false), SingleJvm.values(trainer.model(), false));
    assertEquals(6L, trainer.optimizer().stateDict().state().get(0).get("step"));
    assertEquals(((Tensor) opt[0].stateDict().state().get(1).get("exp_avg")).toString(),
        ((Tensor) trainer.optimizer().stateDict().state().get(1).get("exp_avg")).toString());
  }

  @Test
  void aRoundAveragesTheTwoPartitionsParametersAndAdamBuffers() {
    List<Sample> data = TinyNet.data(64, 6);
    SparkTrainer trainer = SparkTrainer.builder(sc, TinyNet::new, F::crossEntropy, p -> new Adam(p, 0.01))
        .batchSize(8).averageEvery(2).shuffle(3).inputShape(TinyNet.IN).maxSteps(1).build();
    Map<String, Tensor> init = SingleJvm.copy(trainer.model().stateDict());
    try (var d = trainer.prepare(sc.parallelize(data, 2))) {
      trainer.fit(d, 1);
    }
    // partition p holds samples [32p, 32p + 32); it trains on the first 16 of them in the epoch's order
    int[] position = new int[64];
    int[] order = new Generator(3).permutation(64);
    for (int i = 0; i < 64; i++) {
      position[order[i]] = i;
    }
    List<Module> models = new ArrayList<>();
    List<Optimizer> opts = new ArrayList<>();
    for (int p = 0; p < 2; p++) {
      List<Integer> mine = new ArrayList<>(IntStream.range(32 * p, 32 * p + 32).boxed().toList());
      mine.sort(Comparator.comparingInt(i -> position[i]));
      Optimizer[] opt = new Optimizer[1];
      models.add(localTraining(init, mine.subList(0, 16).stream().map(data::get).toList(), 8, opt));
      opts.add(opt[0]);
    }
    List<float[]> expected = new ArrayList<>();
    List<float[]> a = SingleJvm.values(models.get(0), false);
    List<float[]> b = SingleJvm.values(models.get(1), false);
    for (int i = 0; i < a.size(); i++) {
      expected.add(halfSum(a.get(i), b.get(i)));
    }
    SingleJvm.assertBitIdentical(expected, SingleJvm.values(trainer.model(), false));
    var state = trainer.optimizer().stateDict().state();
    for (int i = 0; i < a.size(); i++) {
      for (String key : List.of("exp_avg", "exp_avg_sq")) {
        float[] mean = halfSum(((Tensor) opts.get(0).stateDict().state().get(i).get(key)).toFloatArray(),
            ((Tensor) opts.get(1).stateDict().state().get(i).get(key)).toFloatArray());
        SingleJvm.assertBitIdentical(List.of(mean), List.of(((Tensor) state.get(i).get(key)).toFloatArray()));
      }
      assertEquals(2L, state.get(i).get("step"));
    }
  }

  private static float[] halfSum(float[] x, float[] y) {
    float[] out = new float[x.length];
    for (int j = 0; j < x.length; j++) {
      out[j] = x[j] * 0.5f + y[j] * 0.5f;
    }
    return out;
  }

  @Test
  void averagingEveryFourStepsTrainsTheFashionMlp() {
    // the network's initial weights come from the default generator: seed it, so that they (and the accuracy
    // asserted below) do not depend on which tests ran before in this JVM (surefire's file order)
    dev.adjoint.Generator.defaultGenerator().manualSeed(20261202);
    var mini = SynchronousTrainingTest.MINI;
    SparkTrainer trainer = SparkTrainer.builder(sc, NeuralNetwork::new, F::crossEntropy,
        p -> new SGD(p, SGD.options().lr(0.02).momentum(0.9))).batchSize(32).averageEvery(4).shuffle(1)
        .inputShape(1, 28, 28).build();
    List<EpochMetrics> history;
    Metrics before;
    Metrics after;
    var test = sc.parallelize(Sample.listOf(new FashionMNIST(mini, false)), 2);
    try (var d = trainer.prepare(sc.parallelize(Sample.listOf(new FashionMNIST(mini, true)), 2))) {
      assertEquals(5, trainer.stepsPerEpoch(d));   // 640 samples per partition, 4 × 32 per round
      before = trainer.evaluate(test);
      history = trainer.fit(d, 3);
      after = trainer.evaluate(test);
    }
    assertEquals(3, history.size());
    assertEquals(1280, history.get(0).train().examples());
    assertTrue(history.get(2).train().loss() < 0.6 * history.get(0).train().loss(),
        "training loss per epoch: " + history);
    assertTrue(after.loss() < 0.5 * before.loss(), before + " -> " + after);
    // 0.662 with this seed; chance is 0.1. The bound is for convergence, with room for the vector kernels' cold
    // and warm roundings (the losses above carry the rest); 0.65 failed a clean clone by a hair under another order
    assertTrue(after.accuracy() > 0.6, "test accuracy " + after.accuracy());
  }

  @Test
  void lbfgsIsRefusedItNeedsAClosureOverTheWholeBatch() {
    var builder = SparkTrainer.builder(sc, TinyNet::new, F::crossEntropy, p -> new LBFGS(p, LBFGS.options().lr(0.1))).batchSize(8)
        .averageEvery(2).inputShape(TinyNet.IN);
    var e = assertThrows(IllegalArgumentException.class, builder::build);
    assertEquals("SparkTrainer: LBFGS re-evaluates the loss inside step(closure), which a distributed step cannot "
        + "offer; use a first-order optimizer (SGD, Adam, ...)", e.getMessage());
  }
}
