package dev.tally.invoicing.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Objects as files under a root directory, each at its key (a shared volume when several instances use it). A file is
 * staged beside its target ({@code <name>.<uuid>.tmp}) and moved into place atomically after it is forced to disk.
 */
public final class DirectoryStore implements ObjectStore {
    private static final String STAGED = ".tmp";
    private final Path root;

    public DirectoryStore(Path root) {
        this.root = root.toAbsolutePath();
    }

    @Override
    public Path staging(String key) throws IOException {
        Path target = resolve(key);
        Files.createDirectories(target.getParent());
        return target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + STAGED);
    }

    @Override
    public long put(Path staged, String key, Runnable beforeVisible) throws IOException {
        Path target = resolve(key);
        Files.createDirectories(target.getParent());
        try (FileChannel ch = FileChannel.open(staged, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        beforeVisible.run();
        Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return Files.size(target);
    }

    @Override
    public Local local(List<String> keys) throws IOException {
        List<Path> paths = keys.stream().map(this::resolve).toList();
        for (Path p : paths) {
            if (!Files.isRegularFile(p)) {
                throw new NoSuchFileException(p.toString());
            }
        }
        return Local.of(paths, () -> { }); // the files themselves: nothing to delete
    }

    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(resolve(key));
    }

    @Override
    public List<Listed> list(String prefix) throws IOException {
        return files(false).stream().map(this::listed).filter(l -> l != null && l.key().startsWith(prefix)).toList();
    }

    @Override
    public int sweepStaging(Instant before) throws IOException {
        int swept = 0;
        for (Path f : files(true)) {
            if (Files.getLastModifiedTime(f).toInstant().isBefore(before)) {
                Files.deleteIfExists(f);
                swept++;
            }
        }
        return swept;
    }

    @Override
    public String location() {
        return root.toString();
    }

    /** The regular files under the root: the staged ones, or the others. */
    private List<Path> files(boolean staged) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(root)) {
            List<Path> out = new ArrayList<>();
            walk.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().endsWith(STAGED) == staged).forEach(out::add);
            return out;
        }
    }

    private Listed listed(Path f) {
        try {
            return new Listed(root.relativize(f).toString().replace('\\', '/'), Files.getLastModifiedTime(f).toInstant(), Files.size(f));
        } catch (IOException e) {
            return null; // deleted meanwhile
        }
    }

    /** The file of {@code key}, refusing a key that would leave the root. */
    private Path resolve(String key) {
        Path p = root.resolve(key).normalize();
        if (!p.startsWith(root) || p.equals(root)) {
            throw new IllegalArgumentException("not a key under " + root + ": " + key);
        }
        return p;
    }
}
