package dev.adjoint.benchmarks;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.kernel.Kernels;
import dev.adjoint.kernel.vector.FmaPeak;
import dev.adjoint.nn.F;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;

/**
 * Convolution forward speed in GFLOP/s (2·N·O·OH·OW·C·kH·kW / time, im2col and the layout transposes
 * included) on the FashionMNIST CNN's two layers and a wider one, against the Vector API FMA peak measured in
 * the same run ({@link FmaPeak}: 12 independent FMA chains on the calling thread). Each shape is warmed up,
 * then the median of {@code --samples} timed samples of at least {@code --seconds} is printed, in wall time and
 * in the calling thread's CPU time (which another process on the machine disturbs less).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp ... dev.adjoint.benchmarks.ConvBench [--seconds S] [--samples N]
 * </pre>
 */
public final class ConvBench {
  private ConvBench() {}

  record Shape(String name, int n, int c, int h, int w, int o, int k, int pad) {
    double flops() {
      int oh = h + 2 * pad - k + 1;
      int ow = w + 2 * pad - k + 1;
      return 2.0 * n * o * oh * ow * c * k * k;
    }
  }

  public static void main(String[] args) {
    double seconds = 1;
    int samples = 5;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seconds" -> seconds = Double.parseDouble(args[++i]);
        case "--samples" -> samples = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("usage: ConvBench [--seconds S] [--samples N]");
      }
    }
    ThreadMXBean tmx = ManagementFactory.getThreadMXBean();
    int iters = 1 << 22;
    double[] peak = time(() -> FmaPeak.run(iters, 1f), seconds, samples, tmx);
    double peakGflops = FmaPeak.flops(iters) / peak[0] / 1e9;
    double peakCpu = FmaPeak.flops(iters) / peak[1] / 1e9;
    System.out.printf(Locale.ROOT, "ConvBench: kernels=%s, availableProcessors=%d; FMA peak (1 thread) %.1f GFLOP/s wall, "
        + "%.1f per CPU-second%n", Kernels.get().name(), Runtime.getRuntime().availableProcessors(), peakGflops, peakCpu);
    Generator gen = new Generator(1);
    Shape[] shapes = {new Shape("cnn conv1 64x1x28x28 -> 16, 3x3 pad 1", 64, 1, 28, 28, 16, 3, 1),
        new Shape("cnn conv2 64x16x14x14 -> 32, 3x3 pad 1", 64, 16, 14, 14, 32, 3, 1),
        new Shape("wide 32x64x28x28 -> 64, 3x3 pad 1", 32, 64, 28, 28, 64, 3, 1)};
    for (Shape s : shapes) {
      Tensor x = Tensor.randn(gen, s.n(), s.c(), s.h(), s.w());
      Tensor w = Tensor.randn(gen, s.o(), s.c(), s.k(), s.k());
      Tensor b = Tensor.randn(gen, s.o());
      int[] one = {1};
      int[] pad = {s.pad()};
      double[] t = time(() -> {
        try (var g = Autograd.noGrad()) {
          return F.conv2d(x, w, b, one, pad, one, 1).numel();
        }
      }, seconds, samples, tmx);
      System.out.printf(Locale.ROOT, "%-42s %7.3f ms  %6.1f GFLOP/s wall (%4.0f%% of the 1-thread peak)  %6.1f per "
          + "CPU-second of the caller%n", s.name(), t[0] * 1e3, s.flops() / t[0] / 1e9,
          100 * s.flops() / t[0] / 1e9 / peakGflops, s.flops() / t[1] / 1e9);
    }
  }

  @FunctionalInterface
  interface Body {
    Object run();
  }

  /** {median wall seconds per call, median caller CPU seconds per call}. */
  static double[] time(Body body, double seconds, int samples, ThreadMXBean tmx) {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    int warm = 0;
    while (System.nanoTime() < end || warm < 5) {
      body.run();
      warm++;
    }
    double[] wall = new double[samples];
    double[] cpu = new double[samples];
    for (int s = 0; s < samples; s++) {
      long c0 = tmx.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      long stop = t0 + (long) (seconds * 1e9);
      int n = 0;
      long t;
      do {
        body.run();
        n++;
        t = System.nanoTime();
      } while (t < stop);
      wall[s] = (t - t0) / 1e9 / n;
      cpu[s] = (tmx.getCurrentThreadCpuTime() - c0) / 1e9 / n;
    }
    Arrays.sort(wall);
    Arrays.sort(cpu);
    return new double[] {wall[samples / 2], cpu[samples / 2]};
  }
}
