package dev.adjoint.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import dev.adjoint.linalg.Linalg;
import dev.adjoint.nn.F;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Double backward of each primitive with a recorded backward formula, against PyTorch 1.13
 * ({@code double_backward_goldens.py}): the first gradient with createGraph and the gradient of that gradient
 * (1e-5 relative), and the second against central differences of the first gradient.
 */
class DoubleBackwardGoldenTest {
  private static final Map<String, Function<Tensor[], Tensor>> OPS = Map.ofEntries(
      Map.entry("add", a -> a[0].add(a[1])),
      Map.entry("sub", a -> a[0].sub(a[1])),
      Map.entry("mul", a -> a[0].mul(a[1])),
      Map.entry("mul_broadcast", a -> a[0].mul(a[1])),
      Map.entry("div", a -> a[0].div(a[1])),
      Map.entry("add_scalar", a -> a[0].add(1.5)),
      Map.entry("mul_scalar", a -> a[0].mul(2.5)),
      Map.entry("div_scalar", a -> a[0].div(4.0)),
      Map.entry("rsub", a -> a[0].rsub(2.0)),
      Map.entry("neg", a -> a[0].neg()),
      Map.entry("exp", a -> a[0].exp()),
      Map.entry("log", a -> a[0].log()),
      Map.entry("sqrt", a -> a[0].sqrt()),
      Map.entry("sin", a -> a[0].sin()),
      Map.entry("cos", a -> a[0].cos()),
      Map.entry("tanh", a -> a[0].tanh()),
      Map.entry("sigmoid", a -> a[0].sigmoid()),
      Map.entry("relu", a -> a[0].relu().mul(a[0])),
      Map.entry("square", a -> a[0].square()),
      Map.entry("pow3", a -> a[0].pow(3.0)),
      Map.entry("pow_half", a -> a[0].pow(0.5)),
      Map.entry("sum", a -> a[0].mul(a[0]).sum()),
      Map.entry("mean", a -> a[0].mul(a[0]).mean()),
      Map.entry("sum_dim", a -> a[0].mul(a[0]).sum(1)),
      Map.entry("mean_dim_keep", a -> a[0].mul(a[0]).mean(0, true)),
      Map.entry("matmul", a -> a[0].matmul(a[1])),
      Map.entry("mse_loss", a -> F.mseLoss(a[0], a[1])),
      Map.entry("reshape", a -> a[0].reshape(3, 2).mul(a[0].reshape(3, 2))),
      Map.entry("t", a -> a[0].t().mul(a[0].t())),
      Map.entry("mlp", a -> F.mseLoss(a[0].matmul(a[1]).tanh().matmul(a[2]).sigmoid(), a[0])),
      Map.entry("log1p", a -> a[0].log1p()),
      // the first-week functions (gaps): goldens/double_backward_gaps.json
      Map.entry("tan", a -> a[0].mul(0.3).tan()),
      Map.entry("asin", a -> a[0].mul(0.2).asin()),
      Map.entry("acos", a -> a[0].mul(0.2).acos()),
      Map.entry("atan", a -> a[0].atan()),
      Map.entry("sinh", a -> a[0].sinh()),
      Map.entry("cosh", a -> a[0].cosh()),
      Map.entry("sign", a -> a[0].add(10).sign().add(1).mul(a[0]).mul(a[0])),
      Map.entry("floor", a -> a[0].mul(0.1).add(0.5).floor().add(1).mul(a[0]).mul(a[0])),
      Map.entry("ceil", a -> a[0].mul(0.1).add(0.5).ceil().add(1).mul(a[0]).mul(a[0])),
      Map.entry("round", a -> a[0].mul(0.1).round().add(1).mul(a[0]).mul(a[0])),
      Map.entry("trunc", a -> a[0].mul(0.2).trunc().add(1).mul(a[0]).mul(a[0])),
      Map.entry("tril", a -> a[0].tril(0).mul(a[0])),
      Map.entry("triu", a -> a[0].triu(1).mul(a[0].tril(1))),
      Map.entry("atan2", a -> a[0].atan2(a[1])),
      Map.entry("hypot", a -> a[0].hypot(a[1])),
      Map.entry("logaddexp", a -> a[0].logaddexp(a[1])),
      // session 10
      Map.entry("mm", a -> a[0].mm(a[1]).tanh()),
      Map.entry("mv", a -> a[0].mv(a[1]).tanh()),
      Map.entry("bmm", a -> a[0].bmm(a[1]).tanh()),
      Map.entry("dot", a -> a[0].dot(a[1]).tanh()),
      Map.entry("outer", a -> a[0].outer(a[1]).tanh()),
      Map.entry("addmm", a -> a[0].addmm(a[1], a[2]).tanh()),
      Map.entry("erf", a -> a[0].erf()),
      Map.entry("lerp", a -> a[0].lerp(a[1], 0.3).mul(a[0])),
      Map.entry("lerp_tensor", a -> a[0].lerp(a[1], a[2]).mul(a[2])),
      Map.entry("fmod", a -> a[0].mul(0.05).add(0.3).fmod(0.7).mul(a[0]).mul(a[0])),
      Map.entry("remainder", a -> a[0].mul(0.05).add(0.3).remainder(0.7).mul(a[0]).mul(a[0])),
      Map.entry("softmax_method", a -> a[0].softmax(1)),
      Map.entry("log_softmax_method", a -> a[0].logSoftmax(0)),
      Map.entry("cross", a -> a[0].cross(a[1], 1).mul(a[0])),
      Map.entry("diag_vec", a -> a[0].diag(1).tanh()),
      Map.entry("diag_mat", a -> a[0].diag(-1).tanh()),
      Map.entry("expm1", a -> a[0].expm1()),
      Map.entry("reciprocal", a -> a[0].reciprocal()),
      Map.entry("rsqrt", a -> a[0].rsqrt()),
      Map.entry("abs", a -> a[0].abs().mul(a[0])),
      Map.entry("sum_dims", a -> a[0].mul(a[0]).sum(new int[] {0, 2}, false)),
      Map.entry("mean_dims_keep", a -> a[0].mul(a[0]).mean(new int[] {0, -1}, true)),
      Map.entry("linear", a -> F.linear(a[0], a[1], a[2]).pow(2)),
      Map.entry("linear_3d_nobias", a -> F.linear(a[0], a[1], null).pow(2)),
      Map.entry("softmax", a -> F.softmax(a[0], 1).mul(a[0])),
      Map.entry("log_softmax", a -> F.logSoftmax(a[0], -1).mul(a[0])),
      Map.entry("relu_f", a -> F.relu(a[0]).mul(a[0])),
      Map.entry("cross_entropy", a -> F.crossEntropy(a[0], Tensor.indices(0, 3, 1))),
      Map.entry("mlp_ce", a -> F.crossEntropy(F.linear(F.relu(F.linear(a[0], a[1], a[2])), a[3], a[4]),
          Tensor.indices(2, 0, 1, 2))),
      Map.entry("transpose", a -> a[0].transpose(0, 1).pow(2)),
      Map.entry("permute", a -> a[0].permute(2, 0, 1).pow(2)),
      Map.entry("select", a -> a[0].select(1, 2).pow(2)),
      Map.entry("narrow", a -> a[0].narrow(1, 1, 2).pow(2)),
      Map.entry("slice", a -> a[0].slice(1, 1, 3).pow(2)),
      Map.entry("slice_step", a -> a[0].slice(1, 0, 4, 2).pow(2)),
      Map.entry("logsumexp", a -> a[0].logsumexp(1)),
      Map.entry("logsumexp_keep", a -> a[0].logsumexp(0, true).mul(2)),
      Map.entry("clamp", a -> a[0].clamp(-0.5, 0.5).mul(a[0])),
      Map.entry("cumsum", a -> a[0].cumsum(1).pow(2)),
      Map.entry("var", a -> a[0].var()),
      Map.entry("std", a -> a[0].std()),
      Map.entry("var_dims", a -> a[0].var(new int[] {0, 2}, 0, false)),
      Map.entry("std_dims_keep", a -> a[0].std(new int[] {1}, 1, true)),
      Map.entry("leaky_relu", a -> F.leakyRelu(a[0], 0.1).mul(a[0])),
      Map.entry("hardtanh", a -> F.hardtanh(a[0].mul(2)).mul(a[0])),
      Map.entry("silu", a -> F.silu(a[0])),
      Map.entry("logsigmoid", a -> F.logSigmoid(a[0])),
      Map.entry("softplus", a -> F.softplus(a[0])),
      Map.entry("softplus_beta", a -> F.softplus(a[0], 2.0, 1.0)),
      Map.entry("elu", a -> F.elu(a[0])),
      Map.entry("maximum", a -> a[0].maximum(a[1]).mul(a[0])),
      Map.entry("minimum_ties", a -> a[0].minimum(a[1]).mul(a[1])),
      Map.entry("max_all", a -> a[0].max().mul(a[0])),
      Map.entry("min_all_ties", a -> a[0].min().mul(a[0])),
      Map.entry("prod", a -> a[0].prod()),
      Map.entry("norm", a -> a[0].norm()),
      Map.entry("bce_logits", a -> F.binaryCrossEntropyWithLogits(a[0], a[1])),
      Map.entry("view", a -> a[0].view(3, 2).pow(2)),
      Map.entry("split", a -> weightedCubes(a[0].split(2, 1))),
      Map.entry("split_sizes", a -> a[0].split(new int[] {1, 3}, 0).get(1).pow(3)),
      Map.entry("unbind", a -> weightedCubes(a[0].unbind(1))),
      Map.entry("flatten", a -> a[0].flatten(1, 2).pow(2)),
      Map.entry("unsqueeze", a -> a[0].unsqueeze(1).pow(2)),
      Map.entry("squeeze_dim", a -> a[0].reshape(2, 1, 3).squeeze(1).pow(2)),
      Map.entry("squeeze_all", a -> a[0].reshape(1, 2, 1, 3).squeeze().pow(2)),
      Map.entry("expand", a -> a[0].expand(2, 3).pow(2)),
      Map.entry("clone", a -> a[0].clone().pow(2)),
      Map.entry("flip", a -> a[0].flip(1).pow(2).mul(a[0])),
      Map.entry("roll", a -> a[0].roll(new int[] {1}, new int[] {1}).pow(2).mul(a[0])),
      Map.entry("diagonal", a -> a[0].diagonal(0, 0, 1).pow(3)),
      Map.entry("repeat", a -> a[0].repeat(2, 1).pow(3)),
      Map.entry("tile", a -> a[0].tile(2).pow(3)),
      Map.entry("cat", a -> Tensor.cat(List.of(a[0], a[1]), 1).pow(3)),
      Map.entry("stack", a -> Tensor.stack(List.of(a[0], a[1]), 0).pow(3)),
      Map.entry("gather", a -> a[0].gather(1, idx()).pow(3)),
      Map.entry("scatter", a -> a[0].scatter(1, idxUnique(), a[1]).pow(3)),
      Map.entry("scatter_value", a -> a[0].scatter(1, idxUnique(), 0.5).pow(3)),
      Map.entry("scatter_add", a -> a[0].scatterAdd(1, idx(), a[1]).pow(3)),
      Map.entry("index", a -> a[0].index(Tensor.indices(2, 0, 2)).pow(3)),
      Map.entry("index_multi", a -> a[0].index(Tensor.indices(0, 1), Tensor.indices(2, 0)).pow(3)),
      Map.entry("index_put", a -> a[0].indexPut(new Tensor[] {Tensor.indices(2, 0)}, a[1], false).pow(3)),
      Map.entry("index_put_acc", a -> a[0].indexPut(new Tensor[] {Tensor.indices(2, 2)}, a[1], true).pow(3)),
      Map.entry("masked_fill", a -> a[0].maskedFill(mask(), 0.3).pow(3)),
      Map.entry("index_select", a -> a[0].indexSelect(1, Tensor.indices(2, 0, 2)).pow(3)),
      Map.entry("masked_select", a -> a[0].maskedSelect(mask()).pow(3)),
      Map.entry("sort", a -> a[0].sort(1, false).values().pow(3).mul(Tensor.arange(1, 4, 1).to(a[0].dtype()))),
      Map.entry("topk", a -> a[0].topk(2).values().pow(3)),
      Map.entry("clamp_min", a -> a[0].clampMin(-0.3).mul(a[0])),
      Map.entry("clamp_max", a -> a[0].clampMax(0.3).mul(a[0])),
      Map.entry("pow_tensor", a -> a[0].pow(a[1])),
      Map.entry("pow_scalar_base", a -> Tensor.pow(2.0, a[0])),
      Map.entry("amax", a -> a[0].amax(new int[] {1}, false).pow(2)),
      Map.entry("amin_keep", a -> a[0].amin(new int[] {0, 1}, true).mul(a[0])),
      Map.entry("cumprod", a -> a[0].cumprod(1)),
      Map.entry("prod_dim", a -> a[0].prod(1)),
      Map.entry("prod_dim_keep", a -> a[0].prod(0, true).mul(2)),
      // double_backward_zeros.json: cumprod and prod at inputs with zeros (PyTorch's products of the other elements)
      Map.entry("cumprod_zeros", a -> a[0].cumprod(1)),
      Map.entry("cumprod_all_zeros", a -> a[0].cumprod(0)),
      Map.entry("cumprod_zeros_dim0", a -> a[0].cumprod(0).mul(a[0])),
      Map.entry("prod_zeros", a -> a[0].prod()),
      Map.entry("prod_dim_zeros", a -> a[0].prod(1)),
      Map.entry("prod_dim_keep_zeros", a -> a[0].prod(0, true).mul(2)),
      Map.entry("norm_p3", a -> a[0].norm(3.0)),
      Map.entry("norm_p1", a -> a[0].norm(1.0).mul(a[0])),
      Map.entry("conv2d", a -> F.conv2d(a[0], a[1], a[2], new int[] {1}, new int[] {1}, new int[] {1}, 1).pow(2)),
      Map.entry("conv2d_plain", a -> F.conv2d(a[0], a[1], a[2]).pow(2)),
      Map.entry("conv2d_groups", a -> F.conv2d(a[0], a[1], null, new int[] {2}, new int[] {1}, new int[] {1}, 2)
          .pow(2)),
      Map.entry("conv2d_same", a -> F.conv2d(a[0], a[1], null, new int[] {1}, "same", new int[] {2}, 1).pow(2)),
      Map.entry("conv_transpose2d", a -> F.convTranspose2d(a[0], a[1], a[2], new int[] {2}, new int[] {1},
          new int[] {1}, 1, new int[] {1}).pow(2)),
      Map.entry("conv_transpose1d_groups", a -> F.convTranspose1d(a[0], a[1], null, new int[] {1}, new int[] {1},
          new int[] {0}, 2, new int[] {2}).pow(2)),
      Map.entry("conv1d", a -> F.conv1d(a[0], a[1], a[2], new int[] {1}, new int[] {1}, new int[] {1}, 1).pow(2)),
      Map.entry("conv1d_same", a -> F.conv1d(a[0], a[1], null, new int[] {1}, "same", new int[] {1}, 1).pow(2)),
      Map.entry("max_pool2d", a -> F.maxPool2d(a[0], 2).pow(2)),
      Map.entry("max_pool2d_overlap", a -> F.maxPool2d(a[0], new int[] {3}, new int[] {1}, new int[] {1},
          new int[] {1}, false).pow(2)),
      Map.entry("avg_pool2d", a -> F.avgPool2d(a[0], 2).pow(2)),
      Map.entry("adaptive_avg_pool2d", a -> F.adaptiveAvgPool2d(a[0], new int[] {2, 2}).pow(2)),
      Map.entry("batch_norm", a -> F.batchNorm(a[0], null, null, a[1], a[2], true, 0.1, 1e-5)),
      Map.entry("batch_norm_2d", a -> F.batchNorm(a[0], null, null, a[1], a[2], true, 0.1, 1e-5).pow(2)),
      Map.entry("batch_norm_eval", a -> F.batchNorm(a[0], Tensor.of(0.1f, -0.2f, 0.3f).to(a[0].dtype()),
          Tensor.of(0.5f, 1.5f, 2f).to(a[0].dtype()),
          a[1], a[2], false, 0.1, 1e-5).pow(2)),
      Map.entry("layer_norm", a -> F.layerNorm(a[0], new int[] {4}, a[1], a[2], 1e-5)),
      Map.entry("group_norm", a -> F.groupNorm(a[0], 2, a[1], a[2], 1e-5)),
      Map.entry("embedding", a -> F.embedding(Tensor.of(Tensor.DType.INT64, new double[][] {{0, 2}, {1, 2}}), a[0], 1)
          .pow(3)),
      Map.entry("gelu", a -> F.gelu(a[0])),
      Map.entry("gelu_tanh", a -> F.gelu(a[0], "tanh")),
      Map.entry("l1_loss", a -> F.l1Loss(a[0], a[1]).mul(a[0])),
      Map.entry("smooth_l1_loss", a -> F.smoothL1Loss(a[0], a[1], "sum", 0.8)),
      Map.entry("huber_loss", a -> F.huberLoss(a[0], a[1], "mean", 0.8)),
      Map.entry("kl_div", a -> F.klDiv(a[0], a[1], "batchmean", false)),
      Map.entry("kl_div_log", a -> F.klDiv(a[0], a[1], "sum", true)),
      Map.entry("bce", a -> F.binaryCrossEntropy(a[0], bceTarget().to(a[0].dtype()))),
      Map.entry("bce_weight", a -> F.binaryCrossEntropy(a[0], bceTarget().to(a[0].dtype()),
          Tensor.of(new float[][] {{0.5f, 2f, 1f}, {1.5f, 1f, 0.25f}}).to(a[0].dtype()), "sum")),
      Map.entry("cross_entropy_weight_smooth", a -> F.crossEntropy(a[0], Tensor.indices(0, 3, -100, 1),
          Tensor.of(0.5f, 1f, 2f, 1.5f).to(a[0].dtype()), -100, "mean", 0.1)),
      Map.entry("cross_entropy_probs", a -> F.crossEntropy(a[0], a[1], null, -100, "mean", 0.2)),
      Map.entry("nll_loss_weight", a -> F.nllLoss(a[0].tanh(), Tensor.indices(1, 0, 2), Tensor.of(0.5f, 1f, 2f).to(a[0].dtype()), -100,
          "sum")),
      // the linear algebra, in float64 (symmetric inputs built inside, as the decompositions read one triangle)
      Map.entry("cholesky", a -> Linalg.cholesky(spd(a[0]))),
      Map.entry("cholesky_batched", a -> Linalg.cholesky(spd(a[0]))),
      Map.entry("cholesky_solve", a -> Linalg.choleskySolve(a[0], Linalg.cholesky(spd(a[1])))),
      Map.entry("cholesky_solve_tril", a -> Linalg.choleskySolve(a[0], a[1].mul(tril(3)).add(eye(3).mul(3)))),
      Map.entry("solve_triangular_upper", a -> Linalg.solveTriangular(a[0].add(eye(3).mul(3)), a[1], true)),
      Map.entry("solve_triangular_lower_batched", a -> Linalg.solveTriangular(a[0].add(eye(3).mul(3)), a[1], false)),
      Map.entry("slogdet", a -> Linalg.slogdet(a[0].add(eye(3).mul(2))).logabsdet()),
      Map.entry("slogdet_batched", a -> Linalg.slogdet(a[0].add(eye(3).mul(2))).logabsdet()),
      Map.entry("eigvalsh", a -> Linalg.eigvalsh(sym(a[0]))),
      Map.entry("eigvalsh_batched", a -> Linalg.eigvalsh(sym(a[0]))),
      Map.entry("eigh", a -> {
        Linalg.Eigh e = Linalg.eigh(sym(a[0]));
        return flat(e.eigenvalues(), e.eigenvectors().pow(2));
      }),
      Map.entry("eigh_vectors_batched", a -> Linalg.eigh(sym(a[0])).eigenvectors().pow(2)),
      Map.entry("svdvals", a -> Linalg.svdvals(a[0])),
      Map.entry("svdvals_batched_tall", a -> Linalg.svdvals(a[0])),
      Map.entry("svd_square", a -> svdAll(a[0])),
      Map.entry("svd_tall", a -> svdAll(a[0])),
      Map.entry("svd_wide", a -> svdAll(a[0])),
      Map.entry("svd_polar", a -> {
        Linalg.Svd f = Linalg.svd(a[0]);
        return f.u().matmul(f.vh());
      }),
      Map.entry("svd_batched", a -> svdAll(a[0])),
      Map.entry("qr_square", a -> qrAll(a[0])),
      Map.entry("qr_tall", a -> qrAll(a[0])),
      Map.entry("qr_wide", a -> qrAll(a[0])),
      Map.entry("qr_batched", a -> qrAll(a[0])),
      Map.entry("inv", a -> Linalg.inv(a[0].add(eye(3).mul(2)))),
      Map.entry("inv_batched", a -> Linalg.inv(a[0].add(eye(3).mul(2)))),
      Map.entry("det", a -> Linalg.det(a[0])),
      Map.entry("det_batched", a -> Linalg.det(a[0])),
      Map.entry("logdet", a -> Linalg.logdet(spd(a[0]))),
      Map.entry("solve", a -> Linalg.solve(a[0].add(eye(3).mul(2)), a[1])),
      Map.entry("solve_vector", a -> Linalg.solve(a[0].add(eye(3).mul(2)), a[1])),
      Map.entry("solve_batched", a -> Linalg.solve(a[0].add(eye(3).mul(2)), a[1])),
      Map.entry("lstsq", a -> Linalg.lstsq(a[0], a[1])),
      Map.entry("pinv", a -> Linalg.pinv(a[0])),
      Map.entry("pinv_wide", a -> Linalg.pinv(a[0])),
      Map.entry("matrix_norm_nuc", a -> Linalg.matrixNorm(a[0], "nuc")),
      Map.entry("matrix_norm_2", a -> Linalg.matrixNorm(a[0], "2")),
      Map.entry("as_strided", a -> a[0].asStrided(new int[] {2, 2}, new int[] {1, 2}, 1).pow(3)),
      Map.entry("as_strided_overlap", a -> a[0].asStrided(new int[] {3, 2}, new int[] {1, 1}, 0).pow(3)),
      Map.entry("matmul_batched", a -> a[0].matmul(a[1])),
      Map.entry("matmul_broadcast", a -> a[0].matmul(a[1])),
      Map.entry("matmul_vec_mat", a -> a[0].matmul(a[1])),
      Map.entry("matmul_mat_vec", a -> a[0].matmul(a[1])),
      Map.entry("matmul_dot", a -> a[0].matmul(a[1]).pow(2)));

  /** The n×n identity in float64. */
  private static Tensor eye(int n) {
    double[] v = new double[n * n];
    for (int i = 0; i < n; i++) {
      v[i * n + i] = 1;
    }
    return Tensor.wrap(v, n, n);
  }

  /** {@code tril(ones(n, n))} in float64: {@code x.mul(tril(n))} is PyTorch's {@code x.tril()}. */
  private static Tensor tril(int n) {
    double[] v = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        v[i * n + j] = 1;
      }
    }
    return Tensor.wrap(v, n, n);
  }

  /** {@code a aᴴ + n I}: symmetric positive-definite. */
  private static Tensor spd(Tensor a) {
    int n = a.size(-1);
    return a.matmul(a.transpose(-2, -1)).add(eye(n).mul(n));
  }

  private static Tensor sym(Tensor a) {
    return a.add(a.transpose(-2, -1));
  }

  /** The tensors flattened and concatenated (torch.cat of reshape(-1)). */
  private static Tensor flat(Tensor... ts) {
    List<Tensor> l = new ArrayList<>();
    for (Tensor t : ts) {
      l.add(t.reshape(-1));
    }
    return Tensor.cat(l, 0);
  }

  /** U², S and Vh² of the thin SVD, flattened: invariant under the singular vectors' signs. */
  private static Tensor svdAll(Tensor a) {
    Linalg.Svd f = Linalg.svd(a);
    return flat(f.u().pow(2), f.s(), f.vh().pow(2));
  }

  private static Tensor qrAll(Tensor a) {
    Linalg.Qr f = Linalg.qr(a);
    return flat(f.q(), f.r());
  }

  /** {@code sum_k (k + 1) * sum(p_k^3)} over the pieces. */
  private static Tensor weightedCubes(List<Tensor> pieces) {
    Tensor s = null;
    for (int k = 0; k < pieces.size(); k++) {
      Tensor t = pieces.get(k).pow(3).sum().mul(k + 1);
      s = s == null ? t : s.add(t);
    }
    return s;
  }

  private static Tensor idx() {
    return Tensor.of(Tensor.DType.INT64, new double[][] {{0, 2}, {1, 1}});
  }

  private static Tensor idxUnique() {
    return Tensor.of(Tensor.DType.INT64, new double[][] {{0, 2}, {1, 0}});
  }

  private static Tensor mask() {
    return Tensor.of(Tensor.DType.BOOL, new double[][] {{1, 0, 1}, {0, 0, 1}});
  }

  private static Tensor bceTarget() {
    return Tensor.of(new float[][] {{0.2f, 0.9f, 0.5f}, {1f, 0f, 0.3f}});
  }

  /**
   * The cases of double_backward.json, of double_backward_gaps.json (the first-week functions) and of
   * double_backward_zeros.json (cumprod and prod at zeros).
   */
  private static JsonObject goldens() {
    JsonObject all = read("/goldens/double_backward.json");
    read("/goldens/double_backward_gaps.json").entrySet().forEach(e -> all.add(e.getKey(), e.getValue()));
    read("/goldens/double_backward_zeros.json").entrySet().forEach(e -> all.add(e.getKey(), e.getValue()));
    return all;
  }

  /**
   * {@code prod()} of an input with two zeros: the gradient is zero, but the Hessian is not — entry (i, j) for the
   * two zeros is the product of the other elements. PyTorch 1.13 returns a constant zero gradient there (no second
   * derivative; PyTorch 2 corrected it), so this case is checked by its formula instead of a golden.
   */
  @org.junit.jupiter.api.Test
  void prodWithTwoZerosHasTheSecondDerivativeOfItsProduct() {
    Tensor x = Tensor.of(0f, 2f, 0f, 3f).requiresGrad(true);
    Tensor g = Autograd.grad(new Tensor[] {x.prod()}, new Tensor[] {x}, null, true)[0];
    assertEquals(0, g.abs().sum().itemDouble(), 0, "the gradient of a product with two zeros");
    Tensor v = Tensor.of(0.5f, -1f, 2f, 0.25f);
    Tensor hv = Autograd.grad(new Tensor[] {g}, new Tensor[] {x}, new Tensor[] {v}, false, false, true)[0];
    // only H[0][2] = H[2][0] = 2·3 is nonzero: H·v = (6·2, 0, 6·0.5, 0)
    org.junit.jupiter.api.Assertions.assertArrayEquals(new double[] {12, 0, 3, 0}, hv.toDoubleArray(), 1e-6);
  }

  private static JsonObject read(String resource) {
    try (var in = DoubleBackwardGoldenTest.class.getResourceAsStream(resource)) {
      return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Stream<Arguments> cases() {
    return goldens().entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue().getAsJsonObject()));
  }

  private static Tensor tensor(JsonElement e) {
    JsonObject o = e.getAsJsonObject();
    JsonArray s = o.getAsJsonArray("shape");
    int[] shape = new int[s.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = s.get(i).getAsInt();
    }
    JsonArray d = o.getAsJsonArray("data");
    if (o.has("dtype") && o.get("dtype").getAsString().equals("float64")) {
      double[] v = new double[d.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = d.get(i).getAsDouble();
      }
      return Tensor.wrap(v, shape);
    }
    float[] v = new float[d.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) d.get(i).getAsDouble();
    }
    return Tensor.wrap(v, shape);
  }

  private static Tensor[] tensors(JsonArray a) {
    Tensor[] t = new Tensor[a.size()];
    for (int i = 0; i < t.length; i++) {
      t[i] = a.get(i).isJsonNull() ? null : tensor(a.get(i));
    }
    return t;
  }

  private static void close(String what, Tensor expected, Tensor actual, double rel, double abs) {
    assertNotNull(actual, what);
    assertEquals(expected.dtype(), actual.dtype(), what + " dtype");
    double[] e = expected.toDoubleArray();
    double[] a = actual.toDoubleArray();
    assertEquals(e.length, a.length, what);
    for (int i = 0; i < e.length; i++) {
      assertEquals(e[i], a[i], abs + rel * Math.abs(e[i]), what + " element " + i);
    }
  }

  /** Cases whose inputs sit on a kink (ties of max/min/maximum): finite differences cannot check them there. */
  private static final java.util.Set<String> KINKED = java.util.Set.of("minimum_ties", "min_all_ties");

  /**
   * The same recorded formulas in float64, by PyTorch's gradgradcheck (central differences of the first gradient
   * against the second, at the golden inputs widened to double): the formulas' helpers keep the dtype.
   */
  static Stream<Arguments> smoothCases() {
    return cases().filter(a -> !KINKED.contains((String) a.get()[0]));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("smoothCases")
  void doubleBackwardInFloat64PassesGradgradcheck(String name, JsonObject c) {
    Tensor[] inputs = tensors(c.getAsJsonArray("inputs"));
    Tensor[] xs = new Tensor[inputs.length];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = inputs[i].toDouble().requiresGrad(true);
    }
    assertTrue(Autograd.gradgradcheck(OPS.get(name), xs), name);
  }

  /** The first gradient of {@code op} at {@code xs}, weighted by c, recorded or not. */
  private static Tensor[] firstGrad(Function<Tensor[], Tensor> op, Tensor[] xs, Tensor c, boolean createGraph) {
    Tensor y = op.apply(xs);
    return Autograd.grad(new Tensor[] {y}, xs, new Tensor[] {c}, createGraph, createGraph, true);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void doubleBackwardMatchesPyTorchAndCentralDifferences(String name, JsonObject c) {
    Function<Tensor[], Tensor> op = OPS.get(name);
    assertNotNull(op, "no Java form of golden case " + name);
    Tensor[] inputs = tensors(c.getAsJsonArray("inputs"));
    Tensor[] xs = new Tensor[inputs.length];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = inputs[i].copy().requiresGrad(true);
    }
    Tensor up = tensor(c.get("c"));
    Tensor[] v = tensors(c.getAsJsonArray("v"));
    Tensor[] grad = firstGrad(op, xs, up, true);
    Tensor[] expectedGrad = tensors(c.getAsJsonArray("grad"));
    List<Tensor> outs = new ArrayList<>();
    List<Tensor> dirs = new ArrayList<>();
    for (int i = 0; i < xs.length; i++) {
      close(name + " grad " + i, expectedGrad[i], grad[i], 1e-5, 1e-5);
      if (grad[i].requiresGrad()) {
        outs.add(grad[i]);
        dirs.add(v[i]);
      }
    }
    Tensor[] expectedSecond = tensors(c.getAsJsonArray("second"));
    Tensor[] second = outs.isEmpty() ? new Tensor[xs.length]
        : Autograd.grad(outs.toArray(new Tensor[0]), xs, dirs.toArray(new Tensor[0]), false, false, true);
    for (int i = 0; i < xs.length; i++) {
      if (expectedSecond[i] == null) {
        assertTrue(second[i] == null || second[i].abs().sum().itemDouble() == 0, name + ": PyTorch has no dependence");
        continue;
      }
      close(name + " second " + i, expectedSecond[i], second[i], 1e-5, 1e-5);
    }
    // central differences of the first gradient along the inputs in turn: d/de <v, grad(x + e*u_j)> ...
    // summed over directions v_j: sum_j second_j . u_j  ==  d/de <v, grad(x + e*u)> with u the all-inputs
    // perturbation, checked as one scalar
    Tensor[] u = new Tensor[xs.length];
    double predicted = 0;
    for (int i = 0; i < xs.length; i++) {
      u[i] = inputs[i].mul(0.37).add(0.11);
      if (second[i] != null) {
        predicted += second[i].mul(u[i]).sum().itemDouble();
      }
    }
    // float32: a difference of gradients rounded to 1e-7 relative; float64 (the linear algebra): exact to rounding
    boolean f64 = inputs[0].dtype() == Tensor.DType.FLOAT64;
    double eps = f64 ? 1e-5 : 1e-2;
    double fPlus = dotWithV(op, inputs, u, eps, up, v, grad);
    double fMinus = dotWithV(op, inputs, u, -eps, up, v, grad);
    double fd = (fPlus - fMinus) / (2 * eps);
    assertEquals(predicted, fd, (f64 ? 1e-6 : 2e-2) * Math.max(1, Math.abs(predicted)), name + ": central differences");
  }

  /** {@code sum_i <v_i, grad_i(x + h u)>} over the inputs whose gradient depends on x. */
  private static double dotWithV(Function<Tensor[], Tensor> op, Tensor[] inputs, Tensor[] u, double h, Tensor c,
      Tensor[] v, Tensor[] recorded) {
    Tensor[] xs = new Tensor[inputs.length];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = inputs[i].add(u[i].mul(h)).requiresGrad(true);
    }
    Tensor[] g = firstGrad(op, xs, c, false);
    double s = 0;
    for (int i = 0; i < xs.length; i++) {
      if (recorded[i].requiresGrad()) {
        s += g[i].mul(v[i]).sum().itemDouble();
      }
    }
    return s;
  }
}
