package dev.adjoint.corpus;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;

/**
 * {@code switch} as people write it: arrow arms, several labels, colon groups ending in {@code break} or
 * {@code return}, switch expressions with {@code yield} and {@code throw}, a switch inside a loop with
 * {@code continue} and an early return, and a tensor activation chosen by a switch. {@code SwitchJavaTest}
 * checks each against its own value, central differences and, for tensors, eager autograd.
 */
final class SwitchJava {
  private SwitchJava() {}

  static final int SQUARE = 0;

  @Differentiable
  static double arrowArms(double x, int k) {
    double y;
    switch (k) {
      case SQUARE -> y = x * x;
      case 1, 2 -> {
        y = Math.sin(x);
        y = y * k;
      }
      default -> y = -x;
    }
    return y + x;
  }

  @Differentiable
  static double colonGroups(double x, int mode) {
    double y = x;
    switch (mode) {
      case 0:
        y = y * 3;
        break;
      case 1:
      case 2:
        y = y * y;
        break;
      default:
        return -x * y;
    }
    return y + 1;
  }

  @Differentiable
  static double switchExpression(double x, int k) {
    double w = switch (k) {
      case 0 -> x * 2;
      case 1 -> {
        double t = x * x;
        yield t + Math.cos(x);
      }
      case 9 -> throw new IllegalArgumentException("k " + k);
      default -> Math.exp(x);
    };
    return w * x;
  }

  @Differentiable
  static double switchInALoop(double x, int n) {
    double s = x;
    for (int i = 0; i < n; i++) {
      switch (i % 3) {
        case 0 -> {
          continue;
        }
        case 1 -> s = s * x + i;
        default -> {
          if (s > 20) {
            return s;
          }
          s = s * 0.5;
        }
      }
      s = s + Math.tanh(s);
    }
    return s;
  }

  @Differentiable
  static Tensor activation(Tensor x, int kind) {
    Tensor h = switch (kind) {
      case 0 -> x.relu();
      case 1 -> x.tanh();
      default -> x.sigmoid().mul(x);
    };
    return h.mul(x).sum();
  }
}
