package dev.adjoint.processor;

import com.google.auto.service.AutoService;
import com.sun.source.util.Trees;
import dev.adjoint.processor.diag.Diagnostics;
import dev.adjoint.processor.diag.Message;
import dev.adjoint.processor.front.TypeResolver;
import dev.adjoint.processor.rules.RuleCatalog;
import dev.adjoint.processor.step.DerivativeStep;
import dev.adjoint.processor.step.DifferentiableStep;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.ElementFilter;
import javax.tools.Diagnostic;

/**
 * The Adjoint annotation processor: writes reverse-mode derivative code for {@code @Differentiable}
 * methods. A thin driver over two steps (see {@code processor/README.md} for the pipeline):
 * {@link DerivativeStep} registers {@code @Derivative} rules, then {@link DifferentiableStep}
 * differentiates each method and writes one {@code <Class>Diff} per class.
 *
 * <p>Options:
 * <ul>
 *   <li>{@code -Aadjoint.dump=ir,reverse,simplified}: print the named stages of every method as
 *       compiler notes (any subset, comma-separated).
 *   <li>{@code -Aadjoint.report=true}: one note per method saying what its forward saves for the
 *       backward per call, and per iteration of each loop (pushed values, branch decisions, trip
 *       counts of nested loops); and for each method without an {@code fHvp}, a note
 *       {@code [Adjoint/noHvp]} naming the call, rule or statement that blocks it (also in its
 *       {@code fJvp}'s javadoc).
 *   <li>{@code -Aadjoint.failOn=<method>}: for the processor's own tests only, throws inside the
 *       pipeline for methods of that name, to check that a crash becomes one
 *       {@code [Adjoint/InternalError]} and compilation continues.
 *   <li>{@code -Aadjoint.checks=true}: also write {@code <Class>DiffChecks}, seeded checks of every generated
 *       JVP against central differences and against the pullback (run by {@code DiffChecks.assertAll}).
 *   <li>{@code -Aadjoint.shapes=false}: skip {@code @Shape} checking (the report then has no tape line); for
 *       timing the processor with and without it.
 *   <li>{@code -Aadjoint.claim=false}: leave Adjoint's annotations unclaimed (see {@link #CLAIMED}); the processor
 *       then supports {@code "*"} ({@link #getSupportedAnnotationTypes}).
 * </ul>
 *
 * <p>Bodies are read through the {@code com.sun.source} Trees API, so the processor needs javac;
 * under another compiler it reports one {@code [Adjoint/UnsupportedCompiler]} error.
 */
@AutoService(Processor.class)
public final class AdjointProcessor extends AbstractProcessor {
  /** The option selecting dumps. */
  public static final String DUMP_OPTION = "adjoint.dump";
  /** The option printing what each method's forward saves. */
  public static final String REPORT_OPTION = "adjoint.report";
  /** The option that writes {@code <Class>DiffChecks}, generated checks of every derivative. */
  public static final String CHECKS_OPTION = "adjoint.checks";
  /** The option that, set to {@code false}, skips {@code @Shape} checking (for timing it). */
  public static final String SHAPES_OPTION = "adjoint.shapes";
  /** The option that simulates a crash (tests). */
  public static final String FAIL_ON_OPTION = "adjoint.failOn";
  /** The option that, set to {@code false}, leaves Adjoint's annotations unclaimed. */
  public static final String CLAIM_OPTION = "adjoint.claim";

  private DerivativeStep derivatives;
  private DifferentiableStep differentiables;
  private Diagnostics diagnostics;
  private boolean unsupportedCompiler;
  private boolean claim = true;

  /**
   * Adjoint's annotations, which this processor claims ({@link #process} returns {@code true}) so that
   * {@code javac -Xlint:processing} does not report them as unclaimed: {@code @Differentiable} and
   * {@code @Derivative}, which it processes, and the markers it writes or reads without processing in
   * the compiled sources: {@code @Primitive}, {@code @AdjointGenerated}, {@code @Domain}, {@code @Shape} and {@code @Generated} (on every
   * generated {@code <Class>Diff}). javac's rule for claims: in a round where every annotation present
   * is claimed, processors later on the processor path that support {@code "*"} and have not run yet
   * are not called. Put such processors before Adjoint, or pass {@code -Aadjoint.claim=false}.
   */
  static final Set<String> CLAIMED = Set.of(RuleCatalog.DIFFERENTIABLE, RuleCatalog.DERIVATIVE,
      RuleCatalog.PRIMITIVE, "dev.adjoint.annotation.AdjointGenerated", "dev.adjoint.annotation.Domain",
      "dev.adjoint.annotation.Shape",
      "javax.annotation.processing.Generated");

  /**
   * {@link #CLAIMED}; with {@code -Aadjoint.claim=false}, {@code "*"}. javac counts a processor's options as
   * recognized only once it has called the processor, which it does for a round holding one of its annotation
   * types (or any, for {@code "*"}): in a compilation without Adjoint's annotations (a test source set, when
   * {@code compilerArgs} pass the option to {@code testCompile} too) it would warn "The following options were
   * not recognized by any processor: '[adjoint.claim]'". A processor that claims nothing may support
   * {@code "*"} at no cost to the others: it is called in every round and returns {@code false}.
   */
  @Override
  public Set<String> getSupportedAnnotationTypes() {
    return claim ? CLAIMED : Set.of("*");
  }

  @Override
  public Set<String> getSupportedOptions() {
    return Set.of(DUMP_OPTION, FAIL_ON_OPTION, REPORT_OPTION, CLAIM_OPTION, CHECKS_OPTION, SHAPES_OPTION);
  }

  @Override
  public SourceVersion getSupportedSourceVersion() {
    return SourceVersion.latestSupported();
  }

  @Override
  public synchronized void init(ProcessingEnvironment env) {
    super.init(env);
    claim = !"false".equals(env.getOptions().get(CLAIM_OPTION));
    Trees trees;
    try {
      trees = Trees.instance(javacEnvironment(env));
    } catch (IllegalArgumentException | NoClassDefFoundError e) {
      unsupportedCompiler = true;
      return;
    }
    diagnostics = new Diagnostics(trees, env.getMessager());
    RuleCatalog catalog = new RuleCatalog(env.getElementUtils(), env.getTypeUtils());
    TypeResolver resolver = new TypeResolver(env.getElementUtils(), env.getTypeUtils());
    Set<String> dump = new HashSet<>();
    String option = env.getOptions().get(DUMP_OPTION);
    if (option != null) {
      for (String s : option.split(",")) {
        dump.add(s.trim());
      }
    }
    if (Boolean.parseBoolean(env.getOptions().get(REPORT_OPTION))) {
      dump.add("report");
    }
    if ("false".equals(env.getOptions().get(SHAPES_OPTION))) {
      dump.add("noshapes");
    }
    if (Boolean.parseBoolean(env.getOptions().get(CHECKS_OPTION))) {
      dump.add("checks");
    }
    derivatives = new DerivativeStep(catalog, diagnostics);
    differentiables = new DifferentiableStep(trees, resolver, catalog, diagnostics, env.getFiler(), dump,
        env.getElementUtils(), env.getTypeUtils(), env.getOptions().getOrDefault(FAIL_ON_OPTION, ""));
  }

  /**
   * The compiler's own environment under a build tool's wrapper, for {@link Trees#instance}, which accepts
   * only javac's. Gradle's incremental annotation processing wraps the environment to watch the
   * {@code Filer} (its {@code IncrementalProcessingEnvironment} exposes the wrapped one through a public
   * {@code getDelegateProcessingEnvironment()}, called here by reflection so that no Gradle type is needed).
   * Everything else, the {@code Filer} above all, is still taken from the wrapper, so the build tool sees
   * every generated file and its originating elements.
   */
  static ProcessingEnvironment javacEnvironment(ProcessingEnvironment env) {
    ProcessingEnvironment e = env;
    for (int depth = 0; depth < 4 && !e.getClass().getName().equals(JAVAC_ENVIRONMENT); depth++) {
      try {
        java.lang.reflect.Method m = e.getClass().getMethod("getDelegateProcessingEnvironment");
        m.setAccessible(true); // Gradle's wrapper class is package-private
        e = (ProcessingEnvironment) m.invoke(e);
      } catch (ReflectiveOperationException | RuntimeException notAWrapper) {
        return e;
      }
    }
    return e;
  }

  private static final String JAVAC_ENVIRONMENT = "com.sun.tools.javac.processing.JavacProcessingEnvironment";

  @Override
  public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    boolean ours = annotations.stream().anyMatch(a -> CLAIMED.contains(a.getQualifiedName().toString()));
    if (!ours && (unsupportedCompiler || !differentiables.hasDeferred())) {
      return false;
    }
    if (unsupportedCompiler) {
      processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR,
          Message.UNSUPPORTED_COMPILER.format(processingEnv.getClass().getName()));
      unsupportedCompiler = false;
      return claim;
    }
    TypeElement derivative = processingEnv.getElementUtils().getTypeElement(RuleCatalog.DERIVATIVE);
    TypeElement differentiable = processingEnv.getElementUtils().getTypeElement(RuleCatalog.DIFFERENTIABLE);
    if (derivative != null) {
      for (ExecutableElement rule : ElementFilter.methodsIn(round.getElementsAnnotatedWith(derivative))) {
        derivatives.process(rule);
      }
    }
    List<ExecutableElement> methods = new ArrayList<>();
    if (differentiable != null) {
      methods.addAll(ElementFilter.methodsIn(round.getElementsAnnotatedWith(differentiable)));
    }
    differentiables.process(methods, round.processingOver());
    return claim; // when claiming, `annotations` holds only CLAIMED ones
  }
}
