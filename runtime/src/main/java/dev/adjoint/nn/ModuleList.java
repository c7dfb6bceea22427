package dev.adjoint.nn;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Modules held in a list ({@code torch.nn.ModuleList}): registered as children named {@code "0"}, {@code "1"},
 * ..., so their parameters are the list's; it has no {@code forward} of its own (iterate and call them).
 */
public final class ModuleList extends Module implements Iterable<Module> {
  private final List<Module> modules = new ArrayList<>();

  /** A list of {@code modules}, in order. */
  public ModuleList(Module... modules) {
    for (Module m : modules) {
      append(m);
    }
  }

  /** Adds {@code m} at the end (child {@code size()}) and returns this list. */
  public ModuleList append(Module m) {
    modules.add(registerModule(Integer.toString(modules.size()), m));
    return this;
  }

  /** Module {@code i} (negative counts from the end, as in Python). */
  public Module get(int i) {
    int k = i < 0 ? i + modules.size() : i;
    if (k < 0 || k >= modules.size()) {
      throw new IndexOutOfBoundsException("ModuleList: index " + i + " is out of range for " + modules.size()
          + " modules");
    }
    return modules.get(k);
  }

  /** The number of modules. */
  public int size() {
    return modules.size();
  }

  @Override
  public Iterator<Module> iterator() {
    return List.copyOf(modules).iterator();
  }
}
