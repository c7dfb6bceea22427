package dev.adjoint.corpus;

import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.ConvTranspose1d;
import dev.adjoint.nn.ConvTranspose2d;
import dev.adjoint.nn.Module;

/**
 * A decoder that upsamples with transposed convolutions (issue 18): {@code ConvTranspose2d} and
 * {@code ConvTranspose1d} as library modules whose {@code forward} is a primitive with receiver inputs.
 */
final class UpsamplingDecoder extends Module {
  final ConvTranspose2d up = new ConvTranspose2d(3, 2, new int[] {3}, new int[] {2}, new int[] {1}, new int[] {1},
      1, true, new int[] {1}, new Generator(31));
  final ConvTranspose1d line = new ConvTranspose1d(2, 4, 3, 2, 1, 1, 2, true, 1, new Generator(32));

  UpsamplingDecoder() {
    super(UpsamplingDecoderDiff.MEMBERS);
  }

  @Differentiable
  @Override
  public Tensor forward(Tensor x) {
    Tensor h = up.forward(x).tanh();
    Tensor l = line.forward(h.flatten(2, 3));
    return l.mul(l).sum();
  }
}
