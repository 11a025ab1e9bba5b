package hudson.security;

/** A group of permissions. */
public final class PermissionGroup {
    private final String owner;

    public PermissionGroup(String owner) {
        this.owner = owner;
    }

    public String getOwnerName() {
        return owner;
    }
}
