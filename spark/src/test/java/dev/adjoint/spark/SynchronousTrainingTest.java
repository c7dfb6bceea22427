package dev.adjoint.spark;

import static dev.adjoint.spark.SingleJvm.assertBitIdentical;
import static dev.adjoint.spark.SingleJvm.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Tensor;
import dev.adjoint.data.Batch;
import dev.adjoint.data.FashionMNIST;
import dev.adjoint.nn.F;
import dev.adjoint.nn.Module;
import dev.adjoint.optim.SGD;
import dev.adjoint.samples.fashion.CompiledNeuralNetwork;
import dev.adjoint.samples.fashion.NeuralNetwork;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Synchronous data-parallel steps against single-JVM training with the runtime's own {@code DataLoader}: the
 * gradient of one step (1e-6 relative over several partitions, bit for bit in one), the parameters after
 * several steps, two runs, and a task that fails once.
 */
class SynchronousTrainingTest {
  static final Path MINI = Path.of("..", "runtime", "src", "test", "resources", "goldens", "fashion-mnist-mini");
  static JavaSparkContext sc;
  static List<Sample> fashion;

  @BeforeAll
  static void start() {
    sc = LocalSpark.sc();
    fashion = Sample.listOf(new FashionMNIST(MINI, true));
  }

  private static SparkTrainer.Builder fashionTrainer(ModelFactory factory, double lr) {
    return SparkTrainer.builder(sc, factory, F::crossEntropy, p -> new SGD(p, lr)).batchSize(64).shuffle(11)
        .inputShape(1, 28, 28);
  }

  /** The gradient that the first step left on the driver's parameters, and the single-JVM one from the same start. */
  private static void assertFirstGradient(ModelFactory factory, int partitions, boolean bitIdentical) {
    SparkTrainer trainer = fashionTrainer(factory, 0).maxSteps(1).build();
    Map<String, Tensor> init = SingleJvm.copy(trainer.model().stateDict());
    try (var data = trainer.prepare(sc.parallelize(fashion, partitions))) {
      assertEquals(partitions, data.partitions());
      trainer.fit(data, 1);
    }
    assertEquals(1, trainer.globalStep());

    Module reference = factory.create();
    reference.loadStateDict(init);
    Batch b = SingleJvm.firstBatch(SingleJvm.dataset(fashion, 1, 28, 28), 64, 11);
    F.crossEntropy(reference.forward(b.x()), b.y()).backward();
    List<float[]> expected = SingleJvm.values(reference, true);
    List<float[]> actual = SingleJvm.values(trainer.model(), true);
    if (bitIdentical) {
      assertBitIdentical(expected, actual);
    } else {
      assertClose(expected, actual, 1e-6);
    }
  }

  @Test
  void oneStepsGradientOverThreePartitionsEqualsTheSingleJvmGradient() {
    assertFirstGradient(NeuralNetwork::new, 3, false);
  }

  @Test
  void withOnePartitionTheGradientIsTheSingleJvmGradientBitForBit() {
    assertFirstGradient(NeuralNetwork::new, 1, true);
  }

  @Test
  void theGeneratedBackwardOfACompiledModuleRunsOnTheExecutors() {
    assertFirstGradient(CompiledNeuralNetwork::new, 1, true);
    assertFirstGradient(CompiledNeuralNetwork::new, 4, false);
  }

  /** The tiny network trained for {@code steps} steps with SGD + momentum over {@code partitions} partitions. */
  private static List<float[]> tinyRun(Map<String, Tensor> init, int partitions, int steps, LossFunction loss) {
    SparkTrainer trainer = SparkTrainer.builder(sc, TinyNet::new, loss,
        p -> new SGD(p, SGD.options().lr(0.05).momentum(0.9))).batchSize(32).shuffle(5).inputShape(TinyNet.IN)
        .maxSteps(steps).build();
    trainer.model().loadStateDict(init);
    try (var data = trainer.prepare(sc.parallelize(TinyNet.data(200, 3), partitions))) {
      trainer.fit(data, 100);
    }
    assertEquals(steps, trainer.globalStep());
    return SingleJvm.values(trainer.model(), false);
  }

  @Test
  void parametersAfterSixStepsEqualSingleJvmTrainingAndTwoRunsAreBitIdentical() {
    Map<String, Tensor> init = SingleJvm.copy(new TinyNet().stateDict());
    Module reference = new TinyNet();
    reference.loadStateDict(init);
    var opt = new SGD(reference.parameters(), SGD.options().lr(0.05).momentum(0.9));
    SingleJvm.train(reference, opt, SingleJvm.dataset(TinyNet.data(200, 3), TinyNet.IN), 32, 5, 6, F::crossEntropy);
    List<float[]> expected = SingleJvm.values(reference, false);

    // 6 partitions: treeAggregate adds an intermediate level of 2 reducers before the driver's fold
    List<float[]> first = tinyRun(init, 6, 6, F::crossEntropy);
    assertClose(expected, first, 1e-5);
    List<float[]> second = tinyRun(init, 6, 6, F::crossEntropy);
    assertBitIdentical(first, second);
    assertBitIdentical(expected, tinyRun(init, 1, 6, F::crossEntropy));
  }

  /** Throws in the first attempt of partition 1's third task of the run; Spark retries it. */
  static final class FailsOnce implements LossFunction {
    private static final long serialVersionUID = 1L;
    static final AtomicInteger FIRST_ATTEMPTS = new AtomicInteger();
    static final AtomicInteger THROWN = new AtomicInteger();

    @Override
    public Tensor apply(Tensor output, Tensor target) {
      TaskContext task = TaskContext.get();
      if (task.partitionId() == 1 && task.attemptNumber() == 0 && FIRST_ATTEMPTS.incrementAndGet() == 3) {
        THROWN.incrementAndGet();
        throw new IllegalStateException("injected failure of partition 1");
      }
      return F.crossEntropy(output, target);
    }
  }

  @Test
  void aTaskThatFailsOnceIsRetriedAndGivesTheSameStep() {
    Map<String, Tensor> init = SingleJvm.copy(new TinyNet().stateDict());
    List<float[]> clean = tinyRun(init, 4, 4, F::crossEntropy);
    FailsOnce.FIRST_ATTEMPTS.set(0);
    FailsOnce.THROWN.set(0);
    List<float[]> retried = tinyRun(init, 4, 4, new FailsOnce());
    assertEquals(1, FailsOnce.THROWN.get(), "the failure was injected once");
    assertBitIdentical(clean, retried);
    assertFalse(Float.isNaN(retried.get(0)[0]));
  }

  @Test
  void evaluationMatchesTheSingleJvmLossAndAccuracy() {
    SparkTrainer trainer = fashionTrainer(NeuralNetwork::new, 0).build();
    var test = new FashionMNIST(MINI, false);
    Metrics m = trainer.evaluate(sc.parallelize(Sample.listOf(test), 3));
    assertEquals(test.size(), m.examples());

    var batch = test.batch(java.util.stream.IntStream.range(0, test.size()).toArray());
    Tensor out = trainer.model().eval().forward(batch.x());
    double loss = F.crossEntropy(out, batch.y()).item();
    double accuracy = (double) (long) out.argmax(1).eq(batch.y()).sum().item() / test.size();
    assertEquals(loss, m.loss(), 1e-5 * loss);
    assertEquals(accuracy, m.accuracy(), 1e-12);
    assertTrue(m.accuracy() < 0.5, "an untrained network guesses");
  }
}
