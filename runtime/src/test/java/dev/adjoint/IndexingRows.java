package dev.adjoint;

import static dev.adjoint.RuleGradientTest.TOL;
import static dev.adjoint.RuleGradientTest.row;

import dev.adjoint.RuleGradientTest.Args;
import dev.adjoint.RuleGradientTest.Domain;
import dev.adjoint.RuleGradientTest.RuleSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * {@link RuleGradientTest}'s rows for issue 13's indexing operations and repeat/tile/flip/roll (goldens in
 * {@code goldens/indexing.json}, written by {@code indexing_goldens.py}).
 *
 * <p>These operations are linear in their float inputs (and {@code double} parameters) once the index
 * tensors and masks are fixed, so their double reference is {@link #linear}: the operation applied to each
 * unit input (exact in float: it only moves, and sums a few, zeros and ones) and the results combined with
 * the reference's double values. That reference shares the operation's index arithmetic but not its
 * arithmetic on values, which is what central differences and the inner-product identity then check.
 */
final class IndexingRows {
  private IndexingRows() {}

  static final List<RuleSpec> TABLE = List.of(
      row("index(Tensor[])", 2, Domain.ANY, TOL, a -> linear(a, x -> ((Tensor) x[0]).index((Tensor[]) x[1])),
          "index_cols", "index_two", "index_bcast", "index_split", "index_middle", "index_mask_list",
          "index_mask_rows", "index_mask_cols"),
      row("index(Tensor)", 2, Domain.ANY, TOL, a -> linear(a, x -> ((Tensor) x[0]).index((Tensor) x[1])),
          "index_mask_one"),
      row("indexPut(Tensor[],Tensor,boolean)", 4, Domain.ANY, TOL,
          a -> linear(a, x -> ((Tensor) x[0]).indexPut((Tensor[]) x[1], (Tensor) x[2], (Boolean) x[3])),
          "index_put", "index_put_bcast", "index_put_acc", "index_put_mask"),
      row("gather(int,Tensor)", 3, Domain.ANY, TOL,
          a -> linear(a, x -> ((Tensor) x[0]).gather((Integer) x[1], (Tensor) x[2])),
          "gather_dim1", "gather_dim0", "gather_3d_neg"),
      row("scatter(int,Tensor,Tensor)", 4, Domain.ANY, TOL,
          a -> linear(a, x -> ((Tensor) x[0]).scatter((Integer) x[1], (Tensor) x[2], (Tensor) x[3])),
          "scatter_dim1", "scatter_dim0"),
      row("scatter(int,Tensor,double)", 4, Domain.ANY, TOL,
          a -> linear(a, x -> ((Tensor) x[0]).scatter((Integer) x[1], (Tensor) x[2], (Double) x[3])),
          "scatter_value"),
      row("scatterAdd(int,Tensor,Tensor)", 4, Domain.ANY, TOL,
          a -> linear(a, x -> ((Tensor) x[0]).scatterAdd((Integer) x[1], (Tensor) x[2], (Tensor) x[3])),
          "scatter_add_dim0", "scatter_add_3d"),
      row("indexSelect(int,Tensor)", 3, Domain.ANY, TOL,
          a -> linear(a, x -> ((Tensor) x[0]).indexSelect((Integer) x[1], (Tensor) x[2])),
          "index_select_dim1", "index_select_dim0"),
      row("maskedFill(Tensor,double)", 3, Domain.ANY, TOL,
          a -> linear(a, x -> ((Tensor) x[0]).maskedFill((Tensor) x[1], (Double) x[2])),
          "masked_fill", "masked_fill_bcast"),
      row("maskedSelect(Tensor)", 2, Domain.ANY, TOL, a -> linear(a, x -> ((Tensor) x[0]).maskedSelect((Tensor) x[1])),
          "masked_select", "masked_select_bcast"),
      row("where(Tensor,Tensor,Tensor)", 3, Domain.ANY, TOL,
          a -> linear(a, x -> Tensor.where((Tensor) x[0], (Tensor) x[1], (Tensor) x[2])), "where", "where_bcast"),
      row("where(Tensor,Tensor,double)", 3, Domain.ANY, TOL,
          a -> linear(a, x -> Tensor.where((Tensor) x[0], (Tensor) x[1], (Double) x[2])), "where_scalar_other"),
      row("where(Tensor,double,Tensor)", 3, Domain.ANY, TOL,
          a -> linear(a, x -> Tensor.where((Tensor) x[0], (Double) x[1], (Tensor) x[2])), "where_scalar_self"),
      row("repeat(int[])", 2, Domain.ANY, TOL, a -> linear(a, x -> ((Tensor) x[0]).repeat((int[]) x[1])),
          "repeat", "repeat_new_dims"),
      row("tile(int[])", 2, Domain.ANY, TOL, a -> linear(a, x -> ((Tensor) x[0]).tile((int[]) x[1])), "tile", "tile_more"),
      row("flip(int[])", 2, Domain.ANY, TOL, a -> linear(a, x -> ((Tensor) x[0]).flip((int[]) x[1])), "flip", "flip_two"),
      row("roll(int[],int[])", 3, Domain.ANY, TOL,
          a -> linear(a, x -> ((Tensor) x[0]).roll((int[]) x[1], (int[]) x[2])), "roll", "roll_two", "roll_flat"),
      // ---- the class losses in full
      row("F.nllLoss(Tensor,Tensor,Tensor,int,String)", 5, Domain.ANY, TOL, a -> classLoss(a, false),
          "nll_full_mean", "nll_full_none_ignore", "nll_full_sum_noweight", "nll_full_3d_mean", "nll_full_4d_none",
          "nll_full_3d_none", "nll_full_1d"),
      row("F.crossEntropy(Tensor,Tensor,Tensor,int,String,double)", 6, Domain.ANY, TOL, a -> classLoss(a, true),
          "ce_full_weight_mean", "ce_full_ignore_none", "ce_full_sum", "ce_full_smooth_mean",
          "ce_full_smooth_weight_ignore", "ce_full_smooth_none", "ce_full_smooth_sum", "ce_full_3d",
          "ce_full_4d_smooth", "ce_full_1d"),
      row("F.crossEntropy(Tensor,Tensor,Tensor,int,String,double)", 6, Domain.PROBS_TARGET, TOL,
          a -> classLoss(a, true), "ce_prob_mean", "ce_prob_weight_none", "ce_prob_smooth_sum"));

  /**
   * The double reference of {@code nllLoss} / {@code crossEntropy} (weight, ignoreIndex, reduction, label
   * smoothing, class or probability targets), written from PyTorch 1.13's definitions independently of
   * {@code ClassLossRules}.
   */
  static DRef classLoss(Args a, boolean crossEntropy) {
    DRef x = a.d(0);
    int[] sh = x.shape;
    int cd = sh.length == 1 ? 0 : 1;
    int classes = sh[cd];
    int samples = sh.length == 1 ? 1 : sh[0];
    int positions = 1;
    for (int d = 2; d < sh.length; d++) {
      positions *= sh[d];
    }
    double[] w = a.ref[2] == null ? null : a.d(2).v;
    int ignore = a.i(3);
    String reduction = a.str(4);
    double eps = crossEntropy ? a.s(5) : 0;
    double[] lp = x.v.clone();
    if (crossEntropy) {
      for (int n = 0; n < samples; n++) {
        for (int s = 0; s < positions; s++) {
          double max = Double.NEGATIVE_INFINITY;
          for (int c = 0; c < classes; c++) {
            max = Math.max(max, x.v[(n * classes + c) * positions + s]);
          }
          double sum = 0;
          for (int c = 0; c < classes; c++) {
            sum += Math.exp(x.v[(n * classes + c) * positions + s] - max);
          }
          for (int c = 0; c < classes; c++) {
            int at = (n * classes + c) * positions + s;
            lp[at] = x.v[at] - max - Math.log(sum);
          }
        }
      }
    }
    Tensor target = (Tensor) a.java[1];
    boolean probabilities = target.dtype() == Tensor.DType.FLOAT32;
    double[] t = probabilities ? a.d(1).v : null;
    float[] cls = probabilities ? null : target.toFloatArray();
    int elements = samples * positions;
    double[] loss = new double[elements];
    double total = 0;
    double nllSum = 0;
    double smoothSum = 0;
    double weightSum = 0;
    for (int n = 0; n < samples; n++) {
      for (int s = 0; s < positions; s++) {
        int i = n * positions + s;
        if (probabilities) {
          for (int c = 0; c < classes; c++) {
            int at = (n * classes + c) * positions + s;
            loss[i] -= (w == null ? 1 : w[c]) * ((1 - eps) * t[at] + eps / classes) * lp[at];
          }
        } else if ((int) cls[i] != ignore) {
          int k = (int) cls[i];
          double wk = w == null ? 1 : w[k];
          double nll = -wk * lp[(n * classes + k) * positions + s];
          double smooth = 0;
          for (int c = 0; c < classes; c++) {
            smooth -= (w == null ? 1 : w[c]) * lp[(n * classes + c) * positions + s];
          }
          loss[i] = (1 - eps) * nll + eps / classes * smooth;
          nllSum += nll;
          smoothSum += smooth;
          weightSum += wk;
        }
        total += loss[i];
      }
    }
    int[] outShape = new int[Math.max(0, sh.length - 1)];
    if (sh.length > 1) {
      outShape[0] = samples;
      System.arraycopy(sh, 2, outShape, 1, sh.length - 2);
    }
    return switch (reduction) {
      case "none" -> new DRef(loss, outShape);
      case "sum" -> DRef.scalar(total);
      default -> DRef.scalar(probabilities ? total / elements
          : (1 - eps) * nllSum / weightSum + eps / classes * smoothSum / (w == null ? elements : weightSum));
    };
  }

  /**
   * The double reference of an operation {@code f} that is linear in its float tensors and doubles (the
   * slots of {@link Args#slots()}): {@code f(x) = Σ x_k f(e_k)} over the unit inputs {@code e_k}, each
   * evaluated in float (exact for unit inputs) and combined in double.
   */
  static DRef linear(Args a, Function<Object[], Tensor> f) {
    List<double[]> values = a.slots();
    Object[] zero = a.java.clone();
    List<int[]> where = new ArrayList<>(); // (argument, list element or -1) per slot
    for (int i = 0; i < zero.length; i++) {
      if (zero[i] instanceof Tensor t && t.dtype() == Tensor.DType.FLOAT32) {
        zero[i] = Tensor.zeros(t.shape());
        where.add(new int[] {i, -1});
      } else if (zero[i] instanceof Double) {
        zero[i] = 0.0;
        where.add(new int[] {i, -1});
      }
    }
    Tensor base = f.apply(zero);
    double[] out = new double[base.numel()];
    float[] b = base.toFloatArray();
    for (int o = 0; o < out.length; o++) {
      out[o] = b[o];
    }
    for (int s = 0; s < values.size(); s++) {
      int arg = where.get(s)[0];
      for (int j = 0; j < values.get(s).length; j++) {
        Object[] unit = zero.clone();
        if (zero[arg] instanceof Tensor t) {
          float[] e = new float[t.numel()];
          e[j] = 1;
          unit[arg] = Tensor.wrap(e, t.shape());
        } else {
          unit[arg] = 1.0;
        }
        float[] r = f.apply(unit).toFloatArray();
        double x = values.get(s)[j];
        for (int o = 0; o < out.length; o++) {
          out[o] += x * (r[o] - b[o]);
        }
      }
    }
    return new DRef(out, base.shape());
  }
}
