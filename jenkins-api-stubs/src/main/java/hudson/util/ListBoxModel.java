package hudson.util;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;

/** The options of a select box. */
public class ListBoxModel extends ArrayList<ListBoxModel.Option> {
    private static final long serialVersionUID = 1L;

    public ListBoxModel() {
    }

    public ListBoxModel(Collection<Option> c) {
        super(c);
    }

    public ListBoxModel(Option... data) {
        super(Arrays.asList(data));
    }

    public void add(String displayName, String value) {
        add(new Option(displayName, value));
    }

    /** One option. */
    public static final class Option {
        public String name;
        public String value;
        public boolean selected;

        public Option(String name, String value) {
            this.name = name;
            this.value = value;
        }
    }
}
