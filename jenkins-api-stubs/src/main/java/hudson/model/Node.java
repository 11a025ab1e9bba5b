package hudson.model;

/** A machine builds run on (the controller or an agent). Declared: the type, as other signatures name it. */
public abstract class Node {

    public Node() {
    }

    public abstract String getNodeName();
}
