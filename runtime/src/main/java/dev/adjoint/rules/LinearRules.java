package dev.adjoint.rules;

import dev.adjoint.shape.Shapes;
import dev.adjoint.Tensor;
import dev.adjoint.autograd.BufferPool;
import dev.adjoint.autograd.GradMode;
import dev.adjoint.autograd.Grads;
import dev.adjoint.kernel.Kernels;
import java.util.Arrays;

/**
 * The affine map of a fully connected layer, {@code out = x·Wᵀ + b} ({@code torch.nn.functional.linear}),
 * as one primitive. It is a composite of {@code matmul}, {@code t} and {@code add}, and gets its own rule
 * for speed: the forward is one GEMM that reads {@code W} transposed in place ({@code transB}, no
 * materialised {@code Wᵀ}) and accumulates onto the bias rows, and the backward is two GEMMs and a
 * column sum, with no transposed copies and no broadcasting bookkeeping.
 *
 * <p>Shapes: {@code x} is {@code (..., in)}, {@code W} is {@code (out, in)}, {@code b} is {@code (out)} or
 * {@code null} (no bias); the result is {@code (..., out)}. Leading dimensions of {@code x} are flattened
 * into rows.
 */
public final class LinearRules {
  private LinearRules() {}

  /** {@code x·Wᵀ + b}; {@code bias} may be {@code null}. */
  public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
    return linear(x, weight, bias, null);
  }

  /**
   * {@code x·Wᵀ + b} reading {@code W} through {@code cache} (see {@link WeightCache}; {@code null}: no
   * cache). The result is the same to the last bit with or without the cache.
   */
  public static Tensor linear(Tensor x, Tensor weight, Tensor bias, WeightCache cache) {
    return linear(x, weight, bias, cache, false);
  }

  /**
   * {@code relu(x·Wᵀ + b)} in one pass over the output, for inference: only when nothing is recorded
   * ({@link GradMode#isEnabled()} off), so the linear output is a fresh array no one else sees and the relu
   * can run on it in place; the fused pair has no row of its own. Bit-identical to {@code linear(...).relu()}.
   *
   * @throws IllegalStateException if grad mode is on (use {@code linear(...).relu()}, which records both)
   */
  public static Tensor linearRelu(Tensor x, Tensor weight, Tensor bias, WeightCache cache) {
    if (GradMode.isEnabled()) {
      throw new IllegalStateException("linearRelu: only under no-grad (grad mode is on; use linear(x, weight, "
          + "bias).relu() so that both operations are recorded)");
    }
    return linear(x, weight, bias, cache, true);
  }

  private static Tensor linear(Tensor x, Tensor weight, Tensor bias, WeightCache cache, boolean relu) {
    if (F64Rules.any(x, weight, bias)) {
      check(x, weight, bias);
      Tensor y = F64Rules.linear(x, weight, bias);
      return relu ? F64Rules.unary(y, v -> v > 0 ? v : 0) : y;
    }
    int[] d = check(x, weight, bias);
    int rows = d[0];
    int in = d[1];
    int outF = d[2];
    // from the pool (an activation a container gave back): every row holds the bias, or all of it zeros
    float[] o = bias != null ? BufferPool.floats(rows * outF) : BufferPool.zeros(rows * outF);
    boolean accumulate = true; // onto the bias rows, or onto the zeroed array: 0 + x = x, no zero fill
    if (bias != null) {
      float[] b = bias.storage();
      for (int r = 0; r < rows; r++) {
        System.arraycopy(b, 0, o, r * outF, outF);
      }
    }
    // o (rows×out) [+]= x (rows×in) · Wᵀ, with W stored (out×in) row-major: transB
    Kernels.PackedB packed = cache == null ? null : cache.lookup(weight, in, outF);
    if (packed != null) {
      Kernels.get().gemmPacked(false, rows, x.storage(), 0, packed, o, 0, accumulate);
    } else if (cache != null) {
      // a weight changed since the last forward (training): pack it into the cache's reused buffer
      cache.forwardChanged(x.storage(), rows, weight, in, outF, o, accumulate);
    } else {
      Kernels.get().gemm(false, true, rows, outF, in, x.storage(), 0, weight.storage(), 0, o, 0, accumulate);
    }
    if (relu) {
      Kernels.get().relu(o, o, o.length);
    }
    int[] shape = x.shape();
    shape[shape.length - 1] = outF;
    return Tensor.wrap(o, shape);
  }

  /**
   * ∂x = g·W, ∂W = gᵀ·x, ∂b = Σ_rows g; {@code g} has the output's shape {@code (..., out)}. The entry for
   * a {@code null} bias is {@code null}. Each entry is computed when it is first read ({@link Grads#lazy}):
   * the eager engine reads only the inputs that require grad (PyTorch's {@code needs_input_grad}: the input
   * of a first layer is data, and its gradient would cost a third of the layer's backward), and generated
   * code for a {@code wrt = "this"} module never reads the data input's.
   */
  public static Grads linearVjp(Tensor g, Tensor out, Tensor x, Tensor weight, Tensor bias) {
    if (F64Rules.any(g, x, weight, bias)) {
      return F64Rules.linearVjp(g, x, weight, bias);
    }
    return Grads.lazy(3, i -> grads(g, x, weight, bias, i == 0, i == 1, i == 2 && bias != null).get(i));
  }

  private static Grads grads(Tensor g, Tensor x, Tensor weight, Tensor bias,
      boolean needX, boolean needW, boolean needB) {
    int[] d = check(x, weight, bias);
    int rows = d[0];
    int in = d[1];
    int outF = d[2];
    float[] gs = g.storage();
    Kernels k = Kernels.get();
    Tensor gx = null;
    Tensor gw = null;
    Tensor gb = null;
    // The products write into zeroed arrays: accumulating onto them gives the bits of a fresh array
    // (0 + x = x, a -0 product included) and skips the kernel's zero fill.
    if (needX) {
      // gx (rows×in) = g (rows×out) · W (out×in), into a zeroed array from the pool, which the engine may give
      // back once the node that reads it has run
      float[] o = BufferPool.zeros(rows * in);
      k.gemm(false, false, rows, in, outF, gs, 0, weight.storage(), 0, o, 0, true);
      gx = Grads.owned(Tensor.wrapLike(o, x));
    }
    if (needW) {
      // gW (out×in) = gᵀ (out×rows) · x (rows×in): g is stored rows×out, so transA. Into W's zeroed grad when
      // the engine hands it over (Grads.into: no array per step), else into a new array that the engine may
      // make W.grad as it is
      Tensor into = Grads.into(weight);
      float[] o = into != null ? into.storage() : new float[outF * in];
      k.gemm(true, false, outF, in, rows, gs, 0, x.storage(), 0, o, 0, true);
      gw = into != null ? into : Grads.owned(Tensor.wrapLike(o, weight));
    }
    if (needB) {
      // Σ over rows, each column left to right from row 0: the order of the plain loop, vectorised
      Tensor into = Grads.into(bias);
      float[] o = into != null ? into.storage() : new float[outF];
      k.sumAxis(gs, 1, rows, outF, o);
      gb = into != null ? into : Grads.owned(Tensor.wrapLike(o, bias));
    }
    return Grads.of(gx, gw, gb);
  }

  /**
   * The packed form of one weight, {@code Wᵀ} as the GEMM reads it ({@link Kernels#packB}), kept between
   * forwards so that inference packs a constant weight once instead of on every call. One cache belongs
   * to one weight (a {@link dev.adjoint.nn.Linear} owns one), so it holds at most one packed copy, the
   * size of the weight, and is freed with its owner.
   *
   * <p><b>Staleness is impossible by the version counter.</b> An entry is keyed by the weight's storage
   * array (identity) and its {@link Tensor#version()}; every in-place change through the tensor API
   * ({@code sub_}, {@code copy_}, ...) and every optimizer step ({@link Tensor#bumpVersion()}) increments
   * the version, so an entry is used only while the weight holds exactly the values it was packed from.
   * (Writing {@link Tensor#storage()} without {@code bumpVersion()} breaks this, as it already breaks
   * autograd's saved-tensor check.)
   *
   * <p><b>When it packs.</b> A weight is packed the second time a forward sees the same version: in
   * training every step changes the weight, so training never pays for a copy it cannot reuse, and the
   * forward packs {@code W} per call as before; in inference the second forward packs and every later
   * one reuses. Thread-safe: the state is one immutable record behind a volatile field; two threads that
   * race may both pack, and either result is correct.
   *
   * <p><b>The training buffer.</b> A forward that finds the weight changed still packs it (a GEMM reads
   * {@code Wᵀ} packed either way), but into one buffer that the cache keeps from step to step
   * ({@link Kernels#packB(boolean, int, int, float[], int, Kernels.PackedB)}), with the vector kernels'
   * in-register transpose: the same packed values as the GEMM's own packing, so the same bits, without
   * a new weight-sized array per step. The buffer is only read inside that one product; a thread that
   * finds it taken by another packs into a new one.
   */
  public static final class WeightCache {
    private record State(float[] storage, int version, Kernels.PackedB packed) {}

    private volatile State state;
    private final java.util.concurrent.atomic.AtomicReference<Kernels.PackedB> trainBuffer =
        new java.util.concurrent.atomic.AtomicReference<>();

    /** An empty cache. */
    public WeightCache() {}

    /** The packed {@code Wᵀ} ({@code in×out}) if {@code weight} is unchanged since the last call, else null. */
    Kernels.PackedB lookup(Tensor weight, int in, int outF) {
      float[] w = weight.storage();
      int v = weight.version();
      State s = state;
      if (s == null || s.storage() != w || s.version() != v) {
        state = new State(w, v, null);
        return null;
      }
      if (s.packed() == null) {
        s = new State(w, v, Kernels.get().packB(true, in, outF, w, 0));
        state = s;
      }
      return s.packed();
    }

    /** {@code o (rows×out) [+]= x·Wᵀ}, packing {@code W} into the reused training buffer. */
    void forwardChanged(float[] x, int rows, Tensor weight, int in, int outF, float[] o, boolean accumulate) {
      Kernels k = Kernels.get();
      Kernels.PackedB p = k.packB(true, in, outF, weight.storage(), 0, trainBuffer.getAndSet(null));
      k.gemmPacked(false, rows, x, 0, p, o, 0, accumulate);
      trainBuffer.set(p);
    }

    /** Drops the packed copies (the next two forwards pack again). */
    public void clear() {
      state = null;
      trainBuffer.set(null);
    }
  }

  /** Returns {rows, in, out} or throws naming the shapes. */
  private static int[] check(Tensor x, Tensor weight, Tensor bias) {
    if (weight.dim() != 2 || x.dim() < 1 || x.shape()[x.dim() - 1] != weight.shape()[1]) {
      throw new IllegalArgumentException("linear: input of shape " + Shapes.str(x.shape())
          + " does not fit weight of shape " + Shapes.str(weight.shape())
          + " (expected input (..., in_features) and weight (out_features, in_features))");
    }
    int outF = weight.shape()[0];
    if (bias != null && !Arrays.equals(bias.shape(), new int[] {outF})) {
      throw new IllegalArgumentException("linear: bias of shape " + Shapes.str(bias.shape())
          + " does not fit weight of shape " + Shapes.str(weight.shape()) + " (expected bias (" + outF + "))");
    }
    int in = weight.shape()[1];
    int rows = 1;
    for (int i = 0; i < x.dim() - 1; i++) {
      rows *= x.shape()[i];
    }
    return new int[] {rows, in, outF};
  }

  // ---- forward mode (issue 16)

  /** {@code ṫ = ẋ·Wᵀ + x·Ẇᵀ + ḃ}. */
  public static Tensor linearJvp(Tensor tx, Tensor tw, Tensor tb, Tensor out, Tensor x, Tensor weight, Tensor bias) {
    Tensor byX = tx == null ? null : LinalgRules.matmul(tx, ShapeRules.t(weight));
    Tensor byW = tw == null ? null : LinalgRules.matmul(x, ShapeRules.t(tw));
    return Jvps.plus(out, Jvps.plus(out, byX, byW), tb);
  }
}
