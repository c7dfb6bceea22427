package dev.adjoint.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Rule metadata on a runtime operation: names the vector-Jacobian product that differentiates it.
 * This is the single table of derivative rules; the eager autograd records nodes that call the named
 * adjoint, and the annotation processor reads this annotation (through {@code Elements}) to emit calls
 * to the same adjoint in generated code. There is no second list of rules.
 *
 * <p>The adjoint is a {@code public static} method of {@link #rules()} with the signature
 * {@code Grads vjp(Tensor g, Tensor out, <inputs...>)}, where the inputs are the receiver (for an
 * instance method) followed by the operation's parameters, in order. It returns one entry per input;
 * entries for inputs that are not differentiable ({@code int}, {@code boolean}, index tensors) are
 * {@code null}, and a {@code double}/{@code float} input gets a 0-dimensional tensor.
 *
 * <p>A module's {@code forward} can be a primitive too ({@code Linear.forward}): its differentiable
 * state lives in the module, so {@link #receiverInputs()} names the receiver's accessors whose tensors
 * are inputs as well. The adjoint then takes the receiver, the parameters, and those tensors, in that
 * order, and returns {@code null} for the receiver.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Primitive {
  /** The class holding the adjoint method. */
  Class<?> rules();

  /** The name of the adjoint method in {@link #rules()}. */
  String vjp();

  /** The node name PyTorch shows for this operation, e.g. {@code "MulBackward0"}. */
  String node();

  /**
   * The operation on one element, for loops the processor fuses: {@code "+" "-" "*" "/"} (receiver op
   * argument), {@code "r-"} (argument minus receiver), {@code "neg"}, {@code "Math.<name>"} (that
   * {@code java.lang.Math} method on the inputs in order, differentiated by its {@code MathRules}), or
   * {@code "sum"}/{@code "mean"} for a reduction over all elements; empty when the operation is not
   * elementwise. The processor still calls {@link #vjp()} whenever it does not fuse.
   */
  String scalar() default "";

  /**
   * For an instance method of a class other than {@code Tensor} (a module): the no-argument accessors of
   * the receiver whose results are differentiable inputs after the parameters ({@code {"weight", "bias"}}
   * for {@code Linear.forward}). The processor reads them as {@code self.fc1.weight()} and differentiates
   * with respect to them, so a {@code @Differentiable} module can hold library modules as fields.
   */
  String[] receiverInputs() default {};

  /**
   * The values the adjoint reads, as PyTorch's saved tensors: {@link #OUT} for the result and input
   * positions (receiver first, from 0). An input the adjoint needs only for its shape (the broadcast
   * reduction of {@code add}) is not listed: generated code then neither version-checks it nor fails
   * when it changes in place between forward and backward, as in PyTorch. The default, {@link #ALL},
   * reads everything.
   */
  int[] reads() default {ALL};

  /** In {@link #reads()}: the operation's result. */
  int OUT = -1;

  /** In {@link #reads()}: every input and the result (the default). */
  int ALL = -2;
}
