package dev.adjoint.nn;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Modules by name, in insertion order ({@code torch.nn.ModuleDict}): registered as children under their keys,
 * so their parameters are {@code "key.weight"}, ...; no {@code forward} of its own.
 */
public final class ModuleDict extends Module {
  private final LinkedHashMap<String, Module> modules = new LinkedHashMap<>();

  /** An empty dictionary. */
  public ModuleDict() {}

  /** The entries of {@code modules}, in its iteration order. */
  public ModuleDict(Map<String, ? extends Module> modules) {
    modules.forEach(this::put);
  }

  /** Adds {@code m} under {@code key} (a new key; registering a name twice is an error) and returns this. */
  public ModuleDict put(String key, Module m) {
    modules.put(key, registerModule(key, m));
    return this;
  }

  /** The module under {@code key}. */
  public Module get(String key) {
    Module m = modules.get(key);
    if (m == null) {
      throw new IllegalArgumentException("ModuleDict: no module named '" + key + "' (keys " + modules.keySet() + ")");
    }
    return m;
  }

  /** Whether {@code key} is present. */
  public boolean containsKey(String key) {
    return modules.containsKey(key);
  }

  /** The keys, in insertion order. */
  public Set<String> keys() {
    return java.util.Collections.unmodifiableSet(modules.keySet());
  }

  /** The number of modules. */
  public int size() {
    return modules.size();
  }
}
