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
          a -> linear(a, x -> ((Tensor) x[0]).roll((int[]) x[1], (int[]) x[2])), "roll", "roll_two", "roll_flat"));

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
