package dev.adjoint.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class written by the Adjoint annotation processor; {@link #from()} names its source. It is also
 * the class's derivative metadata: what the processor needs to call the source class's
 * {@code @Differentiable} methods from another compilation (a library jar used by an application), read
 * back from the class file. The processor checks {@link #version()} and refuses metadata it does not know.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface AdjointGenerated {
  /** The class whose {@code @Differentiable} methods this class differentiates. */
  String from();

  /**
   * The format of the metadata below; {@code 0} for a class written before the metadata existed. A
   * processor reads only the format it writes.
   */
  int version() default 0;

  /** Each {@code @Differentiable} method of {@link #from()} that this class differentiates. */
  Method[] methods() default {};

  /** The {@code @Derivative} rules declared in {@link #from()}. */
  Rule[] rules() default {};

  /** One differentiated method: how a caller composes it through its pullback. */
  @Documented
  @Retention(RetentionPolicy.CLASS)
  @Target({})
  @interface Method {
    /** The method's name. */
    String name();

    /** Its parameter types, erased and comma-separated: {@code dev.adjoint.Tensor,double}. */
    String parameters();

    /** Whether it is static (otherwise the object is the first argument of every generated form). */
    boolean isStatic();

    /**
     * For each parameter, the gradient record component holding its gradient, or the empty string for a
     * parameter that is not differentiated.
     */
    String[] gradients();

    /** The fields of the object it differentiates (a module's parameters), by path. */
    Field[] fields() default {};

    /** Whether its pullback has {@code saved()}, the tensors whose versions backward checks. */
    boolean tracked();

    /** What its pullback saves for the backward, as {@code name: type}, in order. */
    String[] saved() default {};

    /**
     * The forward-mode (JVP) form generated for it: {@code "fJvp"} when this class has {@code <name>Jvp};
     * {@code "none"} when not (a processor from before forward mode did not write it).
     */
    String jvp() default "none";
  }

  /** A differentiated field, relative to the object: {@code scale}, {@code fc1.weight()}, {@code w()}. */
  @Documented
  @Retention(RetentionPolicy.CLASS)
  @Target({})
  @interface Field {
    /** The path from the object to the tensor. */
    String path();

    /** The gradient record component holding its gradient. */
    String component();
  }

  /** A {@code @Derivative} rule declared in the source class. */
  @Documented
  @Retention(RetentionPolicy.CLASS)
  @Target({})
  @interface Rule {
    /** The qualified name of the class whose method the rule differentiates. */
    String of();

    /** That method's name. */
    String method();

    /** The rule method's name. */
    String rule();

    /** The input it differentiates, or {@code -1} for all. */
    int wrt();

    /**
     * {@code "VJP"} for an adjoint, {@code "JVP"} for a Jacobian-vector product ({@code @Derivative(kind)}); the
     * default reads metadata written before JVP rules existed as adjoints, which they all were.
     */
    String kind() default "VJP";
  }
}
