package dev.adjoint.processor.meta;

import dev.adjoint.processor.front.BodyReader;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;
import javax.tools.JavaFileObject;

/**
 * Reads derivative metadata back from a companion's class file through {@link Elements} (never from
 * source: the companion of a library class exists only as a class file in its jar), and says where a
 * class came from, so that an error names the jar.
 */
public final class MetadataReader {
  /** The annotation carrying the metadata. */
  public static final String ANNOTATION = "dev.adjoint.annotation.AdjointGenerated";

  /** What a lookup of a method compiled elsewhere found. */
  public sealed interface Lookup {
    /**
     * The method's metadata.
     *
     * @param method what the companion says about it
     * @param companion the companion's simple name
     * @param location where the companion came from
     */
    record Found(DerivativeMetadata.Method method, String companion, String location) implements Lookup {}

    /**
     * No companion on the class path: the class was compiled without the processor.
     *
     * @param companion the companion's simple name
     * @param location where the method's class came from
     */
    record Missing(String companion, String location) implements Lookup {}

    /**
     * A companion whose metadata cannot be used.
     *
     * @param companion the companion's simple name
     * @param location where the companion came from
     * @param reason why, as a clause
     */
    record Stale(String companion, String location, String reason) implements Lookup {}
  }

  private final Elements elements;
  private final Types types;

  /** A reader over the compiler's element and type utilities. */
  public MetadataReader(Elements elements, Types types) {
    this.elements = elements;
    this.types = types;
  }

  /** The metadata of {@code m}, a {@code @Differentiable} method of a class compiled elsewhere. */
  public Lookup lookup(ExecutableElement m) {
    TypeElement owner = (TypeElement) m.getEnclosingElement();
    String pkg = BodyReader.packageOf(owner);
    String simple = BodyReader.companionName(owner);
    TypeElement companion = elements.getTypeElement(pkg.isEmpty() ? simple : pkg + "." + simple);
    if (companion == null) {
      return new Lookup.Missing(simple, location(owner));
    }
    Optional<DerivativeMetadata> read = read(companion);
    int version = read.map(DerivativeMetadata::version).orElse(0);
    if (version != DerivativeMetadata.FORMAT) {
      return new Lookup.Stale(simple, location(companion), version == 0
          ? "was written by an Adjoint processor without derivative metadata (format 0; this processor reads"
              + " format " + DerivativeMetadata.FORMAT + ")"
          : "holds derivative metadata of format " + version + ", and this processor reads format "
              + DerivativeMetadata.FORMAT);
    }
    String params = parameters(m, types);
    for (DerivativeMetadata.Method method : read.get().methods()) {
      if (method.name().equals(m.getSimpleName().toString()) && method.parameters().equals(params)) {
        return new Lookup.Found(method, simple, location(companion));
      }
    }
    return new Lookup.Stale(simple, location(companion), "has no derivative of " + m.getSimpleName() + "(" + params
        + "), so " + owner.getSimpleName() + " was changed and compiled again without the Adjoint processor");
  }

  /** The metadata on a companion, if it carries {@code @AdjointGenerated}. */
  public Optional<DerivativeMetadata> read(TypeElement companion) {
    AnnotationMirror a = mirror(companion.getAnnotationMirrors(), ANNOTATION);
    if (a == null) {
      return Optional.empty();
    }
    Map<String, Object> v = values(a);
    int version = v.get("version") instanceof Integer i ? i : 0;
    String from = v.get("from") instanceof String f ? f : "";
    if (version != DerivativeMetadata.FORMAT) {
      return Optional.of(new DerivativeMetadata(from, version, List.of(), List.of())); // another layout: not read
    }
    List<DerivativeMetadata.Method> methods = new ArrayList<>();
    for (AnnotationMirror m : mirrors(v.get("methods"))) {
      Map<String, Object> mv = values(m);
      List<DerivativeMetadata.Field> fields = new ArrayList<>();
      for (AnnotationMirror f : mirrors(mv.get("fields"))) {
        Map<String, Object> fv = values(f);
        fields.add(new DerivativeMetadata.Field((String) fv.get("path"), (String) fv.get("component")));
      }
      methods.add(new DerivativeMetadata.Method((String) mv.get("name"), (String) mv.get("parameters"),
          (Boolean) mv.get("isStatic"), strings(mv.get("gradients")), List.copyOf(fields),
          (Boolean) mv.get("tracked"), strings(mv.get("saved")), (String) mv.get("jvp")));
    }
    List<DerivativeMetadata.Rule> rules = new ArrayList<>();
    for (AnnotationMirror r : mirrors(v.get("rules"))) {
      Map<String, Object> rv = values(r);
      rules.add(new DerivativeMetadata.Rule((String) rv.get("of"), (String) rv.get("method"), (String) rv.get("rule"),
          (Integer) rv.get("wrt"), rv.get("kind") instanceof String k ? k : "VJP"));
    }
    return Optional.of(new DerivativeMetadata(from, version, List.copyOf(methods), List.copyOf(rules)));
  }

  /** A method's parameter types, erased and comma-separated: how metadata tells overloads apart. */
  public static String parameters(ExecutableElement m, Types types) {
    List<String> out = new ArrayList<>();
    for (var p : m.getParameters()) {
      out.add(types.erasure(p.asType()).toString());
    }
    return String.join(",", out);
  }

  /**
   * Where a class came from, for messages: the jar holding its class file, else the class file, else
   * its source file; {@code "an unknown location"} when the compiler does not say.
   */
  public String location(TypeElement type) {
    JavaFileObject file;
    try {
      file = elements.getFileObjectOf(type);
    } catch (RuntimeException e) {
      file = null;
    }
    if (file == null) {
      return "an unknown location";
    }
    URI uri = file.toUri();
    if ("jar".equals(uri.getScheme())) {
      String s = uri.getRawSchemeSpecificPart();
      int bang = s.indexOf("!/");
      try {
        return Path.of(URI.create(bang < 0 ? s : s.substring(0, bang))).toString();
      } catch (RuntimeException e) {
        return s;
      }
    }
    if ("file".equals(uri.getScheme())) {
      return Path.of(uri).toString();
    }
    return file.getName();
  }

  private static AnnotationMirror mirror(List<? extends AnnotationMirror> all, String name) {
    for (AnnotationMirror m : all) {
      if (((TypeElement) m.getAnnotationType().asElement()).getQualifiedName().contentEquals(name)) {
        return m;
      }
    }
    return null;
  }

  private Map<String, Object> values(AnnotationMirror m) {
    Map<String, Object> out = new java.util.HashMap<>();
    for (var e : elements.getElementValuesWithDefaults(m).entrySet()) {
      out.put(e.getKey().getSimpleName().toString(), e.getValue().getValue());
    }
    return out;
  }

  private static List<AnnotationMirror> mirrors(Object array) {
    List<AnnotationMirror> out = new ArrayList<>();
    for (Object v : (List<?>) array) {
      out.add((AnnotationMirror) ((AnnotationValue) v).getValue());
    }
    return out;
  }

  private static List<String> strings(Object array) {
    List<String> out = new ArrayList<>();
    for (Object v : (List<?>) array) {
      out.add((String) ((AnnotationValue) v).getValue());
    }
    return List.copyOf(out);
  }
}
