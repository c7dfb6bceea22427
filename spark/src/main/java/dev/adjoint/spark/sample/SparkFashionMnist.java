package dev.adjoint.spark.sample;

import dev.adjoint.Adjoint;
import dev.adjoint.data.FashionMNIST;
import dev.adjoint.nn.F;
import dev.adjoint.optim.SGD;
import dev.adjoint.samples.fashion.CompiledNeuralNetwork;
import dev.adjoint.samples.fashion.NeuralNetwork;
import dev.adjoint.spark.EpochMetrics;
import dev.adjoint.spark.Metrics;
import dev.adjoint.spark.ModelFactory;
import dev.adjoint.spark.Sample;
import dev.adjoint.spark.SparkTrainer;
import dev.adjoint.spark.StepInfo;
import dev.adjoint.spark.TrainingListener;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Seed 004's FashionMNIST MLP (784-512-512-10, cross-entropy, SGD) trained data-parallel on Spark: the driver
 * reads the IDX files, the executors compute the gradients, and after each epoch it prints the training loss and
 * accuracy and the test loss and accuracy. Runs on {@code local[*]} when no master is configured (a plain
 * {@code java} run); {@code spark/README.md} shows that command line and the {@code spark-submit} one for a cluster.
 *
 * Options: {@code --epochs N} (10), {@code --data DIR} (Debian's {@code dataset-fashion-mnist}), {@code --batch N}
 * (64, the global batch), {@code --lr X} (1e-3, the tutorial's), {@code --partitions N} (Spark's default
 * parallelism), {@code --average K} (parameter averaging every K local steps of {@code --batch} examples per
 * partition; 1 is synchronous), {@code --shuffle SEED} (default: the tutorial's fixed order), {@code --init FILE}
 * (a state file of initial weights), {@code --seed N} (0: the default generator's seed for the initial weights),
 * {@code --checkpoint DIR} (write checkpoints there and resume from one), {@code --limit N} (the first N training
 * images only), {@code --compiled} (the {@code @Differentiable} network: its backward is generated code),
 * {@code --no-progress}.
 */
public final class SparkFashionMnist {
  private SparkFashionMnist() {}

  /** The command-line options. */
  public record Options(int epochs, Path data, int batch, double lr, int partitions, int average, Long shuffle,
      Path init, long seed, Path checkpoint, int limit, boolean compiled, boolean progress) {
    /** Parses {@code args} (a single string of options, as {@code exec:exec} passes them, is split at spaces). */
    public static Options parse(String... args) {
      args = Arrays.stream(args).flatMap(a -> Arrays.stream(a.trim().split("\\s+"))).filter(a -> !a.isEmpty())
          .toArray(String[]::new);
      int epochs = 10;
      Path data = FashionMNIST.DEFAULT_ROOT;
      int batch = 64;
      double lr = 1e-3;
      int partitions = 0;
      int average = 1;
      Long shuffle = null;
      Path init = null;
      long seed = 0;
      Path checkpoint = null;
      int limit = Integer.MAX_VALUE;
      boolean compiled = false;
      boolean progress = true;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--epochs" -> epochs = Integer.parseInt(value(args, ++i, a));
          case "--data" -> data = Path.of(value(args, ++i, a));
          case "--batch" -> batch = Integer.parseInt(value(args, ++i, a));
          case "--lr" -> lr = Double.parseDouble(value(args, ++i, a));
          case "--partitions" -> partitions = Integer.parseInt(value(args, ++i, a));
          case "--average" -> average = Integer.parseInt(value(args, ++i, a));
          case "--shuffle" -> shuffle = Long.parseLong(value(args, ++i, a));
          case "--init" -> init = Path.of(value(args, ++i, a));
          case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
          case "--checkpoint" -> checkpoint = Path.of(value(args, ++i, a));
          case "--limit" -> limit = Integer.parseInt(value(args, ++i, a));
          case "--compiled" -> compiled = true;
          case "--no-progress" -> progress = false;
          default -> throw new IllegalArgumentException("unknown argument '" + a + "'. " + USAGE);
        }
      }
      return new Options(epochs, data, batch, lr, partitions, average, shuffle, init, seed, checkpoint, limit,
          compiled, progress);
    }

    private static String value(String[] args, int i, String name) {
      if (i >= args.length) {
        throw new IllegalArgumentException(name + " needs a value. " + USAGE);
      }
      return args[i];
    }
  }

  static final String USAGE = "Usage: SparkFashionMnist [--epochs N] [--data DIR] [--batch N] [--lr X] "
      + "[--partitions N] [--average K] [--shuffle SEED] [--init FILE.state] [--seed N] [--checkpoint DIR] "
      + "[--limit N] [--compiled] [--no-progress]";

  public static void main(String[] args) throws IOException {
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    SparkSession.Builder b = SparkSession.builder().appName("Adjoint FashionMNIST");
    if (!new org.apache.spark.SparkConf().contains("spark.master")) {
      b.master("local[*]");   // run directly (java / exec:exec); spark-submit sets the master
    }
    SparkSession spark = b.getOrCreate();
    try {
      run(o, JavaSparkContext.fromSparkContext(spark.sparkContext()), System.out);
    } finally {
      spark.stop();
    }
  }

  /** Trains with options {@code o} on {@code sc}, printing one block per epoch to {@code out}; returns the epochs. */
  public static List<EpochMetrics> run(Options o, JavaSparkContext sc, PrintStream out) throws IOException {
    List<Sample> train = Sample.listOf(new FashionMNIST(o.data(), true));
    if (train.size() > o.limit()) {
      train = new ArrayList<>(train.subList(0, o.limit()));
    }
    List<Sample> test = Sample.listOf(new FashionMNIST(o.data(), false));
    int partitions = o.partitions() > 0 ? o.partitions() : sc.defaultParallelism();
    Adjoint.manualSeed(o.seed());
    ModelFactory factory = o.compiled() ? CompiledNeuralNetwork::new : NeuralNetwork::new;
    double lr = o.lr();
    var builder = SparkTrainer.builder(sc, factory, F::crossEntropy, p -> new SGD(p, lr)).batchSize(o.batch())
        .inputShape(1, 28, 28).averageEvery(o.average());
    if (o.shuffle() != null) {
      builder.shuffle(o.shuffle());
    }
    if (o.checkpoint() != null) {
      builder.checkpointDir(o.checkpoint()).checkpointEvery(100);
    }
    if (o.progress()) {
      builder.listener(new Progress(System.err));
    }
    SparkTrainer trainer = builder.build();
    if (o.init() != null) {
      trainer.model().load(o.init());
    }
    out.printf(Locale.ROOT, "FashionMNIST MLP on Spark %s: %d training images in %d partitions, %s, batch %d, "
        + "SGD lr %s%n%n", sc.master(), train.size(), partitions,
        o.average() > 1 ? "parameter averaging every " + o.average() + " steps" : "synchronous steps", o.batch(),
        o.lr());
    JavaRDD<Sample> testRdd = sc.parallelize(test, partitions).cache();
    List<EpochMetrics> history = new ArrayList<>();
    try (var data = trainer.prepare(sc.parallelize(train, partitions))) {
      // one epoch per fit call, to evaluate between them; fit continues from the trainer's position
      for (int epoch = 1; epoch <= o.epochs(); epoch++) {
        List<EpochMetrics> done = trainer.fit(data, epoch);
        if (done.size() < epoch) {
          break;
        }
        EpochMetrics m = done.get(epoch - 1);
        Metrics t = trainer.evaluate(testRdd);
        history.add(m);
        out.printf(Locale.ROOT, "Epoch %d: train loss %.6f, train accuracy %.1f%% | test loss %.6f, test accuracy "
            + "%.1f%% | %d steps, %.1f s%n", m.epoch(), m.train().loss(), 100 * m.train().accuracy(), t.loss(),
            100 * t.accuracy(), m.steps(), m.seconds());
      }
    } finally {
      testRdd.unpersist(false);
    }
    out.println("Done!");
    return history;
  }

  /** A progress line on the driver's stderr, redrawn every 2% of an epoch. */
  static final class Progress implements TrainingListener {
    private final PrintStream err;

    Progress(PrintStream err) {
      this.err = err;
    }

    @Override
    public void onStep(StepInfo s) {
      int every = Math.max(1, s.stepsPerEpoch() / 50);
      if (s.step() % every == 0 || s.step() == s.stepsPerEpoch()) {
        int width = 30;
        int filled = (int) ((long) width * s.step() / s.stepsPerEpoch());
        err.printf(Locale.ROOT, "\rEpoch %d [%s%s] %d/%d loss %.4f", s.epoch(), "=".repeat(filled),
            " ".repeat(width - filled), s.step(), s.stepsPerEpoch(), s.loss());
        if (s.step() == s.stepsPerEpoch()) {
          err.println();
        }
      }
    }
  }
}
