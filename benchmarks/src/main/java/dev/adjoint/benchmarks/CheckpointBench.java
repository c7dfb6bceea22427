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
 * {@code Checkpoint.checkpointSequential} with 4 segments, in one process.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp benchmarks/target/classes:runtime/target/classes \
 *     dev.adjoint.benchmarks.CheckpointBench [rounds]
 * </pre>
 */
public final class CheckpointBench {
  private static final int LAYERS = 16;
  private static final int WIDTH = 1024;
  private static final int BATCH = 256;

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
    for (int w = 0; w < 3; w++) {
      step(model, x, false);
      step(model, x, true);
    }
    // memory first (full collections around each forward), then the timed steps with no collection forced
    long idle = usedAfterGc();
    long[] held = new long[2];
    for (int v = 0; v < 2; v++) {
      Tensor y = forward(model, x, v == 1);
      held[v] = usedAfterGc() - idle;
      y.sum().backward();
      model.zeroGrad();
      x.grad().zero_();
    }
    double[][] ms = new double[2][rounds];
    for (int r = 0; r < rounds; r++) {
      for (int v = 0; v < 2; v++) {
        long t0 = System.nanoTime();
        step(model, x, v == 1);
        ms[v][r] = (System.nanoTime() - t0) / 1e6;
      }
    }
    String[] name = {"plain", "checkpoint(4 segments)"};
    for (int v = 0; v < 2; v++) {
      double[] s = ms[v].clone();
      Arrays.sort(s);
      System.out.printf(Locale.ROOT, "%-24s step median %.1f ms [%.1f .. %.1f], graph holds %.1f MB%n", name[v],
          s[rounds / 2], s[0], s[rounds - 1], held[v] / 1e6);
    }
    System.out.printf(Locale.ROOT, "RESULT checkpoint_time_ratio=%.2f checkpoint_memory_ratio=%.2f%n",
        median(ms[1]) / median(ms[0]), (double) held[1] / held[0]);
  }

  private static Tensor forward(Sequential model, Tensor x, boolean ckpt) {
    return ckpt ? Checkpoint.checkpointSequential(model, 4, x) : model.call(x);
  }

  private static void step(Sequential model, Tensor x, boolean ckpt) {
    forward(model, x, ckpt).sum().backward();
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
