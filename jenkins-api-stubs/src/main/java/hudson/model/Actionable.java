package hudson.model;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Something that holds actions. */
public abstract class Actionable {
    private final List<Action> actions = new CopyOnWriteArrayList<>();

    public List<Action> getActions() {
        return actions;
    }

    public void addAction(Action a) {
        actions.add(a);
    }

    public <T extends Action> T getAction(Class<T> type) {
        return actions.stream().filter(type::isInstance).map(type::cast).findFirst().orElse(null);
    }

    public <T extends Action> List<T> getActions(Class<T> type) {
        return actions.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
