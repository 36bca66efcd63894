package io.dialectica.search.index;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A category in the side index: its attributes as {@code dialectica.category-changes} (the authority) last set
 * them. {@link #lsn} is the document's external version, i.e. {@code applied[categoryId]}.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class CategoryDoc {

    public String id;
    public String name;
    public String canonicalName;
    public String description;
    public boolean deleted;
    public long lsn;

    public CategoryDoc() {
    }

    public CategoryDoc(String id, String name, String canonicalName, String description, boolean deleted, long lsn) {
        this.id = id;
        this.name = name;
        this.canonicalName = canonicalName;
        this.description = description;
        this.deleted = deleted;
        this.lsn = lsn;
    }
}
