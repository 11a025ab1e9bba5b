package io.jenkins.plugins.teleport.client.bundle;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.AclEntryFlag;
import java.nio.file.attribute.AclEntryPermission;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Files and directories only their owner may use: POSIX modes where the file system has them (directories 0700,
 * files 0600 or 0400), else (Windows) an access-control list with one entry, the owner's, inherited by what is
 * created inside, in place of whatever the parent would have passed on.
 */
public final class OwnerOnly {

    private OwnerOnly() {}

    /** A new directory (it must not exist), owner-only before anything is put in it. */
    public static Path createDirectory(Path dir) throws IOException {
        if (posix(dir.getParent())) {
            return Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Files.createDirectory(dir);
        restrictAcl(dir, true);
        return dir;
    }

    /** The directory and its missing parents; the directory itself ends owner-only. */
    public static Path createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return dir;
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            return createDirectory(dir);
        } catch (java.nio.file.FileAlreadyExistsException raced) {
            return dir;
        }
    }

    /** A new empty file that only its owner may read and write. */
    public static Path createFile(Path file) throws IOException {
        if (posix(file.getParent())) {
            return Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Files.createFile(file);
        restrictAcl(file, false);
        return file;
    }

    public static Path createTempFile(Path dir, String prefix, String suffix) throws IOException {
        if (posix(dir)) {
            return Files.createTempFile(dir, prefix, suffix, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        Path file = Files.createTempFile(dir, prefix, suffix);
        restrictAcl(file, false);
        return file;
    }

    /** Narrows a file to read-only for its owner where modes exist (ACLs keep the owner's entry). */
    public static void readOnly(Path file) throws IOException {
        if (posix(file.getParent())) {
            Files.setPosixFilePermissions(file, EnumSet.of(PosixFilePermission.OWNER_READ));
        }
    }

    /** The ACL that replaces any other: the owner may do everything, and so inherit what is made inside a directory. */
    static List<AclEntry> ownerOnlyAcl(UserPrincipal owner, boolean directory) {
        Set<AclEntryFlag> flags = directory ? EnumSet.of(AclEntryFlag.FILE_INHERIT, AclEntryFlag.DIRECTORY_INHERIT)
                : EnumSet.noneOf(AclEntryFlag.class);
        return List.of(AclEntry.newBuilder().setType(AclEntryType.ALLOW).setPrincipal(owner)
                .setPermissions(EnumSet.allOf(AclEntryPermission.class)).setFlags(flags).build());
    }

    private static void restrictAcl(Path path, boolean directory) throws IOException {
        AclFileAttributeView acl = Files.getFileAttributeView(path, AclFileAttributeView.class);
        if (acl == null) {
            Files.deleteIfExists(path);
            throw new IOException("cannot make " + path + " private: its file system has neither POSIX permissions nor "
                    + "access-control lists; choose a directory on another file system");
        }
        acl.setAcl(ownerOnlyAcl(acl.getOwner(), directory));
    }

    /**
     * The last directory asked about and its answer: a bundle asks for the same new directory once per file, and
     * {@link Files#getFileStore} reads the whole mount table each time (~0.1 ms here, far more on hosts with hundreds
     * of mounts). A directory's file system cannot change while it exists.
     */
    private record Answer(Path dir, boolean posix) {}

    private static volatile Answer last;

    private static boolean posix(Path dir) throws IOException {
        Path asked = dir == null ? Path.of("").toAbsolutePath() : dir;
        Answer known = last;
        if (known != null && known.dir().equals(asked) && Files.isDirectory(asked)) {
            return known.posix();
        }
        Path existing = asked;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        FileStore store = Files.getFileStore(existing == null ? Path.of("").toAbsolutePath() : existing);
        boolean posix = store.supportsFileAttributeView(PosixFileAttributeView.class);
        if (asked.equals(existing)) {
            last = new Answer(asked, posix);
        }
        return posix;
    }
}
