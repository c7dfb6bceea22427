package dev.adjoint.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Tensor;
import dev.adjoint.nn.F;
import dev.adjoint.optim.Adam;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints and resume: a driver that dies mid-epoch and restarts ends where an uninterrupted run ends. */
class ResumeTest {
  static JavaSparkContext sc;
  static JavaRDD<Sample> samples;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    sc = LocalSpark.sc();
    samples = sc.parallelize(TinyNet.data(120, 9), 3);
  }

  /** Adam on the tiny network, shuffled, batch 32 (4 steps an epoch), a checkpoint every 3 steps. */
  private static SparkTrainer trainer(Path checkpoints, TrainingListener listener, int batchSize) {
    return SparkTrainer.builder(sc, TinyNet::new, F::crossEntropy, p -> new Adam(p, 0.01)).batchSize(batchSize)
        .shuffle(21).inputShape(TinyNet.IN).checkpointDir(checkpoints).checkpointEvery(3).listener(listener).build();
  }

  /** What a driver crash looks like to the trainer: the driver's thread stops after {@code step}. */
  static final class Crash extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  @Test
  void aRestartedDriverResumesFromTheLastCheckpointAndEndsBitForBitWhereAnUninterruptedRunEnds() throws IOException {
    Map<String, Tensor> init = SingleJvm.copy(new TinyNet().stateDict());

    SparkTrainer uninterrupted = trainer(dir.resolve("a"), new TrainingListener() {}, 32);
    uninterrupted.model().loadStateDict(init);
    List<EpochMetrics> expected;
    try (var data = uninterrupted.prepare(samples)) {
      expected = uninterrupted.fit(data, 2);
    }
    assertEquals(8, uninterrupted.globalStep());

    Path b = dir.resolve("b");
    SparkTrainer crashing = trainer(b, new TrainingListener() {
      @Override
      public void onStep(StepInfo step) {
        if (step.globalStep() == 7) {
          throw new Crash();
        }
      }
    }, 32);
    crashing.model().loadStateDict(init);
    try (var data = crashing.prepare(samples)) {
      assertThrows(Crash.class, () -> crashing.fit(data, 2));
    }
    // checkpoints after steps 3, 4 (the end of epoch 1) and 6; the crash after step 7 lost step 7
    assertEquals(List.of("checkpoint.properties", "model-00000006.state", "optimizer-00000006.state"), files(b));

    long[] resumedAt = {-1};
    SparkTrainer restarted = trainer(b, new TrainingListener() {
      @Override
      public void onStart(int epochs, int stepsPerEpoch, long globalStep) {
        resumedAt[0] = globalStep;
      }
    }, 32);   // a new driver: freshly initialised model and optimizer, both replaced by the checkpoint
    List<EpochMetrics> history;
    try (var data = restarted.prepare(samples)) {
      history = restarted.fit(data, 2);
    }
    assertEquals(6, resumedAt[0]);
    assertEquals(8, restarted.globalStep());
    SingleJvm.assertBitIdentical(SingleJvm.values(uninterrupted.model(), false), SingleJvm.values(restarted.model(), false));
    assertEquals(expected.size(), history.size());
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(expected.get(i).train(), history.get(i).train(), "epoch " + (i + 1));
    }
    assertEquals(List.of("checkpoint.properties", "model-00000008.state", "optimizer-00000008.state"), files(b));

    // the model file is the runtime's state format
    var reloaded = new TinyNet();
    reloaded.load(b.resolve("model-00000008.state"));
    SingleJvm.assertBitIdentical(SingleJvm.values(restarted.model(), false), SingleJvm.values(reloaded, false));
  }

  @Test
  void aCheckpointWrittenWithOtherSettingsIsRefused() {
    SparkTrainer first = trainer(dir, new TrainingListener() {}, 32);
    try (var data = first.prepare(samples)) {
      first.fit(data, 1);
      SparkTrainer other = trainer(dir, new TrainingListener() {}, 50);
      var e = assertThrows(IllegalStateException.class, () -> other.fit(data, 2));
      assertTrue(e.getMessage().contains("was written with settings") && e.getMessage().contains("batchSize=32")
          && e.getMessage().contains("batchSize=50"), e.getMessage());
    }
  }

  private static List<String> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
