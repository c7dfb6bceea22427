package dev.adjoint.spark;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import dev.adjoint.data.Batch;
import dev.adjoint.nn.Module;
import dev.adjoint.optim.Optimizer;
import dev.adjoint.optim.StateDict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import scala.Tuple2;

/**
 * What a task computes on its partition, on the executor. Every function here depends only on its
 * arguments (the broadcast parameters, the partition's samples and the step), never on the executor's
 * history, so a retried task returns the same bits as the first attempt.
 */
final class Steps {
  private Steps() {}

  /** The samples whose position in the epoch's order is in {@code [lo, hi)}, in that order. */
  static List<Sample> pick(Iterator<Tuple2<Long, Sample>> partition, int[] position, int lo, int hi) {
    List<Tuple2<Integer, Sample>> picked = new ArrayList<>();
    while (partition.hasNext()) {
      Tuple2<Long, Sample> t = partition.next();
      int q = position[Math.toIntExact(t._1())];
      if (q >= lo && q < hi) {
        picked.add(new Tuple2<>(q, t._2()));
      }
    }
    picked.sort(Comparator.comparingInt(Tuple2::_1));
    List<Sample> out = new ArrayList<>(picked.size());
    for (var t : picked) {
      out.add(t._2());
    }
    return out;
  }

  /**
   * The gradient of this partition's share of a global batch of {@code globalBatch} examples: the gradient of
   * its mean loss weighted by {@code samples.size() / globalBatch}, so the partitions' gradients add up to the
   * gradient of the global batch's mean loss. With the whole batch in one partition the weight is one and the
   * backward is the plain {@code loss.backward()} of single-JVM training.
   */
  static Partial gradient(Spec spec, float[][] params, List<Sample> samples, int globalBatch) {
    if (samples.isEmpty()) {
      return Partial.empty();
    }
    Module m = Replicas.load(spec, params);
    m.train();
    Batch b = spec.batch(samples);
    Tensor out = m.forward(b.x());
    Tensor loss = spec.loss().apply(out, b.y());
    int k = samples.size();
    if (k == globalBatch) {
      loss.backward();
    } else {
      loss.backward(Tensor.scalar((double) k / globalBatch));
    }
    List<Tensor> ps = m.parameters();
    float[][] grads = new float[ps.size()][];
    for (int i = 0; i < grads.length; i++) {
      Tensor g = ps.get(i).grad();
      grads[i] = g == null ? null : g.toFloatArray();
    }
    return new Partial(grads, (double) loss.item() * k, k, correct(spec, out, b.y()), null);
  }

  /**
   * {@code samples.size() / batchSize} (rounded up) local steps from the broadcast parameters and optimizer
   * state; returns the parameters and the optimizer state's tensors, each multiplied by this partition's share
   * {@code samples.size() / roundTotal} of the round's examples, so that the partitions' results add up to the
   * example-weighted average (a share of one, the whole round in one partition, multiplies exactly).
   */
  static Partial localSteps(Spec spec, float[][] params, byte[] optimizerState, List<Sample> samples, int batchSize,
      long roundTotal) {
    if (samples.isEmpty()) {
      return Partial.empty();
    }
    Module m = Replicas.load(spec, params);
    m.train();
    List<Tensor> ps = m.parameters();
    Optimizer opt = spec.optimizer().create(ps);
    try {
      opt.loadStateDict(OptimizerStates.decode(optimizerState, "the driver's broadcast"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    double lossSum = 0;
    long correct = 0;
    int n = samples.size();
    for (int from = 0; from < n; from += batchSize) {
      List<Sample> part = samples.subList(from, Math.min(n, from + batchSize));
      Batch b = spec.batch(part);
      opt.zeroGrad();
      Tensor out = m.forward(b.x());
      Tensor loss = spec.loss().apply(out, b.y());
      loss.backward();
      opt.step();
      lossSum += (double) loss.item() * part.size();
      correct += correct(spec, out, b.y());
    }
    float w = (float) ((double) n / roundTotal);
    List<float[]> arrays = new ArrayList<>();
    for (Tensor p : ps) {
      arrays.add(scaled(p.storage(), p.numel(), w));
    }
    StateDict after = opt.stateDict();
    OptimizerStates.forEachStateTensor(after, opt.name(), t -> arrays.add(scaled(t.storage(), t.numel(), w)));
    return new Partial(arrays.toArray(float[][]::new), lossSum, n, correct, OptimizerStates.encode(after, false));
  }

  /** Loss and correct predictions of {@code samples} in batches of {@code batchSize}, in evaluation mode. */
  static Partial evaluate(Spec spec, float[][] params, List<Sample> samples, int batchSize) {
    if (samples.isEmpty()) {
      return Partial.empty();
    }
    Module m = Replicas.load(spec, params);
    m.eval();
    double lossSum = 0;
    long correct = 0;
    int n = samples.size();
    try (var g = Autograd.noGrad()) {
      for (int from = 0; from < n; from += batchSize) {
        List<Sample> part = samples.subList(from, Math.min(n, from + batchSize));
        Batch b = spec.batch(part);
        Tensor out = m.forward(b.x());
        lossSum += (double) spec.loss().apply(out, b.y()).item() * part.size();
        correct += correct(spec, out, b.y());
      }
    }
    return new Partial(null, lossSum, n, correct, null);
  }

  private static float[] scaled(float[] a, int n, float w) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = a[i] * w;
    }
    return out;
  }

  /** How many rows of {@code out} have their largest value at the target class (0 unless classifying). */
  private static long correct(Spec spec, Tensor out, Tensor y) {
    if (!spec.classification() || out.dim() != 2) {
      return 0;
    }
    try (var g = Autograd.noGrad()) {
      return (long) out.argmax(1).eq(y).sum().item();
    }
  }
}
