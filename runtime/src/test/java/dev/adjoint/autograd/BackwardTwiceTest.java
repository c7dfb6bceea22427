package dev.adjoint.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Tensor;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A second {@code backward()} without {@code retainGraph}: PyTorch 1.13 throws where the node saved anything,
 * a wrapped scalar included ({@code x * 2}, {@code x / 2}), and runs again where it saved nothing
 * ({@code x + 2}, {@code -x}). Checked against torch 1.13 by hand:
 * <pre>
 * for f in [x*2, x/2, x+2, x-2, 2-x, -x, x**2]: z = f(x).sum(); z.backward(); z.backward()
 * # mul err, div err, add ok, sub ok, rsub ok, neg ok, pow err
 * </pre>
 * The outside view found {@code (x * 2).sum()} accumulating silently the second time.
 */
class BackwardTwiceTest {
  static Stream<Arguments> ops() {
    return Stream.of(
        Arguments.of("mul", (UnaryOperator<Tensor>) x -> x.mul(2), true),
        Arguments.of("div", (UnaryOperator<Tensor>) x -> x.div(2), true),
        Arguments.of("pow", (UnaryOperator<Tensor>) x -> x.pow(2), true),
        Arguments.of("add", (UnaryOperator<Tensor>) x -> x.add(2), false),
        Arguments.of("sub", (UnaryOperator<Tensor>) x -> x.sub(2), false),
        Arguments.of("rsub", (UnaryOperator<Tensor>) x -> x.rsub(2), false),
        Arguments.of("neg", (UnaryOperator<Tensor>) Tensor::neg, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ops")
  void aSecondBackwardThrowsWherePyTorchsDoes(String name, UnaryOperator<Tensor> f, boolean throwsTheSecondTime) {
    Tensor x = Tensor.of(1f, 2f).requiresGrad(true);
    Tensor z = f.apply(x).sum();
    z.backward();
    float[] once = x.grad().toFloatArray();
    if (throwsTheSecondTime) {
      IllegalStateException e = assertThrows(IllegalStateException.class, z::backward);
      assertTrue(e.getMessage().contains("Trying to backward through the graph a second time"), e.getMessage());
    } else {
      z.backward();
      assertArrayEquals(new float[] {2 * once[0], 2 * once[1]}, x.grad().toFloatArray(), 0f, "accumulated");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ops")
  void retainGraphKeepsItForASecondBackward(String name, UnaryOperator<Tensor> f, boolean unused) {
    Tensor x = Tensor.of(1f, 2f).requiresGrad(true);
    Tensor z = f.apply(x).sum();
    z.backward(true);
    z.backward();
  }
}
