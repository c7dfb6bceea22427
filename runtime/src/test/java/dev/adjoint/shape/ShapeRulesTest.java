package dev.adjoint.shape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Tensor;
import dev.adjoint.nn.F;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The shape functions against the eager operations they describe: on constant shapes each gives the shape the
 * operation computes, and an error exactly where the operation throws. Symbols: equations and bindings.
 */
final class ShapeRulesTest {
  private static Object sh(int... s) {
    return SymShape.of(s);
  }

  private static Object l(long v) {
    return v;
  }

  private static long[] ls(long... v) {
    return v;
  }

  /**
   * One row: the key, the arguments to the shape function, and the eager operation. {@code symbolic} is
   * {@code null} when the function must give the eager shape exactly; else it is what the function must give (with
   * {@code _} where the size is data or a value it cannot see), and the eager shape must fit it.
   */
  private record Case(String key, List<Object> args, Supplier<Tensor> eager, String symbolic) {
    Case(String key, List<Object> args, Supplier<Tensor> eager) {
      this(key, args, eager, null);
    }
  }

  private static Tensor longs(int... shape) {
    return Tensor.zeros(shape).to(Tensor.DType.INT64);
  }

  private static ShapeRules.Module module(String type, long... config) {
    List<Long> c = new ArrayList<>();
    for (long v : config) {
      c.add(v);
    }
    return new ShapeRules.Module(type, c);
  }

  /** The rows whose shape functions came with issue 17's last part: int[] arguments and data-dependent sizes. */
  private static List<Case> moreCases() {
    List<Case> c = new ArrayList<>();
    c.add(new Case("Tensor.unflatten", List.of(sh(2, 12), l(1), l(3), l(-1)), () -> t(2, 12).unflatten(1, 3, -1)));
    c.add(new Case("Tensor.unflatten", List.of(sh(2, 12), l(-1), ls(2, 2, 3)), () -> t(2, 12).unflatten(-1, 2, 2, 3)));
    c.add(new Case("Tensor.unflatten", List.of(sh(2, 12), l(1), l(5), l(-1)), () -> t(2, 12).unflatten(1, 5, -1)));
    c.add(new Case("Tensor.unflatten", List.of(sh(2, 12), l(1), l(5), l(2)), () -> t(2, 12).unflatten(1, 5, 2)));
    c.add(new Case("Tensor.diagonal", List.of(sh(3, 4)), () -> t(3, 4).diagonal()));
    c.add(new Case("Tensor.diagonal", List.of(sh(2, 3, 4), l(1), l(1), l(2)), () -> t(2, 3, 4).diagonal(1, 1, 2)));
    c.add(new Case("Tensor.diagonal", List.of(sh(3, 4), l(-2), l(0), l(1)), () -> t(3, 4).diagonal(-2, 0, 1)));
    c.add(new Case("Tensor.diagonal", List.of(sh(3, 4), l(5), l(0), l(1)), () -> t(3, 4).diagonal(5, 0, 1)));
    c.add(new Case("Tensor.diagonal", List.of(sh(3, 4), l(0), l(1), l(-1)), () -> t(3, 4).diagonal(0, 1, -1)));
    c.add(new Case("Tensor.diagonal", List.of(sh(3)), () -> t(3).diagonal()));
    c.add(new Case("Tensor.asStrided", List.of(sh(4, 4), ls(2, 2), ls(1, 2)),
        () -> t(4, 4).asStrided(new int[] {2, 2}, new int[] {1, 2})));
    c.add(new Case("Tensor.asStrided", List.of(sh(4, 4), ls(3), ls(0), l(1)),
        () -> t(4, 4).asStrided(new int[] {3}, new int[] {0}, 1)));
    c.add(new Case("Tensor.index", List.of(sh(5, 3), sh(4)), () -> t(5, 3).index(longs(4)), "[_, 3]"));
    c.add(new Case("Tensor.index", List.of(sh(5, 3), sh(5)), () -> t(5, 3).index(t(5).gt(Tensor.zeros(5))),
        "[_, 3]"));
    c.add(new Case("Tensor.index", List.of(sh(5, 3), sh(2, 2)), () -> t(5, 3).index(longs(2, 2)), "[*]"));
    c.add(new Case("Tensor.indexPut", List.of(sh(5, 3), new Object(), sh(3), false),
        () -> t(5, 3).indexPut(new Tensor[] {longs(2)}, t(3), false)));
    c.add(new Case("Tensor.maskedSelect", List.of(sh(2, 3), sh(2, 3)),
        () -> t(2, 3).maskedSelect(t(2, 3).gt(Tensor.zeros(2, 3))), "[_]"));
    c.add(new Case("Tensor.maskedSelect", List.of(sh(2, 3), sh(3)),
        () -> t(2, 3).maskedSelect(t(3).gt(Tensor.zeros(3))), "[_]"));
    c.add(new Case("Tensor.maskedSelect", List.of(sh(2, 3), sh(4)),
        () -> t(2, 3).maskedSelect(t(4).gt(Tensor.zeros(4)))));
    c.add(new Case("Tensor.repeat", List.of(sh(2, 3), l(2), l(1), l(2)), () -> t(2, 3).repeat(2, 1, 2)));
    c.add(new Case("Tensor.repeat", List.of(sh(2, 3), ls(3, 2)), () -> t(2, 3).repeat(3, 2)));
    c.add(new Case("Tensor.repeat", List.of(sh(2, 3), l(2)), () -> t(2, 3).repeat(2)));
    c.add(new Case("Tensor.tile", List.of(sh(2, 3), l(2)), () -> t(2, 3).tile(2)));
    c.add(new Case("Tensor.tile", List.of(sh(2, 3), ls(2, 1, 1)), () -> t(2, 3).tile(2, 1, 1)));
    c.add(new Case("Tensor.sortValues", List.of(sh(2, 3), l(1), false, sh(2, 3)),
        () -> t(2, 3).sort(1, false, false).values()));
    c.add(new Case("Tensor.sortValues", List.of(sh(2, 3), l(2), false, sh(2, 3)),
        () -> t(2, 3).sort(2, false, false).values()));
    c.add(new Case("Tensor.topkValues", List.of(sh(2, 5), l(-1), sh(2, 2)),
        () -> t(2, 5).topk(2, -1, true, true).values()));
    c.add(new Case("Tensor.unsafeView", List.of(sh(3, 2), l(6)), () -> t(2, 3).t().reshape(6)));
    c.add(new Case("Tensor.unsafeView", List.of(sh(3, 2), ls(-1, 3)), () -> t(2, 3).t().reshape(-1, 3)));
    c.add(new Case("Linalg.svdvals", List.of(sh(3, 5)), () -> dev.adjoint.linalg.Linalg.svdvals(t(3, 5).toDouble())));
    c.add(new Case("Linalg.svdvals", List.of(sh(2, 4, 3)),
        () -> dev.adjoint.linalg.Linalg.svdvals(t(2, 4, 3).toDouble())));
    c.add(new Case("Linalg.svdvals", List.of(sh(3)), () -> dev.adjoint.linalg.Linalg.svdvals(t(3).toDouble())));
    c.add(new Case("Tensor.toDouble", List.of(sh(2, 3)), () -> t(2, 3).toDouble()));
    c.add(new Case("Tensor.toFloat", List.of(sh(2, 3)), () -> t(2, 3).toDouble().toFloat()));
    c.add(new Case("Linalg.pinv", List.of(sh(4, 3)),
        () -> dev.adjoint.linalg.Linalg.pinv(Tensor.eye(4, 3, Tensor.DType.FLOAT64).mul(2))));
    c.add(new Case("Linalg.lstsq", List.of(sh(3, 3), sh(3, 2)), () -> dev.adjoint.linalg.Linalg.lstsq(spd(3),
        t(3, 2).toDouble())));
    c.add(new Case("Linalg.matrixNorm", List.of(sh(2, 3, 4), "nuc"),
        () -> dev.adjoint.linalg.Linalg.matrixNorm(t(2, 3, 4).toDouble(), "nuc")));
    c.add(new Case("Linalg.vectorNorm", List.of(sh(3, 4), 3.0),
        () -> dev.adjoint.linalg.Linalg.vectorNorm(t(3, 4).toDouble(), 3.0)));
    c.add(new Case("F.klDiv", List.of(sh(2, 3), sh(2, 3), "batchmean", false),
        () -> F.klDiv(t(2, 3), t(2, 3), "batchmean", false)));
    c.add(new Case("F.klDiv", List.of(sh(2, 3), sh(2, 3), "none", true),
        () -> F.klDiv(t(2, 3), t(2, 3), "none", true)));
    int[] one = {1};
    c.add(new Case("F.conv1d", List.of(sh(2, 3, 10), sh(4, 3, 3), sh(4), ls(2), ls(1), ls(1), l(1)),
        () -> F.conv1d(t(2, 3, 10), t(4, 3, 3), t(4), new int[] {2}, one, one, 1)));
    c.add(new Case("F.conv1d", List.of(sh(3, 10), sh(4, 3, 3), sh(4), ls(1), "same", ls(2), l(1)),
        () -> F.conv1d(t(3, 10), t(4, 3, 3), t(4), one, "same", new int[] {2}, 1)));
    c.add(new Case("F.conv1d", List.of(sh(2, 6, 10), sh(4, 3, 3), sh(4), ls(1), "valid", ls(1), l(2)),
        () -> F.conv1d(t(2, 6, 10), t(4, 3, 3), t(4), one, "valid", one, 2)));
    c.add(new Case("F.conv1d", List.of(sh(2, 5, 10), sh(4, 3, 3), sh(4), ls(1), ls(0), ls(1), l(1)),
        () -> F.conv1d(t(2, 5, 10), t(4, 3, 3), t(4), one, new int[] {0}, one, 1)));
    c.add(new Case("F.conv1d", List.of(sh(2, 3, 2), sh(4, 3, 3), sh(4), ls(1), ls(0), ls(1), l(1)),
        () -> F.conv1d(t(2, 3, 2), t(4, 3, 3), t(4), one, new int[] {0}, one, 1)));
    c.add(new Case("Conv1d.forward", List.of(module("Conv1d", 3, 4, 3), sh(2, 3, 10)),
        () -> new dev.adjoint.nn.Conv1d(3, 4, 3).forward(t(2, 3, 10))));
    c.add(new Case("Conv1d.forward", List.of(module("Conv1d", 4, 6, 3, 2, 1, 1, 2), sh(2, 4, 9), sh(6, 2, 3), sh(6)),
        () -> new dev.adjoint.nn.Conv1d(4, 6, 3, 2, 1, 1, 2, true, dev.adjoint.Generator.defaultGenerator())
            .forward(t(2, 4, 9))));
    c.add(new Case("Conv1d.forward", List.of(module("Conv1d", 3, 4, 3), sh(2, 5, 10)),
        () -> new dev.adjoint.nn.Conv1d(3, 4, 3).forward(t(2, 5, 10))));
    c.add(new Case("F.maxPool2d", List.of(sh(1, 2, 7, 7), ls(3), ls(2), ls(1), ls(1), false),
        () -> F.maxPool2d(t(1, 2, 7, 7), new int[] {3}, new int[] {2}, one, one, false)));
    c.add(new Case("F.maxPool2d", List.of(sh(2, 8, 7), ls(2, 3), ls(), ls(0), ls(1), true),
        () -> F.maxPool2d(t(2, 8, 7), new int[] {2, 3}, new int[0], new int[] {0}, one, true)));
    c.add(new Case("F.maxPool2d", List.of(sh(1, 2, 7, 7), ls(3), ls(1), ls(0), ls(2), false),
        () -> F.maxPool2d(t(1, 2, 7, 7), new int[] {3}, one, new int[] {0}, new int[] {2}, false)));
    c.add(new Case("F.maxPool2d", List.of(sh(1, 2, 7, 7), ls(2), ls(2), ls(2), ls(1), false),
        () -> F.maxPool2d(t(1, 2, 7, 7), new int[] {2}, new int[] {2}, new int[] {2}, one, false)));
    c.add(new Case("F.maxPool2d", List.of(sh(7, 7), ls(2), ls(2), ls(0), ls(1), false),
        () -> F.maxPool2d(t(7, 7), new int[] {2}, new int[] {2}, new int[] {0}, one, false)));
    c.add(new Case("F.avgPool2d", List.of(sh(1, 2, 7, 7), ls(3), ls(2), ls(1), true, true),
        () -> F.avgPool2d(t(1, 2, 7, 7), new int[] {3}, new int[] {2}, one, true, true)));
    c.add(new Case("F.avgPool2d", List.of(sh(1, 2, 6, 9), ls(2, 3), ls(), ls(0), false, false),
        () -> F.avgPool2d(t(1, 2, 6, 9), new int[] {2, 3}, new int[0], new int[] {0}, false, false)));
    c.add(new Case("F.adaptiveAvgPool2d", List.of(sh(1, 2, 7, 7), ls(3, 2)),
        () -> F.adaptiveAvgPool2d(t(1, 2, 7, 7), new int[] {3, 2})));
    c.add(new Case("F.adaptiveAvgPool2d", List.of(sh(2, 7, 7), ls(4)),
        () -> F.adaptiveAvgPool2d(t(2, 7, 7), new int[] {4})));
    c.add(new Case("F.adaptiveAvgPool2d", List.of(sh(7, 7), ls(4)), () -> F.adaptiveAvgPool2d(t(7, 7), new int[] {4})));
    c.add(new Case("AdaptiveAvgPool2d.forward", List.of(module("AdaptiveAvgPool2d", 3), sh(1, 2, 7, 7)),
        () -> new dev.adjoint.nn.AdaptiveAvgPool2d(3).forward(t(1, 2, 7, 7))));
    return c;
  }

  private static Tensor t(int... shape) {
    return Tensor.ones(shape);
  }

  private static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    c.add(new Case("Tensor.add", List.of(sh(2, 3), sh(3)), () -> t(2, 3).add(t(3))));
    c.add(new Case("Tensor.add", List.of(sh(2, 3), sh(2)), () -> t(2, 3).add(t(2))));
    c.add(new Case("Tensor.mul", List.of(sh(4, 1), sh(1, 5)), () -> t(4, 1).mul(t(1, 5))));
    c.add(new Case("Tensor.sub", List.of(sh(2, 3), 2.0), () -> t(2, 3).sub(2.0)));
    c.add(new Case("Tensor.exp", List.of(sh(2, 3)), () -> t(2, 3).exp()));
    c.add(new Case("Tensor.sum", List.of(sh(2, 3)), () -> t(2, 3).sum()));
    c.add(new Case("Tensor.sum", List.of(sh(2, 3), l(1)), () -> t(2, 3).sum(1)));
    c.add(new Case("Tensor.sum", List.of(sh(2, 3), l(-1), true), () -> t(2, 3).sum(-1, true)));
    c.add(new Case("Tensor.sum", List.of(sh(2, 3), l(2)), () -> t(2, 3).sum(2)));
    c.add(new Case("Tensor.mean", List.of(sh(2, 3), l(0)), () -> t(2, 3).mean(0)));
    c.add(new Case("Tensor.max", List.of(sh(2, 3), l(1), true), () -> t(2, 3).max(1, true)));
    c.add(new Case("Tensor.matmul", List.of(sh(2, 3), sh(3, 4)), () -> t(2, 3).matmul(t(3, 4))));
    c.add(new Case("Tensor.matmul", List.of(sh(2, 3), sh(4, 4)), () -> t(2, 3).matmul(t(4, 4))));
    c.add(new Case("Tensor.matmul", List.of(sh(3), sh(3)), () -> t(3).matmul(t(3))));
    c.add(new Case("Tensor.matmul", List.of(sh(2, 3), sh(3)), () -> t(2, 3).matmul(t(3))));
    c.add(new Case("Tensor.matmul", List.of(sh(3), sh(3, 2)), () -> t(3).matmul(t(3, 2))));
    c.add(new Case("Tensor.matmul", List.of(sh(5, 2, 3), sh(3, 4)), () -> t(5, 2, 3).matmul(t(3, 4))));
    c.add(new Case("Tensor.matmul", List.of(sh(5, 2, 3), sh(1, 3, 4)), () -> t(5, 2, 3).matmul(t(1, 3, 4))));
    c.add(new Case("Tensor.t", List.of(sh(2, 3)), () -> t(2, 3).t()));
    c.add(new Case("Tensor.transpose", List.of(sh(2, 3, 4), l(0), l(2)), () -> t(2, 3, 4).transpose(0, 2)));
    c.add(new Case("Tensor.permute", List.of(sh(2, 3, 4), l(2), l(0), l(1)), () -> t(2, 3, 4).permute(2, 0, 1)));
    c.add(new Case("Tensor.reshape", List.of(sh(4, 6), l(-1), l(3)), () -> t(4, 6).reshape(-1, 3)));
    c.add(new Case("Tensor.reshape", List.of(sh(4, 6), l(5), l(5)), () -> t(4, 6).reshape(5, 5)));
    c.add(new Case("Tensor.reshape", List.of(sh(4, 6), l(-1), l(5)), () -> t(4, 6).reshape(-1, 5)));
    c.add(new Case("Tensor.view", List.of(sh(4, 6), l(24)), () -> t(4, 6).view(24)));
    c.add(new Case("Tensor.squeeze", List.of(sh(2, 1, 3)), () -> t(2, 1, 3).squeeze()));
    c.add(new Case("Tensor.squeeze", List.of(sh(2, 1, 3), l(1)), () -> t(2, 1, 3).squeeze(1)));
    c.add(new Case("Tensor.squeeze", List.of(sh(2, 1, 3), l(0)), () -> t(2, 1, 3).squeeze(0)));
    c.add(new Case("Tensor.unsqueeze", List.of(sh(2, 3), l(-1)), () -> t(2, 3).unsqueeze(-1)));
    c.add(new Case("Tensor.flatten", List.of(sh(2, 3, 4), l(1), l(2)), () -> t(2, 3, 4).flatten(1, 2)));
    c.add(new Case("Tensor.select", List.of(sh(2, 3), l(1), l(0)), () -> t(2, 3).select(1, 0)));
    c.add(new Case("Tensor.narrow", List.of(sh(2, 5), l(1), l(1), l(3)), () -> t(2, 5).narrow(1, 1, 3)));
    c.add(new Case("Tensor.slice", List.of(sh(2, 7), l(1), l(1), l(6), l(2)), () -> t(2, 7).slice(1, 1, 6, 2)));
    c.add(new Case("Tensor.slice", List.of(sh(2, 7), l(-1), l(-3), l(100)), () -> t(2, 7).slice(-1, -3, 100)));
    c.add(new Case("Tensor.slice", List.of(sh(2, 7), l(0), l(5), l(1)), () -> t(2, 7).slice(0, 5, 1)));
    c.add(new Case("Tensor.slice", List.of(sh(2, 7), l(2), l(0), l(1)), () -> t(2, 7).slice(2, 0, 1)));
    c.add(new Case("Tensor.expand", List.of(sh(3, 1), l(2), l(-1), l(4)), () -> t(3, 1).expand(2, -1, 4)));
    c.add(new Case("Linalg.cholesky", List.of(sh(3, 3)), () -> dev.adjoint.linalg.Linalg.cholesky(spd(3))));
    c.add(new Case("Linalg.inv", List.of(sh(2, 3, 3)), () -> dev.adjoint.linalg.Linalg.inv(spd(2, 3))));
    c.add(new Case("Linalg.det", List.of(sh(2, 3, 3)), () -> dev.adjoint.linalg.Linalg.det(spd(2, 3))));
    c.add(new Case("Linalg.logdet", List.of(sh(3, 3)), () -> dev.adjoint.linalg.Linalg.logdet(spd(3))));
    c.add(new Case("Linalg.eigvalsh", List.of(sh(2, 3, 3)), () -> dev.adjoint.linalg.Linalg.eigvalsh(spd(2, 3))));
    c.add(new Case("Linalg.solve", List.of(sh(3, 3), sh(3, 2)), () -> dev.adjoint.linalg.Linalg.solve(spd(3),
        t(3, 2).toDouble())));
    c.add(new Case("Linalg.choleskySolve", List.of(sh(3, 2), sh(3, 3)),
        () -> dev.adjoint.linalg.Linalg.choleskySolve(t(3, 2).toDouble(), dev.adjoint.linalg.Linalg.cholesky(spd(3)))));
    c.add(new Case("Tensor.cat", List.of(sh(2, 3), sh(4, 3), l(0)), () -> Tensor.cat(List.of(t(2, 3), t(4, 3)), 0)));
    c.add(new Case("Tensor.cat", List.of(sh(2, 3), sh(4, 5), l(0)), () -> Tensor.cat(List.of(t(2, 3), t(4, 5)), 0)));
    c.add(new Case("Tensor.stack", List.of(sh(3), sh(3), l(1)), () -> Tensor.stack(List.of(t(3), t(3)), 1)));
    c.add(new Case("Tensor.stack", List.of(sh(3), sh(4), l(0)), () -> Tensor.stack(List.of(t(3), t(4)), 0)));
    c.add(new Case("Tensor.expandAs", List.of(sh(3), sh(2, 3)), () -> t(3).expandAs(t(2, 3))));
    c.add(new Case("F.linear", List.of(sh(2, 4), sh(3, 4), sh(3)), () -> F.linear(t(2, 4), t(3, 4), t(3))));
    c.add(new Case("F.linear", List.of(sh(2, 4), sh(3, 5), sh(3)), () -> F.linear(t(2, 4), t(3, 5), t(3))));
    c.add(new Case("F.softmax", List.of(sh(2, 3), l(1)), () -> F.softmax(t(2, 3), 1)));
    c.add(new Case("F.mseLoss", List.of(sh(2, 3), sh(2, 3)), () -> F.mseLoss(t(2, 3), t(2, 3))));
    c.add(new Case("F.binaryCrossEntropyWithLogits", List.of(sh(2, 1), sh(2, 1)),
        () -> F.binaryCrossEntropyWithLogits(t(2, 1), t(2, 1))));
    c.add(new Case("F.binaryCrossEntropyWithLogits", List.of(sh(2, 1), sh(2)),
        () -> F.binaryCrossEntropyWithLogits(t(2, 1), t(2))));
    c.add(new Case("F.crossEntropy", List.of(sh(4, 3), sh(4)), () -> F.crossEntropy(t(4, 3), Tensor.zeros(4).to(Tensor.DType.INT64))));
    c.add(new Case("F.crossEntropy", List.of(sh(4, 3), sh(5)), () -> F.crossEntropy(t(4, 3), Tensor.zeros(5).to(Tensor.DType.INT64))));
    c.add(new Case("F.conv2d", List.of(sh(2, 3, 8, 8), sh(4, 3, 3, 3), sh(4)),
        () -> F.conv2d(t(2, 3, 8, 8), t(4, 3, 3, 3), t(4))));
    c.add(new Case("F.conv2d", List.of(sh(2, 1, 8, 8), sh(4, 3, 3, 3), sh(4)),
        () -> F.conv2d(t(2, 1, 8, 8), t(4, 3, 3, 3), t(4))));
    c.add(new Case("F.embedding", List.of(sh(2, 3), sh(10, 4), l(-1)),
        () -> F.embedding(Tensor.zeros(2, 3).to(Tensor.DType.INT64), t(10, 4), -1)));
    c.add(new Case("Tensor.indexSelect", List.of(sh(5, 4), l(0), sh(2)),
        () -> t(5, 4).indexSelect(0, Tensor.zeros(2).to(Tensor.DType.INT64))));
    c.add(new Case("Tensor.flip", List.of(sh(5, 4), l(0)), () -> t(5, 4).flip(0)));
    return c;
  }

  @Test
  void agreesWithTheEagerOperations() {
    List<String> disagreements = new ArrayList<>();
    List<Case> all = new ArrayList<>(cases());
    all.addAll(moreCases());
    for (Case c : all) {
      String[] parts = c.key().split("\\.");
      ShapeRules.ShapeFn fn = ShapeRules.of(parts[0], parts[1]).orElseThrow(() -> new AssertionError(c.key()));
      SymShape predicted;
      try {
        predicted = fn.apply(new Unifier(), c.args());
      } catch (ShapeError e) {
        predicted = null;
      }
      int[] actual;
      try {
        actual = c.eager().get().shape();
      } catch (RuntimeException e) {
        actual = null;
      }
      String p = predicted == null ? "error" : predicted.toString();
      String a = actual == null ? "error" : Arrays.toString(actual);
      boolean agrees = c.symbolic() == null ? p.equals(a)
          : p.equals(c.symbolic()) && actual != null && fits(predicted, actual);
      if (!agrees) {
        disagreements.add(c.key() + c.args() + ": shape function " + p + ", eager " + a
            + (c.symbolic() == null ? "" : ", expected " + c.symbolic()));
      }
    }
    assertTrue(disagreements.isEmpty(), String.join("\n", disagreements));
  }

  /** Whether {@code actual} is one of the shapes {@code s} stands for ({@code _} any size, {@code [*]} any shape). */
  private static boolean fits(SymShape s, int[] actual) {
    if (!s.known()) {
      return true;
    }
    if (s.rank() != actual.length) {
      return false;
    }
    for (int i = 0; i < actual.length; i++) {
      Dim d = s.dim(i);
      if (d.known() && !(d.constant() && d.coeff() == actual[i])) {
        return false;
      }
    }
    return true;
  }

  @Test
  void everyRowThatHadNoShapeFunctionHasAParityCase() {
    java.util.Set<String> keys = new java.util.TreeSet<>();
    moreCases().forEach(c -> keys.add(c.key()));
    assertEquals(25, keys.size(), keys.toString());
  }

  /** A float64 symmetric positive-definite matrix of size n (batched over {@code batch} when given). */
  private static Tensor spd(int... sizes) {
    int n = sizes[sizes.length - 1];
    int b = sizes.length == 1 ? 1 : sizes[0];
    double[] v = new double[b * n * n];
    for (int k = 0; k < b * n; k++) {
      v[k * n + k % n] = 2;
    }
    return sizes.length == 1 ? Tensor.wrap(v, n, n) : Tensor.wrap(v, b, n, n);
  }

  @Test
  void symbolsBindAndRecordTheEquation() {
    Unifier u = new Unifier();
    SymShape out = ShapeRules.matmul(u, List.of(SymShape.parse("B, N"), SymShape.parse("784, 10")));
    assertEquals("[B, 10]", out.toString());
    assertEquals("[N = 784]", u.constraints().toString());
    assertEquals(Dim.of(784), u.resolve(Dim.sym("N")));
    ShapeError e = assertThrows(ShapeError.class,
        () -> ShapeRules.matmul(u, List.of(SymShape.parse("B, N"), SymShape.parse("10, 3"))));
    assertTrue(e.getMessage().startsWith("[B, 784] @ [10, 3]"), e.getMessage());
  }

  @Test
  void reshapeDividesSymbolicCounts() {
    Unifier u = new Unifier();
    SymShape out = ShapeRules.of("Tensor", "reshape").orElseThrow()
        .apply(u, List.of(SymShape.parse("B, 2, 392"), 784L, -1L));
    assertEquals("[784, B]", out.toString());
    assertEquals("2·B·N", Dim.of(2).times(Dim.sym("N")).times(Dim.sym("B")).toString());
    assertArrayEquals(new Object[] {"_"}, new Object[] {Dim.UNKNOWN.toString()});
  }

  @Test
  void unknownPropagatesWithoutError() {
    Unifier u = new Unifier();
    SymShape out = ShapeRules.matmul(u, List.of(SymShape.parse("_, 784"), SymShape.UNKNOWN));
    assertEquals(SymShape.UNKNOWN, out);
    assertEquals("[_, 10]", ShapeRules.matmul(u, List.of(SymShape.parse("_, 784"), SymShape.parse("784, 10")))
        .toString());
    assertTrue(u.constraints().isEmpty());
  }
}
