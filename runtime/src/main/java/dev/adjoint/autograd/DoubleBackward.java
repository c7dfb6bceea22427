package dev.adjoint.autograd;

import dev.adjoint.Tensor;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Backward formulas written with recorded tensor operations, for {@code createGraph}: the rules' adjoints
 * compute through kernels on raw arrays (fast, not recorded), so with {@code createGraph} the engine runs
 * the formula here instead, and the gradient it returns has a graph that can be differentiated again
 * (double backward, Hessian-vector products). A node with no formula here still computes its gradient, but
 * the gradient carries a {@code NotImplemented} node whose backward throws "double backward through
 * XBackward0 is not supported" (PyTorch's {@code NotImplemented} node): a clear error, never a silent zero.
 * Each formula is checked against central differences of the first gradient and PyTorch's double-backward
 * goldens ({@code DoubleBackwardTest}).
 */
public final class DoubleBackward {
  /** A recorded adjoint: the inputs' gradients, or {@code null} when not supported for these arguments. */
  @FunctionalInterface
  public interface Formula {
    /** The inputs' gradients for upstream {@code g}, written with recorded operations; or {@code null}. */
    Grads apply(Tensor g, Tensor out, Object[] args);
  }

  /**
   * Registers the recorded formula of {@code owner}'s primitive {@code signature} (e.g.
   * {@code "linear(Tensor,Tensor,Tensor)"}), for primitives outside this package's reach ({@code nn}); called
   * from the owner's static initialiser. Arguments are the row's: receiver, parameters, receiver inputs.
   */
  public static void register(Class<?> owner, String signature, Formula f) {
    BY_METHOD.put(owner.getSimpleName() + "." + signature, f);
  }

  /**
   * The recorded formula of primitive {@code signature} ({@code "Tensor.mul(Tensor)"}), or {@code null}: read
   * by the nodes not made by a row (in-place operations) that compute what that primitive's adjoint does.
   */
  public static Formula of(String signature) {
    return BY_METHOD.get(signature);
  }

  /** By primitive, {@code "Tensor.mul(Tensor)"}. */
  private static final Map<String, Formula> BY_METHOD = new HashMap<>();
  /** By node name, for nodes not made by a row (views), reading only the input's shape. */
  private static final Map<String, java.util.function.BiFunction<Tensor, Tensor, Tensor>> BY_NODE = new HashMap<>();

  private DoubleBackward() {}

  static {
    m("Tensor.add(Tensor)", (g, o, a) -> Grads.of(sumTo(g, t(a, 0)), sumTo(g, t(a, 1))));
    // the rows of copy_, fill_ and zero_: the old value is overwritten (gradient zeros, as PyTorch gives)
    m("Tensor.copyFrom(Tensor)", (g, o, a) -> Grads.of(Tensor.zeros(g.shape(), g.dtype()), sumTo(g, t(a, 1))));
    m("Tensor.filled(double)", (g, o, a) -> Grads.of(Tensor.zeros(g.shape(), g.dtype()), null));
    m("Tensor.zeroed()", (g, o, a) -> Grads.of(Tensor.zeros(g.shape(), g.dtype())));
    m("Tensor.add(double)", (g, o, a) -> Grads.of(g, null));
    m("Tensor.add(Tensor,double)", (g, o, a) -> Grads.of(sumTo(g, t(a, 0)), sumTo(g.mul(d(a, 2)), t(a, 1)), null));
    m("Tensor.sub(Tensor)", (g, o, a) -> Grads.of(sumTo(g, t(a, 0)), sumTo(g.neg(), t(a, 1))));
    m("Tensor.sub(double)", (g, o, a) -> Grads.of(g, null));
    m("Tensor.sub(Tensor,double)", (g, o, a) -> Grads.of(sumTo(g, t(a, 0)), sumTo(g.mul(-d(a, 2)), t(a, 1)), null));
    m("Tensor.rsub(double)", (g, o, a) -> Grads.of(g.neg(), null));
    m("Tensor.mul(Tensor)", (g, o, a) -> Grads.of(sumTo(g.mul(t(a, 1)), t(a, 0)), sumTo(g.mul(t(a, 0)), t(a, 1))));
    m("Tensor.mul(double)", (g, o, a) -> Grads.of(g.mul(d(a, 1)), null));
    m("Tensor.div(Tensor)", (g, o, a) -> {
      Tensor ga = g.div(t(a, 1));
      return Grads.of(sumTo(ga, t(a, 0)), sumTo(ga.mul(t(a, 0)).div(t(a, 1)).neg(), t(a, 1)));
    });
    m("Tensor.div(double)", (g, o, a) -> Grads.of(g.div(d(a, 1)), null));
    m("Tensor.neg()", (g, o, a) -> Grads.of(g.neg()));
    m("Tensor.max(int,boolean)", (g, o, a) -> extremum(g, t(a, 0), i(a, 1), (Boolean) a[2], true, 3));
    m("Tensor.max(int)", (g, o, a) -> extremum(g, t(a, 0), i(a, 1), false, true, 2));
    m("Tensor.min(int,boolean)", (g, o, a) -> extremum(g, t(a, 0), i(a, 1), (Boolean) a[2], false, 3));
    m("Tensor.min(int)", (g, o, a) -> extremum(g, t(a, 0), i(a, 1), false, false, 2));
    m("Tensor.where(Tensor,Tensor,Tensor)", (g, o, a) -> Grads.of(null,
        sumTo(Tensor.where(t(a, 0), g, 0.0), t(a, 1)), sumTo(Tensor.where(t(a, 0), 0.0, g), t(a, 2))));
    m("Tensor.where(Tensor,Tensor,double)", (g, o, a) -> Grads.of(null,
        sumTo(Tensor.where(t(a, 0), g, 0.0), t(a, 1)), null));
    m("Tensor.where(Tensor,double,Tensor)", (g, o, a) -> Grads.of(null, null,
        sumTo(Tensor.where(t(a, 0), 0.0, g), t(a, 2))));
    m("Tensor.exp()", (g, o, a) -> Grads.of(g.mul(o)));
    m("Tensor.log()", (g, o, a) -> Grads.of(g.div(t(a, 0))));
    m("Tensor.sqrt()", (g, o, a) -> Grads.of(g.div(o.mul(2))));
    m("Tensor.sin()", (g, o, a) -> Grads.of(g.mul(t(a, 0).cos())));
    m("Tensor.cos()", (g, o, a) -> Grads.of(g.mul(t(a, 0).sin()).neg()));
    m("Tensor.tanh()", (g, o, a) -> Grads.of(g.mul(o.mul(o).rsub(1))));
    m("Tensor.sigmoid()", (g, o, a) -> Grads.of(g.mul(o.mul(o.rsub(1)))));
    m("Tensor.relu()", (g, o, a) -> Grads.of(g.mul(positive(o))));
    m("Tensor.square()", (g, o, a) -> Grads.of(g.mul(t(a, 0)).mul(2)));
    m("Tensor.pow(double)", (g, o, a) -> {
      double p = d(a, 1);
      Tensor x = t(a, 0);
      return Grads.of(p == 0 ? g.mul(0) : g.mul(x.pow(p - 1)).mul(p), null);
    });
    m("Tensor.sum()", (g, o, a) -> Grads.of(g.reshape(ones(t(a, 0).dim())).expand(t(a, 0).shape())));
    m("Tensor.mean()", (g, o, a) -> Grads.of(g.div(t(a, 0).numel()).reshape(ones(t(a, 0).dim()))
        .expand(t(a, 0).shape())));
    m("Tensor.sum(int,boolean)", (g, o, a) -> Grads.of(expandDim(g, t(a, 0), i(a, 1), (Boolean) a[2]), null, null));
    m("Tensor.mean(int,boolean)", (g, o, a) -> {
      Tensor x = t(a, 0);
      int dim = Math.floorMod(i(a, 1), Math.max(1, x.dim()));
      return Grads.of(expandDim(g, x, dim, (Boolean) a[2]).div(x.dim() == 0 ? 1 : x.size(dim)), null, null);
    });
    m("Tensor.sum(int)", (g, o, a) -> Grads.of(expandDim(g, t(a, 0), i(a, 1), false), null));
    m("Tensor.mean(int)", (g, o, a) -> {
      Tensor x = t(a, 0);
      int dim = Math.floorMod(i(a, 1), Math.max(1, x.dim()));
      return Grads.of(expandDim(g, x, dim, false).div(x.dim() == 0 ? 1 : x.size(dim)), null);
    });
    m("Tensor.log1p()", (g, o, a) -> Grads.of(g.div(t(a, 0).add(1))));
    m("Tensor.expm1()", (g, o, a) -> Grads.of(g.mul(o.add(1))));
    m("Tensor.reciprocal()", (g, o, a) -> Grads.of(g.mul(o.mul(o)).neg()));
    m("Tensor.rsqrt()", (g, o, a) -> Grads.of(g.mul(o.pow(3.0)).mul(-0.5)));
    m("Tensor.abs()", (g, o, a) -> Grads.of(g.mul(signOf(t(a, 0)))));
    // the first-week elementwise functions (gaps), PyTorch's derivatives.yaml forms
    m("Tensor.tan()", (g, o, a) -> Grads.of(g.mul(o.mul(o).add(1))));
    m("Tensor.asin()", (g, o, a) -> Grads.of(g.mul(t(a, 0).square().rsub(1).rsqrt())));
    m("Tensor.acos()", (g, o, a) -> Grads.of(g.mul(t(a, 0).square().rsub(1).rsqrt()).neg()));
    m("Tensor.atan()", (g, o, a) -> Grads.of(g.div(t(a, 0).square().add(1))));
    m("Tensor.sinh()", (g, o, a) -> Grads.of(g.mul(t(a, 0).cosh())));
    m("Tensor.cosh()", (g, o, a) -> Grads.of(g.mul(t(a, 0).sinh())));
    for (String zero : List.of("sign", "floor", "ceil", "round", "trunc")) {
      m("Tensor." + zero + "()", (g, o, a) -> Grads.of(g.mul(0.0)));
    }
    m("Tensor.atan2(Tensor)", (g, o, a) -> {
      Tensor y = t(a, 0);
      Tensor x = t(a, 1);
      Tensor r = y.square().add(x.square());
      return Grads.of(sumTo(g.mul(x).div(r), y), sumTo(g.mul(y).div(r).neg(), x));
    });
    m("Tensor.hypot(Tensor)", (g, o, a) -> Grads.of(sumTo(g.mul(t(a, 0)).div(o), t(a, 0)),
        sumTo(g.mul(t(a, 1)).div(o), t(a, 1))));
    m("Tensor.logaddexp(Tensor)", (g, o, a) -> Grads.of(sumTo(g.mul(t(a, 0).sub(o).exp()), t(a, 0)),
        sumTo(g.mul(t(a, 1).sub(o).exp()), t(a, 1))));
    // session 10: mm, mv, bmm and dot are matmul's rank cases (the formula below, registered for them after it)
    m("Tensor.outer(Tensor)", (g, o, a) -> Grads.of(g.mv(t(a, 1)), g.t().mv(t(a, 0))));
    m("Tensor.addmm(Tensor,Tensor)", (g, o, a) -> Grads.of(sumTo(g, t(a, 0)), g.mm(t(a, 2).t()), t(a, 1).t().mm(g)));
    m("Tensor.erf()", (g, o, a) -> Grads.of(g.mul(t(a, 0).square().neg().exp().mul(2 / Math.sqrt(Math.PI)))));
    m("Tensor.lerp(Tensor,double)", (g, o, a) -> Grads.of(sumTo(g.mul(1 - d(a, 2)), t(a, 0)),
        sumTo(g.mul(d(a, 2)), t(a, 1)), null));
    m("Tensor.lerp(Tensor,Tensor)", (g, o, a) -> Grads.of(sumTo(g.mul(t(a, 2).rsub(1)), t(a, 0)),
        sumTo(g.mul(t(a, 2)), t(a, 1)), sumTo(g.mul(t(a, 1).sub(t(a, 0))), t(a, 2))));
    m("Tensor.fmod(double)", (g, o, a) -> Grads.of(g, null));
    m("Tensor.remainder(double)", (g, o, a) -> Grads.of(g, null));
    m("Tensor.cross(Tensor,int)", (g, o, a) -> Grads.of(t(a, 1).cross(g, i(a, 2)), g.cross(t(a, 0), i(a, 2)), null));
    m("Tensor.diag(int)", (g, o, a) -> {
      Tensor x = t(a, 0);
      if (x.dim() == 1) {
        return Grads.of(g.diag(i(a, 1)), null);
      }
      Tensor z = Tensor.zeros(x.shape(), g.dtype());
      z.diagonal(i(a, 1), 0, 1).copy_(g);
      return Grads.of(z, null);
    });
    m("Tensor.softmax(int)", (g, o, a) -> Grads.of(o.mul(g.sub(g.mul(o).sum(i(a, 1), true))), null));
    m("Tensor.logSoftmax(int)", (g, o, a) -> Grads.of(g.sub(o.exp().mul(g.sum(i(a, 1), true))), null));
    m("Tensor.tril(int)", (g, o, a) -> Grads.of(g.tril(i(a, 1)), null));
    m("Tensor.triu(int)", (g, o, a) -> Grads.of(g.triu(i(a, 1)), null));
    m("Tensor.sum(int[],boolean)", (g, o, a) -> Grads.of(expandDims(g, t(a, 0), (int[]) a[1], (Boolean) a[2]),
        null, null));
    m("Tensor.mean(int[],boolean)", (g, o, a) -> {
      Tensor x = t(a, 0);
      int[] dims = (int[]) a[1];
      long n = 1;
      for (int d : normalized(dims, x.dim())) {
        n *= x.size(d);
      }
      return Grads.of(expandDims(g, x, dims, (Boolean) a[2]).div(n), null, null);
    });
    m("Tensor.logsumexp(int,boolean)", (g, o, a) -> Grads.of(logsumexp(g, o, t(a, 0), i(a, 1), (Boolean) a[2]),
        null, null));
    m("Tensor.logsumexp(int)", (g, o, a) -> Grads.of(logsumexp(g, o, t(a, 0), i(a, 1), false), null));
    m("Tensor.clamp(double,double)", (g, o, a) -> Grads.of(g.mul(mask(t(a, 0), v -> v >= d(a, 1) && v <= d(a, 2))),
        null, null));
    m("Tensor.cumsum(int)", (g, o, a) -> Grads.of(g.flip(i(a, 1)).cumsum(i(a, 1)).flip(i(a, 1)), null));
    m("Tensor.var()", (g, o, a) -> {
      Tensor x = t(a, 0);
      return Grads.of(x.sub(x.mean()).mul(g.mul(2.0 / (x.numel() - 1))));
    });
    // a zero standard deviation gives 0 (PyTorch's masked_fill(result == 0, 0)); the divisor is 1 there, so that
    // neither branch of the where holds a 0·∞ for the next order
    m("Tensor.std()", (g, o, a) -> {
      Tensor x = t(a, 0);
      Tensor zero = o.eq(0);
      Tensor scale = Tensor.where(zero, 0.0, g.div(Tensor.where(zero, 1.0, o).mul(x.numel() - 1)));
      return Grads.of(x.sub(x.mean()).mul(scale));
    });
    m("Tensor.var(int[],int,boolean)", (g, o, a) -> {
      Tensor x = t(a, 0);
      int[] dims = (int[]) a[1];
      double n = count(x, dims) - i(a, 2);
      Tensor centred = x.sub(x.mean(dims, true));
      return Grads.of(centred.mul(expandDims(g, x, dims, (Boolean) a[3])).mul(2.0 / n), null, null, null);
    });
    m("Tensor.std(int[],int,boolean)", (g, o, a) -> {
      Tensor x = t(a, 0);
      int[] dims = (int[]) a[1];
      double n = count(x, dims) - i(a, 2);
      Tensor centred = x.sub(x.mean(dims, true));
      boolean keep = (Boolean) a[3];
      Tensor std = expandDims(o, x, dims, keep);
      Tensor zero = std.eq(0);
      Tensor scale = Tensor.where(zero, 0.0, expandDims(g, x, dims, keep).div(Tensor.where(zero, 1.0, std).mul(n)));
      return Grads.of(centred.mul(scale), null, null, null);
    });
    // views made through rows: the adjoint is the view's inverse on g, written with recorded operations (a
    // gradient scattered into zeros is an in-place copy through a view of a fresh tensor: CopySlices)
    m("Tensor.transpose(int,int)", (g, o, a) -> Grads.of(g.transpose(i(a, 1), i(a, 2)), null, null));
    m("Tensor.permute(int[])", (g, o, a) -> {
      int[] p = (int[]) a[1];
      int[] inverse = new int[p.length];
      for (int k = 0; k < p.length; k++) {
        inverse[Math.floorMod(p[k], p.length)] = k;
      }
      return Grads.of(g.permute(inverse), null);
    });
    m("Tensor.select(int,int)", (g, o, a) -> {
      Tensor z = Tensor.zerosLike(t(a, 0));
      z.select(i(a, 1), i(a, 2)).copy_(g);
      return Grads.of(z, null, null);
    });
    m("Tensor.narrow(int,int,int)", (g, o, a) -> {
      Tensor z = Tensor.zerosLike(t(a, 0));
      z.narrow(i(a, 1), i(a, 2), i(a, 3)).copy_(g);
      return Grads.of(z, null, null, null);
    });
    m("Tensor.slice(int,int,int)", (g, o, a) -> {
      Tensor z = Tensor.zerosLike(t(a, 0));
      z.slice(i(a, 1), i(a, 2), i(a, 3)).copy_(g);
      return Grads.of(z, null, null, null);
    });
    m("Tensor.slice(int,int,int,int)", (g, o, a) -> {
      Tensor z = Tensor.zerosLike(t(a, 0));
      z.slice(i(a, 1), i(a, 2), i(a, 3), i(a, 4)).copy_(g);
      return Grads.of(z, null, null, null, null);
    });
    m("Tensor.matmul(Tensor)", (g, o, a) -> {
      Tensor x = t(a, 0);
      Tensor w = t(a, 1);
      if (x.dim() == 2 && w.dim() == 2) {
        return Grads.of(g.matmul(w.t()), x.t().matmul(g));
      }
      // vectors as a row (x) or a column (w) matrix, batches broadcast: each gradient summed to its operand's shape
      Tensor x2 = x.dim() == 1 ? x.unsqueeze(0) : x;
      Tensor w2 = w.dim() == 1 ? w.unsqueeze(-1) : w;
      Tensor g2 = x.dim() == 1 && w.dim() == 1 ? g.reshape(1, 1) : x.dim() == 1 ? g.unsqueeze(-2)
          : w.dim() == 1 ? g.unsqueeze(-1) : g;
      Tensor gx = sumTo(g2.matmul(w2.transpose(-2, -1)), x2).reshape(x.shape());
      Tensor gw = sumTo(x2.transpose(-2, -1).matmul(g2), w2).reshape(w.shape());
      return Grads.of(gx, gw);
    });
    for (String product : List.of("mm", "mv", "bmm", "dot")) {
      m("Tensor." + product + "(Tensor)", BY_METHOD.get("Tensor.matmul(Tensor)"));
    }
    m("F.mseLoss(Tensor,Tensor)", (g, o, a) -> {
      Tensor diff = t(a, 0).sub(t(a, 1));
      Tensor gi = diff.mul(g.mul(2.0 / diff.numel()));
      return Grads.of(gi, gi.neg());
    });
    m("F.binaryCrossEntropyWithLogits(Tensor,Tensor)", (g, o, a) -> {
      Tensor x = t(a, 0);
      Tensor scale = g.div(x.numel());
      return Grads.of(x.sigmoid().sub(t(a, 1)).mul(scale), x.mul(scale).neg());
    });
    m("Tensor.maximum(Tensor)", (g, o, a) -> extremum(g, t(a, 0), t(a, 1), true));
    m("Tensor.minimum(Tensor)", (g, o, a) -> extremum(g, t(a, 0), t(a, 1), false));
    m("Tensor.max()", (g, o, a) -> Grads.of(evenly(g, t(a, 0), o)));
    m("Tensor.min()", (g, o, a) -> Grads.of(evenly(g, t(a, 0), o)));
    // PyTorch's prod_backward: (grad * result) / input without zeros, prod_safe_zeros_backward over the flattened
    // input with them (products of the other elements, no division, so every order is exact)
    m("Tensor.prod()", (g, o, a) -> {
      Tensor x = t(a, 0);
      if (!hasZero(x)) {
        return Grads.of(g.mul(o).div(x));
      }
      return Grads.of(x.dim() == 0 ? g : prodSafeZeros(g.reshape(1), x.reshape(-1), 0).reshape(x.shape()));
    });
    // norm_backward for p = 2: input * (grad / norm).masked_fill_(norm == 0, 0); at norm 0 PyTorch's mask makes
    // the gradient a constant 0, so every second-order term through it is 0 as well
    m("Tensor.norm()", (g, o, a) -> o.itemDouble() == 0 ? Grads.of(Tensor.zerosLike(t(a, 0)))
        : Grads.of(t(a, 0).mul(g.div(o))));
    registerShapes();
    registerIndexing();
    registerMath();
    BY_NODE.put("ViewBackward0", (g, in) -> g.reshape(in.shape()));
    BY_NODE.put("ReshapeAliasBackward0", (g, in) -> g.reshape(in.shape()));
    BY_NODE.put("UnsafeViewBackward0", (g, in) -> g.reshape(in.shape()));
    BY_NODE.put("SqueezeBackward0", (g, in) -> g.reshape(in.shape()));
    BY_NODE.put("SqueezeBackward1", (g, in) -> g.reshape(in.shape()));
    BY_NODE.put("UnsqueezeBackward0", (g, in) -> g.reshape(in.shape()));
    BY_NODE.put("CloneBackward0", (g, in) -> g);
    BY_NODE.put("TBackward0", (g, in) -> g.t());
    BY_NODE.put("ExpandBackward0", (g, in) -> sumTo(g, in));
  }


  /** Views and copies that move elements: each adjoint is the inverse movement of {@code g}, recorded. */
  private static void registerShapes() {
    Formula reshape = (g, o, a) -> Grads.of(rest(g.reshape(t(a, 0).shape()), a.length));
    for (String k : List.of("reshape(int[])", "view(int[])", "viewAs(Tensor)", "unsafeView(int[])",
        "flatten(int,int)", "flatten()", "unflatten(int,int[])", "squeeze()", "squeeze(int)", "unsqueeze(int)")) {
      m("Tensor." + k, reshape);
    }
    m("Tensor.t()", (g, o, a) -> Grads.of(g.t()));
    m("Tensor.clone()", (g, o, a) -> Grads.of(g));
    m("Tensor.contiguous()", (g, o, a) -> Grads.of(g));
    m("Tensor.to(DType)", (g, o, a) -> Grads.of(g.to(t(a, 0).dtype()), null));
    m("Tensor.toDouble()", (g, o, a) -> Grads.of(g.to(t(a, 0).dtype())));
    m("Tensor.toFloat()", (g, o, a) -> Grads.of(g.to(t(a, 0).dtype())));
    m("Tensor.expand(int[])", (g, o, a) -> Grads.of(sumTo(g, t(a, 0)), null));
    m("Tensor.expandAs(Tensor)", (g, o, a) -> Grads.of(sumTo(g, t(a, 0)), null));
    m("Tensor.flip(int[])", (g, o, a) -> Grads.of(g.flip((int[]) a[1]), null));
    m("Tensor.roll(int[],int[])", (g, o, a) -> {
      int[] shifts = ((int[]) a[1]).clone();
      for (int k = 0; k < shifts.length; k++) {
        shifts[k] = -shifts[k];
      }
      return Grads.of(g.roll(shifts, (int[]) a[2]), null, null);
    });
    m("Tensor.diagonal(int,int,int)", (g, o, a) -> {
      Tensor z = Tensor.zerosLike(t(a, 0));
      z.diagonal(i(a, 1), i(a, 2), i(a, 3)).copy_(g);
      return Grads.of(z, null, null, null);
    });
    m("Tensor.diagonal()", (g, o, a) -> {
      Tensor z = Tensor.zerosLike(t(a, 0));
      z.diagonal().copy_(g);
      return Grads.of(z);
    });
    m("Tensor.repeat(int[])", (g, o, a) -> Grads.of(unrepeat(g, t(a, 0), (int[]) a[1]), null));
    m("Tensor.tile(int[])", (g, o, a) -> {
      Tensor x = t(a, 0);
      int[] dims = (int[]) a[1];
      int[] reps = new int[Math.max(dims.length, x.dim())];
      Arrays.fill(reps, 1);
      System.arraycopy(dims, 0, reps, reps.length - dims.length, dims.length);
      return Grads.of(unrepeat(g, x, reps), null);
    });
    m("Tensor.asStrided(int[],int[],int)", (g, o, a) -> Grads.of(asStrided(g, t(a, 0), (int[]) a[1], (int[]) a[2],
        i(a, 3)), null, null, null));
    // cat and stack: each piece's gradient is its slice of g
    m("Tensor.cat(List,int)", (g, o, a) -> pieces(g, a, false));
    m("Tensor.stack(List,int)", (g, o, a) -> pieces(g, a, true));
  }

  /** Gathers, scatters and index operations: each adjoint is the transposed movement, recorded. */
  private static void registerIndexing() {
    m("Tensor.gather(int,Tensor)", (g, o, a) -> Grads.of(Tensor.zerosLike(t(a, 0)).scatterAdd(i(a, 1), t(a, 2), g),
        null, null));
    m("Tensor.scatter(int,Tensor,Tensor)", (g, o, a) -> Grads.of(g.scatter(i(a, 1), t(a, 2), 0.0), null, null,
        g.gather(i(a, 1), t(a, 2))));
    m("Tensor.scatter(int,Tensor,double)", (g, o, a) -> Grads.of(g.scatter(i(a, 1), t(a, 2), 0.0), null, null, null));
    m("Tensor.scatterAdd(int,Tensor,Tensor)", (g, o, a) -> Grads.of(g, null, null, g.gather(i(a, 1), t(a, 2))));
    m("Tensor.index(Tensor)", (g, o, a) -> Grads.of(Tensor.zerosLike(t(a, 0)).indexPut(new Tensor[] {t(a, 1)}, g,
        true), null));
    m("Tensor.index(Tensor[])", (g, o, a) -> Grads.of(Tensor.zerosLike(t(a, 0)).indexPut((Tensor[]) a[1], g, true),
        null));
    m("Tensor.indexPut(Tensor[],Tensor,boolean)", (g, o, a) -> {
      Tensor[] idx = (Tensor[]) a[1];
      Tensor values = t(a, 2);
      Tensor self = (Boolean) a[3] ? g : g.indexPut(idx, Tensor.zeros(new int[0], g.dtype()), false);
      return Grads.of(self, null, sumTo(g.index(idx), values), null);
    });
    m("Tensor.maskedFill(Tensor,double)", (g, o, a) -> Grads.of(sumTo(g.maskedFill(t(a, 1), 0.0), t(a, 0)), null,
        null));
    m("Tensor.sortValues(int,boolean,Tensor)", (g, o, a) -> Grads.of(Tensor.zerosLike(t(a, 0)).scatter(i(a, 1),
        t(a, 3), g), null, null, null));
    m("Tensor.topkValues(int,Tensor)", (g, o, a) -> Grads.of(Tensor.zerosLike(t(a, 0)).scatter(i(a, 1), t(a, 2), g),
        null, null));
    Row select = Row.of(Tensor.class, "indexSelect", int.class, Tensor.class);
    m("Tensor.indexSelect(int,Tensor)", linear(select, 0, (h, a) -> h.indexSelect(i(a, 1), t(a, 2))));
    Row masked = Row.of(Tensor.class, "maskedSelect", Tensor.class);
    m("Tensor.maskedSelect(Tensor)", linear(masked, 0, (h, a) -> h.maskedSelect(t(a, 1))));
  }

  /** The remaining elementwise operations and reductions. */
  private static void registerMath() {
    m("Tensor.clampMin(double)", (g, o, a) -> Grads.of(g.mul(mask(t(a, 0), v -> v >= d(a, 1))), null));
    m("Tensor.clampMax(double)", (g, o, a) -> Grads.of(g.mul(mask(t(a, 0), v -> v <= d(a, 1))), null));
    // pow(Tensor): PyTorch's pow_backward_self and pow_backward_exponent, for a positive base only (its
    // exponent gradient masks a zero base, which a recorded log cannot)
    m("Tensor.pow(Tensor)", (g, o, a) -> {
      Tensor x = t(a, 0);
      Tensor p = t(a, 1);
      if (Arrays.stream(x.toDoubleArray()).anyMatch(v -> !(v > 0))) {
        return null;
      }
      return Grads.of(sumTo(g.mul(p).mul(x.pow(p.sub(1))), x), sumTo(g.mul(o).mul(x.log()), p));
    });
    m("Tensor.pow(double,Tensor)", (g, o, a) -> d(a, 0) > 0 ? Grads.of(null, g.mul(o).mul(Math.log(d(a, 0))))
        : null);
    m("Tensor.amax(int[],boolean)", (g, o, a) -> Grads.of(amaxAmin(g, o, t(a, 0), (int[]) a[1], (Boolean) a[2]),
        null, null));
    m("Tensor.amin(int[],boolean)", (g, o, a) -> Grads.of(amaxAmin(g, o, t(a, 0), (int[]) a[1], (Boolean) a[2]),
        null, null));
    // cumprod and prod(dim) without zeros in the input: (reverse cumsum of g * out) / x, (g * out) / x; with zeros
    // PyTorch's products of the other elements (cumprod_backward's O(n²) form, prod_safe_zeros_backward)
    m("Tensor.cumprod(int)", (g, o, a) -> {
      Tensor x = t(a, 0);
      int dim = x.dim() == 0 ? 0 : Math.floorMod(i(a, 1), x.dim());
      if (hasZero(x)) {
        return Grads.of(cumprodWithZeros(g, x, dim), null);
      }
      return Grads.of(g.mul(o).flip(dim).cumsum(dim).flip(dim).div(x), null);
    });
    m("Tensor.prod(int,boolean)", (g, o, a) -> Grads.of(prodDim(g, o, t(a, 0), i(a, 1), (Boolean) a[2]), null, null));
    m("Tensor.prod(int)", (g, o, a) -> Grads.of(prodDim(g, o, t(a, 0), i(a, 1), false), null));
    // norm_backward for a finite p >= 1 at a non-zero norm: g * x * |x|^(p-2) / norm^(p-1)
    m("Tensor.norm(double)", (g, o, a) -> {
      double p = d(a, 1);
      Tensor x = t(a, 0);
      if (o.itemDouble() == 0 && p >= 1 && !Double.isInfinite(p)) {
        // PyTorch masks the gradient at norm 0 (masked_fill_(norm == 0, 0)): a constant 0
        return Grads.of(Tensor.zerosLike(x), null);
      }
      if (Double.isInfinite(p) || p < 1) {
        return null;
      }
      if (p == 1) {
        return Grads.of(g.mul(signOf(x)), null);
      }
      if (p == 2) {
        return Grads.of(x.mul(g.div(o)), null);
      }
      if (hasZero(x) && p < 2) {
        return null;
      }
      return Grads.of(x.mul(x.abs().pow(p - 2)).mul(g.div(o.pow(p - 1))), null);
    });
  }

  /** prod(dim)'s recorded gradient: {@code g·out/x} without zeros, {@link #prodSafeZeros} with them. */
  private static Tensor prodDim(Tensor g, Tensor o, Tensor x, int dim, boolean keepDim) {
    if (!hasZero(x)) {
      return expandDim(g.mul(o), x, dim, keepDim).div(x);
    }
    if (x.dim() == 0) {
      return g.reshape();
    }
    int d = Math.floorMod(dim, x.dim());
    return prodSafeZeros(keepDim ? g : g.unsqueeze(d), x, d);
  }

  /**
   * PyTorch's {@code prod_safe_zeros_backward}: the gradient of {@code x.prod(dim, keepDim = true)} for upstream
   * {@code g} (keepDim shape) as {@code g · (exclusive cumprod from the front) · (exclusive cumprod from the back)},
   * the product of every other element along {@code dim}, with recorded operations and no division, so a zero in
   * {@code x} is exact at every order.
   */
  private static Tensor prodSafeZeros(Tensor g, Tensor x, int dim) {
    int n = x.size(dim);
    if (x.numel() == 0) {
      return g.expand(x.shape());
    }
    if (n == 1) {
      return g.expand(x.shape());
    }
    int[] onesShape = x.shape();
    onesShape[dim] = 1;
    Tensor ones = Tensor.ones(onesShape, x.dtype());
    Tensor front = Tensor.cat(List.of(ones, x.narrow(dim, 0, n - 1)), dim).cumprod(dim);
    Tensor back = Tensor.cat(List.of(ones, x.narrow(dim, 1, n - 1).flip(dim)), dim).cumprod(dim).flip(dim);
    return g.mul(front.mul(back));
  }

  /**
   * cumprod's recorded gradient with a zero in {@code x}: PyTorch's {@code cumprod_backward} for second order,
   * {@code ∂x_k = Σ_{j ≥ k} g_j · Π_{i ≤ j, i ≠ k} x_i}, one recorded piece per index {@code k} along {@code dim}
   * (O(n²) along it), stacked.
   */
  private static Tensor cumprodWithZeros(Tensor g, Tensor x, int dim) {
    if (x.numel() <= 1 || x.dim() == 0 || x.size(dim) == 1) {
      return g;
    }
    int n = x.size(dim);
    int[] onesShape = x.shape();
    onesShape[dim] = 1;
    Tensor ones = Tensor.ones(onesShape, x.dtype());
    List<Tensor> pieces = new ArrayList<>(n);
    for (int k = 0; k < n; k++) {
      // omitted: for each j >= k, the product of x_i over i <= j without i = k
      Tensor omitted;
      if (k == 0) {
        omitted = Tensor.cat(List.of(ones, x.slice(dim, 1, n).cumprod(dim)), dim);
      } else {
        Tensor until = x.slice(dim, 0, k).prod(dim, true);
        if (k == n - 1) {
          omitted = until;
        } else {
          Tensor from = x.slice(dim, k + 1, n).cumprod(dim);
          omitted = Tensor.cat(List.of(until, until.mul(from)), dim);
        }
      }
      pieces.add(g.slice(dim, k, n).mul(omitted).sum(dim, false));
    }
    return Tensor.stack(pieces, dim);
  }

  private static boolean hasZero(Tensor x) {
    return Arrays.stream(x.toDoubleArray()).anyMatch(v -> v == 0);
  }

  /** {@code g} and then {@code null} for the other {@code n - 1} inputs. */
  private static Tensor[] rest(Tensor g, int n) {
    Tensor[] out = new Tensor[n];
    out[0] = g;
    return out;
  }

  /** amax/amin's gradient: {@code g} shared evenly by the elements equal to the extremum (the mask a constant). */
  private static Tensor amaxAmin(Tensor g, Tensor out, Tensor x, int[] dims, boolean keepDim) {
    Tensor o = expandDims(out.detach(), x, dims, keepDim);
    double[] xv = x.toDoubleArray();
    double[] ov = o.contiguous().toDoubleArray();
    double[] hit = new double[xv.length];
    for (int k = 0; k < xv.length; k++) {
      hit[k] = xv[k] == ov[k] || Double.isNaN(xv[k]) && Double.isNaN(ov[k]) ? 1 : 0;
    }
    Tensor hits = Tensor.of(x.dtype() == Tensor.DType.FLOAT64 ? Tensor.DType.FLOAT64 : Tensor.DType.FLOAT32, hit)
        .reshape(x.shape());
    Tensor count = hits.sum(normalized(dims, x.dim()), true);
    return expandDims(g, x, dims, keepDim).mul(hits.div(count));
  }

  /** repeat's gradient: {@code g} split into (repeat, size) per dimension and summed over the repeats. */
  private static Tensor unrepeat(Tensor g, Tensor x, int[] reps) {
    int lead = reps.length - x.dim();
    int[] split = new int[2 * reps.length];
    int[] sumOver = new int[reps.length];
    for (int k = 0; k < reps.length; k++) {
      split[2 * k] = reps[k];
      split[2 * k + 1] = k < lead ? 1 : x.size(k - lead);
      sumOver[k] = 2 * k;
    }
    return g.reshape(split).sum(sumOver, false).reshape(x.shape());
  }

  /**
   * PyTorch's {@code as_strided_backward} with recorded operations: {@code g} added into a zero storage at the
   * output's locations ({@code index_put} with accumulation), read back at the input's locations, each divided by
   * the number of input elements sharing it (a constant); output locations outside the input get no gradient.
   */
  private static Tensor asStrided(Tensor g, Tensor x, int[] size, int[] stride, int offset) {
    int[] in = locations(x.storageOffset(), x.shape(), x.strides());
    int[] out = locations(offset, size, stride);
    if (in.length == 0) {
      return Tensor.zerosLike(x);
    }
    int extent = 0;
    for (int p : in) {
      extent = Math.max(extent, p + 1);
    }
    for (int p : out) {
      extent = Math.max(extent, p + 1);
    }
    Tensor store = Tensor.zeros(new int[] {extent}, g.dtype());
    if (out.length > 0) {
      store = store.indexPut(new Tensor[] {Tensor.indices(out)}, g.reshape(-1), true);
    }
    Tensor r = store.index(Tensor.indices(in)).reshape(x.shape());
    int[] count = new int[extent];
    for (int p : in) {
      count[p]++;
    }
    double[] share = new double[in.length];
    boolean shared = false;
    for (int j = 0; j < in.length; j++) {
      share[j] = count[in[j]];
      shared |= count[in[j]] > 1;
    }
    return shared ? r.div(Tensor.wrap(share, x.shape()).to(g.dtype())) : r;
  }

  /** The storage locations of a geometry's elements, in row-major order of its indices. */
  private static int[] locations(int offset, int[] shape, int[] strides) {
    int n = 1;
    for (int s : shape) {
      n *= s;
    }
    int[] pos = new int[n];
    int[] idx = new int[shape.length];
    for (int k = 0; k < n; k++) {
      int p = offset;
      for (int d = 0; d < shape.length; d++) {
        p += idx[d] * strides[d];
      }
      pos[k] = p;
      for (int d = shape.length - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]) {
          break;
        }
        idx[d] = 0;
      }
    }
    return pos;
  }

  /** cat's or stack's gradients: each piece's slice of {@code g} along the dimension. */
  private static Grads pieces(Tensor g, Object[] a, boolean stack) {
    @SuppressWarnings("unchecked")
    List<Tensor> parts = (List<Tensor>) a[0];
    int dim = Math.floorMod(i(a, 1), stack ? g.dim() : Math.max(1, g.dim()));
    Tensor[] out = new Tensor[parts.size() + 1];
    int at = 0;
    for (int k = 0; k < parts.size(); k++) {
      Tensor p = parts.get(k);
      if (stack) {
        out[k] = g.select(dim, k);
      } else if (p.dim() == 1 && p.size(0) == 0 && g.dim() > 1) {
        out[k] = Tensor.zerosLike(p); // a legacy empty piece takes no part
      } else {
        out[k] = g.narrow(dim, at, p.size(dim));
        at += p.size(dim);
      }
    }
    return Grads.of(out);
  }

  /**
   * The formula of a primitive linear in its input {@code at}: the gradient is the row's own adjoint (kernels),
   * and, being linear in {@code g}, its derivative with respect to {@code g} is the forward operation itself
   * ({@code forward(h, args)}), recorded: a node over {@code g} whose backward calls it. Nothing else depends
   * on the input, so that is the whole double backward (and any order beyond).
   */
  public static Formula linear(Row row, int at, java.util.function.BiFunction<Tensor, Object[], Tensor> forward) {
    return (g, o, a) -> {
      Tensor gx;
      boolean was = GradMode.set(false);
      try {
        gx = row.adjoint(g.detach(), o, a).get(at);
      } finally {
        GradMode.set(was);
      }
      Tensor[] out = new Tensor[a.length];
      out[at] = linearIn(row.node(a) + "Backward", g, gx, h -> forward.apply(h, a));
      return Grads.of(out);
    };
  }

  /** {@code value}, a function of {@code g} that is linear with the transpose {@code forward}, given its node. */
  public static Tensor linearIn(String name, Tensor g, Tensor value, java.util.function.UnaryOperator<Tensor> forward) {
    if (value == null || !g.requiresGrad()) {
      return value;
    }
    Tensor v = value.detach();
    Node n = new Node(name, null, new Tensor[] {g}, new Tensor[0], h -> Grads.of(forward.apply(h)));
    n.setDoubleDifferentiable(true);
    TensorAccess.get().setGradFn(v, n);
    n.setOutput(v);
    return v;
  }

  /**
   * {@code value}, computed by kernels from {@code deps}, given a node whose backward {@code back} (the gradients
   * of {@code deps} for an upstream {@code h}) also runs on kernels: differentiable once more, and a clear error
   * beyond (the engine guards a node that is not double-differentiable).
   */
  public static Tensor withBackward(String name, Tensor value, Tensor[] deps,
      java.util.function.Function<Tensor, Tensor[]> back) {
    boolean any = false;
    for (Tensor d : deps) {
      any |= d != null && d.requiresGrad();
    }
    if (value == null || !any) {
      return value;
    }
    Tensor v = value.detach();
    Node n = new Node(name, null, deps, new Tensor[0], h -> Grads.of(back.apply(h)));
    TensorAccess.get().setGradFn(v, n);
    n.setOutput(v);
    return v;
  }

  /**
   * The gradients of a composite: {@code fn} rebuilds the primitive's value from recorded primitives, and the
   * gradients of that value for upstream {@code g} are taken with createGraph, so they are differentiable again
   * (PyTorch's CompositeImplicitAutograd ops get theirs the same way). Each floating tensor argument that requires
   * grad is replaced by an alias first, so that the gradients are partial ones even where one argument was
   * computed from another; the others are passed as they are.
   */
  public static Grads composite(Tensor g, Object[] args, java.util.function.Function<Object[], Tensor> fn) {
    Object[] a = args.clone();
    List<Integer> at = new ArrayList<>();
    List<Tensor> in = new ArrayList<>();
    for (int k = 0; k < a.length; k++) {
      if (a[k] instanceof Tensor t && t.requiresGrad()) {
        Tensor alias = t.mul(1.0);
        a[k] = alias;
        at.add(k);
        in.add(alias);
      }
    }
    Tensor[] out = new Tensor[a.length];
    if (in.isEmpty()) {
      return Grads.of(out);
    }
    Tensor y = fn.apply(a);
    Tensor[] gs = Engine.grad(new Tensor[] {y}, in.toArray(new Tensor[0]), new Tensor[] {g}, true, true, true);
    for (int k = 0; k < gs.length; k++) {
      out[at.get(k)] = gs[k] != null ? gs[k] : Tensor.zerosLike(in.get(k));
    }
    return Grads.of(out);
  }

  private static void m(String key, Formula f) {
    BY_METHOD.put(key, f);
  }

  /** The recorded formula of the primitive {@code method}, or {@code null}. */
  static Formula formula(Method method) {
    Class<?> owner = method.getDeclaringClass();
    try {
      // the owner registers its formulas in its static initialiser, which reflection alone does not run
      Class.forName(owner.getName(), true, owner.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
    StringBuilder b = new StringBuilder(method.getDeclaringClass().getSimpleName()).append('.')
        .append(method.getName()).append('(');
    Class<?>[] ps = method.getParameterTypes();
    for (int k = 0; k < ps.length; k++) {
      b.append(k == 0 ? "" : ",").append(ps[k].getSimpleName());
    }
    return BY_METHOD.get(b.append(')').toString());
  }

  /** The names of the primitives with a recorded formula (for tests). */
  public static List<String> supportedPrimitives() {
    List<String> l = new ArrayList<>(BY_METHOD.keySet());
    l.sort(null);
    return l;
  }

  /**
   * For the engine with createGraph: the recorded backward of a node made outside the rows (a view), as a
   * function of the upstream gradient, or {@code null}.
   */
  static Vjp byNode(Node n) {
    java.util.function.BiFunction<Tensor, Tensor, Tensor> f = BY_NODE.get(n.name());
    if (f == null || n.inputCount() < 1 || n.input(0) == null || !n.needsGrad(0)) {
      return null;
    }
    Tensor in = n.input(0);
    return g -> {
      Tensor[] gs = new Tensor[n.inputCount()];
      gs[0] = f.apply(g, in);
      return Grads.of(gs);
    };
  }

  /**
   * The gradients {@code grads} of node {@code n}, computed without recording, each copied and given a
   * {@code NotImplemented} node that throws when differentiated (createGraph through a node without a
   * recorded formula).
   */
  static Grads guard(Node n, Tensor[] upstream, Grads grads) {
    return guard(n, upstream, grads, "NotImplemented", () -> {
      // the user's line, when the node recorded its forward stack (anomaly mode, or fHvp locating a failure)
      String madeAt = Anomaly.firstFrame(n.trace());
      return n.where() + "double backward through " + n.name() + " is not supported"
          + (madeAt == null ? "" : " (the operation made at " + madeAt + ")")
          + ": its backward was computed with createGraph=true by kernels that are not "
          + "recorded, so the gradient of this gradient is unknown. Differentiate once, or express the "
          + "operation with differentiable primitives (see DoubleBackward.supportedPrimitives())."
          + (n.site() == null ? "" : " " + n.name() + " is the node of a @Differentiable method: for second derivatives call the method itself, not its Diff companion, so that its "
              + "operations are recorded one by one, or use its generated Hvp/Hessian methods.");
    });
  }

  /**
   * {@link #guard(Node, Tensor[], Grads)} with the error node's name and message ({@code Error} and "trying to
   * differentiate twice a function that was marked with @once_differentiable" for a custom Function).
   */
  static Grads guard(Node n, Tensor[] upstream, Grads grads, String errorName,
      java.util.function.Supplier<String> message) {
    List<Tensor> deps = new ArrayList<>();
    for (Tensor u : upstream) {
      if (u != null && u.requiresGrad()) {
        deps.add(u);
      }
    }
    for (int i = 0; i < n.inputCount(); i++) {
      if (n.needsGrad(i)) {
        deps.add(n.input(i));
      }
    }
    Tensor[] in = deps.toArray(new Tensor[0]);
    Tensor[] out = new Tensor[n.inputCount()];
    for (int i = 0; i < out.length; i++) {
      Tensor gi = n.needsGrad(i) ? grads.get(i) : null;
      if (gi == null) {
        continue;
      }
      Tensor copy = gi.detach().clone();
      if (in.length > 0) {
        Node err = new Node(errorName, n.site(), in, new Tensor[0], g -> {
          throw new UnsupportedOperationException(message.get());
        });
        TensorAccess.get().setGradFn(copy, err);
        err.setOutput(copy);
      }
      out[i] = copy;
    }
    return Grads.of(out);
  }

  private static Tensor t(Object[] a, int k) {
    return (Tensor) a[k];
  }

  private static double d(Object[] a, int k) {
    return ((Number) a[k]).doubleValue();
  }

  /**
   * {@code max/min(dim)}'s adjoint in recorded operations: {@code g} scattered to the first extremum along
   * {@code dim} (the index the forward's gradient goes to), zeros elsewhere; {@code inputs} gradients in all.
   */
  private static Grads extremum(Tensor g, Tensor x, int dim, boolean keepDim, boolean max, int inputs) {
    if (x.dim() == 0) {
      return null;
    }
    int d = dim < 0 ? dim + x.dim() : dim;
    Tensor index = max ? x.argmax(d, true) : x.argmin(d, true);
    Tensor[] out = new Tensor[inputs];
    out[0] = Tensor.zeros(x.shape(), x.dtype()).scatter(d, index, keepDim ? g : g.unsqueeze(d));
    return Grads.of(out);
  }

  private static int i(Object[] a, int k) {
    return ((Number) a[k]).intValue();
  }

  private static int[] ones(int n) {
    int[] s = new int[n];
    Arrays.fill(s, 1);
    return s;
  }

  /**
   * maximum's ({@code max}) or minimum's gradients: {@code where(a == b, g / 2, g)} masked where the operand loses,
   * each summed to its operand's shape (PyTorch's formula); the masks are constants.
   */
  private static Grads extremum(Tensor g, Tensor a, Tensor b, boolean max) {
    Tensor x = a.detach();
    Tensor y = b.detach();
    Tensor tie = x.eq(y).to(g.dtype()).mul(0.5);
    Tensor aWins = (max ? x.gt(y) : x.lt(y)).to(g.dtype()).add(tie);
    Tensor bWins = (max ? x.lt(y) : x.gt(y)).to(g.dtype()).add(tie);
    return Grads.of(sumTo(g.mul(aWins), a), sumTo(g.mul(bWins), b));
  }

  /**
   * PyTorch's {@code evenly_distribute_backward}: the gradient of a full max or min shared evenly by the elements
   * equal to the result (NaN matching NaN); the mask is a constant.
   */
  private static Tensor evenly(Tensor g, Tensor x, Tensor out) {
    double v = out.itemDouble();
    Tensor hits = mask(x, e -> Double.isNaN(v) ? Double.isNaN(e) : e == v);
    return g.div(hits.sum().itemDouble()).mul(hits);
  }

  /** A 0/1 mask of {@code out > 0}, not recorded (relu's derivative, 0 at 0 as PyTorch's). */
  private static Tensor positive(Tensor out) {
    return mask(out, v -> v > 0);
  }

  /** The sign of {@code x} (0 at 0), not recorded: the derivative of {@code abs}. */
  private static Tensor signOf(Tensor x) {
    return constant(x, Math::signum);
  }

  /**
   * A 0/1 mask of {@code t > 0}, not recorded: the derivative of relu (0 at 0, as PyTorch's), for formulas
   * registered from other packages.
   */
  public static Tensor positiveMask(Tensor t) {
    return positive(t);
  }

  /** {@code logsumexp}'s gradient: {@code g} times the softmax of {@code x} along {@code dim}. */
  private static Tensor logsumexp(Tensor g, Tensor out, Tensor x, int dim, boolean keepDim) {
    return expandDim(g, x, dim, keepDim).mul(x.sub(expandDim(out, x, dim, keepDim)).exp());
  }

  /** The elements reduced over {@code dims} of {@code x}. */
  private static long count(Tensor x, int[] dims) {
    long n = 1;
    for (int d : normalized(dims, x.dim())) {
      n *= x.dim() == 0 ? 1 : x.size(d);
    }
    return n;
  }

  /**
   * A constant (not recorded) tensor of {@code x}'s shape, 1 where {@code keep} holds of the element and 0
   * elsewhere: the derivative of a piecewise-linear operation, for formulas registered from other packages.
   */
  public static Tensor mask(Tensor x, java.util.function.DoublePredicate keep) {
    return constant(x, v -> keep.test(v) ? 1 : 0);
  }

  /**
   * {@code f} of each element of {@code x}, as a constant (not recorded) tensor of {@code x}'s shape and
   * floating dtype (float64 stays float64, anything else is float32): the value-dependent factors of the formulas.
   */
  public static Tensor constantOf(Tensor x, java.util.function.DoubleUnaryOperator f) {
    return constant(x, f);
  }

  private static Tensor constant(Tensor x, java.util.function.DoubleUnaryOperator f) {
    double[] v = x.toDoubleArray();
    if (x.dtype() == Tensor.DType.FLOAT64) {
      for (int k = 0; k < v.length; k++) {
        v[k] = f.applyAsDouble(v[k]);
      }
      return Tensor.wrap(v, x.shape());
    }
    float[] w = new float[v.length];
    for (int k = 0; k < v.length; k++) {
      w[k] = (float) f.applyAsDouble(v[k]);
    }
    return Tensor.wrap(w, x.shape());
  }

  private static int[] normalized(int[] dims, int rank) {
    int[] d = new int[dims.length];
    for (int k = 0; k < dims.length; k++) {
      d[k] = Math.floorMod(dims[k], Math.max(1, rank));
    }
    Arrays.sort(d);
    return d;
  }

  /** {@code g} of a reduction over {@code dims} broadcast back to {@code x}'s shape. */
  private static Tensor expandDims(Tensor g, Tensor x, int[] dims, boolean keepDim) {
    if (x.dim() == 0) {
      return g.reshape();
    }
    Tensor k = g;
    if (!keepDim) {
      for (int d : normalized(dims, x.dim())) {
        k = k.unsqueeze(d);
      }
    }
    return k.expand(x.shape());
  }

  /** {@code g} of a reduction over {@code dim} broadcast back to {@code x}'s shape. */
  private static Tensor expandDim(Tensor g, Tensor x, int dim, boolean keepDim) {
    if (x.dim() == 0) {
      return g.reshape();
    }
    int d = Math.floorMod(dim, x.dim());
    Tensor k = keepDim ? g : g.unsqueeze(d);
    return k.expand(x.shape());
  }

  /** Sums {@code g} down to {@code like}'s shape over broadcast dimensions, with recorded operations. */
  public static Tensor sumTo(Tensor g, Tensor like) {
    int[] shape = like.shape();
    int[] gs = g.shape();
    if (Arrays.equals(gs, shape)) {
      return g;
    }
    int lead = gs.length - shape.length;
    List<Integer> dims = new ArrayList<>();
    for (int k = 0; k < gs.length; k++) {
      if (k < lead || shape[k - lead] == 1 && gs[k] != 1) {
        dims.add(k);
      }
    }
    Tensor s = dims.isEmpty() ? g : g.sum(dims.stream().mapToInt(Integer::intValue).toArray(), true);
    return s.reshape(shape);
  }
}
