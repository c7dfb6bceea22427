package dev.adjoint.processor.front;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.ImportTree;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.Tree;
import dev.adjoint.processor.ir.Type;
import dev.adjoint.processor.rules.RuleCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * Resolves the types the subset needs without attributing the body: type names through the
 * compilation unit's imports, its package and {@code java.lang}; method overloads by Java's widening
 * rules over the argument types the front end computed; fields through {@link Elements}. This is the
 * closed world of ARCHITECTURE's front end: everything else is reported, not guessed.
 */
public final class TypeResolver {
  private final Elements elements;
  private final Types types;

  /** A resolver over the compiler's element utilities. */
  public TypeResolver(Elements elements, Types types) {
    this.elements = elements;
    this.types = types;
  }

  /** The IR type of a type mirror. */
  public Type typeOf(TypeMirror t) {
    return switch (t.getKind()) {
      case DOUBLE -> Type.DOUBLE;
      case FLOAT -> Type.FLOAT;
      case LONG -> Type.LONG;
      case INT, SHORT, BYTE, CHAR -> Type.INT;
      case BOOLEAN -> Type.BOOLEAN;
      case VOID -> Type.VOID;
      case ERROR -> Type.ERROR;
      default -> RuleCatalog.isTensor(t) ? Type.TENSOR : Type.other(t.toString());
    };
  }

  /** Resolves a type name as written in {@code unit} (simple, nested or qualified). */
  public Optional<TypeElement> resolveTypeName(String name, CompilationUnitTree unit, TypeElement enclosing) {
    String first = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
    String rest = name.contains(".") ? name.substring(name.indexOf('.')) : "";
    List<String> candidates = new ArrayList<>();
    // a nested type of the enclosing class or its outer classes
    for (Element e = enclosing; e instanceof TypeElement te; e = e.getEnclosingElement()) {
      candidates.add(te.getQualifiedName() + "." + first + rest);
      if (te.getSimpleName().contentEquals(first)) {
        candidates.add(te.getQualifiedName() + rest);
      }
    }
    for (ImportTree imp : unit.getImports()) {
      if (imp.isStatic()) {
        continue;
      }
      String q = imp.getQualifiedIdentifier().toString();
      if (q.endsWith("." + first)) {
        candidates.add(q + rest);
      }
    }
    String pkg = unit.getPackageName() == null ? "" : unit.getPackageName().toString();
    candidates.add(pkg.isEmpty() ? name : pkg + "." + name);
    for (ImportTree imp : unit.getImports()) {
      String q = imp.getQualifiedIdentifier().toString();
      if (!imp.isStatic() && q.endsWith(".*")) {
        candidates.add(q.substring(0, q.length() - 1) + name);
      }
    }
    candidates.add("java.lang." + name);
    candidates.add(name);
    for (String c : candidates) {
      TypeElement te = elements.getTypeElement(c);
      if (te != null) {
        return Optional.of(te);
      }
    }
    return Optional.empty();
  }

  /** The IR type of a declared type tree ({@code double}, {@code Tensor}, {@code int[]} ...). */
  public Type typeOfTree(Tree tree, CompilationUnitTree unit, TypeElement enclosing) {
    switch (tree.getKind()) {
      case PRIMITIVE_TYPE:
        return switch (((com.sun.source.tree.PrimitiveTypeTree) tree).getPrimitiveTypeKind()) {
          case DOUBLE -> Type.DOUBLE;
          case FLOAT -> Type.FLOAT;
          case LONG -> Type.LONG;
          case INT, SHORT, BYTE, CHAR -> Type.INT;
          case BOOLEAN -> Type.BOOLEAN;
          default -> Type.other(tree.toString());
        };
      case IDENTIFIER:
      case MEMBER_SELECT:
        return resolveTypeName(tree.toString(), unit, enclosing)
            .map(te -> typeOf(te.asType()))
            .orElse(Type.ERROR);
      default:
        return Type.other(tree.toString());
    }
  }

  /** The static-imported methods named {@code name} of a compilation unit. */
  public List<ExecutableElement> staticImports(String name, CompilationUnitTree unit) {
    List<ExecutableElement> found = new ArrayList<>();
    for (ImportTree imp : unit.getImports()) {
      if (!imp.isStatic() || !(imp.getQualifiedIdentifier() instanceof MemberSelectTree ms)) {
        continue;
      }
      String member = ms.getIdentifier().toString();
      if (!member.equals("*") && !member.equals(name)) {
        continue;
      }
      TypeElement owner = elements.getTypeElement(ms.getExpression().toString());
      if (owner != null) {
        found.addAll(methodsNamed(owner, name).stream().filter(m -> m.getModifiers().contains(Modifier.STATIC)).toList());
      }
    }
    return found;
  }

  /** The methods named {@code name} of {@code owner}, inherited ones included. */
  public List<ExecutableElement> methodsNamed(TypeElement owner, String name) {
    return ElementFilter.methodsIn(elements.getAllMembers(owner)).stream()
        .filter(m -> m.getSimpleName().contentEquals(name))
        .toList();
  }

  /** The field named {@code name} of {@code owner}, inherited ones included. */
  public Optional<VariableElement> field(TypeElement owner, String name) {
    return ElementFilter.fieldsIn(elements.getAllMembers(owner)).stream()
        .filter(f -> f.getSimpleName().contentEquals(name))
        .findFirst();
  }

  /** Whether {@code t} is a {@link Throwable} (an exception a guard throws): it holds no differentiable value. */
  /** Whether {@code t} is a {@code dev.adjoint.nn.Module} (a layer, a Sequential, a ModuleList, a user module). */
  public boolean isModule(Type t) {
    Optional<TypeElement> c = classOf(t);
    TypeElement module = elements.getTypeElement("dev.adjoint.nn.Module");
    return c.isPresent() && module != null
        && types.isSubtype(types.erasure(c.get().asType()), types.erasure(module.asType()));
  }

  public boolean isThrowable(Type t) {
    Optional<TypeElement> c = classOf(t);
    TypeElement throwable = elements.getTypeElement("java.lang.Throwable");
    return c.isPresent() && throwable != null
        && types.isSubtype(types.erasure(c.get().asType()), types.erasure(throwable.asType()));
  }

  /**
   * The component names of {@code t} if it is a record whose canonical constructor and accessors are all
   * implicit, so that {@code new R(a, b).a()} is {@code a} (a compact or explicit constructor may change its
   * arguments, an explicit accessor may compute): empty otherwise. javac reports every accessor as explicit,
   * so {@code implicitAccessor} decides from the source (a record read from a class file is never plain).
   */
  public Optional<List<String>> plainRecordComponents(Type t, int arity,
      java.util.function.Predicate<ExecutableElement> implicitAccessor) {
    Optional<TypeElement> c = classOf(t);
    if (c.isEmpty() || c.get().getKind() != ElementKind.RECORD) {
      return Optional.empty();
    }
    List<? extends javax.lang.model.element.RecordComponentElement> components = c.get().getRecordComponents();
    if (components.size() != arity) {
      return Optional.empty();
    }
    for (ExecutableElement ctor : ElementFilter.constructorsIn(c.get().getEnclosedElements())) {
      if (ctor.getParameters().size() == arity && elements.getOrigin(ctor) != Elements.Origin.MANDATED) {
        return Optional.empty();
      }
    }
    List<String> names = new ArrayList<>();
    for (var rc : components) {
      ExecutableElement accessor = rc.getAccessor();
      if (accessor == null || !implicitAccessor.test(accessor)) {
        return Optional.empty();
      }
      names.add(rc.getSimpleName().toString());
    }
    return Optional.of(List.copyOf(names));
  }

  /** The class element of a declared IR type, if it names one. */
  public Optional<TypeElement> classOf(Type t) {
    if (t.kind() == Type.Kind.TENSOR) {
      return Optional.ofNullable(elements.getTypeElement("dev.adjoint.Tensor"));
    }
    if (t.kind() != Type.Kind.OTHER) {
      return Optional.empty();
    }
    String s = t.spelling();
    int lt = s.indexOf('<');
    if (lt >= 0) {
      s = s.substring(0, lt);
    }
    return Optional.ofNullable(elements.getTypeElement(s));
  }

  /**
   * Picks the overload of {@code candidates} applicable to {@code args} with the fewest widening
   * conversions (Java's most-specific rule, simplified to the subset's types).
   */
  public Optional<ExecutableElement> pickOverload(List<ExecutableElement> candidates, List<Type> args) {
    ExecutableElement best = null;
    int bestCost = Integer.MAX_VALUE;
    for (ExecutableElement m : candidates) {
      int cost = cost(m, args);
      if (cost < bestCost) {
        best = m;
        bestCost = cost;
      }
    }
    return Optional.ofNullable(best);
  }

  private int cost(ExecutableElement m, List<Type> args) {
    var ps = m.getParameters();
    int n = ps.size();
    int total = 0;
    if (!m.isVarArgs() || args.size() == n) {
      if (args.size() != n) {
        return m.isVarArgs() && args.size() == n - 1 ? 10 : Integer.MAX_VALUE;
      }
      boolean exactArity = true;
      for (int i = 0; i < n; i++) {
        int c = argCost(ps.get(i).asType(), args.get(i));
        if (c == Integer.MAX_VALUE) {
          exactArity = false;
          break;
        }
        total += c;
      }
      if (exactArity) {
        return total;
      }
      if (!m.isVarArgs()) {
        return Integer.MAX_VALUE;
      }
      total = 0;
    }
    if (args.size() < n - 1) {
      return Integer.MAX_VALUE;
    }
    for (int i = 0; i < n - 1; i++) {
      int c = argCost(ps.get(i).asType(), args.get(i));
      if (c == Integer.MAX_VALUE) {
        return c;
      }
      total += c;
    }
    TypeMirror component = ((ArrayType) ps.get(n - 1).asType()).getComponentType();
    for (int i = n - 1; i < args.size(); i++) {
      int c = argCost(component, args.get(i));
      if (c == Integer.MAX_VALUE) {
        return c;
      }
      total += c;
    }
    return total + 10;
  }

  private int argCost(TypeMirror param, Type arg) {
    if (arg.kind() == Type.Kind.ERROR) {
      return 0;
    }
    Type p = typeOf(param);
    if (p.kind() == arg.kind() && p.kind() != Type.Kind.OTHER) {
      return 0;
    }
    if (p.acceptsWidening(arg)) {
      return 1;
    }
    if (param.getKind() == TypeKind.TYPEVAR || param instanceof DeclaredType) {
      if (arg.kind() == Type.Kind.OTHER || arg.kind() == Type.Kind.TENSOR) {
        if (p.kind() == Type.Kind.OTHER && arg.kind() == Type.Kind.OTHER
            && types.erasure(param).toString().equals(erasure(arg.spelling()))) {
          return 0;
        }
        return 3;
      }
      // boxing into Object or a type variable
      return param.getKind() == TypeKind.TYPEVAR || types.erasure(param).toString().equals("java.lang.Object")
          ? 5
          : Integer.MAX_VALUE;
    }
    if (param.getKind() == TypeKind.ARRAY && arg.kind() == Type.Kind.OTHER) {
      return param.toString().equals(arg.spelling()) ? 0 : Integer.MAX_VALUE;
    }
    return Integer.MAX_VALUE;
  }

  private static String erasure(String spelling) {
    int lt = spelling.indexOf('<');
    return lt < 0 ? spelling : spelling.substring(0, lt);
  }
}
