package dev.tally.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The package rule finds a package without its package-info.java, and one whose package-info says nothing. */
class PackageDocsTest {
    @TempDir
    Path root;

    @Test
    void anUndocumentedPackageIsFound() throws Exception {
        Path documented = Files.createDirectories(root.resolve("dev/tally/a"));
        Files.writeString(documented.resolve("A.java"), "package dev.tally.a; class A {}");
        Files.writeString(documented.resolve("package-info.java"), "/** What a owns. */\npackage dev.tally.a;\n");
        Path bare = Files.createDirectories(root.resolve("dev/tally/b"));
        Files.writeString(bare.resolve("B.java"), "package dev.tally.b; class B {}");
        Path silent = Files.createDirectories(root.resolve("dev/tally/c"));
        Files.writeString(silent.resolve("C.java"), "package dev.tally.c; class C {}");
        Files.writeString(silent.resolve("package-info.java"), "package dev.tally.c;\n");
        assertThat(PackageDocs.undocumentedPackages(root)).containsExactlyInAnyOrder(bare, silent);
    }
}
