package dev.adjoint.samples.autograd;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.nn.F;
import dev.adjoint.optim.Optimizer;
import dev.adjoint.optim.SGD;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Seeds 003 and 004, the {@code torch.autograd} tutorial: a one-layer network {@code z = x·w + b} with
 * {@code binaryCrossEntropyWithLogits}, its {@code gradFn}s, gradients on the leaves, turning tracking off
 * with {@code noGrad} and {@code detach}, the error of a second backward and {@code retainGraph}, then the
 * experiment that shows gradients accumulating in {@code .grad} unless {@code zeroGrad()} clears them.
 *
 * <p>Run it with {@code mvn -pl samples -am -DskipTests package exec:exec
 * -Dsample=dev.adjoint.samples.autograd.AutogradBasicsSample}.
 */
public final class AutogradBasicsSample {
  private AutogradBasicsSample() {}

  /**
   * {@code torch.manual_seed(1); w = torch.randn(5, 3)}: the values behind seed 003's printed gradients.
   * Adjoint's generator is not PyTorch's, so they are spelled out here; the tests check them against
   * PyTorch's export ({@code src/test/python/export_goldens.py}).
   */
  static final float[][] W_SEED_1 = {
      {0.66135216f, 0.2669241f, 0.06167726f},
      {0.6213173f, -0.45190597f, -0.16613023f},
      {-1.5227685f, 0.38168392f, -1.0276086f},
      {-0.5630528f, -0.89229053f, -0.058250178f},
      {-0.19550958f, -0.96563596f, 0.42241532f}};

  /** {@code b = torch.randn(3)}, drawn right after {@link #W_SEED_1}. */
  static final float[] B_SEED_1 = {0.267317f, -0.42119515f, -0.5107f};

  /** A fresh {@code w} (requires grad) with seed 003's values. */
  public static Tensor w() {
    return Tensor.of(W_SEED_1).requiresGrad(true);
  }

  /** A fresh {@code b} (requires grad) with seed 003's values. */
  public static Tensor b() {
    return Tensor.of(B_SEED_1.clone()).requiresGrad(true);
  }

  /** {@code loss = binary_cross_entropy_with_logits(matmul(x, w) + b, y)} with {@code x = ones(5)}, {@code y = zeros(3)}. */
  public static Tensor loss(Tensor w, Tensor b) {
    Tensor x = Tensor.ones(5); // input
    Tensor y = Tensor.zeros(3); // expected output
    Tensor z = x.matmul(w).add(b);
    return F.binaryCrossEntropyWithLogits(z, y);
  }

  /**
   * The graph, its {@code gradFn}s, one backward, and turning tracking off. The gradients reach only the
   * leaves that require grad ({@code w} and {@code b}).
   */
  public static List<String> gradients() {
    Tensor x = Tensor.ones(5);
    Tensor y = Tensor.zeros(3);
    Tensor w = w();
    Tensor b = b();
    Tensor z = x.matmul(w).add(b);
    Tensor loss = F.binaryCrossEntropyWithLogits(z, y);
    List<String> lines = new ArrayList<>();
    lines.add("Gradient function for z = " + z.gradFn().name());
    lines.add("Gradient function for loss = " + loss.gradFn().name());
    lines.add("loss = " + loss);

    loss.backward();
    lines.add("Derivative of w: " + w.grad());
    lines.add("Derivative of b: " + b.grad());

    lines.add("z.requiresGrad() = " + z.requiresGrad());
    try (var g = Autograd.noGrad()) {
      z = x.matmul(w).add(b);
    }
    lines.add("under noGrad: z.requiresGrad() = " + z.requiresGrad());
    z = x.matmul(w).add(b);
    Tensor zDet = z.detach();
    lines.add("before detach(): " + z.requiresGrad() + ", after detach(): " + zDet.requiresGrad());
    return lines;
  }

  /**
   * Seed 003's {@code retain_graph} section: a second {@code backward()} through a freed graph fails; with
   * {@code retainGraph} the second one succeeds and the gradients add up to twice the first.
   */
  public static List<String> retainGraph() {
    List<String> lines = new ArrayList<>();
    Tensor loss = loss(w(), b());
    loss.backward();
    try {
      loss.backward();
      throw new AssertionError("a second backward through a freed graph succeeded");
    } catch (IllegalStateException e) {
      lines.add("second backward: " + e.getMessage());
    }

    Tensor w = w();
    Tensor b = b();
    loss = loss(w, b);
    loss.backward(null, true); // retainGraph
    loss.backward();
    lines.add("backward(retainGraph) then backward(): w.grad = " + w.grad());
    lines.add("b.grad = " + b.grad());

    Tensor w1 = w();
    Tensor b1 = b();
    loss(w1, b1).backward();
    lines.add("one backward, times 2: b.grad * 2 = " + b1.grad().mul(2));
    return lines;
  }

  /** The gradients printed by one run of the experiment, as text and as values. */
  public record GradTrace(List<String> lines, List<float[]> grads) {
    public GradTrace {
      lines = List.copyOf(lines);
      grads = List.copyOf(grads);
    }
  }

  /**
   * Seed 003 In[300]/In[301]: ten iterations on one sample, printing
   * {@code list(model.parameters())[3].grad[0:6]} after each backward. With {@code zeroGrad} the gradient
   * stays (almost: {@code step()} moves the weights a little) the same; without it each backward adds to
   * the previous ones, so the k-th print is about k times the first.
   */
  public static GradTrace zeroGradExperiment(Mlp model, Tensor x, int target, double lr, boolean zeroGrad) {
    Optimizer optimizer = new SGD(model.parameters(), lr);
    Tensor y = Tensor.indices(target);
    List<String> lines = new ArrayList<>();
    List<float[]> grads = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Tensor logits = model.forward(x);
      Tensor pred = logits.reshape(1, logits.numel());
      Tensor loss = F.crossEntropy(pred, y);

      if (zeroGrad) {
        optimizer.zeroGrad();
      }
      loss.backward();
      Tensor grad = model.parameters().get(3).grad().slice(0, 0, 6);
      lines.add(String.format(Locale.ROOT, "backward %d: %s", i, grad));
      grads.add(grad.toFloatArray());
      optimizer.step();
    }
    return new GradTrace(lines, grads);
  }

  public static void main(String[] args) {
    print("Seed 003: gradients", gradients());
    print("Seed 003: retainGraph", retainGraph());
    // A 20-16-16-10 network on one synthetic sample (the seed used 784-512-512-10 on FashionMNIST image 1012)
    Generator generator = new Generator(1);
    Tensor x = Tensor.rand(generator, 20);
    for (boolean zeroGrad : new boolean[] {true, false}) {
      Mlp model = Mlp.init(20, 16, 10, new Generator(2));
      GradTrace trace = zeroGradExperiment(model, x, 3, 1e-4, zeroGrad);
      print((zeroGrad ? "with" : "without") + " optimizer.zeroGrad(): parameters().get(3).grad()[0:6]",
          trace.lines());
    }
  }

  private static void print(String title, List<String> lines) {
    System.out.println("== " + title);
    lines.forEach(System.out::println);
    System.out.println();
  }
}
