package dev.adjoint.benchmarks;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.kernel.Kernels;
import dev.adjoint.nn.CrossEntropyLoss;
import dev.adjoint.nn.Module;
import dev.adjoint.optim.SGD;
import dev.adjoint.samples.fashion.CompiledNeuralNetwork;
import dev.adjoint.samples.fashion.NeuralNetwork;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Arrays;
import java.util.Locale;

/**
 * Training and inference throughput of the FashionMNIST MLP (784-512-512-10, batch 64) in samples per
 * second, the peer of {@code benchmarks/python/mlp_bench.py}; run both in the same session and compare
 * the ratio. Data are synthetic (pixels uniform in [0, 1), random labels): speed does not depend on them.
 *
 * <p>A training step is the tutorial's: forward, cross-entropy, zero-grad, backward, {@code optim.SGD} step
 * (lr 1e-3). An inference step is a forward under no-grad in eval mode. Each is warmed
 * up for {@code --warmup} seconds, then timed as {@code --samples} samples of at least {@code --seconds}
 * seconds each; the median is reported, with the range. Peak heap is the sum of the heap pools' peak
 * usage after warm-up (reset before timing) and over the whole run. With {@code -Dadjoint.threads=1} the
 * line also gives samples per CPU-second of the calling thread, which a loaded machine disturbs less.
 *
 * <pre>
 * mvn -pl benchmarks -am -DskipTests package exec:exec -Dbench=dev.adjoint.benchmarks.MlpBench -Dbench.args=""
 * </pre>
 */
public final class MlpBench {
  private MlpBench() {}

  public static void main(String[] args) {
    // eager: the tutorial's Sequential network, one autograd node per operation; compiled: the same network
    // as a @Differentiable module, one node per forward whose backward the processor wrote
    run("MlpBench", "784-512-512-10", 1e-3, kind -> switch (kind) {
      case "eager" -> new NeuralNetwork();
      case "compiled" -> new CompiledNeuralNetwork();
      default -> throw new IllegalArgumentException("--model must be eager or compiled, got " + kind);
    }, args, MlpBench::products);
  }

  /** The MLP's layers, {in, out}. */
  private static final int[][] LAYERS = {{784, 512}, {512, 512}, {512, 10}};

  /**
   * The matrix products of one training step of the MLP, each as the step calls it ({@code LinearRules}):
   * per layer the forward {@code x·Wᵀ} (the changed weight packed into a reused buffer, then the packed
   * product), the weight gradient {@code gᵀ·x}, and the input gradient {@code g·W} for every layer but the
   * first (its input, the data, needs none). Operands are random, outputs preallocated.
   */
  static java.util.List<Roofline.Product> products(int batch) {
    return linearProducts(batch, LAYERS, true);
  }

  /**
   * The products {@link #products} lists for the linear layers {@code layers} ({in, out} each); the first layer's
   * input gradient is left out when {@code firstIsData} (its input is the data, which needs none).
   */
  static java.util.List<Roofline.Product> linearProducts(int batch, int[][] layers, boolean firstIsData) {
    java.util.List<Roofline.Product> list = new java.util.ArrayList<>();
    java.util.Random rnd = new java.util.Random(7);
    for (int l = 0; l < layers.length; l++) {
      int in = layers[l][0];
      int out = layers[l][1];
      float[] x = Roofline.random(rnd, batch * in);
      float[] w = Roofline.random(rnd, out * in);
      float[] g = Roofline.random(rnd, batch * out);
      float[] y = new float[batch * out];
      float[] gw = new float[out * in];
      float[] gx = new float[batch * in];
      Kernels.PackedB[] reuse = {null};
      String shape = batch + "x" + in + "x" + out;
      list.add(new Roofline.Product("fwd  " + shape + " x·Wᵀ (pack W + product)", 2L * batch * in * out, () -> {
        Kernels k = Kernels.get();
        Kernels.PackedB p = k.packB(true, in, out, w, 0, reuse[0]);
        k.gemmPacked(false, batch, x, 0, p, y, 0, false);
        reuse[0] = p;
      }));
      list.add(new Roofline.Product("bwd  " + shape + " gᵀ·x", 2L * batch * in * out,
          () -> Kernels.get().gemm(true, false, out, in, batch, g, 0, x, 0, gw, 0, false)));
      if (l > 0 || !firstIsData) {
        list.add(new Roofline.Product("bwd  " + shape + " g·W", 2L * batch * in * out,
            () -> Kernels.get().gemm(false, false, batch, in, out, g, 0, w, 0, gx, 0, false)));
      }
    }
    return list;
  }

  /**
   * The benchmark {@code bench} of the network {@code models} makes from {@code --model} (described as
   * {@code shape}), trained by SGD at {@code lr}: the arguments, data, steps and report shared with
   * {@link CnnBench}.
   */
  static void run(String bench, String shape, double lr, java.util.function.Function<String, Module> models,
      String[] args) {
    run(bench, shape, lr, models, args, null);
  }

  /**
   * As {@link #run(String, String, double, java.util.function.Function, String[])}; with {@code --roofline}
   * the training step is also timed against the sum of the products {@code products} gives for the batch,
   * each timed alone, interleaved with the step in the same process ({@link Roofline}).
   */
  static void run(String bench, String shape, double lr, java.util.function.Function<String, Module> models,
      String[] args, java.util.function.IntFunction<java.util.List<Roofline.Product>> products) {
    boolean roofline = false;
    double warmup = 5;
    double seconds = 2;
    int samples = 5;
    String mode = "both";
    String modelKind = "eager";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--warmup" -> warmup = Double.parseDouble(args[++i]);
        case "--seconds" -> seconds = Double.parseDouble(args[++i]);
        case "--samples" -> samples = Integer.parseInt(args[++i]);
        case "--mode" -> mode = args[++i];
        case "--model" -> modelKind = args[++i];
        case "--roofline" -> roofline = true;
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + "; usage: " + bench + " [--warmup S] [--seconds S] [--samples N] [--mode train|infer|both]"
            + " [--model eager|compiled] [--roofline]");
      }
    }
    int batch = 64;
    Generator gen = new Generator(1);
    int nb = 16;
    Tensor[] xs = new Tensor[nb];
    Tensor[] ys = new Tensor[nb];
    for (int i = 0; i < nb; i++) {
      xs[i] = Tensor.rand(gen, batch, 1, 28, 28);
      float[] y = new float[batch];
      for (int j = 0; j < batch; j++) {
        y[j] = gen.nextInt(10);
      }
      ys[i] = Tensor.wrap(y, new int[] {batch}, Tensor.DType.INT64);
    }
    Module model = models.apply(modelKind);
    CrossEntropyLoss lossFn = new CrossEntropyLoss();
    SGD optimizer = new SGD(model.parameters(), lr);
    int[] step = {0};
    Runnable train = () -> {
      int i = step[0]++ % nb;
      Tensor loss = lossFn.forward(model.forward(xs[i]), ys[i]);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
    };
    Runnable infer = () -> {
      int i = step[0]++ % nb;
      try (var g = Autograd.noGrad()) {
        model.forward(xs[i]);
      }
    };
    System.out.printf(Locale.ROOT, "%s: model=%s, kernels=%s, java=%s, batch=%d, %s, "
        + "availableProcessors=%d%n", bench, modelKind,
        Kernels.get().name(), System.getProperty("java.version"), batch, shape,
        Runtime.getRuntime().availableProcessors());
    double[] tr = {Double.NaN, 0};
    double[] inf = {Double.NaN, 0};
    if (!mode.equals("infer")) {
      model.train();
      tr = measure("training", train, batch, warmup, seconds, samples);
      if (roofline) {
        if (products == null) {
          throw new IllegalArgumentException("--roofline: " + bench + " has no list of products");
        }
        Roofline.print(train, products.apply(batch), batch, samples);
      }
    }
    if (!mode.equals("train")) {
      model.eval();
      inf = measure("inference", infer, batch, warmup, seconds, samples);
    }
    System.out.printf(Locale.ROOT, "RESULT java training_samples_per_s=%.0f inference_samples_per_s=%.0f "
        + "peak_heap_mb=%.1f peak_rss_mb=%.1f%n", tr[0], inf[0], Math.max(tr[1], inf[1]), peakRssMb());
  }

  /**
   * The process's peak resident set ({@code VmHWM} of {@code /proc/self/status}, what {@code mlp_bench.py}'s
   * {@code ru_maxrss} reports for PyTorch) in MB, or NaN where there is no such file.
   */
  static double peakRssMb() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      // not Linux: no figure
    }
    return Double.NaN;
  }

  /** Returns {median samples/s, peak heap MB while timed}. */
  private static double[] measure(String name, Runnable step, int batch, double warmup, double seconds, int samples) {
    long end = System.nanoTime() + (long) (warmup * 1e9);
    int warm = 0;
    while (System.nanoTime() < end || warm < 3) {
      step.run();
      warm++;
    }
    resetPeaks();
    long gc0 = Roofline.gcCount();
    double[] rates = new double[samples];
    double[] cpuRates = new double[samples];
    java.lang.management.ThreadMXBean tmx = ManagementFactory.getThreadMXBean();
    long[] alloc0 = Roofline.allocatedBytes();
    long proc0 = Roofline.processCpuNanos();
    long steps = 0;
    double timed = 0;
    for (int s = 0; s < samples; s++) {
      long c0 = tmx.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      long stop = t0 + (long) (seconds * 1e9);
      int n = 0;
      long t;
      do {
        step.run();
        n++;
        t = System.nanoTime();
      } while (t < stop);
      rates[s] = (double) n * batch / ((t - t0) / 1e9);
      steps += n;
      timed += (t - t0) / 1e9;
      cpuRates[s] = (double) n * batch / ((tmx.getCurrentThreadCpuTime() - c0) / 1e9);
    }
    Arrays.sort(cpuRates);
    double procRate = steps * batch / ((Roofline.processCpuNanos() - proc0) / 1e9);
    long[] alloc1 = Roofline.allocatedBytes();
    double peak = peakHeapMb();
    double[] sorted = rates.clone();
    Arrays.sort(sorted);
    System.out.printf(Locale.ROOT, "%-9s median %8.0f samples/s  [%.0f .. %.0f]  (%d warm-up steps, peak heap %.1f MB; "
        + "%.0f samples per CPU-second of the calling thread)%n",
        name, sorted[samples / 2], sorted[0], sorted[samples - 1], warm, peak, cpuRates[samples / 2]);
    System.out.printf(Locale.ROOT, "%-9s allocated %.3f MB per step on the calling thread, %.3f MB on the others; "
        + "%.0f samples per CPU-second of the process (%.2f cores busy), %d GCs while timed%n", name,
        (alloc1[0] - alloc0[0]) / 1048576.0 / steps, (alloc1[1] - alloc0[1]) / 1048576.0 / steps, procRate,
        batch * steps / timed / procRate, Roofline.gcCount() - gc0);
    return new double[] {sorted[samples / 2], peak};
  }

  private static void resetPeaks() {
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        p.resetPeakUsage();
      }
    }
  }

  private static double peakHeapMb() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum / (1024.0 * 1024.0);
  }
}
