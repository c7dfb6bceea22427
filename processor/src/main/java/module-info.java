/**
 * Adjoint's annotation processor: reads {@code @Differentiable} bodies and writes their companions.
 *
 * <p>javac finds processors on the processor path, where this descriptor is ignored; it serves builds that put the
 * processor on a processor module path ({@code --processor-module-path}), which find it as a service. It exports
 * nothing. Like the runtime's, it is compiled a second time for release 17 so that Maven's own JDK can package it
 * (docs/DECISIONS.md, "Modules").
 */
@SuppressWarnings("requires-automatic") // JavaPoet and AutoService name their modules in their manifests
module dev.adjoint.processor {
  requires java.compiler;
  requires jdk.compiler;
  requires dev.adjoint.runtime;
  requires com.palantir.javapoet;
  requires static com.google.auto.service;

  provides javax.annotation.processing.Processor with dev.adjoint.processor.AdjointProcessor;
}
