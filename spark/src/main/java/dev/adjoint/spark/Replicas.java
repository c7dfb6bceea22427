package dev.adjoint.spark;

import dev.adjoint.Tensor;
import dev.adjoint.nn.Module;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The executor side's copies of the network: one per task thread and trainer, built once by the trainer's
 * {@link ModelFactory} and loaded with the broadcast parameters at every task. Modules are not thread-safe,
 * and Spark runs several tasks of one executor at once on separate threads.
 */
final class Replicas {
  private static final ThreadLocal<Map<String, Module>> LOCAL = ThreadLocal.withInitial(HashMap::new);
  /** Replicas kept per thread; a thread that served more trainers than this starts over. */
  private static final int KEEP = 4;

  private Replicas() {}

  /** This thread's replica for {@code spec}, with {@code params} copied into its parameters. */
  static Module load(Spec spec, float[][] params) {
    Map<String, Module> mine = LOCAL.get();
    Module m = mine.get(spec.id());
    if (m == null) {
      if (mine.size() >= KEEP) {
        mine.clear();
      }
      m = spec.model().create();
      mine.put(spec.id(), m);
    }
    List<Tensor> ps = m.parameters();
    if (ps.size() != params.length) {
      throw new IllegalStateException("SparkTrainer: the executor's model has " + ps.size() + " parameters but the "
          + "driver's has " + params.length + "; the ModelFactory must build the same network every time");
    }
    for (int i = 0; i < params.length; i++) {
      float[] dst = ps.get(i).mutableStorage("spark: set parameters");
      if (dst.length != params[i].length) {
        throw new IllegalStateException("SparkTrainer: parameter " + i + " has " + dst.length + " elements on the "
            + "executor and " + params[i].length + " on the driver; the ModelFactory must build the same network");
      }
      System.arraycopy(params[i], 0, dst, 0, dst.length);
      // a new version: caches keyed by it (a linear layer's packed weight) must not serve the previous step's values
      ps.get(i).bumpVersion();
    }
    m.zeroGrad();
    return m;
  }
}
