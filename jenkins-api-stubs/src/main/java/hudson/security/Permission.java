package hudson.security;

/** A permission; the stand-in knows its ID and what implies it. */
public final class Permission {
    public final PermissionGroup group;
    public final String name;
    public final Permission impliedBy;

    public Permission(PermissionGroup group, String name, Permission impliedBy) {
        this.group = group;
        this.name = name;
        this.impliedBy = impliedBy;
    }

    public String getId() {
        return group.getOwnerName() + "." + name;
    }

    @Override
    public String toString() {
        return "Permission[" + getId() + "]";
    }
}
