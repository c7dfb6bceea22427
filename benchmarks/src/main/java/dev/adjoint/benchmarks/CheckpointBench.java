package dev.adjoint.benchmarks;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.Module;
import dev.adjoint.nn.ReLU;
import dev.adjoint.nn.Sequential;
import dev.adjoint.utils.Checkpoint;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Activation checkpointing on a 16-layer MLP (width 1024, batch 256): the memory the recorded graph holds
 * after the forward (heap in use after a full GC, minus the same without a graph) and the time of a
 * forward+backward step (alternating rounds, no collection forced between them), for the plain step and for
 * the model in 4 segments of which the first 3 are checkpointed (as {@code checkpoint_sequential}), in both
 * modes ({@code Checkpoint.Mode.REENTRANT} and {@code NON_REENTRANT}), in one process. Its peer is
 * {@code python/checkpoint_bench.py}.
 *
 * <p>With a variant name as second argument ({@code plain}, {@code reentrant}, {@code non-reentrant}) it runs
 * only that variant's step {@code rounds} times and prints {@code OK}: {@code checkpoint_xmx_sweep.sh} finds the
 * smallest {@code -Xmx} each variant runs in (the peak heap a step needs, parameters and gradients included).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/classes:runtime/target/classes \
 *     dev.adjoint.benchmarks.CheckpointBench [rounds] [variant]
 * </pre>
 */
public final class CheckpointBench {
  private static final int LAYERS = 16;
  private static final int WIDTH = 1024;
  private static final int BATCH = 256;
  private static final int SEGMENTS = 4;
  private static final String[] VARIANTS = {"plain", "reentrant", "non-reentrant"};

  private CheckpointBench() {}

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    Generator g = new Generator(1);
    List<Module> layers = new ArrayList<>();
    for (int i = 0; i < LAYERS; i++) {
      layers.add(new Linear(WIDTH, WIDTH, true, g));
      layers.add(new ReLU());
    }
    Sequential model = new Sequential(layers.toArray(new Module[0]));
    Tensor x = Tensor.randn(g, BATCH, WIDTH).requiresGrad(true);
    if (args.length > 1) {
      int v = Arrays.asList(VARIANTS).indexOf(args[1]);
      if (v < 0) {
        throw new IllegalArgumentException("variant " + args[1] + " is not one of " + Arrays.toString(VARIANTS));
      }
      for (int r = 0; r < rounds; r++) {
        step(model, x, v);
      }
      System.out.println("OK " + args[1]);
      return;
    }
    for (int w = 0; w < 3; w++) {
      for (int v = 0; v < VARIANTS.length; v++) {
        step(model, x, v);
      }
    }
    // memory first (full collections around each forward), then the timed steps with no collection forced
    long idle = usedAfterGc();
    long[] held = new long[VARIANTS.length];
    for (int v = 0; v < VARIANTS.length; v++) {
      Tensor y = forward(model, x, v);
      held[v] = usedAfterGc() - idle;
      y.sum().backward();
      model.zeroGrad();
      x.grad().zero_();
    }
    double[][] ms = new double[VARIANTS.length][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int v = 0; v < VARIANTS.length; v++) {
        long t0 = System.nanoTime();
        step(model, x, v);
        ms[v][r] = (System.nanoTime() - t0) / 1e6;
      }
    }
    for (int v = 0; v < VARIANTS.length; v++) {
      double[] s = ms[v].clone();
      Arrays.sort(s);
      System.out.printf(Locale.ROOT, "%-14s step median %.1f ms [%.1f .. %.1f], graph holds %.1f MB%n", VARIANTS[v],
          s[rounds / 2], s[0], s[rounds - 1], held[v] / 1e6);
    }
    for (int v = 1; v < VARIANTS.length; v++) {
      System.out.printf(Locale.ROOT, "RESULT %s time_ratio=%.2f memory_ratio=%.2f%n", VARIANTS[v],
          median(ms[v]) / median(ms[0]), (double) held[v] / held[0]);
    }
  }

  /**
   * The model's output: plain, or in {@link #SEGMENTS} runs of consecutive modules, each but the last
   * checkpointed ({@code checkpoint_sequential}'s split) in the variant's mode.
   */
  private static Tensor forward(Sequential model, Tensor x, int variant) {
    if (variant == 0) {
      return model.call(x);
    }
    Checkpoint.Mode mode = variant == 1 ? Checkpoint.Mode.REENTRANT : Checkpoint.Mode.NON_REENTRANT;
    int size = model.size() / SEGMENTS;
    Tensor h = x;
    for (int start = 0; start < model.size(); start += size) {
      int from = start;
      int to = Math.min(start + size, model.size());
      java.util.function.Function<Tensor[], Tensor> part = in -> {
        Tensor y = in[0];
        for (int i = from; i < to; i++) {
          y = model.get(i).forward(y);
        }
        return y;
      };
      h = to < model.size() ? Checkpoint.checkpoint(part, mode, h) : part.apply(new Tensor[] {h});
    }
    return h;
  }

  private static void step(Sequential model, Tensor x, int variant) {
    forward(model, x, variant).sum().backward();
    model.zeroGrad();
    x.grad().zero_();
  }

  private static double median(double[] a) {
    double[] s = a.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  private static long usedAfterGc() {
    MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
    System.gc();
    System.gc();
    return mx.getHeapMemoryUsage().getUsed();
  }
}
