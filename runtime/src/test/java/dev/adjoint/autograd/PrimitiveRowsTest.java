package dev.adjoint.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.adjoint.Autograd;
import dev.adjoint.Generator;
import dev.adjoint.Tensor;
import dev.adjoint.annotation.Primitive;
import dev.adjoint.nn.AdaptiveAvgPool2d;
import dev.adjoint.nn.AvgPool2d;
import dev.adjoint.nn.BatchNorm1d;
import dev.adjoint.nn.BatchNorm2d;
import dev.adjoint.nn.Conv1d;
import dev.adjoint.nn.Conv2d;
import dev.adjoint.nn.ConvTranspose1d;
import dev.adjoint.nn.ConvTranspose2d;
import dev.adjoint.nn.Embedding;
import dev.adjoint.nn.Flatten;
import dev.adjoint.nn.GELU;
import dev.adjoint.nn.GroupNorm;
import dev.adjoint.nn.LayerNorm;
import dev.adjoint.nn.LeakyReLU;
import dev.adjoint.nn.Linear;
import dev.adjoint.nn.MaxPool2d;
import dev.adjoint.nn.ReLU;
import dev.adjoint.nn.SiLU;
import dev.adjoint.nn.Sigmoid;
import dev.adjoint.nn.Softplus;
import dev.adjoint.nn.Tanh;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The completeness test over every primitive: every method of the runtime that carries {@link Primitive},
 * found by reflection over the compiled classes (no list here), must have a row that resolves (the adjoint
 * exists with the signature {@code Grads vjp(Tensor, Tensor, inputs...)}, {@code grads} covers
 * {@code reads}), exactly one {@link Row} field in its class bound to it, and on random inputs an eager
 * node named as the row says whose gradients equal, bit for bit, a direct call of the adjoint.
 */
class PrimitiveRowsTest {

  /** Every {@code @Primitive} method of the runtime's main classes. */
  static List<Method> primitives() throws IOException, ClassNotFoundException {
    Path root;
    try {
      root = Path.of(Tensor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    List<Method> found = new ArrayList<>();
    List<Path> classes;
    try (Stream<Path> files = Files.walk(root)) {
      classes = files.filter(p -> p.toString().endsWith(".class") && !p.endsWith("module-info.class"))
          .sorted().toList();
    }
    for (Path p : classes) {
      String name = root.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
      Class<?> c = Class.forName(name, false, Tensor.class.getClassLoader());
      for (Method m : c.getDeclaredMethods()) {
        if (m.isAnnotationPresent(Primitive.class) && !m.isBridge()) {
          found.add(m);
        }
      }
    }
    found.sort((a, b) -> Row.of(a).toString().compareTo(Row.of(b).toString()));
    return found;
  }

  @Test
  void theRuntimeHasItsPrimitives() throws Exception {
    List<Method> all = primitives();
    assertTrue(all.size() >= 100, "found only " + all.size() + " @Primitive methods");
    List<String> owners = all.stream().map(m -> m.getDeclaringClass().getSimpleName()).distinct().sorted().toList();
    assertEquals(List.of("AdaptiveAvgPool2d", "AvgPool2d", "BatchNorm1d", "BatchNorm2d", "Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d", "Embedding", "F", "Flatten", "GELU", "GroupNorm", "LayerNorm", "LeakyReLU", "Linalg", "Linear", "MaxPool2d", "ReLU", "SiLU", "Sigmoid", "Softplus", "Tanh", "Tensor"),
        owners);
  }

  @TestFactory
  Stream<DynamicTest> everyPrimitiveHasACompleteRow() throws Exception {
    return primitives().stream().map(m -> DynamicTest.dynamicTest(Row.of(m).toString(), () -> check(m)));
  }

  private static void check(Method m) throws Exception {
    Row row = Row.of(m);
    Primitive p = row.primitive();
    // the adjoint: public static Grads vjp(Tensor g, Tensor out, inputs...)
    Class<?>[] want = new Class<?>[row.inputTypes().length + 2];
    want[0] = Tensor.class;
    want[1] = Tensor.class;
    System.arraycopy(row.inputTypes(), 0, want, 2, row.inputTypes().length);
    assertArrayEquals(want, row.vjp().getParameterTypes(), row + ": adjoint parameters");
    assertEquals(Grads.class, row.vjp().getReturnType());
    assertTrue(Modifier.isStatic(row.vjp().getModifiers()));
    // generated code passes a varargs primitive's arguments to its rules as the user wrote them
    // (x.repeat(1, 2) gives repeatVjp(g, out, x, 1, 2)), so those rules must be varargs too
    if (m.isVarArgs()) {
      assertTrue(row.vjp().isVarArgs(), row + ": the primitive is varargs, its adjoint must be too");
      for (Method jvp : p.rules().getDeclaredMethods()) {
        if (jvp.getName().equals(p.jvp())) {
          assertTrue(jvp.isVarArgs(), row + ": the primitive is varargs, its JVP " + jvp + " must be too");
        }
      }
    }
    // grads, when declared, cover reads exactly
    if (p.grads().length > 0) {
      TreeSet<Integer> union = new TreeSet<>();
      for (Primitive.Grad g : p.grads()) {
        Arrays.stream(g.reads()).forEach(union::add);
      }
      TreeSet<Integer> reads = new TreeSet<>();
      Arrays.stream(p.reads()).forEach(reads::add);
      assertEquals(reads, union, row + ": the union of grads must be reads");
    }
    // exactly one Row field of the facade class is this row
    int fields = 0;
    for (Field f : m.getDeclaringClass().getDeclaredFields()) {
      if (f.getType() == Row.class && Modifier.isStatic(f.getModifiers())) {
        f.setAccessible(true);
        if (((Row) f.get(null)).method().equals(m)) {
          fields++;
        }
      }
    }
    assertEquals(1, fields, row + ": Row fields bound to it in " + m.getDeclaringClass().getSimpleName());

    // eager: the node is the row's and its gradients are the adjoint's, bit for bit
    Generator gen = new Generator(m.toString().hashCode());
    Object[] args = Inputs.of(m, gen);
    Object receiver = Modifier.isStatic(m.getModifiers()) ? null : args[0];
    Object[] params = Arrays.copyOfRange(args, receiver == null ? 0 : 1, receiver == null ? args.length
        : 1 + m.getParameterCount());
    Object[] inputs = Inputs.withReceiverInputs(m, p, args);
    m.setAccessible(true); // package-private rows: reshape's copy path (unsafeView), the values of sort and topk
    Tensor out = (Tensor) m.invoke(receiver, params);
    assertNotNull(out.gradFn(), row + ": recorded");
    assertEquals(row.node(inputs), out.gradFn().name(), row + ": node name");
    Tensor g = Tensor.randn(gen, out.shape());
    Grads direct;
    try (var noGrad = Autograd.noGrad()) {
      direct = row.adjoint(g, out, inputs);
    }
    out.backward(g);
    List<Tensor> tensors = Inputs.tensors(inputs);
    int checked = 0;
    for (int i = 0; i < tensors.size(); i++) {
      Tensor t = tensors.get(i);
      if (t == null || !t.requiresGrad()) {
        continue;
      }
      Tensor d = direct.get(i);
      if (d == null) {
        assertNull(t.grad(), row + ": input " + i + " gets no gradient");
        continue;
      }
      assertNotNull(t.grad(), row + ": input " + i + " has a gradient");
      assertArrayEquals(t.shape(), t.grad().shape(), row + ": input " + i + " gradient shape");
      assertArrayEquals(bits(d), bits(t.grad()), row + ": input " + i + " engine == adjoint, bit for bit");
      checked++;
    }
    assertTrue(checked > 0, row + ": no gradient compared");
  }

  private static long[] bits(Tensor t) {
    if (t.dtype() == Tensor.DType.FLOAT64) {
      return Arrays.stream(t.toDoubleArray()).mapToLong(Double::doubleToRawLongBits).toArray();
    }
    float[] v = t.toFloatArray();
    long[] b = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = Float.floatToRawIntBits(v[i]);
    }
    return b;
  }

  /** Valid random inputs for each primitive: a default by parameter type, and the exceptions by method. */
  static final class Inputs {
    private Inputs() {}

    /** Overrides by {@code Owner.name(Type,...)} (simple type names): the receiver first for instance methods. */
    private static final Map<String, Function<Generator, Object[]>> SPECIAL = Map.ofEntries(
        Map.entry("Tensor.matmul(Tensor)", g -> new Object[] {pos(g, 3, 4), pos(g, 4, 2)}),
        Map.entry("Tensor.to(DType)", g -> new Object[] {pos(g, 3, 4), Tensor.DType.FLOAT64}),
        Map.entry("Tensor.toDouble()", g -> new Object[] {pos(g, 3, 4)}),
        Map.entry("Tensor.toFloat()", g -> new Object[] {f64(g, 3, 4)}),
        // session 10: the products PyTorch names apart from matmul, outer and addmm
        Map.entry("Tensor.mm(Tensor)", g -> new Object[] {pos(g, 3, 4), pos(g, 4, 2)}),
        Map.entry("Tensor.mv(Tensor)", g -> new Object[] {pos(g, 3, 4), pos(g, 4)}),
        Map.entry("Tensor.bmm(Tensor)", g -> new Object[] {pos(g, 2, 3, 4), pos(g, 2, 4, 2)}),
        Map.entry("Tensor.dot(Tensor)", g -> new Object[] {pos(g, 4), pos(g, 4)}),
        Map.entry("Tensor.outer(Tensor)", g -> new Object[] {pos(g, 3), pos(g, 4)}),
        Map.entry("Tensor.addmm(Tensor,Tensor)", g -> new Object[] {pos(g, 2), pos(g, 3, 4), pos(g, 4, 2)}),
        Map.entry("Tensor.cross(Tensor,int)", g -> new Object[] {pos(g, 4, 3), pos(g, 4, 3), 1}),
        // issue 15: linear algebra, float64
        Map.entry("Linalg.cholesky(Tensor)", g -> new Object[] {spd(g)}),
        Map.entry("Linalg.choleskySolve(Tensor,Tensor)",
            g -> new Object[] {f64(g, 3, 2), dev.adjoint.linalg.DecompositionRules.cholesky(spd(g))}),
        Map.entry("Linalg.solveTriangular(Tensor,Tensor,boolean)", g -> new Object[] {spd(g), f64(g, 3, 2), true}),
        Map.entry("Linalg.solve(Tensor,Tensor)", g -> new Object[] {spd(g), f64(g, 3, 2)}),
        Map.entry("Linalg.inv(Tensor)", g -> new Object[] {spd(g)}),
        Map.entry("Linalg.det(Tensor)", g -> new Object[] {spd(g)}),
        Map.entry("Linalg.logabsdet(Tensor)", g -> new Object[] {spd(g)}),
        Map.entry("Linalg.logdet(Tensor)", g -> new Object[] {spd(g)}),
        Map.entry("Linalg.eigvalsh(Tensor)", g -> new Object[] {spd(g)}),
        Map.entry("Linalg.svdvals(Tensor)", g -> new Object[] {f64(g, 3, 4)}),
        Map.entry("Linalg.lstsq(Tensor,Tensor)", g -> new Object[] {f64(g, 4, 3), f64(g, 4, 2)}),
        Map.entry("Linalg.pinv(Tensor)", g -> new Object[] {f64(g, 3, 4)}),
        Map.entry("Linalg.vectorNorm(Tensor,double)", g -> new Object[] {f64(g, 3, 4), 3.0}),
        Map.entry("Linalg.vectorNorm(Tensor,double,int[],boolean)", g -> new Object[] {f64(g, 3, 4), 3.0,
            new int[] {-1}, false}),
        Map.entry("Linalg.matrixNorm(Tensor,String)", g -> new Object[] {f64(g, 3, 4), "nuc"}),
        Map.entry("Tensor.index(Tensor)", g -> new Object[] {pos(g, 4, 3), Tensor.indices(2, 0, 2, 3)}),
        Map.entry("Tensor.transpose(int,int)", g -> new Object[] {pos(g, 3, 4), 0, 1}),
        Map.entry("Tensor.slice(int,int,int)", g -> new Object[] {pos(g, 3, 4), 1, 1, 3}),
        Map.entry("Tensor.reshape(int[])", g -> new Object[] {pos(g, 3, 4), new int[] {2, -1}}),
        Map.entry("Tensor.unsafeView(int[])", g -> new Object[] {pos(g, 3, 4), new int[] {4, 3}}),
        Map.entry("Tensor.view(int[])", g -> new Object[] {pos(g, 3, 4), new int[] {4, 3}}),
        Map.entry("Tensor.contiguous()", g -> new Object[] {pos(g, 4, 3).t()}),
        Map.entry("Tensor.diagonal(int,int,int)", g -> new Object[] {pos(g, 3, 4), 1, 0, 1}),
        Map.entry("Tensor.diagonal()", g -> new Object[] {pos(g, 3, 4)}),
        Map.entry("Tensor.expand(int[])", g -> new Object[] {pos(g, 3, 1), new int[] {2, 3, 4}}),
        Map.entry("Tensor.expandAs(Tensor)", g -> new Object[] {pos(g, 3, 1), pos(g, 3, 4)}),
        Map.entry("Tensor.flatten(int,int)", g -> new Object[] {pos(g, 2, 3, 4), 0, 1}),
        Map.entry("Tensor.flatten()", g -> new Object[] {pos(g, 2, 3, 4)}),
        Map.entry("Tensor.permute(int[])", g -> new Object[] {pos(g, 3, 4), new int[] {1, 0}}),
        Map.entry("Tensor.unflatten(int,int[])", g -> new Object[] {pos(g, 3, 4), 1, new int[] {2, -1}}),
        Map.entry("Tensor.clamp(double,double)", g -> new Object[] {pos(g, 3, 4), 0.8, 1.2}),
        Map.entry("Tensor.asin()", g -> new Object[] {unit(g)}),
        Map.entry("Tensor.acos()", g -> new Object[] {unit(g)}),
        Map.entry("Tensor.var(int[],int,boolean)", g -> new Object[] {pos(g, 3, 4), new int[] {1}, 1, true}),
        Map.entry("Tensor.std(int[],int,boolean)", g -> new Object[] {pos(g, 3, 4), new int[] {0}, 0, false}),
        Map.entry("F.linear(Tensor,Tensor,Tensor)", g -> new Object[] {pos(g, 3, 4), pos(g, 2, 4), pos(g, 2)}),
        Map.entry("F.nllLoss(Tensor,Tensor)", g -> new Object[] {pos(g, 3, 4), Tensor.indices(1, 0, 3)}),
        Map.entry("F.crossEntropy(Tensor,Tensor)", g -> new Object[] {pos(g, 3, 4), Tensor.indices(1, 0, 3)}),
        Map.entry("F.binaryCrossEntropy(Tensor,Tensor)", g -> new Object[] {unit(g), unit(g)}),
        Map.entry("F.binaryCrossEntropy(Tensor,Tensor,Tensor,String)",
            g -> new Object[] {unit(g), unit(g), pos(g, 3, 4), "sum"}),
        Map.entry("F.hardtanh(Tensor,double,double)", g -> new Object[] {pos(g, 3, 4), 0.8, 1.2}),
        Map.entry("F.softplus(Tensor,double,double)", g -> new Object[] {pos(g, 3, 4), 2.0, 2.5}),
        Map.entry("F.gelu(Tensor,String)", g -> new Object[] {pos(g, 3, 4), "tanh"}),
        Map.entry("F.klDiv(Tensor,Tensor,String,boolean)", g -> new Object[] {pos(g, 3, 4), unit(g), "batchmean", false}),
        Map.entry("Linear.forward(Tensor)", g -> new Object[] {new Linear(4, 2, true, g), pos(g, 3, 4)}),
        Map.entry("ReLU.forward(Tensor)", g -> new Object[] {new ReLU(), Tensor.randn(g, 3, 4)}),
        Map.entry("Flatten.forward(Tensor)", g -> new Object[] {new Flatten(), pos(g, 2, 3, 4)}),
        // issue 18: convolution, pooling, normalisation, embedding, activation modules
        Map.entry("F.conv2d(Tensor,Tensor,Tensor)", g -> new Object[] {pos(g, 2, 3, 5, 5), pos(g, 4, 3, 3, 3), pos(g, 4)}),
        Map.entry("F.conv2d(Tensor,Tensor,Tensor,int[],int[],int[],int)", g -> new Object[] {pos(g, 2, 4, 6, 5),
            pos(g, 4, 2, 3, 3), pos(g, 4), new int[] {2}, new int[] {1}, new int[] {1}, 2}),
        Map.entry("F.conv2d(Tensor,Tensor,Tensor,int[],String,int[],int)", g -> new Object[] {pos(g, 2, 2, 5, 5),
            pos(g, 3, 2, 2, 3), pos(g, 3), new int[] {1}, "same", new int[] {1}, 1}),
        Map.entry("F.conv1d(Tensor,Tensor,Tensor,int[],int[],int[],int)", g -> new Object[] {pos(g, 2, 3, 7),
            pos(g, 4, 3, 3), pos(g, 4), new int[] {2}, new int[] {1}, new int[] {1}, 1}),
        Map.entry("F.conv1d(Tensor,Tensor,Tensor,int[],String,int[],int)", g -> new Object[] {pos(g, 2, 3, 7),
            pos(g, 4, 3, 3), pos(g, 4), new int[] {1}, "same", new int[] {2}, 1}),
        Map.entry("F.convTranspose2d(Tensor,Tensor,Tensor,int[],int[],int[],int,int[])", g -> new Object[] {
            pos(g, 2, 4, 3, 4), pos(g, 4, 3, 3, 2), pos(g, 6), new int[] {2}, new int[] {1, 0}, new int[] {1, 0}, 2,
            new int[] {1}}),
        Map.entry("F.convTranspose1d(Tensor,Tensor,Tensor,int[],int[],int[],int,int[])", g -> new Object[] {
            pos(g, 2, 3, 5), pos(g, 3, 2, 3), pos(g, 2), new int[] {2}, new int[] {1}, new int[] {1}, 1,
            new int[] {1}}),
        Map.entry("F.maxPool2d(Tensor,int[],int[],int[],int[],boolean)", g -> new Object[] {pos(g, 2, 3, 6, 6),
            new int[] {2}, new int[0], new int[] {0}, new int[] {1}, false}),
        Map.entry("F.avgPool2d(Tensor,int[],int[],int[],boolean,boolean)", g -> new Object[] {pos(g, 2, 3, 6, 6),
            new int[] {3}, new int[] {2}, new int[] {1}, false, true}),
        Map.entry("F.maxPool2d(Tensor,int)", g -> new Object[] {pos(g, 2, 3, 6, 6), 2}),
        Map.entry("F.avgPool2d(Tensor,int)", g -> new Object[] {pos(g, 2, 3, 7, 6), 3}),
        Map.entry("F.adaptiveAvgPool2d(Tensor,int[])", g -> new Object[] {pos(g, 2, 3, 7, 5), new int[] {3, 2}}),
        Map.entry("F.batchNorm(Tensor,Tensor,Tensor,Tensor,Tensor,boolean,double,double)", g -> new Object[] {
            pos(g, 4, 3, 5), Tensor.zeros(3), Tensor.ones(3), pos(g, 3), pos(g, 3), true, 0.1, 1e-5}),
        Map.entry("F.layerNorm(Tensor,int[],Tensor,Tensor,double)", g -> new Object[] {pos(g, 3, 4, 5), new int[] {5},
            pos(g, 5), pos(g, 5), 1e-5}),
        Map.entry("F.groupNorm(Tensor,int,Tensor,Tensor,double)", g -> new Object[] {pos(g, 2, 6, 4), 3, pos(g, 6),
            pos(g, 6), 1e-5}),
        Map.entry("F.embedding(Tensor,Tensor,int)", g -> new Object[] {Tensor.indices(1, 4, 0, 4), pos(g, 5, 3), 0}),
        Map.entry("Conv2d.forward(Tensor)", g -> new Object[] {new Conv2d(2, 4, new int[] {3}, new int[] {1},
            new int[] {1}, new int[] {1}, 1, true, g), pos(g, 2, 2, 5, 5)}),
        Map.entry("ConvTranspose2d.forward(Tensor)", g -> new Object[] {new ConvTranspose2d(2, 4, new int[] {3},
            new int[] {2}, new int[] {1}, new int[] {1}, 1, true, new int[] {1}, g), pos(g, 2, 2, 3, 3)}),
        Map.entry("ConvTranspose1d.forward(Tensor)", g -> new Object[] {new ConvTranspose1d(2, 4, 3, 2, 1, 0, 2, true, 1,
            g), pos(g, 2, 2, 5)}),
        Map.entry("Conv1d.forward(Tensor)", g -> new Object[] {new Conv1d(2, 4, 3, 1, 1, 1, 1, true, g),
            pos(g, 2, 2, 6)}),
        Map.entry("MaxPool2d.forward(Tensor)", g -> new Object[] {new MaxPool2d(2), pos(g, 2, 3, 4, 4)}),
        Map.entry("AvgPool2d.forward(Tensor)", g -> new Object[] {new AvgPool2d(2), pos(g, 2, 3, 4, 4)}),
        Map.entry("AdaptiveAvgPool2d.forward(Tensor)", g -> new Object[] {new AdaptiveAvgPool2d(2), pos(g, 2, 3, 5, 5)}),
        Map.entry("BatchNorm1d.forward(Tensor)", g -> new Object[] {new BatchNorm1d(3), pos(g, 4, 3)}),
        Map.entry("BatchNorm2d.forward(Tensor)", g -> new Object[] {new BatchNorm2d(3), pos(g, 2, 3, 2, 2)}),
        Map.entry("LayerNorm.forward(Tensor)", g -> new Object[] {new LayerNorm(4), pos(g, 3, 4)}),
        Map.entry("GroupNorm.forward(Tensor)", g -> new Object[] {new GroupNorm(2, 4), pos(g, 2, 4, 3)}),
        Map.entry("Embedding.forward(Tensor)", g -> new Object[] {new Embedding(5, 3, 1, g), Tensor.indices(1, 4, 1)}),
        Map.entry("GELU.forward(Tensor)", g -> new Object[] {new GELU(), Tensor.randn(g, 3, 4)}),
        Map.entry("SiLU.forward(Tensor)", g -> new Object[] {new SiLU(), Tensor.randn(g, 3, 4)}),
        Map.entry("LeakyReLU.forward(Tensor)", g -> new Object[] {new LeakyReLU(0.2), Tensor.randn(g, 3, 4)}),
        Map.entry("Softplus.forward(Tensor)", g -> new Object[] {new Softplus(2, 1), Tensor.randn(g, 3, 4)}),
        Map.entry("Tanh.forward(Tensor)", g -> new Object[] {new Tanh(), Tensor.randn(g, 3, 4)}),
        Map.entry("Sigmoid.forward(Tensor)", g -> new Object[] {new Sigmoid(), Tensor.randn(g, 3, 4)}),
        // issue 13: indexing (index tensors INT64, masks BOOL: never differentiable)
        Map.entry("Tensor.index(Tensor[])", g -> new Object[] {pos(g, 3, 4), new Tensor[] {null, Tensor.indices(3, 0, 3)}}),
        Map.entry("Tensor.indexPut(Tensor[],Tensor,boolean)",
            g -> new Object[] {pos(g, 4, 3), new Tensor[] {Tensor.indices(2, 0)}, pos(g, 2, 3), false}),
        Map.entry("Tensor.gather(int,Tensor)", g -> new Object[] {pos(g, 3, 4), 1, cols()}),
        Map.entry("Tensor.scatter(int,Tensor,Tensor)", g -> new Object[] {pos(g, 3, 4), 1, cols(), pos(g, 3, 2)}),
        Map.entry("Tensor.scatter(int,Tensor,double)", g -> new Object[] {pos(g, 3, 4), 1, cols(), 2.5}),
        Map.entry("Tensor.scatterAdd(int,Tensor,Tensor)", g -> new Object[] {pos(g, 3, 4), 1, cols(), pos(g, 3, 2)}),
        Map.entry("Tensor.indexSelect(int,Tensor)", g -> new Object[] {pos(g, 3, 4), 1, Tensor.indices(3, 0, 3)}),
        Map.entry("Tensor.maskedFill(Tensor,double)", g -> new Object[] {pos(g, 3, 4), mask(g), 1.5}),
        Map.entry("Tensor.maskedSelect(Tensor)", g -> new Object[] {pos(g, 3, 4), mask(g)}),
        Map.entry("Tensor.where(Tensor,Tensor,Tensor)", g -> new Object[] {mask(g), pos(g, 3, 4), pos(g, 3, 4)}),
        Map.entry("Tensor.where(Tensor,Tensor,double)", g -> new Object[] {mask(g), pos(g, 3, 4), 0.5}),
        Map.entry("Tensor.where(Tensor,double,Tensor)", g -> new Object[] {mask(g), 0.5, pos(g, 3, 4)}),
        Map.entry("Tensor.repeat(int[])", g -> new Object[] {pos(g, 3, 4), new int[] {2, 1}}),
        Map.entry("Tensor.tile(int[])", g -> new Object[] {pos(g, 3, 4), new int[] {2}}),
        Map.entry("Tensor.flip(int[])", g -> new Object[] {pos(g, 3, 4), new int[] {0}}),
        Map.entry("Tensor.roll(int[],int[])", g -> new Object[] {pos(g, 3, 4), new int[] {1}, new int[] {1}}),
        Map.entry("F.nllLoss(Tensor,Tensor,Tensor,int,String)",
            g -> new Object[] {pos(g, 3, 4), Tensor.indices(1, 0, 3), pos(g, 4), 0, "mean"}),
        Map.entry("F.crossEntropy(Tensor,Tensor,Tensor,int,String,double)",
            g -> new Object[] {pos(g, 3, 4), Tensor.indices(1, 0, 3), pos(g, 4), 3, "mean", 0.1}),
        Map.entry("Tensor.sortValues(int,boolean,Tensor)", g -> {
          Tensor x = pos(g, 3, 4);
          return new Object[] {x, 1, true, x.argsort(1, false)};
        }),
        Map.entry("Tensor.topkValues(int,Tensor)", g -> {
          Tensor x = pos(g, 3, 4);
          return new Object[] {x, 1, x.topk(2, 1, true, true).indices()};
        }));

    /** Standard normal float64 values. */
    private static Tensor f64(Generator g, int... shape) {
      return Tensor.randn(g, shape, Tensor.DType.FLOAT64);
    }

    /** A float64 3×3 symmetric positive-definite matrix, well conditioned ({@code X Xᵀ + 3I}). */
    private static Tensor spd(Generator g) {
      Tensor x = f64(g, 3, 3);
      double[] v = x.matmul(x.t()).toDoubleArray();
      for (int i = 0; i < 3; i++) {
        v[i * 3 + i] += 3;
      }
      return Tensor.wrap(v, 3, 3);
    }

    /** An INT64 (3, 2) index along dimension 1 of a (3, 4) tensor, distinct within each row. */
    private static Tensor cols() {
      return Tensor.wrap(new float[] {0, 3, 1, 2, 2, 0}, new int[] {3, 2}, Tensor.DType.INT64);
    }

    /** A BOOL (3, 4) mask. */
    private static Tensor mask(Generator g) {
      return Tensor.rand(g, 3, 4).gt(0.5);
    }

    static Object[] of(Method m, Generator g) {
      String key = m.getDeclaringClass().getSimpleName() + "." + m.getName() + "("
          + String.join(",", Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName).toList()) + ")";
      Object[] args = SPECIAL.containsKey(key) ? SPECIAL.get(key).apply(g) : byType(m, g);
      for (Object a : args) {
        if (a instanceof Tensor t && t.dtype().isFloatingPoint()) {
          t.requiresGrad(true);
        } else if (a instanceof List<?> l) {
          l.forEach(o -> ((Tensor) o).requiresGrad(true));
        }
      }
      return args;
    }

    private static Object[] byType(Method m, Generator g) {
      List<Object> args = new ArrayList<>();
      if (!Modifier.isStatic(m.getModifiers())) {
        args.add(pos(g, 3, 4));
      }
      for (Class<?> t : m.getParameterTypes()) {
        if (t == Tensor.class) {
          args.add(pos(g, 3, 4));
        } else if (t == double.class) {
          args.add(1.5);
        } else if (t == int.class) {
          args.add(1);
        } else if (t == boolean.class) {
          args.add(true);
        } else if (t == int[].class) {
          args.add(new int[] {1});
        } else if (t == String.class) {
          args.add("sum");
        } else if (t == List.class) {
          args.add(List.of(pos(g, 3, 4), pos(g, 3, 4), pos(g, 3, 4)));
        } else {
          throw new IllegalStateException("no input of type " + t + " for " + m);
        }
      }
      return args.toArray();
    }

    /** The adjoint's inputs: the receiver and parameters, then the receiver inputs' values. */
    static Object[] withReceiverInputs(Method m, Primitive p, Object[] args) throws Exception {
      Object[] in = Arrays.copyOf(args, args.length + p.receiverInputs().length);
      for (int i = 0; i < p.receiverInputs().length; i++) {
        in[args.length + i] = m.getDeclaringClass().getMethod(p.receiverInputs()[i]).invoke(args[0]);
      }
      return in;
    }

    /** The node's inputs in order: tensors, a list's elements in place, null for anything else. */
    static List<Tensor> tensors(Object[] inputs) {
      List<Tensor> out = new ArrayList<>();
      for (Object a : inputs) {
        if (a instanceof List<?> l) {
          l.forEach(o -> out.add((Tensor) o));
        } else {
          out.add(a instanceof Tensor t ? t : null);
        }
      }
      return out;
    }

    /** Values in [0.5, 1.5): inside every domain here (log, sqrt, pow, reciprocal), without ties. */
    private static Tensor pos(Generator g, int... shape) {
      Tensor t = Tensor.rand(g, shape);
      float[] d = t.storage();
      for (int i = 0; i < d.length; i++) {
        d[i] += 0.5f;
      }
      return t;
    }

    /** Probabilities in [0.1, 0.9), shape (3, 4). */
    private static Tensor unit(Generator g) {
      Tensor t = Tensor.rand(g, 3, 4);
      float[] d = t.storage();
      for (int i = 0; i < d.length; i++) {
        d[i] = 0.1f + 0.8f * d[i];
      }
      return t;
    }
  }
}
