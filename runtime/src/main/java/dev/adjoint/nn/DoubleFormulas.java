package dev.adjoint.nn;

import dev.adjoint.Tensor;
import dev.adjoint.autograd.DoubleBackward;
import dev.adjoint.autograd.Grads;

/**
 * The recorded backward formulas (for {@code createGraph}, see {@link DoubleBackward}) of {@code nn}'s
 * primitives: the adjoints written with tensor operations, so that a Hessian-vector product of a network's
 * loss runs through linear layers, softmax and cross-entropy. Registered from {@link F}'s and
 * {@link Linear}'s static initialisers.
 */
final class DoubleFormulas {
  private DoubleFormulas() {}

  static void registerF() {
    DoubleBackward.register(F.class, "linear(Tensor,Tensor,Tensor)",
        (g, o, a) -> linear(g, (Tensor) a[0], (Tensor) a[1], (Tensor) a[2]));
    DoubleBackward.register(F.class, "relu(Tensor)", (g, o, a) -> Grads.of(g.mul(DoubleBackward.positiveMask(o))));
    DoubleBackward.register(F.class, "sigmoid(Tensor)", (g, o, a) -> Grads.of(g.mul(o.mul(o.rsub(1)))));
    DoubleBackward.register(F.class, "tanh(Tensor)", (g, o, a) -> Grads.of(g.mul(o.mul(o).rsub(1))));
    DoubleBackward.register(F.class, "softmax(Tensor,int)", (g, o, a) -> {
      int dim = (Integer) a[1];
      return Grads.of(o.mul(g.sub(g.mul(o).sum(dim, true))), null);
    });
    DoubleBackward.register(F.class, "logSoftmax(Tensor,int)", (g, o, a) -> {
      int dim = (Integer) a[1];
      return Grads.of(g.sub(o.exp().mul(g.sum(dim, true))), null);
    });
    DoubleBackward.register(F.class, "nllLoss(Tensor,Tensor)", (g, o, a) -> {
      Tensor x = (Tensor) a[0];
      Tensor target = (Tensor) a[1];
      if (x.dim() != 2 || target.dtype() != Tensor.DType.INT64) {
        return null;
      }
      int n = x.size(0);
      int c = x.size(1);
      double[] hot = new double[n * c];
      float[] t = target.toFloatArray();
      for (int i = 0; i < n; i++) {
        if (t[i] < 0 || t[i] >= c) {
          return null; // an ignored or invalid class: no recorded formula (a clear error if differentiated twice)
        }
        hot[i * c + (int) t[i]] = -1.0 / n;
      }
      // the mean of -x[i, t_i]: linear in x, so the recorded adjoint depends on g only
      return Grads.of(Tensor.of(x.dtype(), hot).reshape(n, c).mul(g), null);
    });
    DoubleBackward.register(F.class, "crossEntropy(Tensor,Tensor)", (g, o, a) -> {
      Tensor x = (Tensor) a[0];
      Tensor target = (Tensor) a[1];
      if (x.dim() != 2 || target.dtype() != Tensor.DType.INT64) {
        return null; // class probabilities: no recorded formula (a clear error if differentiated twice)
      }
      int n = x.size(0);
      int c = x.size(1);
      float[] hot = new float[n * c];
      float[] t = target.toFloatArray();
      for (int i = 0; i < n; i++) {
        hot[i * c + (int) t[i]] = 1f;
      }
      Tensor p = F.softmax(x, 1);
      return Grads.of(p.sub(Tensor.wrap(hot, n, c)).mul(g.div(n)), null);
    });
  }

  static void registerActivations() {
    DoubleBackward.register(F.class, "leakyRelu(Tensor,double)",
        (g, o, a) -> Grads.of(g.mul(slopes((Tensor) a[0], (Double) a[1])), null));
    DoubleBackward.register(F.class, "leakyRelu(Tensor)", (g, o, a) -> Grads.of(g.mul(slopes((Tensor) a[0], 0.01))));
    DoubleBackward.register(F.class, "hardtanh(Tensor)",
        (g, o, a) -> Grads.of(g.mul(DoubleBackward.mask((Tensor) a[0], v -> v > -1 && v < 1))));
    DoubleBackward.register(F.class, "hardtanh(Tensor,double,double)", (g, o, a) -> {
      double min = (Double) a[1];
      double max = (Double) a[2];
      return Grads.of(g.mul(DoubleBackward.mask((Tensor) a[0], v -> v > min && v < max)), null, null);
    });
    DoubleBackward.register(F.class, "silu(Tensor)", (g, o, a) -> {
      Tensor x = (Tensor) a[0];
      Tensor s = x.sigmoid();
      return Grads.of(g.mul(s).mul(x.mul(s.rsub(1)).add(1)));
    });
    DoubleBackward.register(F.class, "logSigmoid(Tensor)", (g, o, a) -> Grads.of(g.mul(((Tensor) a[0]).neg().sigmoid())));
    DoubleBackward.register(F.class, "softplus(Tensor)", (g, o, a) -> Grads.of(softplus(g, (Tensor) a[0], 1, 20)));
    DoubleBackward.register(F.class, "softplus(Tensor,double,double)",
        (g, o, a) -> Grads.of(softplus(g, (Tensor) a[0], (Double) a[1], (Double) a[2]), null, null));
    DoubleBackward.register(F.class, "elu(Tensor)", (g, o, a) -> Grads.of(elu(g, (Tensor) a[0], 1)));
    DoubleBackward.register(F.class, "elu(Tensor,double)",
        (g, o, a) -> Grads.of(elu(g, (Tensor) a[0], (Double) a[1]), null));
  }

  /** 1 where {@code x > 0}, {@code slope} elsewhere (not recorded). */
  private static Tensor slopes(Tensor x, double slope) {
    Tensor pos = DoubleBackward.mask(x, v -> v > 0);
    return pos.add(pos.rsub(1).mul(slope));
  }

  /** softplus's gradient {@code g·σ(βx)}, and {@code g} where {@code βx > threshold} (the linear part). */
  private static Tensor softplus(Tensor g, Tensor x, double beta, double threshold) {
    Tensor linear = DoubleBackward.mask(x, v -> v * beta > threshold);
    return g.mul(x.mul(beta).sigmoid().mul(linear.rsub(1)).add(linear));
  }

  /** elu's gradient: {@code g} where {@code x > 0}, {@code g·α·eˣ} elsewhere. */
  private static Tensor elu(Tensor g, Tensor x, double alpha) {
    Tensor pos = DoubleBackward.mask(x, v -> v > 0);
    return g.mul(x.exp().mul(alpha).mul(pos.rsub(1)).add(pos));
  }

  static void registerLinear() {
    DoubleBackward.register(Linear.class, "forward(Tensor)", (g, o, a) -> {
      Grads l = linear(g, (Tensor) a[1], (Tensor) a[2], (Tensor) a[3]);
      return Grads.of(null, l.get(0), l.get(1), l.get(2));
    });
  }

  /** {@code x·Wᵀ + b}'s gradients with recorded operations, over any leading dimensions of {@code x}. */
  private static Grads linear(Tensor g, Tensor x, Tensor w, Tensor b) {
    int out = w.size(0);
    int in = w.size(1);
    int rows = x.numel() / in;
    Tensor g2 = g.reshape(rows, out);
    Tensor x2 = x.reshape(rows, in);
    Tensor gx = g2.matmul(w).reshape(x.shape());
    Tensor gw = g2.t().matmul(x2);
    return Grads.of(gx, gw, b == null ? null : g2.sum(0));
  }
}
