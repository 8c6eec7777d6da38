package org.onionpeer.browser.storage;

import org.teavm.jso.JSObject;
import org.teavm.jso.JSProperty;

/**
 * The record of one download in the {@code files} store (key path {@code url}): how much of it is stored,
 * in how many records of the {@code chunks} store, and whether it is complete.
 */
public interface StoredFile extends JSObject {
    @JSProperty String getUrl();
    @JSProperty void setUrl(String v);
    @JSProperty String getName();
    @JSProperty void setName(String v);
    @JSProperty String getType();
    @JSProperty void setType(String v);
    @JSProperty double getTotal();
    @JSProperty void setTotal(double v);
    @JSProperty double getReceived();
    @JSProperty void setReceived(double v);
    @JSProperty int getChunks();
    @JSProperty void setChunks(int v);
    @JSProperty boolean isDone();
    @JSProperty void setDone(boolean v);
    @JSProperty double getUpdated();
    @JSProperty void setUpdated(double v);
    @JSProperty void setStatus(int v);
    @JSProperty void setResumedFrom(double v);
    /** Shared by this browser (onionpeer.share): shared again when a page of this origin loads. */
    @JSProperty boolean isShared();
    @JSProperty void setShared(boolean v);
}
