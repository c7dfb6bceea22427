package dev.adjoint.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The row of one primitive: its adjoint, PyTorch's node name and what the adjoint reads, written once on
 * the facade method ({@code Tensor}, {@code nn.F}, a module's {@code forward}). Everything that needs the
 * rule reads this annotation and nothing else: the eager recorder ({@code dev.adjoint.autograd.Row}, which
 * reads it by reflection once per primitive and binds the adjoint through a {@code MethodHandle}), the
 * annotation processor (through {@code Elements}, to call the same adjoint from generated code) and the
 * rule tests ({@code PrimitiveRowsTest}, which walks every annotated method). There is no second list.
 *
 * <p>The adjoint is a {@code public static} method of {@link #rules()} with the signature
 * {@code Grads vjp(Tensor g, Tensor out, <inputs...>)}, where the inputs are the receiver (for an
 * instance method) followed by the operation's parameters, in order. It returns one entry per input;
 * entries for inputs that are not differentiable ({@code int}, {@code boolean}, index tensors) are
 * {@code null}, and a {@code double}/{@code float} input gets a 0-dimensional tensor. The eager engine
 * reads only the entries of inputs that require grad, so an entry that costs work of its own (a scalar
 * parameter's gradient, one of a layer's products) is computed lazily ({@code Grads.lazy}).
 *
 * <p>A module's {@code forward} can be a primitive too ({@code Linear.forward}): its differentiable
 * state lives in the module, so {@link #receiverInputs()} names the receiver's accessors whose tensors
 * are inputs as well. The adjoint then takes the receiver, the parameters, and those tensors, in that
 * order, and returns {@code null} for the receiver. Module adjoints live in the module's own class.
 *
 * <h2>How to add a primitive</h2>
 *
 * <ol>
 *   <li><b>Forward</b>: a {@code public static} method in a {@code dev.adjoint.rules} class that only
 *       computes (no recording, no grad-mode checks; it may call other rules and kernels).
 *   <li><b>Adjoint</b>: {@code public static Grads fooVjp(Tensor g, Tensor out, <inputs...>)} next to it.
 *   <li><b>Row</b>: the facade method with this annotation ({@code rules}, {@code vjp}, {@code node},
 *       {@code reads}, and {@code grads} when an input's gradient reads less than the whole row), and beside
 *       it a {@code Row} field resolved from the method; the body computes with the forward and lets the
 *       row record it:
 * <pre>{@code
 * private static final Row FOO = Row.of(Tensor.class, "foo", Tensor.class, double.class);
 *
 * @Primitive(rules = ElementwiseRules.class, vjp = "fooVjp", node = "FooBackward0", reads = {0})
 * public Tensor foo(Tensor other, double s) {
 *   return FOO.record(ElementwiseRules.foo(this, other, s), this, other, s);
 * }
 * }</pre>
 *       {@code record} takes the result and the inputs in the adjoint's order (receiver first). It records a
 *       node only when grad mode is on and an input requires grad, saving what {@code reads} declares.
 *   <li><b>Tests</b>: {@code PrimitiveRowsTest} checks the new row at once (it resolves, the eager node
 *       has the row's name and its gradients equal the adjoint's bit for bit); add the operation to
 *       {@code RuleGradientTest}'s table (central differences) and a PyTorch golden.
 * </ol>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Primitive {
  /** The class holding the adjoint method. */
  Class<?> rules();

  /** The name of the adjoint method in {@link #rules()}. */
  String vjp();

  /**
   * The node name PyTorch shows for this operation, e.g. {@code "MulBackward0"}; when the name depends on
   * the arguments ({@link #nodeOf()}), the name for the common case.
   */
  String node();

  /**
   * When PyTorch's node name depends on the arguments ({@code matmul}: {@code DotBackward0} ...
   * {@code BmmBackward0}; a composed loss: the name of its last operation, which depends on the
   * reduction): a {@code public static String} method of {@link #rules()} taking the operation's inputs
   * (as the adjoint, without {@code g} and {@code out}) and returning the name. Empty: always {@link #node()}.
   */
  String nodeOf() default "";

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
   * reads every tensor input and the result.
   */
  int[] reads() default {ALL};

  /**
   * Finer than {@link #reads()}: what each input's gradient reads, when that differs between inputs
   * ({@code mul}: the gradient of input 0 reads input 1 and the other way round). The eager recorder then
   * saves only what the gradients of the inputs that require grad read, as PyTorch does; the union of all
   * entries must be {@link #reads()}. An input without an entry reads nothing. Empty: every gradient reads
   * all of {@link #reads()}.
   */
  Grad[] grads() default {};

  /**
   * The row's Jacobian-vector product (forward mode), a {@code public static Tensor} method of {@link #rules()}
   * taking one tangent per differentiable input ({@code Tensor}, {@code null} for zero, or {@code double}),
   * then the result and the inputs as the adjoint does: {@code Tensor fooJvp(Tensor ta, Tensor tb, Tensor out,
   * Tensor a, Tensor b)}. Empty (the default): the method named after {@link #vjp()} with {@code Jvp} for
   * {@code Vjp}, when the rules class has one; otherwise the processor applies the adjoint to the tangent for
   * an elementwise operation of one tensor ({@link #scalar()} {@code "Math.*"} or {@code "neg"}), and falls
   * back to {@code dev.adjoint.rules.Jvps.viaVjp} (exact, one adjoint call per element of the result).
   */
  String jvp() default "";

  /**
   * Whether PyTorch's node keeps the number argument as a saved tensor (a wrapped scalar): {@code mul} and
   * {@code div} by a number. A backward without {@code retainGraph} frees it, so a second backward through
   * the node throws, as PyTorch's does, even when no tensor was saved.
   */
  boolean savesScalar() default false;

  /**
   * Whether the row has a recorded backward formula ({@code dev.adjoint.autograd.DoubleBackward}), so that a
   * gradient taken with {@code createGraph} through it can be differentiated again. {@code false} on the few rows
   * without one (their second backward throws naming the node): the annotation processor then writes no
   * {@code fHvp}/{@code fHessian} for a {@code @Differentiable} method through them, saying why in the method's
   * javadoc, instead of one that would throw at run time. {@code DoubleBackwardCoverageTest} checks that this
   * flag and the registry agree, row by row.
   */
  boolean doubleBackward() default true;

  /** In {@link #grads()}: the gradient of input {@link #of()} reads {@link #reads()}. */
  @Documented
  @Retention(RetentionPolicy.RUNTIME)
  @Target({})
  @interface Grad {
    /** The input position (receiver first, from 0). */
    int of();

    /** The values its gradient reads, as in {@link Primitive#reads()}. */
    int[] reads();
  }

  /** In {@link #reads()}: the operation's result. */
  int OUT = -1;

  /** In {@link #reads()}: every input and the result (the default). */
  int ALL = -2;
}
