package dev.adjoint.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import dev.adjoint.Autograd;
import dev.adjoint.Tensor;
import dev.adjoint.utils.Checkpoint;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The autograd API around nodes that generated code records (issue 14): a {@code @Differentiable} method's node
 * differentiated twice (its gradient taken with createGraph, then the gradient of that gradient) gives a clear error
 * naming the method's node and line, never a silent zero — for a straight-line method, a loop and a module — while
 * the first gradient is right and the method's eager form gives the right second derivative (both against central
 * differences); and saved-tensor hooks, which cannot reach what a generated node saves, refuse it with an error
 * naming it, while the eager form's saved tensors go through them and a checkpoint around the generated call works.
 */
class GeneratedNodeAutogradTest {
  private static URLClassLoader loader;
  private static Class<?> g;
  private static Class<?> gDiff;
  private static Class<?> m;
  private static Class<?> mDiff;

  @BeforeAll
  static void compile() throws Exception {
    Compilation c = Compile.compile(List.of(), Compile.source("t.G", "package t;",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Differentiable;",
        "final class G {",
        "  private G() {}",
        "  @Differentiable static Tensor straight(Tensor x) {",
        "    Tensor y = x.tanh().mul(x);",
        "    return y.exp().sum();",
        "  }",
        "  @Differentiable static Tensor loop(Tensor x) {",
        "    Tensor h = x;",
        "    for (int i = 0; i < 3; i++) {",
        "      h = h.mul(x).sin();",
        "    }",
        "    return h.sum();",
        "  }",
        "}"), Compile.source("t.M", "package t;",
        "import dev.adjoint.Tensor;",
        "import dev.adjoint.annotation.Differentiable;",
        "public final class M {",
        "  final Tensor w;",
        "  M(Tensor w) { this.w = w; }",
        "  @Differentiable Tensor forward(Tensor x) {",
        "    return x.mul(w).tanh().mul(x).sum();",
        "  }",
        "}"));
    assertThat(c).succeededWithoutWarnings();
    loader = Libraries.loader(Libraries.classes(c, Files.createTempDirectory("generated-node")));
    g = loader.loadClass("t.G");
    gDiff = loader.loadClass("t.GDiff");
    m = loader.loadClass("t.M");
    mDiff = loader.loadClass("t.MDiff");
  }

  @AfterAll
  static void close() throws Exception {
    loader.close();
  }

  private static Tensor call(Class<?> owner, String name, Object... args) {
    for (Method method : owner.getDeclaredMethods()) {
      boolean isStatic = java.lang.reflect.Modifier.isStatic(method.getModifiers());
      if (method.getName().equals(name) && method.getParameterCount() == args.length - (isStatic ? 0 : 1)
          && method.getReturnType() == Tensor.class) {
        try {
          method.setAccessible(true);
          return (Tensor) method.invoke(isStatic ? null : args[0],
              isStatic ? args : java.util.Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
          throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    throw new IllegalArgumentException(owner + " has no method " + name);
  }

  private static Tensor x() {
    return Tensor.of(Tensor.DType.FLOAT64, 0.3, -0.7, 1.1).requiresGrad(true);
  }

  private static Tensor v() {
    return Tensor.of(Tensor.DType.FLOAT64, 1.0, 0.5, -2.0);
  }

  /** Central differences of {@code f} at {@code x}, one entry per element. */
  private static double[] centralGradient(Function<Tensor, Double> f, double[] x) {
    double h = 1e-6;
    double[] d = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double[] p = x.clone();
      double[] q = x.clone();
      p[i] += h;
      q[i] -= h;
      d[i] = (f.apply(Tensor.of(Tensor.DType.FLOAT64, p)) - f.apply(Tensor.of(Tensor.DType.FLOAT64, q))) / (2 * h);
    }
    return d;
  }

  private static void assertClose(double[] expected, Tensor actual, double tol) {
    double[] a = actual.toDoubleArray();
    assertEquals(expected.length, a.length);
    for (int i = 0; i < a.length; i++) {
      assertEquals(expected[i], a[i], tol * (1 + Math.abs(expected[i])), "element " + i);
    }
  }

  /**
   * {@code f} through the generated node: the first gradient (createGraph) is right; its gradient throws naming the
   * node and the line; the eager form {@code eager} gives H·v equal to central differences of the gradient.
   */
  private static void secondOrder(Function<Tensor, Tensor> generated, Function<Tensor, Tensor> eager, String node,
      String line) {
    Tensor x = x();
    Tensor y = generated.apply(x);
    assertEquals(node, y.gradFn().name());
    Tensor gx = Autograd.grad(new Tensor[] {y}, new Tensor[] {x}, null, true, true, false)[0];
    double[] x0 = x.toDoubleArray();
    assertClose(centralGradient(t -> eager.apply(t).toDoubleArray()[0], x0), gx, 1e-6);
    assertTrue(gx.requiresGrad(), "the first gradient carries a node under createGraph");
    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
        () -> Autograd.grad(gx.mul(v()).sum(), x));
    assertTrue(e.getMessage().contains(node + " (" + line + ")") && e.getMessage().contains("double backward")
        && e.getMessage().contains("call the method itself"), e.getMessage());

    // the fix-it works: the method itself, recorded op by op, gives H·v = d/dx (grad f · v)
    Tensor xe = x();
    Tensor ge = Autograd.grad(new Tensor[] {eager.apply(xe)}, new Tensor[] {xe}, null, true, true, false)[0];
    Tensor hv = Autograd.grad(ge.mul(v()).sum(), xe)[0];
    double[] expected = centralGradient(t -> {
      Tensor at = t.requiresGrad(true);
      return Autograd.grad(eager.apply(at), at)[0].mul(v()).sum().toDoubleArray()[0];
    }, x0);
    assertClose(expected, hv, 1e-5);
    assertNotEquals(0.0, java.util.Arrays.stream(hv.toDoubleArray()).map(Math::abs).sum());
  }

  @Test
  void aStraightLineMethodsNodeDifferentiatedTwiceThrowsNamingItsLine() {
    secondOrder(x -> call(gDiff, "straight", x), x -> call(g, "straight", x), "GStraightBackward", "G.java:6");
  }

  @Test
  void aLoopMethodsNodeDifferentiatedTwiceThrowsNamingItsLine() {
    secondOrder(x -> call(gDiff, "loop", x), x -> call(g, "loop", x), "GLoopBackward", "G.java:10");
  }

  @Test
  void aModulesNodeDifferentiatedTwiceThrowsNamingItsLine() throws Exception {
    java.lang.reflect.Constructor<?> make = m.getDeclaredConstructor(Tensor.class);
    make.setAccessible(true);
    Object module = make.newInstance(Tensor.of(Tensor.DType.FLOAT64, 0.9, -0.4, 0.25).requiresGrad(true));
    secondOrder(x -> call(mDiff, "forward", module, x), x -> call(m, "forward", module, x), "MForwardBackward",
        "M.java:7");
  }

  @Test
  void savedTensorHooksRefuseAGeneratedNodeAndSeeTheEagerFormsTensors() {
    int[] packed = {0};
    Tensor x = x();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Autograd.savedTensorsHooks(t -> {
          packed[0]++;
          return t;
        }, p -> (Tensor) p, () -> call(gDiff, "straight", x)));
    assertTrue(e.getMessage().startsWith("GStraightBackward (G.java:6): a node made by generated @Differentiable "
        + "code saves") && e.getMessage().contains("eager form"), e.getMessage());
    assertEquals(0, packed[0]);

    // the eager form under the same hooks: every saved tensor goes through pack and unpack (here unpack doubles
    // nothing: it returns what pack kept), and the gradient is the generated one
    int[] unpacked = {0};
    Tensor y = Autograd.savedTensorsHooks(t -> {
      packed[0]++;
      return t;
    }, p -> {
      unpacked[0]++;
      return (Tensor) p;
    }, () -> call(g, "straight", x));
    y.backward();
    assertTrue(packed[0] > 0 && unpacked[0] == packed[0], packed[0] + " packed, " + unpacked[0] + " unpacked");
    Tensor eagerGrad = x.grad().clone();
    x.setGrad(null);
    call(gDiff, "straight", x).backward();
    assertClose(eagerGrad.toDoubleArray(), x.grad(), 1e-12);
  }

  @Test
  void aCheckpointAroundAGeneratedCallWorksInBothModes() {
    for (Checkpoint.Mode mode : Checkpoint.Mode.values()) {
      Tensor x = x();
      Checkpoint.checkpoint(in -> call(gDiff, "loop", in[0]), mode, x).backward();
      Tensor xe = x();
      call(g, "loop", xe).backward();
      assertClose(xe.grad().toDoubleArray(), x.grad(), 1e-12);
    }
  }
}
