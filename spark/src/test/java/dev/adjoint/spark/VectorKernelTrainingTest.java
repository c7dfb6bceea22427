package dev.adjoint.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Tensor;
import dev.adjoint.data.FashionMNIST;
import dev.adjoint.kernel.Kernels;
import dev.adjoint.nn.F;
import dev.adjoint.nn.Module;
import dev.adjoint.optim.SGD;
import dev.adjoint.samples.fashion.NeuralNetwork;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/**
 * Training and evaluation with the Vector API kernels (surefire's {@code vector-kernels} execution): the replicas
 * get new parameters at every task, and a linear layer's packed-weight cache, keyed by the weight's version, must
 * see each of them (it once served the first step's weights to every later forward, and the MLP barely learned).
 */
class VectorKernelTrainingTest {
  @Test
  void eightStepsOverTwoPartitionsFollowSingleJvmTrainingAndEvaluateTheTrainedWeights() {
    assertTrue(Kernels.get().name().startsWith("vector"), "this test needs the vector kernels: " + Kernels.get().name());
    JavaSparkContext sc = LocalSpark.sc();
    List<Sample> train = Sample.listOf(new FashionMNIST(SynchronousTrainingTest.MINI, true));
    SparkTrainer trainer = SparkTrainer.builder(sc, NeuralNetwork::new, F::crossEntropy, p -> new SGD(p, 0.05))
        .batchSize(64).shuffle(2).inputShape(1, 28, 28).maxSteps(8).build();
    Map<String, Tensor> init = SingleJvm.copy(trainer.model().stateDict());
    try (var data = trainer.prepare(sc.parallelize(train, 2))) {
      trainer.fit(data, 1);
    }
    Module reference = new NeuralNetwork();
    reference.loadStateDict(init);
    SingleJvm.train(reference, new SGD(reference.parameters(), 0.05), SingleJvm.dataset(train, 1, 28, 28), 64, 2, 8,
        F::crossEntropy);
    SingleJvm.assertClose(SingleJvm.values(reference, false), SingleJvm.values(trainer.model(), false), 1e-5);

    var test = new FashionMNIST(SynchronousTrainingTest.MINI, false);
    Metrics m = trainer.evaluate(sc.parallelize(Sample.listOf(test), 2));
    var batch = test.batch(IntStream.range(0, test.size()).toArray());
    Tensor out = reference.eval().forward(batch.x());
    assertEquals(F.crossEntropy(out, batch.y()).item(), m.loss(), 1e-4);
    assertEquals((double) (long) out.argmax(1).eq(batch.y()).sum().item() / test.size(), m.accuracy(), 2e-3);
  }
}
