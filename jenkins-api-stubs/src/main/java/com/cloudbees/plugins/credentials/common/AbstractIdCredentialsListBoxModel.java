package com.cloudbees.plugins.credentials.common;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import hudson.model.Item;
import hudson.util.ListBoxModel;
import org.springframework.security.core.Authentication;

/** A select box of credentials IDs. */
public abstract class AbstractIdCredentialsListBoxModel<T extends AbstractIdCredentialsListBoxModel<T, C>, C extends IdCredentials>
        extends ListBoxModel {
    private static final long serialVersionUID = 1L;

    protected abstract String describe(C c);

    public AbstractIdCredentialsListBoxModel<T, C> includeEmptyValue() {
        if (stream().noneMatch(o -> o.value.isEmpty())) {
            add(0, new Option("- none -", ""));
        }
        return this;
    }

    @SuppressWarnings("unchecked")
    public AbstractIdCredentialsListBoxModel<T, C> includeAs(Authentication authentication, Item context, Class<? extends C> type) {
        for (C c : CredentialsProvider.lookupCredentialsInItem((Class<C>) type, context, authentication)) {
            if (stream().noneMatch(o -> o.value.equals(c.getId()))) {
                add(describe(c), c.getId());
            }
        }
        return this;
    }

    public AbstractIdCredentialsListBoxModel<T, C> includeCurrentValue(String value) {
        if (value == null || value.isEmpty()) {
            return includeEmptyValue();
        }
        if (stream().noneMatch(o -> o.value.equals(value))) {
            add(value, value);
        }
        return this;
    }
}
