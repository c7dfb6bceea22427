package dev.adjoint.nn;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.shape.Shapes;
import dev.adjoint.Tensor;
import java.util.List;
import java.util.Locale;

/**
 * Parameter initialisation ({@code torch.nn.init}): every function fills a tensor in place without recording
 * (as PyTorch's run under {@code no_grad}) and returns it. The fan computation is PyTorch's
 * ({@code _calculate_fan_in_and_fan_out}): for a weight of shape {@code (out, in, k...)}, {@code fanIn = in·Πk}
 * and {@code fanOut = out·Πk}. Random numbers come from an Adjoint {@link Generator} (not PyTorch's stream):
 * the distributions are PyTorch's, the draws are not.
 */
public final class Init {
  private Init() {}

  /** {@code calculate_gain(nonlinearity, param)}: the recommended gain for the nonlinearity. */
  public static double calculateGain(String nonlinearity, double param) {
    return switch (nonlinearity) {
      case "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
          "sigmoid" -> 1;
      case "tanh" -> 5.0 / 3;
      case "relu" -> Math.sqrt(2.0);
      case "leaky_relu" -> Math.sqrt(2.0 / (1 + param * param));
      case "selu" -> 3.0 / 4;
      default -> throw new IllegalArgumentException("calculateGain: Unsupported nonlinearity " + nonlinearity);
    };
  }

  /** {@code calculate_gain(nonlinearity)}; {@code leaky_relu}'s slope defaults to 0.01. */
  public static double calculateGain(String nonlinearity) {
    return calculateGain(nonlinearity, 0.01);
  }

  /** {@code {fanIn, fanOut}} of a weight of at least 2 dimensions. */
  public static int[] calculateFanInAndFanOut(Tensor t) {
    if (t.dim() < 2) {
      throw new IllegalArgumentException("calculateFanInAndFanOut: Fan in and fan out can not be computed for "
          + "tensor with fewer than 2 dimensions (shape " + Shapes.str(t.shape()) + ")");
    }
    int receptive = t.numel() / (t.shape()[0] * t.shape()[1]);
    return new int[] {t.shape()[1] * receptive, t.shape()[0] * receptive};
  }

  private static float[] data(Tensor t, String op) {
    return t.mutableStorage(op);
  }

  private static Tensor done(Tensor t) {
    t.bumpVersion();
    return t;
  }

  /** {@code uniform_(t, a, b)}: values uniform on {@code [a, b)}; a {@code null} generator is the default one. */
  public static Tensor uniform_(Tensor t, double a, double b, Generator gen) {
    try (var noGrad = Autograd.noGrad()) {
      float[] d = data(t, "uniform_");
      Generator g = gen != null ? gen : Generator.defaultGenerator(); // generator=None, as PyTorch
      for (int i = 0; i < d.length; i++) {
        d[i] = (float) (a + (b - a) * g.nextDouble());
      }
      return done(t);
    }
  }

  /** {@code normal_(t, mean, std)}; a {@code null} generator is the default one. */
  public static Tensor normal_(Tensor t, double mean, double std, Generator gen) {
    try (var noGrad = Autograd.noGrad()) {
      float[] d = data(t, "normal_");
      Generator g = gen != null ? gen : Generator.defaultGenerator(); // generator=None, as PyTorch
      for (int i = 0; i < d.length; i++) {
        d[i] = (float) (mean + std * g.nextGaussian());
      }
      return done(t);
    }
  }

  /** {@code constant_(t, value)}. */
  public static Tensor constant_(Tensor t, double value) {
    java.util.Arrays.fill(data(t, "constant_"), (float) value);
    return done(t);
  }

  /** {@code zeros_(t)}. */
  public static Tensor zeros_(Tensor t) {
    return constant_(t, 0);
  }

  /** {@code ones_(t)}. */
  public static Tensor ones_(Tensor t) {
    return constant_(t, 1);
  }

  private static int fan(Tensor t, String mode) {
    int[] f = calculateFanInAndFanOut(t);
    return switch (mode.toLowerCase(Locale.ROOT)) {
      case "fan_in" -> f[0];
      case "fan_out" -> f[1];
      default -> throw new IllegalArgumentException("Mode " + mode + " not supported, please use one of "
          + List.of("fan_in", "fan_out"));
    };
  }

  /**
   * {@code kaiming_uniform_(t, a, mode, nonlinearity)}: uniform on {@code ±gain·√(3/fan)}, with
   * {@code gain = calculateGain(nonlinearity, a)} and {@code fan} the fan-in or fan-out.
   */
  public static Tensor kaimingUniform_(Tensor t, double a, String mode, String nonlinearity, Generator gen) {
    double bound = Math.sqrt(3.0) * calculateGain(nonlinearity, a) / Math.sqrt(fan(t, mode));
    return uniform_(t, -bound, bound, gen);
  }

  /** {@code kaiming_uniform_(t)}: {@code a = 0}, fan-in, leaky ReLU (so the gain is √2). */
  public static Tensor kaimingUniform_(Tensor t, Generator gen) {
    return kaimingUniform_(t, 0, "fan_in", "leaky_relu", gen);
  }

  /** {@code kaiming_normal_(t, a, mode, nonlinearity)}: normal with {@code std = gain/√fan}. */
  public static Tensor kaimingNormal_(Tensor t, double a, String mode, String nonlinearity, Generator gen) {
    return normal_(t, 0, calculateGain(nonlinearity, a) / Math.sqrt(fan(t, mode)), gen);
  }

  /** {@code kaiming_normal_(t)}: {@code a = 0}, fan-in, leaky ReLU. */
  public static Tensor kaimingNormal_(Tensor t, Generator gen) {
    return kaimingNormal_(t, 0, "fan_in", "leaky_relu", gen);
  }

  /** {@code xavier_uniform_(t, gain)}: uniform on {@code ±gain·√(6/(fanIn + fanOut))}. */
  public static Tensor xavierUniform_(Tensor t, double gain, Generator gen) {
    int[] f = calculateFanInAndFanOut(t);
    double bound = gain * Math.sqrt(6.0 / (f[0] + f[1]));
    return uniform_(t, -bound, bound, gen);
  }

  /** {@code xavier_normal_(t, gain)}: normal with {@code std = gain·√(2/(fanIn + fanOut))}. */
  public static Tensor xavierNormal_(Tensor t, double gain, Generator gen) {
    int[] f = calculateFanInAndFanOut(t);
    return normal_(t, 0, gain * Math.sqrt(2.0 / (f[0] + f[1])), gen);
  }
}
