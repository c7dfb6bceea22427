package dev.adjoint.nn;

import dev.adjoint.Tensor;
import dev.adjoint.autograd.DoubleBackward;
import dev.adjoint.autograd.GradMode;
import dev.adjoint.autograd.Grads;
import dev.adjoint.autograd.Row;
import dev.adjoint.rules.ActivationRules;
import dev.adjoint.rules.ConvRules;
import dev.adjoint.rules.ConvTransposeRules;
import dev.adjoint.rules.NormRules;
import dev.adjoint.rules.PoolRules;

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


  // ---- convolution, pooling, normalisation, embedding, gelu (issue 14): rows of F

  /** A convolution's forward and gradients on kernels, for one geometry (stride, padding, dilation, groups). */
  private interface ConvOps {
    Tensor conv(Tensor x, Tensor w);

    Grads grads(Tensor g, Tensor x, Tensor w);
  }

  private static ConvOps conv2d(int[] stride, Object padding, int[] dilation, int groups) {
    return new ConvOps() {
      @Override
      public Tensor conv(Tensor x, Tensor w) {
        return ConvRules.conv2d(x, w, null, stride, padding, dilation, groups);
      }

      @Override
      public Grads grads(Tensor g, Tensor x, Tensor w) {
        return ConvRules.grads2d(g, x, w, null, stride, padding, dilation, groups);
      }
    };
  }

  private static ConvOps conv1d(int[] stride, Object padding, int[] dilation, int groups) {
    return new ConvOps() {
      @Override
      public Tensor conv(Tensor x, Tensor w) {
        return ConvRules.conv1d(x, w, null, stride, padding, dilation, groups);
      }

      @Override
      public Grads grads(Tensor g, Tensor x, Tensor w) {
        return ConvRules.grads1d(g, x, w, null, stride, padding, dilation, groups);
      }
    };
  }

  private static ConvOps convTranspose2d(int[] stride, int[] padding, int[] outputPadding, int groups, int[] dilation) {
    return new ConvOps() {
      @Override
      public Tensor conv(Tensor x, Tensor w) {
        return ConvTransposeRules.convTranspose2d(x, w, null, stride, padding, outputPadding, groups, dilation);
      }

      @Override
      public Grads grads(Tensor g, Tensor x, Tensor w) {
        return ConvTransposeRules.grads2d(g, x, w, null, stride, padding, groups, dilation);
      }
    };
  }

  private static ConvOps convTranspose1d(int[] stride, int[] padding, int[] outputPadding, int groups, int[] dilation) {
    return new ConvOps() {
      @Override
      public Tensor conv(Tensor x, Tensor w) {
        return ConvTransposeRules.convTranspose1d(x, w, null, stride, padding, outputPadding, groups, dilation);
      }

      @Override
      public Grads grads(Tensor g, Tensor x, Tensor w) {
        return ConvTransposeRules.grads1d(g, x, w, null, stride, padding, groups, dilation);
      }
    };
  }

  /**
   * A convolution's gradients for createGraph. The convolution is bilinear in input and weight, so its input
   * gradient {@code A(g, W)} (a transposed convolution of g) and weight gradient {@code B(g, x)} are linear in
   * each argument, and their own adjoints are the same two kernels with the roles swapped: for upstream
   * {@code h}, {@code ∂g = conv(h, W)} and {@code ∂W = B(g, h)} of the input gradient, {@code ∂g = conv(x, h)}
   * and {@code ∂x = A(g, h)} of the weight gradient. Those run on the kernels, so a third derivative throws;
   * the bias gradient is a recorded sum. The transposed convolution is bilinear too, with the convolution's
   * kernels in the other roles: its input gradient is a convolution, and a convolution's is a transposed one.
   */
  private static Grads conv(Tensor g, Tensor x, Tensor w, Tensor b, int spatial, ConvOps ops) {
    Grads first;
    boolean was = GradMode.set(false);
    try {
      first = ops.grads(g.detach(), x.detach(), w.detach());
    } finally {
      GradMode.set(was);
    }
    Tensor gx = !x.requiresGrad() ? null : DoubleBackward.withBackward("ConvolutionBackwardBackward0", first.get(0),
        new Tensor[] {g, w}, h -> new Tensor[] {ops.conv(h, w), ops.grads(g, h, w).get(1)});
    Tensor gw = !w.requiresGrad() ? null : DoubleBackward.withBackward("ConvolutionBackwardBackward0", first.get(1),
        new Tensor[] {g, x}, h -> new Tensor[] {ops.conv(x, h), ops.grads(g, x, h).get(0)});
    Tensor gb = null;
    if (b != null && b.requiresGrad()) {
      int channel = g.dim() - spatial - 1;
      int[] dims = new int[g.dim() - 1];
      for (int k = 0, j = 0; k < g.dim(); k++) {
        if (k != channel) {
          dims[j++] = k;
        }
      }
      gb = g.sum(dims, false);
    }
    return Grads.of(gx, gw, gb);
  }

  /**
   * Registers a formula built on {@link DoubleBackward#composite}, whose gradients take their values from the
   * row's own adjoint (the kernels) and their graph from the composite: {@code exact + (c - c.detach())} is
   * {@code exact} to the bit and differentiates as {@code c}. So the first gradient with createGraph equals the
   * one without, and the composite's different rounding shows only in the second.
   */
  private static void registerComposite(Class<?> owner, String signature, DoubleBackward.Formula f) {
    Row[] row = new Row[1];
    DoubleBackward.register(owner, signature, (g, o, a) -> {
      Grads c = f.apply(g, o, a);
      if (c == null) {
        return null;
      }
      if (row[0] == null) {
        row[0] = rowOf(owner, signature);
      }
      Grads exact;
      boolean was = GradMode.set(false);
      try {
        exact = row[0].adjoint(g.detach(), o, a);
      } finally {
        GradMode.set(was);
      }
      Tensor[] out = new Tensor[a.length];
      for (int k = 0; k < a.length; k++) {
        Tensor ck = c.get(k);
        Tensor ek = ck == null ? null : exact.get(k);
        out[k] = ek == null ? ck : ek.add(ck.sub(ck.detach()));
      }
      return Grads.of(out);
    });
  }

  /** The row of {@code owner}'s primitive {@code signature} ({@code "name(Type,Type)"}, simple type names). */
  private static Row rowOf(Class<?> owner, String signature) {
    for (java.lang.reflect.Method m : owner.getDeclaredMethods()) {
      StringBuilder b = new StringBuilder(m.getName()).append('(');
      Class<?>[] ps = m.getParameterTypes();
      for (int k = 0; k < ps.length; k++) {
        b.append(k == 0 ? "" : ",").append(ps[k].getSimpleName());
      }
      if (b.append(')').toString().equals(signature) && m.isAnnotationPresent(dev.adjoint.annotation.Primitive.class)) {
        return Row.of(m);
      }
    }
    throw new IllegalStateException(owner.getSimpleName() + "." + signature + " is not a primitive");
  }

  /** {@code grads} shifted one to the right (a module row's receiver first) and padded to {@code n} entries. */
  private static Grads shifted(Grads grads, int k, int n) {
    Tensor[] out = new Tensor[n];
    for (int i = 0; i + k < n && i < 4; i++) {
      out[i + k] = grads.get(i);
    }
    return Grads.of(out);
  }

  /**
   * {@code h} with row {@code row} zeroed (a constant mask): the padding row gets no gradient, so the transpose of
   * embedding's adjoint reads none of it.
   */
  private static Tensor withoutRow(Tensor h, int row) {
    if (row == NormRules.NO_PADDING) {
      return h;
    }
    int r = row < 0 ? row + h.size(0) : row;
    int cols = h.numel() / h.size(0);
    return h.mul(DoubleBackward.constantOf(h, new java.util.function.DoubleUnaryOperator() {
      private int k;

      @Override
      public double applyAsDouble(double v) {
        return k++ / cols == r ? 0 : 1;
      }
    }));
  }

  private static Tensor t(Object[] a, int k) {
    return (Tensor) a[k];
  }

  /** maxPool2d's gradient: {@code g} added at each window's argmax (recorded scatterAdd over the plane). */
  private static Tensor maxPoolGrad(Tensor g, Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation,
      boolean ceil) {
    Tensor idx = PoolRules.maxPool2dWithIndices(x.detach(), kernel, stride, padding, dilation, ceil).indices();
    int[] xs = x.shape();
    int[] gs = g.shape();
    int[] plane = java.util.Arrays.copyOf(xs, xs.length - 1);
    plane[plane.length - 1] = xs[xs.length - 2] * xs[xs.length - 1];
    int[] flat = java.util.Arrays.copyOf(gs, gs.length - 1);
    flat[flat.length - 1] = gs[gs.length - 2] * gs[gs.length - 1];
    int last = plane.length - 1;
    return Tensor.zeros(plane, x.dtype()).scatterAdd(last, idx.reshape(flat), g.reshape(flat)).reshape(xs);
  }

  /** {@code v} shaped to broadcast along dimension 1 of a tensor of rank {@code rank} ({@code (1, C, 1, ...)}). */
  private static Tensor perChannel(Tensor v, int rank) {
    int[] s = new int[rank];
    java.util.Arrays.fill(s, 1);
    s[1] = v.numel();
    return v.reshape(s);
  }

  /** {@code (x - mean) / sqrt(var + eps)} over {@code dims}, biased variance, in recorded operations. */
  private static Tensor normalise(Tensor x, int[] dims, double eps) {
    Tensor centred = x.sub(x.mean(dims, true));
    return centred.mul(centred.square().mean(dims, true).add(eps).rsqrt());
  }

  /** batch_norm rebuilt from recorded operations: batch statistics in training (or without running ones). */
  static Tensor batchNormComposite(Tensor x, Tensor runningMean, Tensor runningVar, Tensor w, Tensor b,
      boolean training, double eps) {
    int[] dims = new int[x.dim() - 1];
    dims[0] = 0;
    for (int k = 2; k < x.dim(); k++) {
      dims[k - 1] = k;
    }
    Tensor y;
    if (training || runningMean == null) {
      y = normalise(x, dims, eps);
    } else {
      y = x.sub(perChannel(runningMean.detach(), x.dim())).mul(perChannel(runningVar.detach().add(eps).rsqrt(),
          x.dim()));
    }
    if (w != null) {
      y = y.mul(perChannel(w, x.dim()));
    }
    return b == null ? y : y.add(perChannel(b, x.dim()));
  }

  static Tensor layerNormComposite(Tensor x, int[] shape, Tensor w, Tensor b, double eps) {
    int[] dims = new int[shape.length];
    for (int k = 0; k < dims.length; k++) {
      dims[k] = x.dim() - shape.length + k;
    }
    Tensor y = normalise(x, dims, eps);
    if (w != null) {
      y = y.mul(w);
    }
    return b == null ? y : y.add(b);
  }

  static Tensor groupNormComposite(Tensor x, int groups, Tensor w, Tensor b, double eps) {
    int n = x.size(0);
    Tensor y = normalise(x.reshape(n, groups, x.numel() / (n * groups)), new int[] {2}, eps).reshape(x.shape());
    if (w != null) {
      y = y.mul(perChannel(w, x.dim()));
    }
    return b == null ? y : y.add(perChannel(b, x.dim()));
  }

  private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

  /**
   * gelu's gradient {@code g·s(x)}: with tanh, rebuilt from recorded operations; exact, {@code s = Φ(x) + xφ(x)}
   * from the kernels and its derivative {@code φ(x)(2 - x²)} (no recorded erf), so a third derivative throws.
   */
  private static Tensor gelu(Tensor g, Tensor x, String approximate) {
    if ("tanh".equals(approximate)) {
      return DoubleBackward.composite(g, new Object[] {x}, a -> {
        Tensor v = (Tensor) a[0];
        Tensor inner = v.add(v.pow(3.0).mul(0.044715)).mul(SQRT_2_OVER_PI);
        return v.mul(0.5).mul(inner.tanh().add(1));
      }).get(0);
    }
    Tensor s;
    boolean was = GradMode.set(false);
    try {
      s = ActivationRules.geluVjp(Tensor.onesLike(x), null, x.detach(), "none").get(0);
    } finally {
      GradMode.set(was);
    }
    Tensor ds = DoubleBackward.constantOf(x, v -> Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI) * (2 - v * v));
    Tensor value;
    was = GradMode.set(false);
    try {
      value = g.detach().mul(s);
    } finally {
      GradMode.set(was);
    }
    return DoubleBackward.withBackward("GeluBackwardBackward0", value, new Tensor[] {g, x},
        h -> new Tensor[] {h.mul(s), h.mul(g).mul(ds)});
  }

  static void registerLayers() {
    DoubleBackward.register(F.class, "conv2d(Tensor,Tensor,Tensor)", (g, o, a) -> shifted(conv(g, t(a, 0), t(a, 1),
        t(a, 2), 2, conv2d(new int[] {1}, new int[] {0}, new int[] {1}, 1)), 0, 3));
    DoubleBackward.Formula c2 = (g, o, a) -> shifted(conv(g, t(a, 0), t(a, 1), t(a, 2), 2, conv2d((int[]) a[3], a[4],
        (int[]) a[5], (Integer) a[6])), 0, 7);
    DoubleBackward.register(F.class, "conv2d(Tensor,Tensor,Tensor,int[],int[],int[],int)", c2);
    DoubleBackward.register(F.class, "conv2d(Tensor,Tensor,Tensor,int[],String,int[],int)", c2);
    DoubleBackward.Formula c1 = (g, o, a) -> shifted(conv(g, t(a, 0), t(a, 1), t(a, 2), 1, conv1d((int[]) a[3], a[4],
        (int[]) a[5], (Integer) a[6])), 0, 7);
    DoubleBackward.register(F.class, "conv1d(Tensor,Tensor,Tensor,int[],int[],int[],int)", c1);
    DoubleBackward.register(F.class, "conv1d(Tensor,Tensor,Tensor,int[],String,int[],int)", c1);
    DoubleBackward.register(F.class, "convTranspose2d(Tensor,Tensor,Tensor,int[],int[],int[],int,int[])",
        (g, o, a) -> shifted(conv(g, t(a, 0), t(a, 1), t(a, 2), 2, convTranspose2d((int[]) a[3], (int[]) a[4],
            (int[]) a[5], (Integer) a[6], (int[]) a[7])), 0, 8));
    DoubleBackward.register(F.class, "convTranspose1d(Tensor,Tensor,Tensor,int[],int[],int[],int,int[])",
        (g, o, a) -> shifted(conv(g, t(a, 0), t(a, 1), t(a, 2), 1, convTranspose1d((int[]) a[3], (int[]) a[4],
            (int[]) a[5], (Integer) a[6], (int[]) a[7])), 0, 8));
    DoubleBackward.register(F.class, "maxPool2d(Tensor,int[],int[],int[],int[],boolean)", (g, o, a) -> Grads.of(
        maxPoolGrad(g, t(a, 0), (int[]) a[1], (int[]) a[2], (int[]) a[3], (int[]) a[4], (Boolean) a[5]), null, null,
        null, null, null));
    DoubleBackward.register(F.class, "avgPool2d(Tensor,int[],int[],int[],boolean,boolean)", DoubleBackward.linear(
        Row.of(F.class, "avgPool2d", Tensor.class, int[].class, int[].class, int[].class, boolean.class,
            boolean.class), 0, (h, a) -> F.avgPool2d(h, (int[]) a[1], (int[]) a[2], (int[]) a[3], (Boolean) a[4],
                (Boolean) a[5])));
    // the one-number forms (rows of their own for generated code): the full forms' formulas with its defaults
    DoubleBackward.register(F.class, "maxPool2d(Tensor,int)", (g, o, a) -> Grads.of(
        maxPoolGrad(g, t(a, 0), new int[] {(Integer) a[1]}, new int[0], new int[] {0}, new int[] {1}, false), null));
    DoubleBackward.register(F.class, "avgPool2d(Tensor,int)", DoubleBackward.linear(
        Row.of(F.class, "avgPool2d", Tensor.class, int.class), 0, (h, a) -> F.avgPool2d(h, (Integer) a[1])));
    DoubleBackward.register(F.class, "adaptiveAvgPool2d(Tensor,int[])", DoubleBackward.linear(
        Row.of(F.class, "adaptiveAvgPool2d", Tensor.class, int[].class), 0,
        (h, a) -> F.adaptiveAvgPool2d(h, (int[]) a[1])));
    DoubleBackward.register(F.class, "embedding(Tensor,Tensor,int)", DoubleBackward.linear(
        Row.of(F.class, "embedding", Tensor.class, Tensor.class, int.class), 1,
        (h, a) -> F.embedding(t(a, 0), withoutRow(h, (Integer) a[2]), (Integer) a[2])));
    registerComposite(F.class, "batchNorm(Tensor,Tensor,Tensor,Tensor,Tensor,boolean,double,double)",
        (g, o, a) -> DoubleBackward.composite(g, new Object[] {a[0], null, null, a[3], a[4]}, c ->
            batchNormComposite(t(c, 0), t(a, 1), t(a, 2), t(c, 3), t(c, 4), (Boolean) a[5], (Double) a[7])));
    registerComposite(F.class, "layerNorm(Tensor,int[],Tensor,Tensor,double)", (g, o, a) ->
        DoubleBackward.composite(g, a, c -> layerNormComposite(t(c, 0), (int[]) c[1], t(c, 2), t(c, 3),
            (Double) c[4])));
    registerComposite(F.class, "groupNorm(Tensor,int,Tensor,Tensor,double)", (g, o, a) ->
        DoubleBackward.composite(g, a, c -> groupNormComposite(t(c, 0), (Integer) c[1], t(c, 2), t(c, 3),
            (Double) c[4])));
    DoubleBackward.register(F.class, "gelu(Tensor)", (g, o, a) -> Grads.of(gelu(g, t(a, 0), "none")));
    DoubleBackward.register(F.class, "gelu(Tensor,String)", (g, o, a) -> Grads.of(gelu(g, t(a, 0), (String) a[1]),
        null));
  }

  // ---- losses: rebuilt from recorded operations, differentiated with createGraph

  private static Tensor reduce(Tensor loss, String reduction) {
    return switch (reduction) {
      case "mean" -> loss.mean();
      case "sum" -> loss.sum();
      case "none" -> loss;
      default -> throw new IllegalArgumentException(reduction + " is not a valid value for reduction");
    };
  }

  private static Tensor smoothL1(Tensor in, Tensor target, String reduction, double beta, boolean huber) {
    Tensor d = in.sub(target);
    Tensor ad = d.abs();
    if (!huber && beta == 0) {
      return reduce(ad, reduction);
    }
    Tensor small = ad.detach().lt(beta);
    Tensor loss = huber ? Tensor.where(small, d.square().mul(0.5), ad.sub(0.5 * beta).mul(beta))
        : Tensor.where(small, d.square().mul(0.5 / beta), ad.sub(0.5 * beta));
    return reduce(loss, reduction);
  }

  private static Tensor klDiv(Tensor in, Tensor target, String reduction, boolean logTarget) {
    Tensor loss;
    if (logTarget) {
      loss = target.exp().mul(target.sub(in));
    } else {
      Tensor positive = target.detach().gt(0);
      Tensor safe = Tensor.where(positive, target, 1.0);
      loss = target.mul(safe.log().sub(in));
    }
    return "batchmean".equals(reduction) ? loss.sum().div(in.dim() == 0 ? 1 : in.size(0)) : reduce(loss, reduction);
  }

  private static Tensor bce(Tensor in, Tensor target, Tensor weight, String reduction) {
    Tensor loss = target.mul(in.log()).add(target.rsub(1).mul(in.rsub(1).log())).neg();
    if (weight != null) {
      loss = loss.mul(weight.detach());
    }
    return reduce(loss, reduction);
  }

  /**
   * nll_loss (and cross_entropy's) on log-probabilities {@code logp} {@code (N, C, ...)} or {@code (C)} with
   * class indices, rebuilt from recorded operations; the class weights are constants (PyTorch gives them no
   * gradient), as are the ignore mask and the weighted count a mean divides by.
   */
  private static Tensor nll(Tensor logp, Tensor target, Tensor weight, int ignore, String reduction,
      double smoothing) {
    boolean unbatched = logp.dim() == 1;
    Tensor lp = unbatched ? logp.unsqueeze(0) : logp;
    Tensor t = unbatched ? target.unsqueeze(0) : target;
    int c = lp.size(1);
    Tensor keep = t.ne(ignore);
    Tensor safe = Tensor.where(keep, t.to(lp.dtype()), 0.0).to(Tensor.DType.INT64);
    Tensor w = weight == null ? Tensor.ones(new int[] {c}, lp.dtype()) : weight.detach().to(lp.dtype());
    Tensor wt = w.index(safe).mul(keep.to(lp.dtype()));
    Tensor picked = lp.gather(1, safe.unsqueeze(1)).squeeze(1).neg().mul(wt);
    Tensor loss = picked;
    if (smoothing > 0) {
      int[] shape = new int[lp.dim()];
      java.util.Arrays.fill(shape, 1);
      shape[1] = c;
      Tensor smooth = lp.mul(w.reshape(shape)).sum(1, false).neg().mul(keep.to(lp.dtype())).div(c);
      loss = picked.mul(1 - smoothing).add(smooth.mul(smoothing));
    }
    Tensor out = switch (reduction) {
      case "mean" -> loss.sum().div(wt.sum().itemDouble());
      case "sum" -> loss.sum();
      case "none" -> loss;
      default -> throw new IllegalArgumentException(reduction + " is not a valid value for reduction");
    };
    return unbatched && "none".equals(reduction) ? out.squeeze(0) : out;
  }

  /** cross_entropy with class probabilities {@code target} (same shape as the input). */
  private static Tensor softTargets(Tensor logits, Tensor target, Tensor weight, String reduction, double smoothing) {
    Tensor lp = F.logSoftmax(logits, logits.dim() == 1 ? 0 : 1);
    int c = logits.size(logits.dim() == 1 ? 0 : 1);
    Tensor t = smoothing > 0 ? target.mul(1 - smoothing).add(smoothing / c) : target;
    Tensor prod = lp.mul(t);
    if (weight != null) {
      int[] shape = new int[lp.dim()];
      java.util.Arrays.fill(shape, 1);
      shape[lp.dim() == 1 ? 0 : 1] = c;
      prod = prod.mul(weight.detach().reshape(shape));
    }
    Tensor loss = prod.sum(lp.dim() == 1 ? 0 : 1, false).neg();
    return reduce(loss, reduction);
  }

  static void registerLosses() {
    registerComposite(F.class, "l1Loss(Tensor,Tensor)", (g, o, a) -> DoubleBackward.composite(g, a,
        c -> reduce(t(c, 0).sub(t(c, 1)).abs(), "mean")));
    registerComposite(F.class, "l1Loss(Tensor,Tensor,String)", (g, o, a) -> DoubleBackward.composite(g, a,
        c -> reduce(t(c, 0).sub(t(c, 1)).abs(), (String) c[2])));
    registerComposite(F.class, "smoothL1Loss(Tensor,Tensor)", (g, o, a) -> DoubleBackward.composite(g, a,
        c -> smoothL1(t(c, 0), t(c, 1), "mean", 1, false)));
    registerComposite(F.class, "smoothL1Loss(Tensor,Tensor,String,double)", (g, o, a) ->
        DoubleBackward.composite(g, a, c -> smoothL1(t(c, 0), t(c, 1), (String) c[2], (Double) c[3], false)));
    registerComposite(F.class, "huberLoss(Tensor,Tensor)", (g, o, a) -> DoubleBackward.composite(g, a,
        c -> smoothL1(t(c, 0), t(c, 1), "mean", 1, true)));
    registerComposite(F.class, "huberLoss(Tensor,Tensor,String,double)", (g, o, a) ->
        DoubleBackward.composite(g, a, c -> smoothL1(t(c, 0), t(c, 1), (String) c[2], (Double) c[3], true)));
    registerComposite(F.class, "klDiv(Tensor,Tensor,String,boolean)", (g, o, a) -> DoubleBackward.composite(g,
        a, c -> klDiv(t(c, 0), t(c, 1), (String) c[2], (Boolean) c[3])));
    registerComposite(F.class, "binaryCrossEntropy(Tensor,Tensor)", (g, o, a) -> DoubleBackward.composite(g, a,
        c -> bce(t(c, 0), t(c, 1), null, "mean")));
    registerComposite(F.class, "binaryCrossEntropy(Tensor,Tensor,Tensor,String)", (g, o, a) ->
        DoubleBackward.composite(g, new Object[] {a[0], a[1], null, a[3]},
            c -> bce(t(c, 0), t(c, 1), t(a, 2), (String) c[3])));
    registerComposite(F.class, "nllLoss(Tensor,Tensor,Tensor,int,String)", (g, o, a) ->
        !isIndex(t(a, 1)) ? null : DoubleBackward.composite(g, new Object[] {a[0]},
            c -> nll(t(c, 0), t(a, 1), t(a, 2), (Integer) a[3], (String) a[4], 0)));
    registerComposite(F.class, "crossEntropy(Tensor,Tensor,Tensor,int,String,double)", (g, o, a) -> {
      Tensor target = t(a, 1);
      if (isIndex(target)) {
        return DoubleBackward.composite(g, new Object[] {a[0]}, c -> nll(F.logSoftmax(t(c, 0), t(c, 0).dim() == 1 ? 0
            : 1), target, t(a, 2), (Integer) a[3], (String) a[4], (Double) a[5]));
      }
      return DoubleBackward.composite(g, new Object[] {a[0], a[1]}, c -> softTargets(t(c, 0), t(c, 1), t(a, 2),
          (String) a[4], (Double) a[5]));
    });
  }

  private static boolean isIndex(Tensor target) {
    return target.dtype() == Tensor.DType.INT64;
  }

  // ---- module rows: the receiver first, then the input, then the receiver inputs

  private static boolean modulesRegistered;

  static synchronized void registerModules() {
    if (modulesRegistered) {
      return;
    }
    modulesRegistered = true;
    DoubleBackward.register(Conv2d.class, "forward(Tensor)", (g, o, a) -> {
      Conv2d m = (Conv2d) a[0];
      return shifted(conv(g, t(a, 1), t(a, 2), t(a, 3), 2, conv2d(m.stride, m.padding, m.dilation, m.groups)), 1, 4);
    });
    DoubleBackward.register(Conv1d.class, "forward(Tensor)", (g, o, a) -> {
      Conv1d m = (Conv1d) a[0];
      return shifted(conv(g, t(a, 1), t(a, 2), t(a, 3), 1, conv1d(m.stride, m.padding, m.dilation, m.groups)), 1, 4);
    });
    DoubleBackward.register(ConvTranspose2d.class, "forward(Tensor)", (g, o, a) -> {
      ConvTranspose2d m = (ConvTranspose2d) a[0];
      return shifted(conv(g, t(a, 1), t(a, 2), t(a, 3), 2, convTranspose2d(m.stride, m.padding, m.outputPadding,
          m.groups, m.dilation)), 1, 4);
    });
    DoubleBackward.register(ConvTranspose1d.class, "forward(Tensor)", (g, o, a) -> {
      ConvTranspose1d m = (ConvTranspose1d) a[0];
      return shifted(conv(g, t(a, 1), t(a, 2), t(a, 3), 1, convTranspose1d(m.stride, m.padding, m.outputPadding,
          m.groups, m.dilation)), 1, 4);
    });
    DoubleBackward.register(MaxPool2d.class, "forward(Tensor)", (g, o, a) -> {
      MaxPool2d m = (MaxPool2d) a[0];
      return Grads.of(null, maxPoolGrad(g, t(a, 1), m.kernelSize, m.stride, m.padding, m.dilation, m.ceilMode));
    });
    DoubleBackward.register(AvgPool2d.class, "forward(Tensor)", DoubleBackward.linear(
        Row.of(AvgPool2d.class, "forward", Tensor.class), 1, (h, a) -> {
          AvgPool2d m = (AvgPool2d) a[0];
          return F.avgPool2d(h, m.kernelSize, m.stride, m.padding, m.ceilMode, m.countIncludePad);
        }));
    DoubleBackward.register(AdaptiveAvgPool2d.class, "forward(Tensor)", DoubleBackward.linear(
        Row.of(AdaptiveAvgPool2d.class, "forward", Tensor.class), 1,
        (h, a) -> F.adaptiveAvgPool2d(h, ((AdaptiveAvgPool2d) a[0]).outputSize)));
    DoubleBackward.register(Embedding.class, "forward(Tensor)", DoubleBackward.linear(
        Row.of(Embedding.class, "forward", Tensor.class), 2,
        (h, a) -> F.embedding(t(a, 1), withoutRow(h, ((Embedding) a[0]).paddingIdx), ((Embedding) a[0]).paddingIdx)));
    registerComposite(BatchNorm1d.class, "forward(Tensor)", (g, o, a) -> {
      BatchNorm1d m = (BatchNorm1d) a[0];
      BatchNormForwards.Used used = m.forwards.of(o, m.isTraining(), m.runningMean, m.runningVar);
      return batchNormModule(g, a, used, m.eps);
    });
    registerComposite(BatchNorm2d.class, "forward(Tensor)", (g, o, a) -> {
      BatchNorm2d m = (BatchNorm2d) a[0];
      BatchNormForwards.Used used = m.forwards.of(o, m.isTraining(), m.runningMean, m.runningVar);
      return batchNormModule(g, a, used, m.eps);
    });
    registerComposite(LayerNorm.class, "forward(Tensor)", (g, o, a) -> {
      LayerNorm m = (LayerNorm) a[0];
      return DoubleBackward.composite(g, a, c -> layerNormComposite(t(c, 1), m.normalizedShape, t(c, 2), t(c, 3),
          m.eps));
    });
    registerComposite(GroupNorm.class, "forward(Tensor)", (g, o, a) -> {
      GroupNorm m = (GroupNorm) a[0];
      return DoubleBackward.composite(g, a, c -> groupNormComposite(t(c, 1), m.numGroups, t(c, 2), t(c, 3), m.eps));
    });
    DoubleBackward.register(GELU.class, "forward(Tensor)",
        (g, o, a) -> Grads.of(null, gelu(g, t(a, 1), ((GELU) a[0]).approximate)));
    DoubleBackward.register(LeakyReLU.class, "forward(Tensor)",
        (g, o, a) -> Grads.of(null, g.mul(slopes(t(a, 1), ((LeakyReLU) a[0]).negativeSlope))));
    DoubleBackward.register(Softplus.class, "forward(Tensor)", (g, o, a) -> {
      Softplus m = (Softplus) a[0];
      return Grads.of(null, softplus(g, t(a, 1), m.beta, m.threshold));
    });
    DoubleBackward.register(ReLU.class, "forward(Tensor)",
        (g, o, a) -> Grads.of(null, g.mul(DoubleBackward.positiveMask(o))));
    DoubleBackward.register(Sigmoid.class, "forward(Tensor)", (g, o, a) -> Grads.of(null, g.mul(o.mul(o.rsub(1)))));
    DoubleBackward.register(Tanh.class, "forward(Tensor)", (g, o, a) -> Grads.of(null, g.mul(o.mul(o).rsub(1))));
    DoubleBackward.register(SiLU.class, "forward(Tensor)", (g, o, a) -> {
      Tensor x = t(a, 1);
      Tensor s = x.sigmoid();
      return Grads.of(null, g.mul(s).mul(x.mul(s.rsub(1)).add(1)));
    });
    DoubleBackward.register(Flatten.class, "forward(Tensor)", (g, o, a) -> Grads.of(null, g.reshape(t(a, 1).shape())));
  }

  /** A batch-norm module's gradients: the composite with the mode and statistics its forward used. */
  private static Grads batchNormModule(Tensor g, Object[] a, BatchNormForwards.Used used, double eps) {
    return DoubleBackward.composite(g, a, c -> batchNormComposite(t(c, 1), used.runningMean(), used.runningVar(),
        t(c, 2), t(c, 3), used.training(), eps));
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
