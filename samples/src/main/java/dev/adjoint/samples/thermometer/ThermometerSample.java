package dev.adjoint.samples.thermometer;

import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import java.util.Locale;

/** Seed 000: the thermometer calibration trained with autograd (eager mode). */
public final class ThermometerSample {
  private ThermometerSample() {}

  static final Tensor T_C = Tensor.of(0.5f, 14.0f, 15.0f, 28.0f, 11.0f, 8.0f, 3.0f, -4.0f, 6.0f, 13.0f, 21.0f);
  static final Tensor T_U = Tensor.of(35.7f, 55.9f, 58.2f, 81.9f, 56.3f, 48.9f, 33.9f, 21.8f, 48.4f, 60.4f, 68.4f);

  static Tensor model(Tensor tU, Tensor w, Tensor b) {
    return w.mul(tU).add(b);
  }

  static Tensor lossFn(Tensor tP, Tensor tC) {
    return tP.sub(tC).pow(2).mean();
  }

  public static void main(String[] args) {
    Tensor tUn = T_U.mul(0.1);
    Tensor params = Tensor.of(1.0f, 0.0f).requiresGrad(true);
    for (int epoch = 1; epoch <= 5000; epoch++) {
      if (params.grad() != null) {
        params.grad().zero_();
      }
      Tensor loss = lossFn(model(tUn, params.slice(0, 0, 1), params.slice(0, 1, 2)), T_C);
      loss.backward();
      try (var g = Autograd.noGrad()) {
        params.sub_(params.grad().mul(1e-2));
      }
      if (epoch % 500 == 0) {
        System.out.printf(Locale.ROOT, "Epoch %d, Loss %f%n", epoch, loss.item());
      }
    }
    System.out.println(params);
  }
}
