package hudson.slaves;

import hudson.FilePath;

/** Workspace bookkeeping; only {@link #tempDir} is needed here. */
public final class WorkspaceList {

    public static final String COMBINATOR = "@";
    public static final String TMP_DIR_SUFFIX = COMBINATOR + "tmp";

    private WorkspaceList() {
    }

    /** The temporary directory beside a workspace, {@code <ws>@tmp}; not created. */
    public static FilePath tempDir(FilePath ws) {
        return ws.sibling(ws.getName() + TMP_DIR_SUFFIX);
    }
}
