package io.jenkins.plugins.teleport.jenkins;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.StandardListBoxModel;
import hudson.model.Item;
import hudson.util.ListBoxModel;
import jenkins.model.Jenkins;

/** The credentials plugin's pattern for credentials select boxes: who may see which IDs. */
final class CredentialsLists {

    private CredentialsLists() {}

    /**
     * The bot credentials visible in {@code item} (or globally): people without the right to configure see only the
     * current value, never the list.
     */
    static ListBoxModel bots(Item item, String currentValue) {
        StandardListBoxModel result = new StandardListBoxModel();
        if (item == null) {
            if (!Jenkins.get().hasPermission(Jenkins.ADMINISTER)) {
                return result.includeCurrentValue(currentValue);
            }
        } else if (!item.hasPermission(Item.EXTENDED_READ) && !item.hasPermission(CredentialsProvider.USE_ITEM)) {
            return result.includeCurrentValue(currentValue);
        }
        return result.includeEmptyValue()
                .includeAs(Jenkins.getAuthentication2(), item, TeleportBotCredentials.class)
                .includeCurrentValue(currentValue);
    }
}
