package dev.adjoint.spark;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.nn.Module;
import dev.adjoint.optim.Optimizer;
import dev.adjoint.optim.StateDict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

/**
 * Data-parallel training of any Adjoint {@link Module} on Apache Spark, PyTorch's {@code
 * DistributedDataParallel} in Spark's terms. The driver holds the model and the optimizer; the examples are a
 * Spark RDD of {@link Sample}s.
 *
 * <pre>{@code
 * var trainer = SparkTrainer.builder(sc, NeuralNetwork::new, F::crossEntropy, p -> new SGD(p, 1e-3))
 *     .batchSize(64).inputShape(1, 28, 28).build();
 * try (var data = trainer.prepare(sc.parallelize(samples, 4))) {
 *   List<EpochMetrics> history = trainer.fit(data, 10);
 * }
 * }</pre>
 *
 * <p><b>Synchronous training</b> (the default). Each step: the driver broadcasts its parameters; every partition
 * takes the examples of the step's global batch that it holds, runs the model's forward and backward (eager,
 * or the code the annotation processor generated for a {@code @Differentiable} module) and returns the gradient
 * of its share, weighted by the share's size; Spark's {@code treeAggregate} adds the gradients in the fixed
 * order of a {@link ReducePlan}; the driver sets them as the parameters' {@code grad()} and calls its
 * optimizer's {@code step()}. The global batch of a step is the one a single-JVM {@code DataLoader(dataset,
 * batchSize, shuffle, new Generator(seed), dropLast)} would give, so the parameters after each step equal
 * single-JVM training up to the order of float additions (bit for bit with one partition), and two runs give
 * the same bits.
 *
 * <p><b>Parameter averaging</b> ({@link Builder#averageEvery(int) averageEvery(K)}, K &gt; 1). Each round, every
 * partition starts from the driver's parameters and optimizer state, takes K local steps of {@code batchSize}
 * examples of its own in the epoch's order, each with its own copy of the optimizer, and the driver replaces
 * its parameters and its optimizer state by their averages weighted by the examples each partition used (one
 * job per K steps instead of one per step). The optimizer state is averaged like the parameters, buffer by
 * buffer ({@code exp_avg}, {@code momentum_buffer}, ...), as Deeplearning4j's parameter averaging does with its
 * updater state; counters and scalars ({@code step}) come from the leftmost partition that had data. Optimizers
 * that keep lists in their state (LBFGS) are refused.
 *
 * <p><b>Failures.</b> A task computes from its arguments alone (the broadcast values, its partition, the step),
 * so Spark's retry of a failed task returns the same bits. With a {@link Builder#checkpointDir checkpoint
 * directory}, the trainer writes the model, the optimizer and its position atomically every {@link
 * Builder#checkpointEvery} steps and at each epoch's end, and {@link #fit} continues from the last checkpoint
 * when it finds one: after a driver restart, training ends with the same parameters as an uninterrupted run.
 *
 * <p>Models that draw random numbers in {@code forward} (dropout) train, but their runs are not reproducible:
 * each replica's generator advances with the tasks that thread happened to run.
 */
public final class SparkTrainer {
  private static final AtomicInteger COUNT = new AtomicInteger();

  private final JavaSparkContext sc;
  private final Spec spec;
  private final Module model;
  private final Optimizer optimizer;
  private final int batchSize;
  private final boolean shuffle;
  private final long seed;
  private final boolean dropLast;
  private final int averageEvery;
  private final int depth;
  private final int evalBatchSize;
  private final Path checkpointDir;
  private final int checkpointEvery;
  private final TrainingListener listener;
  private final long maxSteps;
  private long globalStep;
  /** Where the next {@link #fit} continues: the epoch, the step within it and the epoch's running sums. */
  private Position position = new Position(0, 0, 0, 0, 0);
  private final List<EpochMetrics> history = new ArrayList<>();

  private record Position(int epoch, int step, double lossSum, long count, long correct) {}

  private SparkTrainer(Builder b) {
    this.sc = b.sc;
    this.spec = new Spec("adjoint-" + UUID.randomUUID() + "-" + COUNT.incrementAndGet(), b.model, b.loss,
        b.optimizer, b.inputShape, b.targetShape, b.classification);
    this.model = b.model.create();
    this.optimizer = b.optimizer.create(model.parameters());
    if (optimizer instanceof dev.adjoint.optim.LBFGS) {
      throw new IllegalArgumentException("SparkTrainer: LBFGS re-evaluates the loss inside step(closure), which a "
          + "distributed step cannot offer; use a first-order optimizer (SGD, Adam, ...)");
    }
    this.batchSize = b.batchSize;
    this.shuffle = b.shuffle;
    this.seed = b.seed;
    this.dropLast = b.dropLast;
    this.averageEvery = b.averageEvery;
    this.depth = b.depth;
    this.evalBatchSize = b.evalBatchSize;
    this.checkpointDir = b.checkpointDir;
    this.checkpointEvery = b.checkpointEvery;
    this.listener = b.listener;
    this.maxSteps = b.maxSteps;
  }

  /**
   * A builder for a trainer of the network {@code model} builds, with loss {@code loss} (mean over the batch)
   * and the optimizer {@code optimizer} builds; the three are shipped to executors, so they must be
   * serializable (a method reference or a lambda that captures only serializable values).
   */
  public static Builder builder(JavaSparkContext sc, ModelFactory model, LossFunction loss, OptimizerFactory optimizer) {
    return new Builder(sc, model, loss, optimizer);
  }

  /** The driver's model: its parameters are the trained ones (load initial weights into it before {@link #fit}). */
  public Module model() {
    return model;
  }

  /** The driver's optimizer (its options, such as the learning rate, may be changed between epochs). */
  public Optimizer optimizer() {
    return optimizer;
  }

  /** The optimizer steps (averaging rounds) taken so far, across restarts. */
  public long globalStep() {
    return globalStep;
  }

  /**
   * Numbers the samples in RDD order ({@code zipWithIndex}: sample {@code i} of the RDD plays the part of
   * {@code dataset.get(i)}) and caches them on the executors. Close the result to release the cache.
   */
  public TrainingData prepare(JavaRDD<Sample> samples) {
    sc.setJobDescription("adjoint: numbering the training samples");
    int parts = samples.getNumPartitions();
    long total = samples.count();
    if (total > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("SparkTrainer.prepare: " + total + " samples; at most "
          + Integer.MAX_VALUE + " are supported (the epoch order is an int[] broadcast to every executor)");
    }
    // One shuffle into contiguous index ranges: the cached partitions then come from shuffle files, not from
    // the source's partition objects (a parallelized list would otherwise travel with every task of every step).
    JavaPairRDD<Long, Sample> indexed = samples.zipWithIndex().mapToPair(Tuple2::swap)
        .partitionBy(new ContiguousPartitioner(parts, total)).persist(StorageLevel.MEMORY_AND_DISK());
    sc.setJobDescription("adjoint: caching the training samples");
    List<Tuple2<Integer, Long>> sizes = indexed.mapPartitionsWithIndex((i, it) -> {
      long n = 0;
      for (; it.hasNext(); it.next()) {
        n++;
      }
      return Collections.singletonList(new Tuple2<>(i, n)).iterator();
    }, true).collect();
    long[] perPartition = new long[indexed.getNumPartitions()];
    for (var t : sizes) {
      perPartition[t._1()] = t._2();
    }
    return new TrainingData(indexed, (int) total, perPartition);
  }

  /** Sample {@code i} of {@code n} goes to partition {@code i * parts / n}: contiguous ranges, in order. */
  static final class ContiguousPartitioner extends org.apache.spark.Partitioner {
    @java.io.Serial private static final long serialVersionUID = 1L;
    private final int parts;
    private final long n;

    ContiguousPartitioner(int parts, long n) {
      this.parts = parts;
      this.n = Math.max(1, n);
    }

    @Override
    public int numPartitions() {
      return parts;
    }

    @Override
    public int getPartition(Object key) {
      return (int) Math.min(parts - 1, (Long) key * parts / n);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ContiguousPartitioner c && c.parts == parts && c.n == n;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(n) * 31 + parts;
    }
  }

  /** Samples numbered and cached for training ({@link #prepare}); {@link #close()} unpersists them. */
  public static final class TrainingData implements AutoCloseable {
    final JavaPairRDD<Long, Sample> indexed;
    final int size;
    final long[] partitionSizes;

    TrainingData(JavaPairRDD<Long, Sample> indexed, int size, long[] partitionSizes) {
      this.indexed = indexed;
      this.size = size;
      this.partitionSizes = partitionSizes;
    }

    /** How many samples there are ({@code len(dataset)}). */
    public int size() {
      return size;
    }

    /** How many partitions hold them. */
    public int partitions() {
      return partitionSizes.length;
    }

    @Override
    public void close() {
      indexed.unpersist(false);
    }
  }

  /** Optimizer steps per epoch (averaging rounds per epoch with {@code averageEvery > 1}). */
  public int stepsPerEpoch(TrainingData data) {
    if (averageEvery > 1) {
      long most = Arrays.stream(data.partitionSizes).max().orElse(0);
      long perRound = (long) averageEvery * batchSize;
      return (int) ((most + perRound - 1) / perRound);
    }
    return dropLast ? data.size / batchSize : (data.size + batchSize - 1) / batchSize;
  }

  /**
   * Trains until {@code epochs} epochs are done in all or {@code maxSteps} steps were taken, continuing where
   * the previous call stopped, and returns every finished epoch's metrics. A trainer that has not stepped yet and
   * finds a checkpoint in its checkpoint directory restores the model, the optimizer and the position from it
   * first (a restarted driver).
   */
  public List<EpochMetrics> fit(TrainingData data, int epochs) {
    int n = data.size;
    int steps = stepsPerEpoch(data);
    if (steps == 0) {
      throw new IllegalArgumentException("SparkTrainer.fit: " + n + " samples make no batch of " + batchSize
          + (dropLast ? " (dropLast)" : ""));
    }
    Map<String, String> settings = settings(data);
    if (globalStep == 0 && checkpointDir != null) {
      Checkpoint start = readCheckpoint(settings);
      if (start != null) {
        history.clear();
        history.addAll(start.history());
        position = new Position(start.epoch(), start.step(), start.lossSum(), start.count(), start.correct());
        globalStep = start.globalStep();
      }
    }
    int firstEpoch = position.epoch();
    int firstStep = position.step();
    double lossSum = position.lossSum();
    long count = position.count();
    long correct = position.correct();
    listener.onStart(epochs, steps, globalStep);
    Generator generator = new Generator(seed);
    for (int e = 0; e < firstEpoch && shuffle; e++) {
      generator.permutation(n);
    }
    for (int epoch = firstEpoch; epoch < epochs; epoch++) {
      long t0 = System.nanoTime();
      int[] order = shuffle ? generator.permutation(n) : null;
      Broadcast<int[]> positions = sc.broadcast(inverse(order, n));
      try {
        for (int step = epoch == firstEpoch ? firstStep : 0; step < steps; step++) {
          if (globalStep >= maxSteps) {
            return List.copyOf(history);
          }
          sc.setJobDescription(String.format(Locale.ROOT, "adjoint: epoch %d step %d/%d", epoch + 1, step + 1, steps));
          Partial p = averageEvery > 1 ? averagingRound(data, positions, step) : synchronousStep(data, positions, step);
          lossSum += p.lossSum;
          count += p.count;
          correct += p.correct;
          globalStep++;
          position = new Position(epoch, step + 1, lossSum, count, correct);
          listener.onStep(new StepInfo(epoch + 1, step + 1, steps, globalStep, p.count == 0 ? Double.NaN
              : p.lossSum / p.count, p.count));
          if (checkpointDir != null && checkpointEvery > 0 && globalStep % checkpointEvery == 0 && step + 1 < steps) {
            writeCheckpoint(new Checkpoint(epoch, step + 1, globalStep, lossSum, count, correct, List.copyOf(history),
                settings));
          }
        }
      } finally {
        positions.destroy();
      }
      EpochMetrics m = new EpochMetrics(epoch + 1, steps, metrics(lossSum, count, correct),
          (System.nanoTime() - t0) / 1e9);
      history.add(m);
      lossSum = 0;
      count = 0;
      correct = 0;
      position = new Position(epoch + 1, 0, 0, 0, 0);
      if (checkpointDir != null) {
        writeCheckpoint(new Checkpoint(epoch + 1, 0, globalStep, 0, 0, 0, List.copyOf(history), settings));
      }
      listener.onEpochEnd(m);
    }
    return List.copyOf(history);
  }

  /** Loss and accuracy of the driver's model on {@code samples}, computed by the executors in evaluation mode. */
  public Metrics evaluate(JavaRDD<Sample> samples) {
    Broadcast<float[][]> params = sc.broadcast(parameterArrays());
    ReducePlan plan = ReducePlan.treeAggregate(samples.getNumPartitions(), depth);
    Spec s = spec;
    int eb = evalBatchSize;
    sc.setJobDescription("adjoint: evaluation");
    try {
      JavaRDD<TreeSum> leaves = samples.mapPartitionsWithIndex((i, it) -> {
        List<Sample> mine = new ArrayList<>();
        it.forEachRemaining(mine::add);
        return Collections.singletonList(TreeSum.leaf(plan, i, Steps.evaluate(s, params.value(), mine, eb)))
            .iterator();
      }, true);
      Partial p = aggregate(leaves, plan);
      return metrics(p.lossSum, p.count, p.correct);
    } finally {
      params.destroy();
    }
  }

  /** {@link #evaluate(JavaRDD)} on prepared (cached) samples. */
  public Metrics evaluate(TrainingData data) {
    // the shuffle that placed the samples fetched them in no fixed order: sort each partition by index
    return evaluate(data.indexed.mapPartitions(it -> {
      List<Tuple2<Long, Sample>> mine = new ArrayList<>();
      it.forEachRemaining(mine::add);
      mine.sort(java.util.Comparator.comparingLong(Tuple2::_1));
      return mine.stream().map(Tuple2::_2).iterator();
    }, true));
  }

  // ---------------------------------------------------------------------------------------------

  private Partial synchronousStep(TrainingData data, Broadcast<int[]> position, int step) {
    int lo = step * batchSize;
    int hi = Math.min(data.size, lo + batchSize);
    int globalBatch = hi - lo;
    Broadcast<float[][]> params = sc.broadcast(parameterArrays());
    ReducePlan plan = ReducePlan.treeAggregate(data.partitions(), depth);
    Spec s = spec;
    Partial total;
    try {
      JavaRDD<TreeSum> leaves = data.indexed.mapPartitionsWithIndex((i, it) -> {
        List<Sample> mine = Steps.pick(it, position.value(), lo, hi);
        return one(TreeSum.leaf(plan, i, Steps.gradient(s, params.value(), mine, globalBatch)));
      }, true);
      total = aggregate(leaves, plan);
    } finally {
      params.destroy();
    }
    if (total.count != globalBatch) {
      throw new IllegalStateException("SparkTrainer: step " + (step + 1) + " saw " + total.count + " samples, its "
          + "batch has " + globalBatch + "; was the RDD recomputed with different contents?");
    }
    List<Tensor> ps = model.parameters();
    for (int i = 0; i < ps.size(); i++) {
      float[] g = total.arrays[i];
      ps.get(i).setGrad(g == null ? null : Tensor.wrap(g, ps.get(i).shape()));
    }
    optimizer.step();
    return total;
  }

  private Partial averagingRound(TrainingData data, Broadcast<int[]> position, int round) {
    int k = averageEvery;
    int b = batchSize;
    Broadcast<float[][]> params = sc.broadcast(parameterArrays());
    Broadcast<byte[]> state = sc.broadcast(OptimizerStates.encode(optimizer.stateDict()));
    ReducePlan plan = ReducePlan.treeAggregate(data.partitions(), depth);
    Spec s = spec;
    long roundTotal = 0;
    for (long size : data.partitionSizes) {
      roundTotal += Math.clamp(size - (long) round * k * b, 0, (long) k * b);
    }
    long total0 = roundTotal;
    Partial total;
    try {
      JavaRDD<TreeSum> leaves = data.indexed.mapPartitionsWithIndex((i, it) -> {
        List<Sample> mine = Steps.pick(it, position.value(), 0, Integer.MAX_VALUE);
        int from = (int) Math.min(mine.size(), (long) round * k * b);
        int to = (int) Math.min(mine.size(), (long) from + (long) k * b);
        return one(TreeSum.leaf(plan, i, Steps.localSteps(s, params.value(), state.value(), mine.subList(from, to), b,
            total0)));
      }, true);
      total = aggregate(leaves, plan);
    } finally {
      params.destroy();
      state.destroy();
    }
    if (total.count != roundTotal) {
      throw new IllegalStateException("SparkTrainer: round " + (round + 1) + " saw " + total.count + " samples, "
          + roundTotal + " were expected; was the RDD recomputed with different contents?");
    }
    if (total.count == 0) {
      return total;
    }
    // the partitions' values arrive multiplied by their shares of the round: their sum is the average
    List<Tensor> ps = model.parameters();
    for (int i = 0; i < ps.size(); i++) {
      System.arraycopy(total.arrays[i], 0, ps.get(i).mutableStorage("spark: set parameters"), 0,
          ps.get(i).numel());
      ps.get(i).bumpVersion();
    }
    StateDict dict;
    try {
      dict = OptimizerStates.decode(total.template, "the averaged optimizer state");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int[] next = {ps.size()};
    float[][] arrays = total.arrays;
    OptimizerStates.forEachStateTensor(dict, optimizer.name(),
        t -> System.arraycopy(arrays[next[0]++], 0, t.mutableStorage("spark: set optimizer state"), 0,
            t.numel()));
    optimizer.loadStateDict(dict);
    return total;
  }

  private Partial aggregate(JavaRDD<TreeSum> leaves, ReducePlan plan) {
    return leaves.treeAggregate(TreeSum.empty(plan), TreeSum::merge, TreeSum::merge, depth).root();
  }

  private static <T> Iterator<T> one(T value) {
    return Collections.singletonList(value).iterator();
  }

  /** Copies of the driver's parameters, in {@code parameters()} order. */
  private float[][] parameterArrays() {
    List<Tensor> ps = model.parameters();
    float[][] out = new float[ps.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = ps.get(i).toFloatArray();
    }
    return out;
  }

  /** {@code position[sample] = place in the epoch's order}; the identity without shuffling. */
  private static int[] inverse(int[] order, int n) {
    int[] position = new int[n];
    for (int i = 0; i < n; i++) {
      position[order == null ? i : order[i]] = i;
    }
    return position;
  }

  private Metrics metrics(double lossSum, long count, long correct) {
    return new Metrics(count == 0 ? Double.NaN : lossSum / count,
        spec.classification() && count > 0 ? (double) correct / count : Double.NaN, count);
  }

  /** What must be equal for a checkpoint to continue this run. */
  private Map<String, String> settings(TrainingData data) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("samples", Integer.toString(data.size));
    m.put("batchSize", Integer.toString(batchSize));
    m.put("shuffle", Boolean.toString(shuffle));
    m.put("seed", Long.toString(seed));
    m.put("dropLast", Boolean.toString(dropLast));
    m.put("averageEvery", Integer.toString(averageEvery));
    m.put("optimizer", optimizer.name());
    return m;
  }

  private Checkpoint readCheckpoint(Map<String, String> settings) {
    try {
      Checkpoint c = Checkpoint.read(checkpointDir);
      if (c == null) {
        return null;
      }
      if (!c.settings().equals(new java.util.TreeMap<>(settings))) {
        throw new IllegalStateException("SparkTrainer.fit: the checkpoint in " + checkpointDir
            + " was written with settings " + c.settings() + ", this run has " + new java.util.TreeMap<>(settings)
            + "; use another checkpoint directory or the same settings");
      }
      c.restore(checkpointDir, model, optimizer);
      return c;
    } catch (IOException e) {
      throw new UncheckedIOException("SparkTrainer.fit: cannot resume from " + checkpointDir, e);
    }
  }

  private void writeCheckpoint(Checkpoint c) {
    try {
      c.write(checkpointDir, model, optimizer);
    } catch (IOException e) {
      throw new UncheckedIOException("SparkTrainer: cannot write the checkpoint to " + checkpointDir, e);
    }
  }

  /** The settings of a {@link SparkTrainer}. */
  public static final class Builder {
    private final JavaSparkContext sc;
    private final ModelFactory model;
    private final LossFunction loss;
    private final OptimizerFactory optimizer;
    private int batchSize = 64;
    private boolean shuffle;
    private long seed;
    private boolean dropLast;
    private int averageEvery = 1;
    private int depth = 2;
    private int evalBatchSize = 256;
    private int[] inputShape;
    private int[] targetShape = new int[0];
    private boolean classification = true;
    private Path checkpointDir;
    private int checkpointEvery;
    private TrainingListener listener = new TrainingListener() {};
    private long maxSteps = Long.MAX_VALUE;

    private Builder(JavaSparkContext sc, ModelFactory model, LossFunction loss, OptimizerFactory optimizer) {
      this.sc = Objects.requireNonNull(sc, "sc");
      this.model = Objects.requireNonNull(model, "model");
      this.loss = Objects.requireNonNull(loss, "loss");
      this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
    }

    /** The global batch of a synchronous step, or each partition's local batch with averaging (default 64). */
    public Builder batchSize(int v) {
      this.batchSize = positive("batchSize", v);
      return this;
    }

    /** Shuffles each epoch with a permutation from {@code new Generator(seed)}, as {@code DataLoader} does. */
    public Builder shuffle(long seed) {
      this.shuffle = true;
      this.seed = seed;
      return this;
    }

    /** Leaves out the last, smaller batch of each epoch (synchronous training). */
    public Builder dropLast(boolean v) {
      this.dropLast = v;
      return this;
    }

    /** Averages parameters and optimizer state every {@code k} local steps; 1 (the default) is synchronous. */
    public Builder averageEvery(int k) {
      this.averageEvery = positive("averageEvery", k);
      return this;
    }

    /** The depth of Spark's {@code treeAggregate} (default 2). */
    public Builder aggregationDepth(int v) {
      this.depth = positive("aggregationDepth", v);
      return this;
    }

    /** The batch size of {@link SparkTrainer#evaluate} (default 256; it does not change the result). */
    public Builder evalBatchSize(int v) {
      this.evalBatchSize = positive("evalBatchSize", v);
      return this;
    }

    /** The shape of one sample's input (default: a vector of the sample's length). */
    public Builder inputShape(int... shape) {
      this.inputShape = shape.clone();
      return this;
    }

    /** Targets are class indices (the default): a batch's {@code y} is an int64 tensor of shape {@code (n)}. */
    public Builder classIndexTargets() {
      this.classification = true;
      this.targetShape = new int[0];
      return this;
    }

    /** Targets are float tensors of {@code shape} per sample (regression): {@code y} has shape {@code (n, shape...)}. */
    public Builder targetShape(int... shape) {
      this.classification = false;
      this.targetShape = shape.clone();
      return this;
    }

    /** Writes checkpoints to {@code dir} (at each epoch's end) and resumes from the one found there. */
    public Builder checkpointDir(Path dir) {
      this.checkpointDir = dir;
      return this;
    }

    /** Also writes a checkpoint every {@code steps} steps within an epoch (0, the default: only at epoch ends). */
    public Builder checkpointEvery(int steps) {
      if (steps < 0) {
        throw new IllegalArgumentException("checkpointEvery: must be at least 0, got " + steps);
      }
      this.checkpointEvery = steps;
      return this;
    }

    /** Receives the progress of {@link SparkTrainer#fit} on the driver. */
    public Builder listener(TrainingListener l) {
      this.listener = Objects.requireNonNull(l, "listener");
      return this;
    }

    /** Stops {@link SparkTrainer#fit} once this many steps were taken in all (PyTorch Lightning's {@code max_steps}). */
    public Builder maxSteps(long v) {
      if (v < 0) {
        throw new IllegalArgumentException("maxSteps: must be at least 0, got " + v);
      }
      this.maxSteps = v;
      return this;
    }

    /** The trainer; builds the driver's model and optimizer. */
    public SparkTrainer build() {
      if (inputShape == null) {
        throw new IllegalStateException("SparkTrainer: set inputShape(...) (the shape of one sample's input, e.g. "
            + "inputShape(1, 28, 28))");
      }
      return new SparkTrainer(this);
    }

    private static int positive(String name, int v) {
      if (v <= 0) {
        throw new IllegalArgumentException(name + ": must be positive, got " + v);
      }
      return v;
    }
  }
}
