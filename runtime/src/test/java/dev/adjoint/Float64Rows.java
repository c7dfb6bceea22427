package dev.adjoint;

import java.util.Set;

/**
 * The {@code @Primitive} rows whose gradients are checked in float64 ({@code Float64Test}: gradcheck and
 * PyTorch float64 goldens) rather than in {@link RuleGradientTest}'s float32 table.
 */
final class Float64Rows {
  private Float64Rows() {}

  static final Set<String> CHECKED_THERE = Set.of("to(DType)");
}
