package io.jenkins.plugins.teleport.client.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.AclEntry;
import java.nio.file.attribute.AclEntryFlag;
import java.nio.file.attribute.AclEntryPermission;
import java.nio.file.attribute.AclEntryType;
import java.nio.file.attribute.AclFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Owner-only directories on file systems with POSIX modes and on those with ACLs only (as Windows agents have). */
class OwnerOnlyTest {

    @TempDir
    Path tmp;

    /** A Windows-like file system: no POSIX view, ACLs, a parent that grants everyone access. */
    static FileSystem windowsLike() {
        return Jimfs.newFileSystem(Configuration.windows().toBuilder().setAttributeViews("basic", "owner", "acl").build());
    }

    @Test
    void withoutPosixPermissionsTheIdentityDirectoryGetsAnOwnerOnlyAclInsteadOfFailing() throws Exception {
        try (FileSystem fs = windowsLike()) {
            Path parent = Files.createDirectories(fs.getPath("C:\\\\agent\\\\workspace\\\\job@tmp\\\\teleport-access-request"));
            AclFileAttributeView parentAcl = Files.getFileAttributeView(parent, AclFileAttributeView.class);
            var everyone = fs.getUserPrincipalLookupService().lookupPrincipalByName("Everyone");
            parentAcl.setAcl(List.of(AclEntry.newBuilder().setType(AclEntryType.ALLOW).setPrincipal(everyone)
                    .setPermissions(EnumSet.allOf(AclEntryPermission.class)).build()));

            PreparedBundle prepared = BundleWriter.prepare(parent, "bot test");
            List<AclEntry> acl = Files.getFileAttributeView(prepared.dir(), AclFileAttributeView.class).getAcl();
            var owner = Files.getOwner(prepared.dir());
            assertEquals(1, acl.size(), acl.toString());
            assertEquals(owner, acl.get(0).principal(), "only the owner");
            assertEquals(AclEntryType.ALLOW, acl.get(0).type());
            assertTrue(acl.get(0).flags().containsAll(EnumSet.of(AclEntryFlag.FILE_INHERIT, AclEntryFlag.DIRECTORY_INHERIT)),
                    "what is made inside inherits it");
            Path key = prepared.dir().resolve(BundleFiles.TLS_KEY);
            List<AclEntry> keyAcl = Files.getFileAttributeView(key, AclFileAttributeView.class).getAcl();
            assertEquals(List.of(owner), keyAcl.stream().map(AclEntry::principal).toList(), "the key too: " + keyAcl);
            assertTrue(Files.readString(key).contains("PRIVATE KEY"));
            BundleWriter.delete(prepared.dir());
            assertFalse(Files.exists(prepared.dir()));
        }
    }

    @Test
    void withPosixPermissionsModesAreUsed() throws Exception {
        Path dir = OwnerOnly.createDirectory(tmp.resolve("d"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        Path file = OwnerOnly.createFile(dir.resolve("f"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        OwnerOnly.readOnly(file);
        assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void theRememberedAnswerForOneDirectoryIsNotGivenForAnotherFileSystem() throws Exception {
        // posix() remembers its last directory (getFileStore reads the mount table each time); bundles alternating
        // between a POSIX disk and an ACL one must each still get their own kind of protection.
        try (FileSystem fs = windowsLike()) {
            Path windowsParent = Files.createDirectories(fs.getPath("C:\\agent\\tmp"));
            for (int round = 0; round < 2; round++) {
                PreparedBundle onPosix = BundleWriter.prepare(tmp, "bot test");
                assertEquals("r--------", PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(onPosix.dir().resolve(BundleFiles.TLS_KEY))));
                PreparedBundle onWindows = BundleWriter.prepare(windowsParent, "bot test");
                List<AclEntry> acl = Files.getFileAttributeView(onWindows.dir().resolve(BundleFiles.TLS_KEY),
                        AclFileAttributeView.class).getAcl();
                assertEquals(List.of(Files.getOwner(onWindows.dir())), acl.stream().map(AclEntry::principal).toList());
                BundleWriter.delete(onPosix.dir());
                BundleWriter.delete(onWindows.dir());
            }
        }
    }
}
