package io.jenkins.plugins.teleport.auth.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's state at rest is readable by its own user only: directories it creates are 0700 and the files it
 * writes 0600, whatever the umask (permissions are set explicitly after creating, since the umask applies to the
 * mode asked for at creation). On file systems without POSIX permissions nothing is changed.
 */
public final class PrivateFiles {

    private static final Logger LOG = LoggerFactory.getLogger(PrivateFiles.class);
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {}

    /**
     * Makes {@code dir} (and missing parents) 0700 if it does not exist; an existing directory that others may read
     * is left as it is, with a warning naming the fix.
     */
    public static Path directory(Path dir) {
        try {
            Path absolute = dir.toAbsolutePath();
            if (Files.isDirectory(absolute)) {
                if (posix(absolute) && !Files.getPosixFilePermissions(absolute).equals(DIRECTORY)) {
                    LOG.warn("event=state_directory_open dir={} mode={} fix=\"chmod 700 {}\"", absolute,
                            PosixFilePermissions.toString(Files.getPosixFilePermissions(absolute)), absolute);
                }
                return absolute;
            }
            Path parent = absolute.getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                directory(parent);
            }
            try {
                Files.createDirectory(absolute);
            } catch (FileAlreadyExistsException e) {
                return absolute; // another process made it first
            }
            restrict(absolute, DIRECTORY);
            return absolute;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Creates {@code file} empty if it is missing, and makes it 0600 either way. */
    public static Path file(Path file) {
        try {
            try {
                Files.createFile(file);
            } catch (FileAlreadyExistsException e) {
                // make an existing one private too
            }
            restrict(file, FILE);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + file + ": " + e.getMessage(), e);
        }
    }

    /** Makes an existing {@code file} 0600; nothing if it does not exist. */
    public static void restrictIfPresent(Path file) {
        try {
            if (Files.exists(file)) {
                restrict(file, FILE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restrict " + file + " to its owner: " + e.getMessage(), e);
        }
    }

    /** Writes {@code text} to {@code file} (0600) through a temporary file in the same directory, so it is whole or absent. */
    public static void writeString(Path file, String text) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try {
                restrict(tmp, FILE);
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** True if group or others may read {@code file}. */
    public static boolean readableByOthers(Path file) {
        try {
            if (!posix(file)) {
                return false;
            }
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            return p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException e) {
            return false;
        }
    }

    private static void restrict(Path path, Set<PosixFilePermission> permissions) throws IOException {
        if (posix(path)) {
            Files.setPosixFilePermissions(path, permissions);
        }
    }

    private static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
