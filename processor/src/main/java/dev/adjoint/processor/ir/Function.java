package dev.adjoint.processor.ir;

import java.util.List;

/**
 * One {@code @Differentiable} method lowered to IR, independent of javac trees.
 *
 * @param packageName the package of the declaring class
 * @param className the declaring class's simple (binary-joined) name, e.g. {@code Thermometer}
 * @param qualifiedClassName the declaring class's canonical name
 * @param name the method's name
 * @param isStatic whether the method is static (otherwise it is a module method: fields are inputs)
 * @param params the parameters in declaration order (differentiable or not)
 * @param fields the fields of the module the body reads, in order of first use
 * @param returnType the return type
 * @param body the body in ANF
 * @param origin the method declaration
 */
public record Function(
    String packageName,
    String className,
    String qualifiedClassName,
    String name,
    boolean isStatic,
    List<Input> params,
    List<Input> fields,
    Type returnType,
    Block body,
    Origin origin) {

  /** Parameters then fields. */
  public List<Input> inputs() {
    var all = new java.util.ArrayList<Input>(params);
    all.addAll(fields);
    return List.copyOf(all);
  }

  /** Whether nothing in the signature is a tensor (the plain {@code double} gradient applies). */
  public boolean scalarOnly() {
    return returnType.kind() != Type.Kind.TENSOR
        && inputs().stream().noneMatch(i -> i.var().type().kind() == Type.Kind.TENSOR || i.var().type().isTensorArray());
  }

  /**
   * Whether the body draws a dropout mask ({@code Dropout.mask}, {@code F.dropoutMask}): each call of the method
   * is then one random sample, so nothing may call it several times and combine the results as if it were one
   * function (no {@code fHessian}, no generated checks by central differences).
   */
  public boolean drawsMasks() {
    return Stmt.flatten(body.stmts()).stream().anyMatch(s -> s instanceof Stmt.Assign a
        && a.op() instanceof Op.Call c && c.callee() instanceof Callee.Passive p
        && (p.owner().equals("dev.adjoint.nn.Dropout") && p.method().equals("mask")
            || p.owner().equals("dev.adjoint.nn.F") && p.method().equals("dropoutMask")));
  }

  /** The name with a capital first letter, for the nested records. */
  public String capitalized() {
    return Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }
}
