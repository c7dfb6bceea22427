package dev.adjoint.processor.diag;

import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.Tree;

/**
 * A position for a message: the narrowest tree and its compilation unit. The IR carries these as
 * opaque handles ({@link dev.adjoint.processor.ir.Origin#site()}).
 *
 * @param unit the compilation unit
 * @param tree the tree the caret goes on
 */
public record Site(CompilationUnitTree unit, Tree tree) {}
