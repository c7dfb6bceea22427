package dev.adjoint.corpus;

import dev.adjoint.Tensor;
import dev.adjoint.annotation.Differentiable;
import dev.adjoint.nn.F;

/**
 * Issue 13's indexing operations, repeat/tile/flip/roll and the class losses inside {@code @Differentiable}
 * methods: index tensors and masks are non-differentiable inputs (INT64 and BOOL constants here, a comparison
 * mask computed in the body), and the processor calls the same adjoints as the eager rows.
 */
final class IndexingCorpus {
  private IndexingCorpus() {}

  static final Tensor ROWS = Tensor.indices(2, 0, 2, 1);
  static final Tensor PICK = Tensor.indices(3, 1);
  static final Tensor COLS = Tensor.wrap(new float[] {0, 3, 1, 2, 2, 0}, new int[] {3, 2}, Tensor.DType.INT64);
  static final Tensor[] ROWS_AND_PICK = {Tensor.indices(2, 0), Tensor.indices(3, 1)};
  static final Tensor[] ALL_THEN_PICK = {null, Tensor.indices(3, 1)};
  static final Tensor TARGET = Tensor.indices(2, 0, 1);
  static final int[] TWICE = {2, 1};
  static final int[] LAST = {1};

  @Differentiable
  static Tensor gatherScatter(Tensor x, Tensor src) {
    Tensor a = x.gather(1, COLS).mul(src);
    Tensor b = x.scatter(1, COLS, src.mul(a)).add(x.scatterAdd(1, COLS, a));
    Tensor c = x.indexSelect(1, PICK).sum().add(x.scatter(1, COLS, 0.5).pow(2.0).sum());
    return b.pow(2.0).sum().add(c).add(x.index(ROWS).sum(0).pow(2.0).sum());
  }

  @Differentiable
  static Tensor advancedIndexing(Tensor x, Tensor v) {
    Tensor a = x.index(ROWS_AND_PICK).mul(x.index(ALL_THEN_PICK).sum(0));
    Tensor b = x.indexPut(ROWS_AND_PICK, v.mul(2.0), true);
    return a.sum().add(b.pow(2.0).sum());
  }

  @Differentiable
  static Tensor masks(Tensor x, Tensor y, double value) {
    Tensor m = x.gt(y);
    Tensor a = Tensor.where(m, x.mul(y), y.exp());
    Tensor b = x.maskedFill(m, value).pow(2.0).add(Tensor.where(m, value, y));
    Tensor c = Tensor.where(m, x, 0.5).mul(x.maskedSelect(m).sum());
    return a.add(b).add(c).sum().add(x.index(m).pow(3.0).sum());
  }

  @Differentiable
  static Tensor movement(Tensor x, Tensor w) {
    Tensor a = x.repeat(TWICE).mul(x.tile(TWICE));
    Tensor b = x.flip(LAST).mul(w).roll(LAST, LAST);
    return a.pow(2.0).sum().add(b.mul(x).sum());
  }

  @Differentiable
  static Tensor classLosses(Tensor logits, Tensor weight, double smoothing) {
    Tensor a = F.crossEntropy(logits, TARGET, weight, 1, "mean", smoothing);
    Tensor b = F.nllLoss(F.logSoftmax(logits, 1), TARGET, weight, -100, "sum");
    return a.add(b.mul(0.5));
  }
}
