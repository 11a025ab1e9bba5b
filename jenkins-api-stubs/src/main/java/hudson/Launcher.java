package hudson;

/** Starts processes on a node (unused by the stand-in beyond its type). */
public abstract class Launcher {
}
