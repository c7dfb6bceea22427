package dev.adjoint.spark.bench;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.data.Batch;
import dev.adjoint.data.DataLoader;
import dev.adjoint.data.Dataset;
import dev.adjoint.data.Example;
import dev.adjoint.data.FashionMNIST;
import dev.adjoint.nn.F;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;
import dev.adjoint.optim.SGD;
import dev.adjoint.samples.fashion.NeuralNetwork;
import dev.adjoint.spark.ModelFactory;
import dev.adjoint.spark.Sample;
import dev.adjoint.spark.SparkTrainer;
import dev.adjoint.spark.StepInfo;
import dev.adjoint.spark.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Steps per second of synchronous training of the FashionMNIST MLP (784-512-512-10, batch 64, SGD) in one JVM
 * (the runtime's DataLoader loop), on Spark {@code local[1]} with one partition and on {@code local[2]} with two,
 * plus the fixed cost of one Spark step (a one-weight model on the same data layout, so the job's scheduling,
 * broadcast and aggregation dominate), and parameter averaging every K steps on {@code local[2]}.
 *
 * <pre>
 * mvn -pl spark -am -DskipTests package exec:exec -Dspark.main=dev.adjoint.spark.bench.SparkStepBench \
 *     -Dspark.args="--data /usr/share/datasets/fashion-mnist --steps 60"
 * </pre>
 *
 * Each figure is the median over the timed steps after {@code --warmup} steps (default 15); the samples are the
 * first {@code --samples} (default 6400) training images. Ratios are against the single-JVM figure of the same run.
 */
public final class SparkStepBench {
  private SparkStepBench() {}

  public static void main(String[] args) {
    Path data = FashionMNIST.DEFAULT_ROOT;
    int steps = 60;
    int warmup = 15;
    int samples = 6400;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data" -> data = Path.of(args[++i]);
        case "--steps" -> steps = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--samples" -> samples = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    var train = new FashionMNIST(data, true);
    List<Sample> all = Sample.listOf(subset(train, Math.min(samples, train.size())));
    System.out.printf(Locale.ROOT, "FashionMNIST MLP, batch 64, %d samples, %d timed steps after %d warm-up%n",
        all.size(), steps, warmup);

    double single = singleJvm(all, steps, warmup);
    report("single JVM (DataLoader loop)", single, single);
    for (int threads : new int[] {1, 2}) {
      double s = spark("local[" + threads + "]", threads, NeuralNetwork::new, all, steps, warmup, 1);
      report("Spark local[" + threads + "], " + threads + " partition(s)", s, single);
    }
    double tiny = spark("local[2]", 2, Tiny::new, all, steps, warmup, 1);
    System.out.printf(Locale.ROOT, "%-44s %8.2f ms per step (1-weight model: the cost of one Spark job)%n",
        "Spark local[2], overhead of a step", tiny);
    for (int k : new int[] {4, 16}) {
      double s = spark("local[2]", 2, NeuralNetwork::new, all, Math.max(4, steps / k), 2, k);
      // a round is k local steps of 64 samples in each of the 2 partitions
      double samplesPerSecond = 2.0 * k * 64 * 1000 / s;
      System.out.printf(Locale.ROOT, "%-44s %8.2f ms per round of %d local steps  %6.0f samples/s  %.2fx single JVM%n",
          "Spark local[2], averaging every " + k, s, k, samplesPerSecond, samplesPerSecond / (64 * 1000 / single));
    }
  }

  /** A model with one weight: forward = x·w summed to 10 logits, so its step is almost only Spark's. */
  public static final class Tiny extends Module {
    private final Linear fc = registerModule("fc", new Linear(1, 10));

    @Override
    public Tensor forward(Tensor x) {
      return fc.forward(x.reshape(x.shape()[0], -1).slice(1, 0, 1));
    }
  }

  private static void report(String name, double ms, double baseline) {
    System.out.printf(Locale.ROOT, "%-44s %8.2f ms per step  %7.1f steps/s  %6.0f samples/s  %.2fx single JVM%n",
        name, ms, 1000 / ms, 64 * 1000 / ms, baseline / ms);
  }

  private static double singleJvm(List<Sample> all, int steps, int warmup) {
    Module model = new NeuralNetwork();
    var opt = new SGD(model.parameters(), 1e-3);
    Dataset ds = new Dataset() {
      @Override
      public int size() {
        return all.size();
      }

      @Override
      public Example get(int i) {
        return new Example(Tensor.wrap(all.get(i).x().clone(), 1, 28, 28),
            Tensor.wrap(new float[] {all.get(i).y()[0]}, new int[0], Tensor.DType.INT64));
      }
    };
    var loader = new DataLoader(ds, 64, true, new Generator(1), true);
    List<Double> times = new ArrayList<>();
    int done = 0;
    while (done < warmup + steps) {
      for (Batch b : loader) {
        if (done == warmup + steps) {
          break;
        }
        long t0 = System.nanoTime();
        opt.zeroGrad();
        F.crossEntropy(model.forward(b.x()), b.y()).backward();
        opt.step();
        if (done++ >= warmup) {
          times.add((System.nanoTime() - t0) / 1e6);
        }
      }
    }
    return median(times);
  }

  private static double spark(String master, int partitions, ModelFactory factory, List<Sample> all, int steps,
      int warmup, int averageEvery) {
    SparkSession session = SparkSession.builder().master(master).appName("SparkStepBench")
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
    try {
      JavaSparkContext sc = JavaSparkContext.fromSparkContext(session.sparkContext());
      sc.setLogLevel("WARN");
      List<Double> times = new ArrayList<>();
      long[] last = {0};
      var trainer = SparkTrainer.builder(sc, factory, F::crossEntropy, p -> new SGD(p, 1e-3)).batchSize(64)
          .shuffle(1).dropLast(true).inputShape(1, 28, 28).averageEvery(averageEvery).maxSteps(warmup + steps)
          .listener(new TrainingListener() {
            @Override
            public void onStart(int epochs, int stepsPerEpoch, long globalStep) {
              last[0] = System.nanoTime();
            }

            @Override
            public void onStep(StepInfo step) {
              long now = System.nanoTime();
              if (step.globalStep() > warmup) {
                times.add((now - last[0]) / 1e6);
              }
              last[0] = now;
            }
          }).build();
      try (var data = trainer.prepare(sc.parallelize(all, partitions))) {
        trainer.fit(data, Integer.MAX_VALUE);
      }
      return median(times);
    } finally {
      session.stop();
    }
  }

  private static Dataset subset(Dataset d, int n) {
    return new Dataset() {
      @Override
      public int size() {
        return n;
      }

      @Override
      public Example get(int i) {
        return d.get(i);
      }
    };
  }

  private static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    return a.length == 0 ? Double.NaN : a[a.length / 2];
  }
}
