package dev.tally.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** A house rule on sources: every package of main code says what it owns, in a {@code package-info.java}. */
public final class PackageDocs {
    private PackageDocs() {
    }

    /** The directories under {@code sourceRoot} that hold Java sources but no package-info.java (with its Javadoc). */
    public static List<Path> undocumentedPackages(Path sourceRoot) throws IOException {
        try (Stream<Path> dirs = Files.walk(sourceRoot)) {
            return dirs.filter(Files::isDirectory).filter(PackageDocs::holdsJava).filter(d -> !documented(d)).toList();
        }
    }

    private static boolean holdsJava(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.toString().endsWith(".java") && !f.getFileName().toString().equals("package-info.java"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean documented(Path dir) {
        Path info = dir.resolve("package-info.java");
        try {
            return Files.exists(info) && Files.readString(info).contains("/**");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
