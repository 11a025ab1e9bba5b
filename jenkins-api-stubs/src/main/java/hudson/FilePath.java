package hudson;

import hudson.remoting.LocalChannel;
import hudson.remoting.VirtualChannel;
import java.io.File;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.jenkinsci.remoting.RoleSensitive;
import org.jenkinsci.remoting.SerializableOnlyOverRemoting;

/**
 * A file on the controller or an agent. The stand-in runs callables in this JVM for the local channel and hands
 * them to {@link VirtualChannel#call} otherwise (tests use that to simulate an agent that went away).
 */
public final class FilePath implements SerializableOnlyOverRemoting {
    private static final long serialVersionUID = 1L;

    public static final LocalChannel localChannel = new LocalChannel();

    private final transient VirtualChannel channel;
    private final String remote;

    public FilePath(VirtualChannel channel, String remote) {
        this.channel = channel == localChannel ? null : channel;
        this.remote = remote;
    }

    public FilePath(File localPath) {
        this((VirtualChannel) null, localPath.getPath());
    }

    public FilePath(FilePath base, String rel) {
        this(base.channel, new File(base.remote, rel).getPath());
    }

    public String getRemote() {
        return remote;
    }

    public String getName() {
        return new File(remote).getName();
    }

    public VirtualChannel getChannel() {
        return channel != null ? channel : localChannel;
    }

    public boolean isRemote() {
        return channel != null;
    }

    public FilePath child(String relOrAbsolute) {
        return new FilePath(channel, new File(relOrAbsolute).isAbsolute() ? relOrAbsolute : new File(remote, relOrAbsolute).getPath());
    }

    public FilePath sibling(String rel) {
        String parent = new File(remote).getParent();
        return parent == null ? null : new FilePath(channel, new File(parent, rel).getPath());
    }

    public FilePath getParent() {
        String parent = new File(remote).getParent();
        return parent == null ? null : new FilePath(channel, parent);
    }

    public <T> T act(final FileCallable<T> callable) throws IOException, InterruptedException {
        if (channel == null) {
            return callable.invoke(new File(remote), localChannel);
        }
        return channel.call(new FileCallableWrapper<>(callable, remote));
    }

    public boolean exists() throws IOException, InterruptedException {
        return act(new Probe());
    }

    public void mkdirs() throws IOException, InterruptedException {
        act(new MakeDirs());
    }

    public void deleteRecursive() throws IOException, InterruptedException {
        act(new DeleteTree());
    }

    @Override
    public String toString() {
        return remote;
    }

    /** Code to run where a file is. */
    public interface FileCallable<T> extends Serializable, RoleSensitive {
        T invoke(File f, VirtualChannel channel) throws IOException, InterruptedException;
    }

    private static final class FileCallableWrapper<T> implements hudson.remoting.Callable<T, IOException> {
        private static final long serialVersionUID = 1L;
        private final FileCallable<T> callable;
        private final String remote;

        FileCallableWrapper(FileCallable<T> callable, String remote) {
            this.callable = callable;
            this.remote = remote;
        }

        @Override
        public T call() throws IOException {
            try {
                return callable.invoke(new File(remote), localChannel);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        @Override
        public void checkRoles(org.jenkinsci.remoting.RoleChecker checker) {
            callable.checkRoles(checker);
        }
    }

    private static final class Probe extends jenkins.MasterToSlaveFileCallable<Boolean> {
        private static final long serialVersionUID = 1L;

        @Override
        public Boolean invoke(File f, VirtualChannel channel) {
            return f.exists();
        }
    }

    private static final class MakeDirs extends jenkins.MasterToSlaveFileCallable<Void> {
        private static final long serialVersionUID = 1L;

        @Override
        public Void invoke(File f, VirtualChannel channel) throws IOException {
            Files.createDirectories(f.toPath());
            return null;
        }
    }

    private static final class DeleteTree extends jenkins.MasterToSlaveFileCallable<Void> {
        private static final long serialVersionUID = 1L;

        @Override
        public Void invoke(File f, VirtualChannel channel) throws IOException {
            if (!f.exists()) {
                return null;
            }
            try (Stream<Path> walk = Files.walk(f.toPath())) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
            return null;
        }
    }
}
